/**
 * Delimited text sources (CSV, TSV, semicolon files, whitespace-separated exports) read as they
 * come: the encoding (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252) and the
 * delimiter (, ; tab |) are detected from the file unless declared; an empty header cell (a
 * pandas index) and duplicate names get generated names; Qualtrics exports (question-text and
 * ImportId rows) and SurveyMonkey exports (two header rows) are recognised, their question text
 * becoming each column's label. Every decision is kept as a note for the build output and the
 * methods appendix.
 *
 * Files are streamed: records go straight into per-column arrays, so neither the whole text nor an
 * array of rows is ever held. Each data row keeps the physical line it starts on (the header and
 * line breaks inside quoted fields counted), which every row-level message shows.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname, relative } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { parse as parseStream, type Options } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import { CxError } from '../kernel/errors.js';
import { GiveUp, RecordSplitter, splitRecords } from './csv-records.js';
import { tableFromColumns, type ColumnDecl } from './columns.js';
import type { SourceTable } from './types.js';

export type Encoding = 'utf8' | 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252' | 'latin1';

export interface CsvOptions {
  name: string;
  path: string;
  /** one character, or "whitespace"; detected when absent */
  delimiter?: string;
  /** detected when absent */
  encoding?: Encoding;
  /** rows holding column names (after skipRows); detected layouts when absent */
  headerRows?: number;
  /** rows to skip before the header */
  skipRows?: number;
  /** directory paths are shown relative to, in messages */
  displayBase?: string;
  /** declared columns */
  columns?: Record<string, ColumnDecl>;
  /** IANA zone of date-times written without one */
  timezone?: string;
  /** columns a metric reads as dates */
  dates?: ReadonlySet<string>;
}

/**
 * Distinct texts a column may have and still be pooled: equal cells then share one string, which
 * saves memory and the collector's time on large files (every cell is otherwise a string of its own).
 */
const POOL_SIZE = 4096;

/** Which reader read the records of each delimited file (tests turn the fast one off to compare). */
export const csvReader = { fast: true, splitterReads: 0, csvParseReads: 0 };

/** Longest record accepted (characters): past it, an unclosed quote is the likely cause. */
export const MAX_RECORD_SIZE = 16 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
const CANDIDATES = [',', ';', '\t', '|'];
const shownDelimiter = (d: string) => (d === '\t' ? 'tab' : d === 'whitespace' ? 'whitespace' : `"${d}"`);
const yamlDelimiter = (d: string) => (d === '\t' ? '"\\t"' : d === 'whitespace' ? 'whitespace' : `"${d}"`);

// ---------------------------------------------------------------- encodings

/**
 * Bytes of complete, valid UTF-8 at the start of `bytes` (`valid`), and the offset of the first
 * invalid byte, or -1 (a sequence cut off by the end of the buffer is neither: it is pending).
 */
export function scanUtf8(bytes: Uint8Array): { valid: number; invalidAt: number } {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return { valid: i, invalidAt: i };
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return { valid: i, invalidAt: -1 };
      const c = bytes[i + k];
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return { valid: i, invalidAt: i };
    }
    i += need + 1;
  }
  return { valid: n, invalidAt: -1 };
}

class NotUtf8 extends Error {
  constructor(readonly offset: number) {
    super(`not UTF-8 at byte ${offset}`);
  }
}

