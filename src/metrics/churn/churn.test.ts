/**
 * Churn and retention: a small customers table worked by hand through the real pipeline (counts,
 * Wilson interval, pooled z-test, breakdown, exclusions), a located config error, property tests
 * against a brute-force recount, and churn per contract type on the IBM Telco data.
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
import { sameKeys } from '../../kernel/i18n.js';
import { churnModule, churnSchema, MESSAGES, retentionModule, retentionSchema } from './index.js';
import type { MetricModule, MetricResult } from '../module.js';
import { shiftPeriod } from '../../kernel/period.js';
import { wilsonInterval } from '../../kernel/stats.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['customer_id', 'signup_date', 'cancel_date', 'region'];

/**
 * Twelve valid customers (report period March 2026, previous February 2026):
 *   c1  2025-12-10 –            EMEA     c7  2026-02-14 – 2026-02-20  APAC
 *   c2  2025-12-15 – 2026-02-10 EMEA     c8  2026-02-28 – 2026-04-01  APAC
 *   c3  2026-01-05 –            APAC     c9  2026-03-02 –             EMEA
 *   c4  2026-01-20 – 2026-03-03 EMEA     c10 2026-03-10 – 2026-03-25  APAC
 *   c5  2026-01-25 – 2026-03-31 APAC     c11 2025-11-01 – 2026-03-01  EMEA
 *   c6  2026-02-01 –            EMEA     c12 2025-11-01 – 2026-01-31  APAC
 * plus six invalid rows.
 */
const ROWS: (string | null)[][] = [
  ['c1', '2025-12-10', null, 'EMEA'],
  ['c2', '2025-12-15', '2026-02-10', 'EMEA'],
  ['c3', '2026-01-05', null, 'APAC'],
  ['c4', '2026-01-20', '2026-03-03', 'EMEA'],
  ['c5', '2026-01-25', '2026-03-31', 'APAC'],
  ['c6', '2026-02-01', null, 'EMEA'],
  ['c7', '2026-02-14', '2026-02-20', 'APAC'],
  ['c8', '2026-02-28', '2026-04-01', 'APAC'],
  ['c9', '2026-03-02', null, 'EMEA'],
  ['c10', '2026-03-10', '2026-03-25', 'APAC'],
  ['c11', '2025-11-01', '2026-03-01', 'EMEA'],
  ['c12', '2025-11-01', '2026-01-31', 'APAC'],
  // invalid: counted under the period of their start date (or "undated"), never corrected
  [null, '2026-03-05', null, 'EMEA'], // missing id (March)
  ['x2', 'not a date', null, 'EMEA'], // missing or invalid start date (undated)
  ['x3', '2026-03-05', '2026-13-01', 'APAC'], // invalid end date (March)
  ['x4', '2026-03-10', '2026-03-01', 'APAC'], // end before start (March)
  ['x5', '2026-02-03', null, 'EMEA'], // duplicate id (February) — both rows
  ['x5', '2026-02-04', null, 'EMEA'],
];

const CONFIG = `report:
  title: Lifecycle
  period: { granularity: month, current: "2026-03" }
  min_sample: 5
sources:
  customers: { type: csv, path: data/customers.csv }
metrics:
  churn: { type: churn, source: customers, id: customer_id, start: signup_date, end: cancel_date }
  retention: { type: retention, source: customers, id: customer_id, start: signup_date, end: cancel_date }
sections:
  - { type: kpis, metrics: [churn, retention] }
  - { type: metric, metric: churn }
  - { type: metric, metric: retention }
  - { type: breakdown, metric: churn, by: region }
  - { type: breakdown, metric: retention, by: region }
`;

let json: any;
let html: string;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/customers.csv': csv(HEADER, ROWS) });
  const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
  html = result.html;
});

