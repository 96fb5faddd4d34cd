/**
 * Cohort retention: subscription and activity-log fixtures worked by hand through the pipeline
 * (triangle, pooled value and Wilson interval, the overlap-aware change test, breakdown,
 * exclusions), located config errors, and property tests against a brute-force recount.
 */
import { computeDirect } from '../../../test/direct.js';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { csv, makeProject } from '../../../test/project.js';
import { CxError } from '../../kernel/errors.js';
import { build } from '../../app/pipeline.js';
import { parseCsv } from '../../sources/csv.js';
import { sameKeys } from '../../kernel/i18n.js';
import { cohortRetentionModule, cohortRetentionSchema, MESSAGES, overlapZTest, type CohortRow } from './index.js';
import type { MetricResult } from '../module.js';
import { shiftPeriod } from '../../kernel/period.js';
import { normalCdf, twoProportionZTest } from '../../kernel/stats.js';
import { metricSectionText } from '../../../test/html-text.js';

/**
 * Subscriptions (report period April 2026; cohorts: 4, at: 1). Lifetime in periods = end period − start period.
 *   Dec 2025: d1 (active), d2 (ends 2026-01-15: life 1)                       EMEA, EMEA
 *   Jan 2026: a1 (active), a2 (ends 01-20: life 0), a3 (02-10: 1), a4 (03-05: 2)  EMEA, EMEA, APAC, APAC
 *   Feb 2026: b1 (active), b2 (ends 02-25: life 0)                             EMEA, APAC
 *   Mar 2026: m1 (active), m2 (ends 04-02: life 1), m3 (03-30: life 0)         APAC, EMEA, EMEA
 *   Apr 2026: p1 (active)                                                      EMEA
 * A customer is active k periods after joining while life ≥ k.
 */
const CUSTOMERS: (string | null)[][] = [
  ['d1', '2025-12-03', null, 'EMEA'],
  ['d2', '2025-12-20', '2026-01-15', 'EMEA'],
  ['a1', '2026-01-02', null, 'EMEA'],
  ['a2', '2026-01-05', '2026-01-20', 'EMEA'],
  ['a3', '2026-01-09', '2026-02-10', 'APAC'],
  ['a4', '2026-01-30', '2026-03-05', 'APAC'],
  ['b1', '2026-02-02', null, 'EMEA'],
  ['b2', '2026-02-12', '2026-02-25', 'APAC'],
  ['m1', '2026-03-01', null, 'APAC'],
  ['m2', '2026-03-15', '2026-04-02', 'EMEA'],
  ['m3', '2026-03-20', '2026-03-30', 'EMEA'],
  ['p1', '2026-04-07', null, 'EMEA'],
  ['bad', '2026-04-08', '2026-04-01', 'EMEA'], // end before start (April)
];

/** Activity log (report period March 2026; cohorts: 3, at: 1). */
const ORDERS: (string | number | null)[][] = [
  [1, 'u1', '2026-01-05', 'web'],
  [2, 'u1', '2026-01-20', 'app'],
  [3, 'u1', '2026-02-11', 'app'],
  [4, 'u2', '2026-01-10', 'app'],
  [5, 'u2', '2026-03-03', 'web'],
  [6, 'u3', '2026-02-01', 'web'],
  [7, 'u3', '2026-02-15', 'web'],
  [8, 'u3', '2026-03-09', 'web'],
  [9, 'u4', '2026-02-20', 'app'],
  [10, 'u5', '2026-03-01', 'web'],
  [11, null, '2026-03-04', 'web'], // missing id (March)
  [12, 'u6', '03/04/2026', 'web'], // missing or invalid date (undated)
];

