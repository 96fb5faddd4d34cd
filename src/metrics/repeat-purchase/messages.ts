/** The repeat purchase rate's text in each report locale (see localTranslator in kernel/i18n.ts). */
import type { Locale } from '../../kernel/i18n.js';

export const MESSAGES = {
  en: {
    label: 'Repeat purchase rate',
    title: 'Repeat purchase rate',
    method:
      'Repeat purchase rate = customers with more than one purchase in the {days} days ending at the period end ÷ customers with at least one purchase in that window, × 100; purchases are counted as {counted}. ' +
      'The 95% interval is the Wilson score interval. The change is tested against the window ending at the previous period end with the two-proportion z-test (pooled p); consecutive windows overlap and share customers, which the test treats as independent samples, so it is conservative when the windows are positively correlated. ' +
      'Rows with a missing or invalid date (ISO 8601), a missing customer id{amount} are excluded and counted by reason, never coerced; the exclusions shown for a period are those dated inside its window. ' +
      'Breakdowns use each customer’s value on their latest purchase in the window; groups are tested in the same way and adjusted by Benjamini–Hochberg. Definition: repeat purchase rate over a window (cxreport metrics reference, "Retention and value").',
    'method.days': 'purchase days (several orders on one calendar day count once)',
    'method.orders': 'purchases (each valid row is one)',
    'method.amount': ', or a missing, non-numeric or negative amount',
    test: 'two-proportion z-test (pooled)',
    window: '{days}-day window to {end}',
    'change.up': ', up {size} on {previous} ({verdict})',
    'change.down': ', down {size} on {previous} ({verdict})',
    'change.unchanged': ', unchanged on {previous} ({verdict})',
    'change.noise': ', against {previous}: within noise ({verdict})',
    significant: 'significant, {p}',
    notSignificant: 'not significant',
    'title.noData': '{label}: no purchases in the {window}',
    'title.value': '{value} of buying customers bought more than once in the {window}{change}',
    sentence: '{text}.',
    caption: '{title} per {unit}, each over the {days} days ending at the period end, with 95% Wilson intervals. n = {n} customers with a purchase in the current window. Source: {source}.',
    alt: 'Line chart of the {days}-day repeat purchase rate: {items}.',
    altItem: '{period} {value} (n = {n})',
    altSep: '; ',
    'table.caption': 'Customers by number of purchases, {from} to {to}',
    'table.purchaseDays': 'Purchase days',
    'table.purchases': 'Purchases',
    'table.customers': 'Customers',
    'table.share': 'Share',
    'table.orMore': '{min} or more',
    'table.footnote': '{repeat} of {customers} customers bought more than once.',
  },
  'zh-CN': {
    label: '复购率',
    title: '复购率',
    method:
      '复购率 = 截至期末的{days}天内购买超过一次的客户数 ÷ 该窗口内至少购买一次的客户数 × 100，购买次数{counted}。' +
      '95% 置信区间为 Wilson 得分区间。变化与截至上期期末的窗口比较，采用双比例 z 检验（合并比例）；相邻窗口相互重叠、共享客户，而检验将其视为独立样本，因此当窗口正相关时检验偏保守。' +
      '日期缺失或无效（ISO 8601）、缺少客户 ID{amount}的行会被排除并按原因计数，从不强制转换；某期显示的排除行数为日期落在该期窗口内的行。' +
      '细分分析使用每位客户在窗口内最近一次购买时的取值；各组以同样方式检验，并经 Benjamini–Hochberg 校正。定义：窗口期复购率（cxreport 指标参考，“留存与价值”）。',
    'method.days': '按购买日计（同一天的多笔订单只计一次）',
    'method.orders': '按订单计（每个有效行计为一次）',
    'method.amount': '，或金额缺失、非数字或为负',
    test: '双比例 z 检验（合并比例）',
    window: '截至{end}的{days}天窗口',
    'change.up': '，较{previous}上升{size}（{verdict}）',
    'change.down': '，较{previous}下降{size}（{verdict}）',
    'change.unchanged': '，与{previous}持平（{verdict}）',
    'change.noise': '，与{previous}的差异在随机波动范围内（{verdict}）',
    significant: '显著，{p}',
    notSignificant: '不显著',
    'title.noData': '{label}：{window}内没有购买',
    'title.value': '{window}内，{value}的购买客户购买了不止一次{change}',
    sentence: '{text}。',
    caption: '每{unit}的{title}，每个点均按截至期末的{days}天计算，含 95% Wilson 置信区间。n = {n}，即当前窗口内有购买的客户数。数据来源：{source}。',
    alt: '{days}天复购率折线图：{items}。',
    altItem: '{period} {value}（n = {n}）',
    altSep: '；',
    'table.caption': '{from}至{to}按购买次数划分的客户',
    'table.purchaseDays': '购买天数',
    'table.purchases': '购买次数',
    'table.customers': '客户数',
    'table.share': '占比',
    'table.orMore': '{min}及以上',
    'table.footnote': '{customers}位客户中有{repeat}位购买了不止一次。',
  },
} satisfies Record<Locale, Record<string, string>>;
