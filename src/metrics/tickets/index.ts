/** The tickets metric type (support tickets: response and resolution times, SLA, reopen rate, volume, ticket CSAT). */
import type { MetricModule } from '../module.js';
import { computeTickets } from './compute.js';
import { prepareTickets } from './prepare.js';
import { ticketsSchema, type TicketsDef } from './schema.js';
import type { PreparedTickets } from './types.js';

export { ticketsSchema, type TicketsDef } from './schema.js';
export type { PreparedTickets } from './types.js';

export const ticketsModule: MetricModule<TicketsDef, PreparedTickets> = {
  type: 'tickets',
  schema: ticketsSchema,
  title: 'Support tickets',
  pushdown: true,
  prepare: prepareTickets,
  compute: computeTickets,
};
