/**
 * Reviews and ratings: star ratings on 1..scale (default 1–5). The value is the mean rating
 * (t interval, Welch's t-test for the change) or the share of top-two stars (Wilson interval,
 * pooled two-proportion z-test); the 1..scale distribution and the review volume per period come
 * with it. Built on the survey-score engine (ScoreType + scoreModule): validation, exclusions,
 * series and breakdowns are those of NPS/CSAT/CES, so the distribution and verbatims sections work too.
 */
import { z } from 'zod';
import { distributionSpec } from '../report/charts.js';
import { formatCount, formatInterval, formatValue } from '../report/format.js';
import type { ComputeContext, MetricModule, MetricResult, VisualBlock, VisualContext } from './module.js';
import { periodLabel } from './period.js';
import { aggregate, groupKey } from './prepare.js';
import { metricFields } from './score-schema.js';
import { filterSchema } from './filter.js';
import { scoreModule, type PreparedScore } from './score-module.js';
import { meanEstimate, twoProportionZTest, welchTTest, wilsonInterval, type Interval } from './stats.js';
import type { Band, ScoreType, Stats } from './types.js';

export const reviewsSchema = z
  .strictObject({
    type: z.literal('reviews'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per review.').meta({ examples: ['reviews'] }),
    rating: z.string().describe('Column with the star rating (whole stars, 1..scale).').meta({ examples: ['rating'] }),
    date: z.string().describe('Column with the review date or timestamp (ISO 8601); assigns each review to a period.').meta({ examples: ['submitted_at'] }),
    product: z.string().optional().describe('Column naming the product (or listing) reviewed; adds a per-product table.').meta({ examples: ['product'] }),
    scale: z.number().int().min(2).max(10).default(5).describe('Highest number of stars; ratings run 1..scale.'),
    measure: z
      .enum(['mean', 'top2'])
      .default('mean')
      .describe('The metric’s value: mean stars (t interval, Welch test) or the share of top-two ratings, e.g. 4–5 stars (Wilson interval, z-test).')
      .meta({ examples: ['mean', 'top2'] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Reviews and ratings: mean stars, share of top-two stars, the star distribution and review volume.');

export type ReviewsDef = z.infer<typeof reviewsSchema>;

/** The def as the score engine sees it: the rating column is its score column. */
type ReviewsScoreDef = ReviewsDef & { score: string };

const top2Label = (scale: number) => `${scale - 1}–${scale}`;

export const reviews: ScoreType<ReviewsScoreDef> = {
  type: 'reviews',
  schema: reviewsSchema as never,
  title: 'Review ratings',
  unit: (def) => (def.measure === 'top2' ? 'percent' : 'score'),
  rules: (def) => ({ min: 1, max: def.scale, integer: true }),
  indicators: (def) => ({ top2: { min: def.scale - 1, max: def.scale } }),
  finalise(stats, def) {
    if (stats.n === 0) return { value: null, n: 0, ci: null, se: null };
    if (def.measure === 'top2') {
      const x = stats.counts.top2 ?? 0;
      const [lo, hi] = wilsonInterval(x, stats.n);
      const p = x / stats.n;
      return { value: 100 * p, n: stats.n, ci: [100 * lo, 100 * hi], se: 100 * Math.sqrt((p * (1 - p)) / stats.n) };
    }
    const e = meanEstimate(stats.n, stats.sum, stats.sumSq);
    return { value: e.mean, n: stats.n, ci: Number.isFinite(e.ci[0]) ? e.ci : null, se: Number.isFinite(e.se) ? e.se : null };
  },
  compare(previous, current, def) {
    if (def.measure === 'top2') {
      const name = 'two-proportion z-test (pooled)';
      if (previous.n === 0 || current.n === 0) return { test: name, statistic: null, p: null };
      const t = twoProportionZTest(previous.counts.top2 ?? 0, previous.n, current.counts.top2 ?? 0, current.n);
      return { test: name, statistic: Number.isFinite(t.z) ? t.z : null, p: Number.isFinite(t.p) ? t.p : null };
    }
    const name = "Welch's t-test";
    const a = meanEstimate(previous.n, previous.sum, previous.sumSq);
    const b = meanEstimate(current.n, current.sum, current.sumSq);
    const t = welchTTest({ n: a.n, mean: a.mean, variance: a.variance }, { n: b.n, mean: b.mean, variance: b.variance });
    return { test: name, statistic: Number.isFinite(t.t) ? t.t : null, p: Number.isFinite(t.p) ? t.p : null };
  },
  higherIsBetter: () => true,
  domain: (def) => (def.measure === 'top2' ? [0, 100] : [1, def.scale]),
  bands(def): Band[] {
    const s = def.scale;
    const bands: Band[] = [{ name: 'positive', label: `${top2Label(s)} stars`, min: s - 1, max: s, tone: 'good' }];
    if (s - 2 >= 2) bands.unshift({ name: 'neutral', label: `${s - 2} stars`, min: s - 2, max: s - 2, tone: 'neutral' });
    const badMax = s - 2 >= 2 ? s - 3 : s - 2;
    if (badMax >= 1) bands.unshift({ name: 'negative', label: badMax === 1 ? '1 star' : `1–${badMax} stars`, min: 1, max: badMax, tone: 'bad' });
    return bands;
  },
  method: (def) =>
    (def.measure === 'top2'
      ? `Share of valid ratings that are ${top2Label(def.scale)} stars on the 1–${def.scale} scale, as a percentage. 95% interval: Wilson score interval. Change vs the previous period: two-sided two-proportion z-test with pooled proportion. `
      : `Mean star rating of valid ratings on the 1–${def.scale} scale. 95% interval: x̄ ± t(0.975, n−1)·s/√n. Change vs the previous period: Welch's unequal-variance t-test. `) +
    'The 1–' + def.scale + ' distribution, the share of top-two ratings and the mean are all reported, with review volume per period. ' +
    'Ratings that are missing, not numbers, not whole stars or outside the scale, and reviews without a valid ISO 8601 date, are excluded and counted per reason, never coerced.',
};

const engine = scoreModule(reviews);

export interface PreparedReviews extends PreparedScore {
  reviewsDef: ReviewsDef;
}

/** The period's statistics under both measures (for `extra`). */
function summary(stats: Stats) {
  const n = stats.n;
  const top = stats.counts.top2 ?? 0;
  const m = meanEstimate(n, stats.sum, stats.sumSq);
  const w = wilsonInterval(top, n);
  return {
    n,
    mean: n > 0 ? m.mean : null,
    meanCi: Number.isFinite(m.ci[0]) ? m.ci : null,
    sd: Number.isFinite(m.sd) ? m.sd : null,
    top2: { count: top, share: n > 0 ? (100 * top) / n : null, ci: n > 0 ? ([100 * w[0], 100 * w[1]] as Interval) : null },
  };
}

function computeReviews(p: PreparedReviews, ctx: ComputeContext): MetricResult {
  const r = engine.compute(p, ctx);
  const def = p.reviewsDef;
  const cells = aggregate(p);
  const byPeriod = new Map(cells.map((c) => [c.period, c.stats]));
  const empty: Stats = { n: 0, sum: 0, sumSq: 0, counts: {} };
  const cur = summary(byPeriod.get(ctx.period) ?? empty);
  const prev = summary(byPeriod.get(ctx.previousPeriod) ?? empty);
  let products: { product: string; n: number; mean: number | null; top2: number | null }[] | null = null;
  if (def.product) {
    const column = def.product;
    products = aggregate(p, { by: [column] })
      .filter((c) => c.period === ctx.period)
      .map((c) => ({ product: c.groups[0], ...summary(c.stats) }))
      .map((s) => ({ product: s.product, n: s.n, mean: s.mean, top2: s.top2.share }))
      .sort((a, b) => b.n - a.n || a.product.localeCompare(b.product));
  }
  return {
    ...r,
    label: def.label ?? (def.measure === 'top2' ? `${top2Label(def.scale)}★ share` : 'Mean rating'),
    extra: {
      measure: def.measure,
      scale: def.scale,
      mean: cur.mean,
      meanCi: cur.meanCi,
      sd: cur.sd,
      top2: cur.top2,
      previousSummary: { period: ctx.previousPeriod, n: prev.n, mean: prev.mean, top2: prev.top2.share },
      stars: r.distribution.map((d) => ({ stars: d.score, count: d.count, share: cur.n > 0 ? (100 * d.count) / cur.n : null })),
      volume: r.series.map((s) => ({ period: s.period, reviews: s.n })),
      products,
    },
  };
}

/** The shared answer histogram, with axes named for star ratings. */
function starsSpec(rows: MetricResult['distribution'], bands: Band[]) {
  const spec = distributionSpec(rows, bands) as any;
  spec.layer[0].encoding.x.title = 'Stars';
  spec.layer[0].encoding.y.title = 'Reviews';
  return spec;
}

function visualReviews(r: MetricResult, p: PreparedReviews, ctx: VisualContext): VisualBlock[] {
  const def = p.reviewsDef;
  const x = r.extra as ReturnType<typeof summary> & { stars: { stars: number; count: number; share: number | null }[]; products: { product: string; n: number; mean: number | null; top2: number | null }[] | null };
  const periodName = ctx.periodLabel(ctx.period);
  const bands = reviews.bands({ ...def, score: def.rating });
  const top = x.stars.reduce((a, b) => (b.count > a.count ? b : a), x.stars[0]);
  const blocks: VisualBlock[] = [];
  if (r.n > 0) {
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId('chart-reviews-stars'),
        title: `${formatValue(x.top2.share, 'percent')} of ${formatCount(r.n)} reviews in ${periodName} gave ${top2Label(def.scale)} stars; mean ${formatValue(x.mean, 'score')}`,
        caption: `Star ratings in ${periodName} (n = ${formatCount(r.n)}); mean with t interval ${formatInterval(x.meanCi, 'score')}, top-two share with Wilson interval ${formatInterval(x.top2.ci, 'percent')}. Source: ${def.source}.`,
        alt: `Bar chart of star ratings in ${periodName}: ${x.stars.map((s) => `${s.stars} star${s.stars === 1 ? '' : 's'} ${formatCount(s.count)}`).join(', ')}; the most common rating is ${top.stars}.`,
        spec: starsSpec(r.distribution, bands),
        size: 'wide',
      },
    });
  }
  const volume = r.series.slice(-13);
  blocks.push({
    kind: 'table',
    table: {
      caption: 'Reviews per period',
      columns: [{ label: 'Period' }, { label: 'Reviews', align: 'right' }, { label: r.label, align: 'right' }, { label: '95% CI', align: 'right' }],
      rows: volume.map((s) => ({ cells: [periodLabel(s.period, p.granularity, 'short'), formatCount(s.n), formatValue(s.value, r.unit), formatInterval(s.ci, r.unit)], muted: s.lowSample, note: s.lowSample ? `n < ${r.minSample}` : undefined })),
      footnote: volume.some((s) => s.lowSample) ? `Greyed periods have fewer than ${r.minSample} reviews.` : undefined,
    },
  });
  if (x.products && x.products.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        caption: `Ratings by ${def.product}, ${periodName}`,
        columns: [{ label: def.product! }, { label: 'Reviews', align: 'right' }, { label: 'Mean', align: 'right' }, { label: `${top2Label(def.scale)}★`, align: 'right' }],
        rows: x.products.slice(0, 25).map((g) => ({ cells: [groupKey(g.product), formatCount(g.n), formatValue(g.mean, 'score'), formatValue(g.top2, 'percent')], muted: g.n < r.minSample })),
        footnote: x.products.length > 25 ? `The ${x.products.length - 25} products with the fewest reviews are not shown.` : undefined,
      },
    });
  }
  return blocks;
}

export const reviewsModule: MetricModule<ReviewsDef, PreparedReviews> = {
  type: 'reviews',
  schema: reviewsSchema,
  title: reviews.title,
  prepare(ctx) {
    const def = ctx.def;
    const source = ctx.source('source');
    ctx.requireColumn(source, def.rating, ['rating']);
    ctx.requireColumn(source, def.date, ['date']);
    if (def.product !== undefined) ctx.requireColumn(source, def.product, ['product']);
    for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
    const prepared = engine.prepare({ ...ctx, def: { ...def, score: def.rating } as never });
    return { ...prepared, reviewsDef: def };
  },
  compute: computeReviews,
  visual: visualReviews,
};
