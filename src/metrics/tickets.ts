/**
 * Support tickets: first response time and resolution time (median and 90th percentile, never the
 * mean), SLA attainment, reopen rate, volume and ticket CSAT, per period of ticket creation.
 *
 * Durations are in hours. The median's 95% interval is the distribution-free order-statistic
 * (binomial) interval; a change in a median is tested with Mood's median test. Shares (SLA, reopen,
 * CSAT) use the Wilson interval and the pooled two-proportion z-test. Volume is a Poisson count:
 * exact (Garwood) interval, change by the exact conditional binomial test adjusted for period length.
 * Rows with unusable timestamps (unparseable, first response or resolution before creation,
 * resolution before first response) are excluded and counted per reason; open tickets are not
 * invalid — they are counted as open and left out of resolution time only.
 */
import { ExclusionCounter } from './exclusions.js';
import { invalidRowHint, rowRejecter } from './invalid.js';
import { cellValue, ident, isPushdown, isTemporal, loadRows, type PushdownSource, type SqlRelation } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import { periodKey, sourceDimensions } from './pushdown.js';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { z } from 'zod';
import { CxError } from '../kernel/errors.js';
import { palette } from '../kernel/theme.js';
import { formatter } from '../kernel/format.js';
import { localTranslator, translator, type Locale, type Vars } from '../kernel/i18n.js';
import { compileFilter, filterSchema, type Filter } from '../kernel/filter.js';
import { gammaP } from '../kernel/models/special.js';
import type { Change, ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, Unit, VisualBlock, VisualContext } from './module.js';
import { historyRange, parseTimestamp, periodOf, periodStart, shiftPeriod, type Granularity } from '../kernel/period.js';
import { groupKey } from './prepare.js';
import { lastTimestampOf, latestPeriodOf } from './timeline.js';
import { adjustGroups, ALPHA, byReason, makeResult, proportion, proportionChange, totalExclusions } from './result-builders.js';
import { metricFields } from './score/schema.js';
import { incompleteBeta, quantileSorted, twoProportionZTest, type Interval } from '../kernel/stats.js';

// ---------------------------------------------------------------------------------------------
// Text
// ---------------------------------------------------------------------------------------------

const MEDIAN_METHOD_EN =
  '95% interval for the median: distribution-free order-statistic interval [x(l), x(u)] from the Binomial(n, ½) distribution (no interval below n = 6). Change vs the previous period: Mood’s median test (two-proportion z-test on the share of tickets above the pooled median).';
const MEDIAN_METHOD_ZH =
  '中位数的 95% 置信区间：基于 Binomial(n, ½) 分布、无分布假设的顺序统计量区间 [x(l), x(u)]（n < 6 时不给出区间）。与上期相比的变化：Mood 中位数检验（对高于合并中位数的工单比例做双比例 z 检验）。';
