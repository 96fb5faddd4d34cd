import type { Locale } from '../../kernel/i18n.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    'name.nrr': 'Net revenue retention',
    'name.grr': 'Gross revenue retention',
    test: 'bootstrap over customers of both periods ({resamples} resamples, seed {seed})',
    'test.few': '{test}; not computed with fewer than {min} starting customers in a period',
    method:
      "MRR bridge between the previous {unit}'s snapshot and this {unit}'s (the latest month with data in each {unit}): start = MRR of customers paying in the earlier snapshot; expansion and contraction = increases and decreases among customers paying in both; churned = earlier MRR of customers no longer paying (absent, or MRR 0); new = MRR of customers paying now who were not before (including returning customers). " +
      'NRR = (start + expansion − contraction − churned)/start × 100; GRR = (start − contraction − churned)/start × 100 (at most 100%). The headline value is {measure}; n = customers paying at the start. ' +
      '95% interval: percentile bootstrap over the starting customers ({resamples} resamples with replacement, seeded Mulberry32 generator, seed {seed}; R type-7 quantiles), so it is the same on every build of the same data. ' +
      'Change vs the previous {unit}: the two periods share customers, so the customers of both are resampled jointly and p = 2·(min(#Δ* ≤ 0, #Δ* ≥ 0) + 1)/(B + 1); not tested when either period has fewer than {min} starting customers. ' +
      'Rows with a missing id, a missing or invalid month, a missing, non-numeric or negative MRR, or a customer-month that occurs more than once are excluded (never corrected) and counted. ' +
      'Breakdowns group customers by their value at the earlier snapshot, with Benjamini–Hochberg adjusted p-values. Source: expansion revenue, NRR and GRR (reference/metrics.md).',
    'method.filter': ' Rows limited to {filter}.',
    empty: 'No MRR snapshots for both {period} and the period before it, so there is no MRR bridge.',
    'step.total': 'MRR {period}',
    'step.new': 'New',
    'step.expansion': 'Expansion',
    'step.contraction': 'Contraction',
    'step.churned': 'Churned',
    'axis.mrr': 'MRR',
    'balance.expansion': 'expansion of {expansion} outweighed {lost} contraction and churn',
    'balance.lost': '{lost} contraction and churn outweighed {expansion} expansion',
    'title.none': 'No paying customers in {period}',
    'title.grr': 'GRR {grr} in {period}: {lost} lost to contraction and churn (NRR {nrr})',
    'title.nrr': 'NRR {nrr} in {period}: {balance} (GRR {grr})',
    caption:
      'MRR bridge from the {from} snapshot to {to}: {customers} customers paying at the start, {churned} churned, {new} new. NRR = (start + expansion − contraction − churned) ÷ start; 95% interval by bootstrap over customers.{axis} Source: {source}.',
    'caption.axis': ' The MRR axis starts at {floor}, not at zero, so that the changes are visible.',
    'source.filter': '{source} ({filter})',
    alt: 'Waterfall chart of MRR from {from} to {to}: start {start}, new {new}, expansion {expansion}, contraction {contraction}, churned {churned}, end {end}; NRR {nrr}, GRR {grr}.',
    'table.caption': 'MRR bridge per {unit}, last {count}',
    'table.period': 'Period',
    'table.start': 'Start',
    'table.new': 'New',
    'table.expansion': 'Expansion',
    'table.contraction': 'Contraction',
    'table.churned': 'Churned',
    'table.end': 'End',
    'table.nrr': 'NRR (%)',
    'table.grr': 'GRR (%)',
    'table.footnote': 'Amounts are monthly recurring revenue at the snapshots.',
    'table.trailing': ' Trailing 12 months (customers paying in {period}): NRR {nrr}, GRR {grr}.',
  },
  'zh-CN': {
    'name.nrr': '净收入留存率',
    'name.grr': '总收入留存率',
    test: '两期客户联合重抽样的自助法检验，{resamples}次重抽样，随机种子{seed}',
    'test.few': '{test}；任一期期初付费客户少于{min}位时不计算',
    method:
      '上一{unit}快照与本{unit}快照（各取该{unit}内有数据的最后一个月）之间的 MRR 变动分解：期初 = 较早快照中付费客户的 MRR；扩展与收缩 = 两次快照中均付费的客户的 MRR 增加额与减少额；流失 = 不再付费（缺失或 MRR 为 0）的客户在较早快照中的 MRR；新增 = 本期付费而此前未付费的客户的 MRR（包括回流客户）。' +
      'NRR = (期初 + 扩展 − 收缩 − 流失)/期初 × 100；GRR = (期初 − 收缩 − 流失)/期初 × 100（最高 100%）。核心数值为{measure}；n = 期初付费客户数。' +
      '95% 置信区间：对期初客户进行百分位自助法（bootstrap）重抽样（有放回重抽样{resamples}次，使用带种子的 Mulberry32 生成器，随机种子{seed}；R 第 7 类分位数），因此同一数据每次生成的结果相同。' +
      '与上期相比的变化：两期共享客户，因此对两期的客户联合重抽样，p = 2·(min(#Δ* ≤ 0, #Δ* ≥ 0) + 1)/(B + 1)；任一期期初付费客户少于{min}位时不作检验。' +
      '缺少 id、月份缺失或无效、MRR 缺失、非数字或为负，或同一客户同一月份出现不止一次的行均被排除（从不修正）并计数。' +
      '细分分析按客户在较早快照中的取值分组，p 值经 Benjamini–Hochberg 法校正。来源：扩展收入、NRR 与 GRR（reference/metrics.md）。',
    'method.filter': '仅统计满足{filter}的行。',
    empty: 'MRR 快照未能同时覆盖{period}及其上一期，因此没有 MRR 变动分解。',
    'step.total': '{period} MRR',
    'step.new': '新增',
    'step.expansion': '扩展',
    'step.contraction': '收缩',
    'step.churned': '流失',
    'axis.mrr': 'MRR',
    'balance.expansion': '扩展{expansion}超过收缩与流失合计{lost}',
    'balance.lost': '收缩与流失合计{lost}超过扩展{expansion}',
    'title.none': '{period}没有付费客户',
    'title.grr': '{period} GRR 为{grr}：收缩与流失共损失{lost}（NRR {nrr}）',
    'title.nrr': '{period} NRR 为{nrr}：{balance}（GRR {grr}）',
    caption:
      '从{from}快照到{to}的 MRR 变动分解：期初付费客户{customers}位，流失{churned}位，新增{new}位。NRR = (期初 + 扩展 − 收缩 − 流失) ÷ 期初；95% 置信区间由对客户的自助法重抽样得出。{axis}数据来源：{source}。',
    'caption.axis': 'MRR 坐标轴从{floor}起，而非从零开始，以便看清各项变动。',
    'source.filter': '{source}（{filter}）',
    alt: '{from}至{to} MRR 的瀑布图：期初{start}，新增{new}，扩展{expansion}，收缩{contraction}，流失{churned}，期末{end}；NRR {nrr}，GRR {grr}。',
    'table.caption': '每{unit} MRR 变动分解（最近{count}期）',
    'table.period': '期间',
    'table.start': '期初',
    'table.new': '新增',
    'table.expansion': '扩展',
    'table.contraction': '收缩',
    'table.churned': '流失',
    'table.end': '期末',
    'table.nrr': 'NRR（%）',
    'table.grr': 'GRR（%）',
    'table.footnote': '金额为各快照时点的月度经常性收入（MRR）。',
    'table.trailing': '过去 12 个月（{period}付费的客户）：NRR {nrr}，GRR {grr}。',
  },
} satisfies Record<Locale, Record<string, string>>;
