/**
 * Sentences from the highlights scan (metrics/highlights.ts), shared by the "What stands out"
 * section and the executive summary: a change with its numbers, interval and adjusted p; an
 * anomaly with the interval it fell outside. Each carries the metric and dimension it is about,
 * so that the report can link it to the section showing them (links.ts).
 */
import { precise } from '../../kernel/precision.js';
import type { AnomalyFlag, ScanItem } from '../../metrics/highlights.js';
import { ANOMALY_MIN_PERIODS, ANOMALY_WINDOW } from '../../metrics/highlights.js';
import { DETECTION_RULE } from '../../metrics/dimensions.js';
import type { MetricResult } from '../../metrics/results.js';
import { longLabel, result, type SectionContext } from '../context.js';
import { localTranslator } from '../../kernel/i18n.js';
import { toneOf } from './common.js';

export const MESSAGES = {
  en: {
    rose: '{label} rose {size} to {value} ({ci}n = {n}) from {previous} in {previousPeriod}; adjusted {p}.',
    fell: '{label} fell {size} to {value} ({ci}n = {n}) from {previous} in {previousPeriod}; adjusted {p}.',
    groupRose: '{label} for {group} ({dimension}) rose {size} to {value} ({ci}n = {n}) from {previous}; adjusted {p}.',
    groupFell: '{label} for {group} ({dimension}) fell {size} to {value} ({ci}n = {n}) from {previous}; adjusted {p}.',
    ci: '95% CI {ci}, ',
    shortRose: '{label} rose {size} to {value} since {previousPeriod} (adjusted {p}).',
    shortFell: '{label} fell {size} to {value} since {previousPeriod} (adjusted {p}).',
    shortGroupRose: '{label} for {group} ({dimension}) rose {size} to {value} (adjusted {p}).',
    shortGroupFell: '{label} for {group} ({dimension}) fell {size} to {value} (adjusted {p}).',
    anomaly: '{label} in {period} was {value}, {direction} the {lo} to {hi} expected from the {window} {units} before it.',
    above: 'above',
    below: 'below',
    scanNote: '{tests} tests: each metric’s change since {previous}, overall and for every group of {dimensions}; Benjamini–Hochberg adjusted across all of them, {significant} significant at 5%. Ranked by effect size (the change in per-answer standard deviations) × the group’s share of the metric’s answers.',
    scanNoteNone: 'No dimensions: only each metric’s overall change was tested ({tests} tests, Benjamini–Hochberg adjusted; {significant} significant at 5%).',
    rule: 'dimensions {rule}',
    declared: 'declared in report.dimensions',
    detected: 'detected',
    anomalyNote: 'Unusual values: outside the 95% prediction interval of the up to {window} {units} before (mean ± t·s·√(1 + 1/n)).',
    methodsScan: 'What stands out (highlights scan): each metric’s change since the previous {unit} is tested overall and in every group of every dimension ({rule}) with the metric’s own change test (the one its breakdowns use); the p-values of all these tests are adjusted together by Benjamini–Hochberg (false discovery rate 5%), and the significant ones are ranked by effect size × volume: |Δ| divided by the per-answer standard deviation implied by the 95% interval (σ̂ = √n · interval width / 3.92), times the group’s share of the metric’s answers.',
    methodsAnomaly: 'Anomaly flags: a {unit}’s value is flagged when it lies outside the 95% prediction interval of the values of the up to {window} {units} before it (at least {min}; low-sample {units} are neither flagged nor used): x̄ ± t(0.975, n − 1) · s · √(1 + 1/n).',
    methodsDid: 'Case studies, difference-in-differences: (segment after − segment before) − (rest after − rest before), each window pooled; its standard error is √ of the sum of the four windows’ squared standard errors (independent samples), with a z-test and a 95% interval. Parallel trends: the OLS slope of the segment − rest gap over the {units} of the before window, t-test on n − 2 degrees of freedom; p < 0.05 is reported as a failed check.',
  },
  'zh-CN': {
    rose: '{label}较{previousPeriod}的 {previous} 上升 {size}，达到 {value}（{ci}n = {n}）；校正后 {p}。',
    fell: '{label}较{previousPeriod}的 {previous} 下降 {size}，降至 {value}（{ci}n = {n}）；校正后 {p}。',
    groupRose: '{dimension}为{group}的{label}较上期的 {previous} 上升 {size}，达到 {value}（{ci}n = {n}）；校正后 {p}。',
    groupFell: '{dimension}为{group}的{label}较上期的 {previous} 下降 {size}，降至 {value}（{ci}n = {n}）；校正后 {p}。',
    ci: '95% 置信区间 {ci}，',
    shortRose: '{label}较{previousPeriod}上升 {size}，达到 {value}（校正后 {p}）。',
    shortFell: '{label}较{previousPeriod}下降 {size}，降至 {value}（校正后 {p}）。',
    shortGroupRose: '{dimension}为{group}的{label}上升 {size}，达到 {value}（校正后 {p}）。',
    shortGroupFell: '{dimension}为{group}的{label}下降 {size}，降至 {value}（校正后 {p}）。',
    anomaly: '{period}的{label}为 {value}，{direction}此前 {window} 个{units}所预期的 {lo} 至 {hi}。',
    above: '高于',
    below: '低于',
    scanNote: '共 {tests} 项检验：每个指标较{previous}的变化，包括整体以及{dimensions}的每个分组；全部检验经 Benjamini–Hochberg 校正，其中 {significant} 项在 5% 水平显著。按效应量（以单个回答标准差计的变化）× 该组在指标回答中的占比排序。',
    scanNoteNone: '没有维度：仅检验每个指标的整体变化（{tests} 项检验，经 Benjamini–Hochberg 校正；{significant} 项在 5% 水平显著）。',
    rule: '维度{rule}',
    declared: '由 report.dimensions 声明',
    detected: '自动识别',
    anomalyNote: '异常值：超出此前最多 {window} 个{units}的 95% 预测区间（均值 ± t·s·√(1 + 1/n)）。',
    methodsScan: '值得关注（亮点扫描）：对每个指标较上一{unit}的变化，在整体以及每个维度（{rule}）的每个分组中，用该指标自身的变化检验（与其细分所用相同）进行检验；所有检验的 p 值一并经 Benjamini–Hochberg 校正（错误发现率 5%），显著的结果按效应量 × 占比排序：|Δ| 除以由 95% 置信区间推得的单个回答标准差（σ̂ = √n · 区间宽度 / 3.92），再乘以该组在指标回答中的占比。',
    methodsAnomaly: '异常标记：若某{unit}的数值超出此前最多 {window} 个{units}（至少 {min} 个；样本量不足的{units}既不标记也不参与计算）数值的 95% 预测区间，即被标记：x̄ ± t(0.975, n − 1) · s · √(1 + 1/n)。',
    methodsDid: '案例研究的双重差分：（细分组干预后 − 干预前）−（其余部分干预后 − 干预前），各窗口合并计算；其标准误为四个窗口标准误平方和的平方根（独立样本），并给出 z 检验和 95% 置信区间。平行趋势：干预前窗口各{units}中细分组与其余部分差距的 OLS 斜率，自由度 n − 2 的 t 检验；p < 0.05 即报告为检验未通过。',
  },
};

