/**
 * The methods appendix for a reader who looks things up: a one-page table (metric, definition,
 * formula, n, test, source and how recent its data is), then each metric's method once, without the
 * boilerplate every module repeats (how invalid rows are excluded is said once, in the notes), without
 * words only the code knows (file paths of our own docs, field names, generator names, backticks),
 * and with "Source:" kept for data sources: a module's closing "Source: <formula>" becomes
 * "Formula: …", a literature citation "Reference: …", and one that only pointed at our docs goes.
 */
import type { MetricResult } from '../../metrics/results.js';
import type { SectionContext } from '../context.js';
import { dayLabelIn, localTranslator, type Locale } from '../../kernel/i18n.js';

/** The appendix's own text (kept here, not in the shared catalogue, so it merges cleanly). */
export const MESSAGES = {
  en: {
    glanceTitle: 'The metrics at a glance',
    colMetric: 'Metric',
    colDefinition: 'Definition',
    colFormula: 'Formula',
    colN: 'n',
    colTest: 'Change test',
    colSource: 'Source · data through',
    sourceCell: '{source} · {date}',
    glanceNote: 'n = valid observations in {period}. "Data through" is the latest timestamp in the source’s rows that the report used (taken from the data, not the file’s modification time, so the same data always gives the same report).',
    detailTitle: 'Each metric in detail',
    nLine: 'n = {n} in {period}. Excluded in {period}: {reasons}; over all periods: {all}.',
    nLineNone: 'n = {n} in {period}; no rows excluded.',
    formula: 'Formula: {text}',
    reference: 'Reference: {text}',
    sameMethod: '{a} and {b}',
    duplicateHeading: '{label} ({source})',
    colRefreshed: 'Data through',
    exclusionNote:
      'Rows that a metric cannot use — a missing or invalid id, date, score, amount or text, a value out of range, an end before its start, a duplicate — are excluded, never corrected, and counted per metric and reason (the "Excluded" line under each metric).',
    seeded: 'a fixed random seed',
    fit: 'Fitted parameters for {period}: BG/NBD r = {r}, α = {alpha}, a = {a}, b = {b} (log-likelihood {ll}); Gamma-Gamma p = {p}, q = {q}, γ = {gamma}.',
    notTested: 'not tested',
    'def.nps': 'Likelihood to recommend (0–10), promoters minus detractors',
    'def.csat': 'Share of customers satisfied with their last interaction',
    'def.ces': 'How easy customers found it to get their issue handled',
    'def.churn': 'Share of the customers at the start of the period who left during it',
    'def.retention': 'Customers kept over the period, new ones not counted',
    'def.cohort-retention': 'Share of each monthly cohort of new customers still active some months later',
    'def.survival': 'Share of customers still customers after a given tenure',
    'def.revenue-retention.nrr': 'Recurring revenue kept from last period’s customers, expansion included',
    'def.revenue-retention.grr': 'Recurring revenue kept from last period’s customers, without expansion',
    'def.repeat-purchase-rate': 'Share of buying customers who bought more than once in the window',
    'def.clv.simple': 'Margin on a customer’s subscription over its expected lifetime',
    'def.clv.bgnbd': 'Expected margin per customer from future orders over the horizon',
    'def.tickets.first_response': 'Typical time to the first agent reply',
    'def.tickets.resolution': 'Typical time to resolve a ticket',
    'def.tickets.sla': 'Share of resolved tickets that met the response and resolution targets',
    'def.tickets.reopen_rate': 'Share of resolved tickets that were reopened',
    'def.tickets.volume': 'Tickets created in the period',
    'def.tickets.csat': 'Share of ticket ratings that are satisfied',
    'def.reviews.mean': 'Average public review rating',
    'def.reviews.top2': 'Share of public reviews in the top two ratings',
    'def.sentiment': 'Positive minus negative comments',
    'def.health-score': 'Average account health from usage, tickets, NPS and payments',
    'formula.nps': '% promoters (9–10) − % detractors (0–6)',
    'formula.csat': 'satisfied answers ÷ valid answers',
    'formula.ces': 'mean of the valid answers',
    'formula.churn': 'customers lost ÷ customers at the start',
    'formula.retention': '(customers at the end − new) ÷ customers at the start',
    'formula.cohort-retention': 'Σ still active after k months ÷ Σ cohort size',
    'formula.survival': 'Kaplan–Meier: Π (1 − left ÷ at risk)',
    'formula.revenue-retention.nrr': '(start + expansion − contraction − churned MRR) ÷ start MRR',
    'formula.revenue-retention.grr': '(start − contraction − churned MRR) ÷ start MRR',
    'formula.repeat-purchase-rate': 'customers with 2+ purchases ÷ customers with a purchase',
    'formula.clv.simple': 'revenue per account × margin ÷ churn rate',
    'formula.clv.bgnbd': 'expected orders × expected margin per order, discounted',
    'formula.tickets.first_response': 'median of (first reply − creation)',
    'formula.tickets.resolution': 'median of (resolution − creation)',
    'formula.tickets.sla': 'tickets within both targets ÷ resolved tickets',
    'formula.tickets.reopen_rate': 'reopened ÷ resolved tickets',
    'formula.tickets.volume': 'count of tickets created',
    'formula.tickets.csat': 'top-two answers ÷ answers',
    'formula.reviews.mean': 'mean of the star ratings',
    'formula.reviews.top2': 'top-two ratings ÷ ratings',
    'formula.sentiment': '% positive − % negative comments',
    'formula.health-score': 'mean over accounts of the weighted normalised components (0–100)',
  },
  'zh-CN': {
    glanceTitle: '指标一览',
    colMetric: '指标',
    colDefinition: '定义',
    colFormula: '公式',
    colN: 'n',
    colTest: '变化检验',
    colSource: '来源 · 数据截至',
    sourceCell: '{source} · {date}',
    glanceNote: 'n = {period}的有效观测数。“数据截至”是报告所用该来源各行中最晚的时间戳（取自数据本身，而非文件修改时间，因此同样的数据总是生成同样的报告）。',
    detailTitle: '各指标详解',
    nLine: '{period} n = {n}。{period}排除：{reasons}；所有期间：{all}。',
    nLineNone: '{period} n = {n}；没有排除任何行。',
    formula: '公式：{text}',
    reference: '参考文献：{text}',
    sameMethod: '{a}与{b}',
    duplicateHeading: '{label}（{source}）',
    colRefreshed: '数据截至',
    exclusionNote: '指标无法使用的行——id、日期、分值、金额或文本缺失或无效，取值超出范围，结束早于开始，或重复——均被排除、从不修正，并按指标和原因计数（见每个指标下的“排除”一行）。',
    seeded: '固定随机种子',
    fit: '{period}的拟合参数：BG/NBD r = {r}，α = {alpha}，a = {a}，b = {b}（对数似然 {ll}）；Gamma-Gamma p = {p}，q = {q}，γ = {gamma}。',
    notTested: '不检验',
    'def.nps': '推荐意愿（0–10），推荐者减贬损者',
    'def.csat': '对最近一次互动感到满意的客户占比',
    'def.ces': '客户觉得问题处理起来有多容易',
    'def.churn': '期初客户中在本期内离开的占比',
    'def.retention': '本期留住的客户（不计新客户）',
    'def.cohort-retention': '每月新客户同期群在若干个月后仍活跃的占比',
    'def.survival': '在给定存续时长后仍是客户的占比',
    'def.revenue-retention.nrr': '上期客户的经常性收入保留（含扩展）',
    'def.revenue-retention.grr': '上期客户的经常性收入保留（不含扩展）',
    'def.repeat-purchase-rate': '窗口内购买不止一次的购买客户占比',
    'def.clv.simple': '客户订阅在预期生命周期内的毛利',
    'def.clv.bgnbd': '每位客户在预测期内未来订单的预期毛利',
    'def.tickets.first_response': '首次客服回复的典型时长',
    'def.tickets.resolution': '解决工单的典型时长',
    'def.tickets.sla': '已解决工单中达到响应和解决目标的占比',
    'def.tickets.reopen_rate': '已解决工单中被重新打开的占比',
    'def.tickets.volume': '本期新建工单数',
    'def.tickets.csat': '工单评价中满意的占比',
    'def.reviews.mean': '公开评价的平均评分',
    'def.reviews.top2': '公开评价中最高两档评分的占比',
    'def.sentiment': '正面评论减负面评论',
    'def.health-score': '基于使用、工单、NPS 和付款的客户平均健康度',
    'formula.nps': '推荐者 %（9–10）− 贬损者 %（0–6）',
    'formula.csat': '满意回答 ÷ 有效回答',
    'formula.ces': '有效回答的均值',
    'formula.churn': '流失客户数 ÷ 期初客户数',
    'formula.retention': '（期末客户数 − 新客户数）÷ 期初客户数',
    'formula.cohort-retention': 'Σ k 个月后仍活跃 ÷ Σ 同期群规模',
    'formula.survival': 'Kaplan–Meier：Π（1 − 离开数 ÷ 风险数）',
    'formula.revenue-retention.nrr': '（期初 + 扩展 − 收缩 − 流失 MRR）÷ 期初 MRR',
    'formula.revenue-retention.grr': '（期初 − 收缩 − 流失 MRR）÷ 期初 MRR',
    'formula.repeat-purchase-rate': '购买 2 次及以上的客户 ÷ 有购买的客户',
    'formula.clv.simple': '每账户收入 × 毛利率 ÷ 流失率',
    'formula.clv.bgnbd': '预期订单数 × 每单预期毛利，折现',
    'formula.tickets.first_response': '（首次回复 − 创建）的中位数',
    'formula.tickets.resolution': '（解决 − 创建）的中位数',
    'formula.tickets.sla': '两项目标均达到的工单 ÷ 已解决工单',
    'formula.tickets.reopen_rate': '重新打开 ÷ 已解决工单',
    'formula.tickets.volume': '新建工单数',
    'formula.tickets.csat': '最高两档回答 ÷ 回答',
    'formula.reviews.mean': '星级评分的均值',
    'formula.reviews.top2': '最高两档评分 ÷ 评分',
    'formula.sentiment': '正面评论 % − 负面评论 %',
    'formula.health-score': '各账户加权标准化分项（0–100）的均值',
  },
} satisfies Record<Locale, Record<string, string>>;