describe('churn (worked by hand)', () => {
  // March: period start ps = 2026-03-01, end pe = 2026-04-01.
  // S = started before ps and not ended before ps: c1, c3, c4, c5, c6, c8, c11 (end 03-01 ≥ ps) = 7
  //   (c2 ended 02-10, c12 ended 01-31, c7 ended 02-20: not at the start).
  // L = of S, ended in [ps, pe): c4 (03-03), c5 (03-31), c11 (03-01) = 3; c8 ends 04-01 = pe: not in March.
  // N = started in March: c9, c10 = 2; c10 also left in March (newLost = 1, not churn).
  // E = S − L + N − newLost = 7 − 3 + 2 − 1 = 5 (c1, c3, c6, c8, c9).
  // Churn = 3/7 = 42.857143%.
  // Wilson, z = 1.959964, z² = 3.841459: denominator 1 + z²/7 = 1.548780;
  //   centre = (3/7 + z²/14)/1.548780 = (0.428571 + 0.274390)/1.548780 = 0.453881;
  //   half = z·√(0.428571·0.571429/7 + z²/196)/1.548780 = 1.959964·√(0.034985 + 0.019599)/1.548780 = 0.295661
  //   → [15.821985%, 74.954164%].
  // February: S = c1, c2, c3, c4, c5, c11 = 6 (c12 ended 01-31); L = c2 = 1 → 1/6 = 16.666667%.
  // Pooled z-test: p̂ = 4/13 = 0.307692; SE = √(0.307692·0.692308·(1/6 + 1/7)) = 0.256776;
  //   z = (3/7 − 1/6)/0.256776 = 0.261905/0.256776 = 1.019973; p = 2·(1 − Φ(1.019973)) = 0.307741.
  it('value, n and Wilson interval', () => {
    const c = json.metrics.churn;
    expect(c.value).toBeCloseTo(300 / 7, 10);
    expect(c.n).toBe(7);
    expect(c.ci[0]).toBeCloseTo(15.821985, 5);
    expect(c.ci[1]).toBeCloseTo(74.954164, 5);
    expect(c.unit).toBe('percent');
    expect(c.higherIsBetter).toBe(false);
    expect(c.lowSample).toBe(false); // 7 ≥ min_sample 5
  });
  it('customer counts of the period', () => {
    expect(json.metrics.churn.customers).toEqual({ atStart: 7, new: 2, lost: 3, newLost: 1, atEnd: 5 });
    // February: S 6, N = c6, c7, c8 = 3, L 1, newLost c7 = 1, E = 6 − 1 + 3 − 1 = 7 (= March's S)
    expect(json.metrics.churn.previousCustomers).toEqual({ atStart: 6, new: 3, lost: 1, newLost: 1, atEnd: 7 });
  });
  it('previous period, delta and the pooled two-proportion z-test', () => {
    const c = json.metrics.churn;
    expect(c.previous).toMatchObject({ period: '2026-02', n: 6 });
    expect(c.previous.value).toBeCloseTo(100 / 6, 10);
    expect(c.delta).toBeCloseTo(300 / 7 - 100 / 6, 10);
    expect(c.test).toBe('two-proportion z-test (pooled)');
    expect(c.statistic).toBeCloseTo(1.019973, 5);
    expect(c.p).toBeCloseTo(0.307741, 5);
    expect(c.significant).toBe(false);
  });
  it('series from the first period with customers at its start', () => {
    // first signups in November 2025 → December is the first period with S > 0.
    // December: S = c11, c12 = 2, L 0 → 0%; January: S = c1, c2, c11, c12 = 4, L = c12 → 25%.
    const series = json.metrics.churn.series;
    expect(series.map((p: any) => p.period)).toEqual(['2025-12', '2026-01', '2026-02', '2026-03']);
    expect(series.map((p: any) => [p.n, p.value])).toEqual([[2, 0], [4, 25], [6, 100 / 6], [7, 300 / 7]]);
    expect(series[0].lowSample).toBe(true);
  });
  it('breakdown by region: group membership by the customer’s value; n sums to S', () => {
    // EMEA at the start of March: c1, c4, c6, c11 = 4, lost c4, c11 → 50%;
    // APAC: c3, c5, c8 = 3, lost c5 → 33.3%. February: EMEA c1, c2, c4, c11 (lost c2); APAC c3, c5.
    const groups = json.metrics.churn.breakdowns.region;
    expect(groups.map((g: any) => [g.group, g.n, g.value])).toEqual([['APAC', 3, 100 / 3], ['EMEA', 4, 50]]);
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(json.metrics.churn.n);
    expect(groups.find((g: any) => g.group === 'EMEA').previous).toEqual({ period: '2026-02', value: 25, n: 4 });
    expect(groups.every((g: any) => typeof g.pAdjusted === 'number')).toBe(true);
  });
  it('counts every excluded row by reason and period, never coercing', () => {
    const c = json.metrics.churn;
    expect(c.exclusions).toEqual({ 'end before start': 1, 'invalid end date': 1, 'missing id': 1 });
    expect(c.excluded).toBe(3);
    expect(c.excludedAllPeriods).toEqual({ 'duplicate id': 2, 'end before start': 1, 'invalid end date': 1, 'missing id': 1, 'missing or invalid start date': 1 });
  });
});

