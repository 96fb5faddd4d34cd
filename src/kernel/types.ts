/**
 * Score metrics (survey answers on a scale: NPS, CSAT, CES, …): the rules for a valid score, the
 * indicator counts a type needs, and how its sufficient statistics (n, sum, sum of squares,
 * indicator counts per period and group) are finalised into a value, interval and change test.
 * Sufficient statistics add up, so any union of periods or groups is finalised the same way.
 * `scoreModule` (metrics/score/index.ts) turns a ScoreType into a MetricModule.
 */
import type { z } from 'zod';
import type { Interval } from './stats.js';

/** Additive sufficient statistics of the valid scores in one cell (period × group). */
export interface Stats {
  n: number;
  sum: number;
  sumSq: number;
  /** count of scores for which each named indicator holds (e.g. promoters) */
  counts: Record<string, number>;
}

/** What one cell's statistics mean: the estimate shown to a reader. */
export interface Estimate {
  value: number | null;
  n: number;
  ci: Interval | null;
  se?: number | null;
}

/** Result of a change test between two cells. */
export interface ChangeTest {
  /** name of the test, for the methods appendix */
  test: string;
  statistic: number | null;
  p: number | null;
}

/** Valid-score rules: anything else is excluded and counted. */
export interface ScoreRules {
  min: number;
  max: number;
  integer: boolean;
}

/** A named band of scores (e.g. NPS detractors), used for distribution colours and verbatim filters. */
export interface Band {
  name: string;
  label: string;
  min: number;
  max: number;
  /** semantic tone for colouring */
  tone: 'bad' | 'neutral' | 'good';
}

export interface ScoreType<D extends { type: string } = { type: string }> {
  type: D['type'];
  /** config schema of one metric of this type */
  schema: z.ZodType<D>;
  /** full name, e.g. "Net Promoter Score" */
  title: string;
  /** how values are displayed: signed points, percent, or a score on the scale */
  unit(def: D): 'points' | 'percent' | 'score';
  rules(def: D): ScoreRules;
  /** indicators whose counts the statistics need, as inclusive score ranges */
  indicators(def: D): Record<string, { min: number; max: number } | { values: number[] }>;
  finalise(stats: Stats, def: D): Estimate;
  compare(previous: Stats, current: Stats, def: D): ChangeTest;
  higherIsBetter(def: D): boolean;
  /** scale bounds for axes, e.g. [-100, 100] or [1, 7] */
  domain(def: D): [number, number];
  /** score bands for distributions and verbatim filters */
  bands(def: D): Band[];
  /** one paragraph for the methods appendix */
  method(def: D): string;
}

/** Config keys every score metric has (see metrics/score/schema.ts). */
export interface ScoreDef {
  type: string;
  source: string;
  score: string;
  /** absent only with granularity all */
  date?: string;
  label?: string;
  description?: string;
  target?: number;
  min_sample?: number;
  filter?: Record<string, unknown>;
}

export const emptyStats = (): Stats => ({ n: 0, sum: 0, sumSq: 0, counts: {} });

/** Sum of two cells' statistics. */
export function addStats(a: Stats, b: Stats): Stats {
  const counts: Record<string, number> = { ...a.counts };
  for (const [k, v] of Object.entries(b.counts)) counts[k] = (counts[k] ?? 0) + v;
  return { n: a.n + b.n, sum: a.sum + b.sum, sumSq: a.sumSq + b.sumSq, counts };
}
