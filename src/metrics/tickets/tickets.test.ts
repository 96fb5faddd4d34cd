/**
 * Support tickets through the real pipeline on a tiny fixture whose numbers are worked by hand
 * below, plus the located config error, exclusion counting, property tests and the real-data
 * check against the public customer-support tickets (resolution before first response).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { CxError } from '../../kernel/errors.js';
import { build, load, type BuildResult } from '../../app/pipeline.js';
import { computeMetrics } from '../index.js';
import { normalCdf } from '../../kernel/stats.js';
import { parseFlag } from './prepare.js';
import { MESSAGES } from './messages.js';
import { sameKeys } from '../../kernel/i18n.js';
import { csv, makeProject } from '../../../test/project.js';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['ticket_id', 'channel', 'priority', 'created_at', 'first_response_at', 'resolved_at', 'reopened', 'csat'];
const H = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A ticket created at `created` (ISO) with first response / resolution `fr` / `res` hours later (null: none). */
function ticket(id: string, channel: string, created: string, fr: number | null, res: number | null, reopened: string | null, csatAnswer: string | number | null, priority = 'normal'): (string | number | null)[] {
  const c = Date.parse(created);
  return [id, channel, priority, created, fr === null ? null : iso(c + fr * H), res === null ? null : iso(c + res * H), reopened, csatAnswer];
}

// October 2026 (current), 10 valid tickets: first response hours 1,2,2,3,4,5,6,8,10,20; tickets 9 and 10 are open.
const OCTOBER: [string, number, number | null, string, string | number | null][] = [
  ['email', 1, 5, 'no', 5],
  ['chat', 2, 10, 'no', 5],
  ['chat', 2, 12, 'yes', 4],
  ['phone', 3, 24, 'no', 3],
  ['email', 4, 30, 'no', null],
  ['email', 5, 36, 'no', 2],
  ['chat', 6, 50, 'yes', 4],
  ['email', 8, 72, 'no', 'x'],
  ['chat', 10, null, 'yes', null],
  ['phone', 20, null, 'no', null],
];
// September 2026 (previous), 8 tickets, all resolved: first response 3,4,6,6,8,9,12,30 hours.
const SEPTEMBER: [string, number, number][] = [
  ['email', 3, 10],
  ['chat', 4, 20],
  ['email', 6, 30],
  ['chat', 6, 40],
  ['email', 8, 50],
  ['chat', 9, 60],
  ['email', 12, 70],
  ['chat', 30, 80],
];

function rows(): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  out.push(ticket('A1', 'email', '2026-08-10T09:00:00Z', 2, 3, 'no', 5));
  SEPTEMBER.forEach(([ch, fr, res], i) => out.push(ticket(`S${i + 1}`, ch, `2026-09-${String(i + 2).padStart(2, '0')}T09:00:00Z`, fr, res, 'no', 4)));
  OCTOBER.forEach(([ch, fr, res, re, cs], i) => out.push(ticket(`O${i + 1}`, ch, `2026-10-${String(i + 2).padStart(2, '0')}T08:00:00Z`, fr, res, re, cs)));
  // invalid rows in October (one per reason) and one row without a usable creation time
  out.push(['X1', 'email', 'normal', '2026-10-12T10:00:00Z', '2026-10-12T09:00:00Z', null, 'no', null]);
  out.push(['X2', 'email', 'normal', '2026-10-13T10:00:00Z', null, '2026-10-13T08:00:00Z', 'no', null]);
  out.push(['X3', 'chat', 'normal', '2026-10-14T10:00:00Z', '2026-10-14T15:00:00Z', '2026-10-14T12:00:00Z', 'no', null]);
  out.push(['X4', 'chat', 'normal', '2026-10-15T10:00:00Z', '2026-10-15T11:00:00Z', 'soon', 'no', null]);
  out.push(['X5', 'phone', 'normal', 'yesterday', '2026-10-15T11:00:00Z', null, 'no', null]);
  return out;
}