type Key = keyof (typeof MESSAGES)['en'];

/** The kind of a metric for the lookup table: its type, with the variant that changes its definition. */
export function kindOf(r: MetricResult, def: Record<string, unknown>): string {
  const extra = r.extra as { measure?: string; clvMethod?: string };
  if (r.type === 'revenue-retention') return `revenue-retention.${String(def.measure ?? extra.measure ?? 'nrr')}`;
  if (r.type === 'clv') return `clv.${String(def.method ?? extra.clvMethod ?? 'simple')}`;
  if (r.type === 'tickets') return `tickets.${String(def.measure ?? 'first_response')}`;
  if (r.type === 'reviews') return `reviews.${String(def.measure ?? 'mean')}`;
  return r.type;
}

/** A change test's short name for the table: the module's name up to its first qualification. */
export function shortTest(test: string | null | undefined, locale: Locale): string {
  const tl = localTranslator(MESSAGES, locale);
  if (!test) return '—';
  // the module's test in either language (a zh-CN build carries the Chinese wording)
  if (/^not tested|不作检验|没有适用的独立样本检验/i.test(test)) return tl('notTested');
  const zh = locale === 'zh-CN';
  const known: [RegExp, string, string][] = [
    [/^z-test for the difference of two NPS/i, 'z-test (two NPS)', 'z 检验（两个 NPS）'],
    [/^z-test for the difference of two net sentiment|^两个净情感值之差的 z 检验/i, 'z-test (two net scores)', 'z 检验（两个净值）'],
    [/^two-proportion z-test|^双比例 z 检验/i, 'two-proportion z-test', '双比例 z 检验'],
    [/^pooled two-proportion z-test, cohorts|^合并比例的双比例 z 检验，两个窗口/i, 'pooled z-test, shared cohorts once', '合并 z 检验（共享同期群只计一次）'],
    [/^Welch/i, 'Welch’s t-test', 'Welch t 检验'],
    [/^paired t-test|^配对 t 检验/i, 'paired t-test', '配对 t 检验'],
    [/^bootstrap|自助法检验/i, 'bootstrap over customers', '对客户自助法重抽样'],
    [/^Mood/i, 'Mood’s median test', 'Mood 中位数检验'],
    [/^exact conditional binomial/i, 'exact Poisson test', '精确泊松检验'],
    [/^log-rank/i, 'log-rank test', 'log-rank 检验'],
  ];
  const hit = known.find(([re]) => re.test(test));
  if (hit) return zh ? hit[2] : hit[1];
  return test.split(/\s*[(:：（]/)[0].trim();
}

/** Sentences of a paragraph (en ". " or zh "。"), keeping their end marks. */
function sentences(text: string): string[] {
  return text.match(/[^。]+?(?:[.。](?=\s+[A-Z(“"]|$)|。|$)/g)?.map((s) => s.trim()).filter(Boolean) ?? [text];
}

/** Exclusion boilerplate: how a module's invalid rows are excluded and counted (said once in the notes). */
function isExclusionBoilerplate(s: string): boolean {
  if (/^(Rows|Revenue rows|Orders|Empty comments and rows|Ratings that are missing)\b/.test(s) && /\bexcluded\b/.test(s)) return true;
  // zh-CN: the same sentences; an account-level rule (health score) is the metric's own and stays
  return /排除/.test(s) && /(从不修正|从不强制|并计数|并按原因计数)/.test(s) && !/账户/.test(s);
}

/** The generic breakdown sentence (the notes say how breakdowns are tested). */
function isBreakdownBoilerplate(s: string): boolean {
  return /^Breakdowns group customers by their value of the column, with Benjamini–Hochberg adjusted p-values\.$/.test(s) || /^细分分析按客户在该列上的取值分组，p 值经 Benjamini–Hochberg 法校正。$/.test(s);
}

/** Words only the code or its docs know, said plainly. */
export function plainWords(text: string, locale: Locale): string {
  const tl = localTranslator(MESSAGES, locale);
  return text
    .replace(/`/g, '')
    .replace(/,? ?seeded Mulberry32 generator, seed \d+/g, `, ${tl('seeded')}`)
    .replace(/，?(?:使用)?带种子的 ?Mulberry32 ?生成器，随机种子 ?\d+/g, `，${tl('seeded')}`)
    .replace(/ (is reported beside it )?as retainedOfStart/g, (_, beside: string | undefined) => (beside ? ' is reported beside it' : ''))
    .replace(/\s*作为 ?retainedOfStart ?/g, '')
    .replace(/\(\s*,\s*/g, '(')
    .replace(/（\s*，\s*/g, '（');
}

/**
 * A module's method paragraph for the appendix: exclusion and breakdown boilerplate out, internal
 * words out, and a closing "Source: …" that is really a formula or a citation renamed (or dropped
 * when it only pointed at our own docs).
 */
export function cleanMethod(text: string, locale: Locale): string {
  const tl = localTranslator(MESSAGES, locale);
  const kept: string[] = [];
  for (const raw of sentences(plainWords(text, locale))) {
    if (isExclusionBoilerplate(raw) || isBreakdownBoilerplate(raw)) continue;
    const source = /^(?:Source|Formula|Definition|来源|公式|定义)[:：]\s*(.*?)[.。]?$/.exec(raw);
    if (!source) {
      kept.push(raw);
      continue;
    }
    const body = source[1]
      .replace(/\s*[(（]\s*reference\/metrics\.md\s*[;；]\s*/g, ' (')
      .replace(/\s*[(（]\s*reference\/metrics\.md\s*[)）]/g, '')
      .replace(/\s*[(（]?\s*cxreport (?:metrics reference|指标参考)\s*[,，(（]?\s*(?:["“][^"”]*["”])?\s*[)）]?/g, '')
      .trim();
    const zh = locale === 'zh-CN';
    const end = zh ? '。' : '.';
    if (body.includes('=')) kept.push(tl('formula', { text: body }) + end);
    else if (/\b(1[89]|20)\d\d\b/.test(body)) kept.push(tl('reference', { text: body.replace(/^.*?[(（]([^()（）]*\b(?:1[89]|20)\d\d\b[^()（）]*)[)）]$/, '$1') }) + end);
  }
  return kept.join(locale === 'zh-CN' ? '' : ' ');
}

/** A model's fitted parameters (CLV by BG/NBD + Gamma-Gamma), which the body leaves to the appendix; '' for other metrics. */
export function modelFit(r: MetricResult, locale: Locale, period: string): string {
  const bg = r.extra.bgnbd as { r: number; alpha: number; a: number; b: number; logLikelihood: number } | undefined;
  const gg = r.extra.gammaGamma as { p: number; q: number; gamma: number } | undefined;
  if (!bg || !gg) return '';
  const f = (v: number) => (Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toPrecision(4)).replace('-', '−');
  return localTranslator(MESSAGES, locale)('fit', { period, r: f(bg.r), alpha: f(bg.alpha), a: f(bg.a), b: f(bg.b), ll: bg.logLikelihood.toFixed(1).replace('-', '−'), p: f(gg.p), q: f(gg.q), gamma: f(gg.gamma) });
}

/** The latest timestamp the report used from each source (ms), from the metrics built on it. */
export function sourceDataThrough(ctx: SectionContext): Map<string, number> {
  const through = new Map<string, number>();
  for (const [id, prepared] of ctx.computed.prepared) {
    const source = (ctx.config.metrics[id] as { source?: string } | undefined)?.source;
    const ts = prepared.lastTimestamp(ctx.computed.period);
    if (!source || ts === undefined || !Number.isFinite(ts)) continue;
    through.set(source, Math.max(through.get(source) ?? -Infinity, ts));
  }
  return through;
}

/** "31 Oct 2026" (zh-CN "2026年10月31日") of a source, or "—" when no metric read a date from it. */
export function throughLabel(ctx: SectionContext, through: Map<string, number>, source: string): string {
  const ts = through.get(source);
  if (ts === undefined) return '—';
  return ctx.locale === 'en' ? new Date(ts).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }) : dayLabelIn(ctx.locale, ts);
}

export interface GlanceRow {
  metric: string;
  definition: string;
  formula: string;
  n: string;
  test: string;
  source: string;
}

/** One row per metric for the lookup table. */
export function glanceRows(ctx: SectionContext, names: Map<string, string>, through: Map<string, number>): GlanceRow[] {
  const tl = localTranslator(MESSAGES, ctx.locale);
  const maybe = (key: string) => (key in MESSAGES.en ? tl(key as Key) : '');
  return [...ctx.computed.results.values()].map((r) => {
    const def = (ctx.config.metrics[r.id] ?? {}) as Record<string, unknown>;
    const kind = kindOf(r, def);
    const description = typeof def.description === 'string' && ctx.locale === 'en' ? def.description.replace(/\.$/, '') : '';
    const source = typeof def.source === 'string' ? def.source : '';
    return {
      metric: names.get(r.id) ?? r.label,
      definition: description || maybe(`def.${kind}`) || '—',
      formula: maybe(`formula.${kind}`) || '—',
      n: ctx.fmt.count(r.n),
      test: shortTest(r.test, ctx.locale),
      source: source ? tl('sourceCell', { source, date: throughLabel(ctx, through, source) }) : '—',
    };
  });
}

/**
 * Each metric's heading in the appendix: its label, then its title when that says more ("SLA
 * attainment", not "SLA attainment — SLA attainment"); two metrics that would read the same are
 * told apart by their source ("Net sentiment (reviews)", "Net sentiment (responses)"). Without
 * `titleOf`, the labels alone (the lookup table's short names), told apart the same way.
 */
export function metricHeadings(ctx: SectionContext, titleOf: ((r: MetricResult) => string) | null): Map<string, string> {
  const tl = localTranslator(MESSAGES, ctx.locale);
  const results = [...ctx.computed.results.values()];
  const base = new Map(results.map((r) => {
    const title = titleOf ? titleOf(r) : r.label;
    const same = title.trim().toLowerCase() === r.label.trim().toLowerCase();
    return [r.id, same ? r.label : `${r.label} — ${title}`];
  }));
  const count = new Map<string, number>();
  for (const h of base.values()) count.set(h, (count.get(h) ?? 0) + 1);
  return new Map(results.map((r) => {
    const h = base.get(r.id)!;
    const source = (ctx.config.metrics[r.id] as { source?: string } | undefined)?.source;
    return [r.id, (count.get(h) ?? 0) > 1 && source ? tl('duplicateHeading', { label: r.label, source }) : h];
  }));
}

