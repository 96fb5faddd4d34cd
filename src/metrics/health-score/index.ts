/** The health-score metric type (a weighted composite of normalised component signals per account, with red/amber/green bands). */
import type { MetricModule } from '../module.js';
import { computeHealth } from './compute.js';
import { prepareHealth } from './prepare.js';
import { healthScoreSchema, type HealthScoreDef } from './schema.js';
import type { PreparedHealth } from './types.js';

export { healthScoreSchema, type HealthScoreDef } from './schema.js';
export type { PreparedHealth } from './types.js';

export const healthScoreModule: MetricModule<HealthScoreDef, PreparedHealth> = {
  type: 'health-score',
  schema: healthScoreSchema,
  title: 'Customer health score',
  pushdown: true,
  prepare: prepareHealth,
  compute: computeHealth,
};
