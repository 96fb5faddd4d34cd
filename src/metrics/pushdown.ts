/**
 * Score metrics pushed down to a SQL source. The database groups the rows — by period (year and
 * month of the date), the raw score and the columns the report groups or filters the metric by —
 * and returns, per cell, the row count and the latest timestamp. Scores are answers on a small
 * scale, so a few thousand cells stand for millions of rows. Every score metric on the same
 * relation and date column shares one scan: each asks for its own grouping set and the batch runs
 * them as one grouping-sets statement (pushdown-sql.ts `cellsSql`).
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
import { cellValue, isTemporal, type PushdownSource, type SqlRelation, type SqlRows } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import { invalidRowHint } from './invalid.js';
import { cellsSql } from './pushdown-sql.js';
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
