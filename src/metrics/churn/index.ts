/** Churn and retention: the two metric modules, each taking the date form or the flag form. */
import type { MetricModule } from '../module.js';
import { computeLifecycle } from './compute.js';
import { computeFlags } from './flag.js';
import { prepareLifecycle, type PreparedLifecycle } from './prepare.js';
import { churnSchema, retentionSchema, type ChurnDef, type RetentionDef } from './schema.js';

export { churnSchema, retentionSchema, type ChurnDef, type RetentionDef } from './schema.js';
export { MESSAGES, FLAG_MESSAGES } from './messages.js';

export const churnModule: MetricModule<ChurnDef, PreparedLifecycle<ChurnDef>> = {
  type: 'churn',
  schema: churnSchema,
  title: 'Customer churn rate',
  pushdown: true,
  prepare: prepareLifecycle,
  compute: (prepared, ctx) => (prepared.kind === 'flags' ? computeFlags('churn', prepared, ctx) : computeLifecycle('churn', prepared, ctx)),
};

export const retentionModule: MetricModule<RetentionDef, PreparedLifecycle<RetentionDef>> = {
  type: 'retention',
  schema: retentionSchema,
  title: 'Customer retention rate',
  pushdown: true,
  prepare: prepareLifecycle,
  compute: (prepared, ctx) => (prepared.kind === 'flags' ? computeFlags('retention', prepared, ctx) : computeLifecycle('retention', prepared, ctx)),
};
