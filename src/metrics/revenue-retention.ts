/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const revenueRetentionSchema = z.strictObject({ type: z.literal('revenue-retention'), source: z.string(), ...metricFields }).describe('Net revenue retention (not yet implemented).');
export const revenueRetentionModule: MetricModule = { type: 'revenue-retention', schema: revenueRetentionSchema, title: 'Net revenue retention', prepare() { throw new Error('revenue-retention: not implemented'); }, compute() { throw new Error('revenue-retention: not implemented'); } };
