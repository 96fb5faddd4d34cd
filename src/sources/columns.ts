/**
 * From raw cells to typed Arquero columns. Empty cells become null. Without a declaration, a
 * column whose every non-empty cell is a plain decimal number (or a JS number) becomes numeric;
 * anything else stays as it is, so that metrics report invalid cells instead of the loader
 * coercing them. A declared type converts what it can and leaves the rest untouched for the
 * metrics to count.
 */
import * as aq from 'arquero';
import { localTimesToUtc } from './timezone.js';
import type { ColumnType, SourceTable } from './types.js';

/** Hidden column holding each row's 1-based position in the source. */
export const ROW = '__row';

export const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export type DeclaredType = 'number' | 'integer' | 'string' | 'date' | 'boolean';

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (typeof v === 'number' && Number.isNaN(v));

function toNumber(v: unknown): unknown {
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && NUMBER.test(v.trim())) return Number(v);
  return v;
}

function toDate(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v).toISOString();
  return v;
}

/** Typed column values and the type reported for the column (one pass over the cells, then one in place). */
export function typeColumn(raw: ArrayLike<unknown>, declared?: DeclaredType): { values: unknown[]; type: ColumnType } {
  const n = raw.length;
  const values: unknown[] = new Array(n);
  let nonEmpty = 0;
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    if (isEmpty(v)) {
      values[i] = null;
      continue;
    }
    values[i] = v;
    nonEmpty++;
    if (numeric && !(typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && NUMBER.test(v.trim())))) numeric = false;
  }
  const map = (f: (v: unknown) => unknown) => {
    for (let i = 0; i < n; i++) if (values[i] !== null) values[i] = f(values[i]);
  };
  if (declared === 'string') return map(String), { values, type: nonEmpty ? 'string' : 'empty' };
  if (declared === 'number' || declared === 'integer') return map(toNumber), { values, type: 'number' };
  if (declared === 'date') return map(toDate), { values, type: 'string' };
  if (declared === 'boolean') return map((v) => (typeof v === 'boolean' ? v : /^(true|yes|1)$/i.test(String(v)) ? true : /^(false|no|0)$/i.test(String(v)) ? false : v)), { values, type: 'string' };
  if (nonEmpty === 0) return { values, type: 'empty' };
  if (numeric) return map(toNumber), { values, type: 'number' };
  map((v) => (v instanceof Date ? v.toISOString() : v));
  return { values, type: 'string' };
}

/** A SourceTable from named raw columns (in order), applying declared types. */
export function tableFromColumns(name: string, file: string, raw: [string, ArrayLike<unknown>][], declared: Record<string, DeclaredType> = {}, timezone?: string): SourceTable {
  const columns: Record<string, unknown[]> = {};
  const types: { name: string; type: ColumnType }[] = [];
  for (const [column, cells] of raw) {
    const typed = typeColumn(cells, declared[column]);
    // naive date-times of a text source with `timezone:` become UTC instants
    columns[column] = timezone && typed.type === 'string' ? localTimesToUtc(typed.values, timezone) : typed.values;
    types.push({ name: column, type: typed.type });
  }
  const rowCount = raw.length ? raw[0][1].length : 0;
  // 1-based data row numbers survive filtering, for row-level error messages
  columns[ROW] = Array.from({ length: rowCount }, (_, i) => i + 1);
  return { name, file, table: aq.table(columns), rowCount, columns: types };
}

/** Column-wise view of an array of row objects (union of keys, in first-seen order). */
export function columnsOfRows(rows: Record<string, unknown>[]): [string, unknown[]][] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), names.push(k));
  return names.map((n) => [n, rows.map((r) => r[n] ?? null)]);
}
