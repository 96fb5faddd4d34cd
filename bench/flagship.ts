/**
 * Benchmark: the flagship report (cxreport.yaml at the root) in one process, split into load,
 * compute and render, each as a ratio to a fixed CPU anchor timed in the same process.
 *
 *   npx tsx bench/flagship.ts [--runs 5] [--root DIR]… [--config FILE] [--out bench/results/flagship.md]
 *
 * Each run is a fresh Node process (`--case DIR`) that times, in order:
 *   anchor   a fixed JavaScript workload (seeded: sort 1,000,000 doubles, 2,000,000 log/exp
 *            evaluations, 200,000 Map insertions of string keys), so that a run on a busy or
 *            slower machine can be compared by ratio; taken before and after the build, the
 *            lower of the two;
 *   load     `load({ configPath })`: config, sources, every metric prepared;
 *   metrics  `computeMetrics` for the latest period (each metric's `compute` also timed alone);
 *   model    the coverage check and `buildReport` (the report model, charts' specs);
 *   render   `renderPeriod`: the HTML (Vega charts drawn to SVG) and metrics.json;
 *   rebuild  load + metrics + model again in the same process, with the same files: what a preview
 *            rebuild of unchanged data costs once the first build has filled the caches.
 * With several --root (checkouts of cxreport sharing this node_modules, e.g. a copy of the code
 * before a change), the roots' runs are interleaved so that drift in machine load hits each.
 * Medians over the runs; results to stdout, the markdown table to --out and one JSON line per run
 * to bench/results/flagship.json.
 */
import { anchor } from './anchor.js';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { machineLines, median } from './machine.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    root: { type: 'string', multiple: true },
    out: { type: 'string', default: join(repo, 'bench', 'results', 'flagship.md') },
    case: { type: 'string' },
    // one config for every root (default: each root's own cxreport.yaml), so that checkouts whose flagship differs build the same report
    config: { type: 'string' },
  },
});

interface Run {
  root: string;
  /** CPU time (user + system, this process) of the same phases: less sensitive to other processes on the machine */
  cpu: { anchorMs: number; loadMs: number; metricsMs: number; modelMs: number; renderMs: number; rebuildComputeMs: number };
  anchorMs: number;
  loadMs: number;
  metricsMs: number;
  modelMs: number;
  renderMs: number;
  rebuildMs: number;
  /** the rebuild's metrics and model (load excluded) */
  rebuildComputeMs: number;
  /** each metric's compute in the first build, CPU ms */
  perMetric: Record<string, number>;
  period: string;
  /** metrics.json of the first build, to check that every root computes the same report */
  metricsSha: string;
}

/** CPU time of this process so far (user + system), ms. */
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};


