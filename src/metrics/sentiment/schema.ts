/** The sentiment metric's configuration. */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';
import { contrastSchema, scoreSchema, scorerSchema } from '../text/schema.js';

export const sentimentSchema = z
  .strictObject({
    type: z.literal('sentiment'),
    source: z.string().describe('Name of the source (under `sources:`) holding the comments.').meta({ examples: ['responses', 'reviews'] }),
    text: z.string().describe('Column with the comment text; empty comments are excluded and counted.').meta({ examples: ['comment'] }),
    date: z.string().describe('Column with the comment timestamp (ISO 8601); assigns each comment to a period.').meta({ examples: ['submitted_at'] }),
    group: z.string().optional().describe('Column to report sentiment shares by (e.g. channel, product).').meta({ examples: ['channel'] }),
    thresholds: z
      .strictObject({
        positive: z.number().default(0.05).describe('A comment is positive when its comparative score (AFINN sum / number of tokens) is above this.'),
        negative: z.number().default(-0.05).describe('A comment is negative when its comparative score is below this.'),
      })
      .prefault({})
      .describe('Classification thresholds on the comparative score; between them a comment is neutral.')
      .meta({ examples: [{ positive: 0.05, negative: -0.05 }] }),
    themes: z
      .strictObject({
        top: z.number().int().min(0).max(50).default(10).describe('How many themes to report.'),
        min_count: z.number().int().min(1).default(3).describe('A theme (phrase) must appear in at least this many comments of the period.'),
        examples: z.number().int().min(0).max(5).default(3).describe('Example quotes per theme.'),
        stop_words: z.array(z.string()).default([]).describe('Extra words to ignore in themes (e.g. the company or product name).'),
        emerging: z.number().int().min(0).max(20).default(5).describe('How many emerging themes to report: phrases whose share of comments rose significantly against the previous period (BH-adjusted); 0 for none.'),
      })
      .prefault({})
      .describe('Frequent themes: keyphrases (noun phrases found by wink-nlp, without stop words and filler), with counts, net sentiment, example quotes and emerging themes.')
      .meta({ examples: [{ top: 10, min_count: 3, stop_words: ['acme'] }] }),
    scorer: scorerSchema.optional(),
    score: scoreSchema.optional(),
    contrast: contrastSchema.optional(),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Comment sentiment: lexicon scores (AFINN-165, or wink-nlp with `scorer: wink`, or a platform\'s own `score:` column) classified positive / neutral / negative; net sentiment, shares, themes, emerging themes and an optional contrast of two groups.');

export type SentimentDef = z.infer<typeof sentimentSchema>;
