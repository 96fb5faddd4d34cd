/** The reviews metric's config schema. */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';

export const reviewsSchema = z
  .strictObject({
    type: z.literal('reviews'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per review.').meta({ examples: ['reviews'] }),
    rating: z.string().describe('Column with the star rating (whole stars, 1..scale).').meta({ examples: ['rating'] }),
    date: z
      .string()
      .optional()
      .describe('Column with the review date or timestamp (ISO 8601); assigns each review to a period. Required with granularity month, quarter or year; optional with granularity all (reviews counted with or without a date).')
      .meta({ examples: ['submitted_at'] }),
    product: z.string().optional().describe('Column naming the product (or listing) reviewed; adds a per-product table.').meta({ examples: ['product'] }),
    scale: z.number().int().min(2).max(10).default(5).describe('Highest number of stars; ratings run 1..scale.'),
    measure: z
      .enum(['mean', 'top2'])
      .default('mean')
      .describe('The metric’s value: mean stars (t interval, Welch test) or the share of top-two ratings, e.g. 4–5 stars (Wilson interval, z-test).')
      .meta({ examples: ['mean', 'top2'] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Reviews and ratings: mean stars, share of top-two stars, the star distribution and review volume.');

export type ReviewsDef = z.infer<typeof reviewsSchema>;
