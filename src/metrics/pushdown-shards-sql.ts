/**
 * The score metrics' cells statement for a sharded PostgreSQL table (sources/postgres-partitions.ts):
 * the inner level of pushdown-sql.ts `cellsSql` — a plain GROUP BY of the rows by month and every
 * grouping column — once per partition, in a form postgres_fdw ships to the partition's shard, so
 * that each shard returns its few thousand cells instead of its rows; the coordinator then runs
 * the GROUPING SETS over the cells of all partitions, re-summed (a cell of one month and one
 * answer may come from several shards: its count is the sum, its latest date the latest).
 *
 * The month key. postgres_fdw sends a function to the remote server only when it is built in,
 * immutable and takes no collatable argument. DATE_TRUNC('month', timestamptz) is STABLE (it
 * follows the session's time zone), and even DATE_TRUNC('month', timestamp), though immutable, is
 * kept local because 'month' is a text literal (measured on PostgreSQL 15: the plan aggregates
 * locally over the shipped rows). So the month is computed with integer arithmetic from the day:
 * the date (a TIMESTAMPTZ taken in UTC with `AT TIME ZONE INTERVAL '0'`, immutable, as the
 * connection's UTC session would) as days since 2000-03-01, shifted by 100 cycles of 400 years so
 * that every date PostgreSQL can hold is positive, then Howard Hinnant's civil-from-days steps
 * (days → 400-year era, year of the era from March, day of that year, month from March) give the
 * number of months since March of year -38000; for 1970–2099 the same key is looked up with
 * WIDTH_BUCKET, which is cheaper. The coordinator turns the key back into year and month. Checked
 * against EXTRACT for every day of 1900–2100 and the first and last day of every month of 1–9999
 * (test/postgres-shards.test.ts).
 */
import { partitionFrom } from '../sources/postgres-partitions.js';
import { ident, type SqlRelation } from '../sources/sql.js';

/** Days from 2000-03-01 added so that the day number is positive for every PostgreSQL date (4713 BC on). */
const SHIFT_DAYS = 100 * 146097;
/** The first month of the key: March of the astronomical year 2000 − 100 × 400. */
const BASE_YEAR = 2000 - 100 * 400;
/** The key of a calendar month (1–12). */
const keyOf = (year: number, month: number) => (year - BASE_YEAR) * 12 + month - 3;
/** Months looked up rather than computed: 1970-01 up to 2100-01. */
const [FIRST_YEAR, LAST_YEAR] = [1970, 2100];
/** Days since 1970-01-01 of the first day of every month from FIRST_YEAR-01 to LAST_YEAR-01, inclusive. */
const MONTH_STARTS = Array.from({ length: (LAST_YEAR - FIRST_YEAR) * 12 + 1 }, (_, i) => Date.UTC(FIRST_YEAR, i, 1) / 86_400_000);

/**
 * The month of a date, time stamp or UTC instant as a BIGINT key (months since March of
 * BASE_YEAR), in shippable SQL. For 1970–2099, one WIDTH_BUCKET (a binary search) of the day
 * number in the month starts, about as cheap per row as DATE_TRUNC; other dates (rare, and outside
 * most reports' plausible range) take the civil-from-days arithmetic, whose many references to the
 * day PostgreSQL evaluates one by one (1,000,000 rows grouped by the key, one core: about 3 s
 * against 0.6 s for the lookup and 0.4–1.2 s for DATE_TRUNC, on this loaded machine).
 */
export function monthKeySql(date: string, kind: 'date' | 'timestamp' | 'timestamptz' | string | undefined): string {
  const day = kind === 'date' ? date : kind === 'timestamptz' ? `CAST(${date} AT TIME ZONE INTERVAL '0' AS DATE)` : `CAST(${date} AS DATE)`;
  const bucket = `WIDTH_BUCKET(${day} - DATE '1970-01-01', ARRAY[${MONTH_STARTS.join(',')}])`;
  // the range tested on the day itself: two comparisons cost less than a second WIDTH_BUCKET
  return `(CASE WHEN ${day} >= DATE '${FIRST_YEAR}-01-01' AND ${day} < DATE '${LAST_YEAR}-01-01' THEN ${bucket} + ${keyOf(FIRST_YEAR, 1) - 1} ELSE ${civilMonthKey(day)} END)`;
}

