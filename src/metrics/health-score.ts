/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const healthScoreSchema = z.strictObject({ type: z.literal('health-score'), source: z.string(), ...metricFields }).describe('Customer health score (not yet implemented).');
export const healthScoreModule: MetricModule = { type: 'health-score', schema: healthScoreSchema, title: 'Customer health score', prepare() { throw new Error('health-score: not implemented'); }, compute() { throw new Error('health-score: not implemented'); } };
