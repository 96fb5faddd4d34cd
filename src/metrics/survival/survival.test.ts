/**
 * Survival: tenure and censoring from dates worked by hand through the pipeline (Kaplan–Meier,
 * Greenwood band, median), R survival's aml example rebuilt as dates (survfit and survdiff
 * printouts), Kaplan–Meier of the IBM Telco tenure checked against an independent product-limit
 * computation, a located config error, and property tests.
 */
import { computeDirect } from '../../../test/direct.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { csv, makeProject } from '../../../test/project.js';
import { CxError } from '../../kernel/errors.js';
import { build } from '../../app/pipeline.js';
import { parseCsv } from '../../sources/csv.js';
import type { MetricResult } from '../module.js';
import { shiftPeriod } from '../../kernel/period.js';
import { twoSidedP } from '../../kernel/stats.js';
import { sameKeys } from '../../kernel/i18n.js';
import { chiSquareSf, logRankTest } from '../../kernel/models/log-rank.js';
import { MESSAGES } from './messages.js';
import { survivalModule, survivalSchema } from './index.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['customer_id', 'signup_date', 'cancel_date', 'plan'];

/**
 * Report period March 2026: customers still active are censored at 2026-04-01.
 *   s1 2026-01-01 → 2026-01-11   10 days, left
 *   s2 2026-01-01 → 2026-01-21   20 days, left
 *   s3 2026-03-12 → (active)     20 days to 04-01, censored
 *   s4 2026-02-01 → 2026-03-03   30 days, left
 *   s5 2026-03-02 → 2026-04-10   ends after the period: 30 days to 04-01, censored
 *   s6 2026-01-01 → (active)     90 days, censored
 *   s7 2026-01-22 → 2026-03-12   49 days, left
 *   s8 2026-04-05                starts after the period: not in the March analysis
 */
const ROWS: (string | null)[][] = [
  ['s1', '2026-01-01', '2026-01-11', 'A'],
  ['s2', '2026-01-01', '2026-01-21', 'B'],
  ['s3', '2026-03-12', null, 'A'],
  ['s4', '2026-02-01', '2026-03-03', 'B'],
  ['s5', '2026-03-02', '2026-04-10', 'A'],
  ['s6', '2026-01-01', null, 'B'],
  ['s7', '2026-01-22', '2026-03-12', 'A'],
  ['s8', '2026-04-05', null, 'B'],
  ['x1', '2026-03-10', '2026-03-01', 'A'], // end before start (March)
  ['x2', null, null, 'A'], // missing start (undated)
];

const CONFIG = `report:
  title: Survival
  period: { granularity: month, current: "2026-03" }
  min_sample: 5
sources:
  customers: { type: csv, path: data/customers.csv }
metrics:
  tenure: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, unit: day, horizon: 30, by: plan }
  months: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, horizon: 1 }
sections:
  - { type: kpis, metrics: [tenure] }
  - { type: metric, metric: tenure }
  - { type: metric, metric: months }
  - { type: breakdown, metric: tenure, by: plan }
`;

let json: any;
let html: string;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/customers.csv': csv(HEADER, ROWS) });
  const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics).metrics;
  html = result.html;
});

