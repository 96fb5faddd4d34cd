/**
 * Locales of the built-in report text (`report.locale`): a message catalogue per locale, a
 * translator `t(key, vars)`, and locale-aware period, date and number formats.
 *
 * - Messages use named placeholders, `{metric}`, `{period}` …; every locale has exactly the same
 *   keys, and each key has the same placeholders in every locale (test/locale.test.ts checks it).
 * - English (`en`) is the reference: its messages reproduce the report's English text byte for
 *   byte, so adding a locale never changes an English report.
 * - In Chinese a space separates Han characters from Latin letters and digits ("NPS 上升 4.1 分").
 *   Messages write the spaces around their own words; where a placeholder's value meets a Han
 *   character of the message, `t` adds the space (the value itself is never changed, so user
 *   text such as segment names stays exactly as written).
 * - The survey-score types (NPS, CSAT, CES) are translated here, in the report layer:
 *   `metricTitle` (`title.<type>`), `metricMethod` (`method.<type>`), `localBands`
 *   (`band.<name>`), `testName` and `exclusionReason` (`reason.<reason>`, which also covers the
 *   catalogue modules' exclusion reasons). The catalogue modules (churn, CLV, tickets, …) keep
 *   their own messages beside their code (`localTranslator`) and write their method, test and
 *   default visual in the report's locale.
 * - Error messages and hints are for the person writing the config and stay English.
 */
import { format as enFormat, formatLocale, type FormatLocaleDefinition } from 'd3-format';
import type { Granularity } from './period.js';
import { periodLabel as englishPeriodLabel, periodStart } from './period.js';
import type { Band } from './types.js';
import { describeFilter, type Filter } from './filter.js';

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

export type Vars = Record<string, string | number>;

