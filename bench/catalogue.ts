/**
 * Benchmark: the metric catalogue.
 *
 *   npx tsx bench/catalogue.ts [--runs 3]
 *
 * Times (a) the BG/NBD and Gamma-Gamma maximum-likelihood fits on the CDNOW sample (2,357
 * customers, from ../shared/data; skipped when absent) and (b) every metric of the flagship
 * config: loading the sources, preparing each metric and computing the latest period, and the whole
 * report model. Results go to stdout and bench/results/catalogue.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/app/config.js';
import { computeMetrics, prepareAll, resolvePeriod } from '../src/metrics/index.js';
import { fitBgNbd } from '../src/kernel/models/bgnbd.js';
import { fitGammaGamma } from '../src/kernel/models/gammagamma.js';
import { buildReport } from '../src/report/build.js';
import { loadSources } from '../src/sources/index.js';
import { machineLines, median } from './machine.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Math.max(1, Number(values.runs) || 3);
const shared = process.env.CXREPORT_SHARED_DATA ?? resolve(root, '..', 'shared', 'data');

async function time<T>(work: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

async function timed(name: string, work: () => unknown | Promise<unknown>): Promise<{ name: string; min: number; median: number }> {
  const all: number[] = [];
  for (let i = 0; i < RUNS; i++) all.push((await time(work)).ms);
  return { name, min: Math.min(...all), median: median(all) };
}

async function main(): Promise<void> {
  const started = new Date();
  const rows: { name: string; min: number; median: number }[] = [];

  const summaryFile = join(shared, 'cdnow', 'lifetimes_cdnow_customers_summary.csv');
  const spendFile = join(shared, 'cdnow', 'lifetimes_cdnow_customers_summary_with_transactions.csv');
  let cdnowNote = 'CDNOW data not found (../shared/data): BG/NBD timing skipped.';
  if (existsSync(summaryFile) && existsSync(spendFile)) {
    const parse = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const bg = parse(summaryFile).map(([, x, tx, T]) => ({ x, tx, T }));
    const gg = parse(spendFile).filter((r) => r[1] > 0).map(([, x, , , zbar]) => ({ x, zbar }));
    const fit = fitBgNbd(bg as never);
    rows.push(await timed(`BG/NBD fit, CDNOW sample (${bg.length} customers)`, () => fitBgNbd(bg as never)));
    rows.push(await timed(`Gamma-Gamma fit, CDNOW sample (${gg.length} repeat buyers)`, () => fitGammaGamma(gg as never)));
    cdnowNote = `BG/NBD on CDNOW: r = ${fit.params.r.toFixed(4)}, α = ${fit.params.alpha.toFixed(3)}, a = ${fit.params.a.toFixed(4)}, b = ${fit.params.b.toFixed(4)}, LL = ${fit.logLikelihood.toFixed(1)} (Fader, Hardie & Lee 2005: 0.243, 4.414, 0.793, 2.426, −9582.4).`;
  }

  const config = await loadConfig(join(root, 'cxreport.yaml'), { env: {} });
  const sources = await loadSources(config);
  rows.push(await timed(`load the flagship's ${sources.size} sources`, () => loadSources(config)));
  const prepared = await prepareAll(config, sources);
  const period = resolvePeriod(config, prepared);
  for (const [id, def] of Object.entries(config.metrics)) {
    const one = { ...config, metrics: { [id]: def } };
    rows.push(
      await timed(`metric ${id} (${def.type}): prepare + compute ${period}`, async () => {
        const p = await prepareAll(one, sources);
        return computeMetrics(one, p, sources, period);
      }),
    );
  }
  rows.push(await timed(`all ${Object.keys(config.metrics).length} metrics + report model (${period})`, async () => buildReport(config, sources, computeMetrics(config, await prepareAll(config, sources), sources, period))));

  const table = ['| step | min | median |', '|---|---:|---:|', ...rows.map((r) => `| ${r.name} | ${r.min.toFixed(0)} ms | ${r.median.toFixed(0)} ms |`)].join('\n');
  const text = `# Metric catalogue benchmark\n\n${RUNS} runs each; \`npx tsx bench/catalogue.ts\`.\n\n${table}\n\n${cdnowNote}\n\nMachine:\n${machineLines(started).join('\n')}\n`;
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'catalogue.md'), text);
  process.stdout.write(text);
}

await main();
