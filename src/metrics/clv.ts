/**
 * Customer lifetime value, two ways.
 *
 * `method: simple` — ARPA × gross margin ÷ churn rate per period: ARPA from a revenue (or MRR)
 * source, churn either from a customers source (lost during the period ÷ active at its start) or
 * a fixed `churn_rate`. Approximate interval by the delta method on the log scale.
 *
 * `method: bgnbd` — BG/NBD (Fader, Hardie & Lee 2005) for the purchase process and Gamma-Gamma
 * (Fader & Hardie 2013) for spend, fitted by maximum likelihood on every order up to the period
 * end (the calibration period), per customer (x, t_x, T) in weeks from `summarizeTransactions`
 * (`transactionSummarizer`: the same for every period from one read of the orders).
 * Reports the fitted parameters and log-likelihoods, P(alive), expected purchases and discounted
 * expected value per customer over a horizon, their total and mean, and the top accounts. No
 * interval is given for the model estimate (none is derived), and changes are not tested.
 *
 * The fits go through the models in ./models (log-likelihoods, expectations, CLV sum); only the
 * objective handed to the optimiser is evaluated here, grouped by distinct x, T and t_x so that a
 * fit per period stays fast. It is checked against the models' own log-likelihood in the tests,
 * and the log-likelihoods reported are the models' own.
 */