describe('retention (CRR)', () => {
  // CRR = (E − N)/S = (5 − 2)/7 = 42.857143% (E = 5 active at the end of March, N = 2 new in March,
  // S = 7 at its start). c10 joined and left within March, so E − N = S − L − newLost = 7 − 3 − 1.
  // Wilson for 3 of 7 (z² = 3.841459): centre = (3/7 + 3.841459/14)/(1 + 3.841459/7)
  //   = (0.428571 + 0.274390)/1.548780 = 0.453880;
  // half-width = 1.959964·√(0.428571·0.571429/7 + 3.841459/196)/1.548780
  //   = 1.959964·√(0.034985 + 0.019599)/1.548780 = 0.295659 → [15.8221%, 74.9539%].
  // The retention of the customers present at the start, (S − L)/S = 4/7, is reported beside it.
  it('is (E − N)/S with a Wilson interval', () => {
    const r = json.metrics.retention;
    expect(r.value).toBeCloseTo(300 / 7, 10);
    expect(r.ci[0]).toBeCloseTo(15.8221, 3);
    expect(r.ci[1]).toBeCloseTo(74.9539, 3);
    expect(r.higherIsBetter).toBe(true);
    expect(r.retained).toBe(3);
    expect(r.retainedOfStart).toBeCloseTo(400 / 7, 10);
    expect(r.value).toBeLessThanOrEqual(100 - json.metrics.churn.value);
  });
  it('its change is tested with the pooled two-proportion z-test on (E − N)/S', () => {
    expect(json.metrics.retention.test).toBe('two-proportion z-test (pooled)');
    expect(typeof json.metrics.retention.p).toBe('number');
  });
});

describe('default visual', () => {
  it('renders a chart titled with the change and the customer table', () => {
    expect(html).toContain('Churn 42.9% in March 2026, against 16.7% in February 2026 — within noise');
    expect(html).toContain('Customers per month');
  });
});