const COMMON = 'source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, channel: channel, priority: priority, reopened: reopened, csat: csat';
const CONFIG = `report:
  title: Tickets
  period: { granularity: month, current: latest }
  min_sample: 5
sources:
  tickets: { type: csv, path: data/tickets.csv }
metrics:
  fr: { type: tickets, ${COMMON} }
  res: { type: tickets, ${COMMON}, measure: resolution }
  sla: { type: tickets, ${COMMON}, measure: sla, sla: { first_response_hours: 4, resolution_hours: 48 } }
  reopen: { type: tickets, ${COMMON}, measure: reopen_rate }
  volume: { type: tickets, ${COMMON}, measure: volume }
  tcsat: { type: tickets, ${COMMON}, measure: csat }
sections:
  - { type: kpis, metrics: [fr, sla, volume] }
  - { type: metric, metric: fr }
  - { type: metric, metric: volume }
  - { type: breakdown, metric: fr, by: channel }
  - { type: trend, metric: fr, periods: 3 }
`;

let result: BuildResult;
let json: any;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/tickets.csv': csv(HEADER, rows()) });
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
});

describe('tickets: first response (worked by hand)', () => {
  // October first-response hours, sorted: 1, 2, 2, 3, 4, 5, 6, 8, 10, 20 (n = 10).
  // Median = (x5 + x6)/2 = (4 + 5)/2 = 4.5 h. p90 (type 7): h = 9·0.9 = 8.1 → x9 + 0.1·(x10 − x9) = 10 + 0.1·10 = 11 h.
  // Order-statistic 95% interval, B ~ Bin(10, ½): P(B ≤ 1) = 11/1024 = 0.0107 ≤ 0.025 < P(B ≤ 2) = 56/1024 = 0.0547,
  // so l = 2, u = n − l + 1 = 9 → [x2, x9] = [2, 10] h (coverage 1 − 2·0.0107 = 0.979).
  it('median, p90 and order-statistic interval', () => {
    const m = json.metrics.fr;
    expect(m.unit).toBe('duration');
    expect(m.value).toBeCloseTo(4.5, 10);
    expect(m.n).toBe(10);
    expect(m.ci).toEqual([2, 10]);
    expect(m.firstResponse.p90).toBeCloseTo(11, 10);
    expect(m.firstResponse.awaitingFirstResponse).toBe(0);
    expect(m.higherIsBetter).toBe(false);
  });
  // September: 3, 4, 6, 6, 8, 9, 12, 30 → median (6 + 8)/2 = 7 h; delta = 4.5 − 7 = −2.5 h.
  // Mood's median test: the 18 pooled values 1,2,2,3,3,4,4,5,6,6,6,8,8,9,10,12,20,30 have median (6 + 6)/2 = 6.
  // Above 6: October 8, 10, 20 → 3 of 10; September 8, 9, 12, 30 → 4 of 8. Pooled share 7/18 = 0.388889;
  // SE = √(0.388889·0.611111·(1/8 + 1/10)) = √(0.237654·0.225) = 0.231241; z = (0.3 − 0.5)/0.231241 = −0.864900;
  // p = 2·Φ(−0.864900) = 0.38709 → not significant.
  it("change by Mood's median test", () => {
    const m = json.metrics.fr;
    expect(m.previous).toMatchObject({ period: '2026-09', n: 8, value: 7 });
    expect(m.delta).toBeCloseTo(-2.5, 10);
    expect(m.test).toMatch(/Mood/);
    expect(m.statistic).toBeCloseTo(-0.8649, 4);
    expect(m.p).toBeCloseTo(2 * normalCdf(-0.8649), 4);
    expect(m.p).toBeCloseTo(0.38709, 4);
    expect(m.significant).toBe(false);
  });
  it('series from the first period with data (August: one ticket, 2 h, low sample)', () => {
    const s = json.metrics.fr.series;
    expect(s.map((p: any) => p.period)).toEqual(['2026-08', '2026-09', '2026-10']);
    expect(s[0]).toMatchObject({ value: 2, n: 1, lowSample: true, ci: null });
  });
  // Channel breakdown, October: email 1, 4, 5, 8 → 4.5; chat 2, 2, 6, 10 → 4; phone 3, 20 → 11.5. n: 4 + 4 + 2 = 10.
  it('breakdown by channel: medians per group, n summing to the total', () => {
    const groups = json.metrics.fr.breakdowns.channel;
    const by = Object.fromEntries(groups.map((g: any) => [g.group, g]));
    expect(by.email.value).toBeCloseTo(4.5, 10);
    expect(by.chat.value).toBeCloseTo(4, 10);
    expect(by.phone.value).toBeCloseTo(11.5, 10);
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(10);
    // September email 3, 6, 8, 12 → median 7; chat 4, 6, 9, 30 → 7.5
    expect(by.email.previous.value).toBeCloseTo(7, 10);
    expect(by.chat.previous.value).toBeCloseTo(7.5, 10);
  });
});