/** One run in this process, for the checkout at `root`: prints one JSON line. */
async function runCase(root: string): Promise<void> {
  const mod = (path: string) => import(pathToFileURL(join(root, path)).href);
  const { load, renderPeriod } = await mod('src/app/pipeline.ts');
  const { computeMetrics, resolvePeriod } = await mod('src/metrics/index.ts');
  const { metricModule } = await mod('src/metrics/registry.ts');
  const { checkCoverage } = await mod('src/metrics/coverage.ts');
  const { buildReport } = await mod('src/report/build.ts');
  const { sourceDateEpoch } = await mod('src/app/pipeline.ts');
  const { createHash } = await import('node:crypto');
  const configPath = values.config ? resolve(values.config) : join(root, 'cxreport.yaml');
  const env = { SOURCE_DATE_EPOCH: '1790000000' };
  const anchorBefore = anchor();

  // each metric's compute, timed where computeMetrics calls it (the module's compute wrapped, then restored)
  const perMetric: Record<string, number> = {};
  const originals = new Map<{ compute: (p: unknown, c: unknown) => unknown }, (p: unknown, c: unknown) => unknown>();
  const timeModules = (loaded: { config: { metrics: Record<string, { type: string }> }; prepared: Map<string, unknown> }) => {
    const idOf = new Map([...loaded.prepared].map(([id, p]) => [p, id]));
    for (const def of Object.values(loaded.config.metrics)) {
      const module = metricModule(def.type);
      if (originals.has(module)) continue;
      const compute = module.compute;
      originals.set(module, compute);
      module.compute = (prepared: unknown, ctx: unknown) => {
        const started = cpuNow();
        try {
          return compute.call(module, prepared, ctx);
        } finally {
          const id = idOf.get(prepared) ?? def.type;
          perMetric[id] = (perMetric[id] ?? 0) + cpuNow() - started;
        }
      };
    }
  };

  const build = async (timed: boolean) => {
    const [t0, c0] = [performance.now(), cpuNow()];
    const loaded = await load({ configPath, env });
    const [t1, c1] = [performance.now(), cpuNow()];
    if (timed) timeModules(loaded);
    const period = resolvePeriod(loaded.config, loaded.prepared);
    const computed = computeMetrics(loaded.config, loaded.prepared, loaded.sources, period);
    const [t2, c2] = [performance.now(), cpuNow()];
    computed.warnings = checkCoverage(loaded.config, loaded.sources, loaded.prepared, computed.results, computed.period);
    const model = buildReport(loaded.config, loaded.sources, computed, { sourceDateEpoch: sourceDateEpoch(loaded.env) });
    const [t3, c3] = [performance.now(), cpuNow()];
    return { loaded, built: { computed, model }, period, loadMs: t1 - t0, metricsMs: t2 - t1, modelMs: t3 - t2, cpu: { loadMs: c1 - c0, metricsMs: c2 - c1, modelMs: c3 - c2 } };
  };

  const first = await build(true);
  for (const [module, compute] of originals) module.compute = compute;
  const [t4, c4] = [performance.now(), cpuNow()];
  const rendered = await renderPeriod(first.loaded, first.built);
  const renderMs = performance.now() - t4;
  const renderCpuMs = cpuNow() - c4;
  const t5 = performance.now();
  const second = await build(false);
  const rebuildMs = performance.now() - t5;
  const anchorAfter = anchor();
  const anchorMs = Math.min(anchorBefore.ms, anchorAfter.ms);
  const run: Run = {
    root,
    cpu: { anchorMs: Math.min(anchorBefore.cpuMs, anchorAfter.cpuMs), ...first.cpu, renderMs: renderCpuMs, rebuildComputeMs: second.cpu.metricsMs + second.cpu.modelMs },
    anchorMs,
    loadMs: first.loadMs,
    metricsMs: first.metricsMs,
    modelMs: first.modelMs,
    renderMs,
    rebuildMs,
    rebuildComputeMs: second.metricsMs + second.modelMs,
    perMetric,
    period: first.period,
    metricsSha: createHash('sha256').update(rendered.metrics).digest('hex').slice(0, 12),
  };
  console.log(JSON.stringify(run));
}

const fmt = (ms: number) => (ms / 1000).toFixed(2);

