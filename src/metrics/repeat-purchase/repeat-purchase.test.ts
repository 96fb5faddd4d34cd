/**
 * Repeat purchase rate through the whole pipeline on a tiny orders file whose numbers are worked
 * by hand below (arithmetic in the comments), plus property tests and an independent check on the
 * real CDNOW master file (calendar 1997, computed with a plain loop).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { csv, makeProject } from '../../../test/project.js';
import { CxError } from '../../kernel/errors.js';
import { build, type BuildResult } from '../../app/pipeline.js';
import { normalCdf } from '../../kernel/stats.js';
import { sameKeys } from '../../kernel/i18n.js';
import { MESSAGES } from './index.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['order_id', 'customer_id', 'order_date', 'amount', 'region'];

/**
 * Windows (365 days ending at the period end):
 *   2026-10: [2025-11-01, 2026-11-01)   2026-09: [2025-10-01, 2026-10-01)
 */
const ROWS: (string | number | null)[][] = [
  [1, 'A', '2026-01-10', 10, 'EMEA'],
  [2, 'A', '2026-10-05', 20, 'EMEA'],
  [3, 'B', '2026-10-07', 15, 'EMEA'],
  [4, 'C', '2026-03-01', 5, 'APAC'],
  [5, 'C', '2026-03-01', 7, 'APAC'], // same day as row 4: two orders, one purchase day
  [6, 'D', '2025-10-15', 30, 'APAC'],
  [7, 'D', '2026-10-20', 30, 'EMEA'], // D's latest value moves to EMEA
  [8, 'E', '2025-12-01', 10, 'APAC'],
  [9, 'E', '2026-02-01', 10, 'APAC'],
  [10, 'E', '2026-09-30T23:59:59Z', 0, 'APAC'], // zero amount is a valid purchase
  // invalid rows
  [11, 'G', 'not-a-date', 10, 'EMEA'],
  [12, '', '2026-10-09', 10, 'EMEA'],
  [13, 'H', '2026-10-10', -5, 'EMEA'],
  [14, 'I', '2026-10-11', 'abc', 'EMEA'],
  [15, 'J', '2026-05-05', null, 'EMEA'],
  [16, 'K', '2025-10-05', -1, 'APAC'],
];

const CONFIG = `report:
  title: Orders
  period: { granularity: month, current: latest }
  min_sample: 3
sources:
  orders: { type: csv, path: data/orders.csv }
metrics:
  rpr:
    type: repeat-purchase-rate
    source: orders
    date: order_date
    amount: amount
  rpr_days: { type: repeat-purchase-rate, source: orders, date: order_date, amount: amount, purchases: days }
  rpr_any_amount: { type: repeat-purchase-rate, source: orders, date: order_date }
sections:
  - { type: kpis, metrics: [rpr, rpr_days, rpr_any_amount] }
  - { type: metric, metric: rpr }
  - { type: breakdown, metric: rpr, by: region }
  - { type: trend, metric: rpr, periods: 6 }
`;

async function buildProject(config: string, rows = ROWS, period?: string): Promise<BuildResult> {
  const dir = makeProject({ 'cxreport.yaml': config, 'data/orders.csv': csv(HEADER, rows) });
  return build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir, period });
}

let result: BuildResult;
let json: any;
beforeAll(async () => {
  result = await buildProject(CONFIG);
  json = JSON.parse(result.metrics);
});

