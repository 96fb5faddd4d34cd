/**
 * The statement of the customer metrics pushed down to a SQL source (customers-pushdown.ts runs it
 * and turns its rows into the weighted customers table): the in-memory validation written in SQL
 * (missing id, missing start, end before start, an id on more than one row — `COUNT(*) OVER
 * (PARTITION BY id)`), then the customers grouped by start and end month (or instant), row status
 * and grouping columns.
 */
import { ident, type SqlRelation } from '../sources/sql.js';

/** The columns of a customer metric's config the statement reads. */
export interface CustomerDef {
  id: string;
  start: string;
  end: string;
  filter?: Record<string, unknown>;
}

/**
 * How finely the customers are grouped: by start and end month (all churn, retention and cohorts
 * need), or by start and end instant (survival: tenures are measured in days).
 */
export type Resolution = 'month' | 'instant';

/** The generated statement: one row per (start month or instant, end month or instant, status, grouping values). */
export function customerCellsSql(sql: SqlRelation, def: CustomerDef, dims: string[], resolution: Resolution = 'month'): string {
  const dimList = dims.map((d, i) => `${ident(d)} AS cx_dim${i}`);
  const dimNames = dims.map((_, i) => `cx_dim${i}`);
  const rows = `SELECT ${[`NULLIF(TRIM(CAST(${ident(def.id)} AS VARCHAR)), '') AS cx_id`, `${ident(def.start)} AS cx_start`, `${ident(def.end)} AS cx_end`, ...dimList].join(', ')} FROM ${sql.from()}`;
  const status = `CASE WHEN cx_id IS NULL THEN 'missing id' WHEN cx_start IS NULL THEN 'missing or invalid start date' WHEN cx_end < cx_start THEN 'end before start' WHEN COUNT(*) OVER (PARTITION BY cx_id) > 1 THEN 'duplicate id' ELSE 'ok' END`;
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const statused = `SELECT ${[...(resolution === 'month' ? [`DATE_TRUNC('month', cx_start) AS cx_sm`, `DATE_TRUNC('month', cx_end) AS cx_em`] : []), 'cx_start', 'cx_end', `${status} AS cx_status`, ...dimNames].join(', ')} FROM (${rows}) AS cx_rows${fence}`;
  // instant cells group by the dates themselves (their months follow from them), so that
  // cx_last_start and cx_last_end are the cell's start and end
  const monthly = resolution === 'month';
  const keys = [...(monthly ? ['cx_sm', 'cx_em'] : ['cx_start', 'cx_end']), 'cx_status', ...dimNames];
  const [sm, em] = monthly ? ['cx_sm', 'cx_em'] : [`DATE_TRUNC('month', cx_start)`, `DATE_TRUNC('month', cx_end)`];
  const select = [
    `CAST(EXTRACT(YEAR FROM ${sm}) AS INTEGER) AS cx_sy`,
    `CAST(EXTRACT(MONTH FROM ${sm}) AS INTEGER) AS cx_smo`,
    `CAST(EXTRACT(YEAR FROM ${em}) AS INTEGER) AS cx_ey`,
    `CAST(EXTRACT(MONTH FROM ${em}) AS INTEGER) AS cx_emo`,
    'cx_status',
    ...dimNames,
    'CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n',
    'CAST(EXTRACT(EPOCH FROM MAX(cx_start)) AS DOUBLE PRECISION) AS cx_last_start',
    'CAST(EXTRACT(EPOCH FROM MAX(cx_end)) AS DOUBLE PRECISION) AS cx_last_end',
  ];
  return `SELECT ${select.join(', ')}\nFROM (${statused}) AS cx_statused\nGROUP BY ${keys.join(', ')}`;
}
