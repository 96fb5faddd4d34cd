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
import { MESSAGES } from './highlight-text.messages.js';

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
