/**
 * DuckDB source: a SQL query run by DuckDB's Node package, e.g. over a folder of Parquet files
 * (`select * from read_parquet('exports/*.parquet')`). Relative file paths in the query resolve
 * against the config file's folder. The result is loaded into an Arquero table.
 */
import { CxError } from '../errors.js';
import { tableFromColumns, type DeclaredType } from './columns.js';
import { emptySource } from './read.js';
import type { SourceTable } from './types.js';

export interface DuckDbOptions {
  name: string;
  query: string;
  /** folder relative paths in the query resolve against */
  dir: string;
  columns?: Record<string, DeclaredType>;
}

export async function loadDuckDb(options: DuckDbOptions): Promise<SourceTable> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`SET file_search_path = '${options.dir.replaceAll("'", "''")}'`);
    let reader;
    try {
      reader = await connection.runAndReadAll(options.query);
    } catch (error) {
      throw new CxError('data', `source "${options.name}": the DuckDB query failed: ${(error as Error).message.split('\n')[0]}`, {
        location: { file: `source ${options.name}` },
        hint: 'check the SQL in `query:` (paths are relative to the config file), e.g. select * from read_csv_auto(\'data/responses.csv\')',
      });
    }
    const columns = reader.getColumnsObjectJS() as Record<string, unknown[]>;
    const names = reader.columnNames();
    if (names.length === 0 || (columns[names[0]]?.length ?? 0) === 0) throw emptySource(options.name, `query of source ${options.name}`);
    return tableFromColumns(options.name, `duckdb:${options.name}`, names.map((n) => [n, columns[n]]), options.columns);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