const en = {
  // numbers (format.ts)
  'fmt.noData': 'no data',
  'fmt.minutes': '{m} min',
  'fmt.hours': '{h} h',
  'fmt.hoursMinutes': '{h} h {m} min',
  'fmt.days': '{d} d',
  'fmt.daysHours': '{d} d {h} h',
  'fmt.deltaPoints': '{delta} pts',
  'fmt.deltaPercent': '{delta} pts',
  'fmt.range': '{from} to {to}',

  // periods
  'unit.month': 'month',
  'unit.quarter': 'quarter',
  'unit.year': 'year',
  'units.month': 'months',
  'units.quarter': 'quarters',
  'units.year': 'years',
  'streak.month': 'month',
  'streak.quarter': 'quarter',
  'streak.year': 'year',
  'count.month': '{count} months',
  'count.quarter': '{count} quarters',
  'count.year': '{count} years',
  'unit.all': 'period',
  'units.all': 'periods',
  'streak.all': 'period',
  'count.all': '{count} period',
  'period.all': 'All data',
  'period.allShort': 'All',
  'ordinal.2': 'second',
  'ordinal.3': 'third',
  'ordinal.n': '{n}th',

  // shared words and cells
  'common.ci': '95% CI',
  'common.ciValue': '95% CI {ci}',
  'common.n': 'n = {n}',
  'common.nHeader': 'n',
  'common.lowN': 'n < {min}',
  'common.yes': 'yes ({p})',
  'common.noP': 'no ({p})',
  'common.no': 'no',
  'common.change': 'Change',
  'common.changeVs': 'Change vs {period}',
  'common.significantQ': 'Significant?',
  'common.metric': 'Metric',
  'common.period': 'Period',
  'common.source': 'Source: {source}.',
  'sep.list': ', ',
  'sep.items': '; ',
  'sep.pair': '{key}: {value}',

  // change sentences (kpis, metric sections)
  'change.noData': '{label}: no data this period.',
  'change.noPrevious': '{label} is {value} ({ci}n = {n}); there is no {previous} value to compare with.',
  'change.ci': '95% CI {ci}, ',
  'change.rose': '{label} rose {size} to {value} ({ci}n = {n}) since {previous}; {verdict}.',
  'change.fell': '{label} fell {size} to {value} ({ci}n = {n}) since {previous}; {verdict}.',
  'change.unchanged': '{label} was unchanged at {value} ({ci}n = {n}) since {previous}; {verdict}.',
  // a change its test does not call significant (or that is not tested) states no direction
  'change.higher': '{label} was {value} ({ci}n = {n}), {size} higher than in {previous}; {verdict}.',
  'change.lower': '{label} was {value} ({ci}n = {n}), {size} lower than in {previous}; {verdict}.',
  'change.significant': 'the change is significant ({p})',
  'change.notSignificant': 'the change is not significant ({p})',
  'change.untested': 'the change is {test}',

  // KPI cards
  'kpis.title': 'Executive summary',
  'kpis.noInterval': 'no interval',
  'kpis.target': 'Target {value}',
  'kpis.sparkTitle': '{label}, last {count} periods',
  'kpis.sparkAlt': 'Sparkline of {label} over the last {count} periods',
  'kpis.noChange': 'No headline metric changed significantly since {previous} (95% level).',
  'kpis.vs': 'vs {period}',
  'kpis.significantTitle': 'significant at 95%',
  'kpis.significant': 'significant',
  'kpis.notSignificant': 'not significant',
  'kpis.lowSample': 'low sample',
  'kpis.whatChanged': 'What changed',
  'kpis.headlines': 'Headline values',
  'kpis.allValue': '{label} is {value} ({ci}n = {n}) over all data.',

  // trend
  'trend.title': '{label} trend',
  'trend.overTime': '{label} over time',
  'trend.unchanged': '{label} unchanged in {period}',
  'trend.rose': '{label} rose in {period}',
  'trend.fell': '{label} fell in {period}',
  'trend.roseStreak': '{label} rose for the {nth} {unit} in a row',
  'trend.fellStreak': '{label} fell for the {nth} {unit} in a row',
  'trend.higherNoise': '{label} was {size} higher than in {previous} — within noise',
  'trend.lowerNoise': '{label} was {size} lower than in {previous} — within noise',
  'trend.higherUntested': '{label} was {size} higher than in {previous} (the change is not tested)',
  'trend.lowerUntested': '{label} was {size} lower than in {previous} (the change is not tested)',
  'trend.nRange': 'n per {unit}: {min}–{max}',
  'trend.nSame': 'n = {n} per {unit}',
  'chart.tip': '{label}: {value} ({ci}n = {n})',
  'chart.tipAnswers': '{score}: {count} answers ({share}), {band}',
  'trend.alt': 'Line chart of {label} for {count} from {first} ({firstValue}) to {last} ({lastValue}), ranging {min} to {max}, with 95% interval band{target}.',
  'trend.altTarget': ' and target {value}',
  'trend.altEmpty': 'No {label} data in the selected periods.',
  'trend.caption': '{title} per {unit} with 95% interval band. {n}. Source: {source}.',
  'trend.valuesPerPeriod': 'Values per period',
  'trend.allData': '{label} over all data: {value} ({ci}n = {n}). The report is one period over all data, so there is no trend to chart.',

  // breakdown
  'breakdown.title': '{label} by {by}',
  'breakdown.lowFirst': '{label} by {by}: {low} lowest at {lowValue}, {high} highest at {highValue}',
  'breakdown.highFirst': '{label} by {by}: {high} highest at {highValue}, {low} lowest at {lowValue}',
  'breakdown.limited': ' The chart shows the {shown} groups with the most responses (of {total}); the table lists all.',
  'breakdown.caption': '{title} by {by}, {period}, with 95% intervals. Bars in grey have fewer than {min} responses (n < {min}).{limited} Source: {source}.',
  'breakdown.alt': 'Bar chart of {label} by {by} for {period}: {items}.',
  'breakdown.altItem': '{group} {value} (n = {n})',
  'breakdown.footnote': 'Significance of the change per group: {test}, p-values adjusted across the {count} groups by Benjamini–Hochberg (false discovery rate 5%).{low}',
  'breakdown.footnoteLow': ' Greyed rows have n < {min}: read them with caution.',
  'breakdown.vsRest': 'Difference from the rest',
  'breakdown.footnoteRest': 'Significance per group: {test} of the group against all other rows, p-values adjusted across the {count} groups by Benjamini–Hochberg (false discovery rate 5%).{low}',

  // distribution
  'distribution.title': '{label} answers in {period}',
  'distribution.headlineBad': '{share} of {period} respondents are {band}',
  'distribution.headline': '{share} of {period} answers are {band}',
  'distribution.caption': 'Count of valid {label} answers by score, {period} (n = {n}; {excluded} excluded). Labels give the share of all valid answers.',
  'distribution.alt': 'Histogram of {label} answers in {period}: {items}. {summary}.',
  'distribution.summarySep': ' · ',

  // verbatims
  'verbatims.respondents': 'respondents',
  'verbatims.allPeriods': 'all periods',
  'verbatims.title': 'What {who} said ({scope})',
  'verbatims.intro': '{shown} of {total} comments from {who} in {scope}, sampled at random (seed {seed}); shown as written, attributed by segment and date only.',
  'verbatims.empty': 'No comments from {who} in {scope}.',

  // case study
  'case.kicker': 'Case study',
  'case.narrative': 'Analyst narrative',
  'case.measured': 'Measured effect',
  'case.caveatLabel': 'Caveat.',
  'case.caveatGap': ' ',
  'case.before': 'Before',
  'case.after': 'After',
  'case.notReached': 'The {window} window lies after {period}: there is no before/after comparison in this report yet.',
  'case.rest': 'Rest of company',
  'case.group': 'Group',
  'case.window': '{label} ({from} – {to})',
  'case.windows': '{before} vs {after}',
  'case.cell': '{value} (n = {n})',
  'case.ci': ' (95% CI {ci})',
  'case.noTest': 'no test possible',
  'case.significant': 'significant, {p}',
  'case.notSignificant': 'not significant, {p}',
  'case.rose': '{label} rose {size} to {value}{ci} ({verdict}); the rest of the company moved {restDelta} ({restVerdict}).',
  'case.fell': '{label} fell {size} to {value}{ci} ({verdict}); the rest of the company moved {restDelta} ({restVerdict}).',
  'case.unchanged': '{label} was unchanged to {value}{ci} ({verdict}); the rest of the company moved {restDelta} ({restVerdict}).',
  'case.higher': '{label} was {value}{ci}, {size} higher than before ({verdict}); the rest of the company moved {restDelta} ({restVerdict}).',
  'case.lower': '{label} was {value}{ci}, {size} lower than before ({verdict}); the rest of the company moved {restDelta} ({restVerdict}).',
  'case.segment': 'Segment: {filter}. {before} vs {after}; comparison group: all other responses.',
  'case.chartTitle': '{segment} vs the rest of the company: {label} per {unit}',
  'case.caption': '{title} per {unit} for {segment} (with 95% band) and for all other responses; shaded: the before and after windows. Before/after changes are tested on the pooled windows as independent samples (tests in the methods appendix).',
  'case.alt': 'Line chart of {label} for {segment} and the rest of the company from {from} to {to}. {finding}',
  'case.caveat': 'This is an observational before/after comparison: other changes in the same windows can contribute, and the comparison group shows how much the rest of the company moved over the same time.',
  'filter.all': 'all rows',
  'filter.equals': '{column} = {value}',
  'filter.in': '{column} in ({values})',
  'filter.min': '{column} ≥ {value}',
  'filter.max': '{column} ≤ {value}',
  'filter.and': '{a} and {b}',
  'filter.valueSep': ', ',

  // metric section
  'metric.noData': '{label}: no data in {period}.',
  'metric.headline': '{label} {value}{ci}, n = {n}.',

  // custom chart section
  'chart.caption': '{title}, {rows} rows ({data}). Source: {type} metric "{metric}".',
  'chart.alt': '{title}: custom chart of {label} ({data}) with {rows} data rows.',

  // charts
  'axis.percent': ' (%)',
  'axis.points': ' (points)',
  'axis.hours': ' (hours)',
  'axis.answer': 'Answer',
  'axis.responses': 'Responses',
  'chart.target': 'Target {value}',
  'chart.otherBand': 'other',

  // methods appendix
  'methods.title': 'Methods appendix',
  'methods.definitions': 'Metric definitions',
  'methods.notesTitle': 'Statistical notes',
  'methods.sourcesTitle': 'Data sources',
  'methods.colSource': 'Source',
  'methods.colFile': 'File',
  'methods.colRows': 'Rows',
  'methods.colColumns': 'Columns (inferred type)',
  'methods.column': '{name} ({type})',
  'methods.valid': 'n = {n} in {period}',
  'methods.excluded': '{period}: {reasons} excluded. All periods: {all}.',
  'methods.nExcluded': '{n}. {excluded}',
  'methods.reason': '{count} {reason}',
  'methods.none': 'none',
  'methods.note1': 'All intervals are two-sided 95% intervals (z = 1.959964, or Student t for means). A change is called significant when its two-sided p-value is below 0.05.',
  'methods.note2': 'Breakdowns test each group’s change against its own previous period; p-values are adjusted across the groups of a breakdown with the Benjamini–Hochberg procedure (false discovery rate 5%).',
  'methods.note3': 'Cells with fewer than {min} valid responses are flagged (greyed, "n < {min}") and should be read with caution.',
  'methods.note4': 'Missing, non-numeric, non-integer and out-of-range scores, and rows without a valid date, are excluded and counted above; they are never coerced to a valid value.',
  'methods.note5': 'Responses are assigned to {units} by their timestamp in UTC.',
  'methods.note2All': 'Breakdowns test each group against all other rows; p-values are adjusted across the groups of a breakdown with the Benjamini–Hochberg procedure (false discovery rate 5%).',
  'methods.note5All': 'The report is one period over all data (granularity all): rows are counted with or without a date, there is no previous period and no change test.',
  'coltype.number': 'number',
  'coltype.string': 'string',
  'coltype.empty': 'empty',
  'reason.missing score': 'missing score',
  'reason.not a number': 'not a number',
  'reason.not an integer': 'not an integer',
  'reason.out of range': 'out of range',
  'reason.missing or invalid date': 'missing or invalid date',
  'reason.date outside the plausible range': 'date outside the plausible range',
  'reason.missing id': 'missing id',
  'reason.missing account id': 'missing account id',
  'reason.missing customer': 'missing customer',
  'reason.duplicate id': 'duplicate id',
  'reason.duplicate customer-month': 'duplicate customer-month',
  'reason.missing or invalid start date': 'missing or invalid start date',
  'reason.invalid end date': 'invalid end date',
  'reason.end before start': 'end before start',
  'reason.missing or invalid signup date': 'missing or invalid signup date',
  'reason.invalid cancel date': 'invalid cancel date',
  'reason.cancel before signup': 'cancel before signup',
  'reason.missing or invalid month': 'missing or invalid month',
  'reason.missing or invalid period': 'missing or invalid period',
  'reason.missing MRR': 'missing MRR',
  'reason.negative MRR': 'negative MRR',
  'reason.missing amount': 'missing amount',
  'reason.negative amount': 'negative amount',
  'reason.missing text': 'missing text',
  'reason.missing churned flag': 'missing churned flag',
  'reason.missing duration': 'missing duration',
  'reason.invalid duration': 'duration not a number',
  'reason.negative duration': 'negative duration',
  'reason.missing event': 'missing event',
  'reason.missing or invalid created time': 'missing or invalid created time',
  'reason.invalid first response time': 'invalid first response time',
  'reason.invalid resolved time': 'invalid resolved time',
  'reason.resolved before creation': 'resolved before creation',
  'reason.first response before creation': 'first response before creation',
  'reason.resolved before first response': 'resolved before first response',
  'reason.missing reopened flag': 'missing reopened flag',
  'test.nps': 'z-test for the difference of two NPS',
  'test.proportions': 'two-proportion z-test (pooled)',
  'test.welch': "Welch's t-test",
  'test.logrank': 'log-rank (survdiff, rho = 0)',

  // metric types: titles, method paragraphs, bands
  'title.nps': 'Net Promoter Score',
  'title.csat': 'Customer Satisfaction',
  'title.ces': 'Customer Effort Score',
  'title.churn': 'Customer churn rate',
  'title.retention': 'Customer retention rate',
  'title.cohort-retention': 'Cohort retention',
  'title.survival': 'Customer survival (Kaplan–Meier)',
  'title.repeat-purchase-rate': 'Repeat purchase rate',
  'title.clv': 'Customer lifetime value',
  'title.revenue-retention': 'Revenue retention (NRR/GRR)',
  'title.tickets': 'Support tickets',
  'title.reviews': 'Review ratings',
  'title.sentiment': 'Comment sentiment',
  'title.health-score': 'Customer health score',
  'method.nps':
    'Share of promoters (9–10) minus share of detractors (0–6) among valid 0–10 answers, in points (−100 to +100). ' +
    '95% interval: Wald, with standard error 100·√((P + D − (P − D)²)/n). Change vs the previous period: two-sided z-test on the difference of two independent NPS.',
  'method.csat':
    'Share of valid answers on the 1–{scale} scale that are {satisfied} ("satisfied"), as a percentage. ' +
    '95% interval: Wilson score interval. Change vs the previous period: two-sided two-proportion z-test with pooled proportion.',
  'method.csat.or': ' or ',
  'method.ces':
    'Mean of valid answers on the 1–{scale} scale ({direction}). ' + "95% interval: x̄ ± t(0.975, n−1)·s/√n. Change vs the previous period: two-sided Welch's t-test.",
  'method.ces.easier': 'higher means less effort',
  'method.ces.harder': 'higher means more effort',
  'band.label': '{name} ({range})',
  'band.detractors': 'Detractors',
  'band.passives': 'Passives',
  'band.promoters': 'Promoters',
  'band.satisfied': 'Satisfied',
  'band.neutral': 'Neutral',
  'band.dissatisfied': 'Dissatisfied',
  'band.easy': 'Easy',
  'band.difficult': 'Difficult',

  // document: cover, contents, footer, metadata, PDF, preview, error cells
  'doc.kicker': 'Customer experience report',
  'doc.logoAlt': '{organisation} logo',
  'doc.period': 'Period',
  'doc.periodValue': '{period} (compared with {previous})',
  'doc.dataThrough': 'Data through',
  'doc.generated': 'Generated',
  'doc.preparedBy': 'Prepared by',
  'index.built': '{count} reports built from {config}.',
  'index.period': 'Period',
  'index.segment': 'Segment',
  'index.report': 'Report',
  'doc.contents': 'Contents',
  'doc.csv': 'Download CSV',
  'doc.builtBy': 'built by cxreport from data through {date}.',
  'doc.subject': 'Customer experience report for {period}',
  'doc.subjectOrg': 'Customer experience report for {period}, {organisation}',
  'doc.keyword': 'customer experience',
  'pdf.page': 'Page {page} of {total}',
  'pdf.cover': 'Cover',
  'preview.lastGood': 'Showing the last report that built.',
  'preview.hint': 'hint: {hint}',
  'preview.yamlLine': 'YAML · line {line}',
  'error.badge': '{type} · error',
  'error.section': 'Section {n}',
  'error.sectionTitled': 'Section {n}: {title}',

  // Markdown summary and notebook
  'summary.metric': 'Metric',
  'summary.value': 'Value',
  'summary.significant': 'Significant',
  'summary.low': ' (low)',
  'notebook.intro': '{period}{organisation} · data through {date}. Each cell below shows the YAML that defines a section of `{file}` and, as its output, the rendered section.',
  'notebook.generated': '# {title}: generated by cxreport from the metrics above',
  'kpis.belowTarget': 'below target',
  'trend.anomalies': ' Ringed points are outside the 95% prediction interval of the up to {window} {units} before them (anomalies).',
} as const;