describe('located config errors', () => {
  it('an unknown column names file:line:col and the nearest column', async () => {
    const config = CONFIG.replace('end: cancel_date }\n  retention', 'end: cancel_dat }\n  retention');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/customers.csv': csv(HEADER, ROWS) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CxError);
    const e = error as CxError;
    // line 8: "  churn: { type: churn, source: customers, id: customer_id, start: signup_date, end: cancel_dat }"
    expect(`${e.location?.file}:${e.location?.line}:${e.location?.column}`).toBe('cxreport.yaml:8:86');
    expect(e.message).toBe('metric "churn": column "cancel_dat" not found in source "customers" (data/customers.csv)');
    expect(e.hint).toMatch(/^did you mean `cancel_date`\?/);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, calling the module directly
// ---------------------------------------------------------------------------------------------

function direct(module: MetricModule, schema: { parse(x: unknown): unknown }, text: string, period: string, breakdowns: string[] = []): MetricResult {
  const source = parseCsv(text, { name: 'customers', path: 'customers.csv' });
  const def = schema.parse({ type: module.type, source: 'customers', id: 'customer_id', start: 'signup_date', end: 'cancel_date' });
  return computeDirect(module, source, def, period, breakdowns);
}

const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

/** Random customers over ~2 years: start day, optional lifetime in days, a segment. */
const customersArb = fc.array(
  fc.record({ start: fc.integer({ min: 0, max: 700 }), life: fc.option(fc.integer({ min: 0, max: 400 }), { nil: null }), segment: fc.constantFrom('A', 'B', 'C') }),
  { minLength: 1, maxLength: 60 },
);

describe('properties', () => {
  it('counts equal a brute-force recount; shares in [0, 100]; CRR = (E − N)/S; groups sum to n', () => {
    fc.assert(
      fc.property(customersArb, fc.integer({ min: 0, max: 23 }), (customers, offset) => {
        const period = shiftPeriod('2025-01', offset, 'month');
        const text = csv(HEADER, customers.map((c, i) => [`c${i}`, day(c.start), c.life === null ? null : day(c.start + c.life), c.segment]));
        const churn = direct(churnModule, churnSchema, text, period, ['region']);
        const retention = direct(retentionModule, retentionSchema, text, period);
        // brute force from the definitions (dates compared as ISO strings)
        const ps = `${period}-01`;
        const pe = `${shiftPeriod(period, 1, 'month')}-01`;
        const rows = customers.map((c) => ({ s: day(c.start), e: c.life === null ? null : day(c.start + c.life) }));
        const S = rows.filter((r) => r.s < ps && (r.e === null || r.e >= ps));
        const L = S.filter((r) => r.e !== null && r.e < pe).length;
        const N = rows.filter((r) => r.s >= ps && r.s < pe).length;
        const E = rows.filter((r) => r.s < pe && (r.e === null || r.e >= pe)).length;
        const counts = churn.extra.customers as Record<string, number>;
        expect(counts.atStart).toBe(S.length);
        expect(counts.lost).toBe(L);
        expect(counts.new).toBe(N);
        expect(counts.atEnd).toBe(E);
        expect(churn.n).toBe(S.length);
        if (S.length === 0) {
          expect(churn.value).toBeNull();
          expect(churn.ci).toBeNull();
        } else {
          expect(churn.value).toBeGreaterThanOrEqual(0);
          expect(churn.value).toBeLessThanOrEqual(100);
          expect(churn.ci![0]).toBeLessThanOrEqual(churn.value!);
          expect(churn.ci![1]).toBeGreaterThanOrEqual(churn.value!);
          expect(retention.value!).toBeCloseTo((100 * Math.max(0, E - N)) / S.length, 9);
          expect(retention.value! + churn.value!).toBeLessThanOrEqual(100 + 1e-9);
        }
        const groups = churn.breakdowns.region;
        expect(groups.reduce((a, g) => a + g.n, 0)).toBe(churn.n);
        for (const p of churn.series) if (p.value !== null) expect(p.value >= 0 && p.value <= 100).toBe(true);
        expect(JSON.stringify(churn)).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 150 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Independent reference: IBM Telco customer churn
// ---------------------------------------------------------------------------------------------

describeShared('churn per contract type on the IBM Telco data', () => {
  // The Telco file has no dates, so a tiny adapter gives every customer the same start
  // (2019-12-01) and the churned ones an end date in February 2020: churn for February 2020 is
  // then exactly the file's share of Churn = Yes, overall and per Contract.
  type Row = { customerID: string; Contract: string; Churn: string };
  let telco: Row[];
  let result: any;

  beforeAll(async () => {
    telco = parse(readFileSync(sharedFile('telco', 'IBM_Telco-Customer-Churn.csv'), 'utf8'), { columns: true }) as Row[];
    const rows = telco.map((r) => [r.customerID, '2019-12-01', r.Churn === 'Yes' ? '2020-02-15' : null, r.Contract]);
    const dir = makeProject({
      'cxreport.yaml': `report:
  title: Telco
  period: { granularity: month, current: "2020-02" }
sources:
  telco: { type: csv, path: data/telco.csv }
metrics:
  churn: { type: churn, source: telco, id: customerID, start: start, end: end }
sections:
  - { type: breakdown, metric: churn, by: Contract }
`,
      'data/telco.csv': csv(['customerID', 'start', 'end', 'Contract'], rows),
    });
    result = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics.churn;
  });

  it('the file holds 7,043 customers, 1,869 churned', () => {
    expect(telco).toHaveLength(7043);
    expect(telco.filter((r) => r.Churn === 'Yes')).toHaveLength(1869);
  });

  it('overall churn 1,869/7,043 = 26.54% with its Wilson interval; January (no churn) is 0%', () => {
    expect(result.n).toBe(7043);
    expect(result.value).toBeCloseTo((100 * 1869) / 7043, 10);
    expect(result.value).toBeCloseTo(26.537, 3);
    const [lo, hi] = wilsonInterval(1869, 7043);
    expect(result.ci[0]).toBeCloseTo(100 * lo, 10);
    expect(result.ci[1]).toBeCloseTo(100 * hi, 10);
    expect(result.previous).toMatchObject({ period: '2020-01', value: 0, n: 7043 });
  });

  it('per contract: Month-to-month 1,655/3,875 = 42.7%, One year 166/1,473 = 11.3%, Two year 48/1,695 = 2.8%', () => {
    const expected: Record<string, [number, number]> = { 'Month-to-month': [1655, 3875], 'One year': [166, 1473], 'Two year': [48, 1695] };
    // the counts, straight from the file
    for (const [contract, [churned, total]] of Object.entries(expected)) {
      const rows = telco.filter((r) => r.Contract === contract);
      expect(rows).toHaveLength(total);
      expect(rows.filter((r) => r.Churn === 'Yes')).toHaveLength(churned);
    }
    const groups = result.breakdowns.Contract;
    expect(groups.map((g: any) => g.group)).toEqual(['Month-to-month', 'One year', 'Two year']);
    for (const g of groups) {
      const [churned, total] = expected[g.group];
      expect(g.n).toBe(total);
      expect(g.value).toBeCloseTo((100 * churned) / total, 10);
      const [lo, hi] = wilsonInterval(churned, total);
      expect(g.ci).toEqual([100 * lo, 100 * hi]);
    }
    expect(groups.map((g: any) => Math.round(g.value * 10) / 10)).toEqual([42.7, 11.3, 2.8]);
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(7043);
  });
});

describe('no data', () => {
  it('a filter that matches nothing gives value null (never NaN) for every lifecycle type, and the report still builds (allow_empty: without it an empty report is an error, see coverage.ts)', async () => {
    const config = `report:
  title: Empty
  period: { granularity: month, current: "2026-03" }
sources:
  customers: { type: csv, path: data/customers.csv }
  mrr: { type: csv, path: data/mrr.csv }
metrics:
  churn: { type: churn, source: customers, id: customer_id, start: signup_date, end: cancel_date, filter: { region: Mars }, allow_empty: true }
  retention: { type: retention, source: customers, id: customer_id, start: signup_date, end: cancel_date, filter: { region: Mars }, allow_empty: true }
  cohorts: { type: cohort-retention, source: customers, id: customer_id, start: signup_date, end: cancel_date, filter: { region: Mars }, allow_empty: true }
  survival: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, by: region, filter: { region: Mars }, allow_empty: true }
  nrr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr, filter: { plan: none }, allow_empty: true }
sections:
  - { type: kpis, metrics: [churn, retention, cohorts, survival, nrr] }
  - { type: metric, metric: churn }
  - { type: metric, metric: retention }
  - { type: metric, metric: cohorts }
  - { type: metric, metric: survival }
  - { type: metric, metric: nrr }
  - { type: breakdown, metric: churn, by: region }
`;
    const dir = makeProject({
      'cxreport.yaml': config,
      'data/customers.csv': csv(HEADER, ROWS),
      'data/mrr.csv': csv(['customer_id', 'month', 'mrr', 'plan'], [['a', '2026-02', 10, 'pro'], ['a', '2026-03', 12, 'pro']]),
    });
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const metrics = JSON.parse(result.metrics).metrics;
    for (const id of ['churn', 'retention', 'cohorts', 'survival', 'nrr']) {
      expect(metrics[id].value).toBeNull();
      expect(metrics[id].n).toBe(0);
      expect(metrics[id].ci).toBeNull();
    }
    expect(result.metrics).not.toMatch(/NaN|Infinity/);
    expect(result.html).toContain('no data');
  });
});

describe('quarters', () => {
  it('periods follow report.period.granularity; every lifecycle type builds on quarters', async () => {
    const config = `report:
  title: Quarterly
  period: { granularity: quarter, current: "2026-Q1" }
  min_sample: 2
sources:
  customers: { type: csv, path: data/customers.csv }
  mrr: { type: csv, path: data/mrr.csv }
metrics:
  churn: { type: churn, source: customers, id: customer_id, start: signup_date, end: cancel_date }
  cohorts: { type: cohort-retention, source: customers, id: customer_id, start: signup_date, end: cancel_date, cohorts: 4, at: 1 }
  survival: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, horizon: 2 }
  nrr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr }
sections:
  - { type: metric, metric: churn }
  - { type: metric, metric: cohorts }
  - { type: metric, metric: survival }
  - { type: metric, metric: nrr }
`;
    const dir = makeProject({
      'cxreport.yaml': config,
      'data/customers.csv': csv(HEADER, ROWS),
      // Q4 2025's snapshot is its latest month with data (November); Q1 2026's is February
      'data/mrr.csv': csv(['customer_id', 'month', 'mrr'], [['a', '2025-10', 10], ['a', '2025-11', 20], ['b', '2025-11', 5], ['a', '2026-01', 30], ['a', '2026-02', 25]]),
    });
    const m = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics;
    // Q1 2026 (Jan 1 – Apr 1): S = c1, c2, c11, c12 (started in Q4 2025, none ended before Jan 1) = 4;
    // L = c2 (02-10), c11 (03-01), c12 (01-31) = 3 → 75%.
    expect(m.churn.customers.atStart).toBe(4);
    expect(m.churn.customers.lost).toBe(3);
    expect(m.churn.value).toBe(75);
    expect(m.churn.previous).toBeNull(); // nobody was a customer on 2025-10-01
    expect(m.churn.series.map((p: any) => p.period)).toEqual(['2026-Q1']);
    // NRR from November (a 20, b 5: start 25) to February (a 25): (25 + 5 − 0 − 5)/25 = 100%
    expect(m.nrr.bridge).toMatchObject({ from: '2025-11', to: '2026-02', start: 25, expansion: 5, churned: 5 });
    expect(m.nrr.value).toBe(100);
    expect(m.cohorts.cohorts.map((c: any) => c.cohort)).toEqual(['2025-Q4', '2026-Q1']);
    expect(m.survival.n).toBe(12); // every valid customer started before 2026-04-01
  });
});


describe('report.locale: zh-CN', () => {
  it('every message has the same keys and placeholders in English and Chinese', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('the method, test, label and default visual are Chinese', async () => {
    const config = CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n').replace(
      'retention: { type: retention, source: customers,',
      'retention: { type: retention, filter: { region: [EMEA, APAC] }, source: customers,',
    );
    const dir = makeProject({ 'cxreport.yaml': config, 'data/customers.csv': csv(HEADER, ROWS) });
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const churn = result.computed.results.get('churn')!;
    const retention = result.computed.results.get('retention')!;
    // numbers unchanged; text in Chinese
    expect(churn.value).toBeCloseTo(300 / 7, 10);
    expect(churn.label).toBe('流失率');
    expect(retention.label).toBe('留存率');
    expect(churn.test).toBe('双比例 z 检验（合并比例）');
    expect(churn.method).toContain('流失率 = L/S × 100（越低越好）');
    expect(churn.method).toContain('Wilson 得分区间');
    expect(retention.method).toContain('客户留存率（CRR）= (E − N)/S × 100');
    expect(retention.method).toContain('客户范围限于 region 属于（EMEA、APAC）。');
    for (const method of [churn.method, retention.method]) for (const word of ['customers', 'interval', 'Change vs', 'Rows with', 'Breakdowns', 'Source:']) expect(method, word).not.toContain(word);

    const text = metricSectionText(result.html);
    expect(text).toContain('2026年3月流失率为 42.9%，2026年2月为 16.7%，差异在随机波动范围内');
    expect(text).toContain('每月的客户流失率，含 95% Wilson 置信区间。2026年3月期初客户数 n = 7。流失率 = 流失客户数 ÷ 期初客户数。数据来源：customers。');
    expect(text).toContain('数据来源：customers（region 属于（EMEA、APAC））。');
    expect(text).toContain('每月流失率的折线图，共 4 个月，从 2025年12月（0.0%）到 2026年3月（42.9%）');
    expect(text).toContain('每月客户数（最近 4 期）');
    expect(text).toContain('期间 期初 新增 流失 期末 流失率（%） 95% 置信区间');
    expect(text).toContain('同一月内加入又离开的新客户（2026年3月共 1 位）计入新增，但不计入流失。');
    expect(text).toContain('流失率（%）'); // the chart's axis, inside the SVG
    const visible = text.replaceAll('customers', '').replace(/EMEA|APAC/g, '');
    const english = ['Churn', 'Retention', 'customer', 'Customers', 'At start', 'At end', 'Lost', 'New', 'Period', 'CI', 'Source', 'Line chart', 'lowest', 'highest', 'significant', 'rose', 'fell', 'per month', 'last', 'Mar 2026', 'March'];
    expect(english.filter((w) => visible.includes(w))).toEqual([]);
  });
});
