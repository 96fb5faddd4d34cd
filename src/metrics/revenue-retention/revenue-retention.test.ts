/**
 * Revenue retention: an MRR bridge worked by hand through the pipeline (NRR, GRR, bridge,
 * breakdown, exclusions), the seeded bootstrap interval and change test, a located config error,
 * and property tests of the bridge against a brute-force recount.
 */
import { computeDirect } from '../../../test/direct.js';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { lcg } from '../../../test/engines.js';
import { csv, makeProject } from '../../../test/project.js';
import { CxError } from '../../kernel/errors.js';
import { build } from '../../app/pipeline.js';
import { parseCsv } from '../../sources/csv.js';
import type { MetricResult } from '../module.js';
import { sameKeys } from '../../kernel/i18n.js';
import { bootstrapChange, bootstrapRatio } from '../../kernel/bootstrap.js';
import { MESSAGES } from './messages.js';
import { monthOrdinal } from './prepare.js';
import { revenueRetentionModule, revenueRetentionSchema } from './index.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['customer_id', 'month', 'mrr', 'plan'];

/**
 *            Jan   Feb   Mar    plan
 *   a        100   120   150    pro
 *   b         50    40    —     basic
 *   c         80    80    60    pro
 *   g         20     0    —     basic   (0 = not paying)
 *   d          —    30    30    basic
 *   e          —     —    70    basic
 * plus invalid rows in March and one undatable row.
 */
const ROWS: (string | number | null)[][] = [
  ['a', '2026-01', 100, 'pro'],
  ['b', '2026-01', 50, 'basic'],
  ['c', '2026-01', 80, 'pro'],
  ['g', '2026-01', 20, 'basic'],
  ['a', '2026-02', 120, 'pro'],
  ['b', '2026-02', 40, 'basic'],
  ['c', '2026-02', 80, 'pro'],
  ['g', '2026-02', 0, 'basic'],
  ['d', '2026-02-28', 30, 'basic'], // an ISO date within the month is accepted
  ['a', '2026-03', 150, 'pro'],
  ['c', '2026-03', 60, 'pro'],
  ['d', '2026-03', 30, 'basic'],
  ['e', '2026-03', 70, 'basic'],
  ['f', '2026-03', -5, 'basic'], // negative MRR
  ['h', '2026-03', 'abc', 'basic'], // MRR not a number
  [null, '2026-03', 10, 'basic'], // missing id
  ['i', '2026-03', 10, 'basic'], // duplicate customer-month (both rows)
  ['i', '2026-03', 12, 'basic'],
  ['j', '2026-13', 10, 'basic'], // missing or invalid month (undated)
];

const CONFIG = `report:
  title: Revenue
  period: { granularity: month, current: latest }
  min_sample: 3
sources:
  mrr: { type: csv, path: data/mrr.csv }
metrics:
  nrr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr }
  grr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr, measure: grr }
sections:
  - { type: kpis, metrics: [nrr, grr] }
  - { type: metric, metric: nrr }
  - { type: breakdown, metric: nrr, by: plan }
`;

let json: any;
let html: string;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/mrr.csv': csv(HEADER, ROWS) });
  const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
  html = result.html;
});

