/**
 * Star ratings as a score type of the survey-score engine (ScoreType, see ../score/index.ts): rules,
 * the top-two indicator, the value under each measure and its change test, the star bands.
 */
import { localTranslator, type Vars } from '../../kernel/i18n.js';
import { meanEstimate, twoProportionZTest, welchTTest, wilsonInterval } from '../../kernel/stats.js';
import type { Band, ScoreType } from '../../kernel/types.js';
import { MESSAGES } from './messages.js';
import { reviewsSchema, type ReviewsDef } from './schema.js';

export type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;
const english: Translate = localTranslator(MESSAGES, 'en');

/** The def as the score engine sees it: the rating column is its score column. */
type ReviewsScoreDef = ReviewsDef & { score: string };

export const top2Label = (scale: number) => `${scale - 1}–${scale}`;

/** The score bands of a scale, labelled in a locale ("4–5 stars", "4–5 星"). */
export function starBands(scale: number, t: Translate): Band[] {
  const s = scale;
  const bands: Band[] = [{ name: 'positive', label: t('stars.range', { from: s - 1, to: s }), min: s - 1, max: s, tone: 'good' }];
  if (s - 2 >= 2) bands.unshift({ name: 'neutral', label: t('stars.many', { stars: s - 2 }), min: s - 2, max: s - 2, tone: 'neutral' });
  const badMax = s - 2 >= 2 ? s - 3 : s - 2;
  if (badMax >= 1) bands.unshift({ name: 'negative', label: badMax === 1 ? t('stars.one', { stars: 1 }) : t('stars.range', { from: 1, to: badMax }), min: 1, max: badMax, tone: 'bad' });
  return bands;
}

export function methodText(def: Pick<ReviewsDef, 'measure' | 'scale'>, t: Translate): string {
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
