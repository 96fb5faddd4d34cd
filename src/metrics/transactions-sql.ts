/**
 * The transaction cells statement (transactions.ts runs it and collects its rows into the cells
 * both engines share): the in-memory validation of each row as a CASE, then one GROUP BY per
 * (customer, UTC day, row status, grouping values).
 */
import { ident, type SqlRelation } from '../sources/sql.js';

/** The columns of a transaction log a metric names. */
export interface TransactionColumns {
  customer: string;
  date: string;
  amount?: string;
}

/** The options of transactions.ts `TransactionOptions` that shape the statement. */
export interface TransactionSqlOptions {
  /** grouping columns kept per cell (breakdowns, segments, filter columns: see pushdown.ts `sourceDimensions`) */
  dims: string[];
  /** the reason of a row without a customer: 'missing customer' (orders, default) or 'missing id' (an activity log) */
  missingCustomer?: string;
  /** check the customer before the date (an activity log's order of checks) */
  customerFirst?: boolean;
}

/**
 * The generated statement: one row per (customer, UTC day, status, grouping values) with cx_n rows,
 * cx_amount (sum over valid rows), and cx_first / cx_last (epoch seconds). The status CASE is the
 * in-memory validation in SQL: no date, no customer (trimmed text empty), and for an amount:
 * missing (NULL or NaN, as the loaders read a NaN), not a finite number (±Infinity fails
 * `x * 0 = 0`), negative.
 */
export function transactionCellsSql(sql: SqlRelation, columns: TransactionColumns, options: TransactionSqlOptions): string {
  const dims = options.dims.map((d, i) => `${ident(d)} AS cx_dim${i}`);
  const dimNames = options.dims.map((_, i) => `cx_dim${i}`);
  const inner = [`NULLIF(TRIM(CAST(${ident(columns.customer)} AS VARCHAR)), '') AS cx_customer`, `${ident(columns.date)} AS cx_date`, ...(columns.amount ? [`${ident(columns.amount)} AS cx_value`] : []), ...dims];
  const customer = `WHEN cx_customer IS NULL THEN '${options.missingCustomer ?? 'missing customer'}'`;
  const date = `WHEN cx_date IS NULL THEN 'missing or invalid date'`;
  const checks = options.customerFirst ? [customer, date] : [date, customer];
  // a NaN is a missing value, as in memory (sources/columns.ts); NaN = NaN holds in PostgreSQL and DuckDB
  if (columns.amount) checks.push(`WHEN cx_value IS NULL OR cx_value = CAST('NaN' AS DOUBLE PRECISION) THEN 'missing amount'`, `WHEN NOT (cx_value * 0 = 0) THEN 'amount not a number'`, `WHEN cx_value < 0 THEN 'negative amount'`);
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const statused = [`cx_customer`, `DATE_TRUNC('day', cx_date) AS cx_day`, 'cx_date', `CASE ${checks.join(' ')} ELSE 'ok' END AS cx_status`, ...(columns.amount ? ['cx_value'] : []), ...dimNames];
  const select = [
    'cx_customer',
    'cx_status',
    ...dimNames,
    'CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n',
    columns.amount ? `CAST(SUM(CASE WHEN cx_status = 'ok' THEN cx_value END) AS DOUBLE PRECISION) AS cx_amount` : 'CAST(0 AS DOUBLE PRECISION) AS cx_amount',
    'CAST(EXTRACT(EPOCH FROM MIN(cx_date)) AS DOUBLE PRECISION) AS cx_first',
    'CAST(EXTRACT(EPOCH FROM MAX(cx_date)) AS DOUBLE PRECISION) AS cx_last',
  ];
  return [
    `SELECT ${select.join(', ')}`,
    `FROM (SELECT ${statused.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${sql.from()}${fence}) AS cx_rows) AS cx_statused`,
    `GROUP BY ${['cx_customer', 'cx_day', 'cx_status', ...dimNames].join(', ')}`,
  ].join('\n');
}