describe('tickets: resolution, SLA, reopen rate, volume, CSAT (worked by hand)', () => {
  // October resolved tickets' hours: 5, 10, 12, 24, 30, 36, 50, 72 (n = 8; two open tickets left out).
  // Median (24 + 30)/2 = 27 h. Bin(8, ½): P(B ≤ 0) = 1/256 = 0.0039 ≤ 0.025 < P(B ≤ 1) = 9/256 = 0.0352 → [x1, x8] = [5, 72].
  it('resolution time leaves open tickets out and counts them as open', () => {
    const m = json.metrics.res;
    expect(m.value).toBeCloseTo(27, 10);
    expect(m.n).toBe(8);
    expect(m.ci).toEqual([5, 72]);
    expect(m.resolution.open).toBe(2);
    expect(m.open).toBe(2);
  });
  // SLA (first response ≤ 4 h and resolution ≤ 48 h) over resolved tickets: October tickets 1–5 meet both,
  // 6 (5 h reply), 7 (6 h, 50 h) and 8 (8 h, 72 h) do not → 5/8 = 62.5%. September: (3, 10) and (4, 20) meet
  // both → 2/8 = 25%. Pooled 7/16 = 0.4375; SE = √(0.4375·0.5625·(1/8 + 1/8)) = 0.248039;
  // z = 0.375/0.248039 = 1.511858; p = 2·Φ(−1.511858) = 0.13057.
  // Wilson for 5/8 (z² = 3.841459): centre (0.625 + 3.841459/16)/(1 + 3.841459/8) = 0.865091/1.480182 = 0.584449;
  // half = 1.959964·√(0.625·0.375/8 + 3.841459/256)/1.480182 = 1.959964·√(0.029297 + 0.015006)/1.480182
  //      = 1.959964·0.210483/1.480182 = 0.278708 → [0.305741, 0.863157] → [30.5741, 86.3157]%.
  it('SLA attainment: Wilson interval and z-test', () => {
    const m = json.metrics.sla;
    expect(m.unit).toBe('percent');
    expect(m.value).toBeCloseTo(62.5, 10);
    expect(m.n).toBe(8);
    expect(m.ci[0]).toBeCloseTo(30.5741, 3);
    expect(m.ci[1]).toBeCloseTo(86.3157, 3);
    expect(m.previous.value).toBeCloseTo(25, 10);
    expect(m.statistic).toBeCloseTo(1.511858, 5);
    expect(m.p).toBeCloseTo(0.13057, 4);
    expect(m.significant).toBe(false);
    // first response within 4 h: tickets 1–5 of the 10 replied → 50%; resolution within 48 h: 1–6 of 8 → 75%.
    expect(m.sla.firstResponse).toMatchObject({ count: 5, n: 10, share: 50 });
    expect(m.sla.resolution).toMatchObject({ count: 6, n: 8, share: 75 });
  });
  // Reopen rate: tickets resolved at least once = the 8 resolved + ticket 9 (open again, flagged reopened) = 9;
  // reopened: tickets 3, 7, 9 → 3/9 = 33.33%. Ticket 10 (open, never resolved) is not in the denominator.
  it('reopen rate over tickets resolved at least once', () => {
    const m = json.metrics.reopen;
    expect(m.value).toBeCloseTo(100 / 3, 10);
    expect(m.n).toBe(9);
    expect(m.previous.value).toBe(0);
  });
  // Volume: October 10 valid tickets over 31 days, September 8 over 30. Garwood interval for 10: [4.795389, 18.390356].
  // Conditional test: N = 18, p0 = 31/61 = 0.508197; z = (10 − 18·0.508197)/√(18·0.508197·0.491803) = 0.401907;
  // P(X ≥ 10) = 0.434834 < P(X ≤ 10) = 0.737237 → p = 2·0.434834 = 0.869667.
  it('volume: exact Poisson interval and conditional binomial test', () => {
    const m = json.metrics.volume;
    expect(m.unit).toBe('count');
    expect(m.value).toBe(10);
    expect(m.ci[0]).toBeCloseTo(4.795389, 4);
    expect(m.ci[1]).toBeCloseTo(18.390356, 4);
    expect(m.previous.value).toBe(8);
    expect(m.delta).toBe(2);
    expect(m.statistic).toBeCloseTo(0.401907, 5);
    expect(m.p).toBeCloseTo(0.869667, 5);
    // volume by channel: email 4 (40%), chat 4, phone 2
    expect(m.volumeByChannel.map((c: any) => [c.channel, c.count, c.share])).toEqual([['chat', 4, 40], ['email', 4, 40], ['phone', 2, 20]]);
    // series counts: August 1, September 8, October 10
    expect(m.series.map((p: any) => p.value)).toEqual([1, 8, 10]);
  });
  // Ticket CSAT: valid answers 5, 5, 4, 3, 2, 4 (ticket 8 answered "x") → 4 of 6 satisfied = 66.67%.
  it('ticket CSAT counts the unusable answer and leaves unanswered tickets out', () => {
    const m = json.metrics.tcsat;
    expect(m.value).toBeCloseTo(200 / 3, 10);
    expect(m.n).toBe(6);
    expect(m.exclusions['csat not a number']).toBe(1);
  });
});