describe('tenure, censoring and Kaplan–Meier (worked by hand)', () => {
  // Times (days): 10, 20, 20+, 30, 30+, 49, 90+ (+ = censored); n = 7. Censored at a tie stay at risk.
  //   t=10: n 7, d 1 → Ŝ = 6/7 = 0.857143;             Σ d/(n(n−d)) = 1/42
  //   t=20: n 6, d 1 → Ŝ = 5/7 = 0.714286;             + 1/30      (then s2 and s3 leave: 4 at risk)
  //   t=30: n 4, d 1 → Ŝ = 15/28 = 0.535714;           + 1/12 = 0.140476 (then s4, s5 leave: 2)
  //   t=49: n 2, d 1 → Ŝ = 15/56 = 0.267857;           + 1/2 = 0.640476
  // Ŝ(30 days) = 53.571429%; se = Ŝ·√0.140476 = 0.535714·0.374802 = 20.078654%;
  // log band: Ŝ·exp(∓1.959964·0.374802) → [25.698133%, 111.68% capped at 100%].
  // Median: first Ŝ ≤ 0.5 at 49 days; lower band first ≤ 0.5 at 20 days (0.447091); upper never.
  it('curve steps', () => {
    const t = json.tenure;
    expect(t.curve.map((s: any) => [s.time, s.atRisk, s.events, s.censored])).toEqual([
      [10, 7, 1, 0],
      [20, 6, 1, 1],
      [30, 4, 1, 1],
      [49, 2, 1, 0],
    ]);
    [600 / 7, 500 / 7, 1500 / 28, 1500 / 56].forEach((v, i) => expect(t.curve[i].survival).toBeCloseTo(v, 10));
    expect(t.events).toBe(4);
    expect(t.censored).toBe(3);
    expect(t.followUp).toBe(90);
    expect(t.censoredAt).toBe('2026-04-01T00:00:00.000Z');
  });
  it('value at the horizon, Greenwood se and band', () => {
    const t = json.tenure;
    expect(t.n).toBe(7);
    expect(t.value).toBeCloseTo(1500 / 28, 10);
    expect(t.se).toBeCloseTo(20.078654, 5);
    expect(t.ci[0]).toBeCloseTo(25.698133, 5);
    expect(t.ci[1]).toBe(100);
    expect(t.label).toBe('30-day survival');
  });
  it('median tenure with its interval', () => {
    expect(json.tenure.median).toEqual({ median: 49, lower: 20, upper: null });
  });
  it('months are days / 30.4375', () => {
    // Ŝ(1 month = 30.4375 days) includes the event at 30 days: 15/28 again.
    expect(json.months.curve[0].time).toBeCloseTo(10 / 30.4375, 12);
    expect(json.months.value).toBeCloseTo(1500 / 28, 10);
    expect(json.months.label).toBe('1-month survival');
  });
  // February (censoring at 2026-03-01): s3 and s5 had not started; s4 (Feb 1, ends Mar 3) is
  // censored at 28 days, s7 at 38, s6 at 59: times 10, 20, 28+, 38+, 59+ → Ŝ(30) = 4/5·3/4 = 60%.
  it('previous period: the curve with follow-up to the end of February; change not tested', () => {
    const t = json.tenure;
    expect(t.previous).toMatchObject({ period: '2026-02', n: 5 });
    expect(t.previous.value).toBeCloseTo(60, 10);
    expect(t.delta).toBeCloseTo(1500 / 28 - 60, 10);
    expect(t.p).toBeNull();
    expect(t.significant).toBe(false);
    expect(t.test).toMatch(/^not tested/);
  });
  it('segments (`by`) and breakdowns: n sums to the total', () => {
    // A: s1 (10), s3 (20+), s5 (30+), s7 (49) → n 4; B: s2 (20), s4 (30), s6 (90+) → n 3.
    const segments = json.tenure.segments;
    expect(segments.map((s: any) => [s.group, s.n, s.events])).toEqual([['A', 4, 2], ['B', 3, 2]]);
    // A: t=10 n 4 → 3/4; Ŝ(30) = 75%.  B: t=20 n 3 → 2/3; t=30 n 2 → 1/3; Ŝ(30) = 33.3%.
    expect(segments[0].value).toBeCloseTo(75, 10);
    expect(segments[1].value).toBeCloseTo(100 / 3, 10);
    expect(json.tenure.logRank.df).toBe(1);
    const groups = json.tenure.breakdowns.plan;
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(json.tenure.n);
  });
  it('exclusions', () => {
    expect(json.tenure.exclusions).toEqual({ 'end before start': 1 });
    expect(json.tenure.excludedAllPeriods).toEqual({ 'end before start': 1, 'missing or invalid start date': 1 });
  });
  it('renders the step curve and the table', () => {
    expect(html).toContain('30-day survival ranges from 33.3% (B) to 75.0% (A); log-rank p ');
    expect(html).toContain('Share still customers by tenure and plan');
  });
});

describe('located config errors', () => {
  it('an unknown `by` column: file:line:col and the nearest column', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('by: plan }', 'by: plann }'), 'data/customers.csv': csv(HEADER, ROWS) });
    const e = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => undefined,
      (error: unknown) => error as CxError,
    );
    expect(e).toBeInstanceOf(CxError);
    // line 8: "  tenure: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, unit: day, horizon: 30, by: plann }"
    expect(`${e!.location?.file}:${e!.location?.line}:${e!.location?.column}`).toBe('cxreport.yaml:8:131');
    expect(e!.message).toBe('metric "tenure": column "plann" not found in source "customers" (data/customers.csv)');
    expect(e!.hint).toMatch(/^did you mean `plan`\?/);
  });
});

