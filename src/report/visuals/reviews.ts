/** The reviews metric's default visual: the star distribution, the rating and volume per period, and a per-product table. */
import { distributionSpec, trendSpec } from '../charts.js';
import { formatter } from '../../kernel/format.js';
import { localTranslator, translator, type Locale } from '../../kernel/i18n.js';
import type { Band } from '../../kernel/types.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import type { summary } from '../../metrics/reviews/compute.js';
import { MESSAGES } from '../../metrics/reviews/messages.js';
import type { PreparedReviews } from '../../metrics/reviews/prepare.js';
import { starBands, top2Label, type Translate } from '../../metrics/reviews/score-type.js';
import { groupKey } from '../../metrics/prepare.js';

/** The shared answer histogram, with axes named for star ratings. */
function starsSpec(rows: MetricResult['distribution'], bands: Band[], t: Translate, locale: Locale) {
  const spec = distributionSpec(rows, bands, translator(locale)) as any;
  spec.layer[0].encoding.x.title = t('axis.stars');
  spec.layer[0].encoding.y.title = t('axis.reviews');
  return spec;
}

export function visualReviews(r: MetricResult, p: PreparedReviews, ctx: VisualContext): VisualBlock[] {
  const def = p.reviewsDef;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const x = r.extra as ReturnType<typeof summary> & { stars: { stars: number; count: number; share: number | null }[]; products: { product: string; n: number; mean: number | null; top2: number | null }[] | null };
  const periodName = ctx.periodLabel(ctx.period);
  const bands = starBands(def.scale, t);
  const top = x.stars.reduce((a, b) => (b.count > a.count ? b : a), x.stars[0]);
  const blocks: VisualBlock[] = [];
  if (r.n > 0) {
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId('chart-reviews-stars'),
        title: t('chart.title', { share: fmt.value(x.top2.share, 'percent'), n: fmt.count(r.n), period: periodName, top2: top2Label(def.scale), mean: fmt.value(x.mean, 'score') }),
        caption: t('chart.caption', { period: periodName, n: fmt.count(r.n), meanCi: fmt.interval(x.meanCi, 'score'), top2Ci: fmt.interval(x.top2.ci, 'percent'), source: ctx.sourceLabel?.(def.source) ?? def.source }),
        alt: t('chart.alt', {
          period: periodName,
          items: x.stars.map((s) => t('chart.altItem', { stars: t(s.stars === 1 ? 'stars.one' : 'stars.many', { stars: s.stars }), count: fmt.count(s.count) })).join(t('chart.altSep')),
          top: top.stars,
        }),
        spec: starsSpec(r.distribution, bands, t, locale),
        size: 'wide',
      },
    });
  }
  const volume = r.series.slice(-13);
  // the rating over the same periods as the table below, as a chart: a recovery or a dip is seen, not read off 13 rows
  const charted = volume.filter((s) => s.value !== null);
  if (charted.length > 1) {
    const first = charted[0];
    const last = charted[charted.length - 1];
    const low = charted.reduce((a, b) => (b.value! < a.value! ? b : a));
    const high = charted.reduce((a, b) => (b.value! > a.value! ? b : a));
    const vars = { label: r.label, first: fmt.value(first.value, r.unit), firstPeriod: ctx.periodLabel(first.period), last: fmt.value(last.value, r.unit), lastPeriod: ctx.periodLabel(last.period) };
    // the title says the story: a recovery from a low (or a fall from a high) inside the window, else first → last
    const trendTitle = () =>
      low !== first && low !== last && last.value! > low.value!
        ? t('trend.titleLow', { ...vars, low: fmt.value(low.value, r.unit), lowPeriod: ctx.periodLabel(low.period) })
        : high !== first && high !== last && last.value! < high.value!
          ? t('trend.titleHigh', { ...vars, high: fmt.value(high.value, r.unit), highPeriod: ctx.periodLabel(high.period) })
          : t('trend.title', vars);
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId('chart-reviews-trend'),
        title: trendTitle(),
        caption: t('trend.caption', { label: r.label, count: charted.length, source: ctx.sourceLabel?.(def.source) ?? def.source }),
        alt: t('trend.alt', { label: r.label, items: charted.map((s) => `${ctx.periodLabel(s.period, 'short')} ${fmt.value(s.value, r.unit)}`).join(t('chart.altSep')) }),
        spec: trendSpec(
          volume.map((s) => ({ label: ctx.periodLabel(s.period, 'short'), value: s.value, lo: s.ci?.[0] ?? null, hi: s.ci?.[1] ?? null, n: s.n, lowSample: s.lowSample })),
          { metric: r.label, unit: r.unit, target: r.target, domain: r.domain ?? undefined, t: translator(locale) },
        ),
        size: 'wide',
      },
    });
  }
  blocks.push({
    kind: 'table',
    table: {
      caption: t('volume.caption'),
      columns: [{ label: t('volume.period') }, { label: t('volume.reviews'), align: 'right' }, { label: r.label, align: 'right' }, { label: t('volume.ci'), align: 'right' }],
      rows: volume.map((s) => ({ cells: [ctx.periodLabel(s.period, 'short'), fmt.count(s.n), fmt.value(s.value, r.unit), fmt.interval(s.ci, r.unit)], muted: s.lowSample, note: s.lowSample ? t('volume.low', { min: r.minSample }) : undefined })),
      footnote: volume.some((s) => s.lowSample) ? t('volume.footnote', { min: r.minSample }) : undefined,
    },
  });
  if (x.products && x.products.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        caption: t('products.caption', { column: ctx.columnLabel?.(def.product!) ?? def.product!, period: periodName }),
        columns: [{ label: ctx.columnLabel?.(def.product!) ?? def.product! }, { label: t('products.reviews'), align: 'right' }, { label: t('products.mean'), align: 'right' }, { label: t('products.top2', { top2: top2Label(def.scale) }), align: 'right' }],
        rows: x.products.slice(0, 25).map((g) => ({ cells: [ctx.valueLabel?.(def.product!, groupKey(g.product)) ?? groupKey(g.product), fmt.count(g.n), fmt.value(g.mean, 'score'), fmt.value(g.top2, 'percent')], muted: g.n < r.minSample })),
        footnote: x.products.length > 25 ? t('products.footnote', { count: x.products.length - 25 }) : undefined,
      },
    });
  }
  return blocks;
}
