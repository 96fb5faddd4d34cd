/**
 * Snapshot data: `report.period.granularity: all` (one period over all data), churn's flag form
 * (`churned`, `churned_value`) and survival's durations form (`duration`, `event`, `event_value`:
 * R's Surv(time, status)), through the real pipeline. The real files are read exactly as
 * published (../shared/data, skipped where absent) and checked against independent published
 * values — IBM Telco churn shares, R survival's printouts for `lung` and `aml` — and against
 * product-limit and log-rank computations written out here from the raw rows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { CxError, CxErrors } from '../src/kernel/errors.js';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { npsChangeTest, npsEstimate, twoProportionZTest, wilsonInterval } from '../src/kernel/stats.js';
import { MESSAGES as FLAG_MESSAGES } from '../src/metrics/churn/messages.js';
import { sameKeys } from '../src/kernel/i18n.js';
import { csv, makeProject } from './project.js';
import { describeShared, sharedFile } from './shared-data.js';

/** Builds a config (files relative to a temp folder) and returns the result and parsed metrics.json. */
async function buildProject(config: string, files: Record<string, string> = {}, period?: string): Promise<{ r: BuildResult; json: any }> {
  const dir = makeProject({ 'cxreport.yaml': config, ...files });
  const r = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir, period });
  return { r, json: JSON.parse(r.metrics) };
}

/** The error a build fails with (a CxErrors' first error). */
async function failure(config: string, files: Record<string, string> = {}, period?: string): Promise<CxError> {
  try {
    await buildProject(config, files, period);
  } catch (error) {
    if (error instanceof CxErrors) return error.errors[0];
    if (error instanceof CxError) return error;
    throw error;
  }
  throw new Error('the build did not fail');
}

/** Ŝ(t) of (time, event) pairs, written out: Π over event times u ≤ t of (1 − d_u/n_u), n_u = rows with time ≥ u. */
function productLimit(rows: { time: number; event: boolean }[], t: number): number {
  const times = [...new Set(rows.filter((r) => r.event).map((r) => r.time))].sort((a, b) => a - b);
  let s = 1;
  for (const u of times) {
    if (u > t) break;
    const n = rows.filter((r) => r.time >= u).length;
    const d = rows.filter((r) => r.time === u && r.event).length;
    s *= 1 - d / n;
  }
  return s;
}

/** Greenwood's se of Ŝ(t), written out: Ŝ(t)·√Σ d/(n(n − d)). */
function greenwoodSe(rows: { time: number; event: boolean }[], t: number): number {
  const times = [...new Set(rows.filter((r) => r.event).map((r) => r.time))].sort((a, b) => a - b);
  let sum = 0;
  for (const u of times) {
    if (u > t) break;
    const n = rows.filter((r) => r.time >= u).length;
    const d = rows.filter((r) => r.time === u && r.event).length;
    sum += d / (n * (n - d));
  }
  return productLimit(rows, t) * Math.sqrt(sum);
}

/** Ŝ at t read off a metrics.json curve (percent rows, one per event time), as a share. */
function curveAt(curve: { time: number; survival: number }[], t: number): number {
  let s = 100;
  for (const row of curve) if (row.time <= t) s = row.survival;
  return s / 100;
}

// ---------------------------------------------------------------------------------------------
// IBM Telco: churn from the `Churn` flag, survival from `tenure`
// ---------------------------------------------------------------------------------------------

