/** Trend: the metric over the last N periods with its 95% band, target line and annotations. */
import { z } from 'zod';
import { lastPeriods } from '../../kernel/period.js';
import { ANOMALY_WINDOW } from '../../metrics/highlights.js';
import { trendSpec } from '../charts.js';
import type { Granularity } from '../../kernel/period.js';
import { longLabel, result, seriesPoints, shortLabel, titleOf, type SectionContext } from '../context.js';
import { translator, type Translator } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import { periodKeySchema, sectionFields } from './common.js';

export const trendSchema = z
  .strictObject({
    type: z.literal('trend'),
    ...sectionFields,
    metric: z.string().describe('Metric to plot.'),
    periods: z.number().int().min(2).max(60).default(12).describe('Number of periods up to the current one.'),
    target: z.number().optional().describe('Target line; defaults to the metric’s `target`.'),
    annotations: z
      .array(z.strictObject({ period: periodKeySchema.describe('Period key the note is drawn at.').meta({ examples: ['2026-05'] }), label: z.string().describe('Short note, e.g. "New onboarding".') }))
      .optional()
      .describe('Events marked on the time axis.'),
  })
  .describe('A metric over time with its 95% interval band.');

export type TrendSection = z.infer<typeof trendSchema>;

/**
 * The last change of a trend and its test: a direction ("rose", "fell") is stated only when the
 * test calls the change significant; otherwise the size and "within noise" (or "not tested").
 */
export interface TrendChange {
  /** the change from the previous period, as in the report's unit ("2.3 pts") */
  size: string;
  /** the previous period's name ("September", or "December 2025" across a year) */
  previous: string;
  /** significant at 95%; false when not; null when the change is not tested */
  significant: boolean | null;
}

/** "NPS rose for the third month in a row", "NPS fell in October 2026", "NPS was 2.3 pts lower than in September — within noise", … */
export function trendHeadline(label: string, values: (number | null)[], lastLabel: string, unitName: Granularity, t: Translator = translator('en'), change?: TrendChange): string {
  const v = values.filter((x): x is number => x !== null);
  if (v.length < 2) return t('trend.overTime', { label });
  const sign = (i: number) => Math.sign(v[i] - v[i - 1]);
  const last = sign(v.length - 1);
  if (last === 0) return t('trend.unchanged', { label, period: lastLabel });
  if (change && change.significant !== true) {
    const key = change.significant === null ? (last > 0 ? 'trend.higherUntested' : 'trend.lowerUntested') : last > 0 ? 'trend.higherNoise' : 'trend.lowerNoise';
    return t(key, { label, size: change.size, previous: change.previous });
  }
  let streak = 1;
  for (let i = v.length - 2; i >= 1 && sign(i) === last; i--) streak++;
  if (streak >= 2) {
    const nth = streak === 2 ? t('ordinal.2') : streak === 3 ? t('ordinal.3') : t('ordinal.n', { n: streak });
    return t(last > 0 ? 'trend.roseStreak' : 'trend.fellStreak', { label, nth, unit: t(`streak.${unitName}`) });
  }
  return t(last > 0 ? 'trend.rose' : 'trend.fell', { label, period: lastLabel });
}