const CONFIG = (current: string) => `report:
  title: Cohorts
  period: { granularity: month, current: "${current}" }
  min_sample: 3
sources:
  customers: { type: csv, path: data/customers.csv }
  orders: { type: csv, path: data/orders.csv }
metrics:
  subs: { type: cohort-retention, source: customers, id: customer_id, start: signup_date, end: cancel_date, cohorts: 4, at: 1 }
  buyers: { type: cohort-retention, source: orders, id: customer_id, date: order_date, cohorts: 3, at: 1 }
sections:
  - { type: metric, metric: subs }
  - { type: metric, metric: buyers }
  - { type: breakdown, metric: subs, by: region }
  - { type: breakdown, metric: buyers, by: channel }
`;

function project(current: string, config = CONFIG(current)): string {
  return makeProject({
    'cxreport.yaml': config,
    'data/customers.csv': csv(['customer_id', 'signup_date', 'cancel_date', 'region'], CUSTOMERS),
    'data/orders.csv': csv(['order_id', 'customer_id', 'order_date', 'channel'], ORDERS),
  });
}

async function metricsFor(current: string): Promise<{ json: any; html: string }> {
  const dir = project(current);
  const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  return { json: JSON.parse(result.metrics).metrics, html: result.html };
}

let april: any;
let march: any;
let aprilHtml: string;

beforeAll(async () => {
  const a = await metricsFor('2026-04');
  april = a.json;
  aprilHtml = a.html;
  march = (await metricsFor('2026-03')).json;
});