describe('repeat purchase rate (worked by hand)', () => {
  // Current window [2025-11-01, 2026-11-01), valid orders per customer:
  //   A 2 (01-10, 10-05), B 1, C 2 (both on 03-01), D 1 (10-20; 2025-10-15 is before the window), E 3.
  //   n = 5 customers, x = 3 with more than one order (A, C, E) → 3/5 = 60%.
  // Wilson (z² = 3.841459): centre = (0.6 + 3.841459/10)/(1 + 3.841459/5) = 0.9841459/1.7682918 = 0.5565518;
  //   half-width = 1.959964·√(0.6·0.4/5 + 3.841459/100)/1.7682918 = 1.959964·0.2939636/1.7682918 = 0.3258275
  //   → [0.2307243, 0.8823792] → [23.07243%, 88.23792%]. SE = 100·√(0.6·0.4/5) = 21.908902.
  // Previous window [2025-10-01, 2026-10-01): A 1 (01-10), C 2, D 1 (2025-10-15), E 3 (incl. 09-30 23:59:59)
  //   → n = 4, x = 2 → 50%.
  // Pooled p = 5/9; SE = √(5/9·4/9·(1/4 + 1/5)) = √(20/81·9/20) = 1/3; z = (0.6 − 0.5)/(1/3) = 0.3;
  //   p = 2·(1 − Φ(0.3)) = 0.764177 → not significant.
  it('value, n, Wilson interval and SE', () => {
    const r = json.metrics.rpr;
    expect(json.period).toBe('2026-10');
    expect(r.value).toBeCloseTo(60, 10);
    expect(r.n).toBe(5);
    expect(r.ci[0]).toBeCloseTo(23.07243, 4);
    expect(r.ci[1]).toBeCloseTo(88.23792, 4);
    expect(r.se).toBeCloseTo(21.908902, 5);
    expect(r.unit).toBe('percent');
    expect(r.repeatCustomers).toBe(3);
    expect(r.customers).toBe(5);
    // purchases in the window: 2 + 1 + 2 + 1 + 3 = 9
    expect(r.purchases).toBe(9);
    expect(r.purchasesPerCustomer).toBeCloseTo(9 / 5, 12);
    expect(r.windowStart).toBe('2025-11-01');
    expect(r.windowEnd).toBe('2026-10-31');
  });

  it('previous window, delta and the pooled z-test', () => {
    const r = json.metrics.rpr;
    expect(r.previous).toMatchObject({ period: '2026-09', n: 4 });
    expect(r.previous.value).toBeCloseTo(50, 10);
    expect(r.delta).toBeCloseTo(10, 10);
    expect(r.test).toBe('two-proportion z-test (pooled)');
    expect(r.statistic).toBeCloseTo(0.3, 10);
    expect(r.p).toBeCloseTo(2 * (1 - normalCdf(0.3)), 10);
    expect(r.p).toBeCloseTo(0.764177, 5);
    expect(r.significant).toBe(false);
  });

  it('purchases: days counts same-day orders once', () => {
    // C's two orders are on one day → C is no longer a repeat buyer.
    // Current: A 2 days, B 1, C 1, D 1, E 3 → 2/5 = 40%. Previous: A 1, C 1, D 1, E 3 → 1/4 = 25%.
    const r = json.metrics.rpr_days;
    expect(r.value).toBeCloseTo(40, 10);
    expect(r.previous.value).toBeCloseTo(25, 10);
    expect(r.purchasesCountedAs).toBe('days');
    expect(r.purchases).toBe(8);
  });

  it('counts every excluded row by reason, inside the current window; never coerced', () => {
    // In [2025-11-01, 2026-11-01): row 12 (no customer), 13 (−5), 14 ("abc"), 15 (empty amount).
    // Row 16 (2025-10-05, −1) is outside the window; row 11 has no date.
    const r = json.metrics.rpr;
    expect(r.exclusions).toEqual({ 'amount not a number': 1, 'missing amount': 1, 'missing customer': 1, 'negative amount': 1 });
    expect(r.excluded).toBe(4);
    expect(r.excludedAllPeriods).toEqual({ 'amount not a number': 1, 'missing amount': 1, 'missing customer': 1, 'missing or invalid date': 1, 'negative amount': 2 });
    // Without `amount:`, amounts are not checked: only the date and the customer are. Rows 13, 14
    // and 15 (H, I, J) are then valid one-off buyers in the window: n = 5 + 3 = 8, x = 3 → 37.5%.
    const any = json.metrics.rpr_any_amount;
    expect(any.exclusions).toEqual({ 'missing customer': 1 });
    expect(any.excludedAllPeriods).toEqual({ 'missing customer': 1, 'missing or invalid date': 1 });
    expect(any.n).toBe(8);
    expect(any.value).toBeCloseTo(37.5, 10);
  });

  it('breakdown by the customer’s latest value in the window, tested per group and BH-adjusted', () => {
    // Current: A EMEA (repeat), B EMEA, D EMEA (latest order 2026-10-20 is EMEA) → 1/3;
    //          C APAC (repeat), E APAC (repeat) → 2/2.
    // Previous: A EMEA → 0/1; C APAC (repeat), D APAC (its only order then was APAC), E APAC (repeat) → 2/3.
    const groups = json.metrics.rpr.breakdowns.region;
    const emea = groups.find((g: any) => g.group === 'EMEA');
    const apac = groups.find((g: any) => g.group === 'APAC');
    expect(emea).toMatchObject({ n: 3, previous: { period: '2026-09', n: 1 } });
    expect(emea.value).toBeCloseTo(100 / 3, 10);
    expect(emea.previous.value).toBe(0);
    expect(apac).toMatchObject({ n: 2, value: 100, lowSample: true });
    expect(apac.previous.value).toBeCloseTo(200 / 3, 10);
    expect(groups.reduce((s: number, g: any) => s + g.n, 0)).toBe(json.metrics.rpr.n);
    // EMEA: pooled 1/4, SE = √(0.25·0.75·(1 + 1/3)) = 0.5, z = (1/3 − 0)/0.5 = 0.666667
    expect(emea.p).toBeCloseTo(2 * (1 - normalCdf(2 / 3)), 8);
    expect(emea.pAdjusted).not.toBeNull();
  });

  it('series from the first period with data; each point is its own window', () => {
    const s = json.metrics.rpr.series;
    expect(s[0].period).toBe('2025-10');
    expect(s).toHaveLength(13);
    // 2025-10: window [2024-11-01, 2025-11-01) holds D's 2025-10-15 only → 0/1
    expect(s[0]).toMatchObject({ value: 0, n: 1, lowSample: true });
    // 2026-02: window [2025-03-01, 2026-03-01): A 1, D 1, E 2 (12-01, 02-01) → 1/3
    const feb = s.find((p: any) => p.period === '2026-02');
    expect(feb.n).toBe(3);
    expect(feb.value).toBeCloseTo(100 / 3, 10);
    expect(s[s.length - 1]).toMatchObject({ period: '2026-10', n: 5 });
  });

  it('a period without purchases in its window is "no data", never NaN', async () => {
    // allow_empty: a period without data is otherwise an error (coverage.ts)
    const allowEmpty = CONFIG.replace(/type: repeat-purchase-rate, /g, 'type: repeat-purchase-rate, allow_empty: true, ').replace(/( +)type: repeat-purchase-rate\n/g, '$1type: repeat-purchase-rate\n$1allow_empty: true\n');
    const r = await buildProject(allowEmpty, ROWS, '2028-06');
    const m = JSON.parse(r.metrics).metrics.rpr;
    expect(m).toMatchObject({ value: null, n: 0, ci: null, se: null, lowSample: true, delta: null, p: null });
    expect(r.metrics).not.toMatch(/NaN|Infinity/);
  });

  it('default visual: a trend chart whose title carries the message, and the purchases table', () => {
    const section = result.model.sections.find((s) => s.type === 'metric') as any;
    const chart = section.blocks.find((b: any) => b.kind === 'chart').chart;
    expect(chart.title).toBe('60.0% of buying customers bought more than once in the 365-day window to 2026-10-31, against September 2026: within noise (not significant)');
    expect(chart.alt).toContain('Oct 2026 60.0% (n = 5)');
    expect(chart.spec.width).toBe(600);
    const table = section.blocks.find((b: any) => b.kind === 'table').table;
    // 1 purchase: B, D; 2: A, C; 3: E
    expect(table.rows.slice(0, 3).map((r: any) => r.cells)).toEqual([
      ['1', '2', '40.0%'],
      ['2', '2', '40.0%'],
      ['3', '1', '20.0%'],
    ]);
    expect(result.html).toContain('bought more than once');
  });
});

