/**
 * Customer survival: the Kaplan–Meier estimate of the share of customers still customers after a
 * given tenure, from each customer's start and end dates, with customers still active censored
 * at the end of the report period. Greenwood 95% band (R survival's conventions, see
 * models/kaplan-meier.ts), the median tenure with its interval, and optionally one curve per
 * segment (`by:`) with a log-rank test across the segments.
 */
import { z } from 'zod';
import { formatter } from '../report/format.js';
import { localTranslator, type Locale } from '../report/i18n.js';
import { palette } from '../report/theme.js';
import { customerFields, filterTextIn, groupsOf, nextPeriodStart, ordinalPeriod, periodOrdinal, prepareCustomers, type PreparedCustomers } from './churn.js';
import { filterSchema } from './filter.js';
import { kaplanMeier, medianSurvival, type ConfType, type KaplanMeierCurve, type MedianSurvival } from './models/kaplan-meier.js';
import { gammaQ } from './models/special.js';
import { canPushDownCustomers, prepareCustomersSql } from './customers-pushdown.js';
import { prepareFromRows, type ComputeContext, type GroupResult, type MetricModule, type MetricResult, type PeriodValue, type PrepareContext, type VisualBlock, type VisualContext } from './module.js';
import { isPushdown } from '../sources/sql.js';
import type { Granularity } from './period.js';
import { adjustGroups, makeResult } from './result-builders.js';
import { metricFields } from './score-schema.js';