async function main(): Promise<void> {
  if (values.case) return runCase(resolve(values.case));
  const started = new Date();
  const roots = (values.root?.length ? values.root : [repo]).map((r) => resolve(r));
  const runs = Math.max(1, Number(values.runs) || 5);
  const all = new Map<string, Run[]>(roots.map((r) => [r, []]));
  for (let i = 0; i < runs; i++) {
    for (const root of roots) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--case', root, ...(values.config ? ['--config', resolve(values.config)] : [])], { cwd: repo, encoding: 'utf8', maxBuffer: 1 << 26 });
      const run = JSON.parse(out.trim().split('\n').at(-1)!) as Run;
      all.get(root)!.push(run);
      process.stderr.write(`${relative(repo, root) || '.'} run ${i + 1}/${runs}: anchor ${fmt(run.anchorMs)} s, load ${fmt(run.loadMs)} s, metrics ${fmt(run.metricsMs)} s, model ${fmt(run.modelMs)} s, render ${fmt(run.renderMs)} s, rebuild ${fmt(run.rebuildMs)} s (metrics + model ${fmt(run.rebuildComputeMs)} s)\n`);
    }
  }
  const name = (root: string) => (root === repo ? 'this checkout' : root);
  const lines = [
    '# Flagship report: load, compute, render',
    '',
    `\`npx tsx bench/flagship.ts --runs ${runs}${roots.length > 1 || roots[0] !== repo ? roots.map((r) => ` --root ${r}`).join('') : ''}${values.config ? ` --config ${values.config}` : ''}\`: each run a fresh process building the flagship (cxreport.yaml, latest period) in memory, roots interleaved; medians of ${runs} runs. "× anchor" divides by the fixed CPU workload timed in the same process (see bench/flagship.ts); CPU time is the process's user + system time, which other processes on the machine disturb less than the wall time. "metrics" is \`computeMetrics\`, "model" the coverage check and \`buildReport\`, "render" the HTML and metrics.json; "rebuild" builds the same files again in the same process (a preview rebuild of unchanged data: caches warm).`,
    '',
    '| checkout | time | anchor | load | metrics | model | render | total | metrics × anchor | total × anchor | rebuild: metrics + model | metrics.json |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const [root, rs] of all) {
    const m = (f: (r: Run) => number) => median(rs.map(f));
    const row = (kind: string, p: (r: Run) => Run['cpu']) => {
      const total = (r: Run) => p(r).loadMs + p(r).metricsMs + p(r).modelMs + p(r).renderMs;
      return `| ${name(root)} | ${kind} (s) | ${fmt(m((r) => p(r).anchorMs))} | ${fmt(m((r) => p(r).loadMs))} | ${fmt(m((r) => p(r).metricsMs))} | ${fmt(m((r) => p(r).modelMs))} | ${fmt(m((r) => p(r).renderMs))} | ${fmt(m(total))} | ${m((r) => p(r).metricsMs / p(r).anchorMs).toFixed(2)}× | ${m((r) => total(r) / p(r).anchorMs).toFixed(2)}× | ${fmt(m((r) => p(r).rebuildComputeMs))} | ${[...new Set(rs.map((r) => r.metricsSha))].join(', ')} |`;
    };
    lines.push(row('wall', (r) => ({ anchorMs: r.anchorMs, loadMs: r.loadMs, metricsMs: r.metricsMs, modelMs: r.modelMs, renderMs: r.renderMs, rebuildComputeMs: r.rebuildComputeMs })), row('CPU', (r) => r.cpu));
  }
  const ids = [...new Set([...all.values()].flatMap((rs) => rs.flatMap((r) => Object.keys(r.perMetric))))];
  const first = [...all.values()][0];
  const slowest = ids.sort((a, b) => median(first.map((r) => r.perMetric[b] ?? 0)) - median(first.map((r) => r.perMetric[a] ?? 0))).slice(0, 8);
  lines.push('', "Each metric's `compute`, CPU time (median, s; the slowest of the first checkout):", '', `| metric | ${[...all.keys()].map(name).join(' | ')} |`, `|---|${[...all.keys()].map(() => '---:').join('|')}|`);
  for (const id of slowest) lines.push(`| ${id} | ${[...all.values()].map((rs) => fmt(median(rs.map((r) => r.perMetric[id] ?? 0)))).join(' | ')} |`);
  lines.push('', '## Machine', '', ...machineLines(started), '');
  const text = lines.join('\n');
  mkdirSync(dirname(values.out!), { recursive: true });
  writeFileSync(values.out!, text);
  writeFileSync(join(repo, 'bench', 'results', 'flagship.json'), [...all.values()].flat().map((r) => JSON.stringify(r)).join('\n') + '\n');
  console.log(text);
}

await main();
