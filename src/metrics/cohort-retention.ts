/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const cohortRetentionSchema = z.strictObject({ type: z.literal('cohort-retention'), source: z.string(), ...metricFields }).describe('Cohort retention (not yet implemented).');
export const cohortRetentionModule: MetricModule = { type: 'cohort-retention', schema: cohortRetentionSchema, title: 'Cohort retention', prepare() { throw new Error('cohort-retention: not implemented'); }, compute() { throw new Error('cohort-retention: not implemented'); } };
