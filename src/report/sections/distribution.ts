/** Distribution: histogram of the current period's answers, coloured by band (detractor/passive/promoter for NPS). */
import { z } from 'zod';
import { distributionSpec } from '../charts.js';
import { bandsOf, longLabel, result, type SectionContext } from '../context.js';
import { bandWord } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { scoreMetric } from './score-only.js';

export const distributionSchema = z
  .strictObject({ type: z.literal('distribution'), ...sectionFields, metric: z.string().describe('Metric whose answers are counted.') })
  .describe('Histogram of the current period’s answers on the metric’s scale, coloured by band.');

export type DistributionSection = z.infer<typeof distributionSchema>;

export function buildDistribution(section: DistributionSection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  const r = result(ctx, section.metric);
  const pm = scoreMetric(ctx, section.metric, ['metric']);
  const bands = bandsOf(ctx, pm.type.bands(pm.def));
  const period = longLabel(ctx, ctx.computed.period);
  const shares = bands.map((b) => ({ band: b, share: r.distribution.filter((d) => d.band === b.name).reduce((a, d) => a + d.share, 0) }));
  const largest = [...shares].sort((a, b) => b.share - a.share)[0];
  const bad = shares.find((s) => s.band.tone === 'bad');
  const headline = bad
    ? t('distribution.headlineBad', { share: fmt.share(bad.share), period, band: bandWord(t, bad.band) })
    : t('distribution.headline', { share: fmt.share(largest.share), period, band: bandWord(t, largest.band) });
  const summary = shares.map((s) => t('sep.pair', { key: s.band.label, value: fmt.share(s.share) })).join(t('distribution.summarySep'));
  return {
    type: 'distribution',
    id: section.id ?? ctx.nextId(`distribution-${section.metric}`),
    title: section.title ?? t('distribution.title', { label: r.label, period }),
    level: 2,
    chart: {
      id: ctx.nextId(`chart-distribution-${section.metric}`),
      title: headline,
      caption: t('distribution.caption', { label: r.label, period, n: fmt.count(r.n), excluded: r.excluded }),
      alt: t('distribution.alt', { label: r.label, period, items: r.distribution.map((d) => t('sep.pair', { key: d.score, value: d.count })).join(t('sep.list')), summary }),
      spec: distributionSpec(r.distribution, bands, t),
      size: 'wide',
    },
    summary,
  };
}
