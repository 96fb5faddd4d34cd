/**
 * Customer lifetime value through the whole pipeline:
 * - `method: simple` on a tiny MRR + customers fixture worked by hand (ARPA, churn, CLV, the
 *   delta-method interval, breakdowns, exclusions);
 * - `method: bgnbd` on a small synthetic orders file, checked against independent routes: the
 *   per-customer (x, t_x, T) from a plain loop, P(alive) in closed form, the models' own CLV sum,
 *   and the likelihood being maximal at the reported parameters;
 * - the fast objectives equal the models' own log-likelihoods (fast-check);
 * - the mandatory reference: on the CDNOW event log (BTYD) as an orders CSV, with the period
 *   1997-09 as calibration end, the fit reproduces Fader, Hardie & Lee (2005) r = 0.243,
 *   α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 and Fader & Hardie (2013) p = 6.25, q = 3.74,
 *   γ = 15.44, within 1%.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { csv, makeProject } from '../../../test/project.js';
import { CxError } from '../../kernel/errors.js';
import { build, type BuildResult } from '../../app/pipeline.js';
import { bgnbdObjective } from '../../kernel/models/bgnbd.js';
import { gammaGammaObjective } from '../../kernel/models/gammagamma.js';
import { lgamma } from '../../kernel/models/special.js';
import { sameKeys } from '../../kernel/i18n.js';
import { MESSAGES } from './messages.js';
import { bgnbdLogLikelihood, type BgNbdParams } from '../../kernel/models/bgnbd.js';
import { customerLifetimeValue, gammaGammaLogLikelihood, type GammaGammaParams } from '../../kernel/models/gammagamma.js';
import { collapseRfm } from '../../kernel/models/rfm.js';
import { lastPeriods } from '../../kernel/period.js';
import { metricSectionText } from '../../../test/html-text.js';

const relativeError = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

async function buildFiles(files: Record<string, string>, period?: string): Promise<BuildResult> {
  const dir = makeProject(files);
  return build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir, period });
}

// ---------------------------------------------------------------------------------------------
// simple
// ---------------------------------------------------------------------------------------------

const MRR_HEADER = ['customer_id', 'month', 'mrr', 'plan'];
const MRR_ROWS: (string | number | null)[][] = [
  ['A', '2026-08', 100, 'Pro'],
  ['A', '2026-09', 100, 'Pro'],
  ['B', '2026-09', 200, 'Pro'],
  ['C', '2026-09', 300, 'Starter'],
  ['A', '2026-10', 100, 'Pro'],
  ['B', '2026-10', 250, 'Pro'],
  ['C', '2026-10', 0, 'Starter'], // zero revenue: not a paying account
  ['D', '2026-10', 300, 'Enterprise'],
  // invalid rows
  ['E', 'bad', 50, 'Pro'],
  ['F', '2026-10', -10, 'Pro'],
  ['G', '2026-10', null, 'Pro'],
  [null, '2026-10', 50, 'Pro'],
];

const CUSTOMER_HEADER = ['customer_id', 'signup_date', 'cancel_date'];
const CUSTOMER_ROWS: (string | number | null)[][] = [
  ['c1', '2026-01-15', '2026-09-20'],
  ['c2', '2026-01-15', '2026-10-05'],
  ['c3', '2026-01-15', '2026-10-31'],
  ['c4', '2026-01-15', null],
  ['c5', '2026-01-15', null],
  ['c6', '2026-01-15', null],
  ['c7', '2026-01-15', null],
  ['c8', '2026-01-15', null],
  ['c9', '2026-09-10', null],
  ['c10', '2026-09-10', null],
  ['c14', '2026-09-20', null],
  ['c11', '2026-09-15', '2026-09-25'], // in and out within September: never at a period start
  ['c12', '2026-10-03', null], // new in October
  // invalid rows
  ['c15', null, null],
  ['c16', '2026-05-01', '2026-04-01'],
  ['c17', '2026-05-01', 'soon'],
];

const SIMPLE_CONFIG = `report:
  title: Value
  period: { granularity: month, current: latest }
  min_sample: 2
sources:
  mrr: { type: csv, path: data/mrr.csv }
  customers: { type: csv, path: data/customers.csv }
metrics:
  clv:
    type: clv
    method: simple
    source: mrr
    date: month
    amount: mrr
    customers: customers
  clv_fixed: { type: clv, method: simple, source: mrr, date: month, amount: mrr, churn_rate: 0.05 }
sections:
  - { type: kpis, metrics: [clv, clv_fixed] }
  - { type: metric, metric: clv }
  - { type: breakdown, metric: clv, by: plan }
`;

const simpleFiles = (config = SIMPLE_CONFIG) => ({ 'cxreport.yaml': config, 'data/mrr.csv': csv(MRR_HEADER, MRR_ROWS), 'data/customers.csv': csv(CUSTOMER_HEADER, CUSTOMER_ROWS) });

describe('CLV, method simple (worked by hand)', () => {
  let result: BuildResult;
  let json: any;
  beforeAll(async () => {
    result = await buildFiles(simpleFiles());
    json = JSON.parse(result.metrics);
  });

  // October: paying accounts A 100, B 250, D 300 (C has 0) → n = 3, revenue 650, ARPA = 216.666667.
  // Churn: active at 2026-10-01 = c2..c8 (7) + c9, c10, c14 (signed up in September) = 10;
  //   lost in October: c2 (10-05), c3 (10-31) → 2/10 = 0.2.
  // CLV = 216.666667 × 0.8 ÷ 0.2 = 866.666667.
  // Interval (delta method, log scale): ARPA s² = (116.667² + 33.333² + 83.333²)/2 = 21666.667/2 = 10833.333,
  //   s = 104.083300, SE = s/√3 = 60.092521, relative 60.092521/216.666667 = 0.277350;
  //   churn relative SE = √((1 − 0.2)/(0.2·10)) = √0.4 = 0.632456;
  //   SE(log CLV) = √(0.277350² + 0.632456²) = √0.476923 = 0.690596;
  //   CI = 866.666667 × exp(∓1.959964·0.690596) = 866.666667 × exp(∓1.353544) → [223.880134, 3354.969897].
  // September: A 100, B 200, C 300 → ARPA 200; active at 09-01 = c1..c8 = 8, lost c1 → 0.125;
  //   CLV = 200 × 0.8 ÷ 0.125 = 1280; delta = 866.666667 − 1280 = −413.333333.
  it('value, n, interval', () => {
    const m = json.metrics.clv;
    expect(json.period).toBe('2026-10');
    expect(m.value).toBeCloseTo(866.666667, 5);
    expect(m.n).toBe(3);
    expect(m.unit).toBe('currency');
    expect(m.arpa).toBeCloseTo(650 / 3, 10);
    expect(m.churnRate).toBeCloseTo(0.2, 12);
    expect(m.customersAtStart).toBe(10);
    expect(m.customersLost).toBe(2);
    expect(m.expectedLifetimePeriods).toBeCloseTo(5, 12);
    expect(m.ci[0]).toBeCloseTo(223.880134, 4);
    expect(m.ci[1]).toBeCloseTo(3354.969897, 4);
    expect(m.se).toBeCloseTo(866.666667 * 0.690596, 2);
  });

  it('previous period and delta; the change is not tested, and says why', () => {
    const m = json.metrics.clv;
    expect(m.previous).toMatchObject({ period: '2026-09', n: 3 });
    expect(m.previous.value).toBeCloseTo(1280, 8);
    expect(m.delta).toBeCloseTo(-413.333333, 5);
    expect(m.p).toBeNull();
    expect(m.significant).toBe(false);
    expect(m.test).toMatch(/^not tested: consecutive periods share most accounts/);
  });

  it('no churn in a period gives "no data", not infinity', () => {
    // August: A 100 only; active at 08-01 = c1..c8, nobody lost → churn 0 → CLV unbounded → null.
    const aug = json.metrics.clv.series.find((p: any) => p.period === '2026-08');
    expect(aug).toMatchObject({ value: null, n: 0, ci: null });
    expect(result.metrics).not.toMatch(/NaN|Infinity/);
  });

  it('fixed churn_rate: only ARPA’s uncertainty in the interval', () => {
    // CLV = 216.666667 × 0.8 ÷ 0.05 = 3466.666667; CI = 3466.666667 × exp(∓1.959964·0.277350)
    //   = 3466.666667 × exp(∓0.543596) → [2012.941952, 5970.255508].
    const m = json.metrics.clv_fixed;
    expect(m.value).toBeCloseTo(3466.666667, 5);
    expect(m.ci[0]).toBeCloseTo(2012.941952, 4);
    expect(m.ci[1]).toBeCloseTo(5970.255508, 4);
    expect(m.churnSource).toBe('churn_rate');
    // August: one paying account (n < 2): a value (100 × 0.8 ÷ 0.05 = 1600) but no interval
    expect(m.series.find((p: any) => p.period === '2026-08')).toMatchObject({ value: 1600, ci: null, n: 1 });
  });

  it('breakdown: mean per-account value by plan, no interval, change not tested', () => {
    // October (× 0.8/0.2 = 4): Pro (A 100, B 250) → 175 × 4 = 700, n 2; Enterprise (D 300) → 1200, n 1.
    // September (× 0.8/0.125 = 6.4): Pro (100, 200) → 960; Starter (C 300) → 1920.
    const groups = json.metrics.clv.breakdowns.plan;
    expect(groups.map((g: any) => g.group)).toEqual(['Enterprise', 'Pro', 'Starter']);
    const [enterprise, pro, starter] = groups;
    expect(enterprise).toMatchObject({ n: 1, ci: null, previous: null, p: null, pAdjusted: null });
    expect(enterprise.value).toBeCloseTo(1200, 8);
    expect(pro.value).toBeCloseTo(700, 8);
    expect(pro.previous.value).toBeCloseTo(960, 8);
    expect(pro.delta).toBeCloseTo(-260, 8);
    expect(starter).toMatchObject({ n: 0, value: null });
    expect(starter.previous.value).toBeCloseTo(1920, 8);
    expect(groups.reduce((s: number, g: any) => s + g.n, 0)).toBe(json.metrics.clv.n);
  });

  it('counts every excluded row by reason (revenue rows of the period and customer rows), never coerced', () => {
    const m = json.metrics.clv;
    expect(m.exclusions).toEqual({
      'customers: cancel before signup': 1,
      'customers: invalid cancel date': 1,
      'customers: missing or invalid signup date': 1,
      'missing amount': 1,
      'missing customer': 1,
      'negative amount': 1,
    });
    expect(m.excluded).toBe(6);
    expect(m.excludedAllPeriods['missing or invalid date']).toBe(1);
  });

  it('default visual: the table of ARPA, margin, churn and CLV', () => {
    const section = result.model.sections.find((s) => s.type === 'metric') as any;
    const table = section.blocks.find((b: any) => b.kind === 'table').table;
    expect(table.rows.map((r: any) => r.cells.slice(0, 2))).toEqual([
      // money as a reader sees it (whole dollars from $100): 650 / 3 = 216.67 → $217; 866.67 → $867
      ['ARPA (revenue per paying account per month)', '$217'],
      ['Gross margin', '80.0%'],
      ['Churn rate per month', '20.0%'],
      ['Expected lifetime', '5 months'],
      ['CLV = ARPA × margin ÷ churn', '$867'],
    ]);
  });

  it('property: value = ARPA × margin ÷ churn from a plain loop; breakdown n adds up; interval around the value', async () => {
    const account = fc.record({ id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), month: fc.constantFrom('2026-09', '2026-10'), mrr: fc.integer({ min: 0, max: 500 }), plan: fc.constantFrom('X', 'Y') });
    const customer = fc.record({ signup: fc.integer({ min: 0, max: 300 }), cancel: fc.option(fc.integer({ min: 0, max: 320 }), { nil: null }) });
    await fc.assert(
      fc.asyncProperty(fc.array(account, { minLength: 1, maxLength: 15 }), fc.array(customer, { minLength: 1, maxLength: 20 }), fc.double({ min: 0.1, max: 1, noNaN: true }), async (accounts, customers, margin) => {
        const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
        const cust = customers.map((c, i) => [`k${i}`, day(c.signup), c.cancel === null ? null : day(Math.max(c.signup, c.cancel))]);
        const config = `report: { title: P, period: { granularity: month, current: "2026-10" }, min_sample: 2 }
sources: { mrr: { type: csv, path: data/mrr.csv }, customers: { type: csv, path: data/customers.csv } }
metrics: { clv: { type: clv, method: simple, source: mrr, date: month, amount: mrr, customers: customers, margin: ${margin}, allow_empty: true } }
sections:
  - { type: breakdown, metric: clv, by: plan }
`;
        const files = { 'cxreport.yaml': config, 'data/mrr.csv': csv(MRR_HEADER, accounts.map((a) => [a.id, a.month, a.mrr, a.plan])), 'data/customers.csv': csv(CUSTOMER_HEADER, cust) };
        const m = JSON.parse((await buildFiles(files)).metrics).metrics.clv;
        // plain loop
        const revenue = new Map<string, number>();
        for (const a of accounts) if (a.month === '2026-10') revenue.set(a.id, (revenue.get(a.id) ?? 0) + a.mrr);
        const paying = [...revenue.values()].filter((r) => r > 0);
        const start = Date.UTC(2026, 9, 1);
        const end = Date.UTC(2026, 10, 1);
        let atStart = 0;
        let lost = 0;
        for (const c of cust) {
          const s = Date.parse(`${c[1]}T00:00:00Z`);
          const x = c[2] === null ? Infinity : Date.parse(`${c[2]}T00:00:00Z`);
          if (s < start && x >= start) {
            atStart++;
            if (x < end) lost++;
          }
        }
        const churn = atStart > 0 ? lost / atStart : null;
        if (paying.length === 0 || !churn) {
          expect(m.value).toBeNull();
          return;
        }
        const arpa = paying.reduce((s, r) => s + r, 0) / paying.length;
        expect(m.value).toBeCloseTo((arpa * margin) / churn, 6);
        expect(m.n).toBe(paying.length);
        if (m.ci) {
          expect(m.ci[0]).toBeLessThanOrEqual(m.value * (1 + 1e-12));
          expect(m.ci[1]).toBeGreaterThanOrEqual(m.value * (1 - 1e-12));
        }
        expect(m.breakdowns.plan.reduce((s: number, g: any) => s + g.n, 0)).toBe(m.n);
      }),
      { numRuns: 25, seed: 424242 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// bgnbd on a small synthetic orders file
// ---------------------------------------------------------------------------------------------

/** Deterministic synthetic orders: customers buy at their own rate and drop out after a purchase with their own probability. */
function syntheticOrders(customers: number, seed: number): (string | number | null)[][] {
  let state = seed;
  const random = () => (state = (state * 16807) % 2147483647) / 2147483647;
  const start = Date.UTC(2025, 0, 1);
  const end = Date.UTC(2026, 10, 1);
  const rows: (string | number | null)[][] = [];
  let id = 0;
  for (let c = 0; c < customers; c++) {
    const rate = (0.2 + 3 * random() * random()) / 30; // purchases per day
    const drop = 0.05 + 0.5 * random() * random();
    const scale = 20 + 80 * random();
    const segment = c % 3 === 0 ? 'Gold' : 'Silver';
    let t = start + random() * (end - start - 86_400_000);
    while (t < end) {
      rows.push([`O${++id}`, `C${String(c).padStart(3, '0')}`, new Date(t).toISOString().slice(0, 10), Math.round(scale * (0.5 + random()) * 100) / 100, segment]);
      if (random() < drop) break;
      t += (-Math.log(random()) / rate) * 86_400_000;
    }
  }
  return rows;
}