describe('MRR bridge (worked by hand)', () => {
  // March (Feb → Mar snapshot): paying in Feb: a 120, b 40, c 80, d 30 → start = 270 (g is 0: not paying).
  //   a 120 → 150: expansion 30;  c 80 → 60: contraction 20;  d 30 → 30: no change;
  //   b absent in March: churned 40;  e new: 70.  End = 150 + 60 + 30 + 70 = 310 = 270 + 70 + 30 − 20 − 40.
  //   NRR = (270 + 30 − 20 − 40)/270 = 240/270 = 88.888889%;  GRR = (270 − 20 − 40)/270 = 210/270 = 77.777778%.
  it('latest period, bridge, NRR and GRR', () => {
    expect(json.period).toBe('2026-03');
    const m = json.metrics.nrr;
    expect(m.bridge).toMatchObject({ period: '2026-03', from: '2026-02', to: '2026-03', start: 270, new: 70, expansion: 30, contraction: 20, churned: 40, end: 310 });
    expect(m.bridge.customers).toEqual({ atStart: 4, new: 1, expanded: 1, contracted: 1, churned: 1, atEnd: 4 });
    expect(m.value).toBeCloseTo((100 * 240) / 270, 10);
    expect(m.nrr).toBeCloseTo((100 * 240) / 270, 10);
    expect(m.grr).toBeCloseTo((100 * 210) / 270, 10);
    expect(m.n).toBe(4);
    expect(m.unit).toBe('ratio');
    expect(json.metrics.grr.value).toBeCloseTo((100 * 210) / 270, 10);
    expect(json.metrics.grr.label).toBe('GRR');
  });
  // February (Jan → Feb): start = 100 + 50 + 80 + 20 = 250; a +20 expansion; b −10 contraction;
  //   g 20 → 0 churned 20; d new 30.  NRR = (250 + 20 − 10 − 20)/250 = 96%; GRR = (250 − 10 − 20)/250 = 88%.
  it('previous period and delta; no bootstrap test with fewer than 10 starting customers', () => {
    const m = json.metrics.nrr;
    expect(m.previous).toMatchObject({ period: '2026-02', n: 4 });
    expect(m.previous.value).toBeCloseTo(96, 10);
    expect(m.delta).toBeCloseTo((100 * 240) / 270 - 96, 10);
    expect(m.p).toBeNull();
    expect(m.test).toMatch(/not computed with fewer than 10 starting customers/);
    expect(m.bridges.map((b: any) => [b.period, b.start, b.end])).toEqual([['2026-02', 250, 270], ['2026-03', 270, 310]]);
    expect(m.trailing12).toBeNull();
  });
  it('series starts with the first period that has a previous snapshot', () => {
    expect(json.metrics.nrr.series.map((p: any) => [p.period, p.n])).toEqual([['2026-02', 4], ['2026-03', 4]]);
  });
  it('the bootstrap interval is a seeded percentile interval around the ratio', () => {
    const m = json.metrics.nrr;
    const num = Float64Array.from([150, 0, 60, 30]);
    const den = Float64Array.from([120, 40, 80, 30]);
    const boot = bootstrapRatio(num, den, 500, 1)!;
    expect(m.ci).toEqual(boot.ci);
    expect(m.se).toBeCloseTo(boot.se, 12);
    expect(m.ci[0]).toBeLessThan(m.value);
    expect(m.ci[1]).toBeGreaterThan(m.value);
    expect(m.bootstrap).toEqual({ resamples: 500, seed: 1, interval: 'percentile', generator: 'mulberry32' });
  });
  it('breakdown by plan: the value at the earlier snapshot; n sums to the total', () => {
    // pro: a 120 → 150, c 80 → 60: (200 + 30 − 20)/200 = 105%; basic: b 40 → 0, d 30 → 30: 30/70 = 42.857143%.
    const groups = json.metrics.nrr.breakdowns.plan;
    expect(groups.map((g: any) => [g.group, g.n])).toEqual([['basic', 2], ['pro', 2]]);
    expect(groups[0].value).toBeCloseTo((100 * 30) / 70, 10);
    expect(groups[1].value).toBeCloseTo(105, 10);
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(json.metrics.nrr.n);
  });
  it('counts every excluded row by reason, never coercing', () => {
    const m = json.metrics.nrr;
    expect(m.exclusions).toEqual({ 'duplicate customer-month': 2, 'missing id': 1, 'MRR not a number': 1, 'negative MRR': 1 });
    expect(m.excluded).toBe(5);
    expect(m.excludedAllPeriods['missing or invalid month']).toBe(1);
  });
  it('renders the waterfall and the bridge table', () => {
    expect(html).toContain('NRR 88.9% in March 2026: $60 contraction and churn outweighed $30 expansion (GRR 77.8%)');
    expect(html).toContain('MRR bridge per month');
  });
});

