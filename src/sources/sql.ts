/**
 * SQL sources (PostgreSQL, DuckDB) as relations a metric can push its aggregation down to.
 * A relation is the source's query (or table) wrapped as a subquery, plus any row conditions a
 * matrix segment adds. Metrics that generate SQL (score metrics: pushdown.ts; customers:
 * customers-pushdown.ts; order and activity logs: transactions.ts) ask it for their sufficient
 * statistics with GROUP BY; every other consumer gets its rows loaded into Arquero on demand,
 * once per relation.
 *
 * Dialect assumptions of the generated SQL (kept to what PostgreSQL, DuckDB and most engines
 * share): derived tables need an alias; double-quoted identifiers; CASE, COALESCE, NULLIF, TRIM,
 * CAST(… AS VARCHAR | DOUBLE PRECISION), FLOOR, EXTRACT(YEAR | MONTH | EPOCH FROM …), DATE_TRUNC('day' | 'month' | 'quarter' | 'year', …),
 * COUNT(*) and MAX(…) OVER (PARTITION BY …),
 * CAST('NaN' AS DOUBLE PRECISION) (NaN equal to itself, as in PostgreSQL and DuckDB), SIMILAR TO
 * for checking that text holds a number, and GROUP BY on expressions by position. Timestamps
 * with a time zone are read in UTC (the connection's time zone is set to UTC).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { partitionedCountSql } from './postgres-partitions.js';
import { ident, literal, subquery } from './sql-text.js';

export { ident, literal, subquery } from './sql-text.js';
import { emptySource } from './read.js';
import type { ColumnType, SourceTable } from './types.js';

/** What the generated SQL needs to know about a column's database type. */
export type SqlKind = 'number' | 'text' | 'date' | 'timestamp' | 'timestamptz' | 'boolean' | 'other';

export interface SqlColumn {
  name: string;
  kind: SqlKind;
}

/** Rows of a query, column by column names. */
export interface SqlRows {
  names: string[];
  rows: unknown[][];
}

/** Runs SQL on one engine; each call opens and closes its own connection. */
export interface SqlRunner {
  dialect: 'postgres' | 'duckdb';
  /** "postgres:name" or "duckdb:name", for messages */
  label: string;
  run(sql: string): Promise<SqlRows>;
  /** column names and kinds of a query's result, without reading its rows */
  describe(sql: string): Promise<SqlColumn[]>;
}




/** Kind of a DuckDB type name (as DuckDB prints it). */
export function duckKind(type: string): SqlKind {
  const t = type.toUpperCase();
  if (t === 'DATE') return 'date';
  if (t.startsWith('TIMESTAMP WITH TIME ZONE') || t === 'TIMESTAMPTZ') return 'timestamptz';
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t === 'BOOLEAN') return 'boolean';
  if (t === 'VARCHAR' || t.startsWith('VARCHAR') || t === 'STRING') return 'text';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL)$/.test(t) || t.startsWith('DECIMAL')) return 'number';
  return 'other';
}

/** Kind of a PostgreSQL type OID (pg_type). */
export function postgresKind(oid: number): SqlKind {
  if ([20, 21, 23, 26, 700, 701, 1700].includes(oid)) return 'number';
  if ([25, 1042, 1043, 19].includes(oid)) return 'text';
  if (oid === 1082) return 'date';
  if (oid === 1114) return 'timestamp';
  if (oid === 1184) return 'timestamptz';
  if (oid === 16) return 'boolean';
  return 'other';
}

/** How a column of this kind is listed among a source's columns. */
export function columnTypeOf(kind: SqlKind): ColumnType {
  return kind === 'number' ? 'number' : 'string';
}

/**
 * A source's rows as a relation in its database. `where` holds conditions on the rows (matrix
 * segments); `load` reads the rows into an Arquero-backed SourceTable, once.
 */
export class SqlRelation {
  private loading?: Promise<SourceTable>;
  /** columns read by `load` (all when unset): those the config refers to, see `referencedColumns` */
  projection?: string[];
  /** the foreign tables holding the rows of a sharded PostgreSQL table (postgres-partitions.ts): aggregates run per partition */
  partitions?: string[];

  constructor(
    readonly runner: SqlRunner,
    /** the source's query (a table becomes `select * from "table"`) */
    readonly query: string,
    readonly columns: SqlColumn[],
    private readonly read: (sql: string) => Promise<SourceTable>,
    readonly where: string[] = [],
  ) {}

  /** The FROM clause: the source's rows, filtered by the relation's conditions. */
  from(): string {
    const base = `${subquery(this.query)} AS cx_source`;
    if (this.where.length === 0) return base;
    return `(SELECT * FROM ${base} WHERE ${this.where.map((w) => `(${w})`).join(' AND ')}) AS cx_rows`;
  }

