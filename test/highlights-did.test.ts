/**
 * The highlights scan, the executive summary and the case study's difference-in-differences on
 * small hand-made projects: numbers against hand computations, the failed parallel-trends check
 * said in the narrative box, and untrusted values escaped wherever the new sections show them.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { csv, makeProject } from './project.js';

/** CES answers per month and group: EMEA gains a point a month before the programme (the pre-trends differ). */
const CES: Record<string, Record<string, number[]>> = {
  '2026-01': { EMEA: [2, 3, 3, 4], APAC: [4, 4, 5, 5] },
  '2026-02': { EMEA: [3, 4, 4, 5], APAC: [4, 4, 5, 5] },
  '2026-03': { EMEA: [4, 5, 5, 7], APAC: [4, 5, 4, 5] },
  '2026-04': { EMEA: [5, 6, 6, 7], APAC: [4, 5, 4, 5] },
  '2026-05': { EMEA: [5, 6, 6, 7], APAC: [4, 5, 4, 5] },
  '2026-06': { EMEA: [5, 6, 6, 7], APAC: [4, 5, 4, 5] },
};

const CASE_CONFIG = `report:
  title: DiD test
  period: { granularity: month, current: "2026-06" }
  min_sample: 2
sources:
  responses: { type: csv, path: data/responses.csv }
metrics:
  ces: { type: ces, source: responses, score: ces, date: submitted_at, scale: 7 }
sections:
  - type: case-study
    title: EMEA programme
    segment: { region: EMEA }
    metrics: [ces]
    before: { label: Before, from: "2026-01", to: "2026-03" }
    after: { label: After, from: "2026-04", to: "2026-06" }
    narrative: "**Situation.** EMEA answers were the hardest."
`;

function caseRows(): (string | number)[][] {
  const rows: (string | number)[][] = [];
  for (const [month, groups] of Object.entries(CES)) {
    for (const [region, scores] of Object.entries(groups)) scores.forEach((s, i) => rows.push([`${month}-${String(10 + i).padStart(2, '0')}`, region, s]));
  }
  return rows;
}