const ORDER_HEADER = ['order_id', 'customer_id', 'order_date', 'amount', 'segment'];
const ORDERS = syntheticOrders(150, 97);
const ORDER_ROWS: (string | number | null)[][] = [
  ...ORDERS,
  ['X1', 'C999', 'yesterday', 10, 'Gold'],
  ['X2', 'C998', '2026-10-12', -3, 'Gold'],
  ['X3', null, '2026-10-12', 3, 'Gold'],
  ['X4', 'C997', '2026-11-02', 3, 'Gold'], // after the period: not part of the calibration
];

/** The config with `allow_empty: true` on the clv metric (an empty report is otherwise an error). */
const allowEmpty = (config: string) => config.replace('    type: clv\n', '    type: clv\n    allow_empty: true\n');

const BGNBD_CONFIG = `report:
  title: Value
  period: { granularity: month, current: "2026-10" }
  min_sample: 30
sources:
  orders: { type: csv, path: data/orders.csv }
metrics:
  clv:
    type: clv
    method: bgnbd
    source: orders
    date: order_date
    amount: amount
    margin: 0.5
    horizon_months: 6
    discount_rate: 0.12
    top: 5
sections:
  - { type: kpis, metrics: [clv] }
  - { type: metric, metric: clv }
  - { type: breakdown, metric: clv, by: segment }
  - { type: trend, metric: clv, periods: 6 }
`;