describe('config errors', () => {
  it('an unknown column is located at its key, with the nearest column as a hint', async () => {
    const config = CONFIG.replace('    date: order_date\n', '    date: order_dat\n');
    const lines = config.split('\n');
    const line = lines.findIndex((l) => l.includes('order_dat') && !l.includes('order_date')) + 1;
    const error = await buildProject(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CxError);
    const e = error as CxError;
    expect(e.message).toBe('metric "rpr": column "order_dat" not found in source "orders" (data/orders.csv)');
    expect(e.location).toMatchObject({ line, column: lines[line - 1].indexOf('order_dat') + 1 });
    expect(e.hint).toContain('order_date');
  });

  it('an unknown amount column is located too', async () => {
    const config = CONFIG.replace('    amount: amount\n', '    amount: amt\n');
    const e = (await buildProject(config).catch((x: unknown) => x)) as CxError;
    expect(e).toBeInstanceOf(CxError);
    expect(e.location?.line).toBe(config.split('\n').findIndex((l) => l.includes('amount: amt')) + 1);
  });
});

describe('properties', () => {
  /** The rate computed with a plain loop, independent of the module. */
  function reference(orders: { customer: string; day: number; region: string }[], from: number, to: number) {
    const counts = new Map<string, number>();
    for (const o of orders) if (o.day >= from && o.day < to) counts.set(o.customer, (counts.get(o.customer) ?? 0) + 1);
    const n = counts.size;
    const x = [...counts.values()].filter((k) => k > 1).length;
    return { n, x };
  }

  it('shares in [0, 100], x ≤ n, interval around the value, breakdown counts add up, and equal to a plain loop', async () => {
    const base = Date.UTC(2026, 0, 1) / 86_400_000;
    const order = fc.record({ customer: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), day: fc.integer({ min: 0, max: 364 }), region: fc.constantFrom('N', 'S', 'E') });
    await fc.assert(
      fc.asyncProperty(fc.array(order, { minLength: 1, maxLength: 40 }), fc.integer({ min: 20, max: 200 }), async (orders, windowDays) => {
        const rows = orders.map((o, i) => [i + 1, o.customer, new Date((base + o.day) * 86_400_000).toISOString().slice(0, 10), 10, o.region]);
        const config = `report: { title: P, period: { granularity: month, current: "2026-12" }, min_sample: 3 }
sources: { orders: { type: csv, path: data/orders.csv } }
metrics: { rpr: { type: repeat-purchase-rate, source: orders, date: order_date, window_days: ${windowDays}, allow_empty: true } }
sections:
  - { type: breakdown, metric: rpr, by: region }
`;
        const r = JSON.parse((await buildProject(config, rows)).metrics).metrics.rpr;
        const end = base + 365; // 2027-01-01
        const ref = reference(orders.map((o) => ({ ...o, day: base + o.day })), end - windowDays, end);
        expect(r.n).toBe(ref.n);
        expect(r.repeatCustomers).toBe(ref.x);
        if (ref.n === 0) {
          expect(r.value).toBeNull();
          return;
        }
        expect(r.value).toBeCloseTo((100 * ref.x) / ref.n, 10);
        expect(r.value).toBeGreaterThanOrEqual(0);
        expect(r.value).toBeLessThanOrEqual(100);
        expect(r.ci[0]).toBeLessThanOrEqual(r.value + 1e-9);
        expect(r.ci[1]).toBeGreaterThanOrEqual(r.value - 1e-9);
        expect(r.ci[0]).toBeGreaterThanOrEqual(0);
        expect(r.ci[1]).toBeLessThanOrEqual(100);
        const groups = r.breakdowns.region as any[];
        expect(groups.reduce((s, g) => s + g.n, 0)).toBe(r.n);
        for (const g of groups) if (g.value !== null) expect(g.value).toBeGreaterThanOrEqual(0), expect(g.value).toBeLessThanOrEqual(100);
        const shares = r.purchaseDistribution.reduce((s: number, d: any) => s + d.customers, 0);
        expect(shares).toBe(r.n);
        for (const p of r.series) if (p.value !== null) expect(p.value).toBeGreaterThanOrEqual(0), expect(p.value).toBeLessThanOrEqual(100);
      }),
      { numRuns: 25, seed: 20261024 },
    );
  });
});

