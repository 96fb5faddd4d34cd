/**
 * Benchmark: every row of issue 17's table, measured in one run, each beside its anchor.
 *
 *   npx tsx bench/issue17.ts [--runs 3] [--size 1000000] [--skip-sources]
 *
 * Rows (the table), medians of --runs:
 *   flagship HTML build, whole process  `node bin/cxreport.js build --format html` (compiled dist/,
 *                                       what a user runs), cold (--no-cache) and warm (results kept
 *                                       by the previous build, kernel/disk-cache.ts), anchored to the
 *                                       fixed CPU workload of bench/anchor.ts timed in this process
 *                                       before and after;
 *   flagship HTML + PDF                 `… --format html,pdf`, against Chromium's own
 *                                       `--headless --print-to-pdf` of the same report.html;
 *   `cxreport --help`                   against `node -e 0`;
 *   preview rebuilds                    bench/preview.ts (a YAML text edit, a one-section edit, a
 *                                       template edit in one PreviewSession), read from its output;
 *   1M responses in memory (CSV, Parquet), DuckDB and PostgreSQL pushdown
 *                                       bench/sources.ts at --size in fresh processes (pushdown
 *                                       and baselines: median of 5 interleaved runs; in memory:
 *                                       one run), against hand-written SQL on the same engine.
 * `npm run build` runs first, so that the bin runs dist/ as users' installs do. Results to stdout
 * and bench/results/issue17.md (pasted into docs/benchmarks.md).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { anchor } from './anchor.js';
import { machineLines, median } from './machine.js';
import { findBrowser } from '../src/render/browser.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' }, size: { type: 'string', default: '1000000' }, 'skip-sources': { type: 'boolean', default: false } } });
const runs = Number(values.runs);
const size = Number(values.size);
const bin = join(root, 'bin', 'cxreport.js');
const scratch = mkdtempSync(join(tmpdir(), 'cxreport-issue17-'));

/** Wall time of a child process in seconds (it must exit 0). */
function timed(cmd: string, args: string[], cwd = root): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr).slice(0, 400)}`);
  return s;
}
/** Median over the runs, after one untimed warm-up (disk cache, V8 code cache). */
function medianOf(cmd: string, args: string[]): number {
  timed(cmd, args);
  return median(Array.from({ length: runs }, () => timed(cmd, args)));
}

type Row = { measure: string; ours: string; anchor: string; ratio: string; goal: string; met: boolean | null };
const rows: Row[] = [];
const s = (x: number) => `${x.toFixed(2)} s`;
/** A difference in seconds with its sign (−1.25 s, +2.82 s). */
const signed = (x: number) => `${x < 0 ? '−' : '+'}${Math.abs(x).toFixed(2)} s`;

async function main(): Promise<void> {
  const started = new Date();
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const cpu0 = anchor().ms;

  // the flagship: HTML only, then HTML + PDF, whole process; cold (`--no-cache`: every fit,
  // score, chart and page number made, as on a CI runner without a kept cache folder) and warm
  // (the results kept by the previous build of the same inputs, in a cache folder of this run)
  const out = join(scratch, 'out');
  const cache = join(scratch, 'cache');
  process.env.CXREPORT_CACHE = cache;
  const flagship = (formats: string, cold: boolean) => medianOf(process.execPath, [bin, 'build', '--format', formats, '--out', out, '-q', ...(cold ? ['--no-cache'] : [])]);
  const htmlCold = flagship('html', true);
  const html = flagship('html', false);
  const cpu = Math.min(cpu0, anchor().ms) / 1000;
  rows.push({ measure: 'flagship HTML build, whole process, cold (`--no-cache`)', ours: s(htmlCold), anchor: `CPU anchor ${s(cpu)}`, ratio: `${(htmlCold / cpu).toFixed(1)}× anchor`, goal: '≤ 1.5 s', met: htmlCold <= 1.5 });
  rows.push({ measure: 'flagship HTML build, whole process, warm (cache of the previous build)', ours: s(html), anchor: `CPU anchor ${s(cpu)}`, ratio: `${(html / cpu).toFixed(1)}× anchor`, goal: '≤ 1.5 s', met: html <= 1.5 });
  const pdfCold = flagship('html,pdf', true);
  const pdf = flagship('html,pdf', false);
  const chrome = findBrowser(process.env);
  const printed = join(scratch, 'chromium.pdf');
  const chromium = medianOf(chrome, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--print-to-pdf=${printed}`, '--no-pdf-header-footer', `file://${join(out, 'report.html')}`]);
  for (const [label, t] of [['cold (`--no-cache`)', pdfCold], ['warm', pdf]] as const) {
    rows.push({ measure: `flagship HTML + PDF, whole process, ${label}`, ours: s(t), anchor: `Chromium --print-to-pdf of the same HTML ${s(chromium)}`, ratio: signed(t - chromium), goal: '≤ Chromium + 1 s', met: t <= chromium + 1 });
  }
  // the PDF's own share: HTML + PDF less the HTML build, against Chromium printing that HTML
  rows.push({ measure: 'flagship PDF step alone (HTML + PDF less HTML), warm', ours: s(pdf - html), anchor: `Chromium --print-to-pdf of the same HTML ${s(chromium)}`, ratio: signed(pdf - html - chromium), goal: '≤ Chromium + 1 s', met: pdf - html <= chromium + 1 });

  // start-up
  const help = medianOf(process.execPath, [bin, '--help']);
  const node = medianOf(process.execPath, ['-e', '0']);
  rows.push({ measure: '`cxreport --help`', ours: s(help), anchor: `\`node -e 0\` ${s(node)}`, ratio: `${(help / node).toFixed(1)}×`, goal: '≤ 0.3 s', met: help <= 0.3 });

  // preview rebuilds: bench/preview.ts's table
  execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'preview.ts'), '--runs', String(runs)], { cwd: root, stdio: 'inherit' });
  const preview = readFileSync(join(root, 'bench', 'results', 'preview.md'), 'utf8');
  const previewMs = (start: string) => Number(new RegExp(`^\\| ${start}[^|]*\\| (\\d+) ms \\| ([\\d.]+) \\|`, 'm').exec(preview)?.[1] ?? NaN);
  const previewAnchor = /Anchor:[^,]*?, (\d+) ms/.exec(preview)?.[1] ?? '?';
  for (const [measure, start, goal] of [
    ['preview: YAML text edit → page', 'YAML edit, text only', 1000],
    ['preview: YAML edit to one section → page', 'YAML edit to one section', 1000],
    ['preview: template edit → page', 'template edit', 300],
  ] as const) {
    const ms = previewMs(start);
    rows.push({ measure, ours: `${ms} ms`, anchor: `CPU anchor ${previewAnchor} ms`, ratio: `${(ms / Number(previewAnchor)).toFixed(2)}× anchor`, goal: `≤ ${goal} ms`, met: ms <= goal });
  }

  // 1M rows: bench/sources.ts into files of this run only — the pushdown cases and their
  // baselines (each well under a second) 5 runs interleaved, the in-memory cases one run each
  if (!values['skip-sources']) {
    const sources = (cases: string, caseRuns: number, name: string) => {
      execFileSync(process.execPath, ['--import', 'tsx', join(root, 'bench', 'sources.ts'), '--sizes', String(size), '--runs', String(caseRuns), '--large', String(size * 10), '--cases', cases, '--doc', join(scratch, `${name}.md`), '--results', join(scratch, `${name}.json`)], { cwd: root, stdio: 'inherit' });
      return readFileSync(join(scratch, `${name}.json`), 'utf8').trim();
    };
    const results = [sources('baseline,baseline-postgres,duckdb,postgres', 5, 'sources-pushdown'), sources('parquet,csv', 1, 'sources-memory')].join('\n');
    const lines = results.split('\n').map((l) => JSON.parse(l) as { case: string; n: number; ok: boolean; seconds: number; processSeconds: number; peakRssMB: number });
    /** a case's median time (and its largest peak memory) over its runs */
    const by = (c: string) => {
      const ok = lines.filter((l) => l.case === c && l.n === size && l.ok);
      return ok.length ? { seconds: median(ok.map((l) => l.seconds)), peakRssMB: Math.max(...ok.map((l) => l.peakRssMB)) } : undefined;
    };
    const base = by('baseline');
    const basePg = by('baseline-postgres');
    const label = `${(size / 1e6).toLocaleString('en-US')}M`;
    for (const c of ['csv', 'parquet'] as const) {
      const r = by(c);
      if (!r || !base) continue;
      const ratio = r.seconds / base.seconds;
      rows.push({ measure: c === 'csv' ? `${label} responses, CSV in memory` : `${label} responses, Parquet source (engine: auto, left in DuckDB)`, ours: `${s(r.seconds)}, ${Math.round(r.peakRssMB)} MB`, anchor: `DuckDB on the file ${s(base.seconds)}`, ratio: `${ratio.toFixed(1)}×`, goal: '≤ 2×, ≤ 500 MB', met: ratio <= 2 && r.peakRssMB <= 500 });
    }
    for (const [c, b, name] of [['duckdb', base, 'DuckDB'], ['postgres', basePg, 'PostgreSQL']] as const) {
      const r = by(c);
      if (!r || !b) continue;
      const ratio = r.seconds / b.seconds;
      rows.push({ measure: `${label} responses, ${name} pushdown`, ours: s(r.seconds), anchor: `hand-written SQL ${s(b.seconds)}`, ratio: `${ratio.toFixed(2)}×`, goal: '≤ 1.2×', met: ratio <= 1.2 });
    }
  }

  const table = [
    '| measure | cxreport | anchor in the same run | ratio | goal | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.measure} | ${r.ours} | ${r.anchor} | ${r.ratio} | ${r.goal} | ${r.met === null ? '—' : r.met ? 'yes' : 'no'} |`),
  ];
  const md = [
    '# Issue 17: every row in one run',
    '',
    `\`npx tsx bench/issue17.ts --runs ${runs} --size ${size}\`: medians of ${runs} runs after one warm-up (the ${(size / 1e6).toLocaleString('en-US')}M-row cases from bench/sources.ts, in fresh processes: pushdown and its hand-written baselines the median of 5 interleaved runs, in memory one run each).`,
    '',
    ...table,
    '',
    '## Machine',
    '',
    ...machineLines(started, [`- Browser: ${findBrowser(process.env)}`]),
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench', 'results', 'issue17.md'), md);
  process.stdout.write(`${md}\n`);
}

main()
  .catch((error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    if (existsSync(scratch)) rmSync(scratch, { recursive: true, force: true });
  });