describe('chi-square and log-rank helpers', () => {
  it('chi-square on 1 df equals the two-sided normal p', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 30, noNaN: true }), (x) => {
      expect(chiSquareSf(x, 1)).toBeCloseTo(twoSidedP(Math.sqrt(x)), 8);
    }));
  });
  it('chi-square on 2 df is exp(−x/2)', () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 60, noNaN: true }), (x) => {
      expect(chiSquareSf(x, 2)).toBeCloseTo(Math.exp(-x / 2), 10);
    }));
  });
  it('chi-square on 4 df is exp(−x/2)(1 + x/2)', () => {
    for (const x of [0.5, 3, 9.488, 20]) expect(chiSquareSf(x, 4)).toBeCloseTo(Math.exp(-x / 2) * (1 + x / 2), 10);
    expect(chiSquareSf(9.487729, 4)).toBeCloseTo(0.05, 6);
  });
  it('log-rank is symmetric in the group labels', () => {
    const times = [1, 2, 2, 3, 4, 5, 6, 7];
    const events: (0 | 1)[] = [1, 1, 0, 1, 1, 0, 1, 1];
    const a = logRankTest(times, events, [0, 1, 0, 1, 0, 1, 0, 1], 2)!;
    const b = logRankTest(times, events, [1, 0, 1, 0, 1, 0, 1, 0], 2)!;
    expect(a.statistic).toBeCloseTo(b.statistic, 12);
    expect(a.observed.reduce((x, y) => x + y, 0)).toBe(6);
    expect(a.expected.reduce((x, y) => x + y, 0)).toBeCloseTo(6, 12);
  });
  it('log-rank with frequency weights equals the test on the replicated observations', () => {
    const times = [1, 2, 2, 3, 4, 5, 6, 7, 7];
    const events: (0 | 1)[] = [1, 1, 0, 1, 1, 0, 1, 1, 0];
    const groups = [0, 1, 2, 1, 0, 1, 2, 0, 2];
    const weights = [2, 1, 3, 1, 4, 2, 1, 1, 2];
    const copy = <T>(values: T[]) => values.flatMap((v, i) => Array.from({ length: weights[i] }, () => v));
    const weighted = logRankTest(times, events, groups, 3, weights)!;
    const replicated = logRankTest(copy(times), copy(events), copy(groups), 3)!;
    expect(weighted).toEqual(replicated);
    expect(weighted.observed.reduce((x, y) => x + y, 0)).toBe(10);
  });
});

