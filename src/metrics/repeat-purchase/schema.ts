/** The repeat purchase rate's config schema. */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';

export const repeatPurchaseRateSchema = z
  .strictObject({
    type: z.literal('repeat-purchase-rate').describe('Share of buying customers who bought more than once in a rolling window.'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per order or purchase.').meta({ examples: ['orders'] }),
    customer: z.string().default('customer_id').describe('Column holding the customer (account) id.').meta({ examples: ['customer_id'] }),
    date: z.string().describe('Column holding the purchase date or timestamp (ISO 8601, e.g. 2026-10-14).').meta({ examples: ['order_date'] }),
    amount: z
      .string()
      .optional()
      .describe('Optional column holding the order amount; when given, rows with a missing, non-numeric or negative amount are excluded and counted (zero is allowed).')
      .meta({ examples: ['amount'] }),
    window_days: z
      .number()
      .int()
      .min(1)
      .max(3660)
      .default(365)
      .describe('Length of the window, in days, ending at the end of each reporting period.')
      .meta({ examples: [365, 180, 90] }),
    purchases: z
      .enum(['orders', 'days'])
      .default('orders')
      .describe('What counts as one purchase: each valid row (`orders`), or each calendar day with a purchase (`days`, as BTYD and lifetimes count; several orders on one day count once).'),
    filter: filterSchema.optional(),
    ...metricFields,
  })
  .describe('Repeat purchase rate: customers with more than one purchase in the window ÷ customers with any purchase in it, as a percentage.');

export type RepeatPurchaseDef = z.infer<typeof repeatPurchaseRateSchema>;
