/**
 * Score metrics pushed down to a SQL source. The database groups the rows — by period (year and
 * month of the date), the raw score and the columns the report groups or filters the metric by —
 * and returns, per cell, the row count and the latest timestamp. Scores are answers on a small
 * scale, so a few thousand cells stand for millions of rows. Every score metric on the same
 * relation and date column shares one scan: each asks for its own grouping set and the batch runs
 * them as one `GROUP BY GROUPING SETS (…)` statement — on PostgreSQL in two levels, a `GROUP BY` of
 * the rows by every column of every set, then the grouping sets over those cells (`cellsSql`).
 *
 * The cells are then validated in JS with the very rules the in-memory engine applies to rows
 * (prepare.ts `scoreOf`: missing, not a number, not an integer, out of range, no date) and become
 * the same cells table (cells.ts) the in-memory engine builds from rows, which the shared
 * finaliser (prepare.ts `aggregate`, results.ts) turns into value, interval and significance — so
 * both engines give the same numbers by construction.
 *
 * Needs a DATE or TIMESTAMP date column (see `canPushDown`; a text date column is read into memory).
 */
import type { ColumnTable } from 'arquero';
import type { Config } from '../config/load.js';
import { CxError } from '../kernel/errors.js';
import { cellValue, ident, isTemporal, type PushdownSource, type SqlRelation, type SqlRows } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import { invalidRowHint } from './invalid.js';
import { shardedCellsText } from './pushdown-shards.js';
import { CellBuilder } from './cells.js';
import { isPlausiblePeriod, plausibleDates, type Granularity } from '../kernel/period.js';
import { indicatorTests, scoreOf } from './prepare.js';
import type { ScoreDef, ScoreType } from '../kernel/types.js';

/** Whether a metric on this relation can be computed by SQL (its date column must be a date or timestamp). */
export function canPushDown(sql: SqlRelation, def: ScoreDef): boolean {
  return def.date !== undefined && isTemporal(sql.kind(def.date));
}

/** Columns the report groups or filters this metric's rows by (breakdowns, case-study segments, filters, products). */
export function dimensionsOf(config: Config, id: string, def: { filter?: Record<string, unknown>; product?: string }): string[] {
  const dims = new Set<string>(Object.keys(def.filter ?? {}));
  if (typeof def.product === 'string') dims.add(def.product);
  for (const c of config.scanDimensions?.get(id) ?? []) dims.add(c);
  for (const c of config.plan.metrics.get(id)?.dimensions ?? []) dims.add(c);
  return [...dims];
}

/**
 * The grouping columns a metric's cells keep: `dimensionsOf` plus the metric's own grouping keys
 * (`extra`, e.g. a ticket channel or a survival `by`), limited to the columns the source has (a
 * missing breakdown or segment column is reported, located, by its section).
 */
export function sourceDimensions(ctx: { config: Config; id: string; def: { filter?: Record<string, unknown>; product?: string } }, source: SourceTable, extra: (string | undefined)[] = []): string[] {
  const wanted = new Set([...dimensionsOf(ctx.config, ctx.id, ctx.def), ...extra.filter((c): c is string => c !== undefined)]);
  return [...wanted].filter((c) => source.columns.some((x) => x.name === c));
}

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
  const text = sql.partitions && sql.runner.dialect === 'postgres' ? shardedCellsText(sql, date, sets, columns) // a sharded table: pushdown-shards.ts
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

interface Batch {
  sets: string[][];
  result?: Promise<{ rows: SqlRows; columns: string[]; masks: number[] }>;
}

/** Open batches per relation and date column: requests made in the same turn share one statement. */
const batches = new WeakMap<SqlRelation, Map<string, Batch>>();

