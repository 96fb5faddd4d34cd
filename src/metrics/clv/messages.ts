import type { Locale, Vars } from '../../kernel/i18n.js';

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

export type MessageKey = keyof (typeof MESSAGES)['en'];
export type Translate = (key: MessageKey, vars?: Vars) => string;
/** A note on a period's model, in words when the result is written (metrics.json `note`, visual). */
export interface Note {
  key: Extract<MessageKey, `note.${string}`>;
  vars?: Vars;
  /** placeholders filled with a list (names of models or parameters), joined with the locale's separator */
  lists?: Record<string, string[]>;
}
