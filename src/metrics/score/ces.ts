/**
 * Customer Effort Score (Dixon, Freeman & Toman 2010; CES 2.0 agreement scale): the mean answer on
 * 1..scale, with a t-based 95% CI and Welch's t-test for the change. The scale direction is
 * configurable because older CES variants run "high = more effort".
 */
import { z } from 'zod';
import { meanEstimate, welchTTest } from '../../kernel/stats.js';
import { scoreMetricFields } from './schema.js';
import type { Band, ScoreType, Stats } from '../../kernel/types.js';

export const cesSchema = z
  .strictObject({
    type: z.literal('ces'),
    ...scoreMetricFields,
    scale: z.number().int().min(2).max(11).default(7).describe('Highest answer on the 1..scale effort question.'),
    direction: z
      .enum(['higher-is-easier', 'higher-is-harder'])
      .default('higher-is-easier')
      .describe('CES 2.0 ("made it easy", 7 = easiest) is higher-is-easier; older variants are higher-is-harder.'),
  })
  .describe('CES: mean customer effort score on a 1..scale question.');

export type CesDef = z.infer<typeof cesSchema>;

function moments(stats: Stats) {
  const e = meanEstimate(stats.n, stats.sum, stats.sumSq);
  return { n: stats.n, mean: e.mean, variance: e.variance, se: e.se, ci: e.ci };
}

export const ces: ScoreType<CesDef> = {
  type: 'ces',
  schema: cesSchema,
  title: 'Customer Effort Score',
  unit: () => 'score',
  rules: (def) => ({ min: 1, max: def.scale, integer: true }),
  indicators: () => ({}),
  finalise(stats) {
    if (stats.n === 0) return { value: null, n: 0, ci: null };
    const m = moments(stats);
    return { value: m.mean, n: m.n, ci: stats.n > 1 && Number.isFinite(m.ci[0]) ? m.ci : null, se: stats.n > 1 && Number.isFinite(m.se) ? m.se : null };
  },
  compare(previous, current) {
    const name = "Welch's t-test";
    if (previous.n < 2 || current.n < 2) return { test: name, statistic: null, p: null };
    const t = welchTTest(moments(previous), moments(current));
    return { test: name, statistic: Number.isFinite(t.t) ? t.t : null, p: Number.isFinite(t.p) ? t.p : null };
  },
  higherIsBetter: (def) => def.direction === 'higher-is-easier',
  domain: (def) => [1, def.scale],
  bands(def) {
    const mid = (1 + def.scale) / 2;
    const lowTone: Band['tone'] = def.direction === 'higher-is-easier' ? 'bad' : 'good';
    const highTone: Band['tone'] = def.direction === 'higher-is-easier' ? 'good' : 'bad';
    const lowLabel = def.direction === 'higher-is-easier' ? 'Difficult' : 'Easy';
    const highLabel = def.direction === 'higher-is-easier' ? 'Easy' : 'Difficult';
    const lowMax = Math.ceil(mid) - 1;
    const highMin = Math.floor(mid) + 1;
    const bands: Band[] = [{ name: lowLabel.toLowerCase(), label: `${lowLabel} (1–${lowMax})`, min: 1, max: lowMax, tone: lowTone }];
    if (Number.isInteger(mid)) bands.push({ name: 'neutral', label: `Neutral (${mid})`, min: mid, max: mid, tone: 'neutral' });
    bands.push({ name: highLabel.toLowerCase(), label: `${highLabel} (${highMin}–${def.scale})`, min: highMin, max: def.scale, tone: highTone });
    return bands;
  },
  method: (def) =>
    `Mean of valid answers on the 1–${def.scale} scale (${def.direction === 'higher-is-easier' ? 'higher means less effort' : 'higher means more effort'}). ` +
    "95% interval: x̄ ± t(0.975, n−1)·s/√n. Change vs the previous period: two-sided Welch's t-test.",
};
