/**
 * CSV source: parsed by csv-parse (RFC 4180 quoting, quoted newlines, BOM), held as an Arquero
 * table. Empty cells become null; a column whose every non-empty cell is a plain decimal number
 * becomes numeric, everything else stays text so that metrics can report invalid cells instead of
 * the loader coercing them.
 */
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import * as aq from 'arquero';
import { parse } from 'csv-parse/sync';
import { CxError } from '../errors.js';
import type { ColumnType, SourceTable } from './types.js';

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

export interface CsvOptions {
  name: string;
  path: string;
  delimiter?: string;
  encoding?: 'utf8' | 'utf-8' | 'latin1';
  /** directory paths are shown relative to, in messages */
  displayBase?: string;
}

/** Reads and parses a CSV file into a SourceTable. */
export async function loadCsv(options: CsvOptions): Promise<SourceTable> {
  const shown = options.displayBase ? relative(options.displayBase, options.path) || options.path : options.path;
  let text: string;
  try {
    text = await readFile(options.path, options.encoding === 'latin1' ? 'latin1' : 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError('data', code === 'ENOENT' ? `source "${options.name}": file not found: ${shown}` : `source "${options.name}": cannot read ${shown} (${code ?? String(error)})`, {
      location: { file: shown },
      hint: code === 'ENOENT' ? 'paths are relative to the config file; check `path:` under this source' : undefined,
    });
  }
  return parseCsv(text, { ...options, path: shown });
}

/** Parses CSV text (already read) into a SourceTable; `path` is only used in messages. */
export function parseCsv(text: string, options: CsvOptions): SourceTable {
  let records: string[][];
  try {
    records = parse(text, { bom: true, delimiter: options.delimiter ?? ',', skip_empty_lines: true, relax_quotes: false });
  } catch (error) {
    const e = error as Error & { lines?: number; code?: string };
    throw new CxError('data', `source "${options.name}": malformed CSV: ${e.message.replace(/^Invalid Record Length: /, '')}`, {
      location: { file: options.path, line: e.lines },
      hint: 'every row needs as many fields as the header; quote fields that contain the delimiter, quotes or line breaks',
    });
  }
  if (records.length === 0) throw new CxError('data', `source "${options.name}": the file is empty`, { location: { file: options.path }, hint: 'a CSV source needs a header row and at least one data row' });
  const header = records[0].map((h) => h.trim());
  const seen = new Set<string>();
  for (const h of header) {
    if (h === '') throw new CxError('data', `source "${options.name}": the header has an empty column name`, { location: { file: options.path, line: 1 } });
    if (seen.has(h)) throw new CxError('data', `source "${options.name}": duplicate column "${h}" in the header`, { location: { file: options.path, line: 1 } });
    seen.add(h);
  }
  const rows = records.slice(1);
  if (rows.length === 0) throw new CxError('data', `source "${options.name}": no data rows (only a header)`, { location: { file: options.path }, hint: 'the source must contain at least one row' });

  const columns: Record<string, unknown[]> = {};
  const types: { name: string; type: ColumnType }[] = [];
  header.forEach((name, j) => {
    const raw = rows.map((r) => (r[j] === undefined || r[j].trim() === '' ? null : r[j]));
    const nonEmpty = raw.filter((v): v is string => v !== null);
    const numeric = nonEmpty.length > 0 && nonEmpty.every((v) => NUMBER.test(v.trim()));
    columns[name] = numeric ? raw.map((v) => (v === null ? null : Number(v))) : raw;
    types.push({ name, type: nonEmpty.length === 0 ? 'empty' : numeric ? 'number' : 'string' });
  });
  return { name: options.name, file: options.path, table: aq.table(columns), rowCount: rows.length, columns: types };
}