/** The rows of one grouping set (score column first, then the dimensions), batched with the other requests of this turn. */
async function requestCells(sql: SqlRelation, date: string, set: string[]): Promise<{ rows: unknown[][]; index: (column: string) => number }> {
  const open = batches.get(sql) ?? new Map<string, Batch>();
  batches.set(sql, open);
  let batch = open.get(date);
  if (!batch) {
    const fresh: Batch = { sets: [] };
    open.set(date, fresh);
    // runs once every metric prepared in this turn has asked for its set
    fresh.result = new Promise((resolve) => setImmediate(resolve)).then(async () => {
      open.delete(date);
      const { text, columns, masks } = cellsSql(sql, date, fresh.sets);
      return { rows: await sql.run(text), columns, masks };
    });
    batch = fresh;
  }
  const key = JSON.stringify(set);
  let k = batch.sets.findIndex((s) => JSON.stringify(s) === key);
  if (k < 0) k = batch.sets.push(set) - 1;
  const { rows, columns, masks } = await batch.result!;
  const at = (name: string) => rows.names.indexOf(name);
  const setColumn = at('cx_set');
  return { rows: rows.rows.filter((r) => Number(r[setColumn]) === masks[k]), index: (column) => (['cx_year', 'cx_month', 'cx_n', 'cx_epoch'].includes(column) ? at(column) : at(`c${columns.indexOf(column)}`)) };
}

/** Period key of a year and month the database returned (null when there was no date). */
export function periodKey(year: unknown, month: unknown, granularity: Granularity): string | null {
  if (year === null || year === undefined) return null;
  if (granularity === 'all') return 'all';
  const y = String(Number(year)).padStart(4, '0');
  const m = Number(month);
  if (granularity === 'year') return y;
  if (granularity === 'quarter') return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  return `${y}-${String(m).padStart(2, '0')}`;
}

export interface Cells {
  /** __period, __status, __value, __ts, __w, __sum, __sumSq, __i_<indicator> and the dimension columns */
  table: ColumnTable;
  indicatorNames: string[];
}

/** The metric's cells from the database, validated and weighted. */
export async function pushDownCells(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, dims: string[], granularity: Granularity): Promise<Cells> {
  const { rows, index } = await requestCells(source.sql, def.date!, [def.score, ...dims.filter((d) => d !== def.score)]);
  const rules = type.rules(def);
  const indicators = indicatorTests(type, def);
  const [y, m, n, ep, sc] = ['cx_year', 'cx_month', 'cx_n', 'cx_epoch', def.score].map(index);
  const cells = new CellBuilder(indicators, dims);
  const dimValues: unknown[] = new Array(dims.length);
  const dimIndex = dims.map(index);
  let firstInvalid: { period: string | null; raw: unknown; reason: string } | undefined;
  for (const r of rows) {
    // a month outside report.date_range is not read, as in memory (the database's cells are whole months)
    const outside = r[y] !== null && r[y] !== undefined && !isPlausiblePeriod(periodKey(r[y], r[m], 'month')!, 'month');
    const period = outside ? null : periodKey(r[y], r[m], granularity);
    const raw = cellValue(r[sc]);
    const s = outside ? 'date outside the plausible range' : period === null ? 'missing or invalid date' : scoreOf(raw, rules);
    const ok = typeof s === 'number';
    if (!ok && (!firstInvalid || (period ?? '\uffff') < (firstInvalid.period ?? '\uffff'))) firstInvalid = { period, raw, reason: s };
    for (let j = 0; j < dims.length; j++) dimValues[j] = cellValue(r[dimIndex[j]]);
    cells.add(period, ok ? 'ok' : s, ok ? s : null, r[ep] === null ? NaN : Math.round(Number(r[ep]) * 1000), Number(r[n]), dimValues);
  }
  if (firstInvalid && source.onInvalid === 'error') {
    const { raw, reason } = firstInvalid;
    const badDate = reason === 'missing or invalid date' || reason === 'date outside the plausible range';
    const why = reason === 'date outside the plausible range' ? `date outside the plausible range (${plausibleDates().label}; report.date_range)` : badDate ? 'missing or invalid date (a DATE or TIMESTAMP value expected)' : `${reason} (valid: ${rules.integer ? 'integers' : 'numbers'} ${rules.min}–${rules.max})`;
    throw new CxError('data', `column ${badDate ? def.date : def.score}: ${badDate || raw === null || raw === undefined ? 'empty' : JSON.stringify(raw)} — ${why}`, {
      location: { file: source.file },
      hint: invalidRowHint(id, source),
    });
  }
  return { table: cells.table(), indicatorNames: indicators.map((i) => i.name) };
}
