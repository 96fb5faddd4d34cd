/**
 * Reviews and ratings: star ratings on 1..scale (default 1–5). The value is the mean rating
 * (t interval, Welch's t-test for the change) or the share of top-two stars (Wilson interval,
 * pooled two-proportion z-test); the 1..scale distribution and the review volume per period come
 * with it. Built on the survey-score engine (ScoreType + scoreModule): validation, exclusions,
 * series and breakdowns are those of NPS/CSAT/CES, so the distribution and verbatims sections work too.
 */
import { z } from 'zod';
import { distributionSpec, trendSpec } from '../report/charts.js';
import { formatter } from '../kernel/format.js';
import { localTranslator, translator, type Locale, type Vars } from '../kernel/i18n.js';
import type { ComputeContext, MetricModule, MetricResult, VisualBlock, VisualContext } from './module.js';
import { aggregate, groupKey, scoreDate } from './prepare.js';
import { metricFields } from './score/schema.js';
import { filterSchema } from '../kernel/filter.js';
import { scoreModule, type PreparedScore } from './score/index.js';
import { meanEstimate, twoProportionZTest, welchTTest, wilsonInterval, type Interval } from '../kernel/stats.js';
import type { Band, ScoreType, Stats } from '../kernel/types.js';

const SCALE_EN = ' The 1–{scale} distribution, the share of top-two ratings and the mean are all reported, with review volume per period. Ratings that are missing, not numbers, not whole stars or outside the scale, and reviews without a valid ISO 8601 date, are excluded and counted per reason, never coerced.';
const SCALE_ZH = '同时报告 1–{scale}星的分布、前两档评分的占比和平均值，以及各期的评论数。缺失、非数字、非整星或超出量表范围的评分，以及没有有效 ISO 8601 日期的评论，会被排除并按原因计数，从不强制转换。';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    title: 'Review ratings',
    'label.mean': 'Mean rating',
    'label.top2': '{top2}★ share',
    'test.mean': "Welch's t-test",
    'test.top2': 'two-proportion z-test (pooled)',
    'method.top2':
      'Share of valid ratings that are {top2} stars on the 1–{scale} scale, as a percentage. 95% interval: Wilson score interval. Change vs the previous period: two-sided two-proportion z-test with pooled proportion.' + SCALE_EN,
    'method.mean': "Mean star rating of valid ratings on the 1–{scale} scale. 95% interval: x̄ ± t(0.975, n−1)·s/√n. Change vs the previous period: Welch's unequal-variance t-test." + SCALE_EN,
    'stars.one': '{stars} star',
    'stars.many': '{stars} stars',
    'stars.range': '{from}–{to} stars',
    'chart.title': '{share} of {n} reviews in {period} gave {top2} stars; mean {mean}',
    'chart.caption': 'Star ratings in {period} (n = {n}); mean with t interval {meanCi}, top-two share with Wilson interval {top2Ci}. Source: {source}.',
    'chart.alt': 'Bar chart of star ratings in {period}: {items}; the most common rating is {top}.',
    'chart.altItem': '{stars} {count}',
    'chart.altSep': ', ',
    'axis.stars': 'Stars',
    'axis.reviews': 'Reviews',
    'trend.title': '{label} went from {first} in {firstPeriod} to {last} in {lastPeriod}',
    'trend.titleLow': '{label} {last} in {lastPeriod}, back from a low of {low} in {lowPeriod} ({first} in {firstPeriod})',
    'trend.titleHigh': '{label} {last} in {lastPeriod}, down from a high of {high} in {highPeriod} ({first} in {firstPeriod})',
    'trend.caption': '{label} per period over the last {count} periods, with its 95% interval (band); the current period is labelled. Source: {source}.',
    'trend.alt': 'Line chart of {label} by period: {items}.',
    'volume.caption': 'Reviews per period',
    'volume.period': 'Period',
    'volume.reviews': 'Reviews',
    'volume.ci': '95% CI',
    'volume.low': 'n < {min}',
    'volume.footnote': 'Greyed periods have fewer than {min} reviews.',
    'products.caption': 'Ratings by {column}, {period}',
    'products.reviews': 'Reviews',
    'products.mean': 'Mean',
    'products.top2': '{top2}★',
    'products.footnote': 'The {count} products with the fewest reviews are not shown.',
  },
  'zh-CN': {
    title: '评论评分',
    'label.mean': '平均评分',
    'label.top2': '{top2}★ 占比',
    'test.mean': 'Welch t 检验',
    'test.top2': '双比例 z 检验（合并比例）',
    'method.top2': '在 1–{scale}星量表的有效评分中，{top2}星评分所占的比例，以百分比表示。95% 置信区间：Wilson 得分区间。与上期相比的变化：采用合并比例的双侧双比例 z 检验。' + SCALE_ZH,
    'method.mean': '1–{scale}星量表上有效评分的平均星级。95% 置信区间：x̄ ± t(0.975, n−1)·s/√n。与上期相比的变化：Welch 不等方差 t 检验。' + SCALE_ZH,
    'stars.one': '{stars}星',
    'stars.many': '{stars}星',
    'stars.range': '{from}–{to}星',
    'chart.title': '{period}的{n}条评论中，{share}给出了{top2}星；平均{mean}星',
    'chart.caption': '{period}的星级评分（n = {n}）；平均值的 t 区间为{meanCi}，前两档占比的 Wilson 区间为{top2Ci}。数据来源：{source}。',
    'chart.alt': '{period}星级评分条形图：{items}；最常见的评分为{top}星。',
    'chart.altItem': '{stars}{count}条',
    'chart.altSep': '，',
    'axis.stars': '星级',
    'axis.reviews': '评论数',
    'trend.title': '{label}从{firstPeriod}的{first}变为{lastPeriod}的{last}',
    'trend.titleLow': '{lastPeriod}{label}为{last}，已从{lowPeriod}的低点{low}回升（{firstPeriod}为{first}）',
    'trend.titleHigh': '{lastPeriod}{label}为{last}，低于{highPeriod}的高点{high}（{firstPeriod}为{first}）',
    'trend.caption': '最近 {count} 期各期的{label}，含 95% 置信区间（带状）；标出当期数值。数据来源：{source}。',
    'trend.alt': '各期{label}折线图：{items}。',
    'volume.caption': '各期评论数',
    'volume.period': '期间',
    'volume.reviews': '评论数',
    'volume.ci': '95% 置信区间',
    'volume.low': 'n < {min}',
    'volume.footnote': '灰色显示的期间评论少于{min}条。',
    'products.caption': '{period}按{column}划分的评分',
    'products.reviews': '评论数',
    'products.mean': '平均分',
    'products.top2': '{top2}★',
    'products.footnote': '评论最少的{count}个产品未显示。',
  },
} satisfies Record<Locale, Record<string, string>>;