describe('subscriptions (worked by hand)', () => {
  // Triangle in April, the 4 cohorts Jan–Apr (active at k = size − customers with life < k):
  //   Jan (4): k0 4, k1 4 − 1 (a2) = 3, k2 4 − 2 (a2, a3) = 2, k3 4 − 3 = 1
  //   Feb (2): k0 2, k1 1 (b2 gone), k2 1
  //   Mar (3): k0 3, k1 2 (m3 gone)
  //   Apr (1): k0 1
  it('the triangle', () => {
    const rows = april.subs.cohorts as CohortRow[];
    expect(rows.map((r) => [r.cohort, r.size, r.retention.map((c) => c.active)])).toEqual([
      ['2026-01', 4, [4, 3, 2, 1]],
      ['2026-02', 2, [2, 1, 1]],
      ['2026-03', 3, [3, 2]],
      ['2026-04', 1, [1]],
    ]);
    expect(rows[0].retention.map((c) => c.share)).toEqual([100, 75, 50, 25]);
    expect(rows.every((r) => r.retention[0].share === 100)).toBe(true);
  });
  // Value (at = 1): the cohorts shown that reached k = 1 are Jan, Feb, Mar:
  //   (3 + 1 + 2)/(4 + 2 + 3) = 6/9 = 66.666667%.
  // Wilson: denominator 1 + 3.841459/9 = 1.426829; centre (0.666667 + 3.841459/18)/1.426829 = 0.616809;
  //   half = 1.959964·√(0.666667·0.333333/9 + 3.841459/324)/1.426829 = 0.262607 → [35.420213%, 87.941618%].
  it('value: pooled k = 1 retention with its Wilson interval', () => {
    const s = april.subs;
    expect(s.value).toBeCloseTo(200 / 3, 10);
    expect(s.n).toBe(9);
    expect(s.ci[0]).toBeCloseTo(35.420213, 5);
    expect(s.ci[1]).toBeCloseTo(87.941618, 5);
    expect(s.window).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(s.label).toBe('Month-1 retention');
    expect(s.averageByK.map((a: any) => [a.k, a.active, a.size])).toEqual([[0, 10, 10], [1, 6, 9], [2, 3, 6], [3, 1, 4]]);
  });
  // March's window: Dec, Jan, Feb: Dec k1 = 2 (d2's life is 1), Jan 3, Feb 1 → 6/8 = 75%.
  // Change test (shared cohorts Jan and Feb counted once): W1 = {Dec, Jan, Feb}, n1 = 8; W2 = {Jan, Feb, Mar}, n2 = 9.
  //   p̂ over the union = (2 + 3 + 1 + 2)/(2 + 4 + 2 + 3) = 8/11 = 0.727273.
  //   a_Dec = −1/8, a_Jan = a_Feb = 1/9 − 1/8 = −1/72, a_Mar = 1/9;
  //   Σ a²·n = 2/64 + 4/5184 + 2/5184 + 3/81 = 0.069444;
  //   Var D = 0.727273·0.272727·0.069444 = 0.013774, SD 0.117363;
  //   D = 6/9 − 6/8 = −0.083333 → z = −0.710047, p = 2·(1 − Φ(0.710047)) = 0.477675.
  //   (Treating the windows as independent would give z = −0.376, p = 0.707: the overlap matters.)
  it('previous period and the overlap-aware z-test', () => {
    const s = april.subs;
    expect(s.previous).toMatchObject({ period: '2026-03', n: 8, value: 75 });
    expect(s.delta).toBeCloseTo(200 / 3 - 75, 10);
    expect(s.statistic).toBeCloseTo(-0.710047, 5);
    expect(s.p).toBeCloseTo(0.477675, 5);
    expect(s.p).toBeCloseTo(2 * (1 - normalCdf(0.710047)), 5);
    expect(s.significant).toBe(false);
    // the previous value is March's headline value
    expect(march.subs.value).toBe(75);
    expect(march.subs.n).toBe(8);
  });
  it('series: from the first cohort + at to the current period', () => {
    // first cohort Dec 2025 → first value in Jan 2026 (window {Dec}: 2/2)
    // Feb 2026: window {Dec, Jan}: (2 + 3)/(2 + 4) = 83.3%.
    const series = april.subs.series;
    expect(series.map((p: any) => [p.period, p.n])).toEqual([['2026-01', 2], ['2026-02', 6], ['2026-03', 8], ['2026-04', 9]]);
    [100, 500 / 6, 75, 200 / 3].forEach((v, i) => expect(series[i].value).toBeCloseTo(v, 10));
  });
  it('breakdown by region: customers grouped by their value; n sums to the total', () => {
    // EMEA: Jan {a1, a2} → 1/2, Feb {b1} → 1/1, Mar {m2, m3} → 1/2: 3/5 = 60%.
    // APAC: Jan {a3, a4} → 2/2, Feb {b2} → 0/1, Mar {m1} → 1/1: 3/4 = 75%.
    const groups = april.subs.breakdowns.region;
    expect(groups.map((g: any) => [g.group, g.n, g.value])).toEqual([['APAC', 4, 75], ['EMEA', 5, 60]]);
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(april.subs.n);
  });
  it('exclusions', () => {
    expect(april.subs.exclusions).toEqual({ 'end before start': 1 });
    expect(march.subs.exclusions).toEqual({});
    expect(march.subs.excludedAllPeriods).toEqual({ 'end before start': 1 });
  });
  it('renders the heatmap and the triangle table', () => {
    expect(aprilHtml).toContain('Month-1 retention averages 66.7% over 3 cohorts: from 50.0% (Feb 2026) to 75.0% (Jan 2026)');
    expect(aprilHtml).toContain('Retention triangle');
  });
});

