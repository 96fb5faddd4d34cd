/**
 * DuckDB source: a SQL query run by DuckDB's Node package, e.g. over a folder of Parquet files
 * (`select * from read_parquet('exports/*.parquet')`). Relative file paths in the query resolve
 * against the config file's folder. With `pushdown: true` (the default) the rows stay in DuckDB
 * and the score metrics aggregate there (see sql.ts); otherwise the result is loaded into Arquero.
 */
import { CxError } from '../kernel/errors.js';
import { tableFromColumns, type ColumnDecl } from './columns.js';
import { emptySource } from './read.js';
import { duckKind, pushdownSource, subquery, type SqlRows, type SqlRunner } from './sql.js';
import type { SourceTable } from './types.js';

export interface DuckDbOptions {
  name: string;
  query: string;
  /** folder relative paths in the query resolve against */
  dir: string;
  columns?: Record<string, ColumnDecl>;
  pushdown?: boolean;
  /** seconds before a statement is interrupted (default 60) */
  timeout?: number;
}

/** How long a runner's DuckDB instance stays open with no statement running (ms). */
const IDLE_CLOSE_MS = 2000;

/**
 * Runs statements in one in-memory DuckDB per runner (opened when the first statement runs, closed
 * after it has been idle for a moment), a connection of its own per statement, relative paths
 * resolving against `dir`; each statement is interrupted after `timeout` seconds. One instance
 * instead of one per statement: opening DuckDB costs 10–35 ms and its Parquet metadata is read again
 * in every new instance.
 */
export function duckDbRunner(name: string, dir: string, timeout = 60): SqlRunner {
  type Instance = import('@duckdb/node-api').DuckDBInstance;
  let shared: Promise<Instance> | null = null;
  let running = 0;
  let idle: NodeJS.Timeout | undefined;
  const acquire = (): Promise<Instance> => {
    running++;
    clearTimeout(idle);
    shared ??= import('@duckdb/node-api')
      .then(({ DuckDBInstance }) => DuckDBInstance.create(':memory:'))
      .catch((error: unknown) => {
        // the next statement tries again
        shared = null;
        throw error;
      });
    return shared;
  };
  const release = () => {
    if (--running > 0) return;
    const closing = shared;
    idle = setTimeout(() => {
      if (running > 0 || shared !== closing) return;
      shared = null;
      closing?.then((instance) => instance.closeSync()).catch(() => undefined);
    }, IDLE_CLOSE_MS);
    // an idle instance never keeps the process alive (its native handles are released at exit)
    idle.unref();
  };
  const session = async <T>(use: (run: (sql: string) => Promise<{ names: string[]; types: string[]; rows: unknown[][] }>) => Promise<T>): Promise<T> => {
    const instance = await acquire().catch((error: unknown) => {
      release();
      throw error;
    });
    let connection;
    try {
      connection = await instance.connect();
    } catch (error) {
      release();
      throw error;
    }
    try {
      await connection.run(`SET file_search_path = '${dir.replaceAll("'", "''")}'`);
      // instants are read in UTC, as on PostgreSQL: DATE_TRUNC and casts of TIMESTAMPTZ values
      // otherwise follow the machine's zone (ICU's default, from TZ)
      await connection.run("SET TimeZone = 'UTC'").catch(() => {
        // a build without the ICU extension has no TimeZone setting and works in UTC already
      });
      return await use(async (sql) => {
        let reader;
        // like PostgreSQL's statement timeout: the connection is interrupted, the statement fails
        let timedOut = false;
        const timer = setTimeout(() => {
          timedOut = true;
          connection.interrupt();
        }, timeout * 1000);
        try {
          reader = await connection.runAndReadAll(sql);
        } catch (error) {
          if (timedOut) {
            throw new CxError('data', `source "${name}": the DuckDB query was stopped after ${timeout} s`, {
              location: { file: `source ${name}` },
              hint: 'raise `timeout:` on the source (seconds), or make the query cheaper',
            });
          }
          throw new CxError('data', `source "${name}": the DuckDB query failed: ${(error as Error).message.split('\n')[0]}`, {
            location: { file: `source ${name}` },
            hint: "check the SQL in `query:` (paths are relative to the config file), e.g. select * from read_csv_auto('data/responses.csv')",
          });
        } finally {
          clearTimeout(timer);
        }
        return { names: reader.columnNames(), types: reader.columnTypes().map(String), rows: reader.getRowsJS() as unknown[][] };
      });
    } finally {
      connection.closeSync();
      release();
    }
  };
  return {
    dialect: 'duckdb',
    label: `duckdb:${name}`,
    run: (sql) => session(async (run) => {
      const { names, rows } = await run(sql);
      return { names, rows: rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v))) } satisfies SqlRows;
    }),
    describe: (sql) => session(async (run) => {
      const { names, types } = await run(`SELECT * FROM ${subquery(sql)} AS cx_source LIMIT 0`);
      return names.map((n, i) => ({ name: n, kind: duckKind(types[i]) }));
    }),
  };
}

export async function loadDuckDb(options: DuckDbOptions): Promise<SourceTable> {
  const runner = duckDbRunner(options.name, options.dir, options.timeout);
  const read = async (sql: string): Promise<SourceTable> => {
    const { names, rows } = await runner.run(sql);
    if (names.length === 0 || rows.length === 0) throw emptySource(options.name, `query of source ${options.name}`);
    return tableFromColumns(options.name, runner.label, names.map((n, i) => [n, rows.map((r) => r[i])]), options.columns);
  };
  if (options.pushdown === false) return read(options.query);
  return pushdownSource(options.name, runner, options.query, read, `query of source ${options.name}`);
}