describe('tickets: periods without data', () => {
  it('outside the ticket log (before August or after October) every measure is "no data", never 0 or NaN', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/tickets.csv': csv(HEADER, rows()) });
    const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    for (const period of ['2026-07', '2026-12']) {
      const results = computeMetrics(loaded.config, loaded.prepared, loaded.sources, period).results;
      for (const id of ['fr', 'res', 'sla', 'reopen', 'volume', 'tcsat']) {
        const r = results.get(id)!;
        expect(r.value).toBeNull();
        expect(r.ci).toBeNull();
        expect(JSON.stringify(r, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? 'BAD' : v))).not.toContain('BAD');
      }
    }
    // inside the log a month without tickets would count 0; November follows the data, so volume has no previous value
    const november = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2026-11').results.get('volume')!;
    expect(november.value).toBeNull();
    expect(november.previous).toMatchObject({ period: '2026-10', value: 10 });
    expect(november.delta).toBeNull();
  });
});

describe('tickets: exclusions', () => {
  it('counts each invalid row once, by reason, in its creation period', () => {
    const m = json.metrics.fr;
    expect(m.exclusions).toEqual({ 'first response before creation': 1, 'resolved before creation': 1, 'resolved before first response': 1, 'invalid resolved time': 1 });
    expect(m.excluded).toBe(4);
    expect(m.excludedAllPeriods['missing or invalid created time']).toBe(1);
    // every measure reports the same row exclusions; invalid rows never count towards volume
    expect(json.metrics.volume.value).toBe(10);
  });
  it('the metric section renders a chart and tables for the tickets', () => {
    expect(result.html).toContain('Support measures for tickets created in October 2026');
    expect(result.html).toContain('Ticket volume by channel');
  });
});

