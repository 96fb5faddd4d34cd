/**
 * Customer health score through the real pipeline on a tiny fixture worked by hand: component
 * normalisation (config and data bounds, clipping, direction), re-weighting of missing components,
 * bands, band movements, at-risk accounts, the t interval and Welch test; the located config error,
 * exclusions and property tests. (No public reference data set exists for this composite.)
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CxError } from '../../kernel/errors.js';
import { build, load, type BuildResult } from '../../app/pipeline.js';
import { bandOf, normalise } from './prepare.js';
import { MESSAGES } from './messages.js';
import { sameKeys } from '../../kernel/i18n.js';
import { computeMetrics } from '../index.js';
import { studentTCdf } from '../../kernel/stats.js';
import { csv, makeProject } from '../../../test/project.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['account', 'month', 'segment', 'logins', 'open_tickets', 'nps'];

// Components: logins (higher is better, weight 2, bounds 0–20 from config); open_tickets (lower is better,
// weight 1, bounds 0–5); nps (higher is better, weight 1, bounds from the data's 5th–95th percentiles).
function rows(): (string | number | null)[][] {
  return [
    // September
    ['A', '2026-09', 'enterprise', 20, 0, 10],
    ['B', '2026-09', 'enterprise', 16, 0, 10],
    ['C', '2026-09', 'enterprise', 8, 2, 6],
    ['D', '2026-09', 'smb', 10, 1, 7],
    ['E', '2026-09', 'smb', 4, 3, 2],
    ['F', '2026-09', 'smb', 12, 1, 8],
    // October
    ['B', '2026-10', 'enterprise', 0, 5, 0], // superseded by B's later row in the same month
    ['A', '2026-10', 'enterprise', 20, 0, 10],
    ['B', '2026-10', 'enterprise', 10, 1, 8],
    ['C', '2026-10', 'enterprise', 2, 4, 0],
    ['D', '2026-10', 'smb', 30, null, 5],
    ['E', '2026-10', 'smb', 'n/a', null, 9], // 1 of 3 components → excluded
    ['F', '2026-10', 'smb', 6, 2, 0],
    ['G', '2026-10', 'smb', 16, 3, 10],
    [null, '2026-10', 'smb', 10, 1, 5], // no account id
    ['H', '2026-13', 'smb', 10, 1, 5], // not a month
  ];
}

const CONFIG = `report:
  title: Health
  period: { granularity: month, current: latest }
  min_sample: 5
sources:
  health: { type: csv, path: data/health.csv }
metrics:
  health:
    type: health-score
    source: health
    id: account
    period: month
    top: 3
    components:
      - { column: logins, weight: 2, direction: higher-is-better, min: 0, max: 20 }
      - { column: open_tickets, direction: lower-is-better, min: 0, max: 5 }
      - { column: nps, label: NPS }
    bands: { red: 40, amber: 70 }
sections:
  - { type: kpis, metrics: [health] }
  - { type: metric, metric: health }
  - { type: breakdown, metric: health, by: segment }
`;

let result: BuildResult;
let json: any;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/health.csv': csv(HEADER, rows()) });
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
});

describe('health score: normalisation and bands', () => {
  it('min–max to 0–100, clipped, reversed when lower is better', () => {
    expect(normalise(10, { min: 0, max: 20, direction: 'higher-is-better' })).toBe(50);
    expect(normalise(30, { min: 0, max: 20, direction: 'higher-is-better' })).toBe(100);
    expect(normalise(-3, { min: 0, max: 20, direction: 'higher-is-better' })).toBe(0);
    expect(normalise(1, { min: 0, max: 5, direction: 'lower-is-better' })).toBe(80);
    expect([39.999, 40, 69.999, 70].map((s) => bandOf(s, { red: 40, amber: 70 }))).toEqual(['red', 'amber', 'amber', 'green']);
  });
  // NPS bounds from the data: the scored snapshots' values (E's October row and B's superseded row left out) are
  // September 10, 10, 6, 7, 2, 8 and October 10, 8, 0, 5, 0, 10 → sorted 0,0,2,5,6,7,8,8,10,10,10,10 (n = 12).
  // p5: h = 11·0.05 = 0.55 → 0 + 0.55·(0 − 0) = 0; p95: h = 10.45 → 10 + 0.45·(10 − 10) = 10 → [0, 10].
  it('data-driven bounds are the 5th–95th percentiles', () => {
    const nps = json.metrics.health.components.find((c: any) => c.column === 'nps');
    expect(nps).toMatchObject({ label: 'NPS', min: 0, max: 10, bounds: 'data p5–p95' });
  });
});

describe('health score (worked by hand)', () => {
  // October scores (weights 2, 1, 1):
  //   A: 100, 100, 100 → 100 (green)        B: 50, 80, 80 → (100 + 80 + 80)/4 = 65 (amber)
  //   C: 10, 20, 0 → (20 + 20 + 0)/4 = 10 (red)
  //   D: logins 30 clipped to 100, tickets missing, nps 50 → re-weighted (200 + 50)/3 = 83.333 (green)
  //   F: 30, 60, 0 → (60 + 60)/4 = 30 (red) G: 80, 40, 100 → (160 + 40 + 100)/4 = 75 (green)
  // n = 6, mean = 363.333/6 = 60.555556; s² = 5792.593/5 = 1158.5185; SE = √(1158.5185/6) = 13.895554;
  // t(0.975, 5) = 2.570582 → CI = 60.555556 ± 35.719659 = [24.835897, 96.275214].
  it('mean score with t interval', () => {
    const m = json.metrics.health;
    expect(m.unit).toBe('score');
    expect(m.n).toBe(6);
    expect(m.value).toBeCloseTo(60.555556, 5);
    expect(m.se).toBeCloseTo(13.895554, 5);
    expect(m.ci[0]).toBeCloseTo(24.835897, 5);
    expect(m.ci[1]).toBeCloseTo(96.275214, 5);
  });
  // September: A 100; B (160 + 100 + 100)/4 = 90; C (80 + 60 + 60)/4 = 50; D (100 + 80 + 70)/4 = 62.5;
  // E (40 + 40 + 20)/4 = 25; F (120 + 80 + 80)/4 = 70 → green (70 is not below 70). Mean 397.5/6 = 66.25, s² = 739.375.
  // The same accounts are scored in both periods, so the headline change is the paired one (issue 21:
  // one quantity and one verdict everywhere): over A, B, C, D, F the changes are 0, −25, −40, +20.833, −40,
  // mean −16.833333; s² = 2842.2222/4 = 710.5556; SE = √(710.5556/5) = 11.921037; t = −1.412071, df = 4.
  // (Welch on the two periods' means would say −5.694444, t = −0.320178: a different quantity.)
  it('change by the paired t-test over the accounts scored in both periods (the same number as the paired paragraph)', () => {
    const m = json.metrics.health;
    expect(m.previous.value).toBeCloseTo(66.25, 10);
    expect(m.delta).toBeCloseTo(-16.833333, 5);
    expect(m.delta).toBe(m.paired.meanChange);
    expect(m.statistic).toBeCloseTo(-1.412071, 5);
    expect(m.p).toBeCloseTo(2 * studentTCdf(-1.412071, 4), 5);
    expect(m.p).toBe(m.paired.p);
    expect(m.test).toBe('paired t-test over the 5 accounts scored in both periods');
    expect(m.significant).toBe(false);
  });
  // Red: C, F → 2/6 = 33.3% (Wilson [9.6771, 70.0007]%); September red: E → 1/6.
  it('band counts and share red', () => {
    const m = json.metrics.health;
    expect(m.bands.red.count).toBe(2);
    expect(m.bands.amber.count).toBe(1);
    expect(m.bands.green.count).toBe(3);
    expect(m.shareRed.share).toBeCloseTo(100 / 3, 10);
    expect(m.shareRed.ci[0]).toBeCloseTo(9.6771, 3);
    expect(m.shareRed.ci[1]).toBeCloseTo(70.0007, 3);
    expect(m.shareRed.previous).toBeCloseTo(100 / 6, 10);
  });
  // Movements: A green→green; B green→amber; C amber→red; D amber→green; F green→red; G new (green); E left (red).
  it('band movements since the previous period', () => {
    const mv = json.metrics.health.movements;
    expect(mv.matrix).toEqual({ red: { red: 0, amber: 0, green: 0 }, amber: { red: 1, amber: 0, green: 1 }, green: { red: 1, amber: 1, green: 1 } });
    expect(mv.entered).toEqual({ red: 0, amber: 0, green: 1 });
    expect(mv.left).toEqual({ red: 1, amber: 0, green: 0 });
    expect([mv.movedDown, mv.movedUp, mv.stayed]).toEqual([3, 1, 1]);
  });
  // Paired over A, B, C, D, F: changes 0, −25, −40, +20.833, −40 → mean −16.833.
  it('paired change over accounts in both periods', () => {
    const p = json.metrics.health.paired;
    expect(p.n).toBe(5);
    expect(p.meanChange).toBeCloseTo(-16.833333, 5);
    expect(p.p).toBeCloseTo(0.230784, 5);
  });
  // At risk (top 3): C 10, F 30, B 65. Moved down, largest drops first: C −40, F −40 (tie → by name), B −25.
  it('at-risk accounts and accounts that moved down a band, with component values', () => {
    const m = json.metrics.health;
    expect(m.atRisk.map((a: any) => [a.account, a.score, a.band])).toEqual([['C', 10, 'red'], ['F', 30, 'red'], ['B', 65, 'amber']]);
    expect(m.atRisk[0].components).toEqual({ logins: { value: 2, score: 10 }, open_tickets: { value: 4, score: 20 }, NPS: { value: 0, score: 0 } });
    expect(m.atRisk[0]).toMatchObject({ previousScore: 50, previousBand: 'amber', change: -40 });
    expect(m.movedDown.map((a: any) => a.account)).toEqual(['C', 'F', 'B']);
  });
  it('breakdown by segment: enterprise 100, 65, 10 → 58.33; smb 83.33, 30, 75 → 62.78; n sums to 6', () => {
    const groups = Object.fromEntries(json.metrics.health.breakdowns.segment.map((g: any) => [g.group, g]));
    expect(groups.enterprise.value).toBeCloseTo(175 / 3, 10);
    expect(groups.smb.value).toBeCloseTo((250 / 3 + 105) / 3, 10);
    expect(groups.enterprise.n + groups.smb.n).toBe(6);
  });
  it('histogram bins of 5 hold every account in its band', () => {
    const h = json.metrics.health.histogram;
    expect(h).toHaveLength(20);
    expect(h.reduce((a: number, b: any) => a + b.red + b.amber + b.green, 0)).toBe(6);
    expect(h[2]).toMatchObject({ from: 10, red: 1 });
    expect(h[19]).toMatchObject({ from: 95, green: 1 });
  });
});

describe('health score: exclusions and errors', () => {
  it('counts excluded snapshots by reason; unusable component values are treated as missing and counted', () => {
    const m = json.metrics.health;
    expect(m.exclusions).toEqual({ 'superseded by a later snapshot in the period': 1, 'fewer than half of the components present': 1, 'missing account id': 1 });
    // listed by reason, not in the order the rows happened to come in
    expect(Object.keys(m.exclusions)).toEqual(['fewer than half of the components present', 'missing account id', 'superseded by a later snapshot in the period']);
    expect(Object.keys(m.excludedAllPeriods)).toEqual([...Object.keys(m.excludedAllPeriods)].sort());
    expect(m.excludedAllPeriods['missing or invalid period']).toBe(1);
    expect(m.componentIssues).toEqual({ logins: 1 });
  });
  it('unknown component column: located at the list item with a hint', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('{ column: nps, label: NPS }', '{ column: nsp, label: NPS }'), 'data/health.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('metric "health": column "nsp" not found in source "health" (data/health.csv)');
    // line 17: "      - { column: " is 18 characters → the value starts at column 19
    expect(`${error.location.file}:${error.location.line}:${error.location.column}`).toBe('cxreport.yaml:17:19');
    expect(error.hint).toMatch(/^did you mean `nps`\?/);
  });
  it('source on_invalid: error rejects the non-numeric component value (data row 12, line 13 of the file) with its location', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('path: data/health.csv }', 'path: data/health.csv, on_invalid: error }'), 'data/health.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('"n/a" — not a number');
    expect(error.location).toMatchObject({ file: 'data/health.csv', row: 13, field: 'logins' });
  });
  it('neither period nor date: located config error', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('    period: month\n', ''), 'data/health.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toMatch(/give either `period`/);
    expect(error.location.line).toBe(9);
  });
  it('renders the histogram, band-movement and at-risk tables', () => {
    expect(result.html).toContain('Band movements from September 2026 to October 2026');
    expect(result.html).toContain('The 3 accounts with the lowest health in October 2026');
    expect(result.html).toContain('Accounts that moved down a band since September 2026');
  });
});

describe('health score: invariants (property)', () => {
  it('scores in [0, 100], band counts sum to n, movements add up, breakdown n sums to n', async () => {
    const cell = fc.oneof(fc.integer({ min: -5, max: 40 }), fc.constant(null), fc.constant('x'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ account: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), month: fc.constantFrom('2026-09', '2026-10'), segment: fc.constantFrom('s1', 's2'), logins: cell, tickets: cell, nps: cell }), { minLength: 1, maxLength: 40 }),
        async (list) => {
          const data = list.map((r) => [r.account, r.month, r.segment, r.logins, r.tickets, r.nps]);
          data.push(['anchor', '2026-10', 's1', 10, 1, 5]);
          const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('current: latest', 'current: "2026-10"'), 'data/health.csv': csv(HEADER, data) });
          const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
          const r = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2026-10').results.get('health')!;
          const x = r.extra as any;
          expect(r.value!).toBeGreaterThanOrEqual(0);
          expect(r.value!).toBeLessThanOrEqual(100);
          for (const a of x.atRisk) expect(a.score).toBeGreaterThanOrEqual(0), expect(a.score).toBeLessThanOrEqual(100);
          expect(x.bands.red.count + x.bands.amber.count + x.bands.green.count).toBe(r.n);
          const moved = Object.values(x.movements.matrix as Record<string, Record<string, number>>).flatMap((row) => Object.values(row)).reduce((a, b) => a + b, 0);
          const entered = Object.values(x.movements.entered as Record<string, number>).reduce((a, b) => a + b, 0);
          expect(moved + entered).toBe(r.n);
          expect(moved).toBe(x.paired.n);
          expect(r.breakdowns.segment.reduce((a, g) => a + g.n, 0)).toBe(r.n);
          // one scored snapshot per account: distinct October accounts with at least 2 of 3 usable components in their last row
          const last = new Map<string, (typeof list)[number]>();
          for (const row of list) if (row.month === '2026-10') last.set(row.account, row);
          expect(r.n).toBeLessThanOrEqual(last.size + 1);
          expect(r.n + (r.exclusions['fewer than half of the components present'] ?? 0) + (r.exclusions['superseded by a later snapshot in the period'] ?? 0)).toBe(list.filter((l) => l.month === '2026-10').length + 1);
          expect(JSON.stringify(x)).not.toMatch(/NaN|Infinity/);
        },
      ),
      { numRuns: 30 },
    );
  });
});


describe('health score in Simplified Chinese (report.locale: zh-CN)', () => {
  let zh: BuildResult;
  let text: string;
  beforeAll(async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n'), 'data/health.csv': csv(HEADER, rows()) });
    zh = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = metricSectionText(zh.html);
  });

  it('the message set has the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('method, test and default label are Chinese; the numbers are unchanged', () => {
    const r = zh.computed.results.get('health')!;
    expect(r.method).toContain('分项：logins（权重 2，越高越好，0.0–20.0，来自配置）；open_tickets（权重 1，越低越好，0.0–5.0，来自配置）；NPS（权重 1，越高越好，');
    expect(r.method).toContain('，来自数据 p5–p95）。');
    expect(r.method).toContain('等级：红色 < 40 ≤ 黄色 < 70 ≤ 绿色。');
    expect(r.method).not.toMatch(/weight|higher|config|account|Bands/);
    const m = JSON.parse(zh.metrics).metrics.health;
    expect(m).toMatchObject({ label: '健康度评分', test: '配对 t 检验（两期均有评分的 5 个账户）', value: json.metrics.health.value, p: json.metrics.health.p });
    expect(m.atRisk).toEqual(json.metrics.health.atRisk);
  });

  it('the metric section speaks Chinese: histogram, band movements, at-risk accounts and the paired change', () => {
    // the mean (60.56, 95% CI 25 to 96) to the precision its interval supports: 61
    expect(text).toContain('2026年10月的 6 个账户中有 33.3% 为红色；平均健康度 61');
    expect(text).toContain('账户健康度评分分布（0–100，组距为 5），按等级着色：红色 < 40 ≤ 黄色 < 70 ≤ 绿色；n = 6 个账户。评分为 3 个归一化分项的加权平均。数据来源：health。');
    expect(text).toContain('2026年10月健康度评分直方图：红色 2 个、黄色 1 个、绿色 3 个账户；平均 61。');
    expect(text).toContain('健康度评分');
    expect(text).toContain('账户数');
    expect(text).toContain('从 2026年9月到 2026年10月的等级变动（3 个账户等级下降，1 个上升） 2026年9月 ↓ / 2026年10月 → 红色 黄色 绿色 本期未评分');
    expect(text).toContain('上期未评分 0 0 1 —');
    expect(text).toContain('2026年10月健康度最低的 3 个账户 账户 评分 等级 2026年9月 logins open_tickets NPS C 10.0 红色 50.0（黄色） 2 4 0');
    expect(text).toContain('分项列显示原始值；“—”表示缺失。');
    expect(text).toContain('自 2026年9月以来等级下降的账户（按降幅从大到小排列）');
    expect(text).toMatch(/在两期均有评分的 5 个账户中，健康度平均变化 −16\.83 分（95% 置信区间 [^；]+；配对 t 检验 p = [\d.]+）。/);
    const english = ['Red', 'Amber', 'Green', 'amber', 'green', 'accounts', 'Account', 'Band', 'Score', 'Not scored', 'Health score', 'Histogram', 'Source:', 'paired', 'Rows:', 'moved down', 'mean', 'October', 'Oct 2026'];
    expect(english.filter((w) => text.includes(w))).toEqual([]);
  });
});