describe('case study: difference-in-differences and the parallel-trends check', () => {
  let result: BuildResult;
  let json: any;
  beforeAll(async () => {
    const dir = makeProject({ 'cxreport.yaml': CASE_CONFIG, 'data/responses.csv': csv(['submitted_at', 'region', 'ces'], caseRows()) });
    result = await build({ configPath: join(dir, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir });
    json = JSON.parse(result.metrics);
  }, 120_000);

  it('is the segment’s change minus the rest’s, with the four window errors in quadrature (hand computation)', () => {
    // EMEA before (12 answers): mean 49/12 = 4.083333, Σ(x − x̄)² = 18.916667, se² = 18.916667/11/12 = 0.143308
    // EMEA after: mean 6, Σ = 6, se² = 6/11/12 = 0.045455; rest before and after: mean 4.5, Σ = 3, se² = 0.022727 each
    // DiD = (6 − 4.083333) − (4.5 − 4.5) = 1.916667; se = √0.234217 = 0.483960; z = 3.960383; p = 2·(1 − Φ(z)) = 7.48e−5
    const m = json.caseStudies[0].metrics[0];
    expect(m.metric).toBe('ces');
    expect(m.segment.before.value).toBeCloseTo(4.083333, 5);
    expect(m.segment.before.se ** 2).toBeCloseTo(0.143308, 5);
    expect(m.segment.after.se ** 2).toBeCloseTo(0.045455, 5);
    expect(m.rest.before.se ** 2).toBeCloseTo(0.022727, 5);
    expect(m.did.estimate).toBeCloseTo(1.916667, 5);
    expect(m.did.se).toBeCloseTo(0.48396, 5);
    expect(m.did.z).toBeCloseTo(3.960383, 4);
    expect(m.did.p).toBeCloseTo(7.48e-5, 6);
    expect(m.did.ci[0]).toBeCloseTo(1.916667 - 1.959964 * 0.48396, 4);
  });

  it('checks the before window’s gap slope by OLS: 1.125 per month, t = 15.59 on 1 df, p = 0.0408 (fails)', () => {
    // monthly gap (EMEA − rest): 3 − 4.5 = −1.5, 4 − 4.5 = −0.5, 5.25 − 4.5 = 0.75 on x = 0, 1, 2:
    // Sxx = 2, Sxy = 2.25 → slope 1.125; residuals 0.041667, −0.083333, 0.041667, SSE = 0.0104167;
    // se = √(0.0104167 / 1 / 2) = 0.0721688; t = 15.588457; p on 1 df = 1 − (2/π)·atan(t) = 0.040771
    const pt = json.caseStudies[0].metrics[0].parallelTrends;
    expect(pt.periods).toBe(3);
    expect(pt.slopeSegment).toBeCloseTo(1.125, 10);
    expect(pt.slopeRest).toBeCloseTo(0, 10);
    expect(pt.slopeGap).toBeCloseTo(1.125, 10);
    expect(pt.se).toBeCloseTo(0.0721688, 6);
    expect(pt.t).toBeCloseTo(15.588457, 4);
    expect(pt.p).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(15.588457), 6);
    expect(pt.holds).toBe(false);
  });

  it('says the failed check plainly in the narrative box, and gives the DiD among the findings and in the table', () => {
    const section = result.html.slice(result.html.indexOf('data-section-type="case-study"'));
    const narrative = section.slice(section.indexOf('class="narrative"'), section.indexOf('class="findings"'));
    expect(narrative).toContain('Parallel-trends check failed for CES');
    expect(narrative).toContain('in the 3 months before April 2026, EMEA was already gaining on the rest of the company by 1.13 per month (p &#x3D; 0.04; slopes +1.13 vs ±0.00)');
    const findings = section.slice(section.indexOf('class="findings"'), section.indexOf('</ul>', section.indexOf('class="findings"')));
    expect(findings).toContain('Difference-in-differences for CES: EMEA’s change minus the rest of the company’s is +1.92 (95% CI 0.97 to 2.87; significant, p &lt; 0.001)');
    expect(section).toContain('Difference (EMEA − rest)');
  });
});

const SCAN_CONFIG = `report:
  title: Scan test
  period: { granularity: month, current: "2026-10" }
  min_sample: 5
sources:
  responses: { type: csv, path: data/responses.csv }
metrics:
  csat: { type: csat, source: responses, score: csat, date: submitted_at, scale: 5, target: 80 }
sections:
  - { type: summary, metrics: [csat] }
  - { type: highlights }
  - { type: breakdown, metric: csat, by: channel }
`;

const HOSTILE = '<img src=x onerror=alert(1)>';