describe('tickets: config errors', () => {
  it('unknown column: located at the config key with a nearest-column hint', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('fr: { type: tickets, source: tickets, created: created_at', 'fr: { type: tickets, source: tickets, created: created_on'), 'data/tickets.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('metric "fr": column "created_on" not found in source "tickets" (data/tickets.csv)');
    // line 8 is the `fr:` metric; the value starts after "  fr: { type: tickets, source: tickets, created: " (49 characters)
    expect(`${error.location.file}:${error.location.line}:${error.location.column}`).toBe('cxreport.yaml:8:50');
    expect(error.hint).toMatch(/^did you mean `created_at`\?/);
  });
  it('source on_invalid: error stops at the first unusable row, located by file row and column', async () => {
    // data rows: A1 (1), September S1–S8 (2–9), October O1–O10 (10–19), X1 (20): reply an hour before creation.
    // The first unusable value is ticket O8's CSAT answer "x" (row 17); with that one fixed, X1 is next.
    const strict = CONFIG.replace('tickets: { type: csv, path: data/tickets.csv }', 'tickets: { type: csv, path: data/tickets.csv, on_invalid: error }');
    const failure = async (data: (string | number | null)[][]) => {
      const dir = makeProject({ 'cxreport.yaml': strict, 'data/tickets.csv': csv(HEADER, data) });
      return build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    };
    let error = await failure(rows());
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('"x" — csat not a number (valid: integers 1–5)');
    expect(error.location).toMatchObject({ file: 'data/tickets.csv', row: 18, field: 'csat' });
    expect(error.hint).toMatch(/on_invalid: error/);
    error = await failure(rows().map((r) => (r[0] === 'O8' ? [...r.slice(0, 7), 4] : r)));
    expect(error.message).toBe('"2026-10-12T09:00:00Z" — first response before creation');
    expect(error.location).toMatchObject({ file: 'data/tickets.csv', row: 21, field: 'first_response_at' });
  });
  it('per-priority SLA without a priority column is a located config error', async () => {
    const config = CONFIG.replace('sla: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, channel: channel, priority: priority,', 'sla: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, channel: channel,').replace('sla: { first_response_hours: 4,', 'sla: { first_response_hours: { urgent: 1, normal: 4 },');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/tickets.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toMatch(/sla.first_response_hours is given per priority/);
    expect(error.location.line).toBe(10);
  });
  it('per-priority SLA targets apply by priority (case-insensitive, default fallback)', async () => {
    // urgent tickets have a 1 h target, others 4 h (default). October ticket 2 (2 h reply) is urgent → misses;
    // of the 10 replies, tickets 1, 3, 4, 5 meet their target → 4/10.
    const data = rows().map((r) => (r[0] === 'O2' ? [r[0], r[1], 'URGENT', ...r.slice(3)] : r));
    const config = CONFIG.replace('sla: { first_response_hours: 4,', 'sla: { first_response_hours: { urgent: 1, default: 4 },');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/tickets.csv': csv(HEADER, data) });
    const r = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const m = JSON.parse(r.metrics).metrics.sla;
    expect(m.sla.firstResponse).toMatchObject({ count: 4, n: 10 });
    expect(m.value).toBeCloseTo(50, 10); // resolved tickets within both: 1, 3, 4, 5 of 8
  });
});

describe('tickets: helpers', () => {
  it('parses reopened flags without guessing', () => {
    expect([true, 'Yes', 'n', 1, 0, 'TRUE', '', null, 'maybe'].map(parseFlag)).toEqual([true, true, false, true, false, true, null, null, 'invalid']);
  });
});

describe('tickets: invariants over random data (property)', () => {
  const channels = ['chat', 'email', 'phone'];
  const arbTicket = fc.record({
    month: fc.constantFrom('2026-08', '2026-09', '2026-10'),
    day: fc.integer({ min: 1, max: 28 }),
    channel: fc.constantFrom(...channels, ''),
    fr: fc.option(fc.integer({ min: -5, max: 100 }), { nil: null }),
    res: fc.option(fc.integer({ min: -5, max: 400 }), { nil: null }),
    reopened: fc.constantFrom('yes', 'no', '', 'maybe'),
    csat: fc.constantFrom(1, 2, 3, 4, 5, 6, '', 'n/a'),
    badDate: fc.boolean(),
  });
  it('shares in [0, 100], breakdown n sums to the total, median inside its interval, exclusions counted exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbTicket, { minLength: 1, maxLength: 60 }), async (list) => {
        const data = list.map((t, i) => {
          const created = `${t.month}-${String(t.day).padStart(2, '0')}T10:00:00Z`;
          const row = ticket(`T${i}`, t.channel, created, t.fr, t.res, t.reopened, t.csat);
          if (t.badDate) row[3] = `${t.month}-${String(t.day).padStart(2, '0')}X`;
          return row;
        });
        data.push(ticket('anchor', 'chat', '2026-10-28T10:00:00Z', 1, 2, 'no', 5));
        const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('current: latest', 'current: "2026-10"'), 'data/tickets.csv': csv(HEADER, data) });
        const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
        const computed = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2026-10');
        const fr = computed.results.get('fr')!;
        // independent count of rows excluded in October
        let expected = 0;
        let undated = 0;
        for (const t of list) {
          if (t.badDate) {
            undated++;
            continue;
          }
          if (t.month !== '2026-10') continue;
          if ((t.fr !== null && t.fr < 0) || (t.res !== null && t.res < 0) || (t.fr !== null && t.res !== null && t.res < t.fr)) expected++;
        }
        expect(fr.excluded).toBe(expected);
        expect(fr.excludedAllPeriods['missing or invalid created time'] ?? 0).toBe(undated);
        for (const id of ['sla', 'reopen', 'tcsat']) {
          const r = computed.results.get(id)!;
          for (const p of r.series) if (p.value !== null) expect(p.value).toBeGreaterThanOrEqual(0), expect(p.value).toBeLessThanOrEqual(100);
          if (r.ci) expect(r.ci[0]).toBeLessThanOrEqual(r.value!), expect(r.ci[1]).toBeGreaterThanOrEqual(r.value!);
        }
        if (fr.ci) expect(fr.ci[0]).toBeLessThanOrEqual(fr.value!), expect(fr.ci[1]).toBeGreaterThanOrEqual(fr.value!);
        const x = fr.extra as any;
        if (x.firstResponse.median !== null) expect(x.firstResponse.p90).toBeGreaterThanOrEqual(x.firstResponse.median);
        const groups = fr.breakdowns.channel;
        expect(groups.reduce((a, g) => a + g.n, 0)).toBe(fr.n);
        const volume = computed.results.get('volume')!;
        expect(volume.breakdowns).toEqual({});
        expect((volume.extra as any).volumeByChannel.reduce((a: number, c: any) => a + c.count, 0)).toBe(volume.value);
        expect(JSON.stringify(volume.extra)).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 25 },
    );
  });
});