import { createHash } from 'node:crypto';
import { rowRejecter } from './invalid.js';
import { z } from 'zod';
import type { Config } from '../config/load.js';
import { CxError } from '../kernel/errors.js';
import { formatter } from '../kernel/format.js';
import { localTranslator, translator, type Locale, type Vars } from '../kernel/i18n.js';
import { palette } from '../kernel/theme.js';
import { isPushdown, loadRows } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import { bgnbdLogLikelihood, expectedPurchases, probabilityAlive, type BgNbdParams } from '../kernel/models/bgnbd.js';
import { customerLifetimeValue, expectedAverageSpend, gammaGammaLogLikelihood, type GammaGammaParams } from '../kernel/models/gammagamma.js';
import { minimize } from '../kernel/models/optimize.js';
import { collapseRfm, transactionSummarizer, type Transaction, type TransactionSummary, type WeightedRfm } from '../kernel/models/rfm.js';
import { lbeta, lgamma, logAddExp } from '../kernel/models/special.js';
import { filterSchema, type Filter } from '../kernel/filter.js';
import type { ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { groupKey } from './prepare.js';
import { parseTimestamp, periodStart, type Granularity } from '../kernel/period.js';
import { dayIn, isoDay, periodEnd, seriesPeriods, timeBounds } from './repeat-purchase/windows.js';
import { columnValues, DAY_MS, perCustomer, sortKeys, tallyExclusions, transactionsOf, type TransactionCells } from './transactions.js';
import { sourceDimensions } from './pushdown.js';
import { adjustGroups, makeResult } from './result-builders.js';
import { metricFields } from './score/schema.js';
import { meanEstimate, wilsonInterval, Z95, type Interval } from '../kernel/stats.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    label: 'CLV',
    // each method's own default label, so that two CLV metrics in one report never share a name
    'label.simple': 'Lifetime value (margin ÷ churn)',
    'label.bgnbd': 'Expected {months}-month purchase value',
    'title.simple': 'Customer lifetime value (simple)',
    'title.bgnbd': 'Customer lifetime value (BG/NBD + Gamma-Gamma)',
    'test.bgnbd':
      'not tested: the expected value is a model estimate refitted on nested calibration data (every order of the previous period is also in this one), and no sampling distribution is derived for it',
    'test.simple': 'not tested: consecutive periods share most accounts and customers (dependent samples), so an independent-samples test of the change would be invalid',
    'method.bgnbd':
      'Expected customer lifetime value from the BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way", Marketing Science 24(2)) and the Gamma-Gamma model of spend per transaction (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value"), both fitted by maximum likelihood on every valid order up to the period end. ' +
      'Per customer, in weeks: x = purchase days after the first, t_x = time of the last, T = time from the first purchase to the period end (orders on the same day merged, as BTYD and lifetimes do; customers first seen on the last day, T = 0, are not modelled). ' +
      'Expected value per customer = margin ({margin}) × expected spend per purchase × expected purchases in each of the next {months} months, discounted at {discount}% a year (monthly). ' +
      'The value shown is the mean over the customers modelled; breakdowns are simple means of the per-customer values by each customer’s latest value of the column. ' +
      'No interval is given: this is a model estimate, and no sampling interval is derived for it. Changes are not tested (nested calibration data). ' +
      'The spend model is fitted on the repeat buyers with a positive mean repeat spend. Orders with a missing or invalid date, a missing customer id, or a missing, non-numeric or negative amount are excluded and counted by reason (zero amounts are valid purchases); the exclusions shown are those up to the period end.',
    'method.simple':
      'Simple customer lifetime value = ARPA × gross margin ({margin}) ÷ churn rate per period, with ARPA = revenue in the period ÷ paying accounts (revenue summed per account per period; accounts with zero revenue are not paying) and {churn}. ' +
      'The approximate 95% interval is the delta method on the log scale, combining the standard error of ARPA (s/√n){churnSe}. ' +
      'Changes are not tested: consecutive periods share most accounts. When no customer churned, the value is undefined (no data) rather than infinite. ' +
      'Revenue rows with a missing or invalid date (ISO 8601 or a month like 2026-10), a missing account id, or a missing, non-numeric or negative amount are excluded and counted by reason; so are customers with a missing signup date or a cancel date before signup. ' +
      'Breakdowns use each account’s latest value of the column in the period, and the company-wide churn rate. Formula: cxreport metrics reference ("CLV, simple").',
    'method.fixedChurn': 'a fixed churn rate of {rate}% per period (from the config)',
    'method.customersChurn': 'the churn rate = customers lost during the period ÷ customers active at its start (signed up before it, not cancelled before it)',
    'method.churnSe': ' and the binomial standard error of the churn rate',
    'note.noOrders': 'no orders up to the period end',
    'note.notFitted': 'not fitted: the model needs at least {min} customers of whom {minRepeat} made a repeat purchase with a positive amount (here {customers} and {spenders})',
    'note.convergence': 'the optimiser did not confirm convergence ({models})',
    'note.atBound': 'parameters at the edge of the search range ({params}): the data identify them poorly',
    'note.q': 'Gamma-Gamma q ≤ 1: the expected spend of customers without repeat purchases is undefined',
    'note.evaluation': "the model's expectations could not be evaluated at these parameters ({error})",
    'note.notFinite': "the model's expectations are not finite at these parameters",
    'note.noPaying': 'no paying accounts in the period',
    'note.noActive': 'no customers active at the period start, so no churn rate',
    'note.noChurn': 'no churn in the period: lifetime (1 ÷ churn) is unbounded',
    'note.sep': '; ',
    'note.listSep': ', ',
    'simple.fixed': 'fixed in the config',
    'simple.lost': '{lost} lost of {atStart} at the start',
    'simple.arpa': 'ARPA (revenue per paying account per {unit})',
    'simple.accounts': '{accounts} paying accounts, revenue {revenue}',
    'simple.margin': 'Gross margin',
    'simple.fromConfig': 'from the config',
    'simple.churn': 'Churn rate per {unit}',
    'simple.lifetime': 'Expected lifetime',
    'simple.lifetimeFormula': '1 ÷ churn rate',
    'simple.clv': 'CLV = ARPA × margin ÷ churn',
    'simple.ci': '95% CI {ci} (delta method)',
    'simple.caption': 'Simple CLV, {period}',
    'simple.input': 'Input',
    'simple.value': 'Value',
    'simple.detail': 'Detail',
    'simple.source': 'Source: {source}.',
    'simple.sources': 'Source: {source} and {customers}.',
    note: 'Note: {note}.',
    'bgnbd.noModel': 'No model for {period}.',
    'bgnbd.noModelNote': 'No model for {period}: {note}.',
    'bgnbd.titleTop': 'The top 10% of customers hold {share} of the {total} expected over the next {months} months',
    'bgnbd.titleTotal': 'Expected value over the next {months} months: {total}',
    'bgnbd.caption':
      'Share of total expected {months}-month value (margin {margin}, discounted {discount}% a year) by decile of customers ranked by expected value, D1 = highest. n = {n} customers with orders up to {end}. Estimates from a model of each customer’s buying and spending (methods appendix), no intervals. Source: {source}.',
    'bgnbd.alt': 'Bar chart of the share of expected value by customer decile: {items}.',
    'bgnbd.altItem': '{decile} {share} (mean {mean}, {customers} customers)',
    'bgnbd.altSep': '; ',
    'bgnbd.axisDecile': 'Customer decile by expected value (D1 = highest)',
    'bgnbd.axisShare': 'Share of expected value (%)',
    'bgnbd.tableCaption': 'Top {count} accounts by expected {months}-month value',
    'bgnbd.customer': 'Customer',
    'bgnbd.repeat': 'Repeat purchases',
    'bgnbd.recency': 'Recency (weeks)',
    'bgnbd.age': 'Customer for (weeks)',
    'bgnbd.pAlive': 'Chance still buying',
    'bgnbd.expectedPurchases': 'Expected purchases ({months} mo)',
    'bgnbd.expectedClv': 'Expected CLV',
    'bgnbd.footnote': 'Recency is the time from the first to the last purchase; “customer for” the time from the first purchase to the period end. “Chance still buying” is the model’s probability that the customer has not stopped buying.',
    'bgnbd.fitted':
      'Estimated from the orders of {customers} customers ({repeat} with repeat purchases) up to {end}; the model expects {active} of them to be still buying. How the model works, and its fitted parameters, are in the methods appendix.',
    'bgnbd.estimates': 'These are model estimates without intervals; the change from the previous period is not tested.',
    'bgnbd.estimatesNote': 'These are model estimates without intervals; the change from the previous period is not tested. Note: {note}.',
  },
  'zh-CN': {
    label: 'CLV',
    'label.simple': '终身价值（毛利 ÷ 流失率）',
    'label.bgnbd': '未来 {months} 个月预期购买价值',
    'title.simple': '客户终身价值（简单法）',
    'title.bgnbd': '客户终身价值（BG/NBD + Gamma-Gamma）',
    'test.bgnbd': '期望值为模型估计值，每期在相互嵌套的校准数据上重新拟合，上期的每笔订单也包含在本期中，且未推导其抽样分布，因此不作检验',
    'test.simple': '相邻期间共享大部分账户和客户，属于相关样本，对变化做独立样本检验并不成立，因此不作检验',
    'method.bgnbd':
      '预期客户终身价值由 BG/NBD 重复购买模型（Fader、Hardie 和 Lee 2005，“Counting Your Customers the Easy Way”，Marketing Science 24(2)）和 Gamma-Gamma 单笔消费模型（Fader 和 Hardie 2013，“The Gamma-Gamma Model of Monetary Value”）得出，两者均以截至期末的全部有效订单做最大似然拟合。' +
      '每位客户以周为单位：x = 首次购买之后的购买天数，t_x = 最后一次购买的时间，T = 从首次购买到期末的时间（同一天的订单合并，与 BTYD 和 lifetimes 的做法一致；在最后一天才首次出现的客户 T = 0，不纳入模型）。' +
      '每位客户的预期价值 = 毛利率（{margin}）× 每次购买的预期消费 × 未来{months}个月中每月的预期购买次数，按年折现率{discount}%（按月）折现。' +
      '显示的数值为所建模客户的平均值；细分结果为按每位客户该列最新取值分组的客户价值简单平均。' +
      '不提供置信区间：这是模型估计值，未推导其抽样区间。变化不作检验（校准数据相互嵌套）。' +
      '消费模型基于平均重复消费为正的重复购买客户拟合。日期缺失或无效、缺少客户 ID，或金额缺失、非数字或为负的订单会被排除并按原因计数（金额为零的订单是有效购买）；显示的排除数为截至期末的排除行。',
    'method.simple':
      '简单客户终身价值 = ARPA × 毛利率（{margin}）÷ 每期流失率，其中 ARPA = 本期收入 ÷ 付费账户数（收入按账户按期汇总；收入为零的账户不算付费账户），{churn}。' +
      '近似 95% 置信区间采用对数尺度上的 delta 法，综合了 ARPA 的标准误（s/√n）{churnSe}。' +
      '变化不作检验：相邻期间共享大部分账户。本期没有客户流失时，数值未定义（无数据），而不是无穷大。' +
      '日期缺失或无效（ISO 8601 或 2026-10 这样的月份）、缺少账户 ID，或金额缺失、非数字或为负的收入行会被排除并按原因计数；缺少注册日期或取消日期早于注册日期的客户同样如此。' +
      '细分分析使用每个账户在本期内该列的最新取值，并使用全公司的流失率。公式：cxreport 指标参考（“CLV, simple”）。',
    'method.fixedChurn': '流失率固定为每期{rate}%（来自配置）',
    'method.customersChurn': '流失率 = 本期流失的客户数 ÷ 期初活跃的客户数（在本期之前注册、且未在本期之前取消）',
    'method.churnSe': '以及流失率的二项标准误',
    'note.noOrders': '截至期末没有订单',
    'note.notFitted': '未拟合：模型至少需要{min}位客户，其中{minRepeat}位有金额为正的重复购买（此处分别为{customers}和{spenders}）',
    'note.convergence': '优化器未确认收敛（{models}）',
    'note.atBound': '参数位于搜索范围的边界（{params}）：数据难以识别这些参数',
    'note.q': 'Gamma-Gamma q ≤ 1：没有重复购买的客户，其预期消费未定义',
    'note.evaluation': '无法在这些参数下计算模型的期望值（{error}）',
    'note.notFinite': '模型的期望值在这些参数下不是有限值',
    'note.noPaying': '本期没有付费账户',
    'note.noActive': '期初没有活跃客户，因此无法计算流失率',
    'note.noChurn': '本期没有流失：生命周期（1 ÷ 流失率）没有上界',
    'note.sep': '；',
    'note.listSep': '、',
    'simple.fixed': '在配置中固定',
    'simple.lost': '期初{atStart}位中流失{lost}位',
    'simple.arpa': 'ARPA（每{unit}每个付费账户的收入）',
    'simple.accounts': '{accounts}个付费账户，收入{revenue}',
    'simple.margin': '毛利率',
    'simple.fromConfig': '来自配置',
    'simple.churn': '每{unit}流失率',
    'simple.lifetime': '预期生命周期',
    'simple.lifetimeFormula': '1 ÷ 流失率',
    'simple.clv': 'CLV = ARPA × 毛利率 ÷ 流失率',
    'simple.ci': '95% 置信区间{ci}（delta 法）',
    'simple.caption': '{period}简单法 CLV',
    'simple.input': '输入项',
    'simple.value': '数值',
    'simple.detail': '说明',
    'simple.source': '数据来源：{source}。',
    'simple.sources': '数据来源：{source}和{customers}。',
    note: '注：{note}。',
    'bgnbd.noModel': '{period}没有模型。',
    'bgnbd.noModelNote': '{period}没有模型：{note}。',
    'bgnbd.titleTop': '价值最高的 10% 客户占未来{months}个月预期总价值{total}的{share}',
    'bgnbd.titleTotal': '未来{months}个月的预期价值：{total}',
    'bgnbd.caption':
      '按预期价值排序的客户十分位组在未来{months}个月预期总价值中的占比（毛利率{margin}，年折现率{discount}%），D1 为最高组。n = {n}，即截至{end}有订单的客户数。基于客户购买与消费模型的估计值（见方法附录），无置信区间。数据来源：{source}。',
    'bgnbd.alt': '各客户十分位组预期价值占比条形图：{items}。',
    'bgnbd.altItem': '{decile} {share}（平均{mean}，{customers}位客户）',
    'bgnbd.altSep': '；',
    'bgnbd.axisDecile': '按预期价值划分的客户十分位组（D1 为最高）',
    'bgnbd.axisShare': '预期价值占比（%）',
    'bgnbd.tableCaption': '未来{months}个月预期价值最高的{count}个账户',
    'bgnbd.customer': '客户',
    'bgnbd.repeat': '重复购买次数',
    'bgnbd.recency': '末次购买时点（周）',
    'bgnbd.age': '成为客户已（周）',
    'bgnbd.pAlive': '仍在购买的概率',
    'bgnbd.expectedPurchases': '预期购买次数（{months}个月）',
    'bgnbd.expectedClv': '预期 CLV',
    'bgnbd.footnote': '末次购买时点为从首次购买到最后一次购买的时间；“成为客户已”为从首次购买到期末的时间。“仍在购买的概率”是模型估计的客户尚未停止购买的概率。',
    'bgnbd.fitted':
      '基于截至{end}的{customers}位客户（其中{repeat}位有重复购买）的订单估计；模型预计其中{active}位仍在购买。模型原理及拟合参数见方法附录。',
    'bgnbd.estimates': '以上均为模型估计值，不含置信区间；与上期相比的变化不作检验。',
    'bgnbd.estimatesNote': '以上均为模型估计值，不含置信区间；与上期相比的变化不作检验。注：{note}。',
  },
} satisfies Record<Locale, Record<string, string>>;

type MessageKey = keyof (typeof MESSAGES)['en'];
type Translate = (key: MessageKey, vars?: Vars) => string;
/** A note on a period's model, in words when the result is written (metrics.json `note`, visual). */
interface Note {
  key: Extract<MessageKey, `note.${string}`>;
  vars?: Vars;
  /** placeholders filled with a list (names of models or parameters), joined with the locale's separator */
  lists?: Record<string, string[]>;
}

/** The notes of a period in the report's locale, or null when there are none. */
function noteText(notes: Note[], t: Translate): string | null {
  if (notes.length === 0) return null;
  const fill = (n: Note): Vars => ({ ...n.vars, ...Object.fromEntries(Object.entries(n.lists ?? {}).map(([k, list]) => [k, list.join(t('note.listSep'))])) });
  return notes.map((n) => t(n.key, fill(n))).join(t('note.sep'));
}