// ---------------------------------------------------------------------------------------------
// Independent references
// ---------------------------------------------------------------------------------------------

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describeShared('R survival aml, rebuilt as start/end dates', () => {
  // Each aml time (weeks) becomes 7·time days of tenure: censored customers start 7·time days
  // before the end of December 2023 and are still active; customers with the event end a week
  // before it. R: summary(survfit(Surv(time, status) ~ x, data = aml)) and survdiff(…).
  let result: any;
  beforeAll(async () => {
    const aml = parse(readFileSync(sharedFile('survival', 'aml_from_R_survival_printout.csv'), 'utf8'), { columns: true, cast: true }) as { time: number; status: 0 | 1; x: string }[];
    const end = Date.UTC(2024, 0, 1);
    const rows = aml.map((r, i) => {
      const start = end - 7 * r.time * DAY - (r.status === 1 ? 7 * DAY : 0);
      return [`p${i}`, iso(start), r.status === 1 ? iso(start + 7 * r.time * DAY) : null, r.x];
    });
    const dir = makeProject({
      'cxreport.yaml': `report:
  title: aml
  period: { granularity: month, current: "2023-12" }
sources:
  aml: { type: csv, path: data/aml.csv }
metrics:
  aml: { type: survival, source: aml, id: id, start: start, end: end, unit: day, horizon: 161, by: x }
sections:
  - { type: metric, metric: aml }
`,
      'data/aml.csv': csv(['id', 'start', 'end', 'x'], rows),
    });
    result = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics.aml;
  });

  it('Maintained: the survfit summary rows (days = 7 × weeks)', () => {
    const R = [
      // time (weeks), n.risk, n.event, survival, std.err, lower 95% CI, upper 95% CI
      [9, 11, 1, 0.909, 0.0867, 0.7541, 1.0],
      [13, 10, 1, 0.818, 0.1163, 0.6192, 1.0],
      [18, 8, 1, 0.716, 0.1397, 0.4884, 1.0],
      [23, 7, 1, 0.614, 0.1526, 0.3769, 0.999],
      [31, 5, 1, 0.491, 0.1642, 0.2549, 0.946],
      [34, 4, 1, 0.368, 0.1627, 0.1549, 0.875],
      [48, 2, 1, 0.184, 0.1535, 0.0359, 0.944],
    ];
    const m = result.segments.find((s: any) => s.group === 'Maintained');
    expect(m.n).toBe(11);
    expect(m.curve).toHaveLength(R.length);
    R.forEach(([time, nRisk, nEvent, survival, , lower, upper], i) => {
      const step = m.curve[i];
      expect(step.time).toBe(7 * time);
      expect(step.atRisk).toBe(nRisk);
      expect(step.events).toBe(nEvent);
      expect(Math.abs(step.survival - 100 * survival)).toBeLessThanOrEqual(0.05 + 1e-9);
      expect(Math.abs(step.lower - 100 * lower)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(step.upper - 100 * upper)).toBeLessThanOrEqual(0.05 + 1e-9);
    });
    // 23 weeks = 161 days, the horizon: 0.614 (0.3769, 0.999)
    expect(Math.abs(m.value - 61.4)).toBeLessThanOrEqual(0.05);
    // print(fit): median 31 weeks, 0.95LCL 18, 0.95UCL NA
    expect(m.median).toEqual({ median: 217, lower: 126, upper: null });
  });

  it('survdiff: O 7 / E 10.69 vs O 11 / E 7.31, Chisq = 3.4 on 1 df, p = 0.07', () => {
    const lr = result.logRank;
    expect(lr.df).toBe(1);
    expect(lr.groups.map((g: any) => [g.group, g.observed])).toEqual([['Maintained', 7], ['Nonmaintained', 11]]);
    expect(lr.groups[0].expected).toBeCloseTo(10.69, 2);
    expect(lr.groups[1].expected).toBeCloseTo(7.31, 2);
    expect(Math.abs(lr.statistic - 3.4)).toBeLessThan(0.05);
    expect(Math.abs(lr.p - 0.07)).toBeLessThan(0.005);
  });

  it('everyone: n 23, 18 events', () => {
    expect(result.n).toBe(23);
    expect(result.events).toBe(18);
  });
});

