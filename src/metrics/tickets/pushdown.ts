/** The tickets metric pushed down: whether the database can make the ticket cells, and the cells it returns, as records. */
import * as aq from 'arquero';
import { CxError } from '../../kernel/errors.js';
import { compileFilter, type Filter } from '../../kernel/filter.js';
import type { Granularity } from '../../kernel/period.js';
import { cellValue, isTemporal, type PushdownSource, type SqlRelation } from '../../sources/sql.js';
import { invalidRowHint } from '../invalid.js';
import { periodKey } from '../pushdown.js';
import type { TicketsDef } from './schema.js';
import { ticketCellColumns, ticketCellsSql } from './sql.js';
import type { TicketRecords } from './types.js';

/** Whether the database can make the ticket cells: creation, first response and resolution are DATE or TIMESTAMP columns. */
export function canPushDownTickets(sql: SqlRelation, def: TicketsDef): boolean {
  return [def.created, def.first_response, def.resolved].every((c) => isTemporal(sql.kind(c)));
}

/** The ticket cells from the database, as records (filtered by the metric's filter on their grouping values). */
export async function ticketCells(metric: string, source: PushdownSource, def: TicketsDef, dims: string[], granularity: Granularity): Promise<TicketRecords> {
  const columns = ticketCellColumns(def, dims);
  const { names, rows } = await source.sql.run(ticketCellsSql(source.sql, def, dims));
  const at = (name: string) => names.indexOf(name);
  const [y, m, fr, res, n, ep] = ['cx_year', 'cx_month', 'cx_fr', 'cx_res', 'cx_n', 'cx_epoch'].map(at);
  const colAt = columns.map((_, i) => at(`c${i}`));
  const keep = def.filter ? compileFilter(def.filter as Filter) : null;
  const ms = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000));
  const out = { period: [] as (string | null)[], ts: [] as number[], fr: [] as (number | null)[], res: [] as (number | null)[], weight: [] as number[], values: columns.map(() => [] as unknown[]) };
  const records = rows
    .map((r) => ({ r, period: periodKey(r[y], r[m], granularity), values: colAt.map((k) => cellValue(r[k])) }))
    .filter(({ values }) => !keep || keep((column) => values[columns.indexOf(column)]))
    // a fixed order (period, then the cell's values), so that `on_invalid: error` names the same cell every time
    .sort((a, b) => (a.period ?? '\uffff').localeCompare(b.period ?? '\uffff') || JSON.stringify([a.r[fr], a.r[res], a.values]).localeCompare(JSON.stringify([b.r[fr], b.r[res], b.values])));
  for (const { r, period, values } of records) {
    out.period.push(period);
    out.ts.push(r[ep] === null ? NaN : Math.round(Number(r[ep]) * 1000));
    out.fr.push(ms(r[fr]));
    out.res.push(ms(r[res]));
    out.weight.push(Number(r[n]));
    values.forEach((v, j) => out.values[j].push(v));
  }
  // __cell keeps the row count when the cells have no value columns
  const table = aq.table({ __cell: out.period.map((_, i) => i), ...Object.fromEntries(columns.map((c, j) => [c, out.values[j]])) });
  const reject = (i: number, column: string, raw: unknown, reason: string) => {
    if (source.onInvalid !== 'error') return;
    const value = raw === undefined ? '' : `${raw === null || (typeof raw === 'string' && raw.trim() === '') ? 'empty' : JSON.stringify(raw)} — `;
    const where = out.period[i] ? ` (a ticket created in ${out.period[i]})` : '';
    throw new CxError('data', `column ${column}: ${value}${reason}${where}`, { location: { file: source.file }, hint: invalidRowHint(metric, source) });
  };
  const pick = (column: string | undefined) => (column === undefined ? null : out.values[columns.indexOf(column)]);
  return { n: out.period.length, period: out.period, ts: Float64Array.from(out.ts), fr: out.fr, res: out.res, priority: pick(def.priority), reopened: pick(def.reopened), csat: pick(def.csat), table, weight: Float64Array.from(out.weight), reject, engine: 'sql' };
}
