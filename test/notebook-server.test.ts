/**
 * The VS Code notebook's runner (src/notebook/server.ts, session.ts): a cell runs one section
 * through the pipeline in lenient mode, renders it as the report does, shows a failing section's
 * located error, and loads the data once per session and computes only the metrics it needs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { NotebookServer } from '../src/notebook/server.js';
import { NotebookSession, sectionMetrics } from '../src/notebook/session.js';
import { renderSectionFragments } from '../src/render/html.js';
import { formatter } from '../src/kernel/format.js';
import { precise } from '../src/kernel/precision.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

/** Section HTML without the ids that depend on the sections before it (chart and anchor ids). */
const normalise = (html: string) =>
  html
    .replace(/\b(id|href|xlink:href|clip-path|aria-labelledby|aria-describedby|for)="[^"]*"/g, '$1=""')
    .replace(/url\(#[^)]*\)/g, 'url(#)')
    .replace(/\s+/g, ' ');

/** The section's own HTML inside an output (without the wrapper and stylesheet). */
const fragmentOf = (html: string) => /<div class="cxreport-cell"[^>]*>([\s\S]*)<\/div>$/.exec(html)![1];

/** Every selector of the stylesheets in an output's HTML, in @media blocks too (checked independently of scope-css.ts). */
function selectorsIn(html: string): string[] {
  const css = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n').replace(/\/\*[\s\S]*?\*\//g, '');
  const out: string[] = [];
  for (const m of css.matchAll(/([^{}]+)\{/g)) {
    const prelude = m[1].trim();
    if (!prelude || prelude.startsWith('@')) continue;
    out.push(...prelude.split(',').map((s) => s.trim()));
  }
  return out;
}

describe('notebook runner: one section per cell, as the report renders it', () => {
  it('every section of the survey fixture renders in its cell as in the report, with the build values', async () => {
    const dir = surveyProject();
    const path = join(dir, 'cxreport.yaml');
    const reference = await build({ configPath: path, env: {}, cwd: dir });
    const { fragments } = await renderSectionFragments(reference.model);
    const server = new NotebookServer({ env: {}, cwd: dir });
    const text = readFileSync(path, 'utf8');
    const all = (await server.handle({ id: 1, op: 'runAll', path, text })) as { ok: boolean; sections: { index: number; ok: boolean; html: string; svg: string[]; type: string }[] };
    expect(all.ok).toBe(true);
    expect(all.sections.map((s) => s.type)).toEqual(['kpis', 'trend', 'breakdown', 'distribution', 'verbatims', 'markdown', 'case-study']);
    all.sections.forEach((s, i) => {
      expect(fragmentOf(s.html)).toContain(`data-section-type="${s.type}"`);
      expect(normalise(fragmentOf(s.html)), `section ${i + 1} (${s.type})`).toBe(normalise(fragments[i]));
    });
    // one at a time gives the same HTML
    for (const i of [0, 2, 5]) {
      const one = (await server.handle({ id: 2, op: 'runSection', path, text, index: i })) as { html: string };
      expect(normalise(fragmentOf(one.html))).toBe(normalise(fragments[i]));
    }
    // KPI values are the build's
    const kpis = all.sections[0].html;
    for (const id of ['nps', 'csat', 'ces']) {
      const r = reference.computed.results.get(id)!;
      expect(kpis).toContain(`id="kpi-${id}"`);
      // as the card writes it: to the precision its interval supports (kernel/precision.ts)
      expect(kpis).toContain(`<p class="kpi-value">${precise(formatter('en'), r).value(r.value, r.unit)}`);
    }
    // charts as SVG documents: the trend's chart first
    expect(all.sections[1].svg[0]).toMatch(/^<svg [^>]*>[\s\S]*<path/);
    expect(all.sections[0].svg.length).toBe(3);
  });

  it('the output stylesheet is scoped: no :root, *, html or body rule, every selector inside .cxreport-cell', async () => {
    const dir = surveyProject();
    const path = join(dir, 'cxreport.yaml');
    const out = (await new NotebookServer({ env: {} }).handle({ id: 1, op: 'runSection', path, index: 0 })) as { html: string };
    const selectors = selectorsIn(out.html);
    expect(selectors.length).toBeGreaterThan(100);
    expect(selectors.filter((s) => !s.startsWith('.cxreport-cell'))).toEqual([]);
    expect(out.html).not.toMatch(/:root|(^|[\s,}])(body|html)\s*[{,]/);
  });

  it('a failing section shows its located error in its cell; the other cells still run', async () => {
    const dir = surveyProject();
    const path = join(dir, 'cxreport.yaml');
    const text = SURVEY_CONFIG.replace('metrics: [nps, csat, ces]', 'metrics: [nps, csatt, ces]').replace('by: channel', 'by: chanel');
    const session = new NotebookSession({ env: {}, cwd: dir });
    const [kpis, trend, breakdown] = await session.runSections(path, text, [0, 1, 2]);
    expect(kpis.ok).toBe(false);
    const line = text.split('\n').findIndex((l) => l.includes('csatt')) + 1;
    expect(kpis.errors[0]).toMatchObject({ file: 'cxreport.yaml', line, column: text.split('\n')[line - 1].indexOf('csatt') + 1 });
    expect(kpis.errors[0].where).toBe(`cxreport.yaml:${line}:${kpis.errors[0].column}`);
    expect(kpis.errors[0].hint).toMatch(/csat/);
    expect(kpis.html).toContain('section-error');
    expect(kpis.html).toContain('csatt');
    expect(trend.ok).toBe(true);
    // an unknown column is found with the data, in its own cell
    expect(breakdown.ok).toBe(false);
    expect(breakdown.errors[0].message).toMatch(/chanel/);
    expect(breakdown.errors[0].hint).toMatch(/channel/);
    expect(breakdown.errors[0].line).toBe(text.split('\n').findIndex((l) => l.includes('chanel')) + 1);
  });

  it('an error that stops every cell (YAML syntax) is shown, located, in each cell', async () => {
    const dir = surveyProject();
    const path = join(dir, 'cxreport.yaml');
    const text = SURVEY_CONFIG.replace('min_sample: 5', 'min_sample: [5');
    const [out] = await new NotebookSession({ env: {}, cwd: dir }).runSections(path, text, [0]);
    expect(out.ok).toBe(false);
    expect(out.errors[0].message).toMatch(/YAML syntax/);
    expect(out.errors[0].line).toBeGreaterThan(0);
    expect(out.html).toContain('section-error');
    expect(out.html).not.toMatch(/:root/);
  });

  it('loads the data once per session and computes only the metrics a cell needs (each once)', async () => {
    const dir = surveyProject();
    const path = join(dir, 'cxreport.yaml');
    const session = new NotebookSession({ env: {}, cwd: dir });
    await session.runSections(path, SURVEY_CONFIG, [1]); // trend of nps
    expect(session.last).toMatchObject({ loadedSources: true, computed: ['nps'] });
    expect(session.last.prepared.sort()).toEqual(['ces', 'csat', 'nps']);
    await session.runSections(path, SURVEY_CONFIG, [0]); // kpis: csat and ces are new
    expect(session.last).toMatchObject({ loadedSources: false, prepared: [], computed: ['csat', 'ces'] });
    await session.runSections(path, SURVEY_CONFIG, [5]); // markdown naming nps only
    expect(session.last.computed).toEqual([]);
    // editing one metric re-prepares and recomputes that metric only; the data stays loaded
    const edited = SURVEY_CONFIG.replace('target: 25', 'target: 20');
    await session.runSections(path, edited, [0]);
    expect(session.last).toMatchObject({ loadedSources: false, prepared: ['nps'], computed: ['nps'] });
  });

  it('a highlights or executive-summary cell computes every metric: the scan ranks all of them together, as in the report', () => {
    const config = { metrics: { nps: {}, csat: {} }, sections: [{ type: 'summary', metrics: ['nps'] }, { type: 'highlights' }, { type: 'kpis', metrics: ['csat'] }] } as never;
    expect(sectionMetrics(config, 0)).toBe('all');
    expect(sectionMetrics(config, 1)).toBe('all');
    expect(sectionMetrics(config, 2)).toEqual(['csat']);
  });

  it('validate: the config problems that need no data, located (the editor diagnostics)', () => {
    const dir = surveyProject();
    const session = new NotebookSession({ env: {}, cwd: dir });
    const errors = session.validate(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('{ type: trend, metric: nps, periods: 3 }', '{ type: trend, metrc: nps, periods: 3 }'));
    expect(errors.length).toBeGreaterThan(0);
    const unknown = errors.find((e) => /metrc/.test(e.message))!;
    expect(unknown).toMatchObject({ file: 'cxreport.yaml', line: SURVEY_CONFIG.split('\n').findIndex((l) => l.includes('type: trend')) + 1 });
    expect(unknown.hint).toMatch(/metric/);
    expect(session.validate(join(dir, 'cxreport.yaml'), SURVEY_CONFIG)).toEqual([]);
  });

  it('a header cell: the sources with their rows and columns', async () => {
    const dir = surveyProject();
    const path = join(dir, 'cxreport.yaml');
    const out = await new NotebookSession({ env: {}, cwd: dir }).runHeader(path, SURVEY_CONFIG, 'sources');
    expect(out.ok).toBe(true);
    expect(out.period).toBe('2026-10');
    expect(out.text).toMatch(/responses: 24 rows/);
    expect(out.html).toContain('data/responses.csv');
  });

  it('the bin script speaks JSON lines on stdout, nothing else', async () => {
    const dir = surveyProject();
    const child = spawn(process.execPath, [resolve(import.meta.dirname, '..', 'bin', 'cxreport-notebook-server.js')], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffer = '';
    child.stdout.on('data', (d) => {
      buffer += d;
      const parts = buffer.split('\n');
      buffer = parts.pop()!;
      lines.push(...parts);
    });
    child.stdin.write(`${JSON.stringify({ id: 1, op: 'hello' })}\n${JSON.stringify({ id: 2, op: 'runSection', path: 'cxreport.yaml', index: 1 })}\nnot json\n`);
    child.stdin.end();
    await new Promise((done) => child.on('exit', done));
    const answers = lines.map((l) => JSON.parse(l));
    expect(answers.map((a) => a.id).sort()).toEqual([1, 2, null]);
    expect(answers.find((a) => a.id === null)).toMatchObject({ ok: false, internal: 'not a JSON request line' });
    expect(answers.find((a) => a.id === 1)).toMatchObject({ ok: true, node: process.version });
    expect(answers.find((a) => a.id === 2)).toMatchObject({ ok: true, type: 'trend', index: 1, period: '2026-10' });
  }, 60_000);
});