type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;
const english: Translate = localTranslator(MESSAGES, 'en');

export const reviewsSchema = z
  .strictObject({
    type: z.literal('reviews'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per review.').meta({ examples: ['reviews'] }),
    rating: z.string().describe('Column with the star rating (whole stars, 1..scale).').meta({ examples: ['rating'] }),
    date: z
      .string()
      .optional()
      .describe('Column with the review date or timestamp (ISO 8601); assigns each review to a period. Required with granularity month, quarter or year; optional with granularity all (reviews counted with or without a date).')
      .meta({ examples: ['submitted_at'] }),
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

/** The score bands of a scale, labelled in a locale ("4–5 stars", "4–5 星"). */
function starBands(scale: number, t: Translate): Band[] {
  const s = scale;
  const bands: Band[] = [{ name: 'positive', label: t('stars.range', { from: s - 1, to: s }), min: s - 1, max: s, tone: 'good' }];
  if (s - 2 >= 2) bands.unshift({ name: 'neutral', label: t('stars.many', { stars: s - 2 }), min: s - 2, max: s - 2, tone: 'neutral' });
  const badMax = s - 2 >= 2 ? s - 3 : s - 2;
  if (badMax >= 1) bands.unshift({ name: 'negative', label: badMax === 1 ? t('stars.one', { stars: 1 }) : t('stars.range', { from: 1, to: badMax }), min: 1, max: badMax, tone: 'bad' });
  return bands;
}

function methodText(def: Pick<ReviewsDef, 'measure' | 'scale'>, t: Translate): string {
  return t(def.measure === 'top2' ? 'method.top2' : 'method.mean', { top2: top2Label(def.scale), scale: def.scale });
}

export const reviews: ScoreType<ReviewsScoreDef> = {
  type: 'reviews',
  schema: reviewsSchema as never,
  title: english('title'),
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
      const name = english('test.top2');
      if (previous.n === 0 || current.n === 0) return { test: name, statistic: null, p: null };
      const t = twoProportionZTest(previous.counts.top2 ?? 0, previous.n, current.counts.top2 ?? 0, current.n);
      return { test: name, statistic: Number.isFinite(t.z) ? t.z : null, p: Number.isFinite(t.p) ? t.p : null };
    }
    const name = english('test.mean');
    const a = meanEstimate(previous.n, previous.sum, previous.sumSq);
    const b = meanEstimate(current.n, current.sum, current.sumSq);
    const t = welchTTest({ n: a.n, mean: a.mean, variance: a.variance }, { n: b.n, mean: b.mean, variance: b.variance });
    return { test: name, statistic: Number.isFinite(t.t) ? t.t : null, p: Number.isFinite(t.p) ? t.p : null };
  },
  higherIsBetter: () => true,
  domain: (def) => (def.measure === 'top2' ? [0, 100] : [1, def.scale]),
  // the score engine's bands and method are English; compute and visual write them in the report's locale
  bands: (def) => starBands(def.scale, english),
  method: (def) => methodText(def, english),
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
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
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
    label: def.label ?? (def.measure === 'top2' ? t('label.top2', { top2: top2Label(def.scale) }) : t('label.mean')),
    title: t('title'),
    test: t(def.measure === 'top2' ? 'test.top2' : 'test.mean'),
    method: methodText(def, t),
    extra: {
      ...r.extra,
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

export const reviewsModule: MetricModule<ReviewsDef, PreparedReviews> = {
  type: 'reviews',
  schema: reviewsSchema,
  title: reviews.title,
  pushdown: true,
  async prepare(ctx) {
    const def = ctx.def;
    const source = ctx.source('source');
    ctx.requireColumn(source, def.rating, ['rating']);
    const date = scoreDate(ctx.id, def, ctx.config);
    if (date !== undefined) ctx.requireColumn(source, date, ['date']);
    if (def.product !== undefined) ctx.requireColumn(source, def.product, ['product']);
    for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
    const prepared = await engine.prepare({ ...ctx, def: { ...def, score: def.rating } as never });
    return { ...prepared, reviewsDef: def };
  },
  compute: computeReviews,
};
