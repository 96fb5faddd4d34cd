/** Helpers of the engine tests (pushdown vs in memory): a repeatable random sequence, a build's metrics.json with each metric's engine, a throw-away PostgreSQL table. */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { load, modelFor } from '../src/app/pipeline.js';
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

/** Paths where two JSON values differ (numbers within 1e-9, relative to their size). */
export function differences(a: unknown, b: unknown, path = '$', out: string[] = []): string[] {
  if (out.length > 20) return out;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a), Math.abs(b))) out.push(`${path}: ${a} vs ${b}`);
  } else if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) out.push(`${path}: length ${a.length} vs ${b.length}`);
    else a.forEach((x, i) => differences(x, b[i], `${path}[${i}]`, out));
  } else if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else if (a !== b) out.push(`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  return out;
}
