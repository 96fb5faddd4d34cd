import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';

export const revenueRetentionSchema = z
  .strictObject({
    type: z.literal('revenue-retention'),
    source: z.string().describe('Name of the source (under `sources:`) holding monthly MRR snapshots: one row per customer and month.').meta({ examples: ['mrr'] }),
    id: z.string().describe('Column holding the customer id.').meta({ examples: ['customer_id'] }),
    month: z.string().describe('Column holding the snapshot month, "YYYY-MM" (or an ISO date within the month).').meta({ examples: ['month'] }),
    mrr: z.string().describe('Column holding the monthly recurring revenue of the customer in that month (≥ 0; 0 or absent = not paying).').meta({ examples: ['mrr'] }),
    measure: z.enum(['nrr', 'grr']).default('nrr').describe('Headline value: net revenue retention (with expansion) or gross revenue retention (without expansion, at most 100%).'),
    resamples: z.number().int().min(100).max(10000).default(500).describe('Bootstrap resamples for the 95% interval and the change test.'),
    seed: z.number().int().min(0).default(1).describe('Seed of the bootstrap’s random number generator (the same data and seed give the same interval).'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Revenue retention (NRR/GRR) from monthly MRR snapshots, with the MRR bridge: start, new, expansion, contraction, churned, end.');

export type RevenueRetentionDef = z.infer<typeof revenueRetentionSchema>;
