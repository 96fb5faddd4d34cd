/** --format ipynb: a notebook with one cell per section, valid nbformat 4 (checked by Jupyter's own validator). */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { surveyProject } from './project.js';

let dir: string;
let notebook: any;

beforeAll(async () => {
  dir = surveyProject();
  const code = await main(['build', '--format', 'ipynb,html', '--out', 'out', '--quiet'], { stdout: () => {}, stderr: () => {}, env: {}, cwd: dir });
  expect(code).toBe(0);
  notebook = JSON.parse(readFileSync(join(dir, 'out', 'report.ipynb'), 'utf8'));
});

const hasJupyterValidator = (() => {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import nbformat'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('notebook output', () => {
  it('has a title cell and one cell per section, in order, with the section YAML as source', () => {
    expect(notebook.nbformat).toBe(4);
    expect(notebook.nbformat_minor).toBe(5);
    const [title, ...sections] = notebook.cells;
    expect(title.cell_type).toBe('markdown');
    expect(title.source.join('')).toContain('# Test report');
    expect(sections.map((c: any) => c.metadata.tags[1])).toEqual(['kpis', 'trend', 'breakdown', 'distribution', 'verbatims', 'markdown', 'case-study', 'methods']);
    expect(sections[2].source.join('')).toBe('{ type: breakdown, metric: csat, by: channel }');
    expect(sections[6].source.join('')).toBe(
      ['type: case-study', 'title: EMEA study', 'segment: { region: EMEA }', 'metrics: [nps]', 'before: { from: "2026-09", to: "2026-09" }', 'after: { from: "2026-10", to: "2026-10" }', 'narrative: "We changed *onboarding*."'].join('\n'),
    );
  });

  it('each cell shows the rendered section as HTML (escaped customer text) and its chart as SVG', () => {
    const cells = notebook.cells.slice(1);
    for (const cell of cells) {
      expect(cell.outputs[0].output_type).toBe('display_data');
      expect(cell.outputs[0].data['text/html'].join('')).toContain('data-section-type');
    }
    const verbatims = cells.find((c: any) => c.metadata.tags[1] === 'verbatims').outputs[0].data['text/html'].join('');
    expect(verbatims).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(verbatims).not.toMatch(/<script/i);
    const trend = cells.find((c: any) => c.metadata.tags[1] === 'trend').outputs[0].data;
    expect(trend['image/svg+xml'].join('')).toMatch(/^<svg /);
  });

  it('each output\'s stylesheet is scoped to its own element: no :root, * or body rule reaches the notebook', () => {
    for (const cell of notebook.cells.slice(1)) {
      const html = cell.outputs[0].data['text/html'].join('');
      expect(html).toMatch(/^<style>[\s\S]*<\/style>\n<div class="cxreport-cell">/);
      const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
      const selectors = [...css.matchAll(/([^{}]+)\{/g)].map((m) => m[1].trim()).filter((p) => !p.startsWith('@')).flatMap((p) => p.split(',').map((x) => x.trim()));
      expect(selectors.length).toBeGreaterThan(100);
      expect(selectors.filter((x) => !x.startsWith('.cxreport-cell'))).toEqual([]);
      expect(css).not.toMatch(/:root/);
      // the page's body rules give the output element their colours and font, never their box (210 mm wide, print padding, grid)
      const own = [...css.matchAll(/(?:^|\n)\.cxreport-cell \{([^}]*)\}/g)].map((m) => m[1]).join(';');
      expect(own).toMatch(/--primary: /);
      expect(own).toMatch(/font-family: var\(--font\)/);
      expect(own).not.toMatch(/max-width: 210mm|padding: 12mm|display: grid/);
    }
  });

  it.skipIf(!hasJupyterValidator)('is valid against the nbformat 4 schema (Jupyter nbformat.validate)' + (hasJupyterValidator ? '' : ' — skipped: python3-nbformat not installed'), () => {
    const path = join(dir, 'out', 'report.ipynb');
    const out = execFileSync('/usr/bin/python3', ['-c', 'import sys, nbformat; nb = nbformat.read(sys.argv[1], as_version=4); nbformat.validate(nb); print("valid", nb.nbformat, nb.nbformat_minor, len(nb.cells))', path], { encoding: 'utf8' });
    expect(out.trim()).toBe(`valid 4 5 ${notebook.cells.length}`);
  });

  it('cell ids are unique and match the nbformat id pattern', () => {
    const ids = notebook.cells.map((c: any) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-zA-Z0-9-_]{1,64}$/);
    expect(existsSync(join(dir, 'out', 'report.html'))).toBe(true);
  });
});
