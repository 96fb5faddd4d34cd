/**
 * Reviews and ratings: star ratings on 1..scale (default 1–5). The value is the mean rating
 * (t interval, Welch's t-test for the change) or the share of top-two stars (Wilson interval,
 * pooled two-proportion z-test); the 1..scale distribution and the review volume per period come
 * with it. Built on the survey-score engine (ScoreType + scoreModule): validation, exclusions,
 * series and breakdowns are those of NPS/CSAT/CES, so the distribution and verbatims sections work too.
 */
import { localTranslator } from '../../kernel/i18n.js';
import { meanEstimate, wilsonInterval, type Interval } from '../../kernel/stats.js';
import type { Stats } from '../../kernel/types.js';
import type { ComputeContext, MetricResult } from '../module.js';
import { aggregate } from '../prepare.js';
import { MESSAGES } from './messages.js';
import { engine, type PreparedReviews } from './prepare.js';
import { methodText, top2Label } from './score-type.js';

/** The period's statistics under both measures (for `extra`). */
export function summary(stats: Stats) {
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

export function computeReviews(p: PreparedReviews, ctx: ComputeContext): MetricResult {
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
