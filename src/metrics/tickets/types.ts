/** The forms the tickets metric's data takes between its steps: records, prepared tickets, cells. */
import type { ColumnTable } from 'arquero';
import type { Granularity } from '../../kernel/period.js';
import type { Prepared } from '../module.js';
import type { TicketsDef } from './schema.js';

export type TicketExclusion =
  | 'missing or invalid created time'
  | 'invalid first response time'
  | 'invalid resolved time'
  | 'first response before creation'
  | 'resolved before creation'
  | 'resolved before first response';

export interface PreparedTickets extends Prepared {
  kind: 'tickets';
  id: string;
  def: TicketsDef;
  granularity: Granularity;
  sourceName: string;
  /** source columns plus the derived __ columns; status 'ok' marks valid rows */
  table: ColumnTable;
  firstPeriod: string | undefined;
  /** row exclusions per period ('undated' for rows without a valid creation time) */
  exclusions: Map<string, Record<string, number>>;
  /** unusable cells of optional fields (reopened, csat, priority) per period, rows kept */
  fieldIssues: Map<string, Record<string, number>>;
  /** 'sql' when the database made the ticket cells */
  engine: 'memory' | 'sql';
}

/**
 * Tickets as the metric sees them: per ticket (in memory) or per database cell of tickets alike in
 * everything the metric uses (pushed down: `ticketCellsSql`), the creation period, the latest
 * creation time, the times to first response and to resolution (ms; null when empty, NaN when
 * unreadable), the raw priority, reopened and CSAT cells, the grouping columns and a weight.
 */
export interface TicketRecords {
  n: number;
  period: (string | null)[];
  ts: Float64Array;
  fr: (number | null)[];
  res: (number | null)[];
  priority: ArrayLike<unknown> | null;
  reopened: ArrayLike<unknown> | null;
  csat: ArrayLike<unknown> | null;
  /** source columns (in memory: all of them; pushed down: the grouping columns) */
  table: ColumnTable;
  weight: Float64Array | null;
  /**
   * granularity all: records without a valid creation time, kept (1) — counted in volume, open,
   * reopen rate and CSAT, left out of the durations and SLA (no time to measure from)
   */
  undated?: Uint8Array;
  /** `on_invalid: error` for record i: throws with the record's location */
  reject: (i: number, column: string, raw: unknown, reason: string) => void;
  engine: 'memory' | 'sql';
}


export interface TicketCell {
  volume: number;
  open: number;
  awaiting: number;
  /** first response hours, ascending */
  fr: Float64Array;
  /** resolution hours, ascending */
  res: Float64Array;
  frMet: number;
  frN: number;
  resMet: number;
  resN: number;
  slaMet: number;
  slaN: number;
  reopened: number;
  reopenN: number;
  csatSat: number;
  csatN: number;
}
