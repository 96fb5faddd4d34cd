/**
 * Customer survival: the Kaplan–Meier estimate of the share of customers still customers after a
 * given tenure, from each customer's start and end dates, with customers still active censored
 * at the end of the report period. Greenwood 95% band (R survival's conventions, see
 * models/kaplan-meier.ts), the median tenure with its interval, and optionally one curve per
 * segment (`by:`) with a log-rank test across the segments.
 */
import type { MetricModule } from '../module.js';
import { computeSurvival } from './compute.js';
import { prepareSurvival, type PreparedSurvival } from './prepare.js';
import { survivalSchema, type SurvivalDef } from './schema.js';

export { survivalSchema, type SurvivalDef } from './schema.js';
export type { PreparedSurvival } from './prepare.js';

export const survivalModule: MetricModule<SurvivalDef, PreparedSurvival> = {
  type: 'survival',
  schema: survivalSchema,
  title: 'Customer survival (Kaplan–Meier)',
  pushdown: true,
  prepare: prepareSurvival,
  compute: computeSurvival,
};
