/** Config keys of the `sentiment` metric added for scorers, platform scores and the contrast of two groups. */
import { z } from 'zod';

export const scorerSchema = z
  .enum(['afinn', 'wink'])
  .describe(
    'How comments are scored: afinn (AFINN-165 word list, the default) or wink (wink-nlp with its English model; more accurate on the UCI labelled sentences: see docs/metrics/sentiment-scorers.md). Not with `score:`.',
  )
  .meta({ examples: ['wink'] });

export const scoreSchema = z
  .union([
    z.string(),
    z.strictObject({
      column: z.string().describe('Column holding the score.').meta({ examples: ['sentiment_score'] }),
      min: z.number().describe('The most negative value of the platform’s scale.').meta({ examples: [0, -5] }),
      max: z.number().describe('The most positive value of the platform’s scale.').meta({ examples: [100, 5] }),
    }),
  ])
  .describe(
    'Take sentiment from a column the survey or text platform already scored instead of scoring the text: a number from −1 to 1, or { column, min, max } for another range (rescaled linearly to −1…1). A label column (e.g. Negative / Neutral / Positive) is read through levels: under its source, lowest first. Values outside the range, or missing, are excluded and counted. Not with `scorer:`.',
  )
  .meta({ examples: ['sentiment_score', { column: 'sentiment_0_100', min: 0, max: 100 }] });

const sideSchema = z
  .strictObject({
    label: z.string().describe('Name of the group in the report, e.g. Detractors.').meta({ examples: ['Detractors', 'Promoters'] }),
    min: z.number().optional().describe('Lowest value of the column in the group (inclusive).').meta({ examples: [9] }),
    max: z.number().optional().describe('Highest value of the column in the group (inclusive).').meta({ examples: [6] }),
    values: z
      .array(z.union([z.string(), z.number()]))
      .optional()
      .describe('Values of the column in the group (a text column); instead of min/max.')
      .meta({ examples: [['Churned', 'Cancelled']] }),
  })
  .refine((s) => s.values !== undefined || s.min !== undefined || s.max !== undefined, { message: 'a contrast group needs min, max or values' });

export const contrastSchema = z
  .strictObject({
    column: z.string().describe('Column that puts each comment in a group, e.g. the NPS score of the same response.').meta({ examples: ['nps_score'] }),
    a: sideSchema.describe('The first group (what it says more is listed first).'),
    b: sideSchema.describe('The second group.'),
    top: z.number().int().min(1).max(20).default(8).describe('Phrases shown for each group.'),
    periods: z.number().int().min(1).max(24).default(1).describe('Comments of this many periods ending at the report period, pooled (1: the report period only); more periods find differences that one period is too small to show.'),
    min_z: z.number().min(0).default(1.96).describe('Only phrases with |z| at least this (1.96: the 95% level of the paper’s z-score).'),
  })
  .describe(
    'What one group of commenters says that the other does not (e.g. detractors against promoters): weighted log-odds ratios of the themes’ phrases with an informative Dirichlet prior from all comments of the period (Monroe, Colaresi & Quinn 2008).',
  )
  .meta({ examples: [{ column: 'nps_score', a: { label: 'Detractors', max: 6 }, b: { label: 'Promoters', min: 9 } }] });

export type ContrastDef = z.infer<typeof contrastSchema>;
export type ScoreDef = z.infer<typeof scoreSchema>;

/** Which side of a contrast a value falls in (a first), or null. */
export function sideOf(def: ContrastDef, raw: unknown): 'a' | 'b' | null {
  for (const key of ['a', 'b'] as const) {
    const s = def[key];
    if (s.values) {
      if (raw !== null && raw !== undefined && s.values.some((v) => String(v).trim().toLowerCase() === String(raw).trim().toLowerCase())) return key;
      continue;
    }
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) continue;
    const v = Number(raw);
    if (!Number.isFinite(v)) continue;
    if ((s.min === undefined || v >= s.min) && (s.max === undefined || v <= s.max)) return key;
  }
  return null;
}
