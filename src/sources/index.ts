/** Loads every source named in the config (each once, in parallel). */
import { dirname } from 'node:path';
import type { Config } from '../config/load.js';
import { loadCsv } from './csv.js';
import type { SourceTable } from './types.js';

export type { SourceTable } from './types.js';

export async function loadSources(config: Config): Promise<Map<string, SourceTable>> {
  const base = dirname(config.file);
  const entries = await Promise.all(
    Object.entries(config.sources).map(async ([name, def]) => {
      const table = await loadCsv({ name, path: def.path, delimiter: def.delimiter, encoding: def.encoding, displayBase: base });
      return [name, table] as const;
    }),
  );
  return new Map(entries);
}
