/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const sentimentSchema = z.strictObject({ type: z.literal('sentiment'), source: z.string(), ...metricFields }).describe('Comment sentiment (not yet implemented).');
export const sentimentModule: MetricModule = { type: 'sentiment', schema: sentimentSchema, title: 'Comment sentiment', prepare() { throw new Error('sentiment: not implemented'); }, compute() { throw new Error('sentiment: not implemented'); } };
