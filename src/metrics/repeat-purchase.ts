/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const repeatPurchaseRateSchema = z.strictObject({ type: z.literal('repeat-purchase-rate'), source: z.string(), ...metricFields }).describe('Repeat purchase rate (not yet implemented).');
export const repeatPurchaseRateModule: MetricModule = { type: 'repeat-purchase-rate', schema: repeatPurchaseRateSchema, title: 'Repeat purchase rate', prepare() { throw new Error('repeat-purchase-rate: not implemented'); }, compute() { throw new Error('repeat-purchase-rate: not implemented'); } };
