/**
 * Excel source (.xlsx, Office Open XML), read by read-excel-file (pure JavaScript: unzips with
 * fflate and parses the sheet XML; no native code). One worksheet becomes a table: the
 * `header_row` names the columns, the rows below it are the data, and each row keeps its
 * spreadsheet row number (the `__row` column), so that messages point at the row the analyst sees.
 *
 * Cells: numbers stay numbers, text stays text, booleans stay booleans, empty cells are null and a
 * formula cell gives the value Excel saved with it. Date cells (serial numbers with a date format)
 * become naive ISO 8601 text — `2026-10-05` at midnight, else `2026-10-05T14:30:00` — which
 * `timezone:` then converts like a CSV date-time; text that looks like a date stays text.
 */
import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
/** The reader, loaded when an xlsx source is read (about 80 ms), not for every build. */
const reader = () => import('read-excel-file/node');
import { editDistance, suggestion } from '../kernel/suggest.js';
import { CxError } from '../kernel/errors.js';
import { tableFromColumns } from './columns.js';
import { readSource } from './read.js';
import type { SourceTable } from './types.js';

/** Workbooks larger than this are refused before they are read (an .xlsx is unzipped in memory). */
export const MAX_XLSX_BYTES = 200 * 1024 * 1024;

export interface XlsxOptions {
  name: string;
  path: string;
  /** directory paths are shown relative to, in messages */
  displayBase?: string;
  /** sheet name, or 1-based position; default: the first sheet */
  sheet?: string | number;
  /** 1-based spreadsheet row holding the column names (default 1) */
  headerRow?: number;
  /** the source's `columns:` declaration, passed through to the column layer */
  columns?: Parameters<typeof tableFromColumns>[3];
  /** IANA zone of date-times written without one */
  timezone?: string;
  /** columns a metric reads as dates (text dates in them are read in the shape the sheet uses) */
  dates?: ReadonlySet<string>;
}

type Cell = string | number | boolean | Date | null;

const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const startsWith = (bytes: Uint8Array, magic: number[]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** Whether a Compound File (OLE2) holds an encrypted OOXML package (its "EncryptedPackage" stream), rather than a legacy .xls. */
function isEncryptedPackage(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from('EncryptedPackage', 'utf16le'));
}

/** Whether the first bytes read as text (a CSV or other text file renamed .xlsx). */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  let printable = 0;
  for (const b of head) if (b === 9 || b === 10 || b === 13 || b >= 32) printable++;
  return !head.includes(0) && printable / head.length > 0.95;
}

/** `YYYY-MM-DD` for midnight, else `YYYY-MM-DDTHH:MM:SS` (naive: Excel stores wall-clock times; rounded to the second). */
export function excelDateText(date: Date): string | null {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return null;
  const iso = new Date(Math.round(ms / 1000) * 1000).toISOString();
  return iso.slice(11, 19) === '00:00:00' ? iso.slice(0, 10) : iso.slice(0, 19);
}

function cellValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return excelDateText(v);
  return v;
}