export type HighlightMessages = ReturnType<typeof highlightMessages>;

export function highlightMessages(ctx: SectionContext) {
  return localTranslator(MESSAGES, ctx.locale);
}

/** A sentence of the report with what it links to (resolved to a section anchor by links.ts). */
export interface LinkedSentence {
  text: string;
  tone: 'good' | 'bad' | 'neutral';
  metric: string;
  dimension: string | null;
  href?: string;
}

/** "SLA attainment rose 13.0 pts to 67.1% (95% CI …, n = 793) from 54.1% in September 2026; adjusted p < 0.001." */
export function scanSentence(ctx: SectionContext, item: ScanItem, style: 'full' | 'short' = 'full'): LinkedSentence {
  const t = highlightMessages(ctx);
  const r = result(ctx, item.metric);
  // a score to the decimals its interval supports (kernel/precision.ts), as on the cards
  const fmt = precise(ctx.fmt, { unit: r.unit, ci: item.ci ?? r.ci });
  const delta = item.delta ?? 0;
  const vars = {
    label: r.label,
    size: fmt.delta(Math.abs(delta), r.unit).replace(/^\+/, ''),
    value: fmt.value(item.value, r.unit),
    ci: item.ci ? t('ci', { ci: fmt.interval(item.ci, r.unit) }) : '',
    n: fmt.count(item.n),
    previous: fmt.value(item.previous?.value ?? null, r.unit),
    previousPeriod: item.previous ? longLabel(ctx, item.previous.period) : '',
    p: fmt.p(item.pAdjusted),
    group: item.group ?? '',
    dimension: item.dimension ? (ctx.columnLabel?.(item.metric, item.dimension) ?? item.dimension) : '',
  };
  const key = item.dimension === null ? (delta > 0 ? 'rose' : 'fell') : delta > 0 ? 'groupRose' : 'groupFell';
  const shortKey = item.dimension === null ? (delta > 0 ? 'shortRose' : 'shortFell') : delta > 0 ? 'shortGroupRose' : 'shortGroupFell';
  return { text: t(style === 'short' ? shortKey : key, vars), tone: toneOf(r, delta, item.significant), metric: item.metric, dimension: item.dimension };
}

