/**
 * Customer survival: the Kaplan–Meier estimate of the share of customers still customers after a
 * given tenure, from each customer's start and end dates, with customers still active censored
 * at the end of the report period. Greenwood 95% band (R survival's conventions, see
 * models/kaplan-meier.ts), the median tenure with its interval, and optionally one curve per
 * segment (`by:`) with a log-rank test across the segments.
 */
import { ExclusionCounter } from './exclusions.js';
import { z } from 'zod';
import { formatter } from '../kernel/format.js';
import { localTranslator, type Locale } from '../kernel/i18n.js';
import { palette } from '../kernel/theme.js';
import type { ColumnTable } from 'arquero';
import * as aq from 'arquero';
import { CxError } from '../kernel/errors.js';
import type { SourceTable } from '../sources/types.js';
import { customerFields, filteredTable, filterTextIn, groupsOf, nextPeriodStart, ordinalPeriod, periodOrdinal, prepareCustomers, type PreparedCustomers } from './customers.js';
import { describeFlagValues, flagMatcher, flagValuesSchema, requireMatch } from './flag-values.js';
import { rowRejecter } from './invalid.js';
import { lastTimestampOf, latestPeriodOf } from './timeline.js';
import { filterSchema } from '../kernel/filter.js';
import { kaplanMeier, medianSurvival, type ConfType, type KaplanMeierCurve, type MedianSurvival } from '../kernel/models/kaplan-meier.js';
import { gammaQ } from '../kernel/models/special.js';
import { canPushDownCustomers, prepareCustomersSql } from './customers-pushdown.js';
import { prepareFromRows, type ComputeContext, type GroupResult, type MetricModule, type MetricResult, type PeriodValue, type Prepared, type PrepareContext, type VisualBlock, type VisualContext } from './module.js';
import { isPushdown } from '../sources/sql.js';
import { ALL_PERIOD, historyRange, parseTimestamp, periodOf, type Granularity } from '../kernel/period.js';
import { adjustGroups, ALPHA, makeResult } from './result-builders.js';
import { metricFields } from './score/schema.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
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
    'label.week': '{horizon}-week survival',
    'label.year': '{horizon}-year survival',
    'units.week': 'weeks',
    'units.year': 'years',
    'amount.week': '{time} weeks',
    'amount.year': '{time} years',
    'amount1.week': '{time} week',
    'amount1.year': '{time} year',
    'method.tenure.month': 'months of 30.4375 days (365.25/12)',
    'method.tenure.day': 'days',
    'method.tenure.week': 'weeks of 7 days',
    'method.tenure.year': 'years of 365.25 days',
    'method.durations':
      "Kaplan–Meier estimate of the share still customers (no event yet) after a time t, from each row's duration and event, as R survival's Surv(time, status): Ŝ(t) = Π over event times tᵢ ≤ t of (1 − dᵢ/nᵢ). Duration = {duration}, in {units}; the event happened where {event} is {values}, and a row with any other non-empty {event} is censored at its duration. " +
      "Headline value: Ŝ({horizon}), reported only once some row has been observed that long. 95% pointwise interval from Greenwood's variance Var Ŝ(t) = Ŝ(t)² Σ dᵢ/(nᵢ(nᵢ − dᵢ)) on the {confType} scale (R survival's conventions); median = first time Ŝ ≤ 50%, with the interval read off the band. " +
      '{periods}{segments} Rows with a missing, non-numeric or negative duration or an empty {event}{id}{date} are excluded (never corrected) and counted. Source: Kaplan–Meier with Greenwood variance (reference/metrics.md; Kaplan & Meier 1958).',
    'method.durationsAll': 'All rows form one period (granularity all), with or without a date: there is no previous period and no change test; a breakdown compares each group with all other rows by the log-rank test, with Benjamini–Hochberg adjusted p-values.',
    'method.durationsPeriods': "Rows are assigned to the period of their {date} (UTC), and each period's curve is drawn from its own rows; a period is compared with the previous one, and a breakdown group with its own previous period, by the log-rank test (different rows), with Benjamini–Hochberg adjusted p-values across groups.",
    'method.durationsId': ', a missing or duplicate id',
    'method.durationsDate': ', or a missing or invalid {date}',
    'method.allDates': ' With granularity all there is one period over all data: customers still active are censored at the last date in the data, and a breakdown compares each group with all other customers by the log-rank test.',
    'test.durations': 'log-rank (survdiff, rho = 0) of the two periods’ rows',
    'caption.durations': 'Share still without the event by duration, with its 95% band, from the durations in {duration} ({units}), {period}; rows whose {event} is not {values} are censored at their duration. n = {n}, {left} events.{limited} Source: {source}.',
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
    caption: 'Share of customers still with us by tenure, with its 95% band; customers still active count with their tenure up to the end of {period}. n = {n} customers, {left} left.{limited} Source: {source}.',
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
    'label.week': '{horizon}周生存率',
    'label.year': '{horizon}年生存率',
    'units.week': '周',
    'units.year': '年',
    'amount.week': '{time}周',
    'amount.year': '{time}年',
    'amount1.week': '{time}周',
    'amount1.year': '{time}年',
    'method.tenure.month': '月（每月按 30.4375 天计，即 365.25/12）',
    'method.tenure.day': '天',
    'method.tenure.week': '周（每周 7 天）',
    'method.tenure.year': '年（每年 365.25 天）',
    'method.durations':
      'Kaplan–Meier 估计在时长 t 之后仍为客户（尚未发生事件）的比例，依据每行的时长与事件，与 R survival 的 Surv(time, status) 相同：Ŝ(t) = Π (1 − dᵢ/nᵢ)，对所有事件时间 tᵢ ≤ t 连乘。时长 = {duration}，以{units}为单位；{event}为{values}表示事件已发生，{event}为其他非空值的行在其时长处删失。' +
      '核心数值：Ŝ({horizon})，仅在已有行被观察满这一时长后才报告。95% 逐点置信区间基于 Greenwood 方差 Var Ŝ(t) = Ŝ(t)² Σ dᵢ/(nᵢ(nᵢ − dᵢ))，在{confType}尺度上计算（遵循 R survival 的约定）；中位数 = Ŝ ≤ 50% 的最早时间，其区间从置信带读出。' +
      '{periods}{segments}时长缺失、非数字或为负、{event}为空{id}{date}的行均被排除（从不修正）并计数。来源：Kaplan–Meier 估计与 Greenwood 方差（reference/metrics.md；Kaplan & Meier 1958）。',
    'method.durationsAll': '全部行作为一个期间（granularity all），无论有无日期：没有上一期，也没有变化检验；细分分析用对数秩检验将每组与其余所有行比较，p 值经 Benjamini–Hochberg 法校正。',
    'method.durationsPeriods': '各行按其{date}（UTC）归入各期，每期的曲线只由该期的行得出；每期与上一期、每个细分组与其自身上一期均用对数秩检验比较（两期的行互不相同），各组 p 值经 Benjamini–Hochberg 法校正。',
    'method.durationsId': '、id 缺失或重复',
    'method.durationsDate': '，或{date}缺失或无效',
    'method.allDates': '粒度为 all 时全部数据只有一个期间：仍活跃的客户在数据中的最后日期删失，细分分析用对数秩检验将每组与其余所有客户比较。',
    'test.durations': '对两期的行做对数秩检验（survdiff，rho = 0）',
    'caption.durations': '按时长计尚未发生事件的占比，含 95% 置信带，时长取自{duration}（{units}），{period}；{event}不为{values}的行在其时长处删失。n = {n}，事件 {left} 个。{limited}数据来源：{source}。',
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
    caption: '按存续时长计仍是客户的占比，含 95% 置信带；仍活跃的客户按截至{period}末的存续时长计入。n = {n}位客户，其中{left}位已离开。{limited}数据来源：{source}。',
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
    source: customerFields.source,
    id: z.string().optional().describe('Column holding the customer id; an id that occurs on more than one row is excluded (all its rows) and counted. Required by the date form (start/end), optional with `duration`.').meta({ examples: ['customer_id', 'customerID'] }),
    start: z.string().optional().describe('Date form: column holding the date the customer started (signup), ISO 8601 (e.g. 2026-01-15). Not with `duration`.').meta({ examples: ['signup_date'] }),
    end: z.string().optional().describe('Date form: column holding the date the customer left (cancellation), ISO 8601; empty while the customer is active. Not with `duration`.').meta({ examples: ['cancel_date'] }),
    duration: z
      .string()
      .optional()
      .describe('Durations form (R’s Surv(time, status), for data without dates): column holding each row’s time to the event or to censoring, a number ≥ 0 in `unit`s (e.g. tenure in months). Instead of `start`/`end`; needs `event` and `event_value`.')
      .meta({ examples: ['tenure', 'time'] }),
    event: z.string().optional().describe('Durations form: column saying whether the event (leaving, death…) happened at the end of the duration; see `event_value`.').meta({ examples: ['Churn', 'status'] }),
    event_value: flagValuesSchema(
      'Durations form: the value, or list of values, of the `event` column that mean the event happened (text compares case-insensitively, numbers by value); every other non-empty value is censored, an empty cell is excluded and counted.',
      ['Yes', 1, [2], true],
    ).optional(),
    date: z
      .string()
      .optional()
      .describe('Durations form: column whose date (ISO 8601, e.g. the start date) assigns each row to a period — needed with granularity month, quarter or year, optional with granularity all.')
      .meta({ examples: ['signup_date'] }),
    unit: z
      .enum(['day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years'])
      .optional()
      .describe('Unit of time. Date form: the unit tenure is measured in (months of 30.4375 days = 365.25/12, weeks of 7 days, years of 365.25 days; default month). Durations form: the unit of the `duration` column (default days).'),
    horizon: z
      .number()
      .positive()
      .optional()
      .describe('The headline value is the share still customers (no event) after this time, in `unit`s. Default: 12 in the date form; one year (365 days, 52 weeks, 12 months, 1 year) in the durations form.')
      .meta({ examples: [12, 24, 90] }),
    by: z.string().optional().describe('Column whose values split the customers into segments: one curve each, compared by a log-rank test.').meta({ examples: ['plan', 'acquisition_channel'] }),
    conf_type: z.enum(['log', 'log-log', 'plain']).default('log').describe('Scale of the pointwise 95% band (R survival’s conf.type; default log, as R).'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Customer survival (Kaplan–Meier): share of customers still customers after a tenure, with the median tenure. From start and end dates (customers still active are censored at the end of the report period), or from durations and an event flag (`duration`, `event`, `event_value`: R’s Surv(time, status); works with granularity all).');

export type SurvivalDef = z.infer<typeof survivalSchema>;

/** A unit of time, singular. */
export type TimeUnit = 'day' | 'week' | 'month' | 'year';

/** The survival config with its unit and horizon resolved (defaults depend on the form). */
export type SurvivalConfig = Omit<SurvivalDef, 'unit' | 'horizon'> & { unit: TimeUnit; horizon: number };

/** Default horizon of the durations form: one year in the unit. */
const ONE_YEAR: Record<TimeUnit, number> = { day: 365, week: 52, month: 12, year: 1 };

/** The config with `unit` in the singular and the form's defaults for `unit` and `horizon`. */
export function survivalConfig(def: SurvivalDef, form: 'dates' | 'durations'): SurvivalConfig {
  const unit = (def.unit === undefined ? (form === 'durations' ? 'day' : 'month') : def.unit.replace(/s$/, '')) as TimeUnit;
  return { ...def, unit, horizon: def.horizon ?? (form === 'durations' ? ONE_YEAR[unit] : 12) };
}

/** Rows of the durations form: one duration and event flag per valid row (and its period). */
export interface PreparedDurations extends Prepared {
  kind: 'durations';
  id: string;
  def: SurvivalConfig;
  granularity: Granularity;
  source: SourceTable;
  /** valid rows with the source's columns (for breakdowns and segments) */
  table: ColumnTable;
  /** duration of each valid row, in units */
  times: Float64Array;
  /** 1 where the event happened, 0 censored */
  events: (0 | 1)[];
  /** period of each valid row ("all" with granularity all) */
  period: string[];
  exclusions: ExclusionCounter;
  firstPeriod: string | undefined;
  cache: Map<string, unknown>;
}

type PreparedSurvival = PreparedCustomers<SurvivalConfig> | PreparedDurations;

const DAY = 86_400_000;
const MONTH_DAYS = 365.25 / 12;
/** Length of a unit in days (the date form's tenure). */
const UNIT_DAYS: Record<TimeUnit, number> = { day: 1, week: 7, month: MONTH_DAYS, year: 365.25 };

/**
 * Tenures (in units) and event flags of the customers who started before `periodEnd`, with the
 * number of customers each stands for (1 per row; a database cell's count: customers-pushdown.ts).
 */
export function tenures(start: Float64Array, end: Float64Array, periodEnd: number, unit: TimeUnit, rows?: number[], weight?: Float64Array): { times: number[]; events: (0 | 1)[]; weights: number[] } {
  const scale = UNIT_DAYS[unit] * DAY;
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

function fit(times: number[], events: (0 | 1)[], weights: number[], def: SurvivalConfig): Fit {
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
function amount(t: (key: keyof (typeof MESSAGES)['en'], vars?: Record<string, string | number>) => string, def: SurvivalConfig, time: number | string, singular = false): string {
  return t(singular && time === 1 ? `amount1.${def.unit}` : `amount.${def.unit}`, { time });
}

function method(pc: PreparedSurvival, locale: Locale): string {
  const def = pc.def;
  const t = localTranslator(MESSAGES, locale);
  const filterText = filterTextIn(def.filter, locale);
  if (pc.kind === 'durations') {
    const all = pc.granularity === 'all';
    return (
      t('method.durations', {
        duration: def.duration!,
        units: t(`units.${def.unit}`),
        event: def.event!,
        values: describeFlagValues(def.event_value!),
        horizon: amount(t, def, def.horizon, true),
        confType: def.conf_type,
        periods: all ? t('method.durationsAll') : t('method.durationsPeriods', { date: def.date! }),
        segments: def.by ? t('method.segments', { by: def.by }) : '',
        id: def.id !== undefined ? t('method.durationsId') : '',
        date: !all && def.date !== undefined ? t('method.durationsDate', { date: def.date }) : '',
      }) + (filterText ? t('method.filter', { filter: filterText }) : '')
    );
  }
  return (
    t('method', {
      tenureUnit: t(`method.tenure.${def.unit}`),
      horizon: amount(t, def, def.horizon, true),
      confType: def.conf_type,
      test: t('test'),
      segments: def.by ? t('method.segments', { by: def.by }) : '',
    }) +
    (pc.granularity === 'all' ? t('method.allDates') : '') +
    (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

/** Rows (indices into the prepared arrays) per group of a column. */
function rowsBy(pc: Pick<PreparedSurvival, 'table' | 'cache'>, column: string): Map<string, number[]> {
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

/** A fit with the observations it was made from (for log-rank tests). */
type FitWith = Fit & { t: { times: number[]; events: (0 | 1)[]; weights: number[] } };

/** Log-rank test of two fits (e.g. a group against the rest, a period against the previous one); null when either is empty or there is no event. */
function twoSampleLogRank(a: FitWith, b: FitWith): { statistic: number; p: number } | null {
  if (a.n === 0 || b.n === 0) return null;
  const lr = logRankTest([...a.t.times, ...b.t.times], [...a.t.events, ...b.t.events], [...a.t.times.map(() => 0), ...b.t.times.map(() => 1)], 2, [...a.t.weights, ...b.t.weights]);
  return lr && Number.isFinite(lr.p) ? { statistic: lr.statistic, p: lr.p } : null;
}

/** A breakdown group compared with the rest of the rows (granularity all): values, difference and log-rank p. */
function groupVsRest(group: string, period: string, mine: FitWith, rest: FitWith, minSample: number): GroupResult {
  const v = valueOf(period, mine, minSample);
  const other = valueOf(period, rest, minSample);
  const lr = twoSampleLogRank(rest, mine);
  return { group, ...v, previous: null, rest: rest.n > 0 ? { value: other.value, n: other.n } : null, delta: v.value !== null && other.value !== null ? v.value - other.value : null, p: lr?.p ?? null, pAdjusted: null, significant: false };
}

/** Segments by `by` (one curve each) and the log-rank test across them, from fits of the current period. */
function segmentsOf(fits: { group: string; f: FitWith }[], period: string, minSample: number, tr: (key: 'logRank') => string): { segments: unknown[]; logRank: unknown } {
  const segments = fits.map(({ group, f }) => {
    const v = valueOf(period, f, minSample);
    return { group, n: f.n, events: f.curve?.totalEvents ?? 0, value: v.value, ci: v.ci, lowSample: v.lowSample, median: f.median, followUp: f.curve?.lastTime ?? null, curve: curveRows(f.curve) };
  });
  let logRank: unknown = null;
  if (fits.length >= 2) {
    const times = fits.flatMap((s) => s.f.t.times);
    const events = fits.flatMap((s) => s.f.t.events);
    const labels = fits.flatMap((s, j) => s.f.t.times.map(() => j));
    const lr = logRankTest(times, events, labels, fits.length, fits.flatMap((s) => s.f.t.weights));
    if (lr) logRank = { test: tr('logRank'), statistic: lr.statistic, df: lr.df, p: lr.p, groups: fits.map((s, j) => ({ group: s.group, observed: lr.observed[j], expected: lr.expected[j] })) };
  }
  return { segments, logRank };
}

/** The fields every survival result shares, whichever form (dates or durations) it was computed from. */
function survivalHeader(id: string, def: PreparedSurvival['def'], tr: (key: keyof (typeof MESSAGES)['en'], vars?: Record<string, string | number>) => string, minSample: number) {
  return {
    id,
    type: 'survival',
    label: def.label ?? tr(`label.${def.unit}`, { horizon: def.horizon }),
    title: tr('title'),
    unit: 'percent' as const,
    higherIsBetter: true,
    domain: [0, 100] as [number, number],
    target: def.target ?? null,
    minSample,
  };
}

function computeSurvival(pc: PreparedSurvival, ctx: ComputeContext): MetricResult {
  if (pc.kind === 'durations') return computeDurations(pc, ctx);
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const g = ctx.granularity;
  const all = g === 'all';
  const cur = periodOrdinal(ctx.period, g);
  const minSample = ctx.minSample;
  // granularity all: one period, whose customers still active are censored at the last date in the data
  const lastTime = pc.times.length ? pc.times[pc.times.length - 1] : NaN;
  const censorAt = (p: number) => (!all ? periodEndOf(p, g) : p === 0 && Number.isFinite(lastTime) ? lastTime + 1 : -Infinity);
  // Fits are memoised per period and group (a multi-period build reuses the series' curves).
  const fitAt = (p: number, rows?: number[], key = ''): FitWith => {
    const memo = `km:${p}:${key}`;
    const cached = pc.cache.get(memo) as FitWith | undefined;
    if (cached) return cached;
    const t = tenures(pc.start, pc.end, censorAt(p), def.unit, rows, pc.weight);
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
  // each period is a Kaplan–Meier fit of every customer: only for the periods the report shows
  for (let p = from; p <= cur; p++) {
    if (p === cur) series.push(head);
    else if (p === cur - 1) series.push(prev);
    else if (!ctx.displayed || ctx.displayed.has(ordinalPeriod(p, g))) series.push(valueOf(ordinalPeriod(p, g), fitAt(p), minSample));
  }

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const groups = [...rowsBy(pc, column)];
    const rows: GroupResult[] = groups.map(([group, idx]) => {
      if (all) {
        const others = groups.filter(([o]) => o !== group).flatMap(([, i]) => i);
        return groupVsRest(group, ctx.period, fitAt(cur, idx, `${column}\u0000${group}`), fitAt(cur, others, `${column}\u0000${group}\u0000rest`), minSample);
      }
      const gc = valueOf(ctx.period, fitAt(cur, idx, `${column}\u0000${group}`), minSample);
      const gp = valueOf(ctx.previousPeriod, fitAt(cur - 1, idx, `${column}\u0000${group}`), minSample);
      return { group, ...gc, previous: gp.n > 0 ? { period: ctx.previousPeriod, value: gp.value, n: gp.n } : null, delta: gc.value !== null && gp.value !== null ? gc.value - gp.value : null, p: null, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  let segments: unknown[] | null = null;
  let logRank: unknown = null;
  if (def.by) {
    const fits = [...rowsBy(pc, def.by)].map(([group, idx]) => ({ group, f: fitAt(cur, idx, `${def.by}\u0000${group}`) })).filter((s) => s.f.n > 0);
    ({ segments, logRank } = segmentsOf(fits, ctx.period, minSample, tr));
  }

  const periodEnd = censorAt(cur);
  return makeResult({
    ...survivalHeader(pc.id, def, tr, minSample),
    ...head,
    se: now.at ? 100 * now.at.se : null,
    previous: prev.n > 0 ? { period: ctx.previousPeriod, value: prev.value, n: prev.n, ci: prev.ci } : null,
    delta: head.value !== null && prev.value !== null ? head.value - prev.value : null,
    // granularity all: breakdown groups are tested against the rest by the log-rank test
    test: all ? tr('logRank') : tr('test'),
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
      censoredAt: Number.isFinite(periodEnd) ? new Date(periodEnd).toISOString() : null,
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

/**
 * The durations form: each period's curve from its own rows (granularity all: every row), a
 * period compared with the previous one and breakdown groups with their previous period (or, with
 * granularity all, with the other rows) by the log-rank test, segments by `by` with the log-rank
 * test across them.
 */
function computeDurations(pd: PreparedDurations, ctx: ComputeContext): MetricResult {
  const def = pd.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const all = ctx.granularity === 'all';
  const minSample = ctx.minSample;
  const rowsIn = (period: string, within?: number[]): number[] => (within ?? pd.period.map((_, i) => i)).filter((i) => pd.period[i] === period);
  const fitRows = (rows: number[], key: string): FitWith => {
    const memo = `km:${key}`;
    const cached = pd.cache.get(memo) as FitWith | undefined;
    if (cached) return cached;
    const t = { times: rows.map((i) => pd.times[i]), events: rows.map((i) => pd.events[i]), weights: rows.map(() => 1) };
    const out = { ...fit(t.times, t.events, t.weights, def), t };
    pd.cache.set(memo, out);
    return out;
  };
  const fitPeriod = (period: string) => fitRows(rowsIn(period), period);
  const now = fitPeriod(ctx.period);
  const before = fitPeriod(ctx.previousPeriod);
  const head = valueOf(ctx.period, now, minSample);
  const prev = valueOf(ctx.previousPeriod, before, minSample);
  const change = all ? null : twoSampleLogRank(before, now);

  const first = pd.firstPeriod !== undefined && pd.firstPeriod <= ctx.period ? pd.firstPeriod : ctx.period;
  // each period is a Kaplan–Meier fit: only for the periods the report shows
  const series: PeriodValue[] = historyRange(first, ctx.period, ctx.granularity)
    .filter((p) => p === ctx.period || p === ctx.previousPeriod || !ctx.displayed || ctx.displayed.has(p))
    .map((p) => (p === ctx.period ? head : p === ctx.previousPeriod ? prev : valueOf(p, fitPeriod(p), minSample)));

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const groups = [...rowsBy(pd, column)];
    const rows: GroupResult[] = groups.map(([group, idx]) => {
      const key = `${column}\u0000${group}`;
      const mine = fitRows(rowsIn(ctx.period, idx), `${ctx.period}\u0000${key}`);
      if (all) {
        const others = rowsIn(ctx.period, groups.filter(([o]) => o !== group).flatMap(([, i]) => i));
        return groupVsRest(group, ctx.period, mine, fitRows(others, `${ctx.period}\u0000${key}\u0000rest`), minSample);
      }
      const earlier = fitRows(rowsIn(ctx.previousPeriod, idx), `${ctx.previousPeriod}\u0000${key}`);
      const gc = valueOf(ctx.period, mine, minSample);
      const gp = valueOf(ctx.previousPeriod, earlier, minSample);
      const lr = twoSampleLogRank(earlier, mine);
      return { group, ...gc, previous: gp.n > 0 ? { period: ctx.previousPeriod, value: gp.value, n: gp.n } : null, delta: gc.value !== null && gp.value !== null ? gc.value - gp.value : null, p: lr?.p ?? null, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  let segments: unknown[] | null = null;
  let logRank: unknown = null;
  if (def.by) {
    const fits = [...rowsBy(pd, def.by)].map(([group, idx]) => ({ group, f: fitRows(rowsIn(ctx.period, idx), `${ctx.period}\u0000${def.by}\u0000${group}`) })).filter((s) => s.f.n > 0);
    ({ segments, logRank } = segmentsOf(fits, ctx.period, minSample, tr));
  }

  return makeResult({
    ...survivalHeader(pd.id, def, tr, minSample),
    ...head,
    se: now.at ? 100 * now.at.se : null,
    previous: prev.n > 0 ? { period: ctx.previousPeriod, value: prev.value, n: prev.n, ci: prev.ci } : null,
    delta: head.value !== null && prev.value !== null ? head.value - prev.value : null,
    test: all ? tr('logRank') : tr('test.durations'),
    statistic: change?.statistic ?? null,
    p: change?.p ?? null,
    significant: change !== null && change.p < ALPHA,
    ...pd.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pd, locale),
    extra: {
      form: 'durations',
      duration: def.duration,
      event: def.event,
      eventValues: Array.isArray(def.event_value) ? def.event_value : [def.event_value],
      tenureUnit: def.unit,
      horizon: def.horizon,
      confType: def.conf_type,
      censoredAt: null,
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

export function survivalVisual(r: MetricResult, pc: PreparedSurvival, ctx: VisualContext): VisualBlock[] {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  // segments under their display names (`values:` of the `by` column)
  const segmentsRaw = (r.extra.segments as Segment[] | null)?.map((s) => ({ ...s, group: ctx.valueLabel?.(def.by!, s.group) ?? s.group })) ?? null;
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
  const colour = { field: 'segment', type: 'nominal' as const, scale: { domain: names, range: COLOURS.slice(0, names.length) }, legend: segmentsRaw ? { orient: 'top' as const, title: ctx.columnLabel?.(def.by!) ?? def.by } : null };
  const x = { field: 'time', type: 'quantitative' as const, title: t('axis.tenure', { units }), scale: { zero: true, nice: true } };
  const lineLegend = { ...colour, legend: colour.legend && { ...colour.legend, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  const y = { type: 'quantitative' as const, title: t('axis.survival'), scale: { domain: [0, 100] }, axis: { format: '.0f', tickCount: 5 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600,
    height: 240,
    data: { values },
    layer: [
      // the legend belongs to the lines: its swatches are the line colours, not the pale bands
      // (one legend shared by both layers, drawn as opaque strokes; a legend: null on the band would drop it altogether)
      { mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 }, encoding: { x, y: { field: 'lower', ...y }, y2: { field: 'upper' }, color: lineLegend } },
      { mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y: { field: 'survival', ...y }, color: lineLegend } },
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
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pc.source.name) ?? pc.source.name, filter: filterText }) : (ctx.sourceLabel?.(pc.source.name) ?? pc.source.name);
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-survival-${pc.id}`),
        title,
        caption:
          pc.kind === 'durations'
            ? t('caption.durations', { confType: def.conf_type, duration: def.duration!, units, event: def.event!, values: describeFlagValues(def.event_value!), period: ctx.periodLabel(ctx.period), n: fmt.count(total), left: fmt.count(events), limited, source })
            : t('caption', { confType: def.conf_type, period: ctx.periodLabel(ctx.period), n: fmt.count(total), left: fmt.count(events), limited, source }),
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
        caption: segmentsRaw ? t('table.captionBy', { by: ctx.columnLabel?.(def.by!) ?? def.by! }) : t('table.caption'),
        columns: [
          { label: segmentsRaw ? (ctx.columnLabel?.(def.by!) ?? def.by!) : t('table.customers') },
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
 * Which form a survival config uses: start and end dates, or durations with an event flag (R's
 * Surv(time, status)). Mixing them, or giving neither completely, is a located config error
 * naming the keys and the fix.
 */
function survivalForm(ctx: PrepareContext<SurvivalDef>): 'dates' | 'durations' {
  const def = ctx.def;
  const at = (key: string) => ctx.config.yaml.locate(['metrics', ctx.id, key], { key: true });
  const fail = (key: string | null, message: string, hint: string) => new CxError('config', `metric "${ctx.id}": ${message}`, { location: key ? at(key) : ctx.config.yaml.locate(['metrics', ctx.id], { key: true }), hint });
  const both = 'use either `duration:` + `event:` + `event_value:` (durations, as R’s Surv(time, status)) or `id:` + `start:` + `end:` (dates), not both';
  if (def.duration !== undefined) {
    const mixed = (['start', 'end'] as const).find((k) => def[k] !== undefined);
    if (mixed) throw fail(mixed, `\`${mixed}\` belongs to the date form (start/end dates), but the metric uses the durations form (\`duration\`)`, both);
    if (def.event === undefined) throw fail('duration', '`duration` needs `event`, the column saying whether the event happened at the end of each duration', 'add `event: <column>` and `event_value: <value>`, e.g. `event: Churn, event_value: "Yes"` or `event: status, event_value: 1`');
    if (def.event_value === undefined) throw fail('event', `\`event: ${def.event}\` needs \`event_value\`, the value(s) of that column that mean the event happened`, 'add e.g. `event_value: 1` (R’s lung data codes death as 2: `event_value: 2`), or a list: `[Yes, "1"]`');
    if (ctx.granularity !== 'all' && def.date === undefined) {
      throw fail('duration', `the durations form needs a \`date:\` column to assign rows to ${ctx.granularity}s`, 'add `date: <column>` (e.g. the start date), or set report.period.granularity: all to compute the curve once over all data');
    }
    return 'durations';
  }
  for (const key of ['event', 'event_value', 'date'] as const) {
    if (def[key] !== undefined) throw fail(key, `\`${key}\` belongs to the durations form, which needs \`duration\``, 'add `duration: <column>` (time to the event or to censoring), or remove this key and use `id:` + `start:` + `end:`');
  }
  const missing = (['id', 'start', 'end'] as const).filter((k) => def[k] === undefined);
  if (missing.length > 0) {
    throw fail(null, `missing ${missing.map((k) => `\`${k}\``).join(', ')}: give the date form (id, start, end) or the durations form (duration, event, event_value)`, 'dates: `id: customer_id, start: signup_date, end: cancel_date`; durations: `duration: tenure, unit: months, event: Churn, event_value: "Yes"`');
  }
  return 'dates';
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const blank = (raw: unknown) => raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');

/**
 * Validates the rows of the durations form: a duration ≥ 0 (missing, non-numeric and negative
 * durations are excluded and counted), a non-empty event cell (matched against `event_value`; a
 * value matching no row at all is a config error listing the column's values), an optional id
 * (missing or duplicate excluded) and, with calendar periods, a valid date.
 */
function prepareDurations(ctx: PrepareContext<SurvivalConfig>): PreparedDurations {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.duration!, ['duration']);
  ctx.requireColumn(source, def.event!, ['event']);
  for (const key of ['id', 'date', 'by'] as const) if (def[key] !== undefined) ctx.requireColumn(source, def[key]!, [key]);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const g = ctx.granularity;
  const table = filteredTable(source, def.filter);
  const n = table.numRows();
  const durations = table.array(def.duration!) as ArrayLike<unknown>;
  const eventCells = table.array(def.event!) as ArrayLike<unknown>;
  requireMatch(ctx as PrepareContext<unknown>, eventCells, def.event!, def.event_value!, ['event_value'], source.name);
  const happened = flagMatcher(def.event_value!);
  const ids = def.id !== undefined ? (table.array(def.id) as ArrayLike<unknown>) : null;
  const dates = def.date !== undefined ? (table.array(def.date) as ArrayLike<unknown>) : null;
  const seen = new Map<string, number>();
  if (ids) for (let i = 0; i < n; i++) if (!blank(ids[i])) seen.set(String(ids[i]).trim(), (seen.get(String(ids[i]).trim()) ?? 0) + 1);
  const reject = rowRejecter(source, table, ctx.id);
  const exclusions = new ExclusionCounter();
  const keep: number[] = [];
  const times: number[] = [];
  const events: (0 | 1)[] = [];
  const period: string[] = [];
  let firstPeriod: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = dates ? parseTimestamp(dates[i]) : NaN;
    // granularity all: every row is in the one period, dated or not
    const p = g === 'all' ? ALL_PERIOD : Number.isFinite(t) ? periodOf(t, g) : null;
    if (p === null) {
      reject(i, def.date!, dates![i], 'missing or invalid date (ISO 8601 expected)');
      exclusions.add(null, 'missing or invalid date');
      continue;
    }
    const fail = (column: string, raw: unknown, reason: string, message: string) => {
      reject(i, column, raw, message);
      exclusions.add(p, reason);
    };
    if (ids && blank(ids[i])) {
      fail(def.id!, ids[i], 'missing id', 'missing id');
      continue;
    }
    if (ids && (seen.get(String(ids[i]).trim()) ?? 0) > 1) {
      fail(def.id!, ids[i], 'duplicate id', `duplicate id (${seen.get(String(ids[i]).trim())} rows)`);
      continue;
    }
    const raw = durations[i];
    const d = typeof raw === 'number' ? raw : !blank(raw) && NUMBER.test(String(raw)) ? Number(raw) : NaN;
    if (blank(raw)) {
      fail(def.duration!, raw, 'missing duration', 'missing duration');
      continue;
    }
    if (!Number.isFinite(d)) {
      fail(def.duration!, raw, 'invalid duration', `duration not a number (in ${def.unit}s)`);
      continue;
    }
    if (d < 0) {
      fail(def.duration!, raw, 'negative duration', 'negative duration');
      continue;
    }
    const e = happened(eventCells[i]);
    if (e === null) {
      fail(def.event!, eventCells[i], 'missing event', `missing event (${describeFlagValues(def.event_value!)} = event, any other value = censored)`);
      continue;
    }
    keep.push(i);
    times.push(d);
    events.push(e ? 1 : 0);
    period.push(p);
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
  }
  const valid = table.reify(keep).assign(aq.table({ __period: period, __ts: Float64Array.from(keep, (i) => (dates ? parseTimestamp(dates[i]) : NaN)) }));
  return {
    kind: 'durations',
    id: ctx.id,
    def,
    granularity: g,
    source,
    table: valid,
    times: Float64Array.from(times),
    events,
    period,
    exclusions,
    firstPeriod,
    cache: new Map(),
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, g),
  };
}

/**
 * The date form on a SQL source: the database groups the customers by start and end instant,
 * status and grouping columns (customers-pushdown.ts, instant cells): customers in a cell share
 * their tenure, so the cell's count is a frequency weight of the Kaplan–Meier fit and the
 * log-rank test. Otherwise rows. The durations form reads rows.
 */
function prepareSurvival(ctx: PrepareContext<SurvivalDef>): PreparedSurvival | Promise<PreparedSurvival> {
  const source = ctx.source('source');
  const form = survivalForm(ctx);
  const config = { ...ctx, def: survivalConfig(ctx.def, form) };
  if (form === 'durations') return isPushdown(source) ? prepareFromRows(config, source, prepareDurations) : prepareDurations(config);
  // the date form: id, start and end are given (survivalForm)
  const dated = config as unknown as PrepareContext<SurvivalConfig & { id: string; start: string; end: string }>;
  const extra: [string, string | undefined][] = [['by', ctx.def.by]];
  if (!isPushdown(source)) return prepareCustomers(dated, extra);
  if (canPushDownCustomers(source.sql, dated.def)) return prepareCustomersSql(dated, source, 'instant', extra);
  return prepareFromRows(dated, source, (c) => prepareCustomers(c, extra));
}

export const survivalModule: MetricModule<SurvivalDef, PreparedSurvival> = {
  type: 'survival',
  schema: survivalSchema,
  title: 'Customer survival (Kaplan–Meier)',
  pushdown: true,
  prepare: prepareSurvival,
  compute: computeSurvival,
};