describe('month cells', () => {
  it('accept YYYY-MM and ISO dates, reject anything else', () => {
    expect(monthOrdinal('2026-03')).toBe(2026 * 12 + 2);
    expect(monthOrdinal('2026-03-31')).toBe(2026 * 12 + 2);
    expect(monthOrdinal('2026-03-31T23:00:00Z')).toBe(2026 * 12 + 2);
    for (const bad of ['2026-13', '2026-00', '03/2026', '202603', '', 'March']) expect(monthOrdinal(bad)).toBeNaN();
    expect(monthOrdinal(202603)).toBeNaN();
  });
});

describe('located config errors', () => {
  it('an unknown mrr column: file:line:col and the nearest column', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('mrr: mrr }\n  grr', 'mrr: mrrr }\n  grr'), 'data/mrr.csv': csv(HEADER, ROWS) });
    const e = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => undefined,
      (error: unknown) => error as CxError,
    );
    expect(e).toBeInstanceOf(CxError);
    // line 8: "  nrr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrrr }"
    expect(`${e!.location?.file}:${e!.location?.line}:${e!.location?.column}`).toBe('cxreport.yaml:8:84');
    expect(e!.message).toBe('metric "nrr": column "mrrr" not found in source "mrr" (data/mrr.csv)');
    expect(e!.hint).toMatch(/^did you mean `mrr`\?/);
  });
});

