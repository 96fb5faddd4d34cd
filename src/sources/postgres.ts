/**
 * PostgreSQL source: a table or a query, read with node-postgres and loaded into Arquero. The
 * connection string usually comes from the environment (`connection: ${CX_DATABASE_URL}`); it and
 * its password are never printed, also not in errors.
 */
import type pg from 'pg';
import { CxError, redactSecrets } from '../kernel/errors.js';
import { tableFromColumns, type ColumnDecl } from './columns.js';
import { foreignPartitions } from './postgres-partitions.js';
import { emptySource } from './read.js';
import { postgresKind, pushdownSource, subquery, type SqlRows, type SqlRunner } from './sql.js';
import type { SourceTable } from './types.js';

export interface PostgresOptions {
  name: string;
  connection: string;
  table?: string;
  query?: string;
  columns?: Record<string, ColumnDecl>;
  /** seconds before connecting or querying gives up */
  timeout?: number;
  pushdown?: boolean;
}

/** "host:port/database" of a connection string, without user or password, for messages. */
export function describeConnection(connection: string): string {
  try {
    const url = new URL(connection);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname || ''}`;
  } catch {
    return 'the configured server';
  }
}

/** Removes the connection string and its password from a driver message. */
function redact(message: string, connection: string): string {
  let out = message.split(connection).join('<connection>');
  try {
    const password = decodeURIComponent(new URL(connection).password);
    if (password) out = out.split(password).join('***');
  } catch {
    // not a URL: the general patterns below still hide a password in it
  }
  return redactSecrets(out);
}

/** A quoted identifier, schema-qualified when written as schema.table. */
export function quoteTable(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

/**
 * DATE and TIMESTAMP (without time zone) arrive as their text, read as calendar dates and UTC
 * wall-clock times like the same text in a CSV; node-postgres would otherwise read them in the
 * local time zone of the machine running the build.
 */
const typeParserOf = (types: typeof pg.types) => ((oid: number, format?: string) => (oid === 1082 || oid === 1114 ? (v: string) => v : types.getTypeParser(oid, format as never))) as typeof pg.types.getTypeParser;

/** How long an idle connection stays open for the next statement (ms). */
const IDLE_CLOSE_MS = 1000;

/**
 * Runs statements on pooled connections (time zone UTC, set once per connection; a few at a time,
 * closed after a moment idle, never keeping the process alive), with credentials kept out of every
 * message. A statement that follows another reuses its connection instead of connecting again.
 */
export function postgresRunner(options: PostgresOptions): SqlRunner {
  const where = describeConnection(options.connection);
  const ms = (options.timeout ?? 30) * 1000;
  let pool: pg.Pool | undefined;
  const ready = new WeakSet<pg.PoolClient>();
  const session = async <T>(use: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    // the driver is loaded when a PostgreSQL source is read, not for every build
    const { default: driver } = await import('pg');
    try {
      // a connection string that is not a valid URL (say, a password with an unencoded "#") throws here
      if (!pool) {
        const config = { connectionString: options.connection, connectionTimeoutMillis: ms, query_timeout: ms, types: { getTypeParser: typeParserOf(driver.types) } };
        // the pool parses the string only when it connects: a client made (not connected) here tells
        new driver.Client(config);
        pool = new driver.Pool({ ...config, max: 4, idleTimeoutMillis: IDLE_CLOSE_MS, allowExitOnIdle: true });
        // an idle connection the server closes is dropped by the pool; the next statement connects again
        pool.on('error', () => undefined);
      }
    } catch (error) {
      throw new CxError('data', `source "${options.name}": the PostgreSQL connection string is not valid: ${redact((error as Error).message, options.connection)}`, {
        location: { file: `source ${options.name}` },
        hint: 'percent-encode special characters in the user name and the password (# as %23, @ as %40, / as %2F, : as %3A); the connection string is never printed',
      });
    }
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
      if (!ready.has(client)) {
        await client.query("SET TIME ZONE 'UTC'").catch((error: unknown) => {
          client.release(true);
          throw error;
        });
        ready.add(client);
      }
    } catch (error) {
      throw new CxError('data', `source "${options.name}": cannot connect to PostgreSQL at ${where}: ${redact((error as Error).message, options.connection)}`, {
        location: { file: `source ${options.name}` },
        hint: 'check the server is running and the connection string (e.g. connection: ${CX_DATABASE_URL}); it is never printed',
      });
    }
    let failed = false;
    try {
      return await use(client);
    } catch (error) {
      // a connection whose statement failed (a timeout, a dropped connection) is not reused
      failed = true;
      throw error;
    } finally {
      client.release(failed);
    }
  };
  const query = async (client: pg.PoolClient, text: string) => {
    try {
      return await client.query({ text, rowMode: 'array' });
    } catch (error) {
      throw new CxError('data', `source "${options.name}": the PostgreSQL query failed at ${where}: ${redact((error as Error).message, options.connection)}`, {
        location: { file: `source ${options.name}` },
        hint: options.table ? 'check `table:` (schema.table, case-sensitive)' : 'check the SQL in `query:`',
      });
    }
  };
  return {
    dialect: 'postgres',
    label: `postgres:${options.name}`,
    run: (text) => session(async (client) => {
      const result = await query(client, text);
      return { names: result.fields.map((f) => f.name), rows: result.rows as unknown[][] } satisfies SqlRows;
    }),
    describe: (text) => session(async (client) => {
      const result = await query(client, `SELECT * FROM ${subquery(text)} AS cx_source LIMIT 0`);
      return result.fields.map((f) => ({ name: f.name, kind: postgresKind(f.dataTypeID) }));
    }),
  };
}

export async function loadPostgres(options: PostgresOptions): Promise<SourceTable> {
  const runner = postgresRunner(options);
  const sql = options.query ?? `select * from ${quoteTable(options.table!)}`;
  const read = async (text: string): Promise<SourceTable> => {
    const result = await runner.run(text);
    if (result.rows.length === 0) throw emptySource(options.name, `source ${options.name}`);
    return tableFromColumns(options.name, runner.label, result.names.map((n, i) => [n, result.rows.map((r) => r[i])]), options.columns);
  };
  if (options.pushdown === false) return read(sql);
  const partitions = options.table ? () => foreignPartitions(runner, quoteTable(options.table!)) : undefined;
  return pushdownSource(options.name, runner, sql, read, `source ${options.name}`, partitions);
}