describeShared('IBM Telco as published, granularity all: churn flag and tenure survival', () => {
  type Row = { customerID: string; tenure: string; Contract: string; Churn: string };
  let telco: Row[];
  let json: any;
  let html: string;

  beforeAll(async () => {
    const path = sharedFile('telco', 'IBM_Telco-Customer-Churn.csv');
    telco = parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];
    const built = await buildProject(`report:
  title: Telco
  period: { granularity: all }
sources:
  telco: { type: csv, path: ${JSON.stringify(path)} }
metrics:
  churn: { type: churn, source: telco, churned: Churn, churned_value: "Yes", id: customerID }
  retention: { type: retention, source: telco, churned: Churn, churned_value: "Yes" }
  survival: { type: survival, source: telco, duration: tenure, unit: months, event: Churn, event_value: "Yes", horizon: 12, by: Contract }
sections:
  - { type: kpis, metrics: [churn, survival] }
  - { type: breakdown, metric: churn, by: Contract }
  - { type: breakdown, metric: survival, by: Contract }
  - { type: metric, metric: survival }
`);
    json = built.json;
    html = built.r.html;
  });

  it('one period "all" with no previous period', () => {
    expect(json.period).toBe('all');
    expect(json.previousPeriod).toBeNull();
    for (const id of ['churn', 'retention', 'survival']) {
      expect(json.metrics[id]).toMatchObject({ previous: null, delta: null, statistic: null, p: null, significant: false });
      expect(json.metrics[id].series.map((s: any) => s.period)).toEqual(['all']);
    }
  });

  it('overall churn 26.54% of n = 7,043 (1,869 churned), with the Wilson interval', () => {
    const c = json.metrics.churn;
    expect(c.n).toBe(7043);
    expect(c.churned).toBe(1869);
    expect(c.value.toFixed(2)).toBe('26.54');
    const [lo, hi] = wilsonInterval(1869, 7043);
    expect(c.ci[0]).toBeCloseTo(100 * lo, 10);
    expect(c.ci[1]).toBeCloseTo(100 * hi, 10);
    expect(c.excluded).toBe(0);
    // retention is the complement
    expect(json.metrics.retention.value).toBeCloseTo(100 - c.value, 10);
  });

  it('churn by Contract: Month-to-month 42.71%, One year 11.27%, Two year 2.83%; each tested against the rest, BH-adjusted', () => {
    const groups = json.metrics.churn.breakdowns.Contract;
    const share = (g: string) => groups.find((x: any) => x.group === g);
    expect(share('Month-to-month').value.toFixed(2)).toBe('42.71');
    expect(share('One year').value.toFixed(2)).toBe('11.27');
    expect(share('Two year').value.toFixed(2)).toBe('2.83');
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(7043);
    // the group against every other customer: pooled two-proportion z-test, counts recounted from the raw rows
    for (const g of groups) {
      const mine = telco.filter((r) => r.Contract === g.group);
      const rest = telco.filter((r) => r.Contract !== g.group);
      const x = mine.filter((r) => r.Churn === 'Yes').length;
      const xr = rest.filter((r) => r.Churn === 'Yes').length;
      expect(g.previous).toBeNull();
      expect(g.rest.n).toBe(rest.length);
      expect(g.rest.value).toBeCloseTo((100 * xr) / rest.length, 10);
      expect(g.delta).toBeCloseTo((100 * x) / mine.length - (100 * xr) / rest.length, 10);
      expect(g.p).toBeCloseTo(twoProportionZTest(xr, rest.length, x, mine.length).p, 12);
      expect(g.pAdjusted).toBeGreaterThanOrEqual(g.p);
      expect(g.significant).toBe(true);
    }
  });

  it('Kaplan–Meier Ŝ(12 months) = 0.8432 from tenure with Churn = Yes as the event, = the product-limit loop', () => {
    const s = json.metrics.survival;
    const rows = telco.map((r) => ({ time: Number(r.tenure), event: r.Churn === 'Yes' }));
    expect((s.value / 100).toFixed(4)).toBe('0.8432');
    expect(s.value / 100).toBeCloseTo(productLimit(rows, 12), 12);
    expect(s.n).toBe(7043);
    expect(s.events).toBe(1869);
    for (const t of [1, 6, 24, 48, 72]) expect(curveAt(s.curve, t)).toBeCloseTo(productLimit(rows, t), 12);
    // per contract, and the log-rank test across contracts (2 df)
    for (const seg of s.segments) expect(seg.value / 100).toBeCloseTo(productLimit(rows.filter((_, i) => telco[i].Contract === seg.group), 12), 12);
    expect(s.logRank.df).toBe(2);
    expect(s.logRank.p).toBeLessThan(1e-10);
  });

  it('survival breakdown groups are compared with the other customers by the log-rank test', () => {
    const groups = json.metrics.survival.breakdowns.Contract;
    expect(groups).toHaveLength(3);
    for (const g of groups) {
      expect(g.previous).toBeNull();
      expect(g.rest.n).toBe(7043 - g.n);
      expect(g.p).toBeLessThan(0.001);
      expect(g.significant).toBe(true);
    }
  });

  it('the HTML says "All data" and has no change line or change sentence', () => {
    expect(html).toContain('All data');
    expect(html).not.toContain('class="kpi-delta');
    expect(html).not.toContain('What changed');
    expect(html).not.toMatch(/changed significantly|\brose\b|\bfell\b|since —/);
    expect(html).toContain('Difference from the rest');
  });
});

// ---------------------------------------------------------------------------------------------
// R survival's lung: summary(survfit(Surv(time, status) ~ 1, data = lung))
// ---------------------------------------------------------------------------------------------