describe('activity log (worked by hand)', () => {
  // Cohort = month of the first order: Jan {u1, u2}, Feb {u3, u4}, Mar {u5}.
  // Active k months later = any order in that month: u1 Jan, Feb; u2 Jan, Mar; u3 Feb, Mar; u4 Feb; u5 Mar.
  //   Jan (2): k0 2, k1 1 (u1), k2 1 (u2);  Feb (2): k0 2, k1 1 (u3);  Mar (1): k0 1.
  // Value (at = 1): (1 + 1)/(2 + 2) = 50%; Wilson [15.003899%, 84.996101%].
  it('triangle, value and interval', () => {
    const b = march.buyers;
    expect(b.mode).toBe('activity');
    expect((b.cohorts as CohortRow[]).map((r) => [r.cohort, r.size, r.retention.map((c) => c.active)])).toEqual([
      ['2026-01', 2, [2, 1, 1]],
      ['2026-02', 2, [2, 1]],
      ['2026-03', 1, [1]],
    ]);
    expect(b.value).toBe(50);
    expect(b.n).toBe(4);
    expect(b.ci[0]).toBeCloseTo(15.003899, 5);
    expect(b.ci[1]).toBeCloseTo(84.996101, 5);
  });
  it('group = the value on the customer’s first row', () => {
    // u1's first row is "web" (later rows "app"), u2 "app", u3 "web", u4 "app".
    // web: Jan {u1} 1/1, Feb {u3} 1/1 → 100%; app: Jan {u2} 0/1, Feb {u4} 0/1 → 0%.
    const groups = march.buyers.breakdowns.channel;
    expect(groups.map((g: any) => [g.group, g.n, g.value])).toEqual([['app', 2, 0], ['web', 2, 100]]);
  });
  it('exclusions: missing id in March, an undatable row in no period', () => {
    expect(march.buyers.exclusions).toEqual({ 'missing id': 1 });
    expect(march.buyers.excludedAllPeriods).toEqual({ 'missing id': 1, 'missing or invalid date': 1 });
  });
});

describe('located config errors', () => {
  const attempt = async (config: string) => {
    const dir = project('2026-04', config);
    return build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => {
        throw new Error('expected an error');
      },
      (e: unknown) => e as CxError,
    );
  };
  it('an unknown date column: file:line:col and the nearest column', async () => {
    const e = await attempt(CONFIG('2026-04').replace('date: order_date', 'date: order_dat'));
    expect(e).toBeInstanceOf(CxError);
    // line 10: "  buyers: { type: cohort-retention, source: orders, id: customer_id, date: order_dat, cohorts: 3, at: 1 }"
    expect(`${e.location?.file}:${e.location?.line}:${e.location?.column}`).toBe('cxreport.yaml:10:76');
    expect(e.message).toBe('metric "buyers": column "order_dat" not found in source "orders" (data/orders.csv)');
    expect(e.hint).toMatch(/^did you mean `order_date`\?/);
  });
  it('both `start` and `date`: points at the metric', async () => {
    const e = await attempt(CONFIG('2026-04').replace('cancel_date, cohorts: 4', 'cancel_date, date: signup_date, cohorts: 4'));
    expect(e.kind).toBe('config');
    expect(`${e.location?.file}:${e.location?.line}`).toBe('cxreport.yaml:9');
    expect(e.message).toMatch(/either `start`\/`end` \(subscriptions\) or `date` \(activity log\), not both/);
  });
  it('at must be below cohorts', async () => {
    const e = await attempt(CONFIG('2026-04').replace('cohorts: 4, at: 1', 'cohorts: 4, at: 4'));
    expect(e.message).toBe('metric "subs": at (4) must be below cohorts (4)');
    // line 9: "  subs: { type: cohort-retention, …, cohorts: 4, at: 4 }" — points at the value of `at`
    expect(`${e.location?.line}:${e.location?.column}`).toBe('9:125');
    expect(e.hint).toBe('use at ≤ 3, or show more cohorts');
  });
});