export const clvSchema = z
  .strictObject({
    type: z.literal('clv').describe('Customer lifetime value: simple (ARPA × margin ÷ churn) or probabilistic (BG/NBD + Gamma-Gamma).'),
    method: z
      .enum(['simple', 'bgnbd'])
      .default('bgnbd')
      .describe('`simple`: ARPA × margin ÷ churn rate per period, from a revenue/MRR source. `bgnbd`: BG/NBD purchase model + Gamma-Gamma spend model fitted on an orders source.')
      .meta({ examples: ['bgnbd', 'simple'] }),
    source: z
      .string()
      .describe('Name of the source (under `sources:`): orders (one row per order) for `bgnbd`; revenue or MRR rows per account (e.g. monthly snapshots) for `simple`.')
      .meta({ examples: ['orders', 'mrr'] }),
    customer: z.string().default('customer_id').describe('Column holding the customer (account) id.').meta({ examples: ['customer_id'] }),
    date: z
      .string()
      .describe('Column holding the order date (`bgnbd`, ISO 8601) or the revenue period (`simple`: ISO date, or a month like 2026-10).')
      .meta({ examples: ['order_date', 'month'] }),
    amount: z
      .string()
      .describe('Column holding the order amount (`bgnbd`) or the revenue / MRR of the account in that row (`simple`); missing, non-numeric and negative values are excluded and counted.')
      .meta({ examples: ['amount', 'mrr'] }),
    margin: z.number().gt(0).max(1).default(0.8).describe('Gross margin, as a fraction of revenue (0.8 = 80%); CLV is margin, not revenue.').meta({ examples: [0.8, 0.65] }),
    customers: z
      .string()
      .optional()
      .describe('`simple` only: source with one row per customer (signup and cancel dates) for the churn rate: customers lost during the period ÷ customers active at its start.')
      .meta({ examples: ['customers'] }),
    signup: z.string().default('signup_date').describe('`simple` only: column of the customers source holding the signup date.').meta({ examples: ['signup_date'] }),
    cancel: z.string().default('cancel_date').describe('`simple` only: column of the customers source holding the cancel date (empty while active).').meta({ examples: ['cancel_date'] }),
    churn_rate: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('`simple` only: a fixed churn rate per reporting period (0.02 = 2% a month in a monthly report), instead of `customers`.')
      .meta({ examples: [0.02] }),
    horizon_months: z.number().int().min(1).max(120).default(12).describe('`bgnbd` only: months of future purchases counted in the expected value.').meta({ examples: [12, 24, 36] }),
    discount_rate: z.number().min(0).max(1).default(0.1).describe('`bgnbd` only: annual discount rate (0.10 = 10% a year), applied monthly.').meta({ examples: [0.1] }),
    top: z.number().int().min(1).max(100).default(10).describe('`bgnbd` only: number of top accounts (by expected value) listed.').meta({ examples: [10] }),
    filter: filterSchema.optional(),
    ...metricFields,
  })
  .describe('Customer lifetime value: ARPA × margin ÷ churn (`simple`), or BG/NBD + Gamma-Gamma expected value per customer (`bgnbd`).');

export type ClvDef = z.infer<typeof clvSchema>;

/** Weeks per month in the model's time unit. */
const WEEKS_PER_MONTH = 365.25 / 12 / 7;
/** Below these, a period's model is not fitted (its value is "no data" with a note). */
const MIN_CUSTOMERS = 20;
const MIN_REPEAT_CUSTOMERS = 10;

// ---------------------------------------------------------------------------------------------
// Maximum-likelihood fits (fast objective; the models' own log-likelihood is reported)
// ---------------------------------------------------------------------------------------------

export interface FitSummary<P> {
  params: P;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  /** parameters that ended at the edge of the search box (poorly identified) */
  atBound: string[];
}

/** Search box on log-parameters: wide enough for any sensible data, bounded so a ridge cannot run away. */
const BOX: Record<string, [number, number]> = { r: [-12, 9], alpha: [-12, 16], a: [-12, 7], b: [-12, 7], p: [-12, 9], q: [-12, 9] };

function distinctIndex(values: Float64Array): { values: number[]; index: Uint32Array } {
  const map = new Map<number, number>();
  const out: number[] = [];
  const index = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let k = map.get(values[i]);
    if (k === undefined) {
      k = out.length;
      map.set(values[i], k);
      out.push(values[i]);
    }
    index[i] = k;
  }
  return { values: out, index };
}

/**
 * BG/NBD total log-likelihood (FHL 2005, eq. 6), as a function of log-parameters, evaluated over
 * collapsed rows with the x-only terms computed once per distinct x and ln(α+T), ln(α+t_x) once
 * per distinct T and t_x. Same value as `bgnbdLogLikelihood`.
 */
export function bgnbdObjective(d: WeightedRfm): (params: BgNbdParams) => number {
  const xs = distinctIndex(d.x);
  const Ts = distinctIndex(d.T);
  const txs = distinctIndex(d.tx);
  const nx = xs.values.length;
  const c0 = new Float64Array(nx);
  const c1 = new Float64Array(nx);
  const c2 = new Float64Array(nx);
  const lnT = new Float64Array(Ts.values.length);
  const lnTx = new Float64Array(txs.values.length);
  return ({ r, alpha, a, b }) => {
    const lbetaAB = lbeta(a, b);
    const lgammaR = lgamma(r);
    const rLogAlpha = r * Math.log(alpha);
    for (let k = 0; k < nx; k++) {
      const x = xs.values[k];
      c0[k] = lgamma(r + x) - lgammaR + rLogAlpha - lbetaAB;
      c1[k] = lbeta(a, b + x);
      c2[k] = x > 0 ? lbeta(a + 1, b + x - 1) : 0;
    }
    for (let k = 0; k < lnT.length; k++) lnT[k] = Math.log(alpha + Ts.values[k]);
    for (let k = 0; k < lnTx.length; k++) lnTx[k] = Math.log(alpha + txs.values[k]);
    let total = 0;
    for (let i = 0; i < d.x.length; i++) {
      const k = xs.index[i];
      const x = d.x[i];
      const logA1 = c1[k] - (r + x) * lnT[Ts.index[i]];
      const ll = x === 0 ? logA1 : logAddExp(logA1, c2[k] - (r + x) * lnTx[txs.index[i]]);
      total += d.weight[i] * (c0[k] + ll);
    }
    return total;
  };
}

/** Gamma-Gamma total log-likelihood of mean spends (Fader & Hardie 2013), x-only terms once per distinct x. */
export function gammaGammaObjective(x: readonly number[], zbar: readonly number[]): (params: GammaGammaParams) => number {
  const n = x.length;
  const lnZ = new Float64Array(n);
  const lnX = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lnZ[i] = Math.log(zbar[i]);
    lnX[i] = Math.log(x[i]);
  }
  const xs = distinctIndex(Float64Array.from(x));
  const cx = new Float64Array(xs.values.length);
  return ({ p, q, gamma }) => {
    const lgammaQ = lgamma(q);
    const qLogGamma = q * Math.log(gamma);
    for (let k = 0; k < cx.length; k++) {
      const px = p * xs.values[k];
      cx[k] = lgamma(px + q) - lgamma(px) - lgammaQ + qLogGamma;
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      const px = p * x[i];
      total += cx[xs.index[i]] + (px - 1) * lnZ[i] + px * lnX[i] - (px + q) * Math.log(gamma + x[i] * zbar[i]);
    }
    return total;
  };
}

function boxedFit<P extends object>(
  names: (keyof P & string)[],
  start: number[],
  box: [number, number][],
  logLikelihood: (params: P) => number,
  n: number,
  warm: boolean,
): { params: P; converged: boolean; iterations: number; atBound: string[] } {
  const clamp = (v: readonly number[]) => v.map((value, i) => Math.min(Math.max(value, box[i][0]), box[i][1]));
  const toParams = (v: readonly number[]) => Object.fromEntries(names.map((name, i) => [name, Math.exp(v[i])])) as P;
  // Mean negative log-likelihood per customer (as the models' own fits use), evaluated at the
  // nearest point of the box, plus a quadratic penalty outside it: where the data push a
  // parameter to infinity (e.g. no heterogeneity in spend, q → ∞) the search stops at the edge
  // and converges there instead of crawling along a flat ridge.
  const objective = (v: readonly number[]) => {
    const c = clamp(v);
    let penalty = 0;
    for (let i = 0; i < v.length; i++) penalty += (v[i] - c[i]) ** 2;
    return -logLikelihood(toParams(c)) / n + penalty;
  };
  const result = minimize(objective, start, { initialStep: warm ? 0.1 : 0.5, fTolerance: 1e-10, xTolerance: 1e-6, maxIterations: 2000, maxRestarts: 3 });
  const x = clamp(result.x);
  const atBound = names.filter((_, i) => x[i] - box[i][0] < 0.05 || box[i][1] - x[i] < 0.05);
  return { params: toParams(x), converged: result.converged, iterations: result.iterations, atBound };
}

/** A start inside the box: the given parameters (e.g. the previous period's optimum), clamped. */
function startVector<P extends object>(names: (keyof P & string)[], params: P, box: [number, number][]): number[] {
  return names.map((name, i) => Math.min(Math.max(Math.log(params[name] as number), box[i][0] + 0.5), box[i][1] - 0.5));
}

/**
 * BG/NBD by maximum likelihood on collapsed (x, t_x, T). Starts like `fitBgNbd` (r = a = b = 1,
 * α = mean T) unless given a start (the previous period's optimum, which makes a series of fits cheap).
 */