const isBlank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Header names: trimmed; an empty cell is `column_<n>`; a repeated name gets `_2`, `_3`… (never clashing with another column's name). */
export function headerNames(cells: unknown[]): string[] {
  const raw = cells.map((v, j) => {
    const text = v instanceof Date ? (excelDateText(v) ?? '') : v === null || v === undefined ? '' : String(v).trim();
    return text === '' ? `column_${j + 1}` : text;
  });
  const taken = new Set(raw);
  const used = new Set<string>();
  return raw.map((name) => {
    if (!used.has(name)) return used.add(name), name;
    let k = 2;
    while (taken.has(`${name}_${k}`) || used.has(`${name}_${k}`)) k++;
    const renamed = `${name}_${k}`;
    used.add(renamed);
    return renamed;
  });
}

/** Sheet names, nearest to `wanted` first. */
const byNearness = (wanted: string, names: string[]) => [...names].sort((a, b) => editDistance(wanted, a) - editDistance(wanted, b));

/** Reads one worksheet of an .xlsx workbook into a SourceTable. */
export async function loadXlsx(options: XlsxOptions): Promise<SourceTable> {
  const { name } = options;
  const shown = options.displayBase ? relative(options.displayBase, options.path) || options.path : options.path;
  const location = { file: shown };
  const size = await stat(options.path).then(
    (s) => s.size,
    () => undefined, // a missing or unreadable file is reported by readSource, with its usual message
  );
  if (size !== undefined && size > MAX_XLSX_BYTES) {
    throw new CxError('data', `source "${name}": ${shown} is ${Math.ceil(size / 1024 / 1024)} MB; an xlsx source may be at most ${MAX_XLSX_BYTES / 1024 / 1024} MB`, {
      location,
      hint: 'export the sheet to CSV (type: csv streams files of any size) or Parquet, or query it with a duckdb source',
    });
  }
  const { bytes } = await readSource(name, options.path, options.displayBase);

  const notXlsx = (what: string, hint: string) => new CxError('data', `source "${name}": ${shown} is not an Excel workbook (.xlsx): ${what}`, { location, hint });
  const resave = 'open it in Excel (or LibreOffice) and save it as "Excel Workbook (.xlsx)"';
  if (bytes.length === 0) throw notXlsx('the file is empty', `${resave}; an .xlsx file is never empty`);
  if (startsWith(bytes, CFB_MAGIC)) {
    if (isEncryptedPackage(bytes)) {
      throw new CxError('data', `source "${name}": ${shown} is password-protected (encrypted)`, { location, hint: 'cxreport cannot decrypt workbooks: save a copy without a password (File › Info › Protect Workbook › Encrypt with Password, clear it)' });
    }
    throw notXlsx('it is a legacy .xls workbook (Excel 97–2003)', resave);
  }
  if (!startsWith(bytes, ZIP_MAGIC)) {
    throw looksLikeText(bytes) ? notXlsx('it is a text file (a CSV renamed .xlsx?)', 'for a CSV file use `type: csv`; otherwise ' + resave) : notXlsx('it is not a ZIP package, as every .xlsx is', resave);
  }

  const damage = zipDamage(bytes);
  const damaged = (why: string) => new CxError('data', `source "${name}": ${shown} is not a readable Excel workbook (.xlsx): the ZIP package is damaged (${why})`, { location, hint: resave });
  if (damage) throw damaged(damage);

  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sheet = options.sheet ?? 1;
  const { default: readXlsxFile, readSheet, SheetNotFoundError, InvalidInputError, InvalidSpreadsheetError } = await reader();
  let rows: Cell[][];
  try {
    // trim: false keeps text as written (as the CSV source does); header cells are trimmed below
    rows = (await settles(readSheet(input, sheet, { trim: false }), () => damaged('it ended before the workbook did'))) as unknown as Cell[][];
  } catch (error) {
    if (error instanceof CxError) throw error;
    if (error instanceof SheetNotFoundError || (error as Error).name === 'SheetNotFoundError') {
      const names: string[] = (error as { sheets?: string[] }).sheets ?? [];
      if (typeof sheet === 'number') {
        throw new CxError('data', `source "${name}": sheet ${sheet} is out of range: ${shown} has ${names.length} sheet${names.length === 1 ? '' : 's'}`, {
          location,
          hint: `give \`sheet:\` a position from 1 to ${names.length}, or a name (sheets: ${names.join(', ')})`,
        });
      }
      throw new CxError('data', `source "${name}": no sheet named "${sheet}" in ${shown}`, { location, hint: suggestion(sheet, byNearness(sheet, names), 'sheets') });
    }
    throw new CxError('data', `source "${name}": ${shown} is not a readable Excel workbook (.xlsx): ${describeLibraryError(error, InvalidInputError, InvalidSpreadsheetError)}`, { location, hint: resave });
  }

  const sheetLabel = async () => (typeof sheet === 'string' ? sheet : ((await readXlsxFile(input).catch(() => []))[sheet - 1]?.sheet ?? String(sheet)));
  const headerRow = options.headerRow ?? 1;
  const noData = async () =>
    new CxError('data', `source "${name}": sheet "${await sheetLabel()}" has no data rows`, {
      location,
      hint: headerRow === 1 ? 'the first row holds the column names and the data starts below it; check `sheet:`' : `the column names are in row ${headerRow} (\`header_row:\`) and the data starts below it; check \`sheet:\` and \`header_row:\``,
    });
  if (rows.length === 0) throw await noData();
  if (headerRow > rows.length) {
    throw new CxError('data', `source "${name}": header_row ${headerRow} is beyond the last row of sheet "${await sheetLabel()}" (row ${rows.length})`, {
      location,
      hint: `give \`header_row:\` the row (1–${rows.length}) that holds the column names`,
    });
  }

  if (rows[headerRow - 1].every(isBlank)) {
    throw new CxError('data', `source "${name}": row ${headerRow} of sheet "${await sheetLabel()}" is empty, but it should hold the column names`, {
      location,
      hint: 'set `header_row:` to the row that holds the column names',
    });
  }

  // data rows below the header, skipping blank ones; each keeps its spreadsheet row number (index + 1)
  const data: number[] = [];
  for (let i = headerRow; i < rows.length; i++) if (!rows[i].every(isBlank)) data.push(i);
  if (data.length === 0) throw await noData();

  // columns up to the last one with a name or a value (title rows above the header may be wider)
  const lastFilled = (row: Cell[]) => {
    let j = row.length;
    while (j > 0 && isBlank(row[j - 1])) j--;
    return j;
  };
  const width = Math.max(...[headerRow - 1, ...data].map((i) => lastFilled(rows[i])));
  const header = headerNames(Array.from({ length: width }, (_, j) => rows[headerRow - 1][j] ?? null));
  const columns: [string, unknown[]][] = header.map((h, j) => [h, data.map((i) => cellValue(rows[i][j]))]);
  return tableFromColumns(name, shown, columns, options.columns, options.timezone, data.map((i) => i + 1), { dates: options.dates });
}

/**
 * Why a ZIP package cannot be read whole, if it cannot: its end-of-central-directory record must
 * close the file (a package cut short, or with other bytes after it, made the streaming unzip of
 * read-excel-file wait forever) and its central directory must lie inside the file.
 */
export function zipDamage(bytes: Uint8Array): string | undefined {
  const n = bytes.length;
  if (n < 22) return 'it is too short';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = n - 22; i >= Math.max(0, n - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) !== 0x06054b50) continue;
    // a signature inside the data, or a record followed by other bytes: keep looking
    if (i + 22 + view.getUint16(i + 20, true) !== n) continue;
    const size = view.getUint32(i + 12, true);
    const offset = view.getUint32(i + 16, true);
    if (offset === 0xffffffff || size === 0xffffffff) return undefined; // ZIP64: left to the reader
    return offset + size > i ? 'its central directory lies outside the file' : undefined;
  }
  return 'its end record is missing (the file is cut short, or other bytes follow it)';
}

/**
 * The reader's promise, or `stuck()` if it can never settle: when nothing else is left to run
 * (a CLI process about to exit, silently, with code 13) or after two minutes (a long-running
 * preview) — a damaged package the checks above miss must not hang or end the build wordlessly.
 */
function settles<T>(promise: Promise<T>, stuck: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = () => reject(stuck());
    const timer = setTimeout(fail, 120_000);
    process.once('beforeExit', fail);
    const done = () => {
      clearTimeout(timer);
      process.off('beforeExit', fail);
    };
    promise.then(
      (value) => (done(), resolve(value)),
      (error: unknown) => (done(), reject(error)),
    );
  });
}

function describeLibraryError(error: unknown, InvalidInputError: typeof import('read-excel-file/node').InvalidInputError, InvalidSpreadsheetError: typeof import('read-excel-file/node').InvalidSpreadsheetError): string {
  if (error instanceof InvalidInputError) return error.code === 'INVALID_ZIP' ? 'the ZIP package is damaged' : error.message;
  if (error instanceof InvalidSpreadsheetError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