describe('CLV, method bgnbd (independent checks on a synthetic orders file)', () => {
  let result: BuildResult;
  let m: any;
  beforeAll(async () => {
    result = await buildFiles({ 'cxreport.yaml': BGNBD_CONFIG, 'data/orders.csv': csv(ORDER_HEADER, ORDER_ROWS) });
    m = JSON.parse(result.metrics).metrics.clv;
  });

  /** Per customer (x, t_x, T, zbar) in weeks up to 2026-10-31, by a plain loop over the rows. */
  function summary(endDay: string) {
    const days = new Map<string, Map<string, number>>();
    for (const [, customer, date, amount] of ORDERS) {
      if (String(date) > endDay) continue;
      const d = days.get(String(customer)) ?? new Map<string, number>();
      d.set(String(date), (d.get(String(date)) ?? 0) + Number(amount));
      days.set(String(customer), d);
    }
    const dayNumber = (s: string) => Date.parse(`${s}T00:00:00Z`) / 86_400_000;
    const out = new Map<string, { x: number; tx: number; T: number; zbar: number }>();
    for (const [customer, d] of days) {
      const sorted = [...d.keys()].sort();
      const first = dayNumber(sorted[0]);
      const T = (dayNumber(endDay) - first) / 7;
      if (T <= 0) continue;
      const repeat = sorted.slice(1);
      out.set(customer, { x: repeat.length, tx: (dayNumber(sorted[sorted.length - 1]) - first) / 7, T, zbar: repeat.length ? repeat.reduce((s, k) => s + d.get(k)!, 0) / repeat.length : 0 });
    }
    return out;
  }

  it('models every customer with a purchase by the period end, and reports the fits', () => {
    const s = summary('2026-10-31');
    expect(m.n).toBe(s.size);
    expect(m.customers).toBe(s.size);
    expect(m.repeatCustomers).toBe([...s.values()].filter((c) => c.x > 0).length);
    expect(m.calibrationEnd).toBe('2026-10-31');
    expect(m.timeUnit).toBe('weeks');
    for (const key of ['r', 'alpha', 'a', 'b', 'logLikelihood']) expect(Number.isFinite(m.bgnbd[key])).toBe(true);
    for (const key of ['p', 'q', 'gamma', 'logLikelihood']) expect(Number.isFinite(m.gammaGamma[key])).toBe(true);
    expect(m.bgnbd.converged).toBe(true);
    expect(m.ci).toBeNull();
    expect(m.se).toBeNull();
  });

  it('the reported parameters maximise the models’ own likelihoods (no nearby point does better)', () => {
    const s = [...summary('2026-10-31').values()];
    const data = { x: s.map((c) => c.x), tx: s.map((c) => c.tx), T: s.map((c) => c.T) };
    const bg: BgNbdParams = { r: m.bgnbd.r, alpha: m.bgnbd.alpha, a: m.bgnbd.a, b: m.bgnbd.b };
    const ll = bgnbdLogLikelihood(bg, data);
    expect(ll).toBeCloseTo(m.bgnbd.logLikelihood, 6);
    for (const key of ['r', 'alpha', 'a', 'b'] as const)
      for (const f of [0.97, 1.03]) expect(bgnbdLogLikelihood({ ...bg, [key]: bg[key] * f }, data)).toBeLessThanOrEqual(ll + 1e-9);
    const spend = s.filter((c) => c.x > 0);
    const gg: GammaGammaParams = { p: m.gammaGamma.p, q: m.gammaGamma.q, gamma: m.gammaGamma.gamma };
    const llg = gammaGammaLogLikelihood(gg, spend);
    expect(llg).toBeCloseTo(m.gammaGamma.logLikelihood, 6);
    for (const key of ['p', 'q', 'gamma'] as const)
      for (const f of [0.97, 1.03]) expect(gammaGammaLogLikelihood({ ...gg, [key]: gg[key] * f }, spend)).toBeLessThanOrEqual(llg + 1e-9);
  });

  it('top accounts: history from a plain loop, P(alive) in closed form, CLV from the models’ own sum', () => {
    const s = summary('2026-10-31');
    const { r, alpha, a, b } = m.bgnbd;
    const gg: GammaGammaParams = { p: m.gammaGamma.p, q: m.gammaGamma.q, gamma: m.gammaGamma.gamma };
    expect(m.topAccounts).toHaveLength(5);
    for (const acc of m.topAccounts) {
      const c = s.get(acc.customer)!;
      expect(acc.x).toBe(c.x);
      expect(acc.recency).toBeCloseTo(c.tx, 10);
      expect(acc.T).toBeCloseTo(c.T, 10);
      // FHL 2005: P(alive) = 1 / (1 + δ(x>0)·a/(b + x − 1)·((α + T)/(α + t_x))^(r + x))
      const pAlive = c.x === 0 ? 1 : 1 / (1 + (a / (b + c.x - 1)) * ((alpha + c.T) / (alpha + c.tx)) ** (r + c.x));
      expect(acc.pAlive).toBeCloseTo(pAlive, 10);
      // margin 0.5 × the models' discounted 6-month value, discount (1.12)^(1/12) − 1 per month
      const clv = customerLifetimeValue({ r, alpha, a, b }, gg, { x: c.x, tx: c.tx, T: c.T, zbar: c.zbar }, { horizonPeriods: 6, discountRatePerPeriod: 1.12 ** (1 / 12) - 1, periodLength: 365.25 / 12 / 7 });
      expect(relativeError(acc.expectedClv, 0.5 * clv)).toBeLessThan(1e-9);
    }
    const values = m.topAccounts.map((t: any) => t.expectedClv);
    expect([...values].sort((p: number, q: number) => q - p)).toEqual(values);
  });

  it('totals, deciles and P(alive) bins add up', () => {
    expect(m.value).toBeCloseTo(m.totalExpectedValue / m.n, 8);
    expect(m.meanExpectedValue).toBe(m.value);
    expect(m.deciles.reduce((s: number, d: any) => s + d.customers, 0)).toBe(m.n);
    expect(m.deciles.reduce((s: number, d: any) => s + d.percentOfTotal, 0)).toBeCloseTo(100, 8);
    expect(m.deciles.reduce((s: number, d: any) => s + d.totalValue, 0)).toBeCloseTo(m.totalExpectedValue, 6);
    for (let i = 1; i < 10; i++) expect(m.deciles[i].meanValue).toBeLessThanOrEqual(m.deciles[i - 1].meanValue + 1e-9);
    expect(m.pAliveDistribution.reduce((s: number, d: any) => s + d.customers, 0)).toBe(m.n);
    expect(m.expectedActiveCustomers).toBeGreaterThan(0);
    expect(m.expectedActiveCustomers).toBeLessThanOrEqual(m.n);
  });

  it('breakdown: simple means of per-customer values, n adding up; no interval, no test', () => {
    const groups = m.breakdowns.segment;
    expect(groups.map((g: any) => g.group)).toEqual(['Gold', 'Silver']);
    expect(groups.reduce((s: number, g: any) => s + g.n, 0)).toBe(m.n);
    expect(groups.reduce((s: number, g: any) => s + g.value * g.n, 0)).toBeCloseTo(m.totalExpectedValue, 6);
    for (const g of groups) expect(g).toMatchObject({ ci: null, p: null, pAdjusted: null, significant: false });
  });

  it('previous period refitted on its own calibration data; the change is not tested, and says why', () => {
    expect(m.previous.period).toBe('2026-09');
    expect(m.previous.n).toBe(summary('2026-09-30').size);
    expect(m.delta).toBeCloseTo(m.value - m.previous.value, 10);
    expect(m.p).toBeNull();
    expect(m.test).toMatch(/^not tested: the expected value is a model estimate/);
    const last = m.series[m.series.length - 1];
    expect(last).toMatchObject({ period: '2026-10', n: m.n, ci: null });
    expect(last.value).toBe(m.value);
    // the series holds the periods the report shows (the KPI card's 12-month sparkline, which
    // includes the trend's 6), not every month since the first order
    const first = ORDERS.map((r) => String(r[2]).slice(0, 7)).sort()[0];
    expect(m.series.map((p: any) => p.period)).toEqual(lastPeriods('2026-10', 12, 'month').filter((p) => p >= first));
    expect(result.metrics).not.toMatch(/NaN|Infinity/);
    // every fitted point has a finite value (metrics.json would turn NaN into null: check the model itself)
    const prepared = result.prepared.get('clv') as any;
    for (const point of m.series) {
      const model = prepared.bgnbd(point.period);
      if (model.values) expect(Number.isFinite(model.mean)).toBe(true);
      else expect(point).toMatchObject({ value: null, n: 0 });
    }
  });

  it('counts excluded rows up to the period end by reason', () => {
    expect(m.exclusions).toEqual({ 'missing customer': 1, 'negative amount': 1 });
    expect(m.excludedAllPeriods).toEqual({ 'missing customer': 1, 'missing or invalid date': 1, 'negative amount': 1 });
  });

  it('default visual: decile chart with the message in its title, top-accounts table, parameters', () => {
    const section = result.model.sections.find((s) => s.type === 'metric') as any;
    const chart = section.blocks.find((b: any) => b.kind === 'chart').chart;
    // the total by magnitude: "$1,234", "$12.3k", "$1.23M" — never cents on a total
    expect(chart.title).toMatch(/^The top 10% of customers hold \d+\.\d% of the \$(\d{1,3}(,\d{3})?|\d+(\.\d+)?[kMB]) expected over the next 6 months$/);
    expect(chart.spec.data.values).toHaveLength(10);
    const table = section.blocks.find((b: any) => b.kind === 'table').table;
    expect(table.rows).toHaveLength(5);
    expect(table.rows[0].cells[0]).toBe(m.topAccounts[0].customer);
    const text = section.blocks.find((b: any) => b.kind === 'text').paragraphs.join(' ');
    // plain words in the body; the model's name and fitted parameters are in the methods appendix
    expect(text).not.toMatch(/BG\/NBD|Gamma-Gamma|α =/);
    expect(text).toContain('fitted parameters, are in the methods appendix');
    expect(text).toContain('without intervals');
    const methods = result.model.sections.find((s) => s.type === 'methods') as any;
    const bg = m.bgnbd as { r: number; alpha: number };
    expect(methods.metrics[0].method).toContain(`BG/NBD r = ${bg.r.toPrecision(4)}, α = ${bg.alpha.toPrecision(4)}`);
  });

  it('too little data: "no data" with a note, never NaN', async () => {
    const few = ORDERS.filter((r) => ['C000', 'C001', 'C002'].includes(String(r[1])));
    // allow_empty: a report whose only metric has no value is otherwise an error (coverage.ts)
    const r = await buildFiles({ 'cxreport.yaml': allowEmpty(BGNBD_CONFIG), 'data/orders.csv': csv(ORDER_HEADER, few) });
    const c = JSON.parse(r.metrics).metrics.clv;
    expect(c).toMatchObject({ value: null, n: 0, ci: null, bgnbd: null, gammaGamma: null });
    expect(c.note).toMatch(/^not fitted: the model needs at least 20 customers of whom 10 made a repeat purchase/);
    expect(r.metrics).not.toMatch(/NaN|Infinity/);
  });
});

