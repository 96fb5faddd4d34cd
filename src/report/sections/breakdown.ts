/** Breakdown: the metric per group of a column, sorted by value, with n, 95% CI, change and BH-adjusted significance. */
import { z } from 'zod';
import { breakdownSpec } from '../charts.js';
import { longLabel, result, type SectionContext } from '../context.js';
import { formatCount, formatDelta, formatInterval, formatNumber, formatP, formatValue } from '../format.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';

export const breakdownSchema = z
  .strictObject({
    type: z.literal('breakdown'),
    ...sectionFields,
    metric: z.string().describe('Metric to break down.'),
    by: z.string().describe('Column whose values form the groups.').meta({ examples: ['channel', 'region'] }),
    sort: z.enum(['value', 'n', 'name']).default('value').describe('Order of the table rows.'),
    chart_limit: z.number().int().min(1).max(40).default(15).describe('The chart shows at most this many groups (those with the most responses); the table shows all.'),
  })
  .describe('The metric per group of a column, for the current period.');

export type BreakdownSection = z.infer<typeof breakdownSchema>;

export function buildBreakdown(section: BreakdownSection, ctx: SectionContext): SectionModel {
  const r = result(ctx, section.metric);
  const rows = (r.breakdowns[section.by] ?? []).filter((g) => g.n > 0);
  const sorted = [...rows].sort((a, b) =>
    section.sort === 'n' ? b.n - a.n : section.sort === 'name' ? a.group.localeCompare(b.group) : (b.value ?? -Infinity) - (a.value ?? -Infinity),
  );
  const trusted = sorted.filter((g) => !g.lowSample && g.value !== null);
  const best = trusted[0];
  const worst = trusted[trusted.length - 1];
  const period = longLabel(ctx, ctx.computed.period);
  const higher = r.higherIsBetter;
  const headline =
    best && worst && best !== worst
      ? higher
        ? `${r.label} by ${section.by}: ${worst.group} lowest at ${formatValue(worst.value, r.unit)}, ${best.group} highest at ${formatValue(best.value, r.unit)}`
        : `${r.label} by ${section.by}: ${best.group} highest at ${formatValue(best.value, r.unit)}, ${worst.group} lowest at ${formatValue(worst.value, r.unit)}`
      : `${r.label} by ${section.by}`;
  const low = rows.filter((g) => g.lowSample);
  const charted = [...rows].filter((g) => g.value !== null).sort((a, b) => b.n - a.n || a.group.localeCompare(b.group)).slice(0, section.chart_limit);
  const limited = charted.length < rows.filter((g) => g.value !== null).length ? ` The chart shows the ${charted.length} groups with the most responses (of ${rows.length}); the table lists all.` : '';
  return {
    type: 'breakdown',
    id: section.id ?? ctx.nextId(`breakdown-${section.metric}-${section.by}`),
    title: section.title ?? `${r.label} by ${section.by}`,
    level: 2,
    chart: {
      id: ctx.nextId(`chart-breakdown-${section.metric}`),
      title: headline,
      caption: `${r.title} by ${section.by}, ${period}, with 95% intervals. Bars in grey have fewer than ${r.minSample} responses (n < ${r.minSample}).${limited} Source: ${ctx.config.metrics[section.metric].source}.`,
      alt: `Bar chart of ${r.label} by ${section.by} for ${period}: ${sorted.map((g) => `${g.group} ${formatValue(g.value, r.unit)} (n = ${g.n})`).join('; ')}.`,
      spec: breakdownSpec(
        charted.map((g) => ({ group: g.group, value: g.value!, lo: g.ci?.[0] ?? null, hi: g.ci?.[1] ?? null, n: g.n, lowSample: g.lowSample, label: formatNumber(g.value, r.unit) })),
        { metric: r.label, unit: r.unit, domain: r.domain ?? undefined, minSample: r.minSample },
      ),
      size: 'wide',
    },
    table: {
      columns: [
        { label: section.by },
        { label: r.label, align: 'right' },
        { label: '95% CI', align: 'right' },
        { label: 'n', align: 'right' },
        { label: `Change vs ${longLabel(ctx, ctx.computed.previousPeriod)}`, align: 'right' },
        { label: 'Significant?', align: 'center' },
      ],
      rows: sorted.map((g) => ({
        cells: [
          g.group,
          formatValue(g.value, r.unit),
          formatInterval(g.ci, r.unit),
          formatCount(g.n),
          formatDelta(g.delta, r.unit),
          g.pAdjusted === null ? '—' : g.significant ? `yes (${formatP(g.pAdjusted)})` : 'no',
        ],
        muted: g.lowSample,
        note: g.lowSample ? `n < ${r.minSample}` : undefined,
      })),
      footnote: `Significance of the change per group: ${r.test}, p-values adjusted across the ${rows.length} groups by Benjamini–Hochberg (false discovery rate 5%).${low.length ? ` Greyed rows have n < ${r.minSample}: read them with caution.` : ''}`,
    },
  };
}
