/**
 * From raw cells to typed Arquero columns. Empty cells become null. Without a declaration, a
 * column whose every non-empty cell is a plain decimal number (or a JS number) becomes numeric;
 * anything else stays as it is, so that metrics report invalid cells instead of the loader
 * coercing them. A declared type converts what it can and leaves the rest untouched for the
 * metrics to count.
 */
import * as aq from 'arquero';
import { parseTimestamp } from '../kernel/period.js';
import { ambiguousDates, compileFormat, describeShape, detectDateShape } from './dates.js';
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
export function typeColumn(raw: ArrayLike<unknown>, declared?: DeclaredType, inPlace = false): { values: unknown[]; type: ColumnType } {
  const n = raw.length;
  // (in place: the caller's array becomes the typed column, saving a copy of every large column)
  const values: unknown[] = inPlace && Array.isArray(raw) ? raw : new Array(n);
  let nonEmpty = 0;
  let numeric = true;
  // what each distinct text is (0 empty, 1 a number, 2 other), while a column has few of them
  let kinds: Map<string, number> | null = new Map();
  for (let i = 0; i < n; i++) {
    const v = raw[i];
    if (typeof v === 'string') {
      let kind = kinds?.get(v);
      if (kind === undefined) {
        const t = v.trim();
        kind = t === '' ? 0 : NUMBER.test(t) ? 1 : 2;
        if (kinds !== null) {
          if (kinds.size < 4096) kinds.set(v, kind);
          else kinds = null;
        }
      }
      if (kind === 0) {
        values[i] = null;
        continue;
      }
      values[i] = v;
      nonEmpty++;
      if (kind === 2) numeric = false;
      continue;
    }
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
  // (every value passed the test toNumber makes: converted straight away)
  if (numeric) return map(Number), { values, type: 'number' };
  map((v) => (v instanceof Date ? v.toISOString() : v));
  return { values, type: 'string' };
}

/** A column's declaration: a type name, or an object with a type, a date `format`, ordered `levels` and a display `label`. */
export interface ColumnSpec {
  type?: DeclaredType;
  format?: string;
  levels?: string[];
  label?: string;
}
export type ColumnDecl = DeclaredType | ColumnSpec;

/** The object form of a column declaration. */
export function specOf(decl: ColumnDecl | undefined): ColumnSpec {
  if (decl === undefined) return {};
  return typeof decl === 'string' ? { type: decl } : decl;
}

/** What a loader knows about a source beyond its cells. */
export interface TableExtras {
  /** columns a metric reads as dates (detected formats apply to these and to declared date columns) */
  dates?: ReadonlySet<string>;
  /** display labels of columns (e.g. a survey platform's question text) */
  labels?: Record<string, string>;
  /** what the loader decided (generated names, delimiter, encoding…), shown in the build output and the methods appendix */
  notes?: string[];
  /** the raw column arrays are the loader's own, used for nothing else: typed in place */
  owned?: boolean;
}

/** A label for matching: case, extra and non-breaking spaces ignored. */
export function levelKey(label: string): string {
  return label.replace(/[\s\u00a0\u2007\u202f]+/g, ' ').trim().toLowerCase();
}

/** Ordered text labels to 1…k; unmapped non-empty labels are kept as written and counted. */
function mapLevels(cells: ArrayLike<unknown>, levels: string[]): { values: unknown[]; unmapped: Map<string, number> } {
  const index = new Map(levels.map((l, i) => [levelKey(l), i + 1]));
  const unmapped = new Map<string, number>();
  const values: unknown[] = new Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (isEmpty(v)) {
      values[i] = null;
      continue;
    }
    const k = index.get(levelKey(String(v)));
    if (k !== undefined) values[i] = k;
    else {
      values[i] = v;
      const shown = String(v).trim();
      unmapped.set(shown, (unmapped.get(shown) ?? 0) + 1);
    }
  }
  return { values, unmapped };
}

/** Whether a value is already a date cxreport reads (ISO 8601) or not a text date at all. */
const isIsoDate = (v: string) => Number.isFinite(parseTimestamp(v));

/**
 * A date column's values as ISO 8601 text: with a declared `format`, or, for a column that is not
 * ISO already, with the one common shape every value fits (noted); an undecidable month/day order
 * is a located error. Values that do not fit are left as written (the metrics count them).
 */