export function buildTrend(section: TrendSection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  const r = result(ctx, section.metric);
  const keys = new Set(lastPeriods(ctx.computed.period, section.periods, ctx.granularity));
  const series = r.series.filter((p) => keys.has(p.period));
  const flagged = new Set((ctx.computed.highlights?.anomalies ?? []).filter((a) => a.metric === section.metric).map((a) => a.period));
  const points = seriesPoints(ctx, series, r.unit).map((p, i) => (flagged.has(series[i].period) ? { ...p, anomaly: true } : p));
  const target = section.target ?? r.target;
  const annotations = (section.annotations ?? []).map((a) => ({ label: shortLabel(ctx, a.period), text: a.label }));
  const withData = series.filter((p) => p.value !== null);
  const ns = withData.map((p) => p.n);
  // the headline states a direction only when the change's own test supports it
  const lastPoint = series[series.length - 1];
  const change: TrendChange | undefined = lastPoint?.period === ctx.computed.period && lastPoint.value !== null && r.delta !== null && r.previous
    ? { size: fmt.delta(Math.abs(r.delta), r.unit).replace(/^\+/, ''), previous: sameYearName(longLabel(ctx, r.previous.period), r.previous.period, ctx.computed.period), significant: r.p === null ? null : r.significant }
    : undefined;
  const headline = trendHeadline(r.label, series.map((p) => p.value), longLabel(ctx, ctx.computed.period), ctx.granularity, t, change);
  const first = withData[0];
  const last = withData[withData.length - 1];
  const alt = first && last
    ? t('trend.alt', {
        label: r.label,
        count: t(`count.${ctx.granularity}`, { count: withData.length }),
        first: longLabel(ctx, first.period),
        firstValue: fmt.value(first.value, r.unit),
        last: longLabel(ctx, last.period),
        lastValue: fmt.value(last.value, r.unit),
        min: fmt.value(Math.min(...withData.map((p) => p.value!)), r.unit),
        max: fmt.value(Math.max(...withData.map((p) => p.value!)), r.unit),
        target: target != null ? t('trend.altTarget', { value: fmt.value(target, r.unit) }) : '',
      })
    : t('trend.altEmpty', { label: r.label });
  const unit = t(`unit.${ctx.granularity}`);
  const table = {
    columns: [{ label: t('common.period') }, { label: r.label, align: 'right' as const }, { label: t('common.ci'), align: 'right' as const }, { label: t('common.nHeader'), align: 'right' as const }],
    rows: series.map((p) => ({ cells: [longLabel(ctx, p.period), fmt.value(p.value, r.unit), fmt.interval(p.ci, r.unit), fmt.count(p.n)], muted: p.lowSample })),
  };
  if (ctx.granularity === 'all') {
    // one period over all data: a sentence with the value instead of a one-point chart
    const ci = r.ci ? t('change.ci', { ci: fmt.interval(r.ci, r.unit) }) : '';
    const note = r.value === null ? t('change.noData', { label: r.label }) : t('trend.allData', { label: r.label, value: fmt.value(r.value, r.unit), ci, n: fmt.count(r.n) });
    return { type: 'trend', id: section.id ?? ctx.nextId(`trend-${section.metric}`), title: section.title ?? t('trend.title', { label: r.label }), level: 2, note, table };
  }
  return {
    type: 'trend',
    id: section.id ?? ctx.nextId(`trend-${section.metric}`),
    title: section.title ?? t('trend.title', { label: r.label }),
    level: 2,
    chart: {
      id: ctx.nextId(`chart-trend-${section.metric}`),
      title: headline,
      caption: t('trend.caption', { title: titleOf(ctx, r), unit, n: nPerPeriod(ns, unit, t, fmt.count), source: ctx.sourceLabel?.(String(ctx.config.metrics[section.metric].source)) ?? String(ctx.config.metrics[section.metric].source) }) + (series.some((p) => flagged.has(p.period)) ? t('trend.anomalies', { window: ANOMALY_WINDOW, units: t(`units.${ctx.granularity}`) }) : ''),
      alt,
      spec: trendSpec(points, { metric: r.label, unit: r.unit, target, annotations, domain: r.domain ?? undefined, t }),
      size: 'wide',
    },
    table,
  };
}

/** "n per month: 180–240", or "n = 220 per month" when every period has the same n. */
export function nPerPeriod(ns: number[], unit: string, t: Translator, count: (n: number) => string): string {
  if (ns.length === 0) return t('trend.nSame', { n: count(0), unit });
  const [min, max] = [Math.min(...ns), Math.max(...ns)];
  return min === max ? t('trend.nSame', { n: count(min), unit }) : t('trend.nRange', { min: count(min), max: count(max), unit });
}

/** A period's name without its year when it is in the same year as `current` ("September" for 2026-09 in an October 2026 report). */
function sameYearName(label: string, key: string, current: string): string {
  const year = key.slice(0, 4);
  if (year !== current.slice(0, 4) || key === year) return label;
  const short = label.replace(`${year}年`, '').replace(` ${year}`, '').replace(`${year} `, '').trim();
  return short || label;
}