export function fitBgNbdFast(d: WeightedRfm, from?: BgNbdParams): FitSummary<BgNbdParams> {
  let meanT = 0;
  for (let i = 0; i < d.T.length; i++) meanT += (d.weight[i] * d.T[i]) / d.n;
  const ll = bgnbdObjective(d);
  const names: (keyof BgNbdParams)[] = ['r', 'alpha', 'a', 'b'];
  const box = names.map((k) => BOX[k]);
  const start = startVector(names, from ?? { r: 1, alpha: meanT, a: 1, b: 1 }, box);
  const fit = boxedFit<BgNbdParams>(names, start, box, ll, d.n, from !== undefined);
  const columns = { x: Array.from(d.x), tx: Array.from(d.tx), T: Array.from(d.T), weight: Array.from(d.weight) };
  return { ...fit, logLikelihood: bgnbdLogLikelihood(fit.params, columns) };
}

/** Gamma-Gamma by maximum likelihood on customers with x ≥ 1 and zbar > 0; starts like `fitGammaGamma` (p = q = 1, γ = mean zbar) unless given a start. */
export function fitGammaGammaFast(x: readonly number[], zbar: readonly number[], from?: GammaGammaParams): FitSummary<GammaGammaParams> {
  const mean = zbar.reduce((s, v) => s + v, 0) / zbar.length;
  const names: (keyof GammaGammaParams)[] = ['p', 'q', 'gamma'];
  const logMean = Math.log(mean);
  const box: [number, number][] = [BOX.p, BOX.q, [logMean - 20, logMean + 20]];
  const start = startVector(names, from ?? { p: 1, q: 1, gamma: mean }, box);
  const fit = boxedFit<GammaGammaParams>(names, start, box, gammaGammaObjective(x, zbar), x.length, from !== undefined);
  return { ...fit, logLikelihood: gammaGammaLogLikelihood(fit.params, { x, zbar }) };
}

// ---------------------------------------------------------------------------------------------
// Prepared data
// ---------------------------------------------------------------------------------------------

export interface CustomerValue {
  customer: string;
  /** repeat purchases (purchase days after the first) */
  x: number;
  /** time of the last purchase since the first, weeks */
  recency: number;
  /** time from the first purchase to the calibration end, weeks */
  T: number;
  /** mean spend per repeat purchase day (0 when x = 0) */
  zbar: number;
  pAlive: number;
  expectedPurchases: number;
  expectedClv: number;
}

export interface BgnbdPeriod {
  period: string;
  calibrationEnd: string;
  /** customers modelled: a purchase by the calibration end, observed at least one day */
  customers: number;
  repeatCustomers: number;
  /** customers whose first purchase is on the calibration end day (T = 0), not modelled */
  notModelled: number;
  bgnbd: FitSummary<BgNbdParams> | null;
  gammaGamma: (FitSummary<GammaGammaParams> & { customers: number }) | null;
  values: CustomerValue[] | null;
  mean: number | null;
  total: number | null;
  expectedActive: number | null;
  expectedPurchases: number | null;
  notes: Note[];
}

interface SimplePeriod {
  period: string;
  /** paying accounts (revenue > 0 in the period) */
  accounts: number;
  revenue: number;
  arpa: number | null;
  arpaSe: number | null;
  arpaCi: Interval | null;
  churn: { rate: number | null; atStart: number | null; lost: number | null; ci: Interval | null };
  value: number | null;
  ci: Interval | null;
  se: number | null;
  notes: Note[];
}

export interface PreparedClv extends Prepared {
  kind: 'clv';
  id: string;
  def: ClvDef;
  granularity: Granularity;
  /** the orders as transaction cells (customer × UTC day × grouping values) */
  rows: TransactionCells;
  /** 'sql' when the database made the cells */
  engine: 'memory' | 'sql';
  /** customer-source exclusions (simple method), keyed "customers: …" */
  customerExclusions: Record<string, number>;
  /** the BG/NBD model of a period (cached) */
  bgnbd(period: string): BgnbdPeriod;
  /** the simple CLV of a period (cached) */
  simple(period: string): SimplePeriod;
  /** each customer's value of `column` on their latest valid row before `end` */
  latestValues(column: string, end: number): Map<string, string>;
}

function configError(config: Config, path: (string | number)[], message: string, hint?: string): CxError {
  return new CxError('config', message, { location: config.yaml.locate(path), hint });
}

/** A month key "2026-10" as its first day, else an ISO 8601 date/timestamp (NaN when neither). */
export function parseDateOrMonth(raw: unknown): number {
  if (typeof raw === 'string') {
    const m = /^\s*(\d{4})-(0[1-9]|1[0-2])\s*$/.exec(raw);
    if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  }
  return parseTimestamp(raw);
}

function prepare(ctx: PrepareContext<ClvDef>): PreparedClv | Promise<PreparedClv> {
  const def = ctx.def;
  const path = (...key: (string | number)[]) => ['metrics', ctx.id, ...key];
  const source = ctx.source('source');
  ctx.requireColumn(source, def.customer, ['customer']);
  ctx.requireColumn(source, def.date, ['date']);
  ctx.requireColumn(source, def.amount, ['amount']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);

  let customersSource: SourceTable | undefined;
  if (def.method === 'simple') {
    if (def.customers === undefined && def.churn_rate === undefined)
      throw configError(ctx.config, path('method'), `metric "${ctx.id}": method simple needs a churn rate: give \`customers\` (a source with signup and cancel dates) or \`churn_rate\``, 'e.g. customers: customers, or churn_rate: 0.02');
    if (def.customers !== undefined && def.churn_rate !== undefined)
      throw configError(ctx.config, path('churn_rate'), `metric "${ctx.id}": give either \`customers\` or \`churn_rate\`, not both`, 'remove one of the two keys');
    if (def.customers !== undefined) {
      customersSource = ctx.source('customers');
      ctx.requireColumn(customersSource, def.signup, ['signup']);
      ctx.requireColumn(customersSource, def.cancel, ['cancel']);
    }
  } else {
    if (def.customers !== undefined) throw configError(ctx.config, path('customers'), `metric "${ctx.id}": \`customers\` is only used with method: simple`, 'remove it, or set method: simple');
    if (def.churn_rate !== undefined) throw configError(ctx.config, path('churn_rate'), `metric "${ctx.id}": \`churn_rate\` is only used with method: simple`, 'remove it, or set method: simple');
  }

  const cells = transactionsOf(
    source,
    { customer: def.customer, date: def.date, amount: def.amount },
    { filter: def.filter as Filter | undefined, parseDate: def.method === 'simple' ? parseDateOrMonth : parseTimestamp, metric: ctx.id, dims: sourceDimensions(ctx, source) },
  );
  // the customers of the simple method are read as rows (a SQL source's once)
  const customers = customersSource && isPushdown(customersSource) ? loadRows(customersSource) : customersSource;
  if (cells instanceof Promise || customers instanceof Promise) return Promise.all([cells, customers]).then(([rows, c]) => prepareCells(ctx, rows, c));
  return prepareCells(ctx, cells, customers);
}

