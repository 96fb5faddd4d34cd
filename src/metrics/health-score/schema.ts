/** The health-score metric's configuration. */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';

const componentSchema = z
  .strictObject({
    column: z.string().describe('Column holding the signal.').meta({ examples: ['logins_30d'] }),
    label: z.string().optional().describe('Name shown in tables; defaults to the column name.'),
    weight: z.number().positive().default(1).describe('Relative weight in the score (weights are re-scaled over the components present).'),
    direction: z.enum(['higher-is-better', 'lower-is-better']).default('higher-is-better').describe('Whether a higher value means a healthier account (logins) or a less healthy one (open tickets, days overdue).'),
    min: z.number().optional().describe('Value that scores 0 (100 when lower is better); default: the 5th percentile of the data.').meta({ examples: [0] }),
    max: z.number().optional().describe('Value that scores 100 (0 when lower is better); default: the 95th percentile of the data.').meta({ examples: [100, 60] }),
  })
  .describe('One signal of the health score.')
  .meta({ examples: [{ column: 'logins_30d', weight: 2, direction: 'higher-is-better' }, { column: 'days_overdue', weight: 1, direction: 'lower-is-better', min: 0, max: 60 }] });

export const healthScoreSchema = z
  .strictObject({
    type: z.literal('health-score'),
    source: z.string().describe('Name of the source (under `sources:`) with one row per account and snapshot.').meta({ examples: ['health'] }),
    id: z.string().describe('Column with the account (customer) id.').meta({ examples: ['customer_id'] }),
    period: z.string().optional().describe('Column with the snapshot month as YYYY-MM (give this or `date`).').meta({ examples: ['month'] }),
    date: z.string().optional().describe('Column with the snapshot date (ISO 8601; give this or `period`).').meta({ examples: ['snapshot_date'] }),
    components: z.array(componentSchema).min(1).describe('The signals combined into the score, each normalised to 0–100.'),
    bands: z
      .strictObject({
        red: z.number().min(0).max(100).default(40).describe('Scores below this are red.'),
        amber: z.number().min(0).max(100).default(70).describe('Scores from `red` up to below this are amber; this and above are green.'),
      })
      .prefault({})
      .describe('Band thresholds: red < red ≤ amber < amber ≤ green.')
      .meta({ examples: [{ red: 40, amber: 70 }] }),
    top: z.number().int().min(1).max(100).default(10).describe('How many at-risk accounts to list.'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Customer health score: weighted composite of normalised component signals per account (0–100), with red/amber/green bands.');

export type HealthScoreDef = z.infer<typeof healthScoreSchema>;
