/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const clvSchema = z.strictObject({ type: z.literal('clv'), source: z.string(), ...metricFields }).describe('Customer lifetime value (not yet implemented).');
export const clvModule: MetricModule = { type: 'clv', schema: clvSchema, title: 'Customer lifetime value', prepare() { throw new Error('clv: not implemented'); }, compute() { throw new Error('clv: not implemented'); } };
