/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const survivalSchema = z.strictObject({ type: z.literal('survival'), source: z.string(), ...metricFields }).describe('Customer survival (Kaplan–Meier) (not yet implemented).');
export const survivalModule: MetricModule = { type: 'survival', schema: survivalSchema, title: 'Customer survival (Kaplan–Meier)', prepare() { throw new Error('survival: not implemented'); }, compute() { throw new Error('survival: not implemented'); } };