export type MessageKey = keyof typeof en;

const zhCN: Record<MessageKey, string> = {
  'fmt.noData': '无数据',
  'fmt.minutes': '{m}分钟',
  'fmt.hours': '{h}小时',
  'fmt.hoursMinutes': '{h}小时{m}分钟',
  'fmt.days': '{d}天',
  'fmt.daysHours': '{d}天{h}小时',
  'fmt.deltaPoints': '{delta}分',
  'fmt.deltaPercent': '{delta}个百分点',
  'fmt.range': '{from}至{to}',

  'unit.month': '月',
  'unit.quarter': '季度',
  'unit.year': '年',
  'units.month': '月份',
  'units.quarter': '季度',
  'units.year': '年份',
  'streak.month': '个月',
  'streak.quarter': '个季度',
  'streak.year': '年',
  'count.month': '{count}个月',
  'count.quarter': '{count}个季度',
  'count.year': '{count}年',
  'unit.all': '期',
  'units.all': '期',
  'streak.all': '期',
  'count.all': '{count}期',
  'period.all': '全部数据',
  'period.allShort': '全部',
  'ordinal.2': '2',
  'ordinal.3': '3',
  'ordinal.n': '{n}',

  'common.ci': '95% 置信区间',
  'common.ciValue': '95% 置信区间{ci}',
  'common.n': 'n = {n}',
  'common.nHeader': '样本量',
  'common.lowN': 'n < {min}',
  'common.yes': '是（{p}）',
  'common.noP': '否（{p}）',
  'common.no': '否',
  'common.change': '变化',
  'common.changeVs': '较{period}变化',
  'common.significantQ': '是否显著',
  'common.metric': '指标',
  'common.period': '期间',
  'common.source': '数据来源：{source}。',
  'sep.list': '，',
  'sep.items': '；',
  'sep.pair': '{key}：{value}',

  'change.noData': '{label}：本期无数据。',
  'change.noPrevious': '{label}为{value}（{ci}n = {n}）；{previous}没有可供比较的数值。',
  'change.ci': '95% 置信区间{ci}，',
  'change.rose': '{label}较{previous}上升{size}，达到{value}（{ci}n = {n}）；{verdict}。',
  'change.fell': '{label}较{previous}下降{size}，降至{value}（{ci}n = {n}）；{verdict}。',
  'change.unchanged': '{label}与{previous}持平，为{value}（{ci}n = {n}）；{verdict}。',
  'change.higher': '{label}为{value}（{ci}n = {n}），比{previous}高{size}；{verdict}。',
  'change.lower': '{label}为{value}（{ci}n = {n}），比{previous}低{size}；{verdict}。',
  'change.significant': '变化显著（{p}）',
  'change.notSignificant': '变化不显著（{p}）',
  'change.untested': '未检验变化（{test}）',

  'kpis.title': '执行摘要',
  'kpis.noInterval': '无置信区间',
  'kpis.target': '目标{value}',
  'kpis.sparkTitle': '{label}，最近{count}期',
  'kpis.sparkAlt': '{label}最近{count}期的迷你走势图',
  'kpis.noChange': '与{previous}相比，没有核心指标发生显著变化（95% 置信水平）。',
  'kpis.vs': '较{period}',
  'kpis.significantTitle': '在 95% 置信水平下显著',
  'kpis.significant': '显著',
  'kpis.notSignificant': '不显著',
  'kpis.lowSample': '样本量不足',
  'kpis.whatChanged': '主要变化',
  'kpis.headlines': '核心数值',
  'kpis.allValue': '全部数据的{label}为{value}（{ci}n = {n}）。',

  'trend.title': '{label}趋势',
  'trend.overTime': '{label}随时间的变化',
  'trend.unchanged': '{label}在{period}持平',
  'trend.rose': '{label}在{period}上升',
  'trend.fell': '{label}在{period}下降',
  'trend.roseStreak': '{label}连续{nth} {unit}上升',
  'trend.fellStreak': '{label}连续{nth} {unit}下降',
  'trend.higherNoise': '{label}比{previous}高{size}，在随机波动范围内',
  'trend.lowerNoise': '{label}比{previous}低{size}，在随机波动范围内',
  'trend.higherUntested': '{label}比{previous}高{size}（未检验变化）',
  'trend.lowerUntested': '{label}比{previous}低{size}（未检验变化）',
  'trend.nRange': '每{unit}样本量：{min}–{max}',
  'trend.nSame': '每{unit}样本量：{n}',
  'chart.tip': '{label}：{value}（{ci}n = {n}）',
  'chart.tipAnswers': '{score}：{count} 个回答（{share}），{band}',
  'trend.alt': '{label}折线图，共{count}，从{first}（{firstValue}）到{last}（{lastValue}），范围{min}至{max}，含 95% 置信区间带{target}。',
  'trend.altTarget': '及目标线{value}',
  'trend.altEmpty': '所选期间没有{label}数据。',
  'trend.caption': '每{unit}的{title}，含 95% 置信区间带。{n}。数据来源：{source}。',
  'trend.valuesPerPeriod': '各期数值',
  'trend.allData': '全部数据的{label}：{value}（{ci}n = {n}）。本报告把全部数据作为一个期间，因此没有趋势可绘制。',

  'breakdown.title': '按{by}划分的{label}',
  'breakdown.lowFirst': '按{by}划分的{label}：{low}最低，为{lowValue}；{high}最高，为{highValue}',
  'breakdown.highFirst': '按{by}划分的{label}：{high}最高，为{highValue}；{low}最低，为{lowValue}',
  'breakdown.limited': '图中显示回复最多的{shown}个组（共{total}个）；表格列出全部组。',
  'breakdown.caption': '{period}按{by}划分的{title}，含 95% 置信区间。灰色条形表示回复少于{min}条（n < {min}）。{limited}数据来源：{source}。',
  'breakdown.alt': '{period}按{by}划分的{label}条形图：{items}。',
  'breakdown.altItem': '{group} {value}（n = {n}）',
  'breakdown.footnote': '各组变化的显著性：{test}；p 值经 Benjamini–Hochberg 法在{count}个组之间校正（错误发现率 5%）。{low}',
  'breakdown.footnoteLow': '灰色行的 n < {min}，解读时请谨慎。',
  'breakdown.vsRest': '与其余各组之差',
  'breakdown.footnoteRest': '各组的显著性：将该组与其余所有行比较（{test}），同一细分中{count}个组的 p 值采用 Benjamini–Hochberg 法校正（错误发现率 5%）。{low}',

  'distribution.title': '{period}{label}回答分布',
  'distribution.headlineBad': '{period}有{share}的受访者属于“{band}”',
  'distribution.headline': '{period}有{share}的回答属于“{band}”',
  'distribution.caption': '{period}各分值的有效{label}回答数（n = {n}；已排除{excluded}条）。标签为占全部有效回答的比例。',
  'distribution.alt': '{period}{label}回答的直方图：{items}。{summary}。',
  'distribution.summarySep': ' · ',

  'verbatims.respondents': '受访者',
  'verbatims.allPeriods': '所有期间',
  'verbatims.title': '{who}的反馈（{scope}）',
  'verbatims.intro': '从{scope}{who}的{total}条评论中随机抽取{shown}条（随机种子{seed}）；按原文照录，仅标注细分群体和日期。',
  'verbatims.empty': '{scope}没有来自{who}的评论。',

  'case.kicker': '案例研究',
  'case.narrative': '分析师叙述',
  'case.measured': '实测效果',
  'case.caveatLabel': '注意：',
  'case.caveatGap': '',
  'case.before': '干预前',
  'case.after': '干预后',
  'case.notReached': '{window}窗口晚于 {period}：本报告尚无前后对比。',
  'case.rest': '公司其余部分',
  'case.group': '组别',
  'case.window': '{label}（{from}—{to}）',
  'case.windows': '{before}与{after}对比',
  'case.cell': '{value}（n = {n}）',
  'case.ci': '（95% 置信区间{ci}）',
  'case.noTest': '无法检验',
  'case.significant': '显著（{p}）',
  'case.notSignificant': '不显著（{p}）',
  'case.rose': '{label}上升{size}，达到{value}{ci}，{verdict}；公司其余部分同期变化{restDelta}，{restVerdict}。',
  'case.fell': '{label}下降{size}，降至{value}{ci}，{verdict}；公司其余部分同期变化{restDelta}，{restVerdict}。',
  'case.unchanged': '{label}保持不变，为{value}{ci}，{verdict}；公司其余部分同期变化{restDelta}，{restVerdict}。',
  'case.higher': '{label}为{value}{ci}，比之前高{size}，{verdict}；公司其余部分同期变化{restDelta}，{restVerdict}。',
  'case.lower': '{label}为{value}{ci}，比之前低{size}，{verdict}；公司其余部分同期变化{restDelta}，{restVerdict}。',
  'case.segment': '细分群体：{filter}。{before}与{after}对比；对照组：其他所有回复。',
  'case.chartTitle': '{segment}与公司其余部分对比：每{unit}的{label}',
  'case.caption': '{segment}（含 95% 置信带）与其他所有回复每{unit}的{title}；阴影区域为干预前、后窗口。前后变化以合并后的窗口作为独立样本进行检验（检验方法见方法附录）。',
  'case.alt': '{segment}与公司其余部分的{label}折线图，{from}至{to}。{finding}',
  'case.caveat': '这是一项观察性的前后对比：同一窗口内的其他变化也可能产生影响；对照组反映了公司其余部分在同期的变化幅度。',
  'filter.all': '所有行',
  'filter.equals': '{column} = {value}',
  'filter.in': '{column}属于（{values}）',
  'filter.min': '{column} ≥ {value}',
  'filter.max': '{column} ≤ {value}',
  'filter.and': '{a}且{b}',
  'filter.valueSep': '、',

  'metric.noData': '{label}：{period}无数据。',
  'metric.headline': '{label} {value}{ci}，n = {n}。',

  'chart.caption': '{title}，{rows}行（{data}）。来源：{type}指标“{metric}”。',
  'chart.alt': '{title}：{label}的自定义图表（{data}），共{rows}行数据。',

  'axis.percent': '（%）',
  'axis.points': '（分）',
  'axis.hours': '（小时）',
  'axis.answer': '分值',
  'axis.responses': '回复数',
  'chart.target': '目标{value}',
  'chart.otherBand': '其他',

  'methods.title': '方法附录',
  'methods.definitions': '指标定义',
  'methods.notesTitle': '统计说明',
  'methods.sourcesTitle': '数据来源',
  'methods.colSource': '来源',
  'methods.colFile': '文件',
  'methods.colRows': '行数',
  'methods.colColumns': '列（推断类型）',
  'methods.column': '{name}（{type}）',
  'methods.valid': '{period}样本量 n = {n}',
  'methods.excluded': '{period}排除：{reasons}。所有期间排除：{all}。',
  'methods.nExcluded': '{n}。{excluded}',
  'methods.reason': '{reason} {count}条',
  'methods.none': '无',
  'methods.note1': '所有区间均为双侧 95% 置信区间（z = 1.959964；均值使用 Student t 分布）。双侧 p 值低于 0.05 时，变化视为显著。',
  'methods.note2': '细分分析将每个组的变化与该组自身的上一期进行检验；同一细分中各组的 p 值采用 Benjamini–Hochberg 程序校正（错误发现率 5%）。',
  'methods.note3': '有效回复少于{min}条的单元格会被标记（灰色显示，“n < {min}”），解读时请谨慎。',
  'methods.note4': '缺失、非数字、非整数和超出范围的分值，以及没有有效日期的行，均被排除并计入上述统计；它们从不会被强制转换为有效值。',
  'methods.note5': '回复按其时间戳（UTC）归入各{units}。',
  'methods.note2All': '细分分析将每个组与其余所有行进行检验；同一细分中各组的 p 值采用 Benjamini–Hochberg 程序校正（错误发现率 5%）。',
  'methods.note5All': '本报告把全部数据作为一个期间（granularity all）：无论有无日期，各行都计入；没有上一期，也没有变化检验。',
  'coltype.number': '数值',
  'coltype.string': '文本',
  'coltype.empty': '空',
  'reason.missing score': '缺少分值',
  'reason.not a number': '非数字',
  'reason.not an integer': '非整数',
  'reason.out of range': '超出范围',
  'reason.missing or invalid date': '日期缺失或无效',
  'reason.date outside the plausible range': '日期超出合理范围',
  'reason.missing id': '缺少 ID',
  'reason.missing account id': '缺少账户 ID',
  'reason.missing customer': '缺少客户',
  'reason.duplicate id': 'ID 重复',
  'reason.duplicate customer-month': '客户-月份重复',
  'reason.missing or invalid start date': '开始日期缺失或无效',
  'reason.invalid end date': '结束日期无效',
  'reason.end before start': '结束早于开始',
  'reason.missing or invalid signup date': '注册日期缺失或无效',
  'reason.invalid cancel date': '取消日期无效',
  'reason.cancel before signup': '取消早于注册',
  'reason.missing or invalid month': '月份缺失或无效',
  'reason.missing or invalid period': '期间缺失或无效',
  'reason.missing MRR': '缺少 MRR',
  'reason.negative MRR': 'MRR 为负',
  'reason.missing amount': '缺少金额',
  'reason.negative amount': '金额为负',
  'reason.missing text': '缺少文本',
  'reason.missing churned flag': '缺少流失标记',
  'reason.missing duration': '缺少时长',
  'reason.invalid duration': '时长非数字',
  'reason.negative duration': '时长为负',
  'reason.missing event': '缺少事件',
  'reason.missing or invalid created time': '创建时间缺失或无效',
  'reason.invalid first response time': '首次响应时间无效',
  'reason.invalid resolved time': '解决时间无效',
  'reason.resolved before creation': '解决早于创建',
  'reason.first response before creation': '首次响应早于创建',
  'reason.resolved before first response': '解决早于首次响应',
  'reason.missing reopened flag': '缺少重开标记',
  'test.nps': '两个独立 NPS 之差的 z 检验',
  'test.proportions': '双比例 z 检验（合并比例）',
  'test.welch': 'Welch t 检验',
  'test.logrank': '对数秩检验（survdiff，rho = 0）',

  'title.nps': '净推荐值',
  'title.csat': '客户满意度',
  'title.ces': '客户费力度',
  'title.churn': '客户流失率',
  'title.retention': '客户留存率',
  'title.cohort-retention': '同期群留存',
  'title.survival': '客户生存分析（Kaplan–Meier）',
  'title.repeat-purchase-rate': '复购率',
  'title.clv': '客户终身价值',
  'title.revenue-retention': '收入留存率（NRR/GRR）',
  'title.tickets': '客服工单',
  'title.reviews': '评论评分',
  'title.sentiment': '评论情感',
  'title.health-score': '客户健康度评分',
  'method.nps':
    '在有效的 0–10 分回答中，推荐者（9–10 分）占比减去贬损者（0–6 分）占比，以分为单位（−100 至 +100）。' +
    '95% 置信区间：Wald 区间，标准误为 100·√((P + D − (P − D)²)/n)。与上期相比的变化：对两个独立 NPS 之差进行双侧 z 检验。',
  'method.csat':
    '在 1–{scale}分量表的有效回答中，回答为{satisfied}分（即“满意”）的比例，以百分比表示。' +
    '95% 置信区间：Wilson 得分区间。与上期相比的变化：采用合并比例的双侧双比例 z 检验。',
  'method.csat.or': ' 或 ',
  'method.ces': '1–{scale}分量表上有效回答的平均值（{direction}）。95% 置信区间：x̄ ± t(0.975, n−1)·s/√n。与上期相比的变化：双侧 Welch t 检验。',
  'method.ces.easier': '分值越高表示越省力',
  'method.ces.harder': '分值越高表示越费力',
  'band.label': '{name}（{range}）',
  'band.detractors': '贬损者',
  'band.passives': '被动者',
  'band.promoters': '推荐者',
  'band.satisfied': '满意',
  'band.neutral': '中立',
  'band.dissatisfied': '不满意',
  'band.easy': '省力',
  'band.difficult': '费力',

  'doc.kicker': '客户体验报告',
  'doc.logoAlt': '{organisation}标志',
  'doc.period': '报告期',
  'doc.periodValue': '{period}（对比{previous}）',
  'doc.dataThrough': '数据截至',
  'doc.generated': '生成日期',
  'doc.preparedBy': '编制',
  'index.built': '根据 {config} 生成了 {count} 份报告。',
  'index.period': '报告期',
  'index.segment': '细分群体',
  'index.report': '报告',
  'doc.contents': '目录',
  'doc.csv': '下载 CSV',
  'doc.builtBy': '由 cxreport 根据截至{date}的数据生成。',
  'doc.subject': '{period}客户体验报告',
  'doc.subjectOrg': '{organisation} {period}客户体验报告',
  'doc.keyword': '客户体验',
  'pdf.page': '第 {page} 页，共 {total} 页',
  'pdf.cover': '封面',
  'preview.lastGood': '显示的是最近一次成功生成的报告。',
  'preview.hint': '提示：{hint}',
  'preview.yamlLine': 'YAML · 第{line}行',
  'error.badge': '{type} · 错误',
  'error.section': '第{n}节',
  'error.sectionTitled': '第{n}节：{title}',

  'summary.metric': '指标',
  'summary.value': '数值',
  'summary.significant': '是否显著',
  'summary.low': '（样本量不足）',
  'notebook.intro': '{period}{organisation} · 数据截至{date}。下方每个单元格的源代码是 `{file}` 中定义一个章节的 YAML，其输出为渲染后的章节。',
  'notebook.generated': '# {title}：由 cxreport 根据上述指标生成',
  'kpis.belowTarget': '未达目标',
  'trend.anomalies': '带圈的点超出此前最多 {window} 个{units}的 95% 预测区间（异常值）。',
};

