/** The cohort retention metric module. */
import type { MetricModule } from '../module.js';
import { computeCohorts } from './compute.js';
import { prepareCohortsAnywhere, type PreparedCohorts } from './prepare.js';
import { cohortRetentionSchema, type CohortRetentionDef } from './schema.js';

export { cohortRetentionSchema, type CohortRetentionDef } from './schema.js';
export { overlapZTest, type CohortRow } from './compute.js';
export { MESSAGES } from './messages.js';

export const cohortRetentionModule: MetricModule<CohortRetentionDef, PreparedCohorts> = {
  type: 'cohort-retention',
  schema: cohortRetentionSchema,
  title: 'Cohort retention',
  pushdown: true,
  prepare: prepareCohortsAnywhere,
  needsPeriods: 'customers are grouped into cohorts by the period they started in',
  compute: computeCohorts,
};