describeShared('tickets: real public support tickets (andkuster/customer-support-ticket)', () => {
  // 8,469 synthetic tickets with multi-line quoted text. "First Response Time" and "Time to Resolution" are
  // timestamps; the data set has no ticket-creation column, so "Date of Purchase" stands in for creation.
  // In about half the closed tickets the resolution precedes the first response: a data-quality case.
  const file = sharedFile('tickets', 'customer_support_tickets.csv');
  it('counts exactly the rows whose resolution precedes creation or first response, as a plain loop does', async () => {
    const config = `report:
  title: Tickets reference
  period: { granularity: year, current: latest }
sources:
  tickets: { type: csv, path: ${JSON.stringify(file)} }
metrics:
  tickets: { type: tickets, source: tickets, created: "Date of Purchase", first_response: "First Response Time", resolved: "Time to Resolution", channel: "Ticket Channel", priority: "Ticket Priority", csat: "Customer Satisfaction Rating", measure: resolution }
sections:
  - { type: metric, metric: tickets }
`;
    const dir = makeProject({ 'cxreport.yaml': config });
    const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const records = parse(readFileSync(file, 'utf8'), { columns: true, bom: true }) as Record<string, string>[];
    const ms = (s: string) => (s.trim() === '' ? null : Date.parse(`${s.trim().replace(' ', 'T')}Z`));
    let beforeFirst = 0;
    let beforeCreation = 0;
    let firstBeforeCreation = 0;
    let open = 0;
    for (const r of records) {
      const c = ms(r['Date of Purchase'])!;
      const f = ms(r['First Response Time']);
      const t = ms(r['Time to Resolution']);
      if (f !== null && f < c) firstBeforeCreation++;
      else if (t !== null && t < c) beforeCreation++;
      else if (t !== null && f !== null && t < f) beforeFirst++;
      else if (t === null) open++;
    }
    expect(records.length).toBe(8469);
    expect(beforeFirst).toBe(1365); // of the 2,769 closed tickets
    const all: Record<string, number> = {};
    const periods = new Set(records.map((r) => r['Date of Purchase'].slice(0, 4)));
    for (const year of [...periods].sort()) {
      const r = computeMetrics(loaded.config, loaded.prepared, loaded.sources, year).results.get('tickets')!;
      for (const [k, v] of Object.entries(r.exclusions)) all[k] = (all[k] ?? 0) + v;
      expect(r.excludedAllPeriods).toEqual({ 'resolved before first response': beforeFirst });
    }
    expect(all['resolved before first response']).toBe(beforeFirst);
    expect(all['resolved before creation'] ?? 0).toBe(beforeCreation);
    expect(all['first response before creation'] ?? 0).toBe(firstBeforeCreation);
    const last = computeMetrics(loaded.config, loaded.prepared, loaded.sources, [...periods].sort().at(-1)!).results.get('tickets')!;
    expect(JSON.stringify(last.extra)).not.toMatch(/NaN|Infinity/);
    // open tickets over all years equal the loop's count of valid rows with no resolution
    let openTotal = 0;
    for (const year of periods) openTotal += (computeMetrics(loaded.config, loaded.prepared, loaded.sources, year).results.get('tickets')!.extra as any).open;
    expect(openTotal).toBe(open);
  });
});


