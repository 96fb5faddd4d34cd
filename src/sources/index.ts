/** Loads every source named in the config (each once, in parallel). */
import { dirname } from 'node:path';
import type { Config } from '../config/load.js';
import type { SourceDef } from './schema.js';
import { loadCsv } from './csv.js';
import { loadDuckDb } from './duckdb.js';
import { loadJson, loadNdjson } from './json.js';
import { loadPostgres } from './postgres.js';
import { loadArrow, loadParquet } from './parquet.js';
import { isPushdown, referencedColumns } from './sql.js';
import type { SourceTable } from './types.js';
import { loadXlsx } from './xlsx.js';

export type { SourceTable } from './types.js';

/** Loads one source. */
export function loadSource(name: string, def: SourceDef, displayBase: string, hints: { dates?: ReadonlySet<string> } = {}): Promise<SourceTable> {
  if (def.type === 'duckdb') return loadDuckDb({ name, query: def.query, dir: displayBase, columns: def.columns, pushdown: def.pushdown, timeout: def.timeout });
  if (def.type === 'postgres') return loadPostgres({ name, connection: def.connection, table: def.table, query: def.query, columns: def.columns, timeout: def.timeout, pushdown: def.pushdown });
  const common = { name, path: def.path, displayBase, columns: def.columns, dates: hints.dates };
  switch (def.type) {
    case 'csv':
      return loadCsv({ ...common, delimiter: def.delimiter, encoding: def.encoding, headerRows: def.header_rows, skipRows: def.skip_rows, timezone: def.timezone });
    case 'json':
      return loadJson({ ...common, records: def.records, timezone: def.timezone });
    case 'ndjson':
      return loadNdjson({ ...common, timezone: def.timezone });
    case 'parquet':
      return loadParquet({ ...common, engine: def.engine });
    case 'arrow':
      return loadArrow(common);
    case 'xlsx':
      return loadXlsx({ ...common, sheet: def.sheet, headerRow: def.header_row, timezone: def.timezone });
  }
}

export async function loadSources(config: Config): Promise<Map<string, SourceTable>> {
  const base = dirname(config.file);
  const dates = dateColumns(config);
  const entries = await Promise.all(Object.entries(config.sources as Record<string, SourceDef>).map(async ([name, def]) => [name, { ...(await loadSource(name, def, base, { dates: dates.get(name) })), onInvalid: def.on_invalid }] as const));
  for (const [, source] of entries) {
    if (isPushdown(source)) source.sql.projection = referencedColumns(config.plan.names, source.columns.map((c) => c.name));
  }
  return new Map(entries);
}

/** Metric keys that name a date column (most telling first): the common ones, and any key ending in `_date` or `_at`. */
export const DATE_KEYS: readonly string[] = ['date', 'start', 'created', 'end', 'first_response', 'resolved'];
const isDateKey = (key: string) => DATE_KEYS.includes(key) || /(_date|_at)$/.test(key);

/**
 * Columns each source's metrics read as dates (so that a loader reads text dates in the shape the
 * file uses): the values of date keys in every metric naming that source.
 */
export function dateColumns(config: Pick<Config, 'sources' | 'metrics'>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const def of Object.values(config.metrics ?? {})) {
    const entries = Object.entries(def as Record<string, unknown>);
    const sources = entries.map(([, v]) => v).filter((v): v is string => typeof v === 'string' && Object.hasOwn(config.sources, v));
    const columns = entries.filter(([k, v]) => isDateKey(k) && typeof v === 'string').map(([, v]) => v as string);
    for (const s of sources) {
      const set = out.get(s) ?? new Set<string>();
      columns.forEach((c) => set.add(c));
      out.set(s, set);
    }
  }
  return out;
}
