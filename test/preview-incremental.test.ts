/**
 * The preview's incremental rebuild (app/incremental.ts): a YAML edit recomputes only the metrics
 * whose definition or needs it changed, and the page it serves is the page a fresh session builds
 * from the same files — byte for byte.
 */
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PreviewSession } from '../src/preview/session.js';
import { surveyProject } from './project.js';

const env = { SOURCE_DATE_EPOCH: '1790000000' };

describe('preview rebuilds keep what a change does not touch', () => {
  const dir = surveyProject();
  const config = join(dir, 'cxreport.yaml');
  const session = new PreviewSession('cxreport.yaml', env, dir);
  const edit = (from: string, to: string) => {
    const text = readFileSync(config, 'utf8');
    expect(text).toContain(from);
    writeFileSync(config, text.replace(from, to));
  };
  /** The page a session that never saw the earlier files builds. */
  const fresh = async () => {
    const other = new PreviewSession('cxreport.yaml', env, dir);
    await other.rebuild('full');
    return other.html;
  };

  it('prepares and computes every metric on the first build', async () => {
    const r = await session.rebuild('full');
    expect(r.ok).toBe(true);
    expect(r.prepared).toEqual(['nps', 'csat', 'ces']);
    expect(r.computed).toEqual(['nps', 'csat', 'ces']);
  });

  it('a breakdown edit recomputes only its metric', async () => {
    edit('{ type: breakdown, metric: csat, by: channel }', '{ type: breakdown, metric: csat, by: region }');
    const r = await session.rebuild('full');
    expect(r.prepared).toEqual(['csat']);
    expect(r.computed).toEqual(['csat']);
    expect(session.html).toContain('by region');
    expect(session.html).toBe(await fresh());
  });

  it('a text or title edit recomputes nothing', async () => {
    edit('title: Test report', 'title: Renamed report');
    edit('We changed *onboarding*.', 'We changed *billing*.');
    const r = await session.rebuild('full');
    expect(r).toMatchObject({ ok: true, prepared: [], computed: [] });
    expect(session.html).toContain('Renamed report');
    expect(session.html).toBe(await fresh());
  });

  it('a trend over more periods recomputes its metric only', async () => {
    edit('{ type: trend, metric: nps, periods: 3 }', '{ type: trend, metric: nps, periods: 6 }');
    const r = await session.rebuild('full');
    expect(r.prepared).toEqual(['nps']);
    expect(r.computed).toEqual(['nps']);
    expect(session.html).toBe(await fresh());
  });

  it('a report setting every metric reads recomputes all of them', async () => {
    edit('min_sample: 5', 'min_sample: 4');
    const r = await session.rebuild('full');
    expect(r.computed).toEqual(['nps', 'csat', 'ces']);
    expect(session.html).toBe(await fresh());
  });

  it('the highlights scan ranks kept and recomputed results together', async () => {
    edit('sections:\n', 'sections:\n  - { type: highlights }\n');
    await session.rebuild('full');
    expect(session.html).toContain('data-section-type="highlights"');
    expect(session.html).toBe(await fresh());
    edit('{ type: breakdown, metric: csat, by: region }', '{ type: breakdown, metric: csat, by: channel }');
    const r = await session.rebuild('full');
    expect(r.computed).toEqual(['csat']);
    expect(session.html).toBe(await fresh());
  });

  it('a data change prepares every metric again', async () => {
    appendFileSync(join(dir, 'data', 'responses.csv'), '99,2026-10-25T09:00:00Z,email,EMEA,10,5,7,Late answer\n');
    const r = await session.rebuild('data');
    expect(r.prepared).toEqual(['nps', 'csat', 'ces']);
    expect(session.html).toBe(await fresh());
  });
});
