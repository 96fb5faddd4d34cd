/** Loads every source named in the config (each once, in parallel). */
import { dirname } from 'node:path';
import type { Config } from '../config/load.js';
import type { SourceDef } from '../config/schema.js';
import { loadCsv } from './csv.js';
import { loadDuckDb } from './duckdb.js';
import { loadJson, loadNdjson } from './json.js';
import { loadPostgres } from './postgres.js';
import { loadArrow, loadParquet } from './parquet.js';
import { isPushdown, referencedColumns } from './sql.js';
import type { SourceTable } from './types.js';

export type { SourceTable } from './types.js';

/** Loads one source. */
export function loadSource(name: string, def: SourceDef, displayBase: string): Promise<SourceTable> {
  if (def.type === 'duckdb') return loadDuckDb({ name, query: def.query, dir: displayBase, columns: def.columns, pushdown: def.pushdown });
  if (def.type === 'postgres') return loadPostgres({ name, connection: def.connection, table: def.table, query: def.query, columns: def.columns, timeout: def.timeout, pushdown: def.pushdown });
  const common = { name, path: def.path, displayBase, columns: def.columns };
  switch (def.type) {
    case 'csv':
      return loadCsv({ ...common, delimiter: def.delimiter, encoding: def.encoding, timezone: def.timezone });
    case 'json':
      return loadJson({ ...common, records: def.records, timezone: def.timezone });
    case 'ndjson':
      return loadNdjson({ ...common, timezone: def.timezone });
    case 'parquet':
      return loadParquet(common);
    case 'arrow':
      return loadArrow(common);
  }
}

export async function loadSources(config: Config): Promise<Map<string, SourceTable>> {
  const base = dirname(config.file);
  const entries = await Promise.all(Object.entries(config.sources).map(async ([name, def]) => [name, { ...(await loadSource(name, def, base)), onInvalid: def.on_invalid }] as const));
  for (const [, source] of entries) {
    if (isPushdown(source)) source.sql.projection = referencedColumns(config, source.columns.map((c) => c.name));
  }
  return new Map(entries);
}
