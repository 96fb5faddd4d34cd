/**
 * The live preview's rebuilds on the flagship (issue 17): a full build, a YAML edit that changes
 * only text (a title), a YAML edit to one section (a trend's periods), and a template edit (render
 * only), each timed in one PreviewSession and given as a ratio to the CPU anchor timed in the same
 * run (bench/anchor.ts). `npx tsx bench/preview.ts [--runs 5]` → bench/results/preview.md.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PreviewSession } from '../src/preview/session.js';
import { anchor } from './anchor.js';
import { machineLines, median } from './machine.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);

async function main(): Promise<void> {
  const started = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-preview-bench-'));
  cpSync(join(repo, 'cxreport.yaml'), join(dir, 'cxreport.yaml'));
  cpSync(join(repo, 'examples'), join(dir, 'examples'), { recursive: true });
  const file = join(dir, 'cxreport.yaml');
  const original = readFileSync(file, 'utf8');
  const anchorMs = [anchor().ms];
  const times: Record<string, number[]> = { full: [], title: [], section: [], template: [] };
  const computed: Record<string, number> = {};
  for (let i = 0; i < runs; i++) {
    writeFileSync(file, original);
    const session = new PreviewSession('cxreport.yaml', { SOURCE_DATE_EPOCH: '1790000000' }, dir);
    const full = await session.rebuild('full');
    if (!full.ok) throw new Error('the flagship did not build in the preview');
    times.full.push(full.ms);
    writeFileSync(file, original.replace(/^(\s*title: )(.*)$/m, `$1$2 (edit ${i})`));
    const title = await session.rebuild('full');
    times.title.push(title.ms);
    computed.title = title.computed?.length ?? 0;
    // one section: the first trend shows one period more
    writeFileSync(file, original.replace(/(type: trend[\s\S]*?periods: )(\d+)/, (_, a: string, n: string) => `${a}${Number(n) + 1}`));
    const section = await session.rebuild('full');
    times.section.push(section.ms);
    computed.section = section.computed?.length ?? 0;
    times.template.push((await session.rebuild('render')).ms);
    anchorMs.push(anchor().ms);
  }
  rmSync(dir, { recursive: true, force: true });
  const a = Math.min(...anchorMs);
  const row = (name: string, what: string, goal: string) => `| ${what} | ${median(times[name]).toFixed(0)} ms | ${(median(times[name]) / a).toFixed(2)} | ${(median(times[name]) / median(times.full)).toFixed(3)} | ${goal} |`;
  const text = [
    '# Preview rebuilds (flagship)',
    '',
    `\`npx tsx bench/preview.ts --runs ${runs}\`: one PreviewSession per run on a copy of the flagship; medians of ${runs} runs. Anchor: the fixed CPU workload of bench/anchor.ts, ${a.toFixed(0)} ms (fastest of ${anchorMs.length} in this run).`,
    '',
    '| rebuild | median | ÷ anchor | ÷ full build | issue 17 goal |',
    '|---|---:|---:|---:|---|',
    row('full', 'first build (config, sources, every metric, model, HTML)', '—'),
    row('title', `YAML edit, text only (title): ${computed.title} metrics recomputed`, '≤ 1 s'),
    row('section', `YAML edit to one section (a trend's periods): ${computed.section} metric recomputed`, '≤ 1 s'),
    row('template', 'template edit (render only, charts from the SVG cache)', '≤ 300 ms'),
    '',
    '## Machine',
    '',
    ...machineLines(started),
    '',
  ].join('\n');
  writeFileSync(join(repo, 'bench', 'results', 'preview.md'), text);
  console.log(text);
}

await main();
