import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';

export const clvSchema = z
  .strictObject({
    type: z.literal('clv').describe('Customer lifetime value: simple (ARPA × margin ÷ churn) or probabilistic (BG/NBD + Gamma-Gamma).'),
    method: z
      .enum(['simple', 'bgnbd'])
      .default('bgnbd')
      .describe('`simple`: ARPA × margin ÷ churn rate per period, from a revenue/MRR source. `bgnbd`: BG/NBD purchase model + Gamma-Gamma spend model fitted on an orders source.')
      .meta({ examples: ['bgnbd', 'simple'] }),
    source: z
      .string()
      .describe('Name of the source (under `sources:`): orders (one row per order) for `bgnbd`; revenue or MRR rows per account (e.g. monthly snapshots) for `simple`.')
      .meta({ examples: ['orders', 'mrr'] }),
    customer: z.string().default('customer_id').describe('Column holding the customer (account) id.').meta({ examples: ['customer_id'] }),
    date: z
      .string()
      .describe('Column holding the order date (`bgnbd`, ISO 8601) or the revenue period (`simple`: ISO date, or a month like 2026-10).')
      .meta({ examples: ['order_date', 'month'] }),
    amount: z
      .string()
      .describe('Column holding the order amount (`bgnbd`) or the revenue / MRR of the account in that row (`simple`); missing, non-numeric and negative values are excluded and counted.')
      .meta({ examples: ['amount', 'mrr'] }),
    margin: z.number().gt(0).max(1).default(0.8).describe('Gross margin, as a fraction of revenue (0.8 = 80%); CLV is margin, not revenue.').meta({ examples: [0.8, 0.65] }),
    customers: z
      .string()
      .optional()
      .describe('`simple` only: source with one row per customer (signup and cancel dates) for the churn rate: customers lost during the period ÷ customers active at its start.')
      .meta({ examples: ['customers'] }),
    signup: z.string().default('signup_date').describe('`simple` only: column of the customers source holding the signup date.').meta({ examples: ['signup_date'] }),
    cancel: z.string().default('cancel_date').describe('`simple` only: column of the customers source holding the cancel date (empty while active).').meta({ examples: ['cancel_date'] }),
    churn_rate: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('`simple` only: a fixed churn rate per reporting period (0.02 = 2% a month in a monthly report), instead of `customers`.')
      .meta({ examples: [0.02] }),
    horizon_months: z.number().int().min(1).max(120).default(12).describe('`bgnbd` only: months of future purchases counted in the expected value.').meta({ examples: [12, 24, 36] }),
    discount_rate: z.number().min(0).max(1).default(0.1).describe('`bgnbd` only: annual discount rate (0.10 = 10% a year), applied monthly.').meta({ examples: [0.1] }),
    top: z.number().int().min(1).max(100).default(10).describe('`bgnbd` only: number of top accounts (by expected value) listed.').meta({ examples: [10] }),
    filter: filterSchema.optional(),
    ...metricFields,
  })
  .describe('Customer lifetime value: ARPA × margin ÷ churn (`simple`), or BG/NBD + Gamma-Gamma expected value per customer (`bgnbd`).');

export type ClvDef = z.infer<typeof clvSchema>;
