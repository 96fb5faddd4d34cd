/**
 * Benchmark: one browser for many PDFs vs one browser per PDF.
 *
 *   npx tsx bench/browser-reuse.ts [--runs 3]
 *
 * Loads the flagship config once, builds the report models for the six months 2026-05..2026-10,
 * then times
 *   (a) reuse:   one PdfPrinter launched once, `print` called for all six models, then closed
 *                (what `cxreport build --period 2026-05..2026-10` does);
 *   (b) per PDF: `printPdf(model, config, { env })` for each model, which launches and closes a
 *                browser every time;
 * plus (c) launch + close alone, to show the overhead (b) pays six times. Variants are interleaved
 * (a, b, c, a, b, c, …) after one untimed warm-up print, so drift in machine load hits all of them.
 * Results go to stdout and to bench/results/browser-reuse.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { load, modelFor } from '../src/app/pipeline.js';
import { cpuModel, median } from './machine.js';
import { findBrowser, launchBrowser } from '../src/render/browser.js';
import { PdfPrinter, printPdf } from '../src/render/pdf.js';
import type { ReportModel } from '../src/report/model.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PERIODS = ['2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const RUNS = Math.max(1, Number(values.runs) || 3);
const env = process.env;

const ms = (x: number) => `${(x / 1000).toFixed(2)} s`;

function checkPdf(bytes: Uint8Array, period: string): void {
  const head = Buffer.from(bytes.subarray(0, 5)).toString('latin1');
  if (head !== '%PDF-' || bytes.length < 10_000) throw new Error(`the PDF for ${period} looks wrong (${bytes.length} bytes, starts ${JSON.stringify(head)})`);
}

// ---------------------------------------------------------------------------------------------
// Machine description

async function chromiumVersion(): Promise<string> {
  const executable = findBrowser(env);
  try {
    const out = execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).trim();
    if (out) return `${out} (${executable})`;
  } catch {
    // fall back to asking a running browser
  }
  const browser = await launchBrowser(env);
  try {
    return `${await browser.version()} (${executable})`;
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Variants

type Variant = { name: string; description: string; run: () => Promise<void> };

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = loadavg();
  const t0 = performance.now();
  const loaded = await load({ configPath: 'cxreport.yaml', cwd: root, env });
  const models: { period: string; model: ReportModel }[] = PERIODS.map((p) => ({ period: p, model: modelFor(loaded, p).model }));
  const loadMs = performance.now() - t0;
  const { config } = loaded;
  process.stderr.write(`loaded ${relative(root, config.file)} and built ${models.length} models in ${ms(loadMs)}\n`);

  const variants: Variant[] = [
    {
      name: '(a) one browser, reused',
      description: '`PdfPrinter.launch` once, 6 × `print`, `close`',
      run: async () => {
        const printer = await PdfPrinter.launch(env);
        try {
          for (const { period, model } of models) checkPdf(await printer.print(model, config), period);
        } finally {
          await printer.close();
        }
      },
    },
    {
      name: '(b) one browser per PDF',
      description: '6 × `printPdf` (launch, print, close)',
      run: async () => {
        for (const { period, model } of models) checkPdf(await printPdf(model, config, { env }), period);
      },
    },
    {
      name: '(c) launch + close only',
      description: '1 × `PdfPrinter.launch` + `close`, nothing printed',
      run: async () => {
        const printer = await PdfPrinter.launch(env);
        await printer.close();
      },
    },
  ];

  // warm-up: disk cache for the browser binary and fonts, JIT for the render code
  process.stderr.write('warm-up …\n');
  checkPdf(await printPdf(models[0].model, config, { env }), models[0].period);

  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let i = 1; i <= RUNS; i++) {
    for (const v of variants) {
      const start = performance.now();
      await v.run();
      const elapsed = performance.now() - start;
      times.get(v.name)!.push(elapsed);
      process.stderr.write(`run ${i}/${RUNS} ${v.name}: ${ms(elapsed)}\n`);
    }
  }

  const stats = variants.map((v) => {
    const xs = times.get(v.name)!;
    return { v, min: Math.min(...xs), median: median(xs), max: Math.max(...xs), all: xs };
  });
  const [reuse, perPdf, launch] = stats;
  const pdfs = models.length;

  const machine = [
    `- CPU: ${cpuModel()}`,
    `- Cores: ${cpus().length} (logical, as seen by Node)`,
    `- RAM: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node: ${process.version}`,
    `- Chromium: ${await chromiumVersion()}`,
    `- OS: ${process.platform} ${process.arch}; load average (1/5/15 min) ${loadAtStart.map((x) => x.toFixed(2)).join(' / ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(' / ')} at the end (the bench's own Chromium processes included)`,
    `- Date: ${started.toISOString()}`,
  ];

  const rows = stats.map(
    (s) =>
      `| ${s.v.name} | ${s.v.description} | ${ms(s.min)} | ${ms(s.median)} | ${ms(s.max)} | ${s === launch ? '—' : ms(s.median / pdfs)} |`,
  );
  const saved = perPdf.median - reuse.median;
  const table = [
    `| Variant | What is timed | Min | Median | Max | Median per PDF |`,
    `|---|---|---:|---:|---:|---:|`,
    ...rows,
  ].join('\n');

  const md = `# Browser reuse: one Chromium for many PDFs vs one per PDF

Flagship report (\`cxreport.yaml\`, Acme Cloud data), ${pdfs} periods ${PERIODS[0]}..${PERIODS[PERIODS.length - 1]}; each PDF is the full
print (body printed twice for the contents page numbers, plus the cover, then pdf-lib post-processing).
Config, data and the ${pdfs} report models are loaded/built once beforehand (${ms(loadMs)}) and are not timed.
${RUNS} timed runs per variant, interleaved, after one untimed warm-up print. Wall time per run (all ${pdfs} PDFs).

${table}

Reusing one browser saves ${ms(saved)} per ${pdfs} PDFs at the median (${((100 * saved) / perPdf.median).toFixed(0)}% of the per-PDF-browser time),
i.e. ${ms(saved / pdfs)} per PDF, against a measured launch + close of ${ms(launch.median)}. Whatever a fresh browser costs beyond
launch + close (most likely its first page's cold start: new renderer process, font loading) is also paid once per PDF in (b)
and once per build in (a).

All runs (s): ${stats.map((s) => `${s.v.name.split(' ')[0]} ${s.all.map((x) => (x / 1000).toFixed(2)).join(', ')}`).join('; ')}.

Machine:

${machine.join('\n')}

Reproduce: \`npx tsx bench/browser-reuse.ts\` (\`--runs N\` for more runs).
`;

  const outFile = join(root, 'bench', 'results', 'browser-reuse.md');
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, md);
  process.stdout.write(`${md}\nwritten to ${relative(process.cwd(), outFile) || outFile}\n`);
}

await main();
