/** SQL text of the tickets metric's pushdown: the ticket cells. */
import { ident, type SqlRelation } from '../../sources/sql.js';
import type { TicketsDef } from './schema.js';

/** The raw-value columns of the ticket cells (c0, c1, … in the statement): priority, reopened, CSAT, then the grouping columns. */
export function ticketCellColumns(def: TicketsDef, dims: string[]): string[] {
  return [...new Set([def.priority, def.reopened, def.csat, ...dims].filter((c): c is string => c !== undefined))];
}

/**
 * The generated statement: tickets grouped by creation month, time to first response and to
 * resolution (seconds), the raw priority, reopened and CSAT values and the grouping columns, with
 * the count and the latest creation time. Validation and SLA targets are applied to the cells in
 * JS by the same code as to rows (`prepareFrom` in prepare.ts); the order statistics need the durations
 * themselves, which the cells keep (with their multiplicity).
 */
export function ticketCellsSql(sql: SqlRelation, def: TicketsDef, dims: string[]): string {
  const columns = ticketCellColumns(def, dims);
  const alias = (c: string) => `c${columns.indexOf(c)}`;
  const [c, f, r] = [def.created, def.first_response, def.resolved].map(ident);
  const inner = [
    `DATE_TRUNC('month', ${c}) AS cx_period`,
    `${c} AS cx_created`,
    `EXTRACT(EPOCH FROM ${f}) - EXTRACT(EPOCH FROM ${c}) AS cx_fr`,
    `EXTRACT(EPOCH FROM ${r}) - EXTRACT(EPOCH FROM ${c}) AS cx_res`,
    ...columns.map((col) => `${ident(col)} AS ${alias(col)}`),
  ];
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const keys = ['cx_period', 'cx_fr', 'cx_res', ...columns.map(alias)];
  return [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, CAST(cx_fr AS DOUBLE PRECISION) AS cx_fr, CAST(cx_res AS DOUBLE PRECISION) AS cx_res${columns.map((col) => `, ${alias(col)}`).join('')}, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_created)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (SELECT ${inner.join(', ')} FROM ${sql.from()}${fence}) AS cx_rows`,
    `GROUP BY ${keys.join(', ')}`,
  ].join('\n');
}
