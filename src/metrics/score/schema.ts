/** Config keys shared by metrics: every metric type has `metricFields`; survey-score metrics add the score columns. */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';

/** Keys every metric type accepts. */
export const metricFields = {
  label: z.string().optional().describe('Display label; defaults to the metric type’s short name.'),
  description: z.string().optional().describe('One sentence shown under the KPI card and in the methods appendix.'),
  target: z.number().optional().describe('Target value, drawn on trends and shown on KPI cards (in the metric’s display unit).'),
  min_sample: z.number().int().positive().optional().describe('Values computed from fewer cases are flagged low-sample (default: report.min_sample, 30).'),
  allow_empty: z
    .boolean()
    .optional()
    .describe('Accept a report period in which this metric has no valid value although it has rows (every one excluded). Without it, such a build stops with the top exclusion reason, example values with their lines, and the fix.'),
};

/** Keys of survey-score metrics (NPS, CSAT, CES). */
export const scoreMetricFields = {
  source: z.string().describe('Name of the source (under `sources:`) the responses come from.').meta({ examples: ['responses'] }),
  score: z.string().describe('Column holding the score.').meta({ examples: ['nps_score'] }),
  date: z
    .string()
    .optional()
    .describe('Column holding the response timestamp (ISO 8601); assigns each response to a period. Required with granularity month, quarter or year; optional with granularity all (one period over all data, answers counted with or without a date).')
    .meta({ examples: ['submitted_at'] }),
  ...metricFields,
  filter: filterSchema.optional(),
};
