/**
 * Net Promoter Score (Reichheld 2003). Answers 0–10; promoters 9–10, passives 7–8, detractors 0–6.
 * NPS = 100·(P − D) in points; SE from the trinomial variance (P + D − (P − D)²)/n; Wald 95% CI;
 * change between periods by a z-test on the difference of two independent NPS.
 */
import { z } from 'zod';
import { npsChangeTest, npsEstimate } from '../../kernel/stats.js';
import { scoreMetricFields } from './schema.js';
import type { ScoreType, Stats } from '../../kernel/types.js';

export const npsSchema = z
  .strictObject({ type: z.literal('nps'), ...scoreMetricFields })
  .describe('Net Promoter Score from a 0–10 "how likely are you to recommend" question.');

export type NpsDef = z.infer<typeof npsSchema>;

function counts(stats: Stats) {
  return {
    promoters: stats.counts.promoters ?? 0,
    passives: stats.counts.passives ?? 0,
    detractors: stats.counts.detractors ?? 0,
  };
}

export const nps: ScoreType<NpsDef> = {
  type: 'nps',
  schema: npsSchema,
  title: 'Net Promoter Score',
  unit: () => 'points',
  rules: () => ({ min: 0, max: 10, integer: true }),
  indicators: () => ({ promoters: { min: 9, max: 10 }, passives: { min: 7, max: 8 }, detractors: { min: 0, max: 6 } }),
  finalise(stats) {
    if (stats.n === 0) return { value: null, n: 0, ci: null, se: null };
    const c = counts(stats);
    const e = npsEstimate(c.promoters, c.passives, c.detractors);
    return { value: e.value, n: e.n, ci: e.ci, se: e.se };
  },
  compare(previous, current) {
    const a = nps.finalise(previous, { type: 'nps' } as NpsDef);
    const b = nps.finalise(current, { type: 'nps' } as NpsDef);
    if (a.value === null || b.value === null || !a.se || !b.se) return { test: 'z-test for the difference of two NPS', statistic: null, p: null };
    const t = npsChangeTest({ value: a.value, se: a.se }, { value: b.value, se: b.se });
    return { test: 'z-test for the difference of two NPS', statistic: t.z, p: Number.isFinite(t.p) ? t.p : null };
  },
  higherIsBetter: () => true,
  domain: () => [-100, 100],
  bands: () => [
    { name: 'detractors', label: 'Detractors (0–6)', min: 0, max: 6, tone: 'bad' },
    { name: 'passives', label: 'Passives (7–8)', min: 7, max: 8, tone: 'neutral' },
    { name: 'promoters', label: 'Promoters (9–10)', min: 9, max: 10, tone: 'good' },
  ],
  method: () =>
    'Share of promoters (9–10) minus share of detractors (0–6) among valid 0–10 answers, in points (−100 to +100). ' +
    '95% interval: Wald, with standard error 100·√((P + D − (P − D)²)/n). Change vs the previous period: two-sided z-test on the difference of two independent NPS.',
};