function prepareCells(ctx: PrepareContext<ClvDef>, rows: TransactionCells, customersSource: SourceTable | undefined): PreparedClv {
  const def = ctx.def;
  const granularity = ctx.granularity;
  const bounds = timeBounds(rows.valid, granularity);

  // Customers (simple, churn): valid signup, optional cancel not before signup.
  const signups: number[] = [];
  const cancels: number[] = [];
  const customerExclusions: Record<string, number> = {};
  if (customersSource) {
    const s = customersSource.table.array(def.signup) as ArrayLike<unknown>;
    const c = customersSource.table.array(def.cancel) as ArrayLike<unknown>;
    const count = (reason: string) => (customerExclusions[`customers: ${reason}`] = (customerExclusions[`customers: ${reason}`] ?? 0) + 1);
    const reject = rowRejecter(customersSource, customersSource.table, ctx.id);
    for (let i = 0; i < s.length; i++) {
      const signup = parseTimestamp(s[i]);
      const empty = c[i] === null || c[i] === undefined || String(c[i]).trim() === '';
      const cancel = empty ? Infinity : parseTimestamp(c[i]);
      if (!Number.isFinite(signup)) (reject(i, def.signup, s[i], 'missing or invalid signup date (ISO 8601 expected)'), count('missing or invalid signup date'));
      else if (Number.isNaN(cancel)) (reject(i, def.cancel, c[i], 'invalid cancel date (ISO 8601 or empty expected)'), count('invalid cancel date'));
      else if (cancel < signup) (reject(i, def.cancel, c[i], `cancel before signup (${String(s[i])})`), count('cancel before signup'));
      else {
        signups.push(signup);
        cancels.push(cancel);
      }
    }
  }

  // Per customer, valid rows in time order (for latest values and transactions).
  const validCustomers = columnValues<string>(rows.valid, '__customer');
  const validTs = columnValues<number>(rows.valid, '__ts');
  const validAmount = columnValues<number>(rows.valid, '__amount');

  const latestCache = new Map<string, Map<string, string>>();
  const latestValues = (column: string, end: number): Map<string, string> => {
    const key = `${column}\u0000${end}`;
    const hit = latestCache.get(key);
    if (hit) return hit;
    const values = columnValues(rows.valid, column);
    const out = new Map<string, string>();
    // rows are in time order: the last row seen before `end` wins
    for (let i = 0; i < validTs.length && validTs[i] < end; i++) out.set(validCustomers[i], groupKey(values[i]));
    latestCache.set(key, out);
    return out;
  };

  let transactions: Transaction[] | undefined;
  const orders = (): Transaction[] => {
    if (!transactions) {
      transactions = [];
      for (let i = 0; i < validTs.length; i++) transactions.push({ customerId: validCustomers[i], date: new Date(validTs[i]), amount: validAmount[i] });
    }
    return transactions;
  };
  // per-customer summaries at any calibration end, from one read of the orders (in time order)
  let summarizer: ((calibrationEnd: string) => TransactionSummary[]) | undefined;
  const summaries = (calibrationEnd: string) => (summarizer ??= transactionSummarizer(orders(), 7))(calibrationEnd);

  // Periods are fitted in order from the first with data, each starting from the previous
  // period's optimum: a period's result does not depend on which periods were asked for first.
  // So every period up to the one asked for is fitted (its optimum is the next one's start), but
  // only the periods asked for are evaluated per customer (P(alive), expected purchases and
  // value): compute asks for the periods the report shows. The fits are also kept across builds
  // by the digest of their input (fitCache below), so a preview rebuild of unchanged data refits
  // nothing.
  const hasData = (end: number) => bounds.lastBefore(end) !== undefined;
  const ordersBefore = orderDigests(validCustomers, validTs, validAmount);
  const fits = new Map<string, PeriodFits | null>();
  const fitKeys = new Map<string, string>();
  const bgCache = new Map<string, BgnbdPeriod>();
  const bgnbd = (period: string): BgnbdPeriod => {
    const hit = bgCache.get(period);
    if (hit) return hit;
    let start: { bg: BgNbdParams; gg: GammaGammaParams } | undefined;
    let data: PeriodData | undefined;
    for (const p of seriesPeriods(bounds.first, period, granularity)) {
      let f = fits.get(p);
      if (f === undefined) {
        const end = periodEnd(p, granularity);
        const from = start;
        const key = fitKey(ordersBefore(end), isoDay(end - DAY_MS), from);
        f = cachedFits(key, () => {
          const d = periodData(p, granularity, summaries, hasData);
          if (p === period) data = d;
          return d.fit ? fitsFor(d.fit, from) : null;
        });
        fits.set(p, f);
        fitKeys.set(p, key);
      }
      if (f) start = { bg: f.bg.params, gg: f.gg.params };
    }
    // the model evaluated per customer, also kept across builds (same fits, margin, horizon and discount)
    const key = `${fitKeys.get(period)}|${period}|${def.margin}|${def.horizon_months}|${def.discount_rate}`;
    const model = cachedModel(key, () => evaluatePeriod(data ?? periodData(period, granularity, summaries, hasData), fits.get(period) ?? null, def));
    bgCache.set(period, model);
    return model;
  };

  const simpleCache = new Map<string, SimplePeriod>();
  const simple = (period: string): SimplePeriod => {
    const hit = simpleCache.get(period);
    if (hit) return hit;
    const result = simplePeriod(period, def, granularity, rows, signups, cancels);
    simpleCache.set(period, result);
    return result;
  };

  return {
    kind: 'clv',
    id: ctx.id,
    def,
    granularity,
    rows,
    engine: rows.engine,
    customerExclusions: sortKeys(customerExclusions),
    bgnbd,
    simple,
    latestValues,
    latestPeriod: () => bounds.last,
    lastTimestamp: (period) => bounds.lastBefore(periodEnd(period, granularity)),
  };
}

// ---------------------------------------------------------------------------------------------
// bgnbd: one period's model
// ---------------------------------------------------------------------------------------------

/** A period's calibration data: the model's base fields, and what the fits need when there are enough customers. */
interface PeriodData {
  /** the period's model without fits (customers, notes when it cannot be fitted) */
  base: BgnbdPeriod;
  /** the customers modelled (T > 0), when the period can be fitted */
  modelled?: TransactionSummary[];
  fit?: FitInput;
}

/** What the two fits of a period are a function of (with their start). */
interface FitInput {
  calibrationEnd: string;
  collapsed: WeightedRfm;
  /** Gamma-Gamma data: repeat buyers with a positive mean repeat spend */
  x: number[];
  zbar: number[];
}

/** The BG/NBD and Gamma-Gamma fits of one period. */
interface PeriodFits {
  bg: FitSummary<BgNbdParams>;
  gg: FitSummary<GammaGammaParams> & { customers: number };
}

function periodData(period: string, granularity: Granularity, summaries: (calibrationEnd: string) => TransactionSummary[], hasData: (end: number) => boolean): PeriodData {
  const end = periodEnd(period, granularity);
  const calibrationEnd = isoDay(end - DAY_MS);
  const empty: BgnbdPeriod = { period, calibrationEnd, customers: 0, repeatCustomers: 0, notModelled: 0, bgnbd: null, gammaGamma: null, values: null, mean: null, total: null, expectedActive: null, expectedPurchases: null, notes: [] };
  if (!hasData(end)) return { base: { ...empty, notes: [{ key: 'note.noOrders' }] } };
  const summary = summaries(calibrationEnd);
  const modelled = summary.filter((s) => s.T > 0);
  const repeat = modelled.filter((s) => s.x > 0);
  // Spend information: repeat buyers with a positive mean repeat spend (all-free repeat purchases carry none).
  const spenders = repeat.filter((s) => s.zbar > 0);
  const base = { ...empty, customers: modelled.length, repeatCustomers: repeat.length, notModelled: summary.length - modelled.length };
  if (modelled.length < MIN_CUSTOMERS || spenders.length < MIN_REPEAT_CUSTOMERS)
    return { base: { ...base, notes: [{ key: 'note.notFitted', vars: { min: MIN_CUSTOMERS, minRepeat: MIN_REPEAT_CUSTOMERS, customers: modelled.length, spenders: spenders.length } }] } };
  const collapsed = collapseRfm({ x: modelled.map((s) => s.x), tx: modelled.map((s) => s.tx), T: modelled.map((s) => s.T) });
  return { base, modelled, fit: { calibrationEnd, collapsed, x: spenders.map((s) => s.x), zbar: spenders.map((s) => s.zbar) } };
}

/**
 * Fits kept across builds (module level, least recently used first out), keyed by the digest of
 * everything a period's fits are a function of: the orders up to its calibration end (customer,
 * time and amount of each, which make every customer's x, t_x, T and mean spend), the calibration
 * end and the start (the previous period's optimum). The same input gives the same fits, so a hit
 * returns exactly what fitting would, without even summarising the period's customers; null: the
 * period has too few customers to fit.
 */
const fitCache = new Map<string, PeriodFits | null>();
const FIT_CACHE_SIZE = 256;
/** Hits and misses of the fit cache since the process started (for tests and benchmarks). */
export const fitCacheStats = { hits: 0, misses: 0 };

/** The digests of the orders before each instant (valid rows in time order), made in one pass as periods are asked for in order. */
function orderDigests(customers: ArrayLike<string>, ts: ArrayLike<number>, amounts: ArrayLike<number>): (end: number) => string {
  const memo = new Map<number, string>();
  let hash = createHash('sha256');
  let at = 0;
  let upTo = -Infinity;
  return (end) => {
    const hit = memo.get(end);
    if (hit) return hit;
    // asked out of order (not what compute does): start again from the first order
    if (end < upTo) [hash, at] = [createHash('sha256'), 0];
    let chunk = '';
    for (; at < ts.length && ts[at] < end; at++) chunk += `${customers[at]}\u0000${ts[at]}\u0000${amounts[at]}\n`;
    hash.update(chunk);
    upTo = end;
    const digest = hash.copy().digest('base64');
    memo.set(end, digest);
    return digest;
  };
}

function fitKey(orders: string, calibrationEnd: string, start: { bg: BgNbdParams; gg: GammaGammaParams } | undefined): string {
  const hash = createHash('sha256').update(`${orders}|${calibrationEnd}|`);
  hash.update(start ? Float64Array.from([start.bg.r, start.bg.alpha, start.bg.a, start.bg.b, start.gg.p, start.gg.q, start.gg.gamma]) : new Uint8Array(0));
  return hash.digest('base64');
}

/** The fits of `key` from the cache, or made by `fit` and kept. */
function cachedFits(key: string, fit: () => PeriodFits | null): PeriodFits | null {
  const hit = fitCache.get(key);
  if (hit !== undefined) {
    fitCacheStats.hits++;
    // most recently used last
    fitCache.delete(key);
    fitCache.set(key, hit);
    return hit;
  }
  fitCacheStats.misses++;
  const fits = fit();
  fitCache.set(key, fits);
  if (fitCache.size > FIT_CACHE_SIZE) fitCache.delete(fitCache.keys().next().value!);
  return fits;
}

/**
 * Models evaluated per customer (the periods a report shows), kept like the fits, up to about a
 * million customer values in all.
 */
const modelCache = new Map<string, BgnbdPeriod>();
const MODEL_CACHE_VALUES = 1_000_000;
let modelCacheValues = 0;

