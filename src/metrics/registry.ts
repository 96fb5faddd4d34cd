/**
 * The metric types, registered in one table: adding a type touches its folder (src/metrics/<type>/)
 * and one entry of `metricModules` here — the module brings its schema, which the config schema
 * is composed from (app/schema.ts currentConfigSchema).
 */
import type { MetricModule } from './module.js';
import { ces, cesSchema, csat, csatSchema, nps, npsSchema, scoreModule } from './score/index.js';
import { churnModule, churnSchema, retentionModule, retentionSchema } from './churn/index.js';
import { cohortRetentionModule, cohortRetentionSchema } from './cohort-retention/index.js';
import { survivalModule, survivalSchema } from './survival/index.js';
import { repeatPurchaseRateModule, repeatPurchaseRateSchema } from './repeat-purchase/index.js';
import { clvModule, clvSchema } from './clv/index.js';
import { revenueRetentionModule, revenueRetentionSchema } from './revenue-retention/index.js';
import { ticketsModule, ticketsSchema } from './tickets/index.js';
import { reviewsModule, reviewsSchema } from './reviews/index.js';
import { sentimentModule, sentimentSchema } from './sentiment/index.js';
import { healthScoreModule, healthScoreSchema } from './health-score/index.js';

export const metricModules: Record<string, MetricModule> = {
  nps: scoreModule(nps),
  csat: scoreModule(csat),
  ces: scoreModule(ces),
  'churn': churnModule,
  'retention': retentionModule,
  'cohort-retention': cohortRetentionModule,
  'survival': survivalModule,
  'repeat-purchase-rate': repeatPurchaseRateModule,
  'clv': clvModule,
  'revenue-retention': revenueRetentionModule,
  'tickets': ticketsModule,
  'reviews': reviewsModule,
  'sentiment': sentimentModule,
  'health-score': healthScoreModule,
};

/** The module for a metric type name. */
export function metricModule(name: string): MetricModule {
  const module = metricModules[name];
  if (!module) throw new Error(`unknown metric type ${name}`);
  return module;
}

/** The built-in types' config schemas, in registry order: they type the built-in metric definitions (app/schema.ts `MetricDef`) for the code above. */
export const metricSchemas = [npsSchema, csatSchema, cesSchema, churnSchema, retentionSchema, cohortRetentionSchema, survivalSchema, repeatPurchaseRateSchema, clvSchema, revenueRetentionSchema, ticketsSchema, reviewsSchema, sentimentSchema, healthScoreSchema] as const;