describe('bootstrap', () => {
  it('gives the same interval and test whatever the order of the rows (customers are visited in id order)', async () => {
    const built = async (rows: (string | number | null)[][]) => {
      const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/mrr.csv': csv(HEADER, rows) });
      return (await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics;
    };
    const shuffled = ROWS.map((r, i) => [(i * 7919) % ROWS.length, r] as const).sort((a, b) => a[0] - b[0]).map(([, r]) => r);
    expect(await built([...ROWS].reverse())).toBe(await built(ROWS));
    expect(await built(shuffled)).toBe(await built(ROWS));
  });

  it('is deterministic for a seed and collapses when every customer keeps the same share', () => {
    const den = Float64Array.from({ length: 50 }, (_, i) => 10 + i);
    const num = den.map((d) => 1.1 * d);
    const a = bootstrapRatio(num, den, 500, 7)!;
    expect(bootstrapRatio(num, den, 500, 7)).toEqual(a);
    expect(a.ci[0]).toBeCloseTo(110, 10);
    expect(a.ci[1]).toBeCloseTo(110, 10);
  });
  it('its standard error agrees with the delta-method (linearisation) SE of a ratio for many customers', () => {
    // Deterministic "random" customers: R = Σnum/Σden; linearised SE = √(Σ(num − R·den)²/(n(n − 1)))/mean(den).
    const rng = lcg(42);
    const n = 2000;
    const den = Float64Array.from({ length: n }, () => 50 + 200 * rng());
    const num = den.map((d) => (rng() < 0.1 ? 0 : d * (0.8 + 0.5 * rng())));
    const sum = (x: Float64Array) => x.reduce((a, b) => a + b, 0);
    const R = sum(num) / sum(den);
    const resid = num.map((v, i) => v - R * den[i]);
    const linear = (100 * Math.sqrt(sum(resid.map((r) => r * r)) / (n * (n - 1)))) / (sum(den) / n);
    const boot = bootstrapRatio(num, den, 1000, 3)!;
    expect(Math.abs(boot.se / linear - 1)).toBeLessThan(0.1);
    expect(boot.ci[0]).toBeLessThan(100 * R);
    expect(boot.ci[1]).toBeGreaterThan(100 * R);
  });
  it('the joint change test: a clear drop is significant, no change is not', () => {
    const customers = Int32Array.from({ length: 200 }, (_, i) => i);
    const den = Float64Array.from({ length: 200 }, (_, i) => 100 + (i % 7) * 10);
    const same = { customer: customers, den, num: den.map((d, i) => (i % 10 === 0 ? 0 : d)) };
    const drop = { customer: customers, den, num: den.map((d, i) => (i % 3 === 0 ? 0 : d)) };
    // identical periods: every resampled difference is 0
    expect(bootstrapChange(same, same, 500, 1)).toEqual({ statistic: null, p: 1 });
    // a different tenth of the customers churns: the same NRR up to the MRR mix
    const other = { customer: customers, den, num: den.map((d, i) => (i % 10 === 5 ? 0 : d)) };
    expect(bootstrapChange(same, other, 500, 1).p).toBeGreaterThan(0.5);
    const t = bootstrapChange(same, drop, 500, 1);
    expect(t.p).toBeLessThan(0.01);
    expect(t.statistic).toBeLessThan(-3);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties, calling the module directly
// ---------------------------------------------------------------------------------------------

function direct(rows: (string | number | null)[][], period: string, breakdowns: string[] = []): MetricResult {
  const source = parseCsv(csv(HEADER, rows), { name: 'mrr', path: 'mrr.csv' });
  const def = revenueRetentionSchema.parse({ type: 'revenue-retention', source: 'mrr', id: 'customer_id', month: 'month', mrr: 'mrr', resamples: 100 });
  return computeDirect(revenueRetentionModule, source, def, period, breakdowns);
}

describe('properties', () => {
  it('bridge = brute-force sums; start + new + expansion − contraction − churned = end; GRR ≤ 100 and ≤ NRR; groups sum to n', () => {
    const arb = fc.array(fc.record({ who: fc.integer({ min: 0, max: 12 }), m: fc.integer({ min: 0, max: 3 }), mrr: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500 })), plan: fc.constantFrom('x', 'y') }), { minLength: 1, maxLength: 50 });
    fc.assert(
      fc.property(arb, (raw) => {
        // one row per customer-month (later duplicates dropped here so the oracle is simple)
        const seen = new Set<string>();
        const rows = raw.filter((r) => !seen.has(`${r.who}-${r.m}`) && seen.add(`${r.who}-${r.m}`));
        const key = (m: number) => `2026-0${m + 1}`;
        const r = direct(rows.map((x) => [`u${x.who}`, key(x.m), x.mrr, x.plan]), '2026-04', ['plan']);
        const at = (m: number) => new Map(rows.filter((x) => x.m === m).map((x) => [x.who, x.mrr]));
        const before = at(2);
        const after = at(3);
        const hasBefore = rows.some((x) => x.m === 2);
        const hasAfter = rows.some((x) => x.m === 3);
        if (!hasBefore || !hasAfter) {
          expect(r.value).toBeNull();
          return;
        }
        let start = 0, expansion = 0, contraction = 0, churned = 0, added = 0, end = 0, nStart = 0;
        for (const [who, a] of before) {
          const b = after.get(who) ?? 0;
          if (a > 0) {
            start += a;
            nStart++;
            if (b === 0) churned += a;
            else if (b > a) expansion += b - a;
            else contraction += a - b;
          }
        }
        for (const [who, b] of after) {
          end += b;
          if (b > 0 && !((before.get(who) ?? 0) > 0)) added += b;
        }
        const bridge = r.extra.bridge as Record<string, number>;
        expect(bridge).toMatchObject({ start, new: added, expansion, contraction, churned, end });
        expect(bridge.start + bridge.new + bridge.expansion - bridge.contraction - bridge.churned).toBeCloseTo(bridge.end, 9);
        expect(r.n).toBe(nStart);
        if (start === 0) expect(r.value).toBeNull();
        else {
          const nrr = r.extra.nrr as number;
          const grr = r.extra.grr as number;
          expect(grr).toBeLessThanOrEqual(100 + 1e-9);
          expect(grr).toBeGreaterThanOrEqual(0);
          expect(grr).toBeLessThanOrEqual(nrr + 1e-9);
          expect(r.value).toBeCloseTo((100 * (start + expansion - contraction - churned)) / start, 9);
        }
        expect(r.breakdowns.plan.reduce((a, g) => a + g.n, 0)).toBe(r.n);
        expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity/);
      }),
      { numRuns: 150 },
    );
  });
});


describe('report.locale: zh-CN', () => {
  it('every message has the same keys and placeholders in English and Chinese', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('the method, test, title and default visual are Chinese', async () => {
    const config = CONFIG.replace('  min_sample: 3\n', '  min_sample: 3\n  locale: zh-CN\n')
      .replace('mrr: mrr, measure: grr }', 'mrr: mrr, measure: grr, filter: { plan: [pro, basic] } }')
      .replace('  - { type: metric, metric: nrr }\n', '  - { type: metric, metric: nrr }\n  - { type: metric, metric: grr }\n');
    const dir = makeProject({ 'cxreport.yaml': config, 'data/mrr.csv': csv(HEADER, ROWS) });
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const nrr = result.computed.results.get('nrr')!;
    const grr = result.computed.results.get('grr')!;
    // numbers unchanged
    expect(nrr.value).toBeCloseTo(2400 / 27, 10);
    expect(grr.value).toBeCloseTo(2100 / 27, 10);
    expect(nrr.label).toBe('NRR');
    expect(nrr.title).toBe('净收入留存率');
    expect(grr.title).toBe('总收入留存率');
    expect(nrr.test).toBe('两期客户联合重抽样的自助法检验，500 次重抽样，随机种子 1；任一期期初付费客户少于 10 位时不计算');
    expect(nrr.method).toContain('上一月快照与本月快照（各取该月内有数据的最后一个月）之间的 MRR 变动分解');
    expect(nrr.method).toContain('核心数值为 NRR；n = 期初付费客户数。');
    expect(nrr.method).toContain('有放回重抽样 500 次，使用带种子的 Mulberry32 生成器，随机种子 1');
    expect(nrr.method).toContain('任一期期初付费客户少于 10 位时不作检验');
    expect(grr.method).toContain('仅统计满足 plan 属于（pro、basic）的行。');
    for (const method of [nrr.method, grr.method]) for (const word of ['customers', 'start', 'expansion', 'churned', 'interval', 'resamples', 'Change vs', 'Rows', 'Breakdowns', 'Source:']) expect(method, word).not.toContain(word);

    const text = metricSectionText(result.html);
    expect(text).toContain('2026年3月 NRR 为 88.9%：收缩与流失合计 $60 超过扩展 $30（GRR 77.8%）');
    expect(text).toContain('2026年3月 GRR 为 77.8%：收缩与流失共损失 $60（NRR 88.9%）');
    expect(text).toContain('2026年2月 MRR 新增 扩展 收缩 流失 2026年3月 MRR'); // the waterfall's steps, inside the SVG
    expect(text).toContain('从 2026年2月快照到 2026年3月的 MRR 变动分解：期初付费客户 4 位，流失 1 位，新增 1 位。NRR = (期初 + 扩展 − 收缩 − 流失) ÷ 期初；95% 置信区间由对客户的自助法重抽样得出。MRR 坐标轴从 $150 起，而非从零开始，以便看清各项变动。数据来源：mrr。');
    expect(text).toContain('数据来源：mrr（plan 属于（pro、basic））。');
    expect(text).toContain('每月 MRR 变动分解（最近 2 期） 期间 期初 新增 扩展 收缩 流失 期末 NRR（%） GRR（%） 2026年3月 $270 $70 $30 $20 $40 $310 88.9 77.8');
    expect(text).toContain('金额为各快照时点的月度经常性收入（MRR）。');
    expect(text).toContain('2026年2月至 2026年3月 MRR 的瀑布图：期初 $270，新增 +$70，扩展 +$30，收缩 −$20，流失 −$40，期末 $310；NRR 88.9%，GRR 77.8%。');
    expect(text).toContain('未检验变化（两期客户联合重抽样的自助法检验，500 次重抽样，随机种子 1；任一期期初付费客户少于 10 位时不计算）');
    const visible = text.replace(/\bmrr\b/g, '').replace(/pro|basic/g, '');
    const english = ['New', 'Expansion', 'Contraction', 'Churned', 'Start', 'End', 'Period', 'customers', 'bridge', 'snapshot', 'outweighed', 'lost', 'Waterfall', 'Amounts', 'Source', 'bootstrap', 'resamples', 'seed', 'Feb 2026', 'March'];
    expect(english.filter((w) => visible.includes(w))).toEqual([]);
  });
});