describe('the overlap z-test', () => {
  it('reduces to the pooled two-proportion z-test for disjoint windows', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 50 }), fc.nat(), fc.nat(), (n1, n2, a, b) => {
        const x1 = a % (n1 + 1);
        const x2 = b % (n2 + 1);
        const t = overlapZTest([{ cohort: 1, x: x1, n: n1 }], [{ cohort: 2, x: x2, n: n2 }]);
        const ref = twoProportionZTest(x1, n1, x2, n2);
        if (Number.isNaN(ref.z)) expect(t.z).toBeNull();
        else {
          expect(t.z).toBeCloseTo(ref.z, 10);
          expect(t.p).toBeCloseTo(ref.p, 10);
        }
      }),
    );
  });
  it('is 0 (no test) for identical windows', () => {
    const w = [{ cohort: 1, x: 3, n: 5 }];
    expect(overlapZTest(w, w)).toEqual({ z: null, p: null });
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, calling the module directly
// ---------------------------------------------------------------------------------------------

function direct(raw: Record<string, unknown>, header: string[], rows: (string | number | null)[][], period: string, breakdowns: string[] = []): MetricResult {
  const source = parseCsv(csv(header, rows), { name: 'data', path: 'data.csv' });
  const def = cohortRetentionSchema.parse({ type: 'cohort-retention', source: 'data', id: 'customer_id', ...raw });
  return computeDirect(cohortRetentionModule, source, def, period, breakdowns);
}

const day = (n: number) => new Date(Date.UTC(2025, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
const monthOf = (iso: string) => iso.slice(0, 7);
const monthsBetween = (a: string, b: string) => (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7));

function checkCommon(r: MetricResult, at: number) {
  const rows = r.extra.cohorts as CohortRow[];
  for (const row of rows) {
    expect(row.retention[0].share).toBe(100);
    for (const c of row.retention) {
      expect(c.share).toBeGreaterThanOrEqual(0);
      expect(c.share).toBeLessThanOrEqual(100);
    }
  }
  // the value is the pooled k = at share of the shown cohorts that reached it
  const reached = rows.filter((row) => row.retention[at]);
  const x = reached.reduce((a, row) => a + row.retention[at].active, 0);
  const n = reached.reduce((a, row) => a + row.size, 0);
  expect(r.n).toBe(n);
  if (n === 0) expect(r.value).toBeNull();
  else expect(r.value).toBeCloseTo((100 * x) / n, 10);
  expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
}

describe('properties', () => {
  it('subscriptions: brute-force recount, shares in [0, 100], non-increasing in k, groups sum to n', () => {
    const arb = fc.array(fc.record({ start: fc.integer({ min: 0, max: 600 }), life: fc.option(fc.integer({ min: 0, max: 300 }), { nil: null }), seg: fc.constantFrom('A', 'B') }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 5 }), (customers, offset, at) => {
        const period = shiftPeriod('2025-01', offset, 'month');
        const data = customers.map((c, i) => ({ id: `c${i}`, s: day(c.start), e: c.life === null ? null : day(c.start + c.life), seg: c.seg }));
        const r = direct({ start: 'signup_date', end: 'cancel_date', cohorts: 6, at }, ['customer_id', 'signup_date', 'cancel_date', 'seg'], data.map((d) => [d.id, d.s, d.e, d.seg]), period, ['seg']);
        checkCommon(r, at);
        for (const row of r.extra.cohorts as CohortRow[]) {
          const members = data.filter((d) => monthOf(d.s) === row.cohort);
          expect(row.size).toBe(members.length);
          row.retention.forEach((c, k) => {
            // active in month cohort + k: no end, or an end in that month or later
            const target = shiftPeriod(row.cohort, k, 'month');
            expect(c.active).toBe(members.filter((m) => m.e === null || monthsBetween(target, monthOf(m.e)) >= 0).length);
            if (k > 0) expect(c.active).toBeLessThanOrEqual(row.retention[k - 1].active);
          });
        }
        expect(r.breakdowns.seg.reduce((a, g) => a + g.n, 0)).toBe(r.n);
      }),
      { numRuns: 120 },
    );
  });
  it('activity log: brute-force recount of distinct active customers', () => {
    const arb = fc.array(fc.record({ who: fc.integer({ min: 0, max: 15 }), d: fc.integer({ min: 0, max: 500 }) }), { minLength: 1, maxLength: 80 });
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 17 }), (events, offset) => {
        const period = shiftPeriod('2025-01', offset, 'month');
        const rows = events.map((e, i) => [i, `u${e.who}`, day(e.d)]);
        const r = direct({ date: 'order_date', cohorts: 6, at: 2 }, ['order_id', 'customer_id', 'order_date'], rows, period);
        checkCommon(r, 2);
        const first = new Map<string, string>();
        for (const e of events) {
          const m = monthOf(day(e.d));
          const id = `u${e.who}`;
          if (!first.has(id) || m < first.get(id)!) first.set(id, m);
        }
        for (const row of r.extra.cohorts as CohortRow[]) {
          const members = [...first].filter(([, m]) => m === row.cohort).map(([id]) => id);
          expect(row.size).toBe(members.length);
          row.retention.forEach((c, k) => {
            const target = shiftPeriod(row.cohort, k, 'month');
            expect(c.active).toBe(members.filter((id) => events.some((e) => `u${e.who}` === id && monthOf(day(e.d)) === target)).length);
          });
        }
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
    const config = CONFIG('2026-04').replace('  min_sample: 3\n', '  min_sample: 3\n  locale: zh-CN\n').replace('date: order_date, cohorts: 3,', 'date: order_date, filter: { channel: web }, cohorts: 3,');
    const dir = project('2026-04', config);
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const subs = result.computed.results.get('subs')!;
    const buyers = result.computed.results.get('buyers')!;
    expect(subs.value).toBeCloseTo(200 / 3, 10); // numbers unchanged
    expect(subs.label).toBe('第 1 个月留存率');
    expect(subs.test).toBe('合并比例的双比例 z 检验，两个窗口共有的同期群只计一次');
    expect(subs.method).toContain('客户按开始日期（`signup_date`）所在月划分为同期群');
    expect(subs.method).toContain('留存三角显示截至当前月最近的 4 个同期群');
    expect(buyers.method).toContain('第一条记录所在月划分为同期群');
    expect(buyers.method).toContain('取值（以其第一条记录为准）分组');
    expect(buyers.method).toContain('仅统计满足 channel = web 的行。');
    for (const method of [subs.method, buyers.method]) for (const word of ['Customers', 'cohort', 'interval', 'Change vs', 'Rows', 'Breakdowns', 'Source:']) expect(method, word).not.toContain(word);

    const text = metricSectionText(result.html);
    expect(text).toContain('3 个同期群的第 1 个月留存率平均为 66.7%：从 50.0%（2026年2月）到 75.0%（2026年1月）');
    expect(text).toContain('每月新客户在 k 个月后仍活跃的比例（订阅与该期有重叠）。共 4 个同期群、10 位客户。数据来源：customers。');
    expect(text).toContain('每月新客户在 k 个月后仍活跃的比例（该期内至少有一次活动）。');
    expect(text).toContain('数据来源：orders（channel = web）。');
    expect(text).toContain('按同期群（行，2026年1月至 2026年4月）和加入后的时长（列，0 至 3 个月）展示的留存率热力图。2026年1月：100%、75%、50%、25%；');
    expect(text).toContain('留存三角：加入 k 个月后仍活跃的比例（%） 同期群 客户数 0 1 2 3 2026年1月 4 100.0 75.0 50.0 25.0');
    expect(text).toContain('列 k = 同期群首月之后 k 个月。空白单元格表示尚未到达该时点。客户少于 3 位的同期群以灰色显示。');
    expect(text).toContain('2026年1月（n = 4）'); // heatmap rows
    expect(text).toContain('加入后的月数'); // heatmap axis
    expect(text).toContain('活跃（%）'); // heatmap legend
    const visible = text.replace(/customers|orders/g, '');
    const english = ['Month', 'retention', 'Retention', 'cohort', 'Cohort', 'customers', 'Customers', 'Share', 'active', 'Active', 'joining', 'Source', 'Heatmap', 'Blank', 'greyed', 'M0', 'M1', 'Jan 2026', 'January', 'averages', 'subscription', 'activity'];
    expect(english.filter((w) => visible.includes(w))).toEqual([]);
  });
});