/** The module's text in each report locale (see localTranslator in report/i18n.ts). */
export const MESSAGES = {
  en: {
    title: 'Customer survival (Kaplan–Meier)',
    'label.month': '{horizon}-month survival',
    'label.day': '{horizon}-day survival',
    test: 'not tested: consecutive periods’ curves share customers (the later one adds a period of follow-up), so their difference has no independent-sample test',
    logRank: 'log-rank (survdiff, rho = 0)',
    'units.month': 'months',
    'units.day': 'days',
    'amount.month': '{time} months',
    'amount.day': '{time} days',
    'amount1.month': '{time} month',
    'amount1.day': '{time} day',
    'method.tenure.month': 'months of 30.4375 days (365.25/12)',
    'method.tenure.day': 'days',
    method:
      'Kaplan–Meier estimate of the share of customers still customers after a tenure t: Ŝ(t) = Π over event times tᵢ ≤ t of (1 − dᵢ/nᵢ). Tenure = end date − start date in {tenureUnit}; customers without an end date before the end of the report period are censored there (their tenure so far). ' +
      "Headline value: Ŝ({horizon}), reported only once some customer has been observed that long. 95% pointwise interval from Greenwood's variance Var Ŝ(t) = Ŝ(t)² Σ dᵢ/(nᵢ(nᵢ − dᵢ)) on the {confType} scale (R survival's conventions); median tenure = first time Ŝ ≤ 50%, with the interval read off the band. " +
      'Change vs the previous period: {test}.{segments} ' +
      'Rows with a missing id, a missing or invalid start date, an invalid end date, an end before the start, or an id that occurs more than once are excluded (never corrected) and counted. Source: Kaplan–Meier with Greenwood variance (reference/metrics.md; Kaplan & Meier 1958).',
    'method.segments': ' Segments by {by}: one curve each, compared with the log-rank test (χ² on groups − 1 degrees of freedom).',
    'method.filter': ' Customers limited to {filter}.',
    allCustomers: 'All customers',
    empty: 'No customers had started by the end of {period}.',
    'axis.tenure': 'Tenure ({units})',
    'axis.survival': 'Still customers (%)',
    notReached: 'not reached',
    'title.range': '{name} ranges from {low} ({lowGroup}) to {high} ({highGroup}){logRank}',
    'title.logRank': '; log-rank {p}',
    'title.value': '{value} of customers are still customers after {horizon}; median tenure {median}',
    'title.none': 'No customer has been observed for {horizon} yet',
    limited: ' The chart shows the {shown} largest segments (of {total}); the table lists all.',
    caption: 'Kaplan–Meier estimate with 95% Greenwood band ({confType} scale); customers still active are censored at the end of {period}. n = {n} customers, {left} left.{limited} Source: {source}.',
    'source.filter': '{source} ({filter})',
    alt: 'Step chart of the share of customers still customers by tenure in {units}{perSegment}: {items}.',
    'alt.perSegment': ', one line per {by}',
    'alt.item': '{group}: {marks}, median {median}',
    'alt.mark': '{time} {value}',
    'alt.markSep': ', ',
    'alt.itemSep': '; ',
    'table.caption': 'Share still customers by tenure',
    'table.captionBy': 'Share still customers by tenure and {by}',
    'table.customers': 'Customers',
    'table.n': 'n',
    'table.left': 'Left',
    'table.median': 'Median ({units})',
    'table.ci': '95% CI',
    'table.range': '{from} to {to}',
    'table.lowN': 'n < {min}',
    'table.footnote': 'Shares in %. "—" where no customer has been observed that long; median "—" where more than half are still customers.',
    'table.first': ' First 25 of {count} segments.',
  },
  'zh-CN': {
    title: '客户生存分析（Kaplan–Meier）',
    'label.month': '{horizon}个月生存率',
    'label.day': '{horizon}天生存率',
    test: '相邻两期的曲线包含相同的客户，后一期只是多了一期随访，两者之差没有适用的独立样本检验',
    logRank: '对数秩检验（survdiff，rho = 0）',
    'units.month': '月',
    'units.day': '天',
    'amount.month': '{time}个月',
    'amount.day': '{time}天',
    'amount1.month': '{time}个月',
    'amount1.day': '{time}天',
    'method.tenure.month': '月（每月按 30.4375 天计，即 365.25/12）',
    'method.tenure.day': '天',
    method:
      'Kaplan–Meier 估计客户在存续时长 t 之后仍为客户的比例：Ŝ(t) = Π (1 − dᵢ/nᵢ)，对所有事件时间 tᵢ ≤ t 连乘。存续时长 = 结束日期 − 开始日期，以{tenureUnit}为单位；在报告期结束前没有结束日期的客户在报告期末删失（取其截至当时的存续时长）。' +
      '核心数值：Ŝ({horizon})，仅在已有客户被观察满这一时长后才报告。95% 逐点置信区间基于 Greenwood 方差 Var Ŝ(t) = Ŝ(t)² Σ dᵢ/(nᵢ(nᵢ − dᵢ))，在{confType}尺度上计算（遵循 R survival 的约定）；中位存续时长 = Ŝ ≤ 50% 的最早时间，其区间从置信带读出。' +
      '与上期相比的变化：未检验，因为{test}。{segments}' +
      '缺少 id、开始日期缺失或无效、结束日期无效、结束日期早于开始日期，或 id 出现不止一次的行均被排除（从不修正）并计数。来源：Kaplan–Meier 估计与 Greenwood 方差（reference/metrics.md；Kaplan & Meier 1958）。',
    'method.segments': '按{by}分组：每组一条曲线，用对数秩检验比较（χ² 检验，自由度为组数 − 1）。',
    'method.filter': '客户范围限于{filter}。',
    allCustomers: '全部客户',
    empty: '截至{period}末，尚无客户加入。',
    'axis.tenure': '存续时长（{units}）',
    'axis.survival': '仍为客户的比例（%）',
    notReached: '未达到',
    'title.range': '{name}介于{low}（{lowGroup}）与{high}（{highGroup}）之间{logRank}',
    'title.logRank': '；对数秩检验 {p}',
    'title.value': '{horizon}后仍有{value}的客户留存；中位存续时长：{median}',
    'title.none': '尚无客户被观察满{horizon}',
    limited: '图中显示规模最大的{shown}个细分（共{total}个）；表格列出全部细分。',
    caption: 'Kaplan–Meier 估计，含 95% Greenwood 置信带（{confType}尺度）；仍活跃的客户在{period}末删失。n = {n}位客户，其中{left}位已离开。{limited}数据来源：{source}。',
    'source.filter': '{source}（{filter}）',
    alt: '按存续时长（{units}）展示仍为客户比例的阶梯图{perSegment}：{items}。',
    'alt.perSegment': '，每个{by}一条曲线',
    'alt.item': '{group}：{marks}，中位数{median}',
    'alt.mark': '{time} {value}',
    'alt.markSep': '，',
    'alt.itemSep': '；',
    'table.caption': '按存续时长统计的仍为客户比例',
    'table.captionBy': '按存续时长和{by}统计的仍为客户比例',
    'table.customers': '客户',
    'table.n': '样本量',
    'table.left': '已离开',
    'table.median': '中位数（{units}）',
    'table.ci': '95% 置信区间',
    'table.range': '{from}至{to}',
    'table.lowN': 'n < {min}',
    'table.footnote': '比例以 % 表示。“—”表示尚无客户被观察满该时长；中位数为“—”表示仍有超过一半的客户留存。',
    'table.first': '仅列出{count}个细分中的前 25 个。',
  },
} satisfies Record<Locale, Record<string, string>>;