function cachedModel(key: string, evaluate: () => BgnbdPeriod): BgnbdPeriod {
  const hit = modelCache.get(key);
  if (hit) {
    modelCache.delete(key);
    modelCache.set(key, hit);
    return hit;
  }
  const model = evaluate();
  const size = (m: BgnbdPeriod) => 1 + (m.values?.length ?? 0);
  modelCache.set(key, model);
  modelCacheValues += size(model);
  // least recently used first out, never the model just made
  for (const [k, m] of modelCache) {
    if (modelCacheValues <= MODEL_CACHE_VALUES || k === key) break;
    modelCache.delete(k);
    modelCacheValues -= size(m);
  }
  return model;
}

function fitsFor(input: FitInput, start: { bg: BgNbdParams; gg: GammaGammaParams } | undefined): PeriodFits {
  const bg = fitBgNbdFast(input.collapsed, start?.bg);
  const gg = { ...fitGammaGammaFast(input.x, input.zbar, start?.gg), customers: input.x.length };
  return { bg, gg };
}

/** A period's model: per-customer values and their sums from its fits (null: not fitted, see the base's notes). */
function evaluatePeriod(data: PeriodData, fits: PeriodFits | null, def: ClvDef): BgnbdPeriod {
  const { base } = data;
  if (!fits || !data.modelled) return base;
  const modelled = data.modelled;
  const { bg, gg } = fits;
  const notes: Note[] = [];
  if (!bg.converged || !gg.converged) notes.push({ key: 'note.convergence', lists: { models: [!bg.converged ? 'BG/NBD' : '', !gg.converged ? 'Gamma-Gamma' : ''].filter(Boolean) } });
  if (bg.atBound.length + gg.atBound.length > 0) notes.push({ key: 'note.atBound', lists: { params: [...bg.atBound, ...gg.atBound] } });
  if (gg.params.q <= 1) return { ...base, bgnbd: bg, gammaGamma: gg, notes: [...notes, { key: 'note.q' }] };

  const horizonWeeks = def.horizon_months * WEEKS_PER_MONTH;
  const clvOptions = { horizonPeriods: def.horizon_months, discountRatePerPeriod: Math.pow(1 + def.discount_rate, 1 / 12) - 1, periodLength: WEEKS_PER_MONTH };
  // P(alive), expected purchases and the discounted purchase stream depend on (x, t_x, T) only: once per distinct history.
  const byHistory = new Map<string, { pAlive: number; purchases: number; stream: number }>();
  const values: CustomerValue[] = [];
  try {
    for (const s of modelled) {
      const key = `${s.x}|${s.x === 0 ? 0 : s.tx}|${s.T}`;
      let h = byHistory.get(key);
      // zbar = 0 with x ≥ 1 (only free repeat purchases): the conditional expectation's limit as zbar → 0.
      const spend = expectedAverageSpend(gg.params, s.x, s.x > 0 && s.zbar === 0 ? Number.MIN_VALUE : s.zbar);
      if (!h) {
        // customerLifetimeValue is linear in the expected spend: the stream is its value per unit of spend.
        h = { pAlive: probabilityAlive(bg.params, s), purchases: expectedPurchases(bg.params, horizonWeeks, s), stream: customerLifetimeValue(bg.params, gg.params, s, clvOptions) / spend };
        byHistory.set(key, h);
      }
      values.push({ customer: s.customerId, x: s.x, recency: s.tx, T: s.T, zbar: s.zbar, pAlive: h.pAlive, expectedPurchases: h.purchases, expectedClv: def.margin * spend * h.stream });
    }
  } catch (error) {
    return { ...base, bgnbd: bg, gammaGamma: gg, notes: [...notes, { key: 'note.evaluation', vars: { error: (error as Error).message } }] };
  }
  if (!values.every((v) => Number.isFinite(v.pAlive) && Number.isFinite(v.expectedPurchases) && Number.isFinite(v.expectedClv)))
    return { ...base, bgnbd: bg, gammaGamma: gg, notes: [...notes, { key: 'note.notFinite' }] };
  let total = 0;
  let active = 0;
  let purchases = 0;
  for (const v of values) {
    total += v.expectedClv;
    active += v.pAlive;
    purchases += v.expectedPurchases;
  }
  return { ...base, bgnbd: bg, gammaGamma: gg, values, total, mean: total / values.length, expectedActive: active, expectedPurchases: purchases, notes };
}

// ---------------------------------------------------------------------------------------------
// simple: ARPA × margin ÷ churn
// ---------------------------------------------------------------------------------------------

/** Revenue per paying account in [start, end), with the position of each account's latest cell (for breakdowns). */
function accountRevenue(rows: TransactionCells, start: number, end: number): { customer: string[]; revenue: number[]; last: number[] } {
  const { customers, k, last } = perCustomer(rows, start, end, 'amount');
  const names = columnValues<string>(rows.valid, '__customer');
  const paying = customers.filter((c) => k[c] > 0);
  return { customer: paying.map((c) => names[last[c]]), revenue: paying.map((c) => k[c]), last: paying.map((c) => last[c]) };
}

function churnOf(def: ClvDef, start: number, end: number, signups: number[], cancels: number[]): SimplePeriod['churn'] {
  if (def.churn_rate !== undefined) return { rate: def.churn_rate, atStart: null, lost: null, ci: null };
  let atStart = 0;
  let lost = 0;
  for (let i = 0; i < signups.length; i++) {
    if (signups[i] < start && cancels[i] >= start) {
      atStart++;
      if (cancels[i] < end) lost++;
    }
  }
  return { rate: atStart > 0 ? lost / atStart : null, atStart, lost, ci: atStart > 0 ? wilsonInterval(lost, atStart) : null };
}

/** CLV = ARPA × margin ÷ churn with its delta-method log-scale interval (when defined). */
function simpleValue(def: ClvDef, arpa: { mean: number; se: number } | null, churn: SimplePeriod['churn']): { value: number | null; ci: Interval | null; se: number | null; notes: Note[] } {
  if (arpa === null) return { value: null, ci: null, se: null, notes: [{ key: 'note.noPaying' }] };
  if (churn.rate === null) return { value: null, ci: null, se: null, notes: [{ key: 'note.noActive' }] };
  if (churn.rate === 0) return { value: null, ci: null, se: null, notes: [{ key: 'note.noChurn' }] };
  const value = (arpa.mean * def.margin) / churn.rate;
  const relArpa = Number.isFinite(arpa.se) && arpa.mean > 0 ? arpa.se / arpa.mean : NaN;
  const relChurn = churn.atStart === null ? 0 : Math.sqrt((1 - churn.rate) / (churn.rate * churn.atStart));
  const seLog = Math.sqrt(relArpa * relArpa + relChurn * relChurn);
  if (!Number.isFinite(seLog)) return { value, ci: null, se: null, notes: [] };
  return { value, ci: [value * Math.exp(-Z95 * seLog), value * Math.exp(Z95 * seLog)], se: value * seLog, notes: [] };
}

function simplePeriod(period: string, def: ClvDef, granularity: Granularity, rows: TransactionCells, signups: number[], cancels: number[]): SimplePeriod {
  const end = periodEnd(period, granularity);
  const periodStartMs = periodStart(period, granularity);
  const acc = accountRevenue(rows, periodStartMs, end);
  let sum = 0;
  let sumSq = 0;
  for (const r of acc.revenue) {
    sum += r;
    sumSq += r * r;
  }
  const n = acc.revenue.length;
  const est = meanEstimate(n, sum, sumSq);
  const arpa = n > 0 ? { mean: est.mean, se: est.se } : null;
  const churn = churnOf(def, periodStartMs, end, signups, cancels);
  const v = simpleValue(def, arpa, churn);
  return {
    period,
    accounts: n,
    revenue: sum,
    arpa: arpa ? arpa.mean : null,
    arpaSe: arpa && Number.isFinite(arpa.se) ? arpa.se : null,
    arpaCi: n >= 2 && Number.isFinite(est.ci[0]) ? est.ci : null,
    churn,
    ...v,
  };
}

// ---------------------------------------------------------------------------------------------
// compute
// ---------------------------------------------------------------------------------------------

function bgnbdMethod(def: ClvDef, t: Translate): string {
  return t('method.bgnbd', { margin: def.margin, months: def.horizon_months, discount: 100 * def.discount_rate });
}

function simpleMethod(def: ClvDef, t: Translate): string {
  const churn = def.churn_rate !== undefined ? t('method.fixedChurn', { rate: 100 * def.churn_rate }) : t('method.customersChurn');
  return t('method.simple', { margin: def.margin, churn, churnSe: def.churn_rate !== undefined ? '' : t('method.churnSe') });
}

type ClvComputeContext = Pick<ComputeContext, 'period' | 'previousPeriod' | 'breakdowns' | 'minSample' | 'displayed'> & { locale?: Locale };

function compute(prepared: PreparedClv, ctx: ClvComputeContext): MetricResult {
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
  return prepared.def.method === 'simple' ? computeSimple(prepared, ctx, t) : computeBgnbd(prepared, ctx, t);
}