describeShared('R lung as published: the survfit summary from durations', () => {
  let rows: { time: number; event: boolean }[];
  let result: any;

  beforeAll(async () => {
    const path = sharedFile('survival', 'lifelines_lung.csv');
    const raw = parse(readFileSync(path, 'utf8'), { columns: true }) as { time: string; status: string }[];
    rows = raw.map((r) => ({ time: Number(r.time), event: r.status === '1' }));
    const built = await buildProject(`report:
  title: lung
  period: { granularity: all }
sources:
  lung: { type: csv, path: ${JSON.stringify(path)} }
metrics:
  lung: { type: survival, source: lung, duration: time, unit: days, event: status, event_value: 1, horizon: 365 }
sections:
  - { type: metric, metric: lung }
`);
    result = built.json.metrics.lung;
  });

  it('this copy codes death as 1 and censoring as 0 (R: 2 and 1): 165 deaths, 63 censored, as R counts', () => {
    const raw = parse(readFileSync(sharedFile('survival', 'lifelines_lung.csv'), 'utf8'), { columns: true }) as { status: string }[];
    expect(raw.filter((r) => r.status === '1')).toHaveLength(165);
    expect(raw.filter((r) => r.status === '0')).toHaveLength(63);
    expect(raw).toHaveLength(228);
    expect(result.n).toBe(228);
    expect(result.events).toBe(165);
    expect(result.censored).toBe(63);
  });

  it('Ŝ(t) as R prints it (4 decimals), and = the product-limit loop over the raw times', () => {
    // R: summary(survfit(Surv(time, status) ~ 1, data = lung)) — time, survival (76 is between event times: Ŝ(71))
    const R: [number, number][] = [
      [5, 0.9956], [11, 0.9825], [12, 0.9781], [13, 0.9693], [15, 0.9649], [26, 0.9605], [30, 0.9561], [31, 0.9518],
      [53, 0.943], [54, 0.9386], [59, 0.9342], [60, 0.9254], [61, 0.9211], [62, 0.9167], [65, 0.9079], [71, 0.9035],
      [76, 0.9035], [79, 0.8991], [81, 0.8904], [88, 0.8816],
    ];
    for (const [t, s] of R) {
      expect(curveAt(result.curve, t).toFixed(4), `t = ${t}`).toBe(s.toFixed(4));
      expect(curveAt(result.curve, t)).toBeCloseTo(productLimit(rows, t), 12);
    }
    // later times, against the loop, and Greenwood's se (R's std.err: 0.00438 at t = 5)
    for (const t of [100, 200, 310, 365, 500, 700, 1022]) expect(curveAt(result.curve, t)).toBeCloseTo(productLimit(rows, t), 12);
    expect(result.curve[0]).toMatchObject({ time: 5, atRisk: 228, events: 1 });
    expect(greenwoodSe(rows, 5).toFixed(5)).toBe('0.00438'); // R's std.err at t = 5
    // the 95% band (log scale) as R prints it, and from Greenwood's se written out: Ŝ·exp(∓1.96·se/Ŝ)
    const band: [number, number, number][] = [[5, 0.9871, 1], [11, 0.9656, 1], [12, 0.9592, 0.997], [13, 0.9472, 0.992], [15, 0.9413, 0.989], [26, 0.9356, 0.986]];
    for (const [t, lower, upper] of band) {
      const step = result.curve.find((c: any) => c.time === t);
      expect((step.lower / 100).toFixed(4)).toBe(lower.toFixed(4));
      expect((step.upper / 100).toFixed(3)).toBe(upper.toFixed(3));
      const s = productLimit(rows, t);
      expect(step.lower / 100).toBeCloseTo(s * Math.exp((-1.959964 * greenwoodSe(rows, t)) / s), 6);
    }
    expect(result.value / 100).toBeCloseTo(productLimit(rows, 365), 12);
  });

  it('median survival 310 days, 95% CI 285 to 363 (print(survfit))', () => {
    expect(result.median).toEqual({ median: 310, lower: 285, upper: 363 });
    // the median is the first time Ŝ ≤ 0.5
    const times = [...new Set(rows.filter((r) => r.event).map((r) => r.time))].sort((a, b) => a - b);
    expect(times.find((t) => productLimit(rows, t) <= 0.5)).toBe(310);
  });
});

// ---------------------------------------------------------------------------------------------
// R survival's aml: survfit(Surv(time, status) ~ x, data = aml) and survdiff
// ---------------------------------------------------------------------------------------------