const SHARE_METHOD_EN = '95% interval: Wilson score interval. Change: two-sided two-proportion z-test with pooled proportion.';
const SHARE_METHOD_ZH = '95% 置信区间：Wilson 得分区间。变化：采用合并比例的双侧双比例 z 检验。';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    'label.first_response': 'First response (median)',
    'label.resolution': 'Resolution time (median)',
    'label.sla': 'SLA attainment',
    'label.reopen_rate': 'Reopen rate',
    'label.volume': 'Ticket volume',
    'label.csat': 'Ticket CSAT',
    'title.first_response': 'Median first response time',
    'title.resolution': 'Median resolution time',
    'title.sla': 'SLA attainment',
    'title.reopen_rate': 'Ticket reopen rate',
    'title.volume': 'Ticket volume',
    'title.csat': 'Ticket satisfaction (CSAT)',
    'test.first_response': "Mood's median test (two-proportion z-test on the share above the pooled median)",
    'test.resolution': "Mood's median test (two-proportion z-test on the share above the pooled median)",
    'test.sla': 'two-proportion z-test (pooled)',
    'test.reopen_rate': 'two-proportion z-test (pooled)',
    'test.csat': 'two-proportion z-test (pooled)',
    'test.volume': 'exact conditional binomial test of two Poisson counts (adjusted for period length)',
    method:
      '{measure} Tickets are assigned to the period in which they were created. Rows with an unparseable creation, first-response or resolution timestamp, a first response or resolution before creation, or a resolution before the first response are excluded and counted per reason, never corrected. ' +
      'Open tickets (no resolution time) are counted as open, not invalid, and are left out of resolution time and resolution SLA; because recent tickets may still be open, the latest period’s resolution times can be biased low. ' +
      'Reference: time-to-first-response and time-to-resolution medians and percentiles as commonly reported in support analytics; order-statistic interval as in Conover, Practical Nonparametric Statistics (3rd ed., §3.2).',
    'method.first_response': `Median first response time in hours (first agent reply − creation) over tickets with a reply; the 90th percentile is reported beside it, never the mean. ${MEDIAN_METHOD_EN}`,
    'method.resolution': `Median resolution time in hours (resolution − creation) over resolved tickets; the 90th percentile is reported beside it, never the mean. ${MEDIAN_METHOD_EN}`,
    'method.sla': `SLA attainment: share of resolved tickets that met both targets (first response within {firstResponse}, resolution within {resolution}); a resolved ticket without a recorded reply is judged on resolution alone. ${SHARE_METHOD_EN}`,
    'method.reopen_rate': `Reopen rate: share of tickets flagged reopened among tickets that were resolved at least once (resolved, or flagged reopened); missing or unrecognised flags are left out and counted. ${SHARE_METHOD_EN}`,
    'method.volume':
      'Ticket volume: number of valid tickets created in the period, treated as a Poisson count. 95% interval: exact (Garwood) Poisson interval. Change: exact conditional binomial test — given the two periods’ total, the current count is Binomial(N, t₂/(t₁ + t₂)) under equal daily rates, t = days in each period; two-sided p by doubling the smaller tail.',
    'method.csat': `Ticket CSAT: share of answers {from}–{to} on the 1–{to} scale among tickets with a valid answer (unanswered tickets are not counted; non-numeric, fractional or out-of-range answers are excluded and counted). ${SHARE_METHOD_EN}`,
    'target.hours': '{hours} h',
    'target.priority': '{priority} {hours} h',
    'target.sep': ', ',
    'axis.hours': 'Hours',
    'axis.hoursLog': 'Hours (log scale)',
    'axis.percent': '{label} (%)',
    'chart.median': 'Median',
    'chart.p90': '90th percentile',
    'chart.peak': 'p90 peak {value}',
    'chart.target': 'Target {target}',
    'title.noData': '{label}: no tickets in {period}',
    'title.value': '{label} {value} in {period}',
    'title.up': '{label} {value} in {period}, up from {previous} ({verdict})',
    'title.down': '{label} {value} in {period}, down from {previous} ({verdict})',
    'title.unchanged': '{label} {value} in {period}, unchanged from {previous} ({verdict})',
    'title.noise': '{label} {value} in {period}, against {previous} the period before — within noise ({verdict})',
    significant: 'significant, {p}',
    notSignificant: 'not significant',
    'caption.duration':
      '{title} per period of ticket creation on a logarithmic hours axis (each gridline doubles or more, so the median and the 90th percentile are both readable), with the 95% order-statistic interval of the median (band), the 90th percentile (dashed) and the SLA targets (thin lines); n = {n} in {period}. Source: {source}.',
    'caption.share': '{title} per period of ticket creation, with 95% intervals; n = {n} in {period}. Source: {source}.',
    'caption.test': ' The test of the change is named in the methods appendix.',
    alt: 'Line chart of {label} by period: {items}.',
    altItem: '{period} {value}',
    altItemP90: '{period} {value} (p90 {p90})',
    altSep: '; ',
    medianP90: '{median} (p90 {p90})',
    'row.firstResponse': 'First response, median (p90)',
    'row.resolution': 'Resolution time, median (p90)',
    'row.sla': 'SLA attainment (resolved tickets)',
    'row.firstResponseSla': 'First response within target',
    'row.resolutionSla': 'Resolution within target',
    'row.reopenRate': 'Reopen rate',
    'row.csat': 'Ticket CSAT ({from}–{to})',
    'row.created': 'Tickets created',
    'row.open': 'Open at data end',
    'measures.caption': 'Support measures for tickets created in {period}',
    'measures.measure': 'Measure',
    'measures.value': 'Value',
    'measures.ci': '95% CI',
    'measures.n': 'n',
    'measures.footnote': 'Medians with distribution-free order-statistic intervals; shares with Wilson intervals; volume with the exact Poisson interval. Open tickets are excluded from resolution time.',
    'channels.caption': 'Ticket volume by channel, {period}',
    'channels.channel': 'Channel',
    'channels.tickets': 'Tickets',
    'channels.share': 'Share',
    'channels.change': 'Change',
    'channels.deltaP': '{delta} ({p})',
    'channels.footnote': 'Change tested per channel by the exact conditional binomial test of two Poisson counts; p shown where below 0.05 (not adjusted for the {count} channels).',
  },
  'zh-CN': {
    'label.first_response': '首次响应时间（中位数）',
    'label.resolution': '解决时间（中位数）',
    'label.sla': 'SLA 达成率',
    'label.reopen_rate': '重开率',
    'label.volume': '工单量',
    'label.csat': '工单 CSAT',
    'title.first_response': '首次响应时间中位数',
    'title.resolution': '解决时间中位数',
    'title.sla': 'SLA 达成率',
    'title.reopen_rate': '工单重开率',
    'title.volume': '工单量',
    'title.csat': '工单满意度（CSAT）',
    'test.first_response': 'Mood 中位数检验（对高于合并中位数的比例做双比例 z 检验）',
    'test.resolution': 'Mood 中位数检验（对高于合并中位数的比例做双比例 z 检验）',
    'test.sla': '双比例 z 检验（合并比例）',
    'test.reopen_rate': '双比例 z 检验（合并比例）',
    'test.csat': '双比例 z 检验（合并比例）',
    'test.volume': '两个泊松计数的精确条件二项检验（按期间长度调整）',
    method:
      '{measure}工单按创建时间归入期间。创建、首次响应或解决时间戳无法解析，首次响应或解决早于创建，或解决早于首次响应的行会被排除并按原因计数，从不修正。' +
      '未关闭工单（没有解决时间）计为未关闭而非无效，不计入解决时间和解决 SLA；由于近期工单可能仍未关闭，最近一期的解决时间可能偏低。' +
      '参考：客服分析中常用的首次响应时间和解决时间的中位数与百分位数；顺序统计量区间参见 Conover，Practical Nonparametric Statistics（第 3 版，§3.2）。',
    'method.first_response': `首次响应时间的中位数，以小时计（首次客服回复 − 创建），统计有回复的工单；同时报告第 90 百分位数，从不使用平均值。${MEDIAN_METHOD_ZH}`,
    'method.resolution': `解决时间的中位数，以小时计（解决 − 创建），统计已解决的工单；同时报告第 90 百分位数，从不使用平均值。${MEDIAN_METHOD_ZH}`,
    'method.sla': `SLA 达成率：已解决工单中同时达到两项目标的比例（首次响应时限{firstResponse}；解决时限{resolution}）；没有回复记录的已解决工单仅按解决时间判定。${SHARE_METHOD_ZH}`,
    'method.reopen_rate': `重开率：在至少解决过一次的工单（已解决，或标记为重开）中，标记为重开的比例；缺失或无法识别的标记不计入，并单独计数。${SHARE_METHOD_ZH}`,
    'method.volume':
      '工单量：本期创建的有效工单数，视为泊松计数。95% 置信区间：精确（Garwood）泊松区间。变化：精确条件二项检验——给定两期工单总数，在日均速率相同的假设下，本期计数服从 Binomial(N, t₂/(t₁ + t₂))，t 为各期天数；双侧 p 值取较小尾概率的两倍。',
    'method.csat': `工单 CSAT：在有有效回答的工单中，1–{to}分量表上回答为{from}–{to}分的比例（未回答的工单不计入；非数字、小数或超出范围的回答被排除并计数）。${SHARE_METHOD_ZH}`,
    'target.hours': '{hours}小时',
    'target.priority': '{priority} {hours}小时',
    'target.sep': '、',
    'axis.hours': '小时',
    'axis.hoursLog': '小时（对数刻度）',
    'axis.percent': '{label}（%）',
    'chart.median': '中位数',
    'chart.p90': '第 90 百分位数',
    'chart.peak': 'p90 峰值 {value}',
    'chart.target': '目标 {target}',
    'title.noData': '{label}：{period}没有工单',
    'title.value': '{period}{label}为{value}',
    'title.up': '{period}{label}为{value}，高于上期的{previous}（{verdict}）',
    'title.down': '{period}{label}为{value}，低于上期的{previous}（{verdict}）',
    'title.unchanged': '{period}{label}为{value}，与上期的{previous}持平（{verdict}）',
    'title.noise': '{period}{label}为{value}，上期为{previous}，差异在随机波动范围内（{verdict}）',
    significant: '显著，{p}',
    notSignificant: '不显著',
    'caption.duration': '按工单创建期间统计的{title}，纵轴为对数刻度（中位数与第 90 百分位数都清晰可读），含中位数的 95% 顺序统计量置信区间（带状）、第 90 百分位数（虚线）和 SLA 目标（细线）；{period}样本量 n = {n}。数据来源：{source}。',
    'caption.share': '按工单创建期间统计的{title}，含 95% 置信区间；{period}样本量 n = {n}。数据来源：{source}。',
    'caption.test': '变化的检验方法见方法附录。',
    alt: '各期{label}折线图：{items}。',
    altItem: '{period} {value}',
    altItemP90: '{period} {value}（p90 {p90}）',
    altSep: '；',
    medianP90: '{median}（p90 {p90}）',
    'row.firstResponse': '首次响应时间，中位数（p90）',
    'row.resolution': '解决时间，中位数（p90）',
    'row.sla': 'SLA 达成率（已解决工单）',
    'row.firstResponseSla': '首次响应达标率',
    'row.resolutionSla': '解决时间达标率',
    'row.reopenRate': '重开率',
    'row.csat': '工单 CSAT（{from}–{to}分）',
    'row.created': '新建工单数',
    'row.open': '数据截止时未关闭',
    'measures.caption': '{period}新建工单的客服指标',
    'measures.measure': '指标',
    'measures.value': '数值',
    'measures.ci': '95% 置信区间',
    'measures.n': '样本量',
    'measures.footnote': '中位数采用无分布假设的顺序统计量置信区间；比例采用 Wilson 区间；工单量采用精确泊松区间。未关闭工单不计入解决时间。',
    'channels.caption': '{period}按渠道划分的工单量',
    'channels.channel': '渠道',
    'channels.tickets': '工单数',
    'channels.share': '占比',
    'channels.change': '变化',
    'channels.deltaP': '{delta}（{p}）',
    'channels.footnote': '各渠道的变化采用两个泊松计数的精确条件二项检验；仅显示低于 0.05 的 p 值（未针对{count}个渠道做多重比较校正）。',
  },
} satisfies Record<Locale, Record<string, string>>;

type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;

// ---------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------

const hoursTarget = z
  .union([z.number().positive(), z.record(z.string(), z.number().positive())])
  .meta({ examples: [4, { urgent: 1, high: 2, normal: 4, low: 8 }] });

export const MEASURES = ['first_response', 'resolution', 'sla', 'reopen_rate', 'volume', 'csat'] as const;
export type TicketMeasure = (typeof MEASURES)[number];