/** What the first bytes say about the encoding: a BOM, UTF-16 without one, or binary data. */
function sniffEncoding(head: Uint8Array, declared: Encoding | undefined, source: string, shown: string): { encoding: Encoding; skip: number } {
  const bom8 = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
  const bomLe = head[0] === 0xff && head[1] === 0xfe;
  const bomBe = head[0] === 0xfe && head[1] === 0xff;
  if (declared) {
    const e = declared === 'utf-8' ? 'utf8' : declared;
    return { encoding: e, skip: e === 'utf8' && bom8 ? 3 : e === 'utf-16le' && bomLe ? 2 : e === 'utf-16be' && bomBe ? 2 : 0 };
  }
  if (bom8) return { encoding: 'utf8', skip: 3 };
  if (bomLe) return { encoding: 'utf-16le', skip: 2 };
  if (bomBe) return { encoding: 'utf-16be', skip: 2 };
  const sample = head.subarray(0, 4096);
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) i % 2 ? zeroOdd++ : zeroEven++;
  if (zeroEven + zeroOdd > 0) {
    const half = sample.length / 2;
    if (zeroOdd > half * 0.3 && zeroEven < half * 0.05) throw new CxError('data', `source "${source}": the file looks like UTF-16 (little-endian) text without a byte-order mark`, { location: { file: shown }, hint: 'add encoding: utf-16le under this source' });
    if (zeroEven > half * 0.3 && zeroOdd < half * 0.05) throw new CxError('data', `source "${source}": the file looks like UTF-16 (big-endian) text without a byte-order mark`, { location: { file: shown }, hint: 'add encoding: utf-16be under this source' });
    const kind = head[0] === 0x50 && head[1] === 0x4b ? ' (it starts like a zip archive: an Excel workbook? use type: xlsx)' : head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31 ? ' (it is a Parquet file: use type: parquet)' : '';
    throw new CxError('data', `source "${source}": not a text file: byte ${head.indexOf(0)} is a NUL byte${kind}`, { location: { file: shown }, hint: 'a csv source must be delimited text; check `path:` and `type:` under this source' });
  }
  return { encoding: 'utf8', skip: 0 };
}

/** Decoded text chunks of a file; strict UTF-8 throws NotUtf8 with the byte offset. */
async function* decodeFile(path: string, encoding: Encoding, skip: number): AsyncGenerator<string> {
  const stream = createReadStream(path, { start: skip });
  let offset = skip;
  if (encoding === 'utf8' || encoding === 'utf-8') {
    let carry: Uint8Array = new Uint8Array(0);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const { valid, invalidAt } = scanUtf8(bytes);
      if (invalidAt >= 0) {
        stream.destroy();
        throw new NotUtf8(offset + invalidAt);
      }
      if (valid) yield Buffer.from(bytes.buffer, bytes.byteOffset, valid).toString('utf8');
      offset += valid;
      carry = bytes.subarray(valid);
    }
    if (carry.length) throw new NotUtf8(offset);
    return;
  }
  if (encoding === 'latin1') {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk.toString('latin1');
    return;
  }
  const decoder = new TextDecoder(encoding, { ignoreBOM: true });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

function decodeHead(head: Uint8Array, encoding: Encoding): string {
  if (encoding === 'utf8' || encoding === 'utf-8') return Buffer.from(head.buffer, head.byteOffset, scanUtf8(head).valid).toString('utf8');
  if (encoding === 'latin1') return Buffer.from(head).toString('latin1');
  return new TextDecoder(encoding, { ignoreBOM: true }).decode(head, { stream: true });
}

// ---------------------------------------------------------------- delimiters

/** Field counts of the first records of `text` split on `delimiter` (RFC 4180 quotes respected). */
function fieldCounts(text: string, delimiter: string, maxRecords = 30): number[] {
  const counts: number[] = [];
  let fields = 1;
  let quoted = false;
  let atStart = true;
  let empty = true;
  for (let i = 0; i < text.length && counts.length < maxRecords; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else quoted = false;
      }
      continue;
    }
    if (c === '"' && atStart) {
      quoted = true;
      atStart = false;
      empty = false;
    } else if (c === delimiter) {
      fields++;
      atStart = true;
      empty = false;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (!empty) counts.push(fields);
      fields = 1;
      atStart = true;
      empty = true;
    } else {
      if (c !== ' ') atStart = false;
      empty = false;
    }
  }
  return counts;
}

function whitespaceCounts(text: string, maxRecords = 30): number[] {
  return text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, maxRecords)
    .map((l) => l.split(/[ \t]+/).length);
}

/** The field count (≥ 2) most of the first records agree on (title lines above a table may differ), or 0. */
function consistent(counts: number[]): number {
  if (counts.length === 0) return 0;
  const tally = new Map<number, number>();
  for (const c of counts) tally.set(c, (tally.get(c) ?? 0) + 1);
  const [width, agree] = [...tally].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0];
  return width >= 2 && agree >= Math.max(1, Math.ceil(counts.length * 0.8)) ? width : 0;
}