describeShared('R aml as published: survfit by group and survdiff from durations', () => {
  let rows: { time: number; event: boolean; x: string }[];
  let result: any;

  beforeAll(async () => {
    const path = sharedFile('survival', 'aml_from_R_survival_printout.csv');
    rows = (parse(readFileSync(path, 'utf8'), { columns: true }) as { time: string; status: string; x: string }[]).map((r) => ({ time: Number(r.time), event: r.status === '1', x: r.x }));
    const built = await buildProject(`report:
  title: aml
  period: { granularity: all }
  min_sample: 5
sources:
  aml: { type: csv, path: ${JSON.stringify(path)} }
metrics:
  aml: { type: survival, source: aml, duration: time, unit: weeks, event: status, event_value: 1, horizon: 23, by: x }
sections:
  - { type: metric, metric: aml }
`);
    result = built.json.metrics.aml;
  });

  it('Maintained: 9 → 0.909, 13 → 0.818, 18 → 0.716, 23 → 0.614, 31 → 0.491, 34 → 0.368, 48 → 0.184; median 31 (18, NA)', () => {
    const m = result.segments.find((s: any) => s.group === 'Maintained');
    const R = [[9, 0.909], [13, 0.818], [18, 0.716], [23, 0.614], [31, 0.491], [34, 0.368], [48, 0.184]];
    expect(m.curve.map((c: any) => c.time)).toEqual(R.map(([t]) => t));
    for (const [t, s] of R) {
      expect(curveAt(m.curve, t).toFixed(3)).toBe(s.toFixed(3));
      expect(curveAt(m.curve, t)).toBeCloseTo(productLimit(rows.filter((r) => r.x === 'Maintained'), t), 12);
    }
    expect(m.median).toEqual({ median: 31, lower: 18, upper: null });
  });

  it('Nonmaintained: R prints 5 → 0.833, 8 → 0.667, 12 → 0.583, 23 → 0.486, 27 → 0.389, 30 → 0.292, 33 → 0.194, 43 → 0.097, 45 → 0', () => {
    // (a censoring at 16 weeks leaves 6 at risk at 23: 0.583 × 5/6 = 0.486, not 0.389)
    const m = result.segments.find((s: any) => s.group === 'Nonmaintained');
    const R = [[5, 0.833], [8, 0.667], [12, 0.583], [23, 0.486], [27, 0.389], [30, 0.292], [33, 0.194], [43, 0.097], [45, 0]];
    expect(m.curve.map((c: any) => c.time)).toEqual(R.map(([t]) => t));
    for (const [t, s] of R) {
      expect(curveAt(m.curve, t).toFixed(3)).toBe(s.toFixed(3));
      expect(curveAt(m.curve, t)).toBeCloseTo(productLimit(rows.filter((r) => r.x === 'Nonmaintained'), t), 12);
    }
    expect(m.median).toEqual({ median: 23, lower: 8, upper: null });
  });

  it('survdiff: Chisq = 3.4 on 1 df, p = 0.07 (O 7 / E 10.69, O 11 / E 7.31)', () => {
    const lr = result.logRank;
    expect(lr.df).toBe(1);
    expect(lr.statistic.toFixed(1)).toBe('3.4');
    expect(lr.p.toFixed(2)).toBe('0.07');
    expect(lr.groups.map((g: any) => [g.group, g.observed, g.expected.toFixed(2)])).toEqual([
      ['Maintained', 7, '10.69'],
      ['Nonmaintained', 11, '7.31'],
    ]);
    expect(result.n).toBe(23);
    expect(result.events).toBe(18);
  });
});

describeShared('lifelines waltons as published: T and E per group = the product-limit loop', () => {
  it('every event time of both groups', async () => {
    const path = sharedFile('survival', 'lifelines_waltons_dataset.csv');
    const rows = (parse(readFileSync(path, 'utf8'), { columns: true }) as { T: string; E: string; group: string }[]).map((r) => ({ time: Number(r.T), event: r.E === '1', group: r.group }));
    const { json } = await buildProject(`report:
  title: waltons
  period: { granularity: all }
sources:
  w: { type: csv, path: ${JSON.stringify(path)} }
metrics:
  w: { type: survival, source: w, duration: T, event: E, event_value: 1, horizon: 30, by: group }
sections:
  - { type: metric, metric: w }
`);
    const w = json.metrics.w;
    expect(w.n).toBe(rows.length);
    expect(w.segments.map((s: any) => s.group).sort()).toEqual([...new Set(rows.map((r) => r.group))].sort());
    for (const seg of w.segments) {
      const mine = rows.filter((r) => r.group === seg.group);
      expect(seg.n).toBe(mine.length);
      for (const step of seg.curve) expect(step.survival / 100).toBeCloseTo(productLimit(mine, step.time), 12);
    }
  });
});

