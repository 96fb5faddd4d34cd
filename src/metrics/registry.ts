/** The metric types, registered in one table: adding a type touches its module and one line here. */
import { ces, cesSchema } from './ces.js';
import { csat, csatSchema } from './csat.js';
import type { MetricModule } from './module.js';
import { nps, npsSchema } from './nps.js';
import { scoreModule } from './score-module.js';
import { churnModule, churnSchema, retentionModule, retentionSchema } from './churn.js';
import { cohortRetentionModule, cohortRetentionSchema } from './cohort-retention.js';
import { survivalModule, survivalSchema } from './survival/index.js';
import { repeatPurchaseRateModule, repeatPurchaseRateSchema } from './repeat-purchase.js';
import { clvModule, clvSchema } from './clv/index.js';
import { revenueRetentionModule, revenueRetentionSchema } from './revenue-retention/index.js';
import { ticketsModule, ticketsSchema } from './tickets.js';
import { reviewsModule, reviewsSchema } from './reviews.js';
import { sentimentModule, sentimentSchema } from './sentiment.js';
import { healthScoreModule, healthScoreSchema } from './health-score.js';

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

/** Config schemas of every metric type, for the config's discriminated union. */
export const metricSchemas = [npsSchema, csatSchema, cesSchema, churnSchema, retentionSchema, cohortRetentionSchema, survivalSchema, repeatPurchaseRateSchema, clvSchema, revenueRetentionSchema, ticketsSchema, reviewsSchema, sentimentSchema, healthScoreSchema] as const;
