/** Parquet (via hyparquet, with the common compressions) and Arrow IPC (via Arquero's flechette) sources. */
import * as aq from 'arquero';
import { parquetMetadata, parquetRead } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { CxError } from '../errors.js';
import { tableFromColumns, type ColumnDecl } from './columns.js';
import { emptySource, readSource } from './read.js';
import type { SourceTable } from './types.js';

export interface BinaryOptions {
  name: string;
  path: string;
  displayBase?: string;
  columns?: Record<string, ColumnDecl>;
}

const arrayBuffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

export async function loadParquet(options: BinaryOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase);
  const file = arrayBuffer(bytes);
  let columns: [string, unknown[]][];
  try {
    const metadata = parquetMetadata(file);
    const rows = Number(metadata.num_rows);
    if (rows === 0) throw emptySource(options.name, shown);
    // column chunks are copied into one array per column: no row objects are built
    const names = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
    const data = new Map(names.map((n) => [n, new Array<unknown>(rows)]));
    await parquetRead({
      file,
      metadata,
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const target = data.get(columnName);
        if (target) for (let i = 0; i < columnData.length; i++) target[rowStart + i] = columnData[i];
      },
    });
    columns = names.map((n) => [n, data.get(n)!]);
  } catch (error) {
    if (error instanceof CxError) throw error;
    throw new CxError('data', `source "${options.name}": not a readable Parquet file: ${(error as Error).message}`, { location: { file: shown }, hint: 'check that the file is Parquet (it starts and ends with "PAR1")' });
  }
  return tableFromColumns(options.name, shown, columns, options.columns);
}

export async function loadArrow(options: BinaryOptions): Promise<SourceTable> {
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase);
  let rows: number;
  let columns: [string, ArrayLike<unknown>][];
  try {
    // decoded here, inside the try: a damaged file fails while its columns are read, not only when it is opened
    const table = aq.fromArrow(bytes);
    rows = table.numRows();
    columns = table.columnNames().map((n) => [n, Array.from(table.array(n) as ArrayLike<unknown>)]);
  } catch (error) {
    throw new CxError('data', `source "${options.name}": not a readable Arrow IPC file: ${(error as Error).message}`, { location: { file: shown }, hint: 'give an Arrow IPC file or stream (.arrow, .feather v2)' });
  }
  if (rows === 0) throw emptySource(options.name, shown);
  return tableFromColumns(options.name, shown, columns, options.columns);
}
