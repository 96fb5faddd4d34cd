/** A metric's own default visual (cohort heatmap, survival curve, top accounts, …), with its headline numbers. */
import { z } from 'zod';
import { metricModule } from '../../metrics/registry.js';
import { longLabel, result, type SectionContext } from '../context.js';
import { formatCount, formatInterval, formatValue } from '../format.js';
import type { SectionModel } from '../model.js';
import { changeSentence, sectionFields } from './common.js';

export const metricSectionSchema = z
  .strictObject({ type: z.literal('metric'), ...sectionFields, metric: z.string().describe('Metric whose default visual is shown.') })
  .describe('The default visual of a metric type (e.g. cohort triangle, survival curve, top accounts), with its headline value.');

export type MetricSection = z.infer<typeof metricSectionSchema>;

export function buildMetricSection(section: MetricSection, ctx: SectionContext): SectionModel {
  const r = result(ctx, section.metric);
  const module = metricModule(ctx.config.metrics[section.metric].type);
  const prepared = ctx.computed.prepared.get(section.metric)!;
  const blocks = module.visual?.(r, prepared, { period: ctx.computed.period, periodLabel: (k) => longLabel(ctx, k), nextId: ctx.nextId }) ?? [];
  const headline =
    r.value === null
      ? `${r.label}: no data in ${longLabel(ctx, ctx.computed.period)}.`
      : `${r.label} ${formatValue(r.value, r.unit)}${r.ci ? ` (95% CI ${formatInterval(r.ci, r.unit)})` : ''}, n = ${formatCount(r.n)}.`;
  return {
    type: 'metric',
    id: section.id ?? ctx.nextId(`metric-${section.metric}`),
    title: section.title ?? `${r.title}`,
    level: 2,
    headline,
    sentence: r.previous ? changeSentence(r, longLabel(ctx, ctx.computed.previousPeriod)) : '',
    blocks,
    method: r.method,
  };
}
