/** Parquet (via hyparquet, with the common compressions) and Arrow IPC (via Arquero's flechette) sources. */
import * as aq from 'arquero';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { CxError } from '../errors.js';
import { columnsOfRows, tableFromColumns, type DeclaredType } from './columns.js';
import { emptySource, readSource } from './read.js';
import type { SourceTable } from './types.js';

export interface BinaryOptions {
  name: string;
  path: string;
  displayBase?: string;
  columns?: Record<string, DeclaredType>;
}

const arrayBuffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

export async function loadParquet(options: BinaryOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase);
  const file = arrayBuffer(bytes);
  let rows: Record<string, unknown>[];
  let names: string[];
  try {
    names = parquetMetadata(file).schema.slice(1).map((s) => s.name);
    rows = (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
  } catch (error) {
    throw new CxError('data', `source "${options.name}": not a readable Parquet file: ${(error as Error).message}`, { location: { file: shown }, hint: 'check that the file is Parquet (it starts and ends with "PAR1")' });
  }
  if (rows.length === 0) throw emptySource(options.name, shown);
  const byName = new Map(columnsOfRows(rows));
  return tableFromColumns(options.name, shown, names.filter((n) => byName.has(n)).map((n) => [n, byName.get(n)!]), options.columns);
}

export async function loadArrow(options: BinaryOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase);
  let table;
  try {
    table = aq.fromArrow(bytes);
  } catch (error) {
    throw new CxError('data', `source "${options.name}": not a readable Arrow IPC file: ${(error as Error).message}`, { location: { file: shown }, hint: 'give an Arrow IPC file or stream (.arrow, .feather v2)' });
  }
  if (table.numRows() === 0) throw emptySource(options.name, shown);
  return tableFromColumns(options.name, shown, table.columnNames().map((n) => [n, table.array(n) as ArrayLike<unknown>]), options.columns);
}