describe('tickets in Simplified Chinese (report.locale: zh-CN)', () => {
  let zh: BuildResult;
  let text: string;
  beforeAll(async () => {
    const config = CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/tickets.csv': csv(HEADER, rows()) });
    zh = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = metricSectionText(zh.html);
  });

  it('the message set has the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('methods, tests and default labels are Chinese; the numbers are unchanged', () => {
    const results = zh.computed.results;
    expect(results.get('fr')!.method).toMatch(/^首次响应时间的中位数，以小时计（首次客服回复 − 创建），统计有回复的工单；/);
    expect(results.get('fr')!.method).toContain('工单按创建时间归入期间。');
    expect(results.get('sla')!.method).toContain('（首次响应时限 4 小时；解决时限 48 小时）');
    expect(results.get('tcsat')!.method).toContain('1–5 分量表上回答为 4–5 分的比例');
    expect(results.get('volume')!.method).toMatch(/^工单量：本期创建的有效工单数，视为泊松计数。/);
    for (const r of results.values()) expect(r.method, r.id).not.toMatch(/[Tt]ickets|interval|Change|period/);
    const metrics = JSON.parse(zh.metrics).metrics;
    expect(metrics.fr).toMatchObject({ label: '首次响应时间（中位数）', test: 'Mood 中位数检验（对高于合并中位数的比例做双比例 z 检验）', value: json.metrics.fr.value, p: json.metrics.fr.p });
    expect(metrics.sla).toMatchObject({ label: 'SLA 达成率', test: '双比例 z 检验（合并比例）', value: json.metrics.sla.value });
    expect(metrics.volume).toMatchObject({ label: '工单量', test: '两个泊松计数的精确条件二项检验（按期间长度调整）', value: 10 });
  });

  it('the metric sections speak Chinese: titles, captions, axis, measures and channel tables', () => {
    expect(text).toContain('2026年10月首次响应时间（中位数）为 4 小时 30 分钟，上期为 7 小时，差异在随机波动范围内（');
    expect(text).toContain('按工单创建期间统计的首次响应时间中位数，纵轴为对数刻度（中位数与第 90 百分位数都清晰可读），含中位数的 95% 顺序统计量置信区间（带状）、第 90 百分位数（虚线）和 SLA 目标（细线）；2026年10月样本量 n = 10。数据来源：tickets。变化的检验方法见方法附录。');
    expect(text).toContain('各期首次响应时间（中位数）折线图：2026年8月 2 小时（p90 2 小时）');
    expect(text).toContain('2026年10月新建工单的客服指标 指标 数值 95% 置信区间 样本量 首次响应时间，中位数（p90） 4 小时 30 分钟（p90 ');
    expect(text).toContain('工单 CSAT（4–5 分）');
    expect(text).toContain('数据截止时未关闭 2');
    expect(text).toContain('未关闭工单不计入解决时间。');
    expect(text).toContain('2026年10月按渠道划分的工单量 渠道 工单数 占比 2026年9月 变化');
    expect(text).toContain('（未针对 3 个渠道做多重比较校正）');
    expect(text).toContain('2026年10月工单量为 10，上期为 8，差异在随机波动范围内（');
    const english = ['Support measures', 'tickets created', 'Tickets created', 'Ticket', 'Measure', 'Channel', 'Share', 'Change', 'Hours', 'Source:', 'median', 'Median', 'no data', 'Line chart', 'significant', 'Open at', 'Resolution', 'First response', 'Oct 2026', 'October', ' h ', ' min', ' up from', ' down from'];
    expect(english.filter((w) => text.includes(w))).toEqual([]);
  });
});
