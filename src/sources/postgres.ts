/**
 * PostgreSQL source: a table or a query, read with node-postgres and loaded into Arquero. The
 * connection string usually comes from the environment (`connection: ${CX_DATABASE_URL}`); it and
 * its password are never printed, also not in errors.
 */
import pg from 'pg';
import { CxError } from '../errors.js';
import { columnsOfRows, tableFromColumns, type DeclaredType } from './columns.js';
import { emptySource } from './read.js';
import type { SourceTable } from './types.js';

export interface PostgresOptions {
  name: string;
  connection: string;
  table?: string;
  query?: string;
  columns?: Record<string, DeclaredType>;
  /** seconds before connecting or querying gives up */
  timeout?: number;
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
    // not a URL: nothing more to hide
  }
  return out;
}

/** A quoted identifier, schema-qualified when written as schema.table. */
export function quoteTable(name: string): string {
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

export async function loadPostgres(options: PostgresOptions): Promise<SourceTable> {
  const where = describeConnection(options.connection);
  const sql = options.query ?? `select * from ${quoteTable(options.table!)}`;
  const ms = (options.timeout ?? 30) * 1000;
  const client = new pg.Client({ connectionString: options.connection, connectionTimeoutMillis: ms, query_timeout: ms });
  try {
    try {
      await client.connect();
    } catch (error) {
      throw new CxError('data', `source "${options.name}": cannot connect to PostgreSQL at ${where}: ${redact((error as Error).message, options.connection)}`, {
        location: { file: `source ${options.name}` },
        hint: 'check the server is running and the connection string (e.g. connection: ${CX_DATABASE_URL}); it is never printed',
      });
    }
    let result;
    try {
      result = await client.query({ text: sql, rowMode: 'array' });
    } catch (error) {
      throw new CxError('data', `source "${options.name}": the PostgreSQL query failed at ${where}: ${redact((error as Error).message, options.connection)}`, {
        location: { file: `source ${options.name}` },
        hint: options.table ? 'check `table:` (schema.table, case-sensitive)' : 'check the SQL in `query:`',
      });
    }
    if (result.rows.length === 0) throw emptySource(options.name, `source ${options.name}`);
    const names = result.fields.map((f) => f.name);
    const rows = (result.rows as unknown[][]).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]])));
    return tableFromColumns(options.name, `postgres:${options.name}`, columnsOfRows(rows), options.columns);
  } finally {
    await client.end().catch(() => undefined);
  }
}
