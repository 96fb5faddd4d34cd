/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const churnSchema = z.strictObject({ type: z.literal('churn'), source: z.string(), ...metricFields }).describe('Churn rate (not yet implemented).');
export const churnModule: MetricModule = { type: 'churn', schema: churnSchema, title: 'Churn rate', prepare() { throw new Error('churn: not implemented'); }, compute() { throw new Error('churn: not implemented'); } };

export const retentionSchema = z.strictObject({ type: z.literal('retention'), source: z.string(), ...metricFields }).describe('Customer retention rate (not yet implemented).');
export const retentionModule: MetricModule = { type: 'retention', schema: retentionSchema, title: 'Customer retention rate', prepare() { throw new Error('retention: not implemented'); }, compute() { throw new Error('retention: not implemented'); } };