function common(prepared: PreparedClv, minSample: number, t: Translate) {
  const { def } = prepared;
  return {
    id: prepared.id,
    type: 'clv',
    label: def.label ?? (def.method === 'simple' ? t('label.simple') : t('label.bgnbd', { months: def.horizon_months })),
    title: t(def.method === 'simple' ? 'title.simple' : 'title.bgnbd'),
    unit: 'currency' as const,
    higherIsBetter: true,
    domain: null,
    target: def.target ?? null,
    minSample,
  };
}

function groupRows(current: Map<string, { sum: number; n: number }>, previous: Map<string, { sum: number; n: number }>, period: string, previousPeriod: string, minSample: number, scale = 1): GroupResult[] {
  const names = [...new Set([...current.keys(), ...previous.keys()])].sort();
  return adjustGroups(
    names.map((group) => {
      const c = current.get(group);
      const p = previous.get(group);
      const value = c && c.n > 0 ? (scale * c.sum) / c.n : null;
      const prevValue = p && p.n > 0 ? (scale * p.sum) / p.n : null;
      return {
        group,
        period,
        value,
        n: c?.n ?? 0,
        ci: null,
        lowSample: (c?.n ?? 0) < minSample,
        previous: p ? { period: previousPeriod, value: prevValue, n: p.n } : null,
        delta: value !== null && prevValue !== null ? value - prevValue : null,
        p: null,
        pAdjusted: null,
        significant: false,
      };
    }),
  );
}

function computeBgnbd(prepared: PreparedClv, ctx: ClvComputeContext, t: Translate): MetricResult {
  const { def, granularity } = prepared;
  const minSample = def.min_sample ?? ctx.minSample;
  const bounds = timeBounds(prepared.rows.valid, granularity);
  // only the periods the report shows (each one's model is evaluated per customer), in ascending
  // order, so that each period's customer summaries are made once, while fitting up to it
  const shown = ctx.displayed;
  const series: PeriodValue[] = seriesPeriods(bounds.first, ctx.period, granularity)
    .filter((period) => !shown || shown.has(period))
    .map((period) => {
      const m = prepared.bgnbd(period);
      return { period, value: m.mean, n: m.values ? m.customers : 0, ci: null, lowSample: (m.values ? m.customers : 0) < minSample };
    });
  const prev = prepared.bgnbd(ctx.previousPeriod);
  const cur = prepared.bgnbd(ctx.period);

  const breakdowns: Record<string, GroupResult[]> = {};
  const sums = (model: BgnbdPeriod, column: string) => {
    const out = new Map<string, { sum: number; n: number }>();
    if (!model.values) return out;
    const latest = prepared.latestValues(column, periodEnd(model.period, granularity));
    for (const v of model.values) {
      const g = latest.get(v.customer) ?? '(missing)';
      const cell = out.get(g) ?? { sum: 0, n: 0 };
      cell.sum += v.expectedClv;
      cell.n += 1;
      out.set(g, cell);
    }
    return out;
  };
  for (const column of ctx.breakdowns) breakdowns[column] = groupRows(sums(cur, column), sums(prev, column), ctx.period, ctx.previousPeriod, minSample);

  const end = periodEnd(ctx.period, granularity);
  const exclusions = tallyExclusions(prepared.rows.excluded, (t) => t < end);
  const n = cur.values ? cur.customers : 0;
  const values = cur.values ?? [];
  const ranked = [...values].sort((a, b) => b.expectedClv - a.expectedClv || (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
  const deciles = cur.total !== null && ranked.length > 0 ? decileRows(ranked, cur.total) : [];
  const pAliveBins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, customers: 0 }));
  for (const v of values) pAliveBins[Math.min(9, Math.floor(v.pAlive * 10))].customers += 1;

  const fitted = (f: FitSummary<object> | null) => (f ? { converged: f.converged, iterations: f.iterations, atBound: f.atBound } : null);
  return makeResult({
    ...common(prepared, minSample, t),
    period: ctx.period,
    value: cur.mean,
    n,
    ci: null,
    lowSample: n < minSample,
    previous: prev.mean !== null ? { period: ctx.previousPeriod, value: prev.mean, n: prev.customers, ci: null } : null,
    delta: cur.mean !== null && prev.mean !== null ? cur.mean - prev.mean : null,
    test: t('test.bgnbd'),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods: tallyExclusions(prepared.rows.excluded, () => true, true),
    series,
    breakdowns,
    method: bgnbdMethod(def, t),
    extra: {
      clvMethod: 'bgnbd',
      calibrationEnd: cur.calibrationEnd,
      timeUnit: 'weeks',
      horizonMonths: def.horizon_months,
      discountRate: def.discount_rate,
      margin: def.margin,
      customers: cur.customers,
      repeatCustomers: cur.repeatCustomers,
      notModelled: cur.notModelled,
      bgnbd: cur.bgnbd ? { r: cur.bgnbd.params.r, alpha: cur.bgnbd.params.alpha, a: cur.bgnbd.params.a, b: cur.bgnbd.params.b, logLikelihood: cur.bgnbd.logLikelihood, ...fitted(cur.bgnbd) } : null,
      gammaGamma: cur.gammaGamma
        ? { p: cur.gammaGamma.params.p, q: cur.gammaGamma.params.q, gamma: cur.gammaGamma.params.gamma, logLikelihood: cur.gammaGamma.logLikelihood, customers: cur.gammaGamma.customers, ...fitted(cur.gammaGamma) }
        : null,
      totalExpectedValue: cur.total,
      meanExpectedValue: cur.mean,
      expectedActiveCustomers: cur.expectedActive,
      meanExpectedValuePerActiveCustomer: cur.total !== null && cur.expectedActive ? cur.total / cur.expectedActive : null,
      expectedPurchases: cur.expectedPurchases,
      deciles,
      pAliveDistribution: pAliveBins,
      topAccounts: ranked.slice(0, def.top).map((v) => ({ customer: v.customer, x: v.x, recency: v.recency, T: v.T, pAlive: v.pAlive, expectedPurchases: v.expectedPurchases, expectedClv: v.expectedClv })),
      note: noteText(cur.notes, t),
    },
  });
}

/** Customers ranked by expected value, in ten equal groups (decile 1 = highest), with each group's share of the total. */
function decileRows(ranked: CustomerValue[], total: number): { decile: number; customers: number; totalValue: number; meanValue: number; percentOfTotal: number | null }[] {
  const n = ranked.length;
  const out = [];
  for (let d = 1; d <= 10; d++) {
    const from = Math.floor((n * (d - 1)) / 10);
    const to = Math.floor((n * d) / 10);
    let sum = 0;
    for (let i = from; i < to; i++) sum += ranked[i].expectedClv;
    out.push({ decile: d, customers: to - from, totalValue: sum, meanValue: to > from ? sum / (to - from) : 0, percentOfTotal: total > 0 ? (100 * sum) / total : null });
  }
  return out;
}

function computeSimple(prepared: PreparedClv, ctx: ClvComputeContext, t: Translate): MetricResult {
  const { def, granularity, rows } = prepared;
  const minSample = def.min_sample ?? ctx.minSample;
  const bounds = timeBounds(rows.valid, granularity);
  const cur = prepared.simple(ctx.period);
  const prev = prepared.simple(ctx.previousPeriod);
  const series: PeriodValue[] = seriesPeriods(bounds.first, ctx.period, granularity).map((period) => {
    const s = prepared.simple(period);
    return { period, value: s.value, n: s.value === null ? 0 : s.accounts, ci: s.ci, lowSample: s.accounts < minSample };
  });

  // Breakdowns: mean per-account value (revenue × margin ÷ company churn) by the account's latest value in the period.
  const breakdowns: Record<string, GroupResult[]> = {};
  const sums = (s: SimplePeriod, column: string) => {
    const out = new Map<string, { sum: number; n: number }>();
    if (s.churn.rate === null || s.churn.rate === 0) return out;
    const acc = accountRevenue(rows, periodStart(s.period, granularity), periodEnd(s.period, granularity));
    const values = columnValues(rows.valid, column);
    acc.revenue.forEach((revenue, i) => {
      const g = groupKey(values[acc.last[i]]);
      const cell = out.get(g) ?? { sum: 0, n: 0 };
      cell.sum += revenue;
      cell.n += 1;
      out.set(g, cell);
    });
    return out;
  };
  const scale = (s: SimplePeriod) => (s.churn.rate ? def.margin / s.churn.rate : 0);
  for (const column of ctx.breakdowns) {
    const c = sums(cur, column);
    const p = sums(prev, column);
    // scale each side by its own period's margin ÷ churn
    const scaled = (m: Map<string, { sum: number; n: number }>, k: number) => new Map([...m].map(([g, v]) => [g, { sum: v.sum * k, n: v.n }]));
    breakdowns[column] = groupRows(scaled(c, scale(cur)), scaled(p, scale(prev)), ctx.period, ctx.previousPeriod, minSample);
  }

  const start = periodStart(ctx.period, granularity);
  const end = periodEnd(ctx.period, granularity);
  const exclusions = sortKeys({ ...tallyExclusions(rows.excluded, (t) => t >= start && t < end), ...prepared.customerExclusions });
  const excludedAllPeriods = sortKeys({ ...tallyExclusions(rows.excluded, () => true, true), ...prepared.customerExclusions });
  return makeResult({
    ...common(prepared, minSample, t),
    period: ctx.period,
    value: cur.value,
    n: cur.value === null ? 0 : cur.accounts,
    ci: cur.ci,
    se: cur.se,
    lowSample: cur.accounts < minSample,
    previous: prev.value !== null ? { period: ctx.previousPeriod, value: prev.value, n: prev.accounts, ci: prev.ci } : null,
    delta: cur.value !== null && prev.value !== null ? cur.value - prev.value : null,
    test: t('test.simple'),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods,
    series,
    breakdowns,
    method: simpleMethod(def, t),
    extra: {
      clvMethod: 'simple',
      margin: def.margin,
      accounts: cur.accounts,
      revenue: cur.revenue,
      arpa: cur.arpa,
      arpaCi: cur.arpaCi,
      churnSource: def.churn_rate !== undefined ? 'churn_rate' : 'customers',
      churnRate: cur.churn.rate,
      churnCi: cur.churn.ci,
      customersAtStart: cur.churn.atStart,
      customersLost: cur.churn.lost,
      expectedLifetimePeriods: cur.churn.rate ? 1 / cur.churn.rate : null,
      note: noteText(cur.notes, t),
    },
  });
}

