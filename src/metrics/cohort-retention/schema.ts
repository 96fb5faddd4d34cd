/** Cohort retention's config schema: subscriptions (`start`, `end`) or an activity log (`date`). */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { customerFields } from '../customers.js';
import { metricFields } from '../score/schema.js';

export const cohortRetentionSchema = z
  .strictObject({
    type: z.literal('cohort-retention'),
    source: customerFields.source.describe('Name of the source (under `sources:`): a customers table (with `start`/`end`) or an activity log such as orders (with `date`).').meta({ examples: ['customers', 'orders'] }),
    id: z.string().describe('Column holding the customer id: once per customer with `start`/`end`; any number of rows per customer with `date`.').meta({ examples: ['customer_id'] }),
    start: z.string().optional().describe('Subscriptions: column holding the date the customer started (defines the cohort). Give `end` too; do not give `date`.').meta({ examples: ['signup_date'] }),
    end: z.string().optional().describe('Subscriptions: column holding the date the customer left; empty while active.').meta({ examples: ['cancel_date'] }),
    date: z.string().optional().describe('Activity log: column holding each activity’s date; the cohort is the period of a customer’s first row, and a customer is active in any period with a row. Do not give `start`/`end`.').meta({ examples: ['order_date'] }),
    cohorts: z.number().int().min(2).max(24).default(12).describe('Number of most recent cohorts shown in the triangle (up to and including the current period).'),
    at: z.number().int().min(1).max(23).default(3).describe('The headline value is the retention k = `at` periods after joining, pooled over the shown cohorts that have reached it; must be below `cohorts`.').meta({ examples: [3, 6] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Cohort retention: share of each signup (or first-activity) cohort still active k periods later, as a triangle and heatmap.');

export type CohortRetentionDef = z.infer<typeof cohortRetentionSchema>;