/** The delimiter that splits the first lines into the same number (≥ 2) of fields, widest first. */
export function sniffDelimiter(head: string, path: string): string | undefined {
  // drop a last line the head may have cut off
  const cut = head.length >= HEAD_BYTES / 4 ? head.slice(0, Math.max(head.lastIndexOf('\n'), 0)) : head;
  let best: string | undefined;
  let width = 0;
  const order = extname(path).toLowerCase() === '.tsv' ? ['\t', ...CANDIDATES.filter((c) => c !== '\t')] : CANDIDATES;
  for (const d of order) {
    const w = consistent(fieldCounts(cut, d));
    if (w > width) {
      best = d;
      width = w;
    }
  }
  if (best) return best;
  if (consistent(whitespaceCounts(cut)) >= 2 && /^[ \t]*\S+[ \t]+\S/.test(cut)) return 'whitespace';
  return undefined;
}

// ---------------------------------------------------------------- headers

/** What the header rows say: column names, labels and notes. */
interface Header {
  names: string[];
  labels: Record<string, string>;
  notes: string[];
}

const SURVEYMONKEY_SUBHEADS = new Set(['response', 'open-ended response']);

/** Names from one or more header rows; generated names for empty cells, suffixes for duplicates. */
function headerFrom(rows: string[][], options: { layout?: 'qualtrics' | 'qualtrics-legacy' | 'surveymonkey'; labels?: string[] }): Header {
  const width = Math.max(...rows.map((r) => r.length));
  const notes: string[] = [];
  const names: string[] = [];
  const labels: Record<string, string> = {};
  let question = '';
  for (let j = 0; j < width; j++) {
    const top = (rows[0][j] ?? '').trim();
    let name = top;
    if (rows.length > 1) {
      // a blank top cell continues the question to its left; later rows add the option
      if (top) question = top;
      const parts = rows
        .slice(1)
        .map((r) => (r[j] ?? '').trim())
        .filter((v) => v !== '' && !SURVEYMONKEY_SUBHEADS.has(v.toLowerCase()));
      const base = top || (parts.length ? question : '');
      name = [base, ...parts].filter(Boolean).join(' – ');
    }
    if (options.layout === 'qualtrics-legacy' && /^V\d+$/.test(name)) {
      // legacy Qualtrics: V1…V10 are named by the row below (ResponseID, StartDate, …)
      const below = (options.labels?.[j] ?? '').trim();
      if (/^[A-Za-z][\w]*$/.test(below)) name = below;
    }
    names.push(name);
  }
  const empty = names.map((n, j) => (n === '' ? j + 1 : 0)).filter(Boolean);
  const seen = new Map<string, number>();
  const renamed: string[] = [];
  for (let j = 0; j < names.length; j++) {
    if (names[j] === '') names[j] = `column_${j + 1}`;
  }
  const taken = new Set(names);
  for (let j = 0; j < names.length; j++) {
    const count = (seen.get(names[j]) ?? 0) + 1;
    seen.set(names[j], count);
    if (count > 1) {
      let k = count;
      let candidate = `${names[j]}_${k}`;
      while (taken.has(candidate)) candidate = `${names[j]}_${++k}`;
      taken.add(candidate);
      renamed.push(`"${names[j]}" (column ${j + 1}) → "${candidate}"`);
      names[j] = candidate;
    }
  }
  if (empty.length) notes.push(`the header has no name for column${empty.length > 1 ? 's' : ''} ${empty.join(', ')} (an index column written by pandas or a spreadsheet?): named ${empty.map((j) => `column_${j}`).join(', ')}`);
  if (renamed.length) notes.push(`duplicate column names renamed: ${renamed.join(', ')}`);
  if (options.labels) {
    options.labels.forEach((label, j) => {
      const text = label.trim();
      if (text && j < names.length && text !== names[j]) labels[names[j]] = text;
    });
  }
  return { names, labels, notes };
}