describeShared('CDNOW master file: calendar 1997, against a plain loop', () => {
  // lifetimes' CDNOW_master.txt: whitespace-separated `customer_id date(YYYYMMDD) cds dollars`.
  let rows: { id: string; date: string; dollars: string }[] = [];
  let result: any;
  let resultDays: any;
  beforeAll(async () => {
    rows = readFileSync(sharedFile('cdnow', 'lifetimes_CDNOW_master.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 4 && /^\d{8}$/.test(f[1]))
      .map(([id, date, , dollars]) => ({ id, date, dollars }));
    const fixture = csv(
      ['customer_id', 'order_date', 'amount'],
      rows.map((r) => [r.id, `${r.date.slice(0, 4)}-${r.date.slice(4, 6)}-${r.date.slice(6, 8)}`, r.dollars]),
    );
    const config = `report: { title: CDNOW, period: { granularity: year, current: "1997" } }
sources: { orders: { type: csv, path: data/orders.csv } }
metrics:
  rpr: { type: repeat-purchase-rate, source: orders, date: order_date, amount: amount, window_days: 365 }
  rpr_days: { type: repeat-purchase-rate, source: orders, date: order_date, amount: amount, purchases: days }
  rpr_any_amount: { type: repeat-purchase-rate, source: orders, date: order_date }
sections:
  - { type: kpis, metrics: [rpr, rpr_days, rpr_any_amount] }
`;
    const dir = makeProject({ 'cxreport.yaml': config, 'data/orders.csv': fixture });
    const metrics = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics;
    result = metrics.rpr;
    resultDays = metrics.rpr_days;
  });

  it('matches a plain loop over 1997-01-01..1997-12-31 (orders and purchase days)', () => {
    expect(rows).toHaveLength(69659);
    const orders = new Map<string, number>();
    const days = new Map<string, Set<string>>();
    for (const r of rows) {
      if (r.date < '19970101' || r.date > '19971231') continue;
      orders.set(r.id, (orders.get(r.id) ?? 0) + 1);
      days.set(r.id, (days.get(r.id) ?? new Set()).add(r.date));
    }
    const n = orders.size;
    const x = [...orders.values()].filter((k) => k > 1).length;
    const xDays = [...days.values()].filter((s) => s.size > 1).length;
    // Every CDNOW customer made their first purchase in 1997-01..03, so all 23,570 buy in 1997.
    expect(n).toBe(23570);
    expect(result.n).toBe(n);
    expect(result.repeatCustomers).toBe(x);
    expect(result.value).toBeCloseTo((100 * x) / n, 10);
    expect(resultDays.repeatCustomers).toBe(xDays);
    expect(resultDays.value).toBeCloseTo((100 * xDays) / n, 10);
    expect(result.excludedAllPeriods).toEqual({});
    // recorded for the report: 1997 repeat purchase rate of the CDNOW master file
    expect(result.value).toBeCloseTo(REFERENCE_ORDERS, 3);
    expect(resultDays.value).toBeCloseTo(REFERENCE_DAYS, 3);
  });
});

/**
 * The 1997 rates on the CDNOW master file, from the plain loop above (and, independently, a
 * Python loop over the raw text): 10,644 of 23,570 customers with more than one order
 * (45.1591%); 10,490 with more than one purchase day (44.5057%).
 */
const REFERENCE_ORDERS = (100 * 10644) / 23570;
const REFERENCE_DAYS = (100 * 10490) / 23570;


describe('in Simplified Chinese (report.locale: zh-CN)', () => {
  let zh: BuildResult;
  let text: string;
  beforeAll(async () => {
    zh = await buildProject(CONFIG.replace('  min_sample: 3\n', '  min_sample: 3\n  locale: zh-CN\n'));
    text = metricSectionText(zh.html);
  });

  it('the message set has the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('method, test and default label are Chinese; the numbers are those of the English report', () => {
    const r = zh.computed.results.get('rpr')!;
    expect(r.method).toContain('复购率 = 截至期末的 365 天内购买超过一次的客户数 ÷ 该窗口内至少购买一次的客户数 × 100，购买次数按订单计');
    expect(r.method).toContain('，或金额缺失、非数字或为负的行会被排除');
    expect(zh.computed.results.get('rpr_days')!.method).toContain('按购买日计（同一天的多笔订单只计一次）');
    expect(r.method).not.toMatch(/customers|purchases|window|Breakdowns/);
    const m = JSON.parse(zh.metrics).metrics.rpr;
    expect(m).toMatchObject({ label: '复购率', test: '双比例 z 检验（合并比例）', value: json.metrics.rpr.value, n: json.metrics.rpr.n, p: json.metrics.rpr.p });
    expect(m.purchaseDistribution).toEqual(json.metrics.rpr.purchaseDistribution);
  });

  it('the metric section speaks Chinese: chart title, caption, axis, table and footnote', () => {
    expect(text).toContain('截至 2026年10月31日的 365 天窗口内，60.0% 的购买客户购买了不止一次，与 2026年9月的差异在随机波动范围内（不显著）');
    expect(text).toContain('每月的复购率，每个点均按截至期末的 365 天计算，含 95% Wilson 置信区间。n = 5，即当前窗口内有购买的客户数。数据来源：orders。');
    expect(text).toContain('365 天复购率折线图：');
    expect(text).toContain('26年10月 60.0%（n = 5）');
    expect(text).toContain('复购率（%）');
    expect(text).toContain('2025年11月1日至 2026年10月31日按购买次数划分的客户 购买次数 客户数 占比');
    expect(text).toContain('10 及以上');
    expect(text).toContain('5 位客户中有 3 位购买了不止一次。');
    const english = ['customers', 'Customers', 'Purchases', 'Share', 'Source:', 'window', 'bought', 'Line chart', 'significant', 'or more', 'Oct 2026', 'October', 'Repeat purchase', ' pts', ' per month', ' to 2026'];
    expect(english.filter((w) => text.includes(w))).toEqual([]);
  });
});
