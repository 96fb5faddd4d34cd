/** Helpers of the engine tests (pushdown vs in memory): a repeatable random sequence and a build's metrics.json with each metric's engine. */
import { join } from 'node:path';
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
