/** Helpers of the engine tests (pushdown vs in memory): a repeatable random sequence, a build's metrics.json with each metric's engine, a throw-away PostgreSQL table. */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { load, modelFor } from '../src/pipeline.js';
import { metricsJson } from '../src/render/metrics-json.js';

/** A deterministic pseudo-random sequence in [0, 1) (LCG), so generated fixtures are the same on every run. */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

/** Builds the project in `dir` (fixed build time) and returns metrics.json with the engine of each of `ids` ('memory', 'sql' or undefined). */
export async function metricsWithEngines(dir: string, ids: string[], env: Record<string, string> = {}) {
  const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: { ...env, SOURCE_DATE_EPOCH: '1790000000' } });
  const built = modelFor(loaded);
  const engines = ids.map((id) => (loaded.prepared.get(id) as unknown as { engine?: string }).engine);
  return { loaded, metrics: metricsJson(built.computed, built.model), engines };
}

/** Creates `table` (columns as SQL) holding `rows` before the suite's tests and drops it after them (PostgreSQL at `url`). */
export function postgresTable(url: string, table: string, columns: string, rows: unknown[][]): void {
  const client = new pg.Client({ connectionString: url });
  beforeAll(async () => {
    await client.connect();
    await client.query(`create table ${table} (${columns})`);
    for (const row of rows) await client.query(`insert into ${table} values (${row.map((_, i) => `$${i + 1}`).join(', ')})`, row);
  });
  afterAll(async () => {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  });
}
