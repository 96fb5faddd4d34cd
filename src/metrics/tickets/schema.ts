/** The tickets metric's configuration. */
import { z } from 'zod';
import { filterSchema } from '../../kernel/filter.js';
import { metricFields } from '../score/schema.js';

const hoursTarget = z
  .union([z.number().positive(), z.record(z.string(), z.number().positive())])
  .meta({ examples: [4, { urgent: 1, high: 2, normal: 4, low: 8 }] });

export const MEASURES = ['first_response', 'resolution', 'sla', 'reopen_rate', 'volume', 'csat'] as const;
export type TicketMeasure = (typeof MEASURES)[number];

export const ticketsSchema = z
  .strictObject({
    type: z.literal('tickets'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per ticket.').meta({ examples: ['tickets'] }),
    created: z.string().describe('Column with the ticket creation timestamp (ISO 8601); assigns each ticket to a period.').meta({ examples: ['created_at'] }),
    first_response: z.string().describe('Column with the timestamp of the first agent reply (ISO 8601); empty while the ticket awaits a reply.').meta({ examples: ['first_response_at'] }),
    resolved: z.string().describe('Column with the resolution timestamp (ISO 8601); empty while the ticket is open (open tickets are counted, not excluded).').meta({ examples: ['resolved_at'] }),
    channel: z.string().optional().describe('Column with the contact channel; gives volume by channel.').meta({ examples: ['channel'] }),
    priority: z.string().optional().describe('Column with the ticket priority; needed when SLA targets are given per priority.').meta({ examples: ['priority'] }),
    reopened: z.string().optional().describe('Column flagging reopened tickets (true/false, yes/no, 1/0); needed for measure: reopen_rate.').meta({ examples: ['reopened'] }),
    csat: z.string().optional().describe('Column with the ticket satisfaction answer on 1..csat_scale; needed for measure: csat.').meta({ examples: ['csat'] }),
    csat_scale: z.number().int().min(2).max(11).default(5).describe('Highest answer of the ticket CSAT question; the top two answers count as satisfied.'),
    measure: z
      .enum(MEASURES)
      .default('first_response')
      .describe('Which measure is the metric’s value: first_response / resolution (median hours), sla (share of resolved tickets within both targets), reopen_rate, volume (tickets created) or csat (share of 4–5).')
      .meta({ examples: ['first_response', 'sla'] }),
    sla: z
      .strictObject({
        first_response_hours: hoursTarget.default(4).describe('First-response target in hours: one number, or per priority value (e.g. { urgent: 1, high: 2, normal: 4, low: 8 }; a `default` key covers other priorities).'),
        resolution_hours: hoursTarget.default(48).describe('Resolution target in hours: one number, or per priority value (a `default` key covers other priorities).'),
      })
      .prefault({})
      .describe('Service-level targets used for SLA attainment.')
      .meta({ examples: [{ first_response_hours: 4, resolution_hours: 48 }, { first_response_hours: { urgent: 1, high: 2, normal: 4, low: 8 }, resolution_hours: 48 }] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Support tickets: first response and resolution time (median, p90), SLA attainment, reopen rate, volume and ticket CSAT.');

export type TicketsDef = z.infer<typeof ticketsSchema>;
