/**
 * JSON and NDJSON sources. JSON: an array of row objects, or an object holding one under
 * `records:` (e.g. `records: data.items`). NDJSON: one row object per line (blank lines skipped).
 * Parse errors name the line.
 */
import { CxError } from '../kernel/errors.js';
import { columnsOfRows, tableFromColumns, type ColumnDecl } from './columns.js';
import { emptySource, MAX_TEXT_SOURCE_BYTES, readSource } from './read.js';
import type { SourceTable } from './types.js';

export interface JsonOptions {
  name: string;
  path: string;
  displayBase?: string;
  columns?: Record<string, ColumnDecl>;
  /** dotted path to the array of rows inside a JSON document */
  records?: string;
  /** IANA zone of date-times written without one */
  timezone?: string;
  /** columns a metric reads as dates */
  dates?: ReadonlySet<string>;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * A row object whose nested values (arrays, objects) are replaced by their JSON text: a cell holds
 * one value, and text is what a nested one can be shown and grouped as. A value nested too deeply
 * to write back (JSON.parse reads any depth; turning it into text would overflow the stack) is a
 * located data error.
 */
function asRow(value: unknown, name: string, file: string, line: number): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const row = value as Record<string, unknown>;
    for (const key of Object.keys(row)) {
      const cell = row[key];
      if (cell === null || typeof cell !== 'object') continue;
      let text: string;
      try {
        text = JSON.stringify(cell);
      } catch {
        throw new CxError('data', `source "${name}": row ${line}, "${key.slice(0, 80)}": a value nested too deeply to read`, { location: { file, line }, hint: 'a cell should hold one value (a number, text, a date); flatten nested arrays and objects' });
      }
      // defined, not assigned: a key such as "__proto__" stays an ordinary column
      Object.defineProperty(row, key, { value: text, enumerable: true, writable: true, configurable: true });
    }
    return row;
  }
  throw new CxError('data', `source "${name}": row ${line} is not an object`, { location: { file, line }, hint: 'each row must be a JSON object such as {"score": 9, "date": "2026-10-01"}' });
}

/** Reads a JSON document whose rows are an array of objects. */
export async function loadJson(options: JsonOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase, MAX_TEXT_SOURCE_BYTES);
  const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    throw new CxError('data', `source "${options.name}": malformed JSON: ${(error as Error).message}`, { location: { file: shown, line: at ? lineOf(text, Number(at[1])) : undefined }, hint: 'check the file with a JSON validator' });
  }
  let rows: unknown = doc;
  for (const key of options.records ? options.records.split('.') : []) rows = rows && typeof rows === 'object' ? (rows as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(rows)) {
    throw new CxError('data', `source "${options.name}": ${options.records ? `"${options.records}" is not an array` : 'the document is not an array of rows'}`, {
      location: { file: shown },
      hint: options.records ? 'point `records:` at the array of row objects' : 'give `records:` with the dotted path to the array of rows, e.g. records: data.items',
    });
  }
  if (rows.length === 0) throw emptySource(options.name, shown);
  const objects = rows.map((r, i) => asRow(r, options.name, shown, i + 1));
  return tableFromColumns(options.name, shown, columnsOfRows(objects), options.columns, options.timezone, undefined, { dates: options.dates });
}

/** Reads newline-delimited JSON: one object per line. */
export async function loadNdjson(options: JsonOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase, MAX_TEXT_SOURCE_BYTES);
  const lines = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: Record<string, unknown>[] = [];
  const lineNumbers: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new CxError('data', `source "${options.name}": malformed JSON on line ${i + 1}: ${(error as Error).message}`, { location: { file: shown, line: i + 1, column: 1, snippet: line.slice(0, 200) }, hint: 'NDJSON needs one complete JSON object per line' });
    }
    rows.push(asRow(value, options.name, shown, i + 1));
    lineNumbers.push(i + 1);
  });
  if (rows.length === 0) throw emptySource(options.name, shown);
  // row messages name the line of the file (blank lines counted)
  return tableFromColumns(options.name, shown, columnsOfRows(rows), options.columns, options.timezone, lineNumbers, { dates: options.dates });
}
