/** Distribution: histogram of the current period's answers, coloured by band (detractor/passive/promoter for NPS). */
import { z } from 'zod';
import { distributionSpec } from '../charts.js';
import { longLabel, result, type SectionContext } from '../context.js';
import { formatCount, formatShare } from '../format.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { scoreMetric } from './score-only.js';

export const distributionSchema = z
  .strictObject({ type: z.literal('distribution'), ...sectionFields, metric: z.string().describe('Metric whose answers are counted.') })
  .describe('Histogram of the current period’s answers on the metric’s scale, coloured by band.');

export type DistributionSection = z.infer<typeof distributionSchema>;

export function buildDistribution(section: DistributionSection, ctx: SectionContext): SectionModel {
  const r = result(ctx, section.metric);
  const pm = scoreMetric(ctx, section.metric, ['metric']);
  const bands = pm.type.bands(pm.def);
  const period = longLabel(ctx, ctx.computed.period);
  const shares = bands.map((b) => ({ band: b, share: r.distribution.filter((d) => d.band === b.name).reduce((a, d) => a + d.share, 0) }));
  const largest = [...shares].sort((a, b) => b.share - a.share)[0];
  const bad = shares.find((s) => s.band.tone === 'bad');
  const headline = bad ? `${formatShare(bad.share)} of ${period} respondents are ${bad.band.name}` : `${formatShare(largest.share)} of ${period} answers are ${largest.band.name}`;
  const summary = shares.map((s) => `${s.band.label}: ${formatShare(s.share)}`).join(' · ');
  return {
    type: 'distribution',
    id: section.id ?? ctx.nextId(`distribution-${section.metric}`),
    title: section.title ?? `${r.label} answers in ${period}`,
    level: 2,
    chart: {
      id: ctx.nextId(`chart-distribution-${section.metric}`),
      title: headline,
      caption: `Count of valid ${r.label} answers by score, ${period} (n = ${formatCount(r.n)}; ${r.excluded} excluded). Labels give the share of all valid answers.`,
      alt: `Histogram of ${r.label} answers in ${period}: ${r.distribution.map((d) => `${d.score}: ${d.count}`).join(', ')}. ${summary}.`,
      spec: distributionSpec(r.distribution, bands),
      size: 'wide',
    },
    summary,
  };
}