describe('highlights and executive summary on a small project', () => {
  let result: BuildResult;
  let json: any;
  beforeAll(async () => {
    // 40 answers a month per channel; the hostile channel goes from 10 to 36 satisfied, "web" stays at 30
    const rows: (string | number)[][] = [];
    const add = (month: string, channel: string, satisfied: number) => {
      for (let i = 0; i < 40; i++) rows.push([`${month}-${String(1 + (i % 28)).padStart(2, '0')}`, channel, i < satisfied ? 5 : 2]);
    };
    add('2026-09', HOSTILE, 10);
    add('2026-09', 'web', 30);
    add('2026-10', HOSTILE, 36);
    add('2026-10', 'web', 30);
    const dir = makeProject({ 'cxreport.yaml': SCAN_CONFIG, 'data/responses.csv': csv(['submitted_at', 'channel', 'csat'], rows) });
    result = await build({ configPath: join(dir, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir });
    json = JSON.parse(result.metrics);
  }, 120_000);

  it('detects the channel column and tests the metric and both groups (3 tests, BH across them)', () => {
    const h = json.highlights;
    expect(h.rule).toBe('detected');
    expect(h.dimensions).toEqual({ csat: ['channel'] });
    expect(h.tests).toBe(3);
    // overall 40/80 → 66/80; the hostile channel 10/40 → 36/40; web 30/40 → 30/40 (p = 1)
    const hostile = h.items.find((i: any) => i.group === HOSTILE);
    expect(hostile.delta).toBeCloseTo(65, 10);
    const ps = h.items.map((i: any) => i.p);
    const sorted = [...ps].sort((a: number, b: number) => a - b);
    // BH by hand on three tests: p(1)·3, p(2)·3/2, p(3)
    const expected = [Math.min(sorted[0] * 3, sorted[1] * 1.5, sorted[2]), Math.min(sorted[1] * 1.5, sorted[2]), sorted[2]];
    for (const item of h.items) expect(item.pAdjusted).toBeCloseTo(expected[sorted.indexOf(item.p)], 12);
    expect(h.items.filter((i: any) => i.significant)).toHaveLength(2);
  });

  it('links each highlight to the section showing it and escapes the data’s values everywhere', () => {
    expect(result.html).not.toContain(HOSTILE);
    expect(result.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    const highlights = result.html.slice(result.html.indexOf('data-section-type="highlights"'), result.html.indexOf('data-section-type="breakdown"'));
    expect(highlights).toMatch(/CSAT for &lt;img src&#x3D;x onerror&#x3D;alert\(1\)&gt; \(channel\) rose 65\.0 pts to 90\.0%/);
    expect(highlights).toContain('(channel) rose 65.0 pts to 90.0% (95% CI 76.9 to 96.0%, n &#x3D; 40) from 25.0%; adjusted p &lt; 0.001. <a class="see" href="#breakdown-csat-channel">');
  });

  it('says below target on the card and in the summary when the value misses it', () => {
    // 66/80 = 82.5% ≥ 80: met; then the same project with a target of 90 misses it
    expect(json.metrics.csat.value).toBeCloseTo(82.5, 10);
    expect(result.html).not.toContain('class="kpi-below"');
    expect(result.html).toContain('Every metric with a target meets it.');
  });
});

describe('a missed target', () => {
  it('shows the below-target marker on the card and names the metric under "Below target"', async () => {
    const rows: (string | number)[][] = [];
    for (let i = 0; i < 60; i++) rows.push([`2026-09-${String(1 + (i % 28)).padStart(2, '0')}`, i % 2 ? 'web' : 'app', i < 40 ? 5 : 2]);
    for (let i = 0; i < 60; i++) rows.push([`2026-10-${String(1 + (i % 28)).padStart(2, '0')}`, i % 2 ? 'web' : 'app', i < 42 ? 5 : 2]);
    const dir = makeProject({ 'cxreport.yaml': SCAN_CONFIG.replace('target: 80', 'target: 90'), 'data/responses.csv': csv(['submitted_at', 'channel', 'csat'], rows) });
    const r = await build({ configPath: join(dir, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir });
    // 42/60 = 70.0%, Wilson 95% CI 57.5 to 80.1%: the whole interval is below 90%
    expect(r.html).toContain('<strong class="kpi-below">below target</strong>');
    expect(r.html).toContain('CSAT 70.0% vs target 90.0%: 20.0 pts short; the whole 95% interval (57.5 to 80.1%) is below target.');
  }, 120_000);
});

describe('the new sections’ messages', () => {
  it('have the same keys and placeholders in en and zh-CN', async () => {
    const { sameKeys } = await import('../src/kernel/i18n.js');
    for (const file of ['summary', 'highlights', 'highlight-text', 'case-study-did']) {
      const { MESSAGES } = await import(`../src/report/sections/${file}.messages.ts`);
      expect(sameKeys(MESSAGES), file).toEqual([]);
    }
  });
});
