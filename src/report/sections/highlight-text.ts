/**
 * Sentences from the highlights scan (metrics/highlights.ts), shared by the "What stands out"
 * section and the executive summary: a change with its numbers, interval and adjusted p; an
 * anomaly with the interval it fell outside. Each carries the metric and dimension it is about,
 * so that the report can link it to the section showing them (links.ts).
 */
import type { AnomalyFlag, ScanItem } from '../../metrics/highlights.js';
import { ANOMALY_WINDOW } from '../../metrics/highlights.js';
import type { MetricResult } from '../../metrics/results.js';
import { longLabel, result, type SectionContext } from '../context.js';
import { localTranslator } from '../i18n.js';
import { toneOf } from './common.js';

const MESSAGES = {
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
  const { fmt } = ctx;
  const r = result(ctx, item.metric);
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
