/**
 * `timezone:` on text sources: naive date-times are local times in the zone and become UTC
 * instants (so they fall in the right period); dates, zoned values and non-date columns stay as
 * written; clock changes follow the documented rule; an unknown zone is a located config error.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CxErrors } from '../src/kernel/errors.js';
import { build } from '../src/app/pipeline.js';
import { localTimesToUtc } from '../src/sources/timezone.js';
import { csv, makeProject } from './project.js';

describe('localTimesToUtc', () => {
  it('moves naive date-times from the zone to UTC, by hand-checked offsets', () => {
    // New York: EDT (UTC−4) until 2026-11-01 02:00 local, then EST (UTC−5); Berlin: CET (UTC+1) in January
    expect(localTimesToUtc(['2026-10-31 23:30', '2026-12-15T08:00:00'], 'America/New_York')).toEqual(['2026-11-01T03:30:00.000Z', '2026-12-15T13:00:00.000Z']);
    expect(localTimesToUtc(['2026-01-01T00:30:00'], 'Europe/Berlin')).toEqual(['2025-12-31T23:30:00.000Z']);
    expect(localTimesToUtc(['2026-07-01T12:00:00.250'], 'Asia/Kathmandu')).toEqual(['2026-07-01T06:15:00.250Z']);
  });

  it('clock changes: a skipped time uses the offset before the change, a repeated time its first occurrence', () => {
    // 2026-03-08 02:30 does not exist in New York (02:00 EST → 03:00 EDT); read as 02:30 EST
    expect(localTimesToUtc(['2026-03-08T02:30:00'], 'America/New_York')).toEqual(['2026-03-08T07:30:00.000Z']);
    // 2026-11-01 01:30 happens twice (EDT, then EST); the first is 05:30Z
    expect(localTimesToUtc(['2026-11-01T01:30:00'], 'America/New_York')).toEqual(['2026-11-01T05:30:00.000Z']);
  });

  it('leaves dates, zoned values, empty cells and columns that are not dates as written', () => {
    const dates = ['2026-10-31', '2026-10-31T23:30:00Z', '2026-10-31T23:30:00+02:00', null, '2026-10-31 23:30'];
    expect(localTimesToUtc(dates, 'America/New_York')).toEqual(['2026-10-31', '2026-10-31T23:30:00Z', '2026-10-31T23:30:00+02:00', null, '2026-11-01T03:30:00.000Z']);
    const mixed = ['2026-10-31 23:30', 'not recorded'];
    expect(localTimesToUtc(mixed, 'America/New_York')).toBe(mixed);
    const text = ['EMEA', 'APAC'];
    expect(localTimesToUtc(text, 'America/New_York')).toBe(text);
  });
});

describe('timezone on a CSV source', () => {
  const config = (zone: string) => `report:
  title: Zones
  period: { granularity: month, current: latest }
  min_sample: 1
sources:
  responses: { type: csv, path: data/responses.csv${zone} }
metrics:
  nps: { type: nps, source: responses, score: nps_score, date: submitted_at }
sections:
  - { type: kpis, metrics: [nps] }
`;
  // three late-evening answers on 31 October in New York are already 1 November in UTC
  const data = csv(['submitted_at', 'nps_score'], [['2026-10-30 12:00', 10], ['2026-10-31 21:00', 0], ['2026-10-31 22:00', 0], ['2026-10-31 23:00', 0]]);

  it('assigns naive local times to the period of their instant', async () => {
    const run = async (zone: string) => {
      const dir = makeProject({ 'cxreport.yaml': config(zone), 'data/responses.csv': data });
      const { metrics } = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
      return (JSON.parse(metrics).metrics.nps.series as { period: string; n: number }[]).map((s) => `${s.period}:${s.n}`);
    };
    expect(await run('')).toEqual(['2026-10:4']);
    expect(await run(', timezone: America/New_York')).toEqual(['2026-10:1', '2026-11:3']);
  });

  it('an unknown zone is a located config error', async () => {
    const dir = makeProject({ 'cxreport.yaml': config(', timezone: Europe/Berlinn'), 'data/responses.csv': data });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(CxErrors);
    const first = (error as CxErrors).errors[0];
    expect(first.message).toContain('not a time zone this system knows');
    expect(first.location).toMatchObject({ file: 'cxreport.yaml', line: 6 });
  });
});