describeShared('Kaplan–Meier of the IBM Telco tenure vs an independent product-limit computation', () => {
  type Row = { customerID: string; tenure: string; Contract: string; Churn: string };
  let telco: Row[];
  let result: any;

  /** Ŝ(t) = Π over churn tenures u ≤ t of (1 − d_u/n_u), n_u = customers with tenure ≥ u: written out directly. */
  function productLimit(rows: Row[], t: number): number {
    const tenure = rows.map((r) => Number(r.tenure));
    const churn = rows.map((r) => r.Churn === 'Yes');
    const times = [...new Set(tenure.filter((_, i) => churn[i]))].sort((a, b) => a - b);
    let s = 1;
    for (const u of times) {
      if (u > t) break;
      const n = tenure.filter((x) => x >= u).length;
      const d = tenure.filter((x, i) => x === u && churn[i]).length;
      s *= 1 - d / n;
    }
    return s;
  }

  beforeAll(async () => {
    telco = parse(readFileSync(sharedFile('telco', 'IBM_Telco-Customer-Churn.csv'), 'utf8'), { columns: true }) as Row[];
    // Adapter: tenure months → 30-day months ending at 2025-01-01 (the end of the report period).
    const end = Date.UTC(2025, 0, 1);
    const rows = telco.map((r) => {
      const days = 30 * Number(r.tenure);
      if (r.Churn === 'Yes') return [r.customerID, iso(end - DAY - days * DAY), iso(end - DAY), r.Contract];
      return [r.customerID, iso(end - days * DAY), null, r.Contract];
    });
    const dir = makeProject({
      'cxreport.yaml': `report:
  title: Telco
  period: { granularity: month, current: "2024-12" }
sources:
  telco: { type: csv, path: data/telco.csv }
metrics:
  survival: { type: survival, source: telco, id: customerID, start: start, end: end, unit: day, horizon: 360, by: Contract }
sections:
  - { type: metric, metric: survival }
`,
      'data/telco.csv': csv(['customerID', 'start', 'end', 'Contract'], rows),
    });
    result = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics.survival;
  });

  it('n: the 11 customers with tenure 0 start at the period end and carry no follow-up', () => {
    expect(telco.filter((r) => r.tenure === '0')).toHaveLength(11);
    expect(telco.filter((r) => r.tenure === '0' && r.Churn === 'Yes')).toHaveLength(0);
    expect(result.n).toBe(7043 - 11);
    expect(result.events).toBe(1869);
  });

  it('Ŝ at 1, 12, 24, 48 and 72 months matches the product-limit formula', () => {
    for (const months of [1, 12, 24, 48, 72]) {
      const expected = 100 * productLimit(telco, months);
      const step = [...result.curve].reverse().find((s: any) => s.time <= 30 * months);
      expect(step.survival).toBeCloseTo(expected, 10);
    }
    expect(result.value).toBeCloseTo(100 * productLimit(telco, 12), 10);
  });

  it('per contract, Ŝ(12 months) matches the product-limit formula per group', () => {
    for (const contract of ['Month-to-month', 'One year', 'Two year']) {
      const segment = result.segments.find((s: any) => s.group === contract);
      expect(segment.value).toBeCloseTo(100 * productLimit(telco.filter((r) => r.Contract === contract), 12), 10);
    }
    // contract length separates the curves: log-rank on 2 df, p far below 0.001
    expect(result.logRank.df).toBe(2);
    expect(result.logRank.p).toBeLessThan(1e-10);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, calling the module directly
// ---------------------------------------------------------------------------------------------

function direct(rows: (string | null)[][], period: string, horizon: number, breakdowns: string[] = []): MetricResult {
  const source = parseCsv(csv(HEADER, rows), { name: 'customers', path: 'customers.csv' });
  const def = survivalSchema.parse({ type: 'survival', source: 'customers', id: 'customer_id', start: 'signup_date', end: 'cancel_date', unit: 'day', horizon, by: 'plan' });
  return computeDirect(survivalModule, source, def, period, breakdowns);
}

describe('properties', () => {
  it('matches a brute-force product-limit on tenures computed from the dates; curve monotone in [0, 100]; groups sum to n', () => {
    const arb = fc.array(fc.record({ start: fc.integer({ min: 0, max: 500 }), life: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }), plan: fc.constantFrom('A', 'B', 'C') }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 200 }), (customers, offset, horizon) => {
        const period = shiftPeriod('2025-01', offset, 'month');
        const base = Date.UTC(2025, 0, 1);
        const periodEnd = Date.UTC(2025, offset + 1, 1);
        const rows = customers.map((c, i) => [`c${i}`, iso(base + c.start * DAY), c.life === null ? null : iso(base + (c.start + c.life) * DAY), c.plan]);
        const r = direct(rows, period, horizon, ['plan']);
        // brute force: tenure in days to the end or the period end, event when the end is before it
        const obs = customers
          .filter((c) => base + c.start * DAY < periodEnd)
          .map((c) => {
            const endMs = c.life === null ? Infinity : base + (c.start + c.life) * DAY;
            return endMs < periodEnd ? { t: c.life!, e: true } : { t: (periodEnd - base) / DAY - c.start, e: false };
          });
        expect(r.n).toBe(obs.length);
        if (obs.length === 0) {
          expect(r.value).toBeNull();
          return;
        }
        const eventTimes = [...new Set(obs.filter((o) => o.e).map((o) => o.t))].sort((a, b) => a - b);
        let s = 1;
        for (const u of eventTimes) {
          if (u > horizon) break;
          s *= 1 - obs.filter((o) => o.t === u && o.e).length / obs.filter((o) => o.t >= u).length;
        }
        const followUp = Math.max(...obs.map((o) => o.t));
        if (horizon > followUp && s > 0) expect(r.value).toBeNull();
        else expect(r.value).toBeCloseTo(100 * s, 9);
        const curve = r.extra.curve as { survival: number }[];
        curve.forEach((step, i) => {
          expect(step.survival).toBeGreaterThanOrEqual(0);
          expect(step.survival).toBeLessThanOrEqual(100);
          if (i > 0) expect(step.survival).toBeLessThanOrEqual(curve[i - 1].survival);
        });
        expect(r.breakdowns.plan.reduce((a, g) => a + g.n, 0)).toBe(r.n);
        const lr = r.extra.logRank as { p: number } | null;
        if (lr) expect(lr.p >= 0 && lr.p <= 1).toBe(true);
        expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 120 },
    );
  });
});


describe('report.locale: zh-CN', () => {
  it('every message has the same keys and placeholders in English and Chinese', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('the method, test, label and default visual are Chinese', async () => {
    const config = CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n').replace('end: cancel_date, horizon: 1 }', 'end: cancel_date, horizon: 1, filter: { plan: [A, B] } }');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/customers.csv': csv(HEADER, ROWS) });
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const tenure = result.computed.results.get('tenure')!;
    const months = result.computed.results.get('months')!;
    // numbers unchanged
    expect(tenure.value).toBeCloseTo(1500 / 28, 10);
    expect(months.value).toBeCloseTo(1500 / 28, 10);
    expect(tenure.label).toBe('30 天生存率');
    expect(months.label).toBe('1 个月生存率');
    expect(tenure.test).toBe('相邻两期的曲线包含相同的客户，后一期只是多了一期随访，两者之差没有适用的独立样本检验');
    expect((tenure.extra.logRank as { test: string }).test).toBe('对数秩检验（survdiff，rho = 0）');
    expect(tenure.method).toContain('以天为单位');
    expect(tenure.method).toContain('核心数值：Ŝ(30 天)');
    expect(tenure.method).toContain('与上期相比的变化：未检验，因为相邻两期的曲线');
    expect(tenure.method).toContain('按 plan 分组：每组一条曲线，用对数秩检验比较');
    expect(months.method).toContain('以月（每月按 30.4375 天计，即 365.25/12）为单位');
    expect(months.method).toContain('客户范围限于 plan 属于（A、B）。');
    for (const method of [tenure.method, months.method]) for (const word of ['customers', 'tenure', 'interval', 'Change vs', 'Rows', 'Segments', 'months', 'days']) expect(method, word).not.toContain(word);

    const text = metricSectionText(result.html);
    expect(text).toContain('30 天生存率介于 33.3%（B）与 75.0%（A）之间；对数秩检验 p = 0.94');
    expect(text).toContain('1 个月后仍有 53.6% 的客户留存；中位存续时长：1.6 个月');
    expect(text).toContain('按存续时长计仍是客户的占比，含 95% 置信带；仍活跃的客户按截至 2026年3月末的存续时长计入。n = 7 位客户，其中 4 位已离开。数据来源：customers。');
    expect(text).toContain('数据来源：customers（plan 属于（A、B））。');
    expect(text).toContain('按存续时长和 plan 统计的仍为客户比例 plan 样本量 已离开 7.5 天 15 天 30 天 60 天 中位数（天） 95% 置信区间');
    expect(text).toContain('全部客户 7 4 100.0 85.7 53.6 26.8 1.6 0.7 至未达到');
    expect(text).toContain('比例以 % 表示。“—”表示尚无客户被观察满该时长；');
    expect(text).toContain('按存续时长（天）展示仍为客户比例的阶梯图，每个 plan 一条曲线：A：7.5 天 100.0%，15 天 75.0%，30 天 75.0%，60 天 0.0%，中位数 49 天；');
    expect(text).toContain('存续时长（月）'); // chart axes, inside the SVG
    expect(text).toContain('仍为客户的比例（%）');
    const visible = text.replace(/customers/g, '');
    const english = ['survival', 'customer', 'Customers', 'Still', 'Tenure', 'tenure', 'month', 'day', 'Median', 'median', 'not reached', 'Left', 'CI', 'Share', 'Source', 'Step chart', 'censored', 'log-rank', 'ranges', 'March', 'Mar 2026'];
    expect(english.filter((w) => visible.includes(w))).toEqual([]);
  });

  it('names the segment column by its label (`columns: { plan: { label: 套餐 } }`) in the method and the visual, not by its raw name (issue 21)', async () => {
    const config = CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n').replace('customers: { type: csv, path: data/customers.csv }', 'customers: { type: csv, path: data/customers.csv, columns: { plan: { label: 套餐 } } }');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/customers.csv': csv(HEADER, ROWS) });
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const tenure = result.computed.results.get('tenure')!;
    expect(tenure.value).toBeCloseTo(1500 / 28, 10);
    expect(tenure.method).toContain('按套餐分组：每组一条曲线，用对数秩检验比较');
    expect(tenure.method).not.toMatch(/\bplan\b/);
    const text = metricSectionText(result.html);
    expect(text).toContain('按存续时长和套餐统计的仍为客户比例 套餐 样本量');
    expect(text).toContain('按存续时长（天）展示仍为客户比例的阶梯图，每个套餐一条曲线：');
    expect(text).not.toMatch(/按 plan|和 plan|每个 plan/);
  });
});
