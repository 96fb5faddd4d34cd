/** The config schemas of churn and retention: the date form (`id`, `start`, `end`) and the flag form (`churned`, `churned_value`). */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { customerFields } from '../customers.js';
import { flagValuesSchema } from '../flag-values.js';
import { metricFields } from '../score/schema.js';

/**
 * Churn and retention come in two forms: dates (`id`, `start`, `end`: customers active at a
 * period's start, lost during it) and a flag (`churned`, `churned_value`: snapshot data such as
 * IBM's Telco file, see flag.ts). `checkLifecycleForm` tells them apart and rejects a mix.
 */
const lifecycleFields = {
  source: customerFields.source,
  id: z.string().optional().describe('Column holding the customer id; an id that occurs on more than one row is excluded (all its rows) and counted. Required by the date form, optional with `churned`.').meta({ examples: ['customer_id', 'customerID'] }),
  start: z.string().optional().describe('Date form: column holding the date the customer started (signup), ISO 8601 (e.g. 2026-01-15). Not with `churned`.').meta({ examples: ['signup_date'] }),
  end: z.string().optional().describe('Date form: column holding the date the customer left (cancellation), ISO 8601; empty while the customer is active. Not with `churned`.').meta({ examples: ['cancel_date'] }),
  churned: z
    .string()
    .optional()
    .describe('Flag form (snapshot data without dates): column whose value says whether the customer left; the share of customers whose value is one of `churned_value` among those with a non-empty value. Instead of `start`/`end`.')
    .meta({ examples: ['Churn', 'churned'] }),
  churned_value: flagValuesSchema(
    'Flag form: the value, or list of values, of the `churned` column that mean the customer left (text compares case-insensitively, numbers by value); every other non-empty value means still a customer, an empty cell is excluded and counted.',
    ['Yes', 1, [true, 'yes']],
  ).optional(),
  date: z
    .string()
    .optional()
    .describe('Flag form: column whose date (ISO 8601) assigns each customer to a period — needed with granularity month, quarter or year, optional with granularity all.')
    .meta({ examples: ['snapshot_date', 'signup_date'] }),
  ...metricFields,
  filter: filterSchema.optional(),
};

export const churnSchema = z
  .strictObject({ type: z.literal('churn'), ...lifecycleFields })
  .describe('Customer churn rate: customers lost during the period as a percentage of the customers active at its start (dates: `id`, `start`, `end`), or the share of customers flagged as lost (a flag: `churned`, `churned_value`; works with granularity all). Wilson 95% interval, pooled two-proportion z-test.');

export const retentionSchema = z
  .strictObject({ type: z.literal('retention'), ...lifecycleFields })
  .describe('Customer retention rate (CRR): customers active at the start of the period who are still active at its end, as a percentage (dates), or the share of customers not flagged as lost (a flag: `churned`, `churned_value`). Wilson 95% interval, pooled two-proportion z-test.');

export type ChurnDef = z.infer<typeof churnSchema>;
export type RetentionDef = z.infer<typeof retentionSchema>;