/** Every locale's messages (exported for the catalogue test). */
export const catalogues: Record<Locale, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };

/** The placeholders of a message, sorted: "{a} and {b}" → ["a", "b"]. */
export function placeholders(message: string): string[] {
  return [...new Set([...message.matchAll(/\{([A-Za-z][\w]*)\}/g)].map((m) => m[1]))].sort();
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** A locale from a BCP 47 tag (the model's `lang`); unknown tags fall back to English. */
export function asLocale(value: unknown): Locale {
  return isLocale(value) ? value : 'en';
}

const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
const LATIN = /[A-Za-z0-9+\u2212$¥%]/;

/** Whether a space goes between two pieces of Chinese text: a Han character meeting a Latin letter or digit. */
const needsSpace = (left: string, right: string) => {
  const a = left.slice(-1);
  const b = right[0];
  return (HAN.test(a) && LATIN.test(b)) || (LATIN.test(a) && HAN.test(b));
};

export interface Translator {
  (key: MessageKey, vars?: Vars): string;
  readonly locale: Locale;
  /** the message of a key made at run time (e.g. `band.${name}`), or undefined when there is none */
  maybe(key: string, vars?: Vars): string | undefined;
}

function fill(locale: Locale, key: string, message: string, vars: Vars = {}): string {
  const parts = message.split(/\{([A-Za-z][\w]*)\}/);
  // pieces of the result: the message's own text, and the values put in for its placeholders
  const pieces: { text: string; value: boolean }[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) {
      if (parts[i]) pieces.push({ text: parts[i], value: false });
      continue;
    }
    const value = vars[parts[i]];
    if (value === undefined) throw new Error(`message "${key}" (${locale}) needs {${parts[i]}}`);
    if (String(value)) pieces.push({ text: String(value), value: true });
  }
  if (locale === 'en') return pieces.map((p) => p.text).join('');
  // Chinese: a space where a value meets Han text (the message's or another value's), never inside a value
  let out = '';
  pieces.forEach((p, i) => {
    if (i > 0 && (p.value || pieces[i - 1].value) && needsSpace(out, p.text)) out += ' ';
    out += p.text;
  });
  return out;
}

const translators = new Map<Locale, Translator>();

/** `t(key, vars)` for a locale: the message with its placeholders filled in. */
export function translator(locale: Locale): Translator {
  const cached = translators.get(locale);
  if (cached) return cached;
  const messages = catalogues[locale] as Record<string, string>;
  const t = ((key: MessageKey, vars?: Vars) => fill(locale, key, messages[key], vars)) as Translator;
  Object.defineProperty(t, 'locale', { value: locale });
  Object.defineProperty(t, 'maybe', { value: (key: string, vars?: Vars) => (Object.hasOwn(messages, key) ? fill(locale, key, messages[key], vars) : undefined) });
  translators.set(locale, t);
  return t;
}

/** The name of a reporting period's unit ("month", "季度") in the report's locale, from the shared catalogue. */
export function unitName(locale: Locale, granularity: Granularity): string {
  return translator(locale)(`unit.${granularity}`);
}

/**
 * A translator over a module's own messages (metric modules keep their texts beside their code):
 * `const t = localTranslator(MESSAGES, locale)` with `MESSAGES = { en: {...}, 'zh-CN': {...} }`,
 * the same keys and placeholders in both (checked by `sameKeys`). Filling and Chinese spacing
 * work as for the report's own catalogue.
 */
export function localTranslator<K extends string>(messages: Record<Locale, Record<K, string>>, locale: Locale): (key: K, vars?: Vars) => string {
  const own = messages[locale] ?? messages.en;
  return (key, vars) => fill(locale, key, own[key] ?? messages.en[key], vars);
}

/** Keys or placeholders that differ between the locales of a message set (empty when consistent). */
export function sameKeys(messages: Record<Locale, Record<string, string>>): string[] {
  const problems: string[] = [];
  const keys = new Set(LOCALES.flatMap((l) => Object.keys(messages[l] ?? {})));
  for (const key of keys) {
    const sets = LOCALES.map((l) => (messages[l]?.[key] === undefined ? null : placeholders(messages[l][key]).sort().join(',')));
    if (sets.some((s) => s === null)) problems.push(`${key}: missing in ${LOCALES.filter((_, i) => sets[i] === null).join(', ')}`);
    else if (new Set(sets).size > 1) problems.push(`${key}: placeholders differ`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Dates and periods

const ZH = {
  month: new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', timeZone: 'UTC' }),
  // four-digit years on axes too ("2025年11月", not "25年11月"): a two-digit year reads as a day or a count
  monthShort: new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'short', timeZone: 'UTC' }),
  year: new Intl.DateTimeFormat('zh-CN', { year: 'numeric', timeZone: 'UTC' }),
  yearShort: new Intl.DateTimeFormat('zh-CN', { year: 'numeric', timeZone: 'UTC' }),
  day: new Intl.DateTimeFormat('zh-CN', { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' }),
};

/**
 * A period's label: en "October 2026" / "Oct 2026", "Q4 2026", "2026" (unchanged);
 * zh-CN "2026年10月" (also the short style: four-digit years), "2026年第4季度", "2026年"; granularity all:
 * "All data" / "All" (zh-CN "全部数据" / "全部").
 */
export function periodLabelIn(locale: Locale, key: string, granularity: Granularity, style: 'long' | 'short' = 'long'): string {
  if (granularity === 'all') return key === 'all' ? translator(locale)(style === 'long' ? 'period.all' : 'period.allShort') : '—';
  if (locale === 'en') return englishPeriodLabel(key, granularity, style);
  const start = new Date(periodStart(key, granularity));
  const year = (style === 'short' ? ZH.yearShort : ZH.year).format(start);
  if (granularity === 'year') return ZH.year.format(start);
  if (granularity === 'quarter') return `${year}第${key.slice(6)}季度`;
  return (style === 'short' ? ZH.monthShort : ZH.month).format(start);
}

/** A day: en "31 October 2026", zh-CN "2026年10月31日". */
export function dayLabelIn(locale: Locale, ms: number): string {
  if (locale === 'en') return new Date(ms).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  return ZH.day.format(new Date(ms));
}

// ---------------------------------------------------------------------------------------------
// Numbers (d3-format)

/**
 * d3-format locale definitions (report numbers and chart axes). Chinese business writing uses "."
 * and "," like English (d3-format's own zh-CN locale). The currency symbol is deliberately not
 * switched to "¥": the amounts are in the data's currency and are not converted, and the metric
 * modules (CLV, NRR, …) write "$" in their own text, so a yuan sign would relabel dollar amounts.
 * A currency belongs in its own setting (e.g. `report.currency`), read by the modules too.
 */
export const NUMBER_LOCALES: Record<Locale, FormatLocaleDefinition> = {
  en: { decimal: '.', thousands: ',', grouping: [3], currency: ['$', ''] },
  'zh-CN': { decimal: '.', thousands: ',', grouping: [3], currency: ['$', ''] },
};

/** d3's `format` for a locale (English is d3's default locale itself). */
export function d3FormatFor(locale: Locale): (specifier: string) => (n: number | { valueOf(): number }) => string {
  return locale === 'en' ? enFormat : formatLocale(NUMBER_LOCALES[locale]).format;
}

// ---------------------------------------------------------------------------------------------
// Metric types (translated here so that the metric modules stay locale-free)

/** A metric's full name: the catalogue's `title.<type>` outside English, else the module's. */
export function metricTitle(t: Translator, type: string, fallback: string): string {
  return t.locale === 'en' ? fallback : (t.maybe(`title.${type}`) ?? fallback);
}

/** The methods paragraph of NPS, CSAT and CES in the locale; other types keep the module's English. */
export function metricMethod(t: Translator, type: string, def: Record<string, unknown>, fallback: string): string {
  if (t.locale === 'en') return fallback;
  const scale = Number(def.scale ?? (type === 'csat' ? 5 : 7));
  if (type === 'nps') return t('method.nps');
  if (type === 'csat') {
    const satisfied = Array.isArray(def.satisfied) ? (def.satisfied as number[]) : [scale - 1, scale];
    return t('method.csat', { scale, satisfied: satisfied.join(t('method.csat.or')) });
  }
  if (type === 'ces') return t('method.ces', { scale, direction: t(def.direction === 'higher-is-harder' ? 'method.ces.harder' : 'method.ces.easier') });
  return fallback;
}

/** Band names and labels in the locale ("Detractors (0–6)" → "贬损者（0–6）"); unknown bands unchanged. */
export function localBands(t: Translator, bands: Band[]): Band[] {
  if (t.locale === 'en') return bands;
  return bands.map((b) => {
    const name = t.maybe(`band.${b.name}`);
    if (!name) return b;
    const range = /\(([^)]*)\)\s*$/.exec(b.label)?.[1];
    return { ...b, label: range !== undefined ? t('band.label', { name, range: range.split(', ').join(t('filter.valueSep')) }) : name };
  });
}

/** How a band is named in running text: en the band's name ("detractors"), else its translated name. */
export function bandWord(t: Translator, band: Band): string {
  return t.locale === 'en' ? band.name : (t.maybe(`band.${band.name}`) ?? band.name);
}

const TESTS: Record<string, MessageKey> = {
  'z-test for the difference of two NPS': 'test.nps',
  'two-proportion z-test (pooled)': 'test.proportions',
  "Welch's t-test": 'test.welch',
  'log-rank (survdiff, rho = 0)': 'test.logrank',
};

/** The name of a change test in the locale (unknown tests keep the module's name). */
export function testName(t: Translator, test: string): string {
  const key = TESTS[test];
  return key ? t(key) : test;
}

/** An exclusion reason ("out of range") in the locale (unknown reasons unchanged). */
export function exclusionReason(t: Translator, reason: string): string {
  return t.maybe(`reason.${reason}`) ?? reason;
}

/** A row filter in words: en as `describeFilter` ("region = EMEA, channel in (chat, email)"), else translated. */
export function describeFilterIn(t: Translator, filter: Filter | undefined): string {
  if (t.locale === 'en') return describeFilter(filter);
  if (!filter) return t('filter.all');
  return Object.entries(filter)
    .map(([column, c]) => {
      if (Array.isArray(c)) return t('filter.in', { column, values: c.join(t('filter.valueSep')) });
      if (typeof c === 'object') {
        const parts = [c.min !== undefined ? t('filter.min', { column, value: c.min }) : '', c.max !== undefined ? t('filter.max', { column, value: c.max }) : ''].filter(Boolean);
        return parts.length === 2 ? t('filter.and', { a: parts[0], b: parts[1] }) : parts.join('');
      }
      return t('filter.equals', { column, value: String(c) });
    })
    .join(t('sep.list'));
}