  /** A statement counting the relation's rows (per partition on a sharded table: postgres-partitions.ts). */
  countSql(): string {
    return this.partitions ? partitionedCountSql(this.partitions, this.where) : `SELECT COUNT(*) FROM ${this.from()}`;
  }

  kind(column: string): SqlKind | undefined {
    return this.columns.find((c) => c.name === column)?.kind;
  }

  /** The same relation restricted to rows whose `column`, as trimmed text, equals `value`. */
  filtered(column: string, value: string): SqlRelation {
    const relation = new SqlRelation(this.runner, this.query, this.columns, this.read, [...this.where, `TRIM(CAST(${ident(column)} AS VARCHAR)) = ${literal(value)}`]);
    relation.projection = this.projection;
    relation.partitions = this.partitions;
    return relation;
  }

  /** Runs a statement over this relation. */
  run(sql: string): Promise<SqlRows> {
    return this.runner.run(sql);
  }

  /** The rows (of the projected columns) as an in-memory table, read once; later calls share the result. */
  load(): Promise<SourceTable> {
    const columns = this.projection && this.projection.length > 0 ? this.projection.map(ident).join(', ') : '*';
    this.loading ??= this.read(`SELECT ${columns} FROM ${this.from()}`);
    return this.loading;
  }
}

/** Whether a column of this kind holds dates or instants (what period assignment in SQL needs). */
export function isTemporal(kind: SqlKind | undefined): boolean {
  return kind === 'date' || kind === 'timestamp' || kind === 'timestamptz';
}

/** A value from the database as the in-memory loader holds it (instants as ISO text, big integers as numbers, NaN as missing). */
export function cellValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isNaN(v)) return null;
  return v ?? null;
}

/** The source's rows in memory (read once per relation), keeping the source's `on_invalid`. */
export async function loadRows(source: PushdownSource): Promise<SourceTable> {
  return { ...(await source.sql.load()), onInvalid: source.onInvalid };
}

/** A source whose rows stay in the database until a consumer that cannot push down needs them. */
export interface PushdownSource extends SourceTable {
  sql: SqlRelation;
  /** the row count, being counted (see pushdownSource) */
  counting?: Promise<number>;
}

export function isPushdown(source: SourceTable): source is PushdownSource {
  return (source as PushdownSource).sql instanceof SqlRelation;
}

/** An empty table standing in for rows that have not been read (never aggregated: see `isPushdown`). */
function placeholderTable(columns: SqlColumn[]): ColumnTable {
  return aq.table(Object.fromEntries(columns.map((c) => [c.name, []])));
}

/**
 * A source left in its database: its columns are read and whether it has a row, rows only on
 * demand. Its row count (for the methods appendix and the coverage warnings) is counted while the
 * metrics aggregate, not before: `rowCount` holds it once `settleRowCounts` has run (loadData).
 */
export async function pushdownSource(name: string, runner: SqlRunner, query: string, read: (sql: string) => Promise<SourceTable>, shown: string, partitions?: () => Promise<string[] | undefined>): Promise<PushdownSource> {
  // the columns, a sharded PostgreSQL table's partitions (postgres-partitions.ts) and one row,
  // asked at the same time: each statement has a connection of its own
  const [columns, parts, one] = await Promise.all([runner.describe(query), partitions?.(), runner.run(`SELECT 1 FROM ${subquery(query)} AS cx_source LIMIT 1`)]);
  if (columns.length === 0 || one.rows.length === 0) throw emptySource(name, shown);
  const sql = new SqlRelation(runner, query, columns, read);
  sql.partitions = parts;
  const counting = runner.run(sql.countSql()).then((r) => Number(r.rows[0][0]));
  // raised where it is awaited (settleRowCounts), never as an unhandled rejection
  counting.catch(() => undefined);
  return { name, file: runner.label, table: placeholderTable(columns), rowCount: 0, counting, columns: columns.map((c) => ({ name: c.name, type: columnTypeOf(c.kind) })), sql };
}

/** Waits for the row counts of the pushdown sources (asked when each was opened) and sets their `rowCount`. */
export async function settleRowCounts(sources: Map<string, SourceTable>): Promise<void> {
  for (const source of sources.values()) if (isPushdown(source) && source.counting) source.rowCount = await source.counting;
}

/**
 * The columns of `columns` that the config refers to anywhere (a metric's keys, filters, a
 * section's `by`, segment, text or attribute, the matrix): `names` holds every string value and
 * object key of those parts (config/plan.ts), so this over-approximates safely. A metric that
 * cannot push down reads only these columns from the database.
 */
export function referencedColumns(names: ReadonlySet<string>, columns: string[]): string[] {
  return columns.filter((n) => names.has(n));
}
