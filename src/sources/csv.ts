/**
 * CSV source: parsed by csv-parse (RFC 4180 quoting, quoted newlines, UTF-8 BOM, any one-character
 * delimiter), typed by columns.ts into an Arquero table.
 */
import { parse } from 'csv-parse/sync';
import { CxError } from '../errors.js';
import { tableFromColumns, type DeclaredType } from './columns.js';
import { readSource } from './read.js';
import type { SourceTable } from './types.js';

export interface CsvOptions {
  name: string;
  path: string;
  delimiter?: string;
  encoding?: 'utf8' | 'utf-8' | 'latin1';
  /** directory paths are shown relative to, in messages */
  displayBase?: string;
  /** declared column types */
  columns?: Record<string, DeclaredType>;
}

/** Reads and parses a CSV file into a SourceTable. */
export async function loadCsv(options: CsvOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase);
  const text = Buffer.from(bytes).toString(options.encoding === 'latin1' ? 'latin1' : 'utf8');
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

  return tableFromColumns(options.name, options.path, header.map((name, j) => [name, rows.map((r) => r[j] ?? null)]), options.columns);
}