export const survivalSchema = z
  .strictObject({
    type: z.literal('survival'),
    ...customerFields,
    unit: z.enum(['month', 'day']).default('month').describe('Unit of tenure: days, or months of 30.4375 days (365.25/12).'),
    horizon: z.number().positive().default(12).describe('The headline value is the share still customers after this tenure (in `unit`s).').meta({ examples: [12, 24, 90] }),
    by: z.string().optional().describe('Column whose values split the customers into segments: one curve each, compared by a log-rank test.').meta({ examples: ['plan', 'acquisition_channel'] }),
    conf_type: z.enum(['log', 'log-log', 'plain']).default('log').describe('Scale of the pointwise 95% band (R survival’s conf.type; default log, as R).'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Customer survival (Kaplan–Meier): share of customers still customers after a tenure, with the median tenure; customers still active are censored at the end of the report period.');

export type SurvivalDef = z.infer<typeof survivalSchema>;

type PreparedSurvival = PreparedCustomers<SurvivalDef>;

const DAY = 86_400_000;
const MONTH_DAYS = 365.25 / 12;

/**
 * Tenures (in units) and event flags of the customers who started before `periodEnd`, with the
 * number of customers each stands for (1 per row; a database cell's count: customers-pushdown.ts).
 */
export function tenures(start: Float64Array, end: Float64Array, periodEnd: number, unit: 'month' | 'day', rows?: number[], weight?: Float64Array): { times: number[]; events: (0 | 1)[]; weights: number[] } {
  const scale = unit === 'month' ? MONTH_DAYS * DAY : DAY;
  const times: number[] = [];
  const events: (0 | 1)[] = [];
  const weights: number[] = [];
  const visit = (i: number) => {
    if (!(start[i] < periodEnd)) return;
    const left = end[i] < periodEnd; // NaN (active) compares false
    times.push(((left ? end[i] : periodEnd) - start[i]) / scale);
    events.push(left ? 1 : 0);
    weights.push(weight ? weight[i] : 1);
  };
  if (rows) rows.forEach(visit);
  else for (let i = 0; i < start.length; i++) visit(i);
  return { times, events, weights };
}

/** Ŝ(t) with its Greenwood se and band, as R's summary(fit, times = t); null beyond the last observation. */
export function survivalAt(curve: KaplanMeierCurve, t: number): { survival: number; se: number; lower: number; upper: number } | null {
  let step = null;
  for (const s of curve.steps) {
    if (s.time <= t) step = s;
    else break;
  }
  if (t > curve.lastTime && !(step && step.survival === 0)) return null;
  if (!step) return { survival: 1, se: 0, lower: 1, upper: 1 };
  return { survival: step.survival, se: step.se, lower: step.lower, upper: step.upper };
}

// ---------------------------------------------------------------------------------------------
// Log-rank test across K groups
// ---------------------------------------------------------------------------------------------

/** Upper tail of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export interface LogRank {
  statistic: number;
  df: number;
  p: number;
  observed: number[];
  expected: number[];
}

/**
 * Log-rank test of K ≥ 2 groups (R survival's survdiff, rho = 0): at each event time with d events
 * among n at risk, group j expects d·n_j/n; U = O − E over the first K − 1 groups, with
 * hypergeometric covariance V_jk = d(n − d)/(n − 1)·(n_j/n)(δ_jk − n_k/n); χ² = Uᵀ V⁻¹ U on K − 1 df.
 * Optional frequency weights: observation i stands for weights[i] subjects.
 */
export function logRankTest(times: readonly number[], events: readonly (0 | 1)[], groups: readonly number[], k: number, weights?: readonly number[]): LogRank | null {
  if (k < 2) return null;
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const weight = (i: number) => (weights ? weights[i] : 1);
  const atRisk = new Array<number>(k).fill(0);
  groups.forEach((g, i) => (atRisk[g] += weight(i)));
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const v = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < order.length; ) {
    const t = times[order[i]];
    const d = new Array<number>(k).fill(0);
    const leaving = new Array<number>(k).fill(0);
    while (i < order.length && times[order[i]] === t) {
      const j = order[i];
      if (events[j] === 1) d[groups[j]] += weight(j);
      leaving[groups[j]] += weight(j);
      i++;
    }
    const dt = d.reduce((a, b) => a + b, 0);
    const n = atRisk.reduce((a, b) => a + b, 0);
    if (dt > 0) {
      for (let a = 0; a < k; a++) {
        observed[a] += d[a];
        expected[a] += (dt * atRisk[a]) / n;
        if (n > 1) {
          const f = (dt * (n - dt)) / (n - 1);
          for (let b = 0; b < k; b++) v[a][b] += f * (atRisk[a] / n) * ((a === b ? 1 : 0) - atRisk[b] / n);
        }
      }
    }
    for (let a = 0; a < k; a++) atRisk[a] -= leaving[a];
  }
  const m = k - 1;
  const u = observed.slice(0, m).map((o, a) => o - expected[a]);
  const x = solve(v.slice(0, m).map((row) => row.slice(0, m)), u);
  if (!x) return null;
  const statistic = u.reduce((acc, ui, a) => acc + ui * x[a], 0);
  return { statistic, df: m, p: chiSquareSf(statistic, m), observed, expected };
}

/** Solves A x = b by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (!(Math.abs(m[pivot][c]) > 1e-12)) return null;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

const finite = (x: number) => (Number.isFinite(x) ? x : null);

interface Fit {
  curve: KaplanMeierCurve | null;
  n: number;
  at: ReturnType<typeof survivalAt>;
  median: MedianSurvival;
}

function fit(times: number[], events: (0 | 1)[], weights: number[], def: SurvivalDef): Fit {
  if (times.length === 0) return { curve: null, n: 0, at: null, median: { median: null, lower: null, upper: null } };
  const curve = kaplanMeier(times, events, { confType: def.conf_type as ConfType, weights });
  return { curve, n: curve.n, at: survivalAt(curve, def.horizon), median: medianSurvival(curve) };
}

function valueOf(period: string, f: Fit, minSample: number): PeriodValue {
  const s = f.at;
  const ci: [number, number] | null = s && Number.isFinite(s.lower) && Number.isFinite(s.upper) ? [100 * s.lower, 100 * s.upper] : null;
  return { period, value: s ? 100 * s.survival : null, n: f.n, ci, lowSample: f.n < minSample };
}

function curveRows(curve: KaplanMeierCurve | null) {
  return (curve?.steps ?? []).map((s) => ({ time: s.time, atRisk: s.atRisk, events: s.events, censored: s.censored, survival: 100 * s.survival, lower: finite(100 * s.lower), upper: finite(100 * s.upper) }));
}

/** "12 months", "1 day" (singular in English when `time` is 1 and `singular` is set). */
function amount(t: (key: keyof (typeof MESSAGES)['en'], vars?: Record<string, string | number>) => string, def: SurvivalDef, time: number | string, singular = false): string {
  return t(singular && time === 1 ? `amount1.${def.unit}` : `amount.${def.unit}`, { time });
}

function method(pc: PreparedSurvival, locale: Locale): string {
  const def = pc.def;
  const t = localTranslator(MESSAGES, locale);
  const filterText = filterTextIn(def.filter, locale);
  return (
    t('method', {
      tenureUnit: t(`method.tenure.${def.unit}`),
      horizon: amount(t, def, def.horizon, true),
      confType: def.conf_type,
      test: t('test'),
      segments: def.by ? t('method.segments', { by: def.by }) : '',
    }) + (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

/** Rows (indices into the prepared arrays) per group of a column. */
function rowsBy(pc: PreparedSurvival, column: string): Map<string, number[]> {
  const key = `rows:${column}`;
  const cached = pc.cache.get(key) as Map<string, number[]> | undefined;
  if (cached) return cached;
  const groups = groupsOf(pc.table, column);
  const out = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = out.get(g) ?? [];
    list.push(i);
    out.set(g, list);
  });
  const sorted = new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
  pc.cache.set(key, sorted);
  return sorted;
}

function periodEndOf(ordinal: number, g: Granularity): number {
  return nextPeriodStart(ordinalPeriod(ordinal, g), g);
}

function computeSurvival(pc: PreparedSurvival, ctx: ComputeContext): MetricResult {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const g = ctx.granularity;
  const cur = periodOrdinal(ctx.period, g);
  const minSample = ctx.minSample;
  // Fits are memoised per period and group (a multi-period build reuses the series' curves).
  const fitAt = (p: number, rows?: number[], key = '') => {
    const memo = `km:${p}:${key}`;
    const cached = pc.cache.get(memo) as (Fit & { t: ReturnType<typeof tenures> }) | undefined;
    if (cached) return cached;
    const t = tenures(pc.start, pc.end, periodEndOf(p, g), def.unit, rows, pc.weight);
    const out = { ...fit(t.times, t.events, t.weights, def), t };
    pc.cache.set(memo, out);
    return out;
  };
  const now = fitAt(cur);
  const before = fitAt(cur - 1);
  const head = valueOf(ctx.period, now, minSample);
  const prev = valueOf(ctx.previousPeriod, before, minSample);

  const firstStart = pc.start.length ? (pc.table.array('__sp') as number[]).reduce((a, b) => Math.min(a, b), Infinity) : cur;
  const from = Math.min(firstStart, cur);
  const series: PeriodValue[] = [];
  for (let p = from; p <= cur; p++) series.push(p === cur ? head : p === cur - 1 ? prev : valueOf(ordinalPeriod(p, g), fitAt(p), minSample));

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const rows: GroupResult[] = [...rowsBy(pc, column)].map(([group, idx]) => {
      const gc = valueOf(ctx.period, fitAt(cur, idx, `${column}\u0000${group}`), minSample);
      const gp = valueOf(ctx.previousPeriod, fitAt(cur - 1, idx, `${column}\u0000${group}`), minSample);
      return { group, ...gc, previous: gp.n > 0 ? { period: ctx.previousPeriod, value: gp.value, n: gp.n } : null, delta: gc.value !== null && gp.value !== null ? gc.value - gp.value : null, p: null, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  let segments: unknown[] | null = null;
  let logRank: unknown = null;
  if (def.by) {
    const groups = [...rowsBy(pc, def.by)];
    const fits = groups.map(([group, idx]) => ({ group, f: fitAt(cur, idx, `${def.by}\u0000${group}`) })).filter((s) => s.f.n > 0);
    segments = fits.map(({ group, f }) => {
      const v = valueOf(ctx.period, f, minSample);
      return { group, n: f.n, events: f.curve?.totalEvents ?? 0, value: v.value, ci: v.ci, lowSample: v.lowSample, median: f.median, followUp: f.curve?.lastTime ?? null, curve: curveRows(f.curve) };
    });
    if (fits.length >= 2) {
      const times = fits.flatMap((s) => s.f.t.times);
      const events = fits.flatMap((s) => s.f.t.events);
      const labels = fits.flatMap((s, j) => s.f.t.times.map(() => j));
      const lr = logRankTest(times, events, labels, fits.length, fits.flatMap((s) => s.f.t.weights));
      if (lr) logRank = { test: tr('logRank'), statistic: lr.statistic, df: lr.df, p: lr.p, groups: fits.map((s, j) => ({ group: s.group, observed: lr.observed[j], expected: lr.expected[j] })) };
    }
  }

  const periodEnd = periodEndOf(cur, g);
  return makeResult({
    id: pc.id,
    type: 'survival',
    label: def.label ?? tr(`label.${def.unit}`, { horizon: def.horizon }),
    title: tr('title'),
    unit: 'percent',
    higherIsBetter: true,
    domain: [0, 100],
    target: def.target ?? null,
    minSample,
    ...head,
    se: now.at ? 100 * now.at.se : null,
    previous: prev.n > 0 ? { period: ctx.previousPeriod, value: prev.value, n: prev.n, ci: prev.ci } : null,
    delta: head.value !== null && prev.value !== null ? head.value - prev.value : null,
    test: tr('test'),
    statistic: null,
    p: null,
    significant: false,
    ...pc.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pc, locale),
    extra: {
      tenureUnit: def.unit,
      horizon: def.horizon,
      confType: def.conf_type,
      censoredAt: new Date(periodEnd).toISOString(),
      events: now.curve?.totalEvents ?? 0,
      censored: now.n - (now.curve?.totalEvents ?? 0),
      median: now.median,
      followUp: now.curve?.lastTime ?? null,
      curve: curveRows(now.curve),
      segments,
      logRank,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Visual
// ---------------------------------------------------------------------------------------------

const COLOURS = [palette.primary, palette.accent, '#56b4e9', palette.good, palette.bad, '#cc79a7', palette.neutral, '#b8a100'];

interface CurveRow {
  time: number;
  survival: number;
  lower: number | null;
  upper: number | null;
  atRisk: number;
  events: number;
  censored: number;
}

interface Segment {
  group: string;
  n: number;
  events: number;
  value: number | null;
  median: MedianSurvival;
  curve: CurveRow[];
  /** longest observed tenure (event or censoring) */
  followUp: number | null;
}

function fmtTime(t: number | null): string {
  return t === null ? '—' : Number.isInteger(t) ? String(t) : t.toFixed(1);
}

/** Ŝ at t from curve rows (percent); null beyond the last observation. */
function readAt(curve: CurveRow[], followUp: number | null, t: number): number | null {
  if (followUp === null || t > followUp && !(curve.length && curve[curve.length - 1].survival === 0)) return null;
  let s = 100;
  for (const row of curve) {
    if (row.time <= t) s = row.survival;
    else break;
  }
  return s;
}

function survivalVisual(r: MetricResult, pc: PreparedSurvival, ctx: VisualContext): VisualBlock[] {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  const segmentsRaw = (r.extra.segments as Segment[] | null) ?? null;
  const segments: Segment[] = segmentsRaw ?? [{ group: t('allCustomers'), n: r.n, events: r.extra.events as number, value: r.value, median: r.extra.median as MedianSurvival, curve: r.extra.curve as CurveRow[], followUp: r.extra.followUp as number | null }];
  if (segments.every((s) => s.n === 0)) return [{ kind: 'text', paragraphs: [t('empty', { period: ctx.periodLabel(ctx.period) })] }];
  const units = t(`units.${def.unit}`);
  const horizonText = amount(t, def, def.horizon, true);
  const charted = [...segments].sort((a, b) => b.n - a.n || a.group.localeCompare(b.group)).slice(0, COLOURS.length);
  const names = charted.map((s) => s.group).sort((a, b) => a.localeCompare(b));
  const values = charted.flatMap((s) => {
    const points = [{ segment: s.group, time: 0, survival: 100, lower: 100, upper: 100 }, ...s.curve.map((c) => ({ segment: s.group, time: c.time, survival: c.survival, lower: c.lower, upper: c.upper }))];
    const last = points[points.length - 1];
    if (s.followUp !== null && s.followUp > last.time) points.push({ ...last, time: s.followUp });
    return points;
  });
  const colour = { field: 'segment', type: 'nominal' as const, scale: { domain: names, range: COLOURS.slice(0, names.length) }, legend: segmentsRaw ? { orient: 'top' as const, title: def.by } : null };
  const x = { field: 'time', type: 'quantitative' as const, title: t('axis.tenure', { units }), scale: { zero: true, nice: true } };
  const y = { type: 'quantitative' as const, title: t('axis.survival'), scale: { domain: [0, 100] }, axis: { format: '.0f', tickCount: 5 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600,
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 }, encoding: { x, y: { field: 'lower', ...y }, y2: { field: 'upper' }, color: colour } },
      { mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y: { field: 'survival', ...y }, color: colour } },
      { data: { values: [{ time: def.horizon }] }, mark: { type: 'rule', color: palette.neutral, strokeDash: [4, 3] }, encoding: { x: { field: 'time', type: 'quantitative' } } },
      { data: { values: [{ time: def.horizon, label: horizonText }] }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, y: 4, fontSize: 10, color: palette.neutral }, encoding: { x: { field: 'time', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
  const medianText = (m: MedianSurvival) => (m.median === null ? t('notReached') : amount(t, def, fmtTime(m.median)));
  let title: string;
  const valued = segments.filter((s) => s.value !== null);
  if (segmentsRaw && valued.length >= 2) {
    const lo = valued.reduce((a, b) => (b.value! < a.value! ? b : a));
    const hi = valued.reduce((a, b) => (b.value! > a.value! ? b : a));
    const lr = r.extra.logRank as { p: number } | null;
    title = t('title.range', { name: t(`label.${def.unit}`, { horizon: def.horizon }), low: pct(lo.value), lowGroup: lo.group, high: pct(hi.value), highGroup: hi.group, logRank: lr ? t('title.logRank', { p: fmt.p(lr.p) }) : '' });
  } else if (r.value !== null) {
    const m = r.extra.median as MedianSurvival;
    title = t('title.value', { value: pct(r.value), horizon: horizonText, median: medianText(m) });
  } else title = t('title.none', { horizon: horizonText });
  const marks = [...new Set([def.horizon / 4, def.horizon / 2, def.horizon, def.horizon * 2].map((t) => Math.round(t * 10) / 10))];
  const total = segments.reduce((a, s) => a + s.n, 0);
  const events = segments.reduce((a, s) => a + s.events, 0);
  const limited = charted.length < segments.length ? t('limited', { shown: charted.length, total: segments.length }) : '';
  const filterText = filterTextIn(def.filter, locale);
  const source = filterText ? t('source.filter', { source: pc.source.name, filter: filterText }) : pc.source.name;
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-survival-${pc.id}`),
        title,
        caption: t('caption', { confType: def.conf_type, period: ctx.periodLabel(ctx.period), n: fmt.count(total), left: fmt.count(events), limited, source }),
        alt: t('alt', {
          units,
          perSegment: segmentsRaw ? t('alt.perSegment', { by: def.by! }) : '',
          items: segments
            .map((s) =>
              t('alt.item', {
                group: s.group,
                marks: marks.map((m) => t('alt.mark', { time: amount(t, def, fmtTime(m)), value: pct(readAt(s.curve, s.followUp, m)) })).join(t('alt.markSep')),
                median: medianText(s.median),
              }),
            )
            .join(t('alt.itemSep')),
        }),
        spec: spec as never,
        size: 'wide',
      },
    },
    {
      kind: 'table',
      table: {
        caption: segmentsRaw ? t('table.captionBy', { by: def.by! }) : t('table.caption'),
        columns: [
          { label: segmentsRaw ? def.by! : t('table.customers') },
          { label: t('table.n'), align: 'right' },
          { label: t('table.left'), align: 'right' },
          ...marks.map((m) => ({ label: amount(t, def, fmtTime(m)), align: 'right' as const })),
          { label: t('table.median', { units }), align: 'right' },
          { label: t('table.ci'), align: 'right' },
        ],
        rows: segments
          .map((s) => ({
            cells: [s.group, fmt.count(s.n), fmt.count(s.events), ...marks.map((m) => fmt.number(readAt(s.curve, s.followUp, m), 'percent')), fmtTime(s.median.median), t('table.range', { from: fmtTime(s.median.lower), to: s.median.upper === null ? t('notReached') : fmtTime(s.median.upper) })],
            muted: s.n < r.minSample,
            note: s.n < r.minSample ? t('table.lowN', { min: r.minSample }) : undefined,
          }))
          .slice(0, 25),
        footnote: t('table.footnote') + (segmentsRaw && segments.length > 25 ? t('table.first', { count: segments.length }) : ''),
      },
    },
  ];
}

/**
 * On a SQL source the database groups the customers by start and end instant, status and grouping
 * columns (customers-pushdown.ts, instant cells): customers in a cell share their tenure, so the
 * cell's count is a frequency weight of the Kaplan–Meier fit and the log-rank test. Otherwise rows.
 */
function prepareSurvival(ctx: PrepareContext<SurvivalDef>): PreparedSurvival | Promise<PreparedSurvival> {
  const source = ctx.source('source');
  const extra: [string, string | undefined][] = [['by', ctx.def.by]];
  if (!isPushdown(source)) return prepareCustomers(ctx, extra);
  if (canPushDownCustomers(source.sql, ctx.def)) return prepareCustomersSql(ctx, source, 'instant', extra);
  return prepareFromRows(ctx, source, (c) => prepareCustomers(c, extra));
}

export const survivalModule: MetricModule<SurvivalDef, PreparedSurvival> = {
  type: 'survival',
  schema: survivalSchema,
  title: 'Customer survival (Kaplan–Meier)',
  pushdown: true,
  prepare: prepareSurvival,
  compute: computeSurvival,
  visual: survivalVisual,
};
