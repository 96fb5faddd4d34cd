/**
 * Customer satisfaction (CSAT): share of "satisfied" answers (top-2-box by default: 4–5 on 1–5),
 * as a percentage. Wilson 95% score interval; change by the pooled two-proportion z-test.
 */
import { z } from 'zod';
import { twoProportionZTest, wilsonInterval } from '../../kernel/stats.js';
import { scoreMetricFields } from './schema.js';
import type { Band, ScoreType } from '../../kernel/types.js';

export const csatSchema = z
  .strictObject({
    type: z.literal('csat'),
    ...scoreMetricFields,
    scale: z.number().int().min(2).max(11).default(5).describe('Highest answer on the 1..scale satisfaction question.'),
    satisfied: z
      .array(z.number().int())
      .min(1)
      .optional()
      .describe('Answers counted as satisfied; default: the top two boxes (e.g. [4, 5] on a 5-point scale).'),
  })
  .describe('CSAT: share of satisfied answers on a 1..scale question.');

export type CsatDef = z.infer<typeof csatSchema>;

export function satisfiedValues(def: CsatDef): number[] {
  return def.satisfied ?? [def.scale - 1, def.scale];
}

export const csat: ScoreType<CsatDef> = {
  type: 'csat',
  schema: csatSchema,
  title: 'Customer Satisfaction',
  unit: () => 'percent',
  rules: (def) => ({ min: 1, max: def.scale, integer: true }),
  indicators: (def) => ({ satisfied: { values: satisfiedValues(def) } }),
  finalise(stats) {
    if (stats.n === 0) return { value: null, n: 0, ci: null };
    const s = stats.counts.satisfied ?? 0;
    const [lo, hi] = wilsonInterval(s, stats.n);
    // se: the binomial standard error, for comparisons built on the estimate (a case study's difference-in-differences)
    return { value: (100 * s) / stats.n, n: stats.n, ci: [100 * lo, 100 * hi], se: 100 * Math.sqrt((s / stats.n) * (1 - s / stats.n) / stats.n) };
  },
  compare(previous, current) {
    const name = 'two-proportion z-test (pooled)';
    if (previous.n === 0 || current.n === 0) return { test: name, statistic: null, p: null };
    const t = twoProportionZTest(previous.counts.satisfied ?? 0, previous.n, current.counts.satisfied ?? 0, current.n);
    return { test: name, statistic: Number.isFinite(t.z) ? t.z : null, p: Number.isFinite(t.p) ? t.p : null };
  },
  higherIsBetter: () => true,
  domain: () => [0, 100],
  bands(def) {
    const sat = satisfiedValues(def);
    const low = Math.min(...sat);
    const bands: Band[] = [{ name: 'satisfied', label: `Satisfied (${sat.join(', ')})`, min: low, max: def.scale, tone: 'good' }];
    if (low - 1 >= 2) bands.unshift({ name: 'neutral', label: `Neutral (${low - 1})`, min: low - 1, max: low - 1, tone: 'neutral' });
    const badMax = low - 1 >= 2 ? low - 2 : low - 1;
    if (badMax >= 1) bands.unshift({ name: 'dissatisfied', label: `Dissatisfied (1–${badMax})`, min: 1, max: badMax, tone: 'bad' });
    return bands;
  },
  method: (def) =>
    `Share of valid answers on the 1–${def.scale} scale that are ${satisfiedValues(def).join(' or ')} ("satisfied"), as a percentage. ` +
    '95% interval: Wilson score interval. Change vs the previous period: two-sided two-proportion z-test with pooled proportion.',
};
