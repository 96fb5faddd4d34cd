/** Revenue retention (NRR/GRR) from monthly MRR snapshots: the module, assembled from its parts. */
import type { MetricModule } from '../module.js';
import { computeRevenue } from './compute.js';
import { prepareRevenue, type PreparedRevenue } from './prepare.js';
import { revenueRetentionSchema, type RevenueRetentionDef } from './schema.js';

export { revenueRetentionSchema, type RevenueRetentionDef } from './schema.js';
export type { PreparedRevenue } from './prepare.js';

export const revenueRetentionModule: MetricModule<RevenueRetentionDef, PreparedRevenue> = {
  type: 'revenue-retention',
  schema: revenueRetentionSchema,
  title: 'Revenue retention (NRR/GRR)',
  prepare: prepareRevenue,
  needsPeriods: 'revenue at the end of a period is compared with the same customers’ revenue at its start',
  compute: computeRevenue,
};
