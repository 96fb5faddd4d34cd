/** STUB — being implemented; keep the exported names. */
import { z } from 'zod';
import type { MetricModule } from './module.js';
import { metricFields } from './score-schema.js';

export const ticketsSchema = z.strictObject({ type: z.literal('tickets'), source: z.string(), ...metricFields }).describe('Support tickets (not yet implemented).');
export const ticketsModule: MetricModule = { type: 'tickets', schema: ticketsSchema, title: 'Support tickets', prepare() { throw new Error('tickets: not implemented'); }, compute() { throw new Error('tickets: not implemented'); } };
