/**
 * CSV source: parsed by csv-parse (RFC 4180 quoting, quoted newlines, UTF-8 BOM, any one-character
 * delimiter), typed by columns.ts into an Arquero table. Files are streamed: records go straight
 * into per-column arrays, so neither the whole text nor an array of rows is ever held (a file may
 * be larger than the biggest string V8 can hold).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { parse as parseStream, type Options } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { CxError } from '../errors.js';
import { tableFromColumns, type DeclaredType } from './columns.js';
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
  /** IANA zone of date-times written without one */
  timezone?: string;
}

const parserOptions = (options: CsvOptions): Options => ({ bom: true, delimiter: options.delimiter ?? ',', skip_empty_lines: true, relax_quotes: false });

function malformed(error: unknown, options: CsvOptions): CxError {
  const e = error as Error & { lines?: number };
  return new CxError('data', `source "${options.name}": malformed CSV: ${e.message.replace(/^Invalid Record Length: /, '')}`, {
    location: { file: options.path, line: e.lines },
    hint: 'every row needs as many fields as the header; quote fields that contain the delimiter, quotes or line breaks',
  });
}

/** Collects records (the header first) into columns, checking the header and that there are rows. */
class ColumnCollector {
  private header?: string[];
  private cells: (string | null)[][] = [];
  constructor(private readonly options: CsvOptions) {}

  add(record: string[]): void {
    if (!this.header) {
      this.header = record.map((h) => h.trim());
      const seen = new Set<string>();
      for (const h of this.header) {
        if (h === '') throw new CxError('data', `source "${this.options.name}": the header has an empty column name`, { location: { file: this.options.path, line: 1 } });
        if (seen.has(h)) throw new CxError('data', `source "${this.options.name}": duplicate column "${h}" in the header`, { location: { file: this.options.path, line: 1 } });
        seen.add(h);
      }
      this.cells = this.header.map(() => []);
      return;
    }
    for (let j = 0; j < this.cells.length; j++) this.cells[j].push(record[j] ?? null);
  }

  table(): SourceTable {
    const { name, path } = this.options;
    if (!this.header) throw new CxError('data', `source "${name}": the file is empty`, { location: { file: path }, hint: 'a CSV source needs a header row and at least one data row' });
    if (this.cells[0].length === 0) throw new CxError('data', `source "${name}": no data rows (only a header)`, { location: { file: path }, hint: 'the source must contain at least one row' });
    const header = this.header;
    const cells = this.cells;
    this.cells = [];
    return tableFromColumns(name, path, header.map((h, j) => [h, cells[j]]), this.options.columns, this.options.timezone);
  }
}

/** Streams and parses a CSV file into a SourceTable. */
export async function loadCsv(options: CsvOptions): Promise<SourceTable> {
  const shown = options.displayBase ? relative(options.displayBase, options.path) || options.path : options.path;
  try {
    await stat(options.path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError('data', code === 'ENOENT' ? `source "${options.name}": file not found: ${shown}` : `source "${options.name}": cannot read ${shown} (${code ?? String(error)})`, {
      location: { file: shown },
      hint: code === 'ENOENT' ? 'paths are relative to the config file; check `path:` under this source' : undefined,
    });
  }
  const shownOptions = { ...options, path: shown };
  const collector = new ColumnCollector(shownOptions);
  const parser = createReadStream(options.path).pipe(parseStream({ ...parserOptions(options), encoding: options.encoding === 'latin1' ? 'latin1' : 'utf8' }));
  try {
    for await (const record of parser) collector.add(record as string[]);
  } catch (error) {
    if (error instanceof CxError) throw error;
    if ((error as NodeJS.ErrnoException).code?.startsWith('E') && !(error as { lines?: number }).lines) throw new CxError('data', `source "${options.name}": cannot read ${shown} (${(error as Error).message})`, { location: { file: shown } });
    throw malformed(error, shownOptions);
  }
  return collector.table();
}

/** Parses CSV text (already read) into a SourceTable; `path` is only used in messages. */
export function parseCsv(text: string, options: CsvOptions): SourceTable {
  const collector = new ColumnCollector(options);
  try {
    for (const record of parse(text, parserOptions(options)) as string[][]) collector.add(record);
  } catch (error) {
    if (error instanceof CxError) throw error;
    throw malformed(error, options);
  }
  return collector.table();
}