/** The export layout the first rows show, if a known one. */
function layoutOf(rows: string[][]): 'qualtrics' | 'qualtrics-legacy' | 'surveymonkey' | undefined {
  const [first, second, third] = rows;
  if (!first) return undefined;
  if (third && third.some((c) => /^\{"ImportId"/.test(c.trim())) && third.every((c) => c.trim() === '' || /^\{"ImportId"/.test(c.trim()))) return 'qualtrics';
  if (second && /^V1$/.test(first[0]?.trim() ?? '') && /^V2$/.test(first[1]?.trim() ?? '') && second.some((c) => c.trim() === 'ResponseID')) return 'qualtrics-legacy';
  if (second && first.some((c) => c.trim() === 'Respondent ID') && second.some((c) => SURVEYMONKEY_SUBHEADS.has(c.trim().toLowerCase()))) return 'surveymonkey';
  return undefined;
}

// ---------------------------------------------------------------- collecting

/** Collects records (the header rows first) into columns. */
class ColumnCollector {
  private pending: { record: string[]; line: number }[] = [];
  private header?: Header;
  private cells: (string | null)[][] = [];
  /** per column, its distinct texts while there are few of them (null: too many, not pooled) */
  private pools: (Map<string, string> | null)[] = [];
  private lines: number[] = [];
  /** data rows collected (the column arrays may be longer: sized from the file's size, trimmed at the end) */
  private count = 0;
  private skipped = 0;
  private headerLine = 1;
  private readonly notes: string[] = [];

  constructor(private readonly options: CsvOptions & { shown: string; sniffed?: string; expectedRows?: number }) {}

  note(text: string): void {
    this.notes.push(text);
  }

  add(record: string[], line: number): void {
    if (this.header) {
      if (this.header.names.length !== record.length) this.widthError(record, line);
      const { cells, pools } = this;
      const at = this.count++;
      for (let j = 0; j < cells.length; j++) {
        let v = record[j];
        // a column of few distinct texts (a region, a score) keeps one string per text
        const pool = pools[j];
        if (pool !== null) {
          const kept = pool.get(v);
          if (kept !== undefined) v = kept;
          else if (pool.size < POOL_SIZE) pool.set(v, v);
          else pools[j] = null;
        }
        cells[j][at] = v;
      }
      this.lines[at] = line;
      return;
    }
    if (this.skipped < (this.options.skipRows ?? 0)) {
      this.skipped++;
      return;
    }
    this.pending.push({ record, line });
    // three rows tell a layout; a declared header needs only its own rows
    if (this.pending.length >= (this.options.headerRows !== undefined ? this.options.headerRows : 3)) this.decide();
  }

  private decide(): void {
    const rows = this.pending.map((p) => p.record);
    const declared = this.options.headerRows;
    let used: number;
    let header: Header;
    const layout = declared === undefined ? layoutOf(rows) : undefined;
    const width = rows[0]?.length ?? 0;
    if (declared === 0) {
      used = 0;
      header = { names: Array.from({ length: width }, (_, j) => `column_${j + 1}`), labels: {}, notes: ['no header row (header_rows: 0): columns named column_1, column_2, …'] };
    } else if (layout === 'qualtrics') {
      used = 3;
      header = headerFrom([rows[0]], { labels: rows[1] });
      header.notes.unshift('a Qualtrics export: row 2 (question text) became column labels, row 3 (ImportId) was skipped');
    } else if (layout === 'qualtrics-legacy') {
      used = 2;
      header = headerFrom([rows[0]], { layout, labels: rows[1] });
      header.notes.unshift('a legacy Qualtrics export: row 2 (question text) became column labels; V1… columns are named by it');
    } else if (layout === 'surveymonkey') {
      used = 2;
      header = headerFrom(rows.slice(0, 2), {});
      header.notes.unshift('a SurveyMonkey export: two header rows, combined into "Question – Option" names');
    } else {
      used = declared ?? 1;
      header = headerFrom(rows.slice(0, used), {});
    }
    this.header = header;
    this.headerLine = this.pending[0]?.line ?? 1;
    this.notes.push(...header.notes);
    // arrays sized for the rows the file is expected to hold grow no copy at a time
    const expected = this.options.expectedRows ?? 0;
    this.cells = header.names.map(() => (expected > 0 ? new Array(expected) : []));
    this.lines = expected > 0 ? new Array(expected) : [];
    this.pools = header.names.map(() => new Map());
    const rest = this.pending.slice(used);
    this.pending = [];
    for (const r of rest) this.add(r.record, r.line);
  }

  private widthError(record: string[], line: number): never {
    const { name, shown, delimiter, sniffed } = this.options;
    const expected = this.header!.names.length;
    if (sniffed && sniffed !== (delimiter ?? ',')) {
      throw new CxError('data', `source "${name}": line ${line} has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${expected} (with delimiter ${shownDelimiter(delimiter ?? ',')})`, {
        location: { file: shown, line },
        hint: `the first lines split evenly on ${shownDelimiter(sniffed)}: add delimiter: ${yamlDelimiter(sniffed)} under this source`,
      });
    }
    throw new CxError('data', `source "${name}": line ${line} has ${record.length} field${record.length === 1 ? '' : 's'}, the header has ${expected}`, {
      location: { file: shown, line },
      hint:
        expected === 1
          ? `the header was read as one column with delimiter ${shownDelimiter(delimiter ?? ',')}: set delimiter: under this source (e.g. ";" or "\\t")`
          : 'every row needs as many fields as the header; quote fields that contain the delimiter, quotes or line breaks',
    });
  }

  table(): SourceTable {
    if (!this.header) this.decide();
    const { name, shown } = this.options;
    const header = this.header!;
    if (header.names.length === 0) throw new CxError('data', `source "${name}": the file is empty`, { location: { file: shown }, hint: 'a CSV source needs a header row and at least one data row' });
    if (this.count === 0) throw new CxError('data', `source "${name}": no data rows (only a header)`, { location: { file: shown, line: this.headerLine }, hint: 'the source must contain at least one row' });
    const cells = this.cells;
    for (const column of cells) column.length = this.count;
    this.lines.length = this.count;
    this.cells = [];
    // a delimiter at the end of every line (Excel, legacy Qualtrics) makes an unnamed, empty last column: dropped
    const last = header.names.length - 1;
    if (last > 0 && header.names[last] === `column_${last + 1}` && cells[last].every((v) => v === null || v.trim() === '')) {
      header.names.pop();
      cells.pop();
      const i = this.notes.findIndex((n) => n.startsWith('the header has no name for column'));
      if (i >= 0 && !this.notes[i].includes(',')) this.notes.splice(i, 1);
      this.notes.push('every line ends with a delimiter: the empty, unnamed last column was dropped');
    }
    return tableFromColumns(
      name,
      shown,
      header.names.map((h, j) => [h, cells[j]]),
      this.options.columns,
      this.options.timezone,
      this.lines,
      { dates: this.options.dates, labels: header.labels, notes: this.notes, owned: true },
    );
  }
}

/** Start line of a record: csv-parse gives the line it ends on; quoted line breaks move the start up. */
function lineBreaksIn(record: string[]): number {
  let breaks = 0;
  for (const field of record) {
    if (field.length < 1) continue;
    let at = field.indexOf('\n');
    while (at >= 0) {
      breaks++;
      at = field.indexOf('\n', at + 1);
    }
    if (breaks === 0 && field.indexOf('\r') >= 0) breaks += field.split('\r').length - 1;
  }
  return breaks;
}

// the field count is checked against the header here (rows above it, skipped, may be narrower)
// Empty lines come through as one empty field and are skipped by the reader, which counts lines
// itself (a record starts on the line after the previous one's last, plus the line breaks quoted
// inside it): csv-parse's per-record `info` objects cost more than the parsing on large files.
const parserOptions = (delimiter: string): Options => ({ delimiter, skip_empty_lines: false, relax_quotes: false, relax_column_count: true, max_record_size: MAX_RECORD_SIZE });

/**
 * Feeds the parser's records to the collector with the physical line each starts on: the line
 * after the previous record's last, which is its first line plus the breaks quoted inside it.
 * Empty lines (one empty field) are counted and skipped.
 */
function lineCounter(collector: ColumnCollector): (record: string[], lineBreaks?: boolean) => void {
  let line = 1;
  return (record, lineBreaks = true) => {
    if (record.length !== 1 || record[0] !== '') collector.add(record, line);
    // (the fast splitter says whether a field holds a line break at all)
    line += 1 + (lineBreaks ? lineBreaksIn(record) : 0);
  };
}

function malformed(error: unknown, options: CsvOptions & { shown: string }, sniffed: string | undefined): CxError {
  if (error instanceof CxError) return error;
  const e = error as Error & { lines?: number; code?: string };
  const used = options.delimiter ?? ',';
  const other = sniffed && sniffed !== used ? ` — the first lines split evenly on ${shownDelimiter(sniffed)}: add delimiter: ${yamlDelimiter(sniffed)} under this source` : '';
  const why =
    e.code === 'CSV_MAX_RECORD_SIZE'
      ? `a record longer than ${MAX_RECORD_SIZE / 1024 / 1024} MB (an unclosed quote?)`
      : e.message.replace(/^Invalid Record Length: /, '').replace(/^Invalid Opening Quote: /, 'a quote inside a field that is not quoted: ');
  return new CxError('data', `source "${options.name}": malformed CSV: ${why}`, {
    location: { file: options.shown, line: e.lines },
    hint: other ? other.slice(3) : e.code === 'CSV_MAX_RECORD_SIZE' ? 'check that every opening quote is closed' : 'every row needs as many fields as the header; quote fields that contain the delimiter, quotes or line breaks',
  });
}

/** Feeds whitespace-separated lines (no quoting) to the collector. */
async function collectWhitespace(chunks: AsyncIterable<string>, collector: ColumnCollector): Promise<void> {
  let line = 0;
  let rest = '';
  const take = (text: string) => {
    line++;
    const t = text.trim();
    if (t !== '') collector.add(t.split(/[ \t]+/), line);
  };
  for await (const chunk of chunks) {
    const parts = (rest + chunk).split(/\r?\n|\r(?!$)/);
    rest = parts.pop() ?? '';
    for (const p of parts) take(p);
    if (rest.length > MAX_RECORD_SIZE) throw new CxError('data', 'a line longer than 16 MB', {});
  }
  if (rest !== '') take(rest.replace(/\r$/, ''));
}

/**
 * About how many rows a large file holds, from the line breaks of its first 64 KB (a little more,
 * so that the columns are rarely grown); 0 for a file read whole in its head, or rows too many to
 * size arrays for up front.
 */
function expectedRows(size: number, headBytes: number, headText: string): number {
  if (size <= headBytes) return 0;
  let breaks = 0;
  for (let at = headText.indexOf('\n'); at >= 0; at = headText.indexOf('\n', at + 1)) breaks++;
  if (breaks < 2) return 0;
  const rows = Math.ceil((size / headBytes) * breaks * 1.02);
  return rows <= 20_000_000 ? rows : 0;
}

/** Streams one pass over the file into a collector. */
async function collect(options: CsvOptions & { shown: string }, encoding: Encoding, skip: number, delimiter: string, notes: string[], sniffed: string | undefined): Promise<SourceTable> {
  const start = () => {
    const collector = new ColumnCollector({ ...options, delimiter, sniffed });
    for (const n of notes) collector.note(n);
    return { collector, chunks: decodeFile(options.path, encoding, skip) };
  };
  if (delimiter === 'whitespace') {
    const { collector, chunks } = start();
    await collectWhitespace(chunks, collector);
    return collector.table();
  }
  try {
    // well-formed text through the fast splitter (csv-records.ts); anything else through csv-parse
    if (csvReader.fast) {
      try {
        csvReader.splitterReads++;
        const { collector, chunks } = start();
        const splitter = new RecordSplitter(delimiter, lineCounter(collector), MAX_RECORD_SIZE / 4);
        for await (const chunk of chunks) splitter.push(chunk);
        splitter.end();
        return collector.table();
      } catch (error) {
        if (!(error instanceof GiveUp)) throw error;
      }
    }
    csvReader.csvParseReads++;
    const { collector, chunks } = start();
    const parser = parseStream(parserOptions(delimiter));
    // errors of either stream (unreadable file, bad bytes, bad CSV) reach the loop below
    pipeline(Readable.from(chunks), parser, () => {});
    const feed = lineCounter(collector);
    // records are read synchronously as the parser has them (no promise per record)
    await new Promise<void>((resolve, reject) => {
      parser.on('readable', () => {
        let record: string[] | null;
        try {
          while ((record = parser.read() as string[] | null) !== null) feed(record);
        } catch (error) {
          parser.destroy();
          reject(error);
        }
      });
      parser.on('error', reject);
      parser.on('end', resolve);
    });
    return collector.table();
  } catch (error) {
    if (error instanceof NotUtf8 || error instanceof CxError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code?.startsWith('E') && !(error as { lines?: number }).lines) throw new CxError('data', `source "${options.name}": cannot read ${options.shown} (${code === 'EISDIR' ? 'it is a directory' : (error as Error).message})`, { location: { file: options.shown } });
    throw malformed(error, { ...options, delimiter }, sniffed);
  }
}

/** Streams and parses a delimited text file into a SourceTable. */
export async function loadCsv(options: CsvOptions): Promise<SourceTable> {
  const shown = options.displayBase ? relative(options.displayBase, options.path) || options.path : options.path;
  let head: Uint8Array;
  let size = 0;
  try {
    const info = await stat(options.path);
    size = info.size;
    if (!info.isFile()) throw Object.assign(new Error(info.isDirectory() ? 'it is a directory' : 'not a regular file'), { code: info.isDirectory() ? 'EISDIR' : 'ENOTFILE' });
    const handle = await open(options.path, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CxError('data', code === 'ENOENT' ? `source "${options.name}": file not found: ${shown}` : `source "${options.name}": cannot read ${shown} (${code === 'EISDIR' || code === 'ENOTFILE' ? (error as Error).message : (code ?? String(error))})`, {
      location: { file: shown },
      hint: code === 'ENOENT' ? 'paths are relative to the config file; check `path:` under this source' : code === 'EISDIR' || code === 'ENOTFILE' ? '`path:` must name a file' : undefined,
    });
  }
  const { encoding, skip } = sniffEncoding(head, options.encoding, options.name, shown);
  const headText = decodeHead(head.subarray(skip), encoding);
  const full = { ...options, shown, expectedRows: expectedRows(size, head.length, headText) };
  const sniffed = sniffDelimiter(headText, options.path);
  const delimiter = options.delimiter ?? sniffed ?? ',';
  const notes: string[] = [];
  if (!options.delimiter && sniffed && sniffed !== ',') notes.push(`delimiter ${shownDelimiter(sniffed)} detected from the first lines`);
  if (!options.encoding && encoding !== 'utf8') notes.push(`encoding ${encoding.toUpperCase()} detected from the byte-order mark`);
  try {
    return await collect(full, encoding, skip, delimiter, notes, sniffed);
  } catch (error) {
    if (!(error instanceof NotUtf8)) throw error;
    if (options.encoding) {
      throw new CxError('data', `source "${options.name}": byte ${error.offset} is not valid UTF-8`, {
        location: { file: shown },
        hint: 'the file is in another encoding: set encoding: windows-1252 (Excel on Windows), latin1, utf-16le or utf-16be under this source',
      });
    }
    // not UTF-8: the usual other encoding of exported text is Windows-1252 (Excel's "CSV" on Windows)
    notes.push(`encoding Windows-1252 assumed: the file is not valid UTF-8 (byte ${error.offset}); set encoding: if another one is meant`);
    return await collect(full, 'windows-1252', 0, delimiter, notes, sniffed);
  }
}

/** Parses CSV text (already read) into a SourceTable; `path` is only used in messages. */
export function parseCsv(text: string, options: CsvOptions): SourceTable {
  const delimiter = options.delimiter ?? sniffDelimiter(text, options.path) ?? ',';
  const full = { ...options, shown: options.path, delimiter };
  let collector = new ColumnCollector(full);
  try {
    if (delimiter === 'whitespace') {
      text.split(/\r?\n|\r/).forEach((l, i) => {
        if (l.trim() !== '') collector.add(l.trim().split(/[ \t]+/), i + 1);
      });
    } else {
      if (csvReader.fast) {
        try {
          csvReader.splitterReads++;
          // as loadCsv: the fast splitter, csv-parse for what it leaves (a BOM is not text)
          splitRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, delimiter, lineCounter(collector), MAX_RECORD_SIZE / 4);
          return collector.table();
        } catch (error) {
          if (!(error instanceof GiveUp)) throw error;
        }
        collector = new ColumnCollector(full);
      }
      csvReader.csvParseReads++;
      const feed = lineCounter(collector);
      for (const record of parse(text, { ...parserOptions(delimiter), bom: true }) as unknown as string[][]) feed(record);
    }
  } catch (error) {
    throw malformed(error, full, undefined);
  }
  return collector.table();
}
