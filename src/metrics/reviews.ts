/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const reviewsSchema = z.strictObject({ type: z.literal('reviews'), source: z.string(), ...metricFields }).describe('Review ratings (not yet implemented).');
export const reviewsModule: MetricModule = { type: 'reviews', schema: reviewsSchema, title: 'Review ratings', prepare() { throw new Error('reviews: not implemented'); }, compute() { throw new Error('reviews: not implemented'); } };