// ---------------------------------------------------------------------------------------------
// config errors
// ---------------------------------------------------------------------------------------------

describe('config errors are located', () => {
  const lineOf = (config: string, text: string) => config.split('\n').findIndex((l) => l.includes(text)) + 1;

  it('unknown column: at the key, with the nearest column as a hint', async () => {
    const config = BGNBD_CONFIG.replace('    date: order_date\n', '    date: orderdate\n');
    const e = (await buildFiles({ 'cxreport.yaml': config, 'data/orders.csv': csv(ORDER_HEADER, ORDER_ROWS) }).catch((x: unknown) => x)) as CxError;
    expect(e).toBeInstanceOf(CxError);
    expect(e.message).toBe('metric "clv": column "orderdate" not found in source "orders" (data/orders.csv)');
    expect(e.location).toMatchObject({ line: lineOf(config, 'date: orderdate'), column: 11 });
    expect(e.hint).toContain('order_date');
  });

  it('simple without a churn rate, and bgnbd with a simple-only key', async () => {
    const noChurn = SIMPLE_CONFIG.replace('    customers: customers\n', '');
    const e1 = (await buildFiles(simpleFiles(noChurn)).catch((x: unknown) => x)) as CxError;
    expect(e1).toBeInstanceOf(CxError);
    expect(e1.message).toMatch(/method simple needs a churn rate/);
    expect(e1.location?.line).toBe(lineOf(noChurn, 'method: simple'));
    const wrong = BGNBD_CONFIG.replace('    margin: 0.5\n', '    margin: 0.5\n    churn_rate: 0.02\n');
    const e2 = (await buildFiles({ 'cxreport.yaml': wrong, 'data/orders.csv': csv(ORDER_HEADER, ORDER_ROWS) }).catch((x: unknown) => x)) as CxError;
    expect(e2.message).toBe('metric "clv": `churn_rate` is only used with method: simple');
    expect(e2.location?.line).toBe(lineOf(wrong, 'churn_rate: 0.02'));
  });

  it('an unknown column of the customers source is located at its key', async () => {
    const config = SIMPLE_CONFIG.replace('    customers: customers\n', '    customers: customers\n    cancel: cancelled_at\n');
    const e = (await buildFiles(simpleFiles(config)).catch((x: unknown) => x)) as CxError;
    expect(e.message).toBe('metric "clv": column "cancelled_at" not found in source "customers" (data/customers.csv)');
    expect(e.location?.line).toBe(lineOf(config, 'cancel: cancelled_at'));
    expect(e.hint).toContain('cancel_date');
  });
});

