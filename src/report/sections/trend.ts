/** Trend: the metric over the last N periods with its 95% band, target line and annotations. */
import { z } from 'zod';
import { lastPeriods } from '../../metrics/period.js';
import { trendSpec } from '../charts.js';
import { longLabel, result, seriesPoints, shortLabel, type SectionContext } from '../context.js';
import { formatCount, formatInterval, formatValue } from '../format.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';

export const trendSchema = z
  .strictObject({
    type: z.literal('trend'),
    ...sectionFields,
    metric: z.string().describe('Metric to plot.'),
    periods: z.number().int().min(2).max(60).default(12).describe('Number of periods up to the current one.'),
    target: z.number().optional().describe('Target line; defaults to the metric’s `target`.'),
    annotations: z
      .array(z.strictObject({ period: z.string().describe('Period key the note is drawn at.'), label: z.string().describe('Short note, e.g. "New onboarding".') }))
      .optional()
      .describe('Events marked on the time axis.'),
  })
  .describe('A metric over time with its 95% interval band.');

export type TrendSection = z.infer<typeof trendSchema>;

/** "NPS rose for the 3rd consecutive month", "NPS fell in October 2026", … */
export function trendHeadline(label: string, values: (number | null)[], lastLabel: string, unitName: string): string {
  const v = values.filter((x): x is number => x !== null);
  if (v.length < 2) return `${label} over time`;
  const sign = (i: number) => Math.sign(v[i] - v[i - 1]);
  const last = sign(v.length - 1);
  if (last === 0) return `${label} unchanged in ${lastLabel}`;
  let streak = 1;
  for (let i = v.length - 2; i >= 1 && sign(i) === last; i--) streak++;
  const verb = last > 0 ? 'rose' : 'fell';
  if (streak >= 2) return `${label} ${verb} for the ${streak === 2 ? 'second' : streak === 3 ? 'third' : `${streak}th`} ${unitName} in a row`;
  return `${label} ${verb} in ${lastLabel}`;
}

export function buildTrend(section: TrendSection, ctx: SectionContext): SectionModel {
  const r = result(ctx, section.metric);
  const keys = new Set(lastPeriods(ctx.computed.period, section.periods, ctx.granularity));
  const series = r.series.filter((p) => keys.has(p.period));
  const points = seriesPoints(ctx, series);
  const target = section.target ?? r.target;
  const annotations = (section.annotations ?? []).map((a) => ({ label: shortLabel(ctx, a.period), text: a.label }));
  const withData = series.filter((p) => p.value !== null);
  const ns = withData.map((p) => p.n);
  const headline = trendHeadline(r.label, series.map((p) => p.value), longLabel(ctx, ctx.computed.period), ctx.granularity);
  const first = withData[0];
  const last = withData[withData.length - 1];
  const alt = first && last
    ? `Line chart of ${r.label} for ${withData.length} ${ctx.granularity}s from ${longLabel(ctx, first.period)} (${formatValue(first.value, r.unit)}) to ${longLabel(ctx, last.period)} (${formatValue(last.value, r.unit)}), ranging ${formatValue(Math.min(...withData.map((p) => p.value!)), r.unit)} to ${formatValue(Math.max(...withData.map((p) => p.value!)), r.unit)}, with 95% interval band${target != null ? ` and target ${formatValue(target, r.unit)}` : ''}.`
    : `No ${r.label} data in the selected periods.`;
  return {
    type: 'trend',
    id: section.id ?? ctx.nextId(`trend-${section.metric}`),
    title: section.title ?? `${r.label} trend`,
    level: 2,
    chart: {
      id: ctx.nextId(`chart-trend-${section.metric}`),
      title: headline,
      caption: `${r.title} per ${ctx.granularity} with 95% interval band. n per ${ctx.granularity}: ${ns.length ? `${formatCount(Math.min(...ns))}–${formatCount(Math.max(...ns))}` : '0'}. Source: ${ctx.config.metrics[section.metric].source}.`,
      alt,
      spec: trendSpec(points, { metric: r.label, unit: r.unit, target, annotations, domain: r.domain ?? undefined }),
      size: 'wide',
    },
    table: {
      columns: [{ label: 'Period' }, { label: r.label, align: 'right' }, { label: '95% CI', align: 'right' }, { label: 'n', align: 'right' }],
      rows: series.map((p) => ({ cells: [longLabel(ctx, p.period), formatValue(p.value, r.unit), formatInterval(p.ci, r.unit), formatCount(p.n)], muted: p.lowSample })),
    },
  };
}
