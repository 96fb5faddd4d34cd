/**
 * Parquet (via hyparquet, with the common compressions) and Arrow IPC (via Arquero's flechette)
 * sources.
 *
 * Parquet is decoded in a worker thread: hyparquet can loop forever on some damaged pages (found
 * by the data-file fuzzer, test/data-fuzz.test.ts) and can leave a rejected promise unobserved;
 * in a worker, a loop is stopped when no column chunk arrives for 20 s and a stray
 * rejection stays in the worker, so a damaged file is a located data error, never a hang or a
 * crash of the build.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as aq from 'arquero';
import { CxError } from '../kernel/errors.js';
import { statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { specOf, tableFromColumns, type ColumnDecl } from './columns.js';
import { duckDbRunner } from './duckdb.js';
import { emptySource, readSource } from './read.js';
import { literal, pushdownSource } from './sql.js';
import { checkUserFile, displayPath } from '../kernel/user-files.js';
import type { SourceTable } from './types.js';

export interface BinaryOptions {
  name: string;
  path: string;
  displayBase?: string;
  columns?: Record<string, ColumnDecl>;
}

const arrayBuffer = (bytes: Uint8Array) => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;

/** A Parquet read that delivers no column chunk for `stallMs` has stopped making progress (tests lower it). */
export const parquetLimits = { stallMs: 20_000 };

const resolve = createRequire(import.meta.url).resolve;
const MODULES = { hyparquet: pathToFileURL(resolve('hyparquet')).href, compressors: pathToFileURL(resolve('hyparquet-compressors')).href };

/** The worker: metadata, then column chunks copied into one array per column (no row objects). */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
process.on('unhandledRejection', () => {});
(async () => {
  try {
    const { parquetMetadata, parquetRead } = await import(workerData.hyparquet);
    const { compressors } = await import(workerData.compressors);
    const file = workerData.file;
    const metadata = parquetMetadata(file);
    const rows = Number(metadata.num_rows);
    if (rows === 0) return parentPort.postMessage({ kind: 'done', rows, columns: [] });
    const names = metadata.schema.slice(1).filter((s) => !s.num_children).map((s) => s.name);
    const data = new Map(names.map((n) => [n, new Array(rows)]));
    await parquetRead({
      file,
      metadata,
      compressors,
      onChunk: ({ columnName, columnData, rowStart }) => {
        const target = data.get(columnName);
        if (target) for (let i = 0; i < columnData.length; i++) target[rowStart + i] = columnData[i];
        parentPort.postMessage({ kind: 'progress' });
      },
    });
    parentPort.postMessage({ kind: 'done', rows, columns: names.map((n) => [n, data.get(n)]) });
  } catch (error) {
    parentPort.postMessage({ kind: 'error', message: String((error && error.message) || error) });
  }
})();
`;

type WorkerMessage = { kind: 'progress' } | { kind: 'done'; rows: number; columns: [string, unknown[]][] } | { kind: 'error'; message: string };

/** Decodes a Parquet file in a worker; rejects with the reader's message, or when it stalls. */
function decodeParquet(file: ArrayBuffer): Promise<{ rows: number; columns: [string, unknown[]][] }> {
  return new Promise((done, fail) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { ...MODULES, file }, transferList: [file] });
    let timer: NodeJS.Timeout;
    const finish = (then: () => void) => {
      clearTimeout(timer);
      void worker.terminate();
      then();
    };
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(() => fail(new Error(`the reader made no progress for ${parquetLimits.stallMs / 1000} s`))), parquetLimits.stallMs);
    };
    watch();
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'progress') watch();
      else if (m.kind === 'done') finish(() => done(m));
      else finish(() => fail(new Error(m.message)));
    });
    worker.on('error', (error) => finish(() => fail(error)));
    worker.on('exit', (code) => finish(() => fail(new Error(`the reader stopped (exit ${code})`))));
  });
}

/** From this size (about 250,000 survey rows), `engine: auto` leaves a Parquet file in an embedded DuckDB instead of reading it into memory (tests change it). */
export const parquetEngine = { duckdbBytes: 4 * 1024 * 1024 };

export async function loadParquet(options: BinaryOptions & { engine?: 'auto' | 'memory' | 'duckdb' }): Promise<SourceTable> {
  const engine = options.engine ?? 'auto';
  // a declared type is applied to the rows in memory: such a source stays in memory unless asked
  const typed = Object.values(options.columns ?? {}).some((d) => specOf(d).type !== undefined || specOf(d).format !== undefined);
  if (engine === 'duckdb' || (engine === 'auto' && !typed)) {
    const inDuckDb = await parquetInDuckDb(options, engine === 'duckdb');
    if (inDuckDb) return inDuckDb;
  }
  const { bytes, shown } = await readSource(options.name, options.path, options.displayBase);
  let decoded;
  try {
    decoded = await decodeParquet(arrayBuffer(bytes));
  } catch (error) {
    throw new CxError('data', `source "${options.name}": not a readable Parquet file: ${(error as Error).message}`, { location: { file: shown }, hint: 'check that the file is Parquet (it starts and ends with "PAR1") and complete' });
  }
  if (decoded.rows === 0) throw emptySource(options.name, shown);
  return tableFromColumns(options.name, shown, decoded.columns, options.columns);
}

/**
 * A Parquet file left in an embedded DuckDB (a pushdown source over `read_parquet`), when it has
 * at least parquetEngine.duckdbBytes or `always`; undefined: read it into memory instead (a smaller
 * file, or one DuckDB cannot open: the reader in memory then gives its located error).
 */
async function parquetInDuckDb(options: BinaryOptions, always: boolean): Promise<SourceTable | undefined> {
  const shown = options.displayBase ? displayPath(options.displayBase, options.path) : options.path;
  // a regular file (a missing one gets the usual located error); its size is no limit here, DuckDB reads it in place
  checkUserFile(options.path, { what: `source "${options.name}"`, shown, location: { file: shown }, kind: 'data', maxBytes: Number.MAX_SAFE_INTEGER, hints: { missing: 'paths are relative to the config file; check `path:` under this source' } });
  if (!always && statSync(options.path).size < parquetEngine.duckdbBytes) return undefined;
  const file = literal(resolvePath(options.path));
  const runner = duckDbRunner(options.name, dirname(resolvePath(options.path)));
  const read = async (sql: string): Promise<SourceTable> => {
    const result = await runner.run(sql);
    if (result.rows.length === 0) throw emptySource(options.name, shown);
    return tableFromColumns(options.name, shown, result.names.map((n, i) => [n, result.rows.map((r) => r[i])]), options.columns);
  };
  try {
    const source = await pushdownSource(options.name, runner, `select * from read_parquet(${file})`, read, shown);
    // messages and the methods appendix name the file
    return { ...source, file: shown };
  } catch (error) {
    if (always) throw error;
    return undefined;
  }
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