// ---------------------------------------------------------------------------------------------
// fast objectives = the models' log-likelihoods
// ---------------------------------------------------------------------------------------------

describe('the fit objectives equal the models’ own log-likelihoods', () => {
  const positive = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  it('BG/NBD, grouped by distinct x, T and t_x', () => {
    const customer = fc.record({ x: fc.integer({ min: 0, max: 12 }), T: fc.integer({ min: 1, max: 80 }), f: fc.double({ min: 0, max: 1, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(customer, { minLength: 1, maxLength: 60 }), positive(0.05, 20), positive(0.1, 50), positive(0.05, 20), positive(0.05, 20), (rows, r, alpha, a, b) => {
        const data = { x: rows.map((c) => c.x), T: rows.map((c) => c.T / 7), tx: rows.map((c) => (c.x === 0 ? 0 : Math.floor(c.f * c.T) / 7)) };
        const expected = bgnbdLogLikelihood({ r, alpha, a, b }, data);
        const actual = bgnbdObjective(collapseRfm(data))({ r, alpha, a, b });
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
      }),
      { numRuns: 200, seed: 7 },
    );
  });
  it('Gamma-Gamma, grouped by distinct x, against the density written out per customer', () => {
    const customer = fc.record({ x: fc.integer({ min: 1, max: 12 }), zbar: positive(0.5, 500) });
    fc.assert(
      fc.property(fc.array(customer, { minLength: 1, maxLength: 60 }), positive(0.1, 30), positive(0.1, 30), positive(0.1, 500), (rows, p, q, gamma) => {
        const x = rows.map((c) => c.x);
        const zbar = rows.map((c) => c.zbar);
        // written out per customer (the marginal density of the mean spend, FHL 2005), not the kernel's own sum
        const expected = rows.reduce((sum, c) => {
          const px = p * c.x;
          return sum + lgamma(px + q) - lgamma(px) - lgamma(q) + q * Math.log(gamma) + px * Math.log(c.x) + (px - 1) * Math.log(c.zbar) - (px + q) * Math.log(gamma + c.x * c.zbar);
        }, 0);
        const actual = gammaGammaObjective(x, zbar)({ p, q, gamma });
        expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// the reference: CDNOW (FHL 2005; Fader & Hardie 2013) through the module's own data path
// ---------------------------------------------------------------------------------------------

describeShared('CDNOW event log as an orders CSV, calibration end 1997-09-30 (FHL 2005; Fader & Hardie 2013)', () => {
  const PUBLISHED_BG = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const PUBLISHED_LL = -9582.4;
  const PUBLISHED_GG = { p: 6.25, q: 3.74, gamma: 15.44 };
  let m: any;
  let elapsedMs = 0;
  beforeAll(async () => {
    // BTYD's cdnowElog.csv: masterid,sampleid,date(YYYYMMDD),cds,sales → customer, ISO date, amount.
    const lines = readFileSync(sharedFile('cdnow', 'BTYD_cdnowElog.csv'), 'utf8').trim().split('\n').slice(1);
    const rows = lines.map((line) => {
      const [, sampleid, date, , sales] = line.split(',');
      return [sampleid, `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`, sales];
    });
    const config = `report: { title: CDNOW, period: { granularity: month, current: "1997-09" } }
sources: { orders: { type: csv, path: data/orders.csv } }
metrics:
  clv: { type: clv, method: bgnbd, source: orders, customer: sampleid, date: date, amount: amount }
sections:
  - { type: metric, metric: clv }
  - { type: trend, metric: clv, periods: 9 }
`;
    const started = performance.now();
    const r = await buildFiles({ 'cxreport.yaml': config, 'data/orders.csv': csv(['sampleid', 'date', 'amount'], rows) });
    elapsedMs = performance.now() - started;
    m = JSON.parse(r.metrics).metrics.clv;
  });

  it('uses the 2,357 customers (946 with repeat purchases), in weeks, up to 1997-09-30', () => {
    expect(m.calibrationEnd).toBe('1997-09-30');
    expect(m.n).toBe(2357);
    expect(m.repeatCustomers).toBe(946);
    expect(m.notModelled).toBe(0);
    expect(m.gammaGamma.customers).toBe(946);
  });

  it('BG/NBD: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 within 1%', () => {
    expect(m.bgnbd.converged).toBe(true);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) expect(relativeError(m.bgnbd[key], PUBLISHED_BG[key])).toBeLessThan(0.01);
    expect(relativeError(m.bgnbd.logLikelihood, PUBLISHED_LL)).toBeLessThan(0.01);
    expect(Math.abs(m.bgnbd.logLikelihood - PUBLISHED_LL)).toBeLessThan(0.05);
  });

  it('Gamma-Gamma: p = 6.25, q = 3.74, γ = 15.44 within 1%', () => {
    expect(m.gammaGamma.converged).toBe(true);
    for (const key of ['p', 'q', 'gamma'] as const) expect(relativeError(m.gammaGamma[key], PUBLISHED_GG[key])).toBeLessThan(0.01);
  });

  it('the whole series (9 monthly refits) builds in a few seconds', () => {
    expect(m.series).toHaveLength(9);
    expect(m.series.every((p: any) => p.value !== null)).toBe(true);
    expect(elapsedMs).toBeLessThan(15_000);
  });
});


describe('in Simplified Chinese (report.locale: zh-CN)', () => {
  const chinese = (config: string) => config.replace(/( {2}min_sample: \d+\n)/, '$1  locale: zh-CN\n');
  /** English words of the module's messages that must not be left in a Chinese section (the source `customers` is the user's name). */
  const ENGLISH = ['customers with', 'lost of', 'Customer', 'accounts', 'Source:', 'Note:', 'not tested', 'Expected', 'expected', 'months', 'Gross margin', 'churn rate', 'Churn rate', 'Input', 'Detail', 'delta method', 'Bar chart', 'Share of', 'Recency', 'weeks', 'Fitted on', 'without intervals', 'October', 'Oct 2026'];
  let simple: BuildResult;
  let english: BuildResult;
  let bgnbd: BuildResult;
  beforeAll(async () => {
    simple = await buildFiles(simpleFiles(chinese(SIMPLE_CONFIG)));
    english = await buildFiles(simpleFiles());
    bgnbd = await buildFiles({ 'cxreport.yaml': chinese(BGNBD_CONFIG), 'data/orders.csv': csv(ORDER_HEADER, ORDER_ROWS) });
  });

  it('the message set has the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('simple: Chinese method, untested-change reason and input table; the same numbers', () => {
    const r = simple.computed.results.get('clv')!;
    expect(r.method).toContain('简单客户终身价值 = ARPA × 毛利率（0.8）÷ 每期流失率');
    expect(r.method).toContain('以及流失率的二项标准误');
    expect(simple.computed.results.get('clv_fixed')!.method).toContain('流失率固定为每期 5%（来自配置）');
    expect(r.method).not.toMatch(/churn|accounts|interval/);
    expect(r.test).toBe('相邻期间共享大部分账户和客户，属于相关样本，对变化做独立样本检验并不成立，因此不作检验');
    // the numbers are those of the English report; only the words differ
    const { test: _zhTest, label: _zhLabel, note: _zhNote, ...numbers } = JSON.parse(simple.metrics).metrics.clv;
    const { test: _enTest, label: _enLabel, note: _enNote, ...englishNumbers } = JSON.parse(english.metrics).metrics.clv;
    expect(numbers).toEqual(englishNumbers);
    const text = metricSectionText(simple.html);
    expect(text).toContain('2026年10月简单法 CLV 输入项 数值 说明');
    expect(text).toContain('ARPA（每月每个付费账户的收入）');
    expect(text).toContain('每月流失率');
    expect(text).toContain('期初 10 位中流失 2 位');
    expect(text).toContain('预期生命周期 5 个月 1 ÷ 流失率');
    expect(text).toContain('CLV = ARPA × 毛利率 ÷ 流失率');
    expect(text).toContain('（delta 法）');
    expect(text).toContain('数据来源：mrr 和 customers。');
    expect(text).toContain('未检验变化（相邻期间共享大部分账户和客户');
    expect(ENGLISH.filter((w) => text.includes(w))).toEqual([]);
  });

  it('simple: a period without churn says why in Chinese (metrics.json note and the section)', async () => {
    const rows = CUSTOMER_ROWS.filter((r) => !['c2', 'c3'].includes(String(r[0])));
    const r = await buildFiles({ 'cxreport.yaml': chinese(SIMPLE_CONFIG), 'data/mrr.csv': csv(MRR_HEADER, MRR_ROWS), 'data/customers.csv': csv(CUSTOMER_HEADER, rows) });
    expect(JSON.parse(r.metrics).metrics.clv.note).toBe('本期没有流失：生命周期（1 ÷ 流失率）没有上界');
    expect(metricSectionText(r.html)).toContain('注：本期没有流失：生命周期（1 ÷ 流失率）没有上界。');
  });

  it('bgnbd: Chinese method, decile chart, top accounts and fitted parameters', () => {
    const r = bgnbd.computed.results.get('clv')!;
    expect(r.method).toContain('BG/NBD 重复购买模型');
    expect(r.method).toContain('每位客户的预期价值 = 毛利率（0.5）× 每次购买的预期消费 × 未来 6 个月中每月的预期购买次数，按年折现率 12%（按月）折现。');
    expect(r.method).not.toMatch(/Expected|customers|interval/);
    expect(r.test).toMatch(/^期望值为模型估计值/);
    const text = metricSectionText(bgnbd.html);
    expect(text).toMatch(/价值最高的 10% 客户占未来 6 个月预期总价值 \$(\d{1,3}(,\d{3})?|\d+(\.\d+)?[kMB]) 的 \d+\.\d%/);
    expect(text).toContain('按预期价值划分的客户十分位组（D1 为最高）');
    expect(text).toContain('预期价值占比（%）');
    expect(text).toContain('截至 2026年10月31日有订单的客户数');
    expect(text).toContain('未来 6 个月预期价值最高的 5 个账户 客户 重复购买次数 末次购买时点（周） 成为客户已（周） 仍在购买的概率 预期购买次数（6 个月） 预期 CLV');
    expect(text).toMatch(/基于截至 2026年10月31日的 [\d,]+ 位客户（其中 [\d,]+ 位有重复购买）的订单估计/);
    expect(text).not.toMatch(/BG\/NBD|P\(alive\)/);
    expect(text).toContain('以上均为模型估计值，不含置信区间；与上期相比的变化不作检验。');
    expect(ENGLISH.filter((w) => text.includes(w))).toEqual([]);
  });

  it('bgnbd: too little data gives a Chinese note, in metrics.json and in the section', async () => {
    const few = ORDERS.filter((r) => ['C000', 'C001', 'C002'].includes(String(r[1])));
    // allow_empty: a report whose only metric has no value is otherwise an error (coverage.ts)
    const r = await buildFiles({ 'cxreport.yaml': chinese(allowEmpty(BGNBD_CONFIG)), 'data/orders.csv': csv(ORDER_HEADER, few) });
    const c = JSON.parse(r.metrics).metrics.clv;
    expect(c.value).toBeNull();
    expect(c.note).toMatch(/^未拟合：模型至少需要 20 位客户，其中 10 位有金额为正的重复购买（此处分别为 \d+ 和 \d+）$/);
    expect(metricSectionText(r.html)).toMatch(/2026年10月没有模型：未拟合：模型至少需要 20 位客户/);
  });
});