describeShared('Amazon Alexa reviews as published, granularity all: no date needed', () => {
  it('all 3,150 reviews count although their dates (31-Jul-18) are not ISO 8601: mean 4.463', async () => {
    const path = sharedFile('reviews', 'amazon_alexa.tsv');
    const { json } = await buildProject(`report:
  title: Alexa
  period: { granularity: all }
sources:
  alexa: { type: csv, path: ${JSON.stringify(path)}, delimiter: "\\t" }
metrics:
  stars: { type: reviews, source: alexa, rating: rating }
sections:
  - { type: kpis, metrics: [stars] }
`);
    expect(json.metrics.stars.n).toBe(3150);
    expect(json.metrics.stars.value.toFixed(3)).toBe('4.463');
    expect(json.metrics.stars.excluded).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Worked fixtures (no shared data needed)
// ---------------------------------------------------------------------------------------------

/** 12 answers: 4 without a date, 1 with an invalid date, 1 with an invalid score. */
const SURVEY = csv(
  ['id', 'submitted_at', 'channel', 'nps_score', 'csat'],
  [
    [1, '2026-01-05', 'email', 10, 5],
    [2, '2026-02-05', 'email', 9, 4],
    [3, '2026-03-05', 'email', 9, 5],
    [4, null, 'email', 8, 3],
    [5, null, 'phone', 3, 2],
    [6, 'someday', 'phone', 6, 1],
    [7, '2026-03-05', 'phone', 0, 2],
    [8, null, 'phone', 10, 5],
    [9, '2026-04-05', 'chat', 10, 4],
    [10, null, 'chat', 9, 5],
    [11, '2026-04-06', 'chat', 7, 4],
    [12, '2026-04-07', 'chat', 'abc', 4],
  ],
);

const SURVEY_CONFIG = `report:
  title: Survey snapshot
  period: { granularity: all }
  min_sample: 2
sources:
  responses: { type: csv, path: data/responses.csv }
metrics:
  nps: { type: nps, source: responses, score: nps_score }
  csat: { type: csat, source: responses, score: csat, date: submitted_at }
sections:
  - { type: kpis, metrics: [nps, csat] }
  - { type: trend, metric: nps }
  - { type: breakdown, metric: nps, by: channel }
  - { type: distribution, metric: nps }
`;

describe('score metrics with granularity all', () => {
  let json: any;
  let html: string;
  beforeAll(async () => {
    const built = await buildProject(SURVEY_CONFIG, { 'data/responses.csv': SURVEY });
    json = built.json;
    html = built.r.html;
  });

  it('every answer counts, dated or not (no `date:` on nps; csat keeps the undated and invalid-date rows)', () => {
    // nps: 11 valid scores (row 12 "abc" excluded); promoters 1,2,3,8,9,10 = 6, detractors 5,6,7 = 3
    expect(json.metrics.nps.n).toBe(11);
    expect(json.metrics.nps.value).toBeCloseTo(npsEstimate(6, 2, 3).value, 12);
    expect(json.metrics.nps.exclusions).toEqual({ 'not a number': 1 });
    expect(json.metrics.csat.n).toBe(12);
    expect(json.metrics.csat.exclusions).toEqual({});
  });

  it('no previous period, no change; the series is the one period', () => {
    expect(json.previousPeriod).toBeNull();
    expect(json.metrics.nps).toMatchObject({ previous: null, delta: null, p: null, statistic: null, significant: false });
    expect(json.metrics.nps.series).toEqual([expect.objectContaining({ period: 'all', n: 11 })]);
  });

  it('a breakdown group is tested against the rest of the answers (NPS z-test), BH-adjusted', () => {
    const groups = json.metrics.nps.breakdowns.channel;
    const phone = groups.find((g: any) => g.group === 'phone');
    // phone: 3, 6, 0, 10 → 1 promoter, 3 detractors; rest: 10, 9, 9, 8, 10, 9, 7 → 5 promoters, 2 passives, 0 detractors
    const mine = npsEstimate(1, 0, 3);
    const rest = npsEstimate(5, 2, 0);
    expect(phone.value).toBeCloseTo(mine.value, 12);
    expect(phone.rest).toEqual({ value: expect.closeTo(rest.value, 10), n: 7 });
    expect(phone.delta).toBeCloseTo(mine.value - rest.value, 10);
    expect(phone.p).toBeCloseTo(npsChangeTest({ value: rest.value, se: rest.se }, { value: mine.value, se: mine.se }).p, 12);
    expect(groups.every((g: any) => g.pAdjusted !== null && g.previous === null)).toBe(true);
  });

  it('the report: "All data", the value sentence in place of a trend chart, no change line', () => {
    expect(html).toContain('All data');
    expect(html).toContain('there is no trend to chart');
    expect(html).toContain('Headline values');
    expect(html).not.toContain('class="kpi-delta');
    expect(html).not.toContain('What changed');
    expect(html).not.toMatch(/changed significantly|compared with/);
    expect(html).toContain('Difference from the rest');
  });

  it('--period all works; any other key is a usage error', async () => {
    expect((await buildProject(SURVEY_CONFIG, { 'data/responses.csv': SURVEY }, 'all')).json.period).toBe('all');
    const error = await failure(SURVEY_CONFIG, { 'data/responses.csv': SURVEY }, '2026-04');
    expect(error.kind).toBe('usage');
    expect(error.hint).toContain('--period all');
  });

  it('zh-CN labels the period 全部数据', async () => {
    const { r } = await buildProject(SURVEY_CONFIG.replace('  min_sample: 2\n', '  min_sample: 2\n  locale: zh-CN\n'), { 'data/responses.csv': SURVEY });
    expect(r.model.period.label).toBe('全部数据');
    expect(r.html).toContain('全部数据');
  });
});

describe('tickets with granularity all', () => {
  // created, first response (hours after), resolved (hours after; null = open), channel, csat
  const spec: [string | null, number, number | null, string, number | null][] = [
    ['2026-01-01T00:00:00Z', 1, 5, 'email', 5],
    ['2026-02-01T00:00:00Z', 2, 10, 'email', 4],
    ['2026-03-01T00:00:00Z', 4, null, 'chat', null],
    ['2026-04-01T00:00:00Z', 3, 8, 'chat', 2],
    [null, 0, 0, 'chat', 5], // no creation time: counted, durations unknown (resolved)
    ['not a date', 0, null, 'email', 1], // invalid creation time: counted, open
  ];
  const iso = (created: string | null, hours: number | null) => (hours === null || created === null || !/^\d/.test(created) ? (hours === null ? null : '2026-05-01T00:00:00Z') : new Date(Date.parse(created) + hours * 3_600_000).toISOString());
  const TICKETS = csv(['id', 'created', 'first_reply', 'resolved', 'channel', 'csat'], spec.map(([c, f, r, ch, s], i) => [`T${i + 1}`, c, iso(c, f), iso(c, r), ch, s]));
  const config = (measure: string) => `report:
  title: Tickets
  period: { granularity: all }
  min_sample: 1
sources:
  tickets: { type: csv, path: data/tickets.csv }
metrics:
  m: { type: tickets, source: tickets, measure: ${measure}, created: created, first_response: first_reply, resolved: resolved, channel: channel, csat: csat }
sections:
  - { type: metric, metric: m }
  - { type: breakdown, metric: m, by: channel }
`;

  it('volume counts every ticket, with or without a creation time; open tickets too', async () => {
    const { json } = await buildProject(config('volume'), { 'data/tickets.csv': TICKETS });
    const m = json.metrics.m;
    expect(m.value).toBe(6);
    expect(m.open).toBe(2);
    expect(m.volume).toMatchObject({ count: 6, previous: null, delta: null, p: null });
    expect(m.volumeByChannel.map((c: any) => [c.channel, c.count, c.previous])).toEqual([['chat', 3, null], ['email', 3, null]]);
    expect(m).toMatchObject({ previous: null, delta: null, p: null, significant: false });
  });

  it('first response: median over the dated tickets only; the undated ones counted as left out', async () => {
    const { json } = await buildProject(config('first_response'), { 'data/tickets.csv': TICKETS });
    const m = json.metrics.m;
    expect(m.n).toBe(4);
    expect(m.value).toBe(2.5); // median of 1, 2, 3, 4 hours
    expect(m.exclusions).toEqual({ 'missing or invalid created time': 2 });
    expect(m.breakdowns.channel.map((g: any) => [g.group, g.n, g.rest?.n ?? null])).toEqual([['chat', 2, 2], ['email', 2, 2]]);
  });

  it('ticket CSAT counts the answers of undated tickets', async () => {
    const { json } = await buildProject(config('csat'), { 'data/tickets.csv': TICKETS });
    // answers 5, 4, 2, 5, 1: satisfied (4–5) 3 of 5
    expect(json.metrics.m.n).toBe(5);
    expect(json.metrics.m.value).toBeCloseTo(60, 10);
  });
});

describe('flag and durations forms with calendar periods (a date column)', () => {
  const ROWS = csv(
    ['id', 'signup', 'months', 'left', 'plan'],
    [
      ['a', '2026-01-10', 3, 'Yes', 'A'],
      ['b', '2026-01-20', 5, 'No', 'B'],
      ['c', '2026-01-25', 2, 'Yes', 'A'],
      ['d', '2026-02-03', 1, 'yes', 'A'],
      ['e', '2026-02-10', 4, 'No', 'B'],
      ['f', '2026-02-11', 6, 'No', 'B'],
      ['g', '2026-02-12', 2, 'No', 'A'],
      ['h', null, 2, 'Yes', 'A'], // no date: excluded with calendar periods
      ['i', '2026-02-13', 3, null, 'B'], // no flag: excluded
    ],
  );
  const CONFIG = `report:
  title: Monthly
  period: { granularity: month }
  min_sample: 1
sources:
  c: { type: csv, path: data/c.csv }
metrics:
  churn: { type: churn, source: c, churned: left, churned_value: "Yes", date: signup }
  surv: { type: survival, source: c, duration: months, unit: months, event: left, event_value: "Yes", date: signup, horizon: 2 }
sections:
  - { type: kpis, metrics: [churn, surv] }
  - { type: breakdown, metric: churn, by: plan }
`;

  it('churn per period of the date, compared with the previous period by the pooled z-test', async () => {
    const { json } = await buildProject(CONFIG, { 'data/c.csv': ROWS });
    expect(json.period).toBe('2026-02');
    const c = json.metrics.churn;
    // February: d (yes, case-insensitive) of d, e, f, g = 1/4; January: a, c of a, b, c = 2/3
    expect(c.n).toBe(4);
    expect(c.value).toBeCloseTo(25, 10);
    expect(c.previous).toMatchObject({ period: '2026-01', value: expect.closeTo(200 / 3, 10), n: 3 });
    expect(c.p).toBeCloseTo(twoProportionZTest(2, 3, 1, 4).p, 12);
    expect(c.series.map((s: any) => s.period)).toEqual(['2026-01', '2026-02']);
    expect(c.excludedAllPeriods).toEqual({ 'missing churned flag': 1, 'missing or invalid date': 1 });
    expect(c.exclusions).toEqual({ 'missing churned flag': 1 });
    expect(c.breakdowns.plan.find((g: any) => g.group === 'A')).toMatchObject({ n: 2, value: 50, previous: { period: '2026-01', value: 100, n: 2 } });
  });

  it('survival per period from that period’s rows; the change by the log-rank test of the two periods', async () => {
    const { json } = await buildProject(CONFIG, { 'data/c.csv': ROWS });
    const s = json.metrics.surv;
    // February: d event at 1, g censored at 2, e 4, f 6 → Ŝ(2) = 3/4
    expect(s.n).toBe(4);
    expect(s.value).toBeCloseTo(75, 10);
    // January: c event at 2, a event at 3, b censored at 5 → Ŝ(2) = 2/3
    expect(s.previous.value).toBeCloseTo(200 / 3, 10);
    expect(s.p).not.toBeNull();
    expect(s.test).toMatch(/log-rank/);
    expect(s.excludedAllPeriods).toEqual({ 'missing event': 1, 'missing or invalid date': 1 });
  });
});

describe('config errors of the new forms and of granularity all', () => {
  const TELCO_LIKE = csv(['customerID', 'tenure', 'Churn', 'Contract'], [['a', 3, 'Yes', 'One year'], ['b', 10, 'No', 'Two year'], ['c', 0, 'No', 'One year']]);
  const config = (metric: string, granularity = 'all') => `report:
  title: Errors
  period: { granularity: ${granularity} }
sources:
  t: { type: csv, path: data/t.csv }
metrics:
  m: ${metric}
sections:
  - { type: markdown, text: "x" }
`;
  const run = (metric: string, granularity?: string) => failure(config(metric, granularity), { 'data/t.csv': TELCO_LIKE });

  it('mixing the durations and date forms', async () => {
    const metric = '{ type: survival, source: t, duration: tenure, start: tenure, event: Churn, event_value: "Yes" }';
    const e = await run(metric);
    expect(e.message).toBe('metric "m": `start` belongs to the date form (start/end dates), but the metric uses the durations form (`duration`)');
    // at the `start` key of line 7
    expect(e.location).toMatchObject({ line: 7, column: '  m: '.length + metric.indexOf('start:') + 1 });
    expect(e.hint).toContain('not both');
  });

  it('mixing the flag and date forms', async () => {
    const e = await run('{ type: churn, source: t, churned: Churn, churned_value: "Yes", start: tenure }');
    expect(e.message).toContain('`start` belongs to the date form');
    expect(e.location).toMatchObject({ line: 7 });
  });

  it('an unknown column: the nearest names', async () => {
    const e = await run('{ type: survival, source: t, duration: tenur, event: Churn, event_value: "Yes" }');
    expect(e.message).toContain('column "tenur" not found');
    expect(e.hint).toContain('did you mean `tenure`?');
    const f = await run('{ type: churn, source: t, churned: churn, churned_value: "Yes" }');
    expect(f.hint).toContain('did you mean `Churn`?');
  });

  it('an event_value or churned_value that matches no row: the values the column holds', async () => {
    const e = await run('{ type: survival, source: t, duration: tenure, event: Churn, event_value: 1 }');
    expect(e.message).toBe('metric "m": event_value 1 matches no row of column "Churn" in source "t"');
    expect(e.hint).toBe('column "Churn" holds "No" (2 rows), "Yes" (1 row); set event_value to the value(s) that mean the event happened');
    expect(e.location).toMatchObject({ line: 7 });
    const f = await run('{ type: churn, source: t, churned: Churn, churned_value: [Y, "true"] }');
    expect(f.message).toContain('churned_value "Y" or "true" matches no row of column "Churn"');
  });

  it('the durations form without event / event_value', async () => {
    expect((await run('{ type: survival, source: t, duration: tenure }')).message).toContain('`duration` needs `event`');
    expect((await run('{ type: survival, source: t, duration: tenure, event: Churn }')).message).toContain('needs `event_value`');
  });

  it('score metrics without `date:` with calendar periods: the key and the fix', async () => {
    const e = await run('{ type: nps, source: t, score: tenure }', 'month');
    expect(e.message).toBe('metric "m": missing `date`, the column that assigns each answer to a month');
    expect(e.hint).toContain('report.period.granularity: all');
    expect(e.location).toMatchObject({ line: 7, column: 3 });
  });

  it('flag and durations forms with calendar periods need a date column', async () => {
    expect((await run('{ type: churn, source: t, churned: Churn, churned_value: "Yes" }', 'month')).message).toContain('needs a `date:` column');
    expect((await run('{ type: survival, source: t, duration: tenure, event: Churn, event_value: "Yes" }', 'quarter')).message).toContain('needs a `date:` column to assign rows to quarters');
  });

  it('metrics whose definition needs calendar periods, the churn date form and case studies', async () => {
    const cohort = await run('{ type: cohort-retention, source: t, id: customerID, start: tenure, end: tenure }');
    expect(cohort.message).toContain('type cohort-retention needs calendar periods');
    expect(cohort.location).toMatchObject({ line: 7 });
    expect((await run('{ type: churn, source: t, id: customerID, start: tenure, end: tenure }')).hint).toContain('flag form');
    const caseStudy = config('{ type: nps, source: t, score: tenure }').replace('  - { type: markdown, text: "x" }', '  - { type: case-study, title: C, segment: { Contract: One year }, metrics: [m], before: { from: "2026-01", to: "2026-02" }, after: { from: "2026-03", to: "2026-04" } }');
    expect((await failure(caseStudy, { 'data/t.csv': TELCO_LIKE })).message).toContain('the report is one period over all data');
  });

  it('report.period.current other than latest/all', async () => {
    const e = await failure(config('{ type: nps, source: t, score: tenure }').replace('granularity: all', 'granularity: all, current: "2026-10"'), { 'data/t.csv': TELCO_LIKE });
    expect(e.message).toBe('report.period.current "2026-10" is not a period of granularity all, which has one period over all data');
  });
});

describe('other metric types with granularity all', () => {
  it('sentiment scores undated texts too; health-score keeps each account’s latest dated snapshot over all data', async () => {
    const rows = csv(
      ['account', 'date', 'usage', 'comment'],
      [
        ['a', '2026-01-10', 20, 'great product, love it'],
        ['a', '2026-03-10', 80, null],
        ['b', null, 50, 'terrible and slow'],
        ['b', '2026-02-10', 40, 'okay'],
        ['c', 'later', 10, 'love it'],
      ],
    );
    const { json } = await buildProject(
      `report:
  title: Other
  period: { granularity: all }
  min_sample: 1
sources:
  a: { type: csv, path: data/a.csv }
metrics:
  mood: { type: sentiment, source: a, text: comment, date: date }
  health: { type: health-score, source: a, id: account, date: date, components: [{ column: usage, weight: 1, min: 0, max: 100 }] }
sections:
  - { type: kpis, metrics: [mood, health] }
`,
      { 'data/a.csv': rows },
    );
    // 4 texts (one row has none), 2 of them without a valid date
    expect(json.metrics.mood.n).toBe(4);
    expect(json.metrics.mood.exclusions).toEqual({ 'missing text': 1 });
    // a: the March snapshot (80), b: the February one (40); c has no valid date
    expect(json.metrics.health.n).toBe(2);
    expect(json.metrics.health.value).toBeCloseTo(60, 10);
    expect(json.metrics.health.exclusions).toMatchObject({ 'missing or invalid date': 2 });
    expect(json.metrics.health.previous).toBeNull();
  });

  it('the flag form’s messages have the same keys and placeholders in English and Chinese', () => {
    expect(sameKeys(FLAG_MESSAGES)).toEqual([]);
  });
});