// ---------------------------------------------------------------------------------------------
// visual
// ---------------------------------------------------------------------------------------------

export function visual(result: MetricResult, prepared: PreparedClv, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  return prepared.def.method === 'simple' ? visualSimple(result, prepared, ctx, t, locale) : visualBgnbd(result, prepared, ctx, t, locale);
}

function visualSimple(result: MetricResult, prepared: PreparedClv, ctx: VisualContext, t: Translate, locale: Locale): VisualBlock[] {
  const e = result.extra as { margin: number; accounts: number; revenue: number; arpa: number | null; churnRate: number | null; churnSource: string; customersAtStart: number | null; customersLost: number | null; expectedLifetimePeriods: number | null; note: string | null };
  const fmt = formatter(locale);
  const report = translator(locale);
  const unit = report(`unit.${prepared.granularity}`);
  const churnDetail = e.churnSource === 'churn_rate' ? t('simple.fixed') : t('simple.lost', { lost: fmt.count(e.customersLost ?? 0), atStart: fmt.count(e.customersAtStart ?? 0) });
  const rows = [
    { cells: [t('simple.arpa', { unit }), fmt.value(e.arpa, 'currency'), t('simple.accounts', { accounts: fmt.count(e.accounts), revenue: fmt.value(e.revenue, 'currency') })] },
    { cells: [t('simple.margin'), fmt.value(100 * e.margin, 'percent'), t('simple.fromConfig')] },
    { cells: [t('simple.churn', { unit }), e.churnRate === null ? '—' : fmt.value(100 * e.churnRate, 'percent'), churnDetail] },
    { cells: [t('simple.lifetime'), e.expectedLifetimePeriods === null ? '—' : report(`count.${prepared.granularity}`, { count: fmt.number(e.expectedLifetimePeriods, 'count') }), t('simple.lifetimeFormula')] },
    { cells: [t('simple.clv'), fmt.value(result.value, 'currency'), result.ci ? t('simple.ci', { ci: fmt.interval(result.ci, 'currency') }) : ''] },
  ];
  const footnote = prepared.def.customers ? t('simple.sources', { source: ctx.sourceLabel?.(prepared.def.source) ?? prepared.def.source, customers: ctx.sourceLabel?.(prepared.def.customers) ?? prepared.def.customers }) : t('simple.source', { source: ctx.sourceLabel?.(prepared.def.source) ?? prepared.def.source });
  const blocks: VisualBlock[] = [
    {
      kind: 'table',
      table: { caption: t('simple.caption', { period: ctx.periodLabel(ctx.period) }), columns: [{ label: t('simple.input') }, { label: t('simple.value'), align: 'right' }, { label: t('simple.detail') }], rows, footnote },
    },
  ];
  if (e.note) blocks.push({ kind: 'text', paragraphs: [t('note', { note: e.note })] });
  return blocks;
}

function visualBgnbd(result: MetricResult, prepared: PreparedClv, ctx: VisualContext, t: Translate, locale: Locale): VisualBlock[] {
  const { def } = prepared;
  const fmt = formatter(locale);
  const e = result.extra as {
    calibrationEnd: string;
    customers: number;
    repeatCustomers: number;
    bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
    gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number } | null;
    totalExpectedValue: number | null;
    expectedActiveCustomers: number | null;
    deciles: { decile: number; customers: number; totalValue: number; meanValue: number; percentOfTotal: number | null }[];
    topAccounts: { customer: string; x: number; recency: number; T: number; pAlive: number; expectedPurchases: number; expectedClv: number }[];
    note: string | null;
  };
  const blocks: VisualBlock[] = [];
  if (result.value === null) {
    const period = ctx.periodLabel(ctx.period);
    blocks.push({ kind: 'text', paragraphs: [e.note ? t('bgnbd.noModelNote', { period, note: e.note }) : t('bgnbd.noModel', { period })] });
    return blocks;
  }
  const top = e.deciles[0];
  const topShare = top?.percentOfTotal ?? null;
  const months = def.horizon_months;
  const total = fmt.value(e.totalExpectedValue, 'currency');
  const title = topShare !== null ? t('bgnbd.titleTop', { share: fmt.value(topShare, 'percent'), total, months }) : t('bgnbd.titleTotal', { months, total });
  const data = e.deciles.map((d) => ({ decile: `D${d.decile}`, percent: d.percentOfTotal ?? 0, mean: d.meanValue, label: `${fmt.number(d.percentOfTotal, 'percent')}%`, customers: d.customers }));
  blocks.push({
    kind: 'chart',
    chart: {
      id: ctx.nextId(`chart-${prepared.id}-deciles`),
      title,
      caption: t('bgnbd.caption', { months, margin: def.margin, discount: 100 * def.discount_rate, n: fmt.count(e.customers), end: dayIn(locale, e.calibrationEnd), source: ctx.sourceLabel?.(def.source) ?? def.source }),
      alt: t('bgnbd.alt', { items: data.map((d) => t('bgnbd.altItem', { decile: d.decile, share: d.label, mean: fmt.value(d.mean, 'currency'), customers: fmt.count(d.customers) })).join(t('bgnbd.altSep')) }),
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 600,
        height: 200,
        data: { values: data },
        layer: [
          {
            mark: { type: 'bar', color: palette.primary, width: { band: 0.75 } },
            encoding: {
              x: { field: 'decile', type: 'ordinal', sort: data.map((d) => d.decile), title: t('bgnbd.axisDecile'), axis: { labelAngle: 0 } },
              y: { field: 'percent', type: 'quantitative', title: t('bgnbd.axisShare'), axis: { format: '.0f', tickCount: 5 } },
            },
          },
          { mark: { type: 'text', dy: -6, fontSize: 10, color: palette.ink }, encoding: { x: { field: 'decile', type: 'ordinal', sort: data.map((d) => d.decile) }, y: { field: 'percent', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      } as never,
      size: 'wide',
    },
  });
  blocks.push({
    kind: 'table',
    table: {
      caption: t('bgnbd.tableCaption', { count: e.topAccounts.length, months }),
      columns: [
        { label: t('bgnbd.customer') },
        { label: t('bgnbd.repeat'), align: 'right' },
        { label: t('bgnbd.recency'), align: 'right' },
        { label: t('bgnbd.age'), align: 'right' },
        { label: t('bgnbd.pAlive'), align: 'right' },
        { label: t('bgnbd.expectedPurchases', { months }), align: 'right' },
        { label: t('bgnbd.expectedClv'), align: 'right' },
      ],
      rows: e.topAccounts.map((a) => ({
        cells: [a.customer, fmt.count(a.x), fmt.number(a.recency, 'percent'), fmt.number(a.T, 'percent'), fmt.value(100 * a.pAlive, 'percent'), fmt.number(a.expectedPurchases, 'score'), fmt.value(a.expectedClv, 'currency')],
      })),
      footnote: t('bgnbd.footnote'),
    },
  });
  const bg = e.bgnbd!;
  const gg = e.gammaGamma!;
  const f = (v: number) => (Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toPrecision(4)).replace('-', '−');
  blocks.push({
    kind: 'text',
    paragraphs: [
      t('bgnbd.fitted', {
        customers: fmt.count(e.customers),
        repeat: fmt.count(e.repeatCustomers),
        end: dayIn(locale, e.calibrationEnd),
        r: f(bg.r),
        alpha: f(bg.alpha),
        a: f(bg.a),
        b: f(bg.b),
        ll: bg.logLikelihood.toFixed(1).replace('-', '−'),
        p: f(gg.p),
        q: f(gg.q),
        gamma: f(gg.gamma),
        active: fmt.count(Math.round(e.expectedActiveCustomers ?? 0)),
      }),
      e.note ? t('bgnbd.estimatesNote', { note: e.note }) : t('bgnbd.estimates'),
    ],
  });
  return blocks;
}

export const clvModule: MetricModule<ClvDef, PreparedClv> = {
  type: 'clv',
  schema: clvSchema,
  title: 'Customer lifetime value',
  pushdown: true,
  prepare,
  needsPeriods: 'the models are fitted on the purchases up to the end of the report period',
  compute,
};