export const ticketsSchema = z
  .strictObject({
    type: z.literal('tickets'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per ticket.').meta({ examples: ['tickets'] }),
    created: z.string().describe('Column with the ticket creation timestamp (ISO 8601); assigns each ticket to a period.').meta({ examples: ['created_at'] }),
    first_response: z.string().describe('Column with the timestamp of the first agent reply (ISO 8601); empty while the ticket awaits a reply.').meta({ examples: ['first_response_at'] }),
    resolved: z.string().describe('Column with the resolution timestamp (ISO 8601); empty while the ticket is open (open tickets are counted, not excluded).').meta({ examples: ['resolved_at'] }),
    channel: z.string().optional().describe('Column with the contact channel; gives volume by channel.').meta({ examples: ['channel'] }),
    priority: z.string().optional().describe('Column with the ticket priority; needed when SLA targets are given per priority.').meta({ examples: ['priority'] }),
    reopened: z.string().optional().describe('Column flagging reopened tickets (true/false, yes/no, 1/0); needed for measure: reopen_rate.').meta({ examples: ['reopened'] }),
    csat: z.string().optional().describe('Column with the ticket satisfaction answer on 1..csat_scale; needed for measure: csat.').meta({ examples: ['csat'] }),
    csat_scale: z.number().int().min(2).max(11).default(5).describe('Highest answer of the ticket CSAT question; the top two answers count as satisfied.'),
    measure: z
      .enum(MEASURES)
      .default('first_response')
      .describe('Which measure is the metric’s value: first_response / resolution (median hours), sla (share of resolved tickets within both targets), reopen_rate, volume (tickets created) or csat (share of 4–5).')
      .meta({ examples: ['first_response', 'sla'] }),
    sla: z
      .strictObject({
        first_response_hours: hoursTarget.default(4).describe('First-response target in hours: one number, or per priority value (e.g. { urgent: 1, high: 2, normal: 4, low: 8 }; a `default` key covers other priorities).'),
        resolution_hours: hoursTarget.default(48).describe('Resolution target in hours: one number, or per priority value (a `default` key covers other priorities).'),
      })
      .prefault({})
      .describe('Service-level targets used for SLA attainment.')
      .meta({ examples: [{ first_response_hours: 4, resolution_hours: 48 }, { first_response_hours: { urgent: 1, high: 2, normal: 4, low: 8 }, resolution_hours: 48 }] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Support tickets: first response and resolution time (median, p90), SLA attainment, reopen rate, volume and ticket CSAT.');

export type TicketsDef = z.infer<typeof ticketsSchema>;

// ---------------------------------------------------------------------------------------------
// Statistics specific to this module
// ---------------------------------------------------------------------------------------------

/** P(B ≤ k) for B ~ Binomial(n, q). */
function binomialCdf(k: number, n: number, q: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return incompleteBeta(1 - q, n - k, k + 1);
}

/** P(B ≥ k) for B ~ Binomial(n, q), computed directly (no 1 − cdf cancellation). */
function binomialSf(k: number, n: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return incompleteBeta(q, k, n - k + 1);
}

/**
 * Distribution-free confidence interval for the q-quantile of an ascending-sorted sample: the order
 * statistics [x(l), x(u)] with l the largest rank where P(B ≤ l − 1) ≤ α/2 and u the smallest rank
 * where P(B ≤ u − 1) ≥ 1 − α/2, B ~ Binomial(n, q); coverage P(l ≤ B ≤ u − 1) ≥ level. Null when the
 * sample is too small for any pair of order statistics to reach the level (e.g. n < 6 for the median).
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, level = 0.95): Interval | null {
  const n = sorted.length;
  if (n === 0 || !(q > 0 && q < 1)) return null;
  const a = (1 - level) / 2;
  if (binomialCdf(0, n, q) > a) return null;
  // largest l in 1..n with cdf(l − 1) ≤ a (cdf increasing in k)
  let lo = 1;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, q) <= a) lo = mid;
    else hi = mid - 1;
  }
  const l = lo;
  if (binomialCdf(n - 1, n, q) < 1 - a) return null;
  // smallest u in 1..n with cdf(u − 1) ≥ 1 − a
  lo = 1;
  hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, q) >= 1 - a) hi = mid;
    else lo = mid + 1;
  }
  return [sorted[l - 1], sorted[lo - 1]];
}


/** x with P(a, x) = p, by bisection. */
function gammaQuantile(p: number, a: number): number {
  let lo = 0;
  let hi = a + 20 * Math.sqrt(a) + 20;
  while (gammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact (Garwood) 95% interval for a Poisson mean from one observed count x: [G⁻¹(α/2; x), G⁻¹(1 − α/2; x + 1)]. */
export function poissonInterval(x: number, level = 0.95): Interval {
  const a = (1 - level) / 2;
  return [x === 0 ? 0 : gammaQuantile(a, x), gammaQuantile(1 - a, x + 1)];
}

/**
 * Exact conditional test for two Poisson counts x1 (exposure t1) and x2 (exposure t2): given N = x1 + x2,
 * x2 ~ Binomial(N, t2/(t1 + t2)) under equal rates; two-sided p by doubling the smaller tail. The
 * statistic is the standardised z = (x2 − N·p0)/√(N·p0·(1 − p0)).
 */
export function poissonRateTest(x1: number, t1: number, x2: number, t2: number): { z: number | null; p: number | null } {
  const n = x1 + x2;
  if (n === 0 || !(t1 > 0 && t2 > 0)) return { z: null, p: null };
  const p0 = t2 / (t1 + t2);
  const z = (x2 - n * p0) / Math.sqrt(n * p0 * (1 - p0));
  const p = Math.min(1, 2 * Math.min(binomialCdf(x2, n, p0), binomialSf(x2, n, p0)));
  return { z: Number.isFinite(z) ? z : null, p: Number.isFinite(p) ? p : null };
}

/** Mood's median test as a two-proportion z-test on the share above the pooled median (z > 0: current higher). */
export function moodMedianTest(previous: ArrayLike<number>, current: ArrayLike<number>): { z: number | null; p: number | null } {
  if (previous.length === 0 || current.length === 0) return { z: null, p: null };
  const pooled = Float64Array.from([...Array.from(previous), ...Array.from(current)]).sort();
  const m = quantileSorted(pooled, 0.5);
  let a = 0;
  let b = 0;
  for (let i = 0; i < previous.length; i++) if (previous[i] > m) a++;
  for (let i = 0; i < current.length; i++) if (current[i] > m) b++;
  const t = twoProportionZTest(a, previous.length, b, current.length);
  return { z: Number.isFinite(t.z) ? t.z : null, p: Number.isFinite(t.p) ? t.p : null };
}

// ---------------------------------------------------------------------------------------------
// Prepare
// ---------------------------------------------------------------------------------------------

export type TicketExclusion =
  | 'missing or invalid created time'
  | 'invalid first response time'
  | 'invalid resolved time'
  | 'first response before creation'
  | 'resolved before creation'
  | 'resolved before first response';

export interface PreparedTickets extends Prepared {
  kind: 'tickets';
  id: string;
  def: TicketsDef;
  granularity: Granularity;
  sourceName: string;
  /** source columns plus the derived __ columns; status 'ok' marks valid rows */
  table: ColumnTable;
  firstPeriod: string | undefined;
  /** row exclusions per period ('undated' for rows without a valid creation time) */
  exclusions: Map<string, Record<string, number>>;
  /** unusable cells of optional fields (reopened, csat, priority) per period, rows kept */
  fieldIssues: Map<string, Record<string, number>>;
  /** 'sql' when the database made the ticket cells */
  engine: 'memory' | 'sql';
}

const TRUE = new Set(['true', 'yes', 'y', 't', '1']);
const FALSE = new Set(['false', 'no', 'n', 'f', '0']);

/** A boolean cell: true/false, yes/no, y/n, t/f, 1/0 (any case); null when empty; 'invalid' otherwise. */
export function parseFlag(raw: unknown): boolean | null | 'invalid' {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  if (s === '') return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return 'invalid';
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Target hours for a priority: a single number, or the per-priority entry (case-insensitive; `default` as fallback). */
function targetFor(target: number | Record<string, number>, priority: unknown): number | null {
  if (typeof target === 'number') return target;
  const key = isEmpty(priority) ? '' : String(priority).trim().toLowerCase();
  for (const [k, v] of Object.entries(target)) if (k.trim().toLowerCase() === key) return v;
  for (const [k, v] of Object.entries(target)) if (k.trim().toLowerCase() === 'default') return v;
  return null;
}

const HOUR = 3_600_000;

function prepareTickets(ctx: PrepareContext<TicketsDef>): PreparedTickets | Promise<PreparedTickets> {
  const def = ctx.def;
  const source = ctx.source('source');
  for (const key of ['created', 'first_response', 'resolved', 'channel', 'priority', 'reopened', 'csat'] as const) {
    const column = def[key];
    if (column !== undefined) ctx.requireColumn(source, column, [key]);
  }
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const needs: Partial<Record<TicketMeasure, 'reopened' | 'csat'>> = { reopen_rate: 'reopened', csat: 'csat' };
  const needed = needs[def.measure];
  if (needed && def[needed] === undefined) {
    throw new CxError('config', `metric "${ctx.id}": measure "${def.measure}" needs the \`${needed}\` column`, {
      location: ctx.config.yaml.locate(['metrics', ctx.id, 'measure']),
      hint: `add \`${needed}: <column>\` to this metric, or choose another measure (${MEASURES.join(', ')})`,
    });
  }
  for (const key of ['first_response_hours', 'resolution_hours'] as const) {
    if (typeof def.sla[key] === 'object' && def.priority === undefined) {
      throw new CxError('config', `metric "${ctx.id}": sla.${key} is given per priority, but the metric has no \`priority\` column`, {
        location: ctx.config.yaml.locate(['metrics', ctx.id, 'sla', key]),
        hint: 'add `priority: <column>` to this metric, or give one number of hours',
      });
    }
  }

  const granularity = ctx.granularity;
  const dims = sourceDimensions(ctx, source, [def.channel]);
  if (!isPushdown(source)) return prepareFrom(ctx, rowRecords(ctx.id, source, def, granularity));
  // granularity all keeps tickets without a creation time (counted, durations unknown): rows in memory
  if (granularity !== 'all' && canPushDownTickets(source.sql, def)) return ticketCells(ctx.id, source, def, dims, granularity).then((records) => prepareFrom(ctx, records));
  return loadRows(source).then((rows) => prepareFrom(ctx, rowRecords(ctx.id, rows, def, granularity)));
}

/**
 * Tickets as the metric sees them: per ticket (in memory) or per database cell of tickets alike in
 * everything the metric uses (pushed down: `ticketCellsSql`), the creation period, the latest
 * creation time, the times to first response and to resolution (ms; null when empty, NaN when
 * unreadable), the raw priority, reopened and CSAT cells, the grouping columns and a weight.
 */
export interface TicketRecords {
  n: number;
  period: (string | null)[];
  ts: Float64Array;
  fr: (number | null)[];
  res: (number | null)[];
  priority: ArrayLike<unknown> | null;
  reopened: ArrayLike<unknown> | null;
  csat: ArrayLike<unknown> | null;
  /** source columns (in memory: all of them; pushed down: the grouping columns) */
  table: ColumnTable;
  weight: Float64Array | null;
  /**
   * granularity all: records without a valid creation time, kept (1) — counted in volume, open,
   * reopen rate and CSAT, left out of the durations and SLA (no time to measure from)
   */
  undated?: Uint8Array;
  /** `on_invalid: error` for record i: throws with the record's location */
  reject: (i: number, column: string, raw: unknown, reason: string) => void;
  engine: 'memory' | 'sql';
}

/** One record per row (after the filter), located by file row for `on_invalid: error`. */
function rowRecords(metric: string, source: SourceTable, def: TicketsDef, granularity: Granularity): TicketRecords {
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const n = table.numRows();
  const col = (name: string | undefined) => (name === undefined ? null : (table.array(name) as ArrayLike<unknown>));
  const created = col(def.created)!;
  const firsts = col(def.first_response)!;
  const resolveds = col(def.resolved)!;
  const period: (string | null)[] = new Array(n);
  const ts = new Float64Array(n);
  const fr: (number | null)[] = new Array(n);
  const res: (number | null)[] = new Array(n);
  const undated = granularity === 'all' ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const c = parseTimestamp(created[i]);
    ts[i] = c;
    period[i] = Number.isFinite(c) ? periodOf(c, granularity) : null;
    if (undated && period[i] === null) {
      // one period over all data: the ticket counts, without durations
      period[i] = 'all';
      undated[i] = 1;
    }
    fr[i] = isEmpty(firsts[i]) ? null : parseTimestamp(firsts[i]) - c;
    res[i] = isEmpty(resolveds[i]) ? null : parseTimestamp(resolveds[i]) - c;
  }
  return { n, period, ts, fr, res, priority: col(def.priority), reopened: col(def.reopened), csat: col(def.csat), table, weight: null, undated, reject: rowRejecter(source, table, metric), engine: 'memory' };
}

/** Whether the database can make the ticket cells: creation, first response and resolution are DATE or TIMESTAMP columns. */
export function canPushDownTickets(sql: SqlRelation, def: TicketsDef): boolean {
  return [def.created, def.first_response, def.resolved].every((c) => isTemporal(sql.kind(c)));
}

/** The raw-value columns of the ticket cells (c0, c1, … in the statement): priority, reopened, CSAT, then the grouping columns. */
function ticketCellColumns(def: TicketsDef, dims: string[]): string[] {
  return [...new Set([def.priority, def.reopened, def.csat, ...dims].filter((c): c is string => c !== undefined))];
}

/**
 * The generated statement: tickets grouped by creation month, time to first response and to
 * resolution (seconds), the raw priority, reopened and CSAT values and the grouping columns, with
 * the count and the latest creation time. Validation and SLA targets are applied to the cells in
 * JS by the same code as to rows (`prepareFrom`); the order statistics need the durations
 * themselves, which the cells keep (with their multiplicity).
 */
export function ticketCellsSql(sql: SqlRelation, def: TicketsDef, dims: string[]): string {
  const columns = ticketCellColumns(def, dims);
  const alias = (c: string) => `c${columns.indexOf(c)}`;
  const [c, f, r] = [def.created, def.first_response, def.resolved].map(ident);
  const inner = [
    `DATE_TRUNC('month', ${c}) AS cx_period`,
    `${c} AS cx_created`,
    `EXTRACT(EPOCH FROM ${f}) - EXTRACT(EPOCH FROM ${c}) AS cx_fr`,
    `EXTRACT(EPOCH FROM ${r}) - EXTRACT(EPOCH FROM ${c}) AS cx_res`,
    ...columns.map((col) => `${ident(col)} AS ${alias(col)}`),
  ];
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const keys = ['cx_period', 'cx_fr', 'cx_res', ...columns.map(alias)];
  return [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, CAST(cx_fr AS DOUBLE PRECISION) AS cx_fr, CAST(cx_res AS DOUBLE PRECISION) AS cx_res${columns.map((col) => `, ${alias(col)}`).join('')}, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_created)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (SELECT ${inner.join(', ')} FROM ${sql.from()}${fence}) AS cx_rows`,
    `GROUP BY ${keys.join(', ')}`,
  ].join('\n');
}

/** The ticket cells from the database, as records (filtered by the metric's filter on their grouping values). */
async function ticketCells(metric: string, source: PushdownSource, def: TicketsDef, dims: string[], granularity: Granularity): Promise<TicketRecords> {
  const columns = ticketCellColumns(def, dims);
  const { names, rows } = await source.sql.run(ticketCellsSql(source.sql, def, dims));
  const at = (name: string) => names.indexOf(name);
  const [y, m, fr, res, n, ep] = ['cx_year', 'cx_month', 'cx_fr', 'cx_res', 'cx_n', 'cx_epoch'].map(at);
  const colAt = columns.map((_, i) => at(`c${i}`));
  const keep = def.filter ? compileFilter(def.filter as Filter) : null;
  const ms = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000));
  const out = { period: [] as (string | null)[], ts: [] as number[], fr: [] as (number | null)[], res: [] as (number | null)[], weight: [] as number[], values: columns.map(() => [] as unknown[]) };
  const records = rows
    .map((r) => ({ r, period: periodKey(r[y], r[m], granularity), values: colAt.map((k) => cellValue(r[k])) }))
    .filter(({ values }) => !keep || keep((column) => values[columns.indexOf(column)]))
    // a fixed order (period, then the cell's values), so that `on_invalid: error` names the same cell every time
    .sort((a, b) => (a.period ?? '\uffff').localeCompare(b.period ?? '\uffff') || JSON.stringify([a.r[fr], a.r[res], a.values]).localeCompare(JSON.stringify([b.r[fr], b.r[res], b.values])));
  for (const { r, period, values } of records) {
    out.period.push(period);
    out.ts.push(r[ep] === null ? NaN : Math.round(Number(r[ep]) * 1000));
    out.fr.push(ms(r[fr]));
    out.res.push(ms(r[res]));
    out.weight.push(Number(r[n]));
    values.forEach((v, j) => out.values[j].push(v));
  }
  // __cell keeps the row count when the cells have no value columns
  const table = aq.table({ __cell: out.period.map((_, i) => i), ...Object.fromEntries(columns.map((c, j) => [c, out.values[j]])) });
  const reject = (i: number, column: string, raw: unknown, reason: string) => {
    if (source.onInvalid !== 'error') return;
    const value = raw === undefined ? '' : `${raw === null || (typeof raw === 'string' && raw.trim() === '') ? 'empty' : JSON.stringify(raw)} — `;
    const where = out.period[i] ? ` (a ticket created in ${out.period[i]})` : '';
    throw new CxError('data', `column ${column}: ${value}${reason}${where}`, { location: { file: source.file }, hint: invalidRowHint(metric, source) });
  };
  const pick = (column: string | undefined) => (column === undefined ? null : out.values[columns.indexOf(column)]);
  return { n: out.period.length, period: out.period, ts: Float64Array.from(out.ts), fr: out.fr, res: out.res, priority: pick(def.priority), reopened: pick(def.reopened), csat: pick(def.csat), table, weight: Float64Array.from(out.weight), reject, engine: 'sql' };
}

/** Validates the records (the same rules whatever the engine) and derives each ticket's measures; weights count tickets. */
function prepareFrom(ctx: PrepareContext<TicketsDef>, records: TicketRecords): PreparedTickets {
  const def = ctx.def;
  const granularity = ctx.granularity;
  const { n, reject } = records;
  const w = (i: number) => (records.weight ? records.weight[i] : 1);
  const period = records.period;
  const status: string[] = new Array(n);
  const fr: (number | null)[] = new Array(n).fill(null);
  const res: (number | null)[] = new Array(n).fill(null);
  const open = new Float64Array(n);
  const awaiting = new Float64Array(n);
  const frMet: (number | null)[] = new Array(n).fill(null);
  const resMet: (number | null)[] = new Array(n).fill(null);
  const slaMet: (number | null)[] = new Array(n).fill(null);
  const reopened: (number | null)[] = new Array(n).fill(null);
  const csatSat: (number | null)[] = new Array(n).fill(null);
  const excluded = new ExclusionCounter();
  const issues = new ExclusionCounter();
  const exclusions = excluded.byPeriod;
  const fieldIssues = issues.byPeriod;
  let firstPeriod: string | undefined;
  const scale = def.csat_scale;

  for (let i = 0; i < n; i++) {
    const p = period[i];
    if (p === null) {
      reject(i, def.created, records.table.columnNames().includes(def.created) ? records.table.array(def.created)[i] : undefined, 'missing or invalid created time (ISO 8601 expected)');
      status[i] = 'missing or invalid created time';
      excluded.add('undated', status[i], w(i));
      continue;
    }
    const f = records.fr[i];
    const r = records.res[i];
    const timeless = records.undated?.[i] === 1;
    let reason: TicketExclusion | null = null;
    if (timeless) issues.add(p, 'missing or invalid created time', w(i));
    else if (f !== null && Number.isNaN(f)) reason = 'invalid first response time';
    else if (r !== null && Number.isNaN(r)) reason = 'invalid resolved time';
    else if (f !== null && f < 0) reason = 'first response before creation';
    else if (r !== null && r < 0) reason = 'resolved before creation';
    else if (r !== null && f !== null && r < f) reason = 'resolved before first response';
    if (reason) {
      const column = reason === 'invalid first response time' || reason === 'first response before creation' ? def.first_response : def.resolved;
      reject(i, column, records.table.columnNames().includes(column) ? records.table.array(column)[i] : undefined, reason);
      status[i] = reason;
      excluded.add(p, reason, w(i));
      continue;
    }
    status[i] = 'ok';
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
    const priority = records.priority ? records.priority[i] : undefined;
    const frTarget = targetFor(def.sla.first_response_hours, priority);
    const resTarget = targetFor(def.sla.resolution_hours, priority);
    if (!timeless && (frTarget === null || resTarget === null)) issues.add(p, 'no SLA target for priority', w(i));
    if (timeless) {
      // no creation time: resolved or open is known from the resolution cell, the durations are not
      if (r === null) open[i] = 1;
    } else {
      if (f !== null) {
        fr[i] = f / HOUR;
        if (frTarget !== null) frMet[i] = fr[i]! <= frTarget ? 1 : 0;
      } else awaiting[i] = 1;
      if (r !== null) {
        res[i] = r / HOUR;
        if (resTarget !== null) resMet[i] = res[i]! <= resTarget ? 1 : 0;
        if (resMet[i] !== null && (f === null || frMet[i] !== null)) slaMet[i] = resMet[i] === 1 && (f === null || frMet[i] === 1) ? 1 : 0;
      } else open[i] = 1;
    }
    if (records.reopened) {
      const flag = parseFlag(records.reopened[i]);
      if (flag === 'invalid') {
        reject(i, def.reopened!, records.reopened[i], 'reopened flag not recognised (true/false, yes/no, 1/0)');
        issues.add(p, 'reopened flag not recognised', w(i));
      }
      else if (flag === null) issues.add(p, 'missing reopened flag', w(i));
      else if (flag || r !== null) reopened[i] = flag ? 1 : 0;
    }
    if (records.csat && !isEmpty(records.csat[i])) {
      const raw = records.csat[i];
      const v = typeof raw === 'number' ? raw : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(raw)) ? Number(raw) : NaN;
      const issue = !Number.isFinite(v) ? 'csat not a number' : !Number.isInteger(v) ? 'csat not an integer' : v < 1 || v > scale ? 'csat out of range' : null;
      if (issue) {
        reject(i, def.csat!, raw, `${issue} (valid: integers 1–${scale})`);
        issues.add(p, issue, w(i));
      } else csatSat[i] = v >= scale - 1 ? 1 : 0;
    }
  }

  // weighted measures: a record stands for `w` tickets (sums and counts over tickets; durations repeated w times in the cells' rollup)
  const weight = Float64Array.from({ length: n }, (_, i) => w(i));
  const times = (values: (number | null)[]) => values.map((v, i) => (v === null ? null : weight[i]));
  const scaled = (values: (number | null)[]) => values.map((v, i) => (v === null ? null : v * weight[i]));
  const derived: Record<string, ArrayLike<unknown>> = {
    __period: period,
    __ts: records.ts,
    __status: status,
    __w: weight,
    __fr: fr,
    __frW: times(fr),
    __res: res,
    __resW: times(res),
    __open: Float64Array.from(open, (v, i) => v * weight[i]),
    __awaiting: Float64Array.from(awaiting, (v, i) => v * weight[i]),
    __frMet: scaled(frMet),
    __frN: times(frMet),
    __resMet: scaled(resMet),
    __resN: times(resMet),
    __slaMet: scaled(slaMet),
    __slaN: times(slaMet),
    __reopened: scaled(reopened),
    __reopenN: times(reopened),
    __csatSat: scaled(csatSat),
    __csatN: times(csatSat),
  };
  const full = records.table.assign(aq.table(derived));
  const valid = full.filter((d: Record<string, unknown>) => d.__status === 'ok').reify();
  return {
    kind: 'tickets',
    id: ctx.id,
    def,
    granularity,
    sourceName: def.source,
    table: valid,
    firstPeriod,
    exclusions,
    fieldIssues,
    engine: records.engine,
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, granularity),
  };
}

// ---------------------------------------------------------------------------------------------
// Sufficient statistics per cell (period × group) and their finalisation
// ---------------------------------------------------------------------------------------------

export interface TicketCell {
  volume: number;
  open: number;
  awaiting: number;
  /** first response hours, ascending */
  fr: Float64Array;
  /** resolution hours, ascending */
  res: Float64Array;
  frMet: number;
  frN: number;
  resMet: number;
  resN: number;
  slaMet: number;
  slaN: number;
  reopened: number;
  reopenN: number;
  csatSat: number;
  csatN: number;
}

const emptyCell = (): TicketCell => ({ volume: 0, open: 0, awaiting: 0, fr: new Float64Array(0), res: new Float64Array(0), frMet: 0, frN: 0, resMet: 0, resN: 0, slaMet: 0, slaN: 0, reopened: 0, reopenN: 0, csatSat: 0, csatN: 0 });

const ROLLUP = {
  volume: 'd => op.sum(d.__w)',
  open: 'd => op.sum(d.__open)',
  awaiting: 'd => op.sum(d.__awaiting)',
  fr: 'd => op.array_agg(d.__fr)',
  frW: 'd => op.array_agg(d.__frW)',
  res: 'd => op.array_agg(d.__res)',
  resW: 'd => op.array_agg(d.__resW)',
  frMet: 'd => op.sum(d.__frMet)',
  frN: 'd => op.sum(d.__frN)',
  resMet: 'd => op.sum(d.__resMet)',
  resN: 'd => op.sum(d.__resN)',
  slaMet: 'd => op.sum(d.__slaMet)',
  slaN: 'd => op.sum(d.__slaN)',
  reopened: 'd => op.sum(d.__reopened)',
  reopenN: 'd => op.sum(d.__reopenN)',
  csatSat: 'd => op.sum(d.__csatSat)',
  csatN: 'd => op.sum(d.__csatN)',
};

/** Durations repeated by their weights (tickets per record), ascending. */
function repeated(values: number[] | undefined, weights: number[] | undefined): Float64Array {
  const out: number[] = [];
  (values ?? []).forEach((v, i) => {
    for (let k = 0; k < (weights?.[i] ?? 1); k++) out.push(v);
  });
  return Float64Array.from(out).sort();
}

function toCell(o: Record<string, unknown>): TicketCell {
  const num = (k: string) => Number(o[k] ?? 0) || 0;
  const sorted = (k: string) => repeated(o[k] as number[] | undefined, o[`${k}W`] as number[] | undefined);
  return { volume: num('volume'), open: num('open'), awaiting: num('awaiting'), fr: sorted('fr'), res: sorted('res'), frMet: num('frMet'), frN: num('frN'), resMet: num('resMet'), resN: num('resN'), slaMet: num('slaMet'), slaN: num('slaN'), reopened: num('reopened'), reopenN: num('reopenN'), csatSat: num('csatSat'), csatN: num('csatN') };
}

/** Cells per period (and per value of `by`), optionally only for some periods. */
function cells(pt: PreparedTickets, by?: string, periods?: string[]): Map<string, TicketCell> {
  let rows = pt.table;
  if (periods) rows = rows.params({ periods }).filter('(d, $) => op.includes($.periods, d.__period)');
  const keys: string[] = ['__period'];
  if (by) {
    rows = rows.derive({ __group: aq.escape((d: Record<string, unknown>) => groupKey(d[by])) as never });
    keys.push('__group');
  }
  const out = new Map<string, TicketCell>();
  for (const o of rows.groupby(...keys).rollup(ROLLUP as never).objects() as Record<string, unknown>[]) {
    out.set(by ? `${o.__period}\u0000${o.__group}` : String(o.__period), toCell(o));
  }
  return out;
}

/** Several cells as one (sums added, durations merged in order): the rest of a breakdown. */
function mergeCells(list: TicketCell[]): TicketCell {
  const out = emptyCell();
  const numeric = ['volume', 'open', 'awaiting', 'frMet', 'frN', 'resMet', 'resN', 'slaMet', 'slaN', 'reopened', 'reopenN', 'csatSat', 'csatN'] as const;
  for (const c of list) for (const k of numeric) out[k] += c[k];
  out.fr = Float64Array.from(list.flatMap((c) => [...c.fr])).sort();
  out.res = Float64Array.from(list.flatMap((c) => [...c.res])).sort();
  return out;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** Median, p90 and their order-statistic intervals of a sorted duration sample (hours). */
export function durationSummary(sorted: Float64Array): { n: number; median: number | null; ci: Interval | null; p90: number | null; p90Ci: Interval | null } {
  return {
    n: sorted.length,
    median: sorted.length ? finite(quantileSorted(sorted, 0.5)) : null,
    ci: quantileInterval(sorted, 0.5),
    p90: sorted.length ? finite(quantileSorted(sorted, 0.9)) : null,
    p90Ci: quantileInterval(sorted, 0.9),
  };
}

const shareOf = (x: number, n: number) => {
  const v = proportion('', x, n, 0);
  return { count: x, n, share: v.value, ci: v.ci };
};

interface Measured extends PeriodValue {
  se: number | null;
}

/** The value of one measure for one cell. */
/** Whether the ticket log covers a period (from its first to its last period with valid tickets): outside it, volume is "no data", not 0. */
function covers(pt: PreparedTickets, period: string): boolean {
  const last = pt.latestPeriod();
  return pt.firstPeriod !== undefined && last !== undefined && period >= pt.firstPeriod && period <= last;
}

function measureValue(measure: TicketMeasure, period: string, cell: TicketCell, minSample: number, covered = true): Measured {
  if (measure === 'volume' && !covered) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  if (measure === 'first_response' || measure === 'resolution') {
    const s = durationSummary(measure === 'first_response' ? cell.fr : cell.res);
    return { period, value: s.median, n: s.n, ci: s.ci, lowSample: s.n < minSample, se: null };
  }
  if (measure === 'volume') {
    const x = cell.volume;
    return { period, value: x, n: x, ci: poissonInterval(x), lowSample: x < minSample, se: Math.sqrt(x) };
  }
  const [x, n] = measure === 'sla' ? [cell.slaMet, cell.slaN] : measure === 'reopen_rate' ? [cell.reopened, cell.reopenN] : [cell.csatSat, cell.csatN];
  const v = proportion(period, x, n, minSample);
  return { ...v, se: n > 0 ? 100 * Math.sqrt((x / n) * (1 - x / n) / n) : null };
}


const days = (period: string, granularity: Granularity) => (periodStart(shiftPeriod(period, 1, granularity), granularity) - periodStart(period, granularity)) / 86_400_000;

/** The change of one measure between two cells, with its test. */
function measureChange(measure: TicketMeasure, pt: PreparedTickets, previousPeriod: string, period: string, prev: TicketCell, cur: TicketCell, minSample: number): Change {
  const a = measureValue(measure, previousPeriod, prev, minSample, covers(pt, previousPeriod));
  const b = measureValue(measure, period, cur, minSample, covers(pt, period));
  const test = MESSAGES.en[`test.${measure}`];
  const previous = a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci };
  if (measure === 'sla' || measure === 'reopen_rate' || measure === 'csat') {
    const pick = (c: TicketCell) => (measure === 'sla' ? { x: c.slaMet, n: c.slaN } : measure === 'reopen_rate' ? { x: c.reopened, n: c.reopenN } : { x: c.csatSat, n: c.csatN });
    return { ...proportionChange(previousPeriod, pick(prev), pick(cur), minSample), test };
  }
  if (a.value === null || b.value === null || previous === null) return { previous, delta: null, test, statistic: null, p: null, significant: false };
  const t = measure === 'volume' ? poissonRateTest(prev.volume, days(previousPeriod, pt.granularity), cur.volume, days(period, pt.granularity)) : moodMedianTest(measure === 'first_response' ? prev.fr : prev.res, measure === 'first_response' ? cur.fr : cur.res);
  return { previous, delta: b.value - a.value, test, statistic: t.z, p: t.p, significant: t.p !== null && t.p < ALPHA };
}

const UNIT: Record<TicketMeasure, Unit> = { first_response: 'duration', resolution: 'duration', sla: 'percent', reopen_rate: 'percent', volume: 'count', csat: 'percent' };

function describeTarget(target: number | Record<string, number>, t: Translate): string {
  return typeof target === 'number' ? t('target.hours', { hours: target }) : Object.entries(target).map(([priority, hours]) => t('target.priority', { priority, hours })).join(t('target.sep'));
}

function methodText(def: TicketsDef, t: Translate): string {
  const vars: Vars = { firstResponse: describeTarget(def.sla.first_response_hours, t), resolution: describeTarget(def.sla.resolution_hours, t), from: def.csat_scale - 1, to: def.csat_scale };
  return t('method', { measure: t(`method.${def.measure}`, vars) });
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

const share = (s: { count: number; n: number; share: number | null; ci: Interval | null }) => ({ count: s.count, n: s.n, share: s.share, ci: s.ci });

function computeTickets(pt: PreparedTickets, ctx: ComputeContext): MetricResult {
  const def = pt.def;
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
  const measure = def.measure;
  const { period, previousPeriod, minSample } = ctx;
  const byPeriod = cells(pt);
  const cur = byPeriod.get(period) ?? emptyCell();
  const prev = byPeriod.get(previousPeriod) ?? emptyCell();
  const head = measureValue(measure, period, cur, minSample, covers(pt, period));
  const change = measureChange(measure, pt, previousPeriod, period, prev, cur, minSample);

  const first = pt.firstPeriod !== undefined && pt.firstPeriod <= period ? pt.firstPeriod : period;
  const series = historyRange(first, period, pt.granularity).map((p) => {
    const { se: _se, ...v } = measureValue(measure, p, byPeriod.get(p) ?? emptyCell(), minSample, covers(pt, p));
    return v;
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const grouped = cells(pt, column, [previousPeriod, period]);
    const groups = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))].sort();
    breakdowns[column] = adjustGroups(
      groups
        .map((group) => {
          const gc = grouped.get(`${period}\u0000${group}`) ?? emptyCell();
          const { se: _se, ...v } = measureValue(measure, period, gc, minSample, covers(pt, period));
          if (pt.granularity === 'all') {
            // one period over all data: the group against every other ticket (volume: a count, not tested)
            const rest = mergeCells(groups.filter((o) => o !== group).map((o) => grouped.get(`${period}\u0000${o}`) ?? emptyCell()));
            const ch = measure === 'volume' ? null : measureChange(measure, pt, period, period, rest, gc, minSample);
            return { group, ...v, previous: null, rest: ch?.previous ? { value: ch.previous.value, n: ch.previous.n } : null, delta: ch?.delta ?? null, p: ch?.p ?? null, pAdjusted: null as number | null, significant: false };
          }
          const gp = grouped.get(`${previousPeriod}\u0000${group}`) ?? emptyCell();
          const ch = measureChange(measure, pt, previousPeriod, period, gp, gc, minSample);
          return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
        })
        .filter((g) => g.n > 0 || (g.previous?.n ?? 0) > 0),
    );
  }

  const rowExcl = pt.exclusions.get(period) ?? {};
  const fieldIssues = pt.fieldIssues.get(period) ?? {};
  const relevant: Partial<Record<TicketMeasure, string[]>> = {
    reopen_rate: ['reopened flag not recognised', 'missing reopened flag'],
    csat: ['csat not a number', 'csat not an integer', 'csat out of range'],
    sla: ['no SLA target for priority', 'missing or invalid created time'],
    first_response: ['missing or invalid created time'],
    resolution: ['missing or invalid created time'],
  };
  const exclusions: Record<string, number> = { ...rowExcl };
  for (const reason of relevant[measure] ?? []) if (fieldIssues[reason]) exclusions[reason] = fieldIssues[reason];
  const all = totalExclusions(pt.exclusions.values());
  for (const entry of pt.fieldIssues.values()) for (const [k, v] of Object.entries(entry)) if ((relevant[measure] ?? []).includes(k)) all[k] = (all[k] ?? 0) + v;

  // Volume by channel for the current period (with the previous period for change).
  let volumeByChannel: { channel: string; count: number; share: number | null; previous: number | null; delta: number | null; p: number | null }[] | null = null;
  if (def.channel && pt.granularity === 'all') {
    // one period over all data: the count and share per channel, nothing to compare with
    const grouped = cells(pt, def.channel, [period]);
    volumeByChannel = [...grouped.entries()]
      .map(([key, cell]) => ({ channel: key.split('\u0000')[1], count: cell.volume, share: cur.volume > 0 ? (100 * cell.volume) / cur.volume : null, previous: null, delta: null, p: null }))
      .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel));
  } else if (def.channel) {
    const grouped = cells(pt, def.channel, [previousPeriod, period]);
    const channels = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))];
    const dPrev = days(previousPeriod, pt.granularity);
    const dCur = days(period, pt.granularity);
    volumeByChannel = channels
      .map((channel) => {
        const c = grouped.get(`${period}\u0000${channel}`)?.volume ?? 0;
        const p = grouped.get(`${previousPeriod}\u0000${channel}`)?.volume ?? 0;
        return { channel, count: c, share: cur.volume > 0 ? (100 * c) / cur.volume : null, previous: p, delta: c - p, p: poissonRateTest(p, dPrev, c, dCur).p };
      })
      .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel));
  }

  const frs = durationSummary(cur.fr);
  const ress = durationSummary(cur.res);
  const volPrev = prev.volume;
  const volTest = pt.granularity === 'all' ? { z: null, p: null } : poissonRateTest(volPrev, days(previousPeriod, pt.granularity), cur.volume, days(period, pt.granularity));
  const extra = {
    measure,
    firstResponse: { ...frs, previousMedian: durationSummary(prev.fr).median, awaitingFirstResponse: cur.awaiting },
    resolution: { ...ress, previousMedian: durationSummary(prev.res).median, open: cur.open },
    sla: {
      firstResponseHours: def.sla.first_response_hours,
      resolutionHours: def.sla.resolution_hours,
      overall: share(shareOf(cur.slaMet, cur.slaN)),
      firstResponse: share(shareOf(cur.frMet, cur.frN)),
      resolution: share(shareOf(cur.resMet, cur.resN)),
    },
    reopenRate: def.reopened ? share(shareOf(cur.reopened, cur.reopenN)) : null,
    csat: def.csat ? { ...share(shareOf(cur.csatSat, cur.csatN)), scale: def.csat_scale } : null,
    volume: covers(pt, period)
      ? { count: cur.volume, ci: poissonInterval(cur.volume), previous: covers(pt, previousPeriod) ? volPrev : null, delta: covers(pt, previousPeriod) ? cur.volume - volPrev : null, z: covers(pt, previousPeriod) ? volTest.z : null, p: covers(pt, previousPeriod) ? volTest.p : null }
      : { count: null, ci: null, previous: null, delta: null, z: null, p: null },
    open: cur.open,
    volumeByChannel,
    fieldIssues: Object.fromEntries(Object.entries(fieldIssues).sort(([a], [b]) => a.localeCompare(b))),
  };

  const label = def.label ?? t(`label.${measure}`);
  return makeResult({
    id: pt.id,
    type: 'tickets',
    label,
    title: t(`title.${measure}`),
    unit: UNIT[measure],
    higherIsBetter: measure === 'sla' || measure === 'csat',
    ...head,
    minSample,
    target: def.target ?? null,
    domain: UNIT[measure] === 'percent' ? [0, 100] : null,
    ...change,
    test: t(`test.${measure}`),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions: byReason(exclusions),
    excludedAllPeriods: byReason(all),
    series,
    breakdowns,
    method: methodText(def, t),
    extra,
  });
}

// ---------------------------------------------------------------------------------------------
// Visual
// ---------------------------------------------------------------------------------------------

export function visualTickets(r: MetricResult, pt: PreparedTickets, ctx: VisualContext): VisualBlock[] {
  const def = pt.def;
  const measure = def.measure;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const noData = translator(locale)('fmt.noData');
  const x = r.extra as any;
  const short = (k: string) => ctx.periodLabel(k, 'short');
  const periodName = ctx.periodLabel(ctx.period);
  // 12 periods, like the trends
  const points = r.series.slice(-12);
  const isDuration = r.unit === 'duration';
  const byPeriod = isDuration ? cells(pt, undefined, points.map((p) => p.period)) : null;
  // a log axis cannot show 0 h: anything faster than a minute is drawn at one minute
  const FLOOR = 1 / 60;
  const clip = (v: number | null) => (v === null || !isDuration ? v : Math.max(FLOOR, v));
  const values = points
    .filter((p) => p.value !== null)
    .map((p) => {
      const c = byPeriod?.get(p.period);
      const p90 = c ? durationSummary(measure === 'first_response' ? c.fr : c.res).p90 : null;
      return { label: short(p.period), value: clip(p.value), lo: clip(p.ci?.[0] ?? null), hi: clip(p.ci?.[1] ?? null), n: p.n, p90: clip(p90) };
    });
  const order = points.map((p) => short(p.period));
  const lastLabel = JSON.stringify(order[order.length - 1] ?? '');
  const ticks = order.length > 8 ? { values: order.filter((_, i) => (order.length - 1 - i) % 2 === 0) } : {};
  const xEnc = { field: 'label', type: 'ordinal', sort: order, title: null, axis: { labelAngle: 0, labelOverlap: true, ...ticks, labelFontWeight: { condition: { test: `datum.value === ${lastLabel}`, value: 'bold' }, value: 'normal' } } };
  // targets: SLA hours for the duration measures (one per priority when given per priority), the metric's target otherwise
  const slaHours = isDuration ? def.sla[measure === 'first_response' ? 'first_response_hours' : 'resolution_hours'] : null;
  const targets: { value: number; text: string }[] = [];
  if (typeof slaHours === 'number') targets.push({ value: slaHours, text: t('chart.target', { target: t('target.hours', { hours: slaHours }) }) });
  else if (slaHours) {
    const byHours = new Map<number, string[]>();
    for (const [priority, hours] of Object.entries(slaHours)) byHours.set(hours, [...(byHours.get(hours) ?? []), priority]);
    for (const [hours, names] of [...byHours].sort((a, b) => a[0] - b[0])) targets.push({ value: hours, text: t('chart.target', { target: t('target.priority', { priority: names.join('/'), hours }) }) });
  } else if (r.target !== null && r.target !== undefined) targets.push({ value: r.target, text: t('chart.target', { target: fmt.value(r.target, r.unit) }) });
  const shown = values.flatMap((v) => [v.lo ?? v.value!, v.hi ?? v.value!, ...(v.p90 !== null ? [v.p90] : [])]);
  const yTitle = isDuration ? t('axis.hoursLog') : r.unit === 'percent' ? t('axis.percent', { label: r.label }) : r.label;
  const y = isDuration
    ? (() => {
        const lo = Math.max(FLOOR, Math.min(...shown, ...targets.map((g) => g.value)) / 1.5);
        const hi = Math.max(...shown, ...targets.map((g) => g.value)) * 1.6;
        const ticks = [1 / 60, 0.25, 0.5, 1, 2, 4, 8, 24, 48, 96, 168, 336, 720].filter((v) => v >= lo && v <= hi);
        return { type: 'quantitative', title: yTitle, scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { values: ticks, format: '~g' } };
      })()
    : { type: 'quantitative', title: yTitle, scale: { zero: r.unit === 'count', nice: true } };
  const layers: any[] = [
    { mark: { type: 'area', color: palette.band, opacity: 0.9 }, encoding: { x: xEnc, y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
    { mark: { type: 'line', color: palette.primary, strokeWidth: 2.5, point: { filled: true, size: 36, color: palette.primary } }, encoding: { x: xEnc, y: { field: 'value', ...y }, tooltip: [{ field: 'label' }, { field: 'value', format: '.2f' }, { field: 'n' }] } },
  ];
  for (const g of targets) {
    layers.push({ data: { values: [g] }, mark: { type: 'rule', color: palette.neutral, strokeDash: [2, 3], strokeWidth: 1 }, encoding: { y: { field: 'value', ...y } } });
    layers.push({ data: { values: [g] }, mark: { type: 'text', color: palette.neutral, align: 'left', baseline: 'bottom', x: 2, dy: -2, fontSize: 9 }, encoding: { y: { field: 'value', ...y }, text: { field: 'text' } } });
  }
  const last = values[values.length - 1];
  // direct labels at the last period instead of a legend: which line is which
  const direct = (field: 'value' | 'p90', text: string, colour: string, dy: number) =>
    last && last[field] !== null ? layers.push({ data: { values: [{ label: last.label, v: last[field], text }] }, mark: { type: 'text', align: 'left', dx: 8, dy, fontSize: 10, fontWeight: 'bold', color: colour }, encoding: { x: xEnc, y: { field: 'v', ...y }, text: { field: 'text' } } }) : 0;
  if (isDuration) {
    layers.push({ mark: { type: 'line', color: palette.accent, strokeDash: [5, 3], strokeWidth: 1.8 }, encoding: { x: xEnc, y: { field: 'p90', ...y } } });
    direct('value', t('chart.median'), palette.primary, 0);
    direct('p90', t('chart.p90'), palette.accent, 0);
    // a p90 well above its usual level is called out with its value
    const p90s = values.map((v) => v.p90).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const typical = p90s.length ? p90s[Math.floor(p90s.length / 2)] : null;
    const peak = values.reduce<(typeof values)[number] | null>((a, v) => (v.p90 !== null && (a === null || v.p90 > a.p90!) ? v : a), null);
    if (peak && typical !== null && peak.p90! >= 2 * typical) layers.push({ data: { values: [{ label: peak.label, v: peak.p90, text: t('chart.peak', { value: fmt.value(peak.p90, 'duration') }) }] }, mark: { type: 'text', align: 'left', baseline: 'middle', dx: 8, fontSize: 10, fontWeight: 'bold', color: palette.accent }, encoding: { x: xEnc, y: { field: 'v', ...y }, text: { field: 'text' } } });
  }
  for (const a of ctx.annotations ?? []) {
    const label = short(a.period);
    if (!order.includes(label)) continue;
    layers.push({ data: { values: [{ label, text: a.label }] }, mark: { type: 'rule', color: palette.ink, strokeDash: [2, 3], opacity: 0.7 }, encoding: { x: xEnc } });
    layers.push({ data: { values: [{ label, text: a.label }] }, mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, y: 2, fontSize: 10, color: palette.ink }, encoding: { x: xEnc, text: { field: 'text' } } });
  }
  const headline = { label: r.label, value: fmt.value(r.value, r.unit), period: periodName };
  const title =
    r.value === null
      ? t('title.noData', { label: r.label, period: periodName })
      : r.previous && r.delta !== null
        ? // a direction only where the test supports one
          t(r.delta === 0 ? 'title.unchanged' : !r.significant ? 'title.noise' : r.delta > 0 ? 'title.up' : 'title.down', {
            ...headline,
            previous: fmt.value(r.previous.value, r.unit),
            verdict: r.significant ? t('significant', { p: fmt.p(r.p) }) : t('notSignificant'),
          })
        : t('title.value', headline);
  const chart = {
    id: ctx.nextId(`chart-tickets-${measure}`),
    title,
    caption: t(isDuration ? 'caption.duration' : 'caption.share', { title: r.title, n: fmt.count(r.n), period: periodName, source: ctx.sourceLabel?.(pt.sourceName) ?? pt.sourceName }) + (r.test ? t('caption.test', { test: r.test }) : ''),
    alt: t('alt', {
      label: r.label,
      items: values
        .map((v) => (isDuration && v.p90 !== null ? t('altItemP90', { period: v.label, value: fmt.value(v.value, r.unit), p90: fmt.value(v.p90, r.unit) }) : t('altItem', { period: v.label, value: fmt.value(v.value, r.unit) })))
        .join(t('altSep')),
    }),
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 600, height: 220, data: { values }, layer: layers } as any,
    size: 'wide' as const,
  };

  const pct = (s: { share: number | null; ci: Interval | null; n: number } | null) => (s && s.share !== null ? [fmt.value(s.share, 'percent'), fmt.interval(s.ci, 'percent'), fmt.count(s.n)] : [noData, '—', s ? fmt.count(s.n) : '—']);
  const dur = (s: { median: number | null; ci: Interval | null; p90: number | null; n: number }) => [
    s.median === null ? noData : t('medianP90', { median: fmt.value(s.median, 'duration'), p90: fmt.value(s.p90, 'duration') }),
    fmt.interval(s.ci, 'duration'),
    fmt.count(s.n),
  ];
  const rows = [
    [t('row.firstResponse'), ...dur(x.firstResponse)],
    [t('row.resolution'), ...dur(x.resolution)],
    [t('row.sla'), ...pct(x.sla.overall)],
    [t('row.firstResponseSla'), ...pct(x.sla.firstResponse)],
    [t('row.resolutionSla'), ...pct(x.sla.resolution)],
    ...(x.reopenRate ? [[t('row.reopenRate'), ...pct(x.reopenRate)]] : []),
    ...(x.csat ? [[t('row.csat', { from: def.csat_scale - 1, to: def.csat_scale }), ...pct(x.csat)]] : []),
    [t('row.created'), fmt.value(x.volume.count, 'count'), fmt.interval(x.volume.ci, 'count'), x.volume.count === null ? '—' : fmt.count(x.volume.count)],
    [t('row.open'), fmt.count(x.open), '—', '—'],
  ];
  const blocks: VisualBlock[] = [
    // granularity all: one value, said in words rather than drawn as a one-point line
    pt.granularity === 'all' ? { kind: 'text', paragraphs: [title] } : { kind: 'chart', chart },
    {
      kind: 'table',
      table: {
        caption: t('measures.caption', { period: periodName }),
        columns: [{ label: t('measures.measure') }, { label: t('measures.value'), align: 'right' }, { label: t('measures.ci'), align: 'right' }, { label: t('measures.n'), align: 'right' }],
        rows: rows.map((cells) => ({ cells })),
        footnote: t('measures.footnote'),
      },
    },
  ];
  if (x.volumeByChannel?.length) {
    const list = x.volumeByChannel as { channel: string; count: number; share: number | null; previous: number | null; delta: number | null; p: number | null }[];
    // granularity all: tickets and share only (no previous period)
    const all = pt.granularity === 'all';
    blocks.push({
      kind: 'table',
      table: {
        caption: t('channels.caption', { period: periodName }),
        columns: [
          { label: t('channels.channel') },
          { label: t('channels.tickets'), align: 'right' },
          { label: t('channels.share'), align: 'right' },
          ...(all ? [] : [{ label: `${ctx.periodLabel(shiftPeriod(ctx.period, -1, pt.granularity))}`, align: 'right' as const }, { label: t('channels.change'), align: 'right' as const }]),
        ],
        rows: list
          .slice(0, 25)
          .map((c) => ({ cells: [ctx.valueLabel?.(pt.def.channel!, c.channel) ?? c.channel, fmt.count(c.count), fmt.value(c.share, 'percent'), ...(all ? [] : [fmt.count(c.previous ?? 0), c.p !== null && c.p < ALPHA ? t('channels.deltaP', { delta: fmt.delta(c.delta, 'count'), p: fmt.p(c.p) }) : fmt.delta(c.delta, 'count')])] })),
        footnote: all ? undefined : t('channels.footnote', { count: list.length }),
      },
    });
  }
  return blocks;
}

export const ticketsModule: MetricModule<TicketsDef, PreparedTickets> = {
  type: 'tickets',
  schema: ticketsSchema,
  title: 'Support tickets',
  pushdown: true,
  prepare: prepareTickets,
  compute: computeTickets,
};