/** The month key by Howard Hinnant's civil-from-days steps, for any date. */
function civilMonthKey(day: string): string {
  const z = `(CAST(${day} - DATE '2000-03-01' AS BIGINT) + ${SHIFT_DAYS})`;
  const dayOfEra = `(${z} % 146097)`;
  const yearOfEra = `((${dayOfEra} - ${dayOfEra} / 1460 + ${dayOfEra} / 36524 - ${dayOfEra} / 146096) / 365)`;
  const dayOfYear = `(${dayOfEra} - (365 * ${yearOfEra} + ${yearOfEra} / 4 - ${yearOfEra} / 100))`;
  return `(${z} / 146097 * 4800 + ${yearOfEra} * 12 + (5 * ${dayOfYear} + 2) / 153)`;
}

/**
 * Extended statistics on the month key of `column` (PostgreSQL 14+): `CREATE STATISTICS … ON
 * (<month key>) FROM table`. Run on each shard's table and on each foreign partition on the
 * coordinator, then ANALYZE. Without them the planners estimate the groups of an expression of a
 * time stamp from its distinct values, about one per row: the coordinator then keeps the aggregate
 * local (the rows are shipped) and the shards sort their rows on disk instead of hashing them into
 * a few thousand cells (1,000,000 rows on three shards: 1.1 s → 0.6 s per shard; docs/warehouses.md).
 */
export function monthStatisticsSql(table: string, column: string, kind: string): string {
  const name = `${table.split('.').pop()!.replaceAll('"', '')}_${column}_cx_month`;
  return `CREATE STATISTICS IF NOT EXISTS ${ident(name)} ON (${monthKeySql(ident(column), kind)}) FROM ${table}`;
}

/** Year and month (SQL) of a month key. */
export function monthKeyParts(key: string): { year: string; month: string } {
  return { year: `CAST((${key} + 2) / 12 ${BASE_YEAR < 0 ? '-' : '+'} ${Math.abs(BASE_YEAR)} AS INTEGER)`, month: `CAST(MOD(${key} + 2, 12) + 1 AS INTEGER)` };
}

/**
 * The statement of pushdown-sql.ts `cellsSql` (same result columns: cx_year, cx_month, c0…, cx_set,
 * cx_n, cx_epoch) for a relation whose rows live in `sql.partitions`.
 */
export function shardedCellsText(sql: SqlRelation, date: string, sets: string[][], columns: string[]): string {
  const alias = (c: string) => `c${columns.indexOf(c)}`;
  const all = columns.map(alias);
  const d = ident(date);
  const picked = [`${monthKeySql(d, sql.kind(date))} AS cx_mkey`, `${d} AS cx_date`, ...columns.map((c) => `${ident(c)} AS ${alias(c)}`)];
  const perPartition = sql.partitions!.map((p) => `SELECT cx_mkey, ${all.join(', ')}, COUNT(*) AS cx_count, MAX(cx_date) AS cx_last FROM (SELECT ${picked.join(', ')} FROM ${partitionFrom(p, sql.where)}) AS cx_rows GROUP BY cx_mkey, ${all.join(', ')}`);
  const { year, month } = monthKeyParts('cx_mkey');
  return [
    `SELECT ${year} AS cx_year, ${month} AS cx_month, ${all.join(', ')}, GROUPING(${all.join(', ')}) AS cx_set, CAST(SUM(cx_count) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_last)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (${perPartition.join('\nUNION ALL ')}) AS cx_cells`,
    `GROUP BY GROUPING SETS (${sets.map((set) => `(cx_mkey, ${set.map(alias).join(', ')})`).join(', ')})`,
  ].join('\n');
}
