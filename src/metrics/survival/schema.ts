import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { flagValuesSchema } from '../flag-values.js';
import { customerFields } from '../customers.js';
import { metricFields } from '../score/schema.js';

export const survivalSchema = z
  .strictObject({
    type: z.literal('survival'),
    source: customerFields.source,
    id: z.string().optional().describe('Column holding the customer id; an id that occurs on more than one row is excluded (all its rows) and counted. Required by the date form (start/end), optional with `duration`.').meta({ examples: ['customer_id', 'customerID'] }),
    start: z.string().optional().describe('Date form: column holding the date the customer started (signup), ISO 8601 (e.g. 2026-01-15). Not with `duration`.').meta({ examples: ['signup_date'] }),
    end: z.string().optional().describe('Date form: column holding the date the customer left (cancellation), ISO 8601; empty while the customer is active. Not with `duration`.').meta({ examples: ['cancel_date'] }),
    duration: z
      .string()
      .optional()
      .describe('Durations form (R’s Surv(time, status), for data without dates): column holding each row’s time to the event or to censoring, a number ≥ 0 in `unit`s (e.g. tenure in months). Instead of `start`/`end`; needs `event` and `event_value`.')
      .meta({ examples: ['tenure', 'time'] }),
    event: z.string().optional().describe('Durations form: column saying whether the event (leaving, death…) happened at the end of the duration; see `event_value`.').meta({ examples: ['Churn', 'status'] }),
    event_value: flagValuesSchema(
      'Durations form: the value, or list of values, of the `event` column that mean the event happened (text compares case-insensitively, numbers by value); every other non-empty value is censored, an empty cell is excluded and counted.',
      ['Yes', 1, [2], true],
    ).optional(),
    date: z
      .string()
      .optional()
      .describe('Durations form: column whose date (ISO 8601, e.g. the start date) assigns each row to a period — needed with granularity month, quarter or year, optional with granularity all.')
      .meta({ examples: ['signup_date'] }),
    unit: z
      .enum(['day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years'])
      .optional()
      .describe('Unit of time. Date form: the unit tenure is measured in (months of 30.4375 days = 365.25/12, weeks of 7 days, years of 365.25 days; default month). Durations form: the unit of the `duration` column (default days).'),
    horizon: z
      .number()
      .positive()
      .optional()
      .describe('The headline value is the share still customers (no event) after this time, in `unit`s. Default: 12 in the date form; one year (365 days, 52 weeks, 12 months, 1 year) in the durations form.')
      .meta({ examples: [12, 24, 90] }),
    by: z.string().optional().describe('Column whose values split the customers into segments: one curve each, compared by a log-rank test.').meta({ examples: ['plan', 'acquisition_channel'] }),
    conf_type: z.enum(['log', 'log-log', 'plain']).default('log').describe('Scale of the pointwise 95% band (R survival’s conf.type; default log, as R).'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Customer survival (Kaplan–Meier): share of customers still customers after a tenure, with the median tenure. From start and end dates (customers still active are censored at the end of the report period), or from durations and an event flag (`duration`, `event`, `event_value`: R’s Surv(time, status); works with granularity all).');

export type SurvivalDef = z.infer<typeof survivalSchema>;

/** A unit of time, singular. */
export type TimeUnit = 'day' | 'week' | 'month' | 'year';

/** The survival config with its unit and horizon resolved (defaults depend on the form). */
export type SurvivalConfig = Omit<SurvivalDef, 'unit' | 'horizon'> & { unit: TimeUnit; horizon: number };
