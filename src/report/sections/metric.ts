/** A metric's own default visual (cohort heatmap, survival curve, top accounts, …), with its headline numbers. */
import { z } from 'zod';
import { metricVisuals } from '../visuals/index.js';
import { longLabel, methodOf, result, shortLabel, titleOf, type SectionContext } from '../context.js';
import type { SectionModel } from '../model.js';
import { changeSentence, periodKeySchema, sectionFields } from './common.js';
import { precise } from '../../kernel/precision.js';

export const metricSectionSchema = z
  .strictObject({
    type: z.literal('metric'),
    ...sectionFields,
    metric: z.string().describe('Metric whose default visual is shown.'),
    annotations: z
      .array(z.strictObject({ period: periodKeySchema.describe('Period key the note is drawn at.').meta({ examples: ['2026-02'] }), label: z.string().describe('Short note, e.g. "Price increase".') }))
      .optional()
      .describe('Events marked on the time axis of the visual, where it has one (churn, retention, support tickets).'),
  })
  .describe('The default visual of a metric type (e.g. cohort triangle, survival curve, top accounts), with its headline value.');

export type MetricSection = z.infer<typeof metricSectionSchema>;

export function buildMetricSection(section: MetricSection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  const r = result(ctx, section.metric);
  const visual = metricVisuals[ctx.config.metrics[section.metric].type];
  const prepared = ctx.computed.prepared.get(section.metric)!;
  const blocks =
    visual?.(r, prepared, { period: ctx.computed.period, locale: t.locale, periodLabel: (k, style) => (style === 'short' ? shortLabel(ctx, k) : longLabel(ctx, k)), nextId: ctx.nextId, annotations: section.annotations, columnLabel: (column) => ctx.columnLabel?.(section.metric, column) ?? column, sourceLabel: (source) => ctx.sourceLabel?.(source) ?? source, valueLabel: (column, value) => ctx.valueLabel?.(section.metric, column, value) ?? value }) ?? [];
  const headline =
    r.value === null
      ? t('metric.noData', { label: r.label, period: longLabel(ctx, ctx.computed.period) })
      : t('metric.headline', { label: r.label, value: precise(fmt, r).value(r.value, r.unit), ci: r.ci ? t('case.ci', { ci: precise(fmt, r).interval(r.ci, r.unit) }) : '', n: fmt.count(r.n) });
  return {
    type: 'metric',
    id: section.id ?? ctx.nextId(`metric-${section.metric}`),
    title: section.title ?? titleOf(ctx, r),
    level: 2,
    headline,
    sentence: r.previous ? changeSentence(r, longLabel(ctx, ctx.computed.previousPeriod), t, fmt) : '',
    blocks,
    method: methodOf(ctx, r),
  };
}