/** "Support response time in August 2026 was 3 h 26 min, above the 32 min to 1 h expected from the 6 months before it." */
export function anomalySentence(ctx: SectionContext, a: AnomalyFlag): LinkedSentence {
  const t = highlightMessages(ctx);
  const r: MetricResult = result(ctx, a.metric);
  const good = a.direction === 'above' === r.higherIsBetter;
  return {
    text: t('anomaly', { label: r.label, period: longLabel(ctx, a.period), value: ctx.fmt.value(a.value, r.unit), direction: t(a.direction), lo: ctx.fmt.value(a.interval[0], r.unit), hi: ctx.fmt.value(a.interval[1], r.unit), window: a.window, units: ctx.t(`units.${ctx.granularity}`) }),
    tone: good ? 'good' : 'bad',
    metric: a.metric,
    dimension: null,
  };
}

/** The method line under the scan: tests, dimensions, adjustment and ranking. */
export function scanNote(ctx: SectionContext): string {
  const t = highlightMessages(ctx);
  const scan = ctx.computed.highlights;
  if (!scan) return '';
  const columns = [...new Set(Object.values(scan.dimensions).flat())];
  const labelled = columns.map((c) => {
    const metric = Object.keys(scan.dimensions).find((m) => scan.dimensions[m].includes(c))!;
    return ctx.columnLabel?.(metric, c) ?? c;
  });
  const significant = scan.items.filter((i) => i.significant).length;
  const previous = longLabel(ctx, ctx.computed.previousPeriod);
  const rule = t('rule', { rule: t(scan.rule === 'declared' ? 'declared' : 'detected') });
  if (columns.length === 0) return t('scanNoteNone', { tests: scan.items.length, significant });
  return t('scanNote', { tests: scan.items.length, previous, dimensions: `${labelled.join(ctx.locale === 'en' ? ', ' : '、')} (${rule})`, significant });
}

/** The anomaly method in one line. */
export function anomalyNote(ctx: SectionContext): string {
  return highlightMessages(ctx)('anomalyNote', { window: ANOMALY_WINDOW, units: ctx.t(`units.${ctx.granularity}`) });
}

/** The methods appendix's notes on the scan, the anomaly flags and the case studies' DiD, for the sections this report has. */
export function methodsNotes(ctx: SectionContext): string[] {
  const t = highlightMessages(ctx);
  const types = new Set(ctx.config.sections.map((s) => s.type));
  const unit = ctx.t(`unit.${ctx.granularity}`);
  const units = ctx.t(`units.${ctx.granularity}`);
  const scan = ctx.computed.highlights;
  const notes: string[] = [];
  if (ctx.granularity === 'all') return notes;
  if (scan && (types.has('highlights') || types.has('summary'))) {
    const rule = scan.rule === 'declared' ? t('declared') : ctx.locale === 'en' ? `${t('detected')}: ${DETECTION_RULE}` : t('detected');
    notes.push(t('methodsScan', { unit, rule }));
  }
  if (types.has('highlights') || types.has('summary') || types.has('trend')) notes.push(t('methodsAnomaly', { unit, units, window: ANOMALY_WINDOW, min: ANOMALY_MIN_PERIODS }));
  if (types.has('case-study')) notes.push(t('methodsDid', { units }));
  return notes;
}