function readDates(source: string, file: string, column: string, cells: ArrayLike<unknown>, spec: ColumnSpec, rowNumbers: (i: number) => number, notes: string[]): ArrayLike<unknown> {
  const n = cells.length;
  const text = (v: unknown): string | null => (isEmpty(v) ? null : v instanceof Date ? v.toISOString() : typeof v === 'number' || typeof v === 'bigint' ? String(v) : typeof v === 'string' ? v : null);
  let format = spec.format;
  if (!format) {
    // the usual case costs one pass: every value is ISO already (or a Date/number the metrics read)
    let first = -1;
    for (let i = 0; i < n; i++) {
      const v = cells[i];
      if (typeof v === 'string' && !isEmpty(v) && !isIsoDate(v)) {
        first = i;
        break;
      }
      // an 8-digit number is a yyyymmdd date only if the whole column says so
      if (typeof v === 'number' && Number.isInteger(v) && v >= 10_000_000 && v <= 99_999_999) {
        first = i;
        break;
      }
    }
    if (first < 0) return cells;
    const values: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = text(cells[i]);
      if (t !== null) values.push(t);
    }
    const shape = detectDateShape(values, isIsoDate);
    if (shape.kind === 'ambiguous') {
      const at = Array.from({ length: n }, (_, i) => i).find((i) => text(cells[i])?.trim() === shape.examples[0]);
      throw ambiguousDates(source, file, column, shape, at === undefined ? undefined : rowNumbers(at));
    }
    if (shape.kind !== 'format') return cells;
    format = shape.format;
    notes.push(`column "${column}": dates read as ${describeShape(format, shape.example)}, the one common format that fits every value; declare columns: { ${JSON.stringify(column)}: { type: date, format: "${format}" } } to make it explicit`);
  }
  const read = compileFormat(format);
  const out: unknown[] = new Array(n);
  let misfits = 0;
  let example: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = text(cells[i]);
    if (t === null) {
      out[i] = null;
      continue;
    }
    const iso = read(t);
    if (iso === null) {
      misfits++;
      example ??= t;
      out[i] = cells[i];
    } else out[i] = iso;
  }
  if (spec.format && misfits) notes.push(`column "${column}": ${misfits} value${misfits === 1 ? '' : 's'} do not fit the declared format "${spec.format}" (e.g. ${JSON.stringify(example)}); metrics count them as invalid dates`);
  return out;
}

/** A SourceTable from named raw columns (in order), applying declared types, date formats and levels. */
export function tableFromColumns(name: string, file: string, raw: [string, ArrayLike<unknown>][], declared: Record<string, ColumnDecl> = {}, timezone?: string, rowNumbers?: ArrayLike<number>, extras: TableExtras = {}): SourceTable {
  const columns: Record<string, unknown[]> = {};
  const types: { name: string; type: ColumnType }[] = [];
  const notes = [...(extras.notes ?? [])];
  const labels: Record<string, string> = { ...(extras.labels ?? {}) };
  const rowOf = (i: number) => (rowNumbers ? rowNumbers[i] : i + 1);
  for (const [column, original] of raw) {
    const spec = specOf(declared[column]);
    if (spec.label) labels[column] = spec.label;
    let cells: ArrayLike<unknown> = original;
    if (spec.levels) {
      const mapped = mapLevels(cells, spec.levels);
      cells = mapped.values;
      if (mapped.unmapped.size) {
        const list = [...mapped.unmapped].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const total = list.reduce((s, [, c]) => s + c, 0);
        notes.push(`column "${column}": ${total} value${total === 1 ? '' : 's'} not among its levels, excluded where a metric scores this column: ${list.slice(0, 5).map(([v, c]) => `${JSON.stringify(v)} (${c})`).join(', ')}${list.length > 5 ? `, and ${list.length - 5} more` : ''}`);
      }
    }
    const isDate = spec.type === 'date' || spec.format !== undefined || (extras.dates?.has(column) ?? false);
    if (isDate && !spec.levels) cells = readDates(name, file, column, cells, spec, rowOf, notes);
    const typed = typeColumn(cells, spec.levels ? undefined : spec.type, extras.owned === true || cells !== original);
    // naive date-times of a text source with `timezone:` become UTC instants
    columns[column] = timezone && typed.type === 'string' ? localTimesToUtc(typed.values, timezone) : typed.values;
    types.push({ name: column, type: typed.type });
  }
  const rowCount = raw.length ? raw[0][1].length : 0;
  // 1-based row numbers survive filtering, for row-level error messages: the file's physical line
  // (a text source) or the spreadsheet's row, where the loader knows it
  if (extras.owned && Array.isArray(rowNumbers) && rowNumbers.length === rowCount) columns[ROW] = rowNumbers;
  else {
    const rows = new Array<number>(rowCount);
    for (let i = 0; i < rowCount; i++) rows[i] = rowOf(i);
    columns[ROW] = rows;
  }
  const table: SourceTable = { name, file, table: aq.table(columns), rowCount, columns: types };
  if (notes.length) table.notes = notes;
  if (Object.keys(labels).length) table.labels = labels;
  return table;
}

/** Column-wise view of an array of row objects (union of keys, in first-seen order). */
export function columnsOfRows(rows: Record<string, unknown>[]): [string, unknown[]][] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) for (const k of Object.keys(row)) if (!seen.has(k)) (seen.add(k), names.push(k));
  return names.map((n) => [n, rows.map((r) => r[n] ?? null)]);
}
