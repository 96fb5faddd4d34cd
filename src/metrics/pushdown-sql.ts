/**
 * The score metrics' cells statement (pushdown.ts runs it and turns its rows into cells): the
 * rows grouped by month of the date column and the columns of each grouping set, as one
 * `GROUP BY GROUPING SETS (…)` statement — on PostgreSQL in two levels, a `GROUP BY` of the rows
 * by every column of every set, then the grouping sets over those cells; on a sharded PostgreSQL
 * table the inner level runs per partition (pushdown-shards-sql.ts).
 */
import { ident, type SqlRelation } from '../sources/sql.js';
import { shardedCellsText } from './pushdown-shards-sql.js';

/**
 * The statement for a list of grouping sets over one date column: one row per non-empty cell with
 * cx_year, cx_month (NULL without a date), the set's columns (c0…, NULL outside the set), cx_set
 * (GROUPING bitmask: which set the row belongs to), cx_n and cx_epoch (latest timestamp, seconds).
 */
export function cellsSql(sql: SqlRelation, date: string, sets: string[][]): { text: string; columns: string[]; masks: number[] } {
  const columns = [...new Set(sets.flat())];
  const alias = (c: string) => `c${columns.indexOf(c)}`;
  const d = ident(date);
  // one month key per row; year, month and the epoch of the latest date are computed per cell, not per row
  const inner = [`DATE_TRUNC('month', ${d}) AS cx_period`, `${d} AS cx_date`, ...columns.map((c) => `${ident(c)} AS ${alias(c)}`)];
  const all = columns.map(alias);
  // PostgreSQL only (it slows DuckDB down): OFFSET 0 keeps the planner from merging the derived table
  // into the aggregate, so it estimates the cells with its default for a computed key rather than from
  // the date column's distinct values (about one per row), and hashes the rows into every grouping set
  // in one pass instead of sorting them on disk once per set (10M rows: 18 s → 3 s)
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const rows = `FROM (SELECT ${inner.join(', ')} FROM ${sql.from()}${fence}) AS cx_rows`;
  const groupingSets = `GROUP BY GROUPING SETS (${sets.map((set) => `(cx_period, ${set.map(alias).join(', ')})`).join(', ')})`;
  const head = `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, ${all.join(', ')}, GROUPING(${all.join(', ')}) AS cx_set`;
  // PostgreSQL: two levels. A plain GROUP BY of the rows by the month and every column of every set
  // (one hash table, and a shape a foreign-data wrapper can ship to the shards), then the grouping
  // sets over those cells, re-summed: the count as the sum of the counts, the latest date as the
  // latest of the latest. GROUPING SETS straight over the rows hash every row once per set: at
  // 1,000,000 rows and three sets of three columns, 1.51 s of server CPU against 0.70 s in two
  // levels (bench/pushdown-sql.ts; 0.61 against 0.55 s for the data-source benchmark's smaller
  // sets). DuckDB: one level. Its GROUPING SETS already aggregate every set in one parallel pass,
  // and the extra level cost it CPU on the wider sets (0.20 → 0.28 s; 0.13 against 0.12 s on the
  // smaller ones), so it gets the rows straight.
  const text = sql.partitions && sql.runner.dialect === 'postgres' ? shardedCellsText(sql, date, sets, columns) // a sharded table: pushdown-shards-sql.ts
    : sql.runner.dialect === 'duckdb'
      ? [`${head}, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_date)) AS DOUBLE PRECISION) AS cx_epoch`, rows, groupingSets].join('\n')
      : [
          `${head}, CAST(SUM(cx_count) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_last)) AS DOUBLE PRECISION) AS cx_epoch`,
          `FROM (SELECT cx_period, ${all.join(', ')}, COUNT(*) AS cx_count, MAX(cx_date) AS cx_last`,
          rows,
          `GROUP BY cx_period, ${all.join(', ')}) AS cx_cells`,
          groupingSets,
        ].join('\n');
  // GROUPING(a, b, …) sets the bit of each argument not grouped in the row's set; the first argument is the highest bit
  const masks = sets.map((set) => columns.reduce((mask, c, i) => (set.includes(c) ? mask : mask | (1 << (columns.length - 1 - i))), 0));
  return { text, columns, masks };
}
