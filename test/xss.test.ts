/**
 * Issue 15's XSS audit as a test: every vector of test/xss-vectors.ts (OWASP filter evasion and
 * more) in every customer-text and analyst-text field (test/xss-project.ts), built once per batch
 * of vectors, then opened in a real Chromium with JavaScript ON:
 * - the static HTML as written, and again without its Content-Security-Policy (escaping and
 *   sanitising alone must hold);
 * - the preview (`cxreport dev`) as served, and again without its CSP and reload script;
 * - the pages only the PDF printer loads (the cover, the running header and footer), without CSP; and a real print (JavaScript off, requests blocked as in a
 *   build) of every vector in the cover, header, footer, a Markdown section and a table, whose
 *   blocked requests must be none;
 * - the notebook's outputs as a viewer without a sanitiser would show them (HTML and SVG outputs
 *   raw, the Markdown cell through marked).
 * On each page: no dialog, no script effect (`window.__xss`), no request beyond the page itself
 * and data: URLs, no CSP violation, no navigation, and no live markup left in the DOM (script,
 * iframe, object, embed, base, meta refresh, form, link, event-handler attributes, javascript:,
 * vbscript: or data:text/html URLs, remote URLs in src/style). And every (field, vector) pair must
 * have reached the page as text (its tag is found), so that a vector silently dropped cannot pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { marked } from 'marked';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { build } from '../src/app/pipeline.js';
import { startPreview } from '../src/preview/server.js';
import { PREVIEW_HEAD } from '../src/preview/session.js';
import { BROWSER_ARGS, BROWSER_PATHS } from '../src/render/browser.js';
import { renderHtml } from '../src/render/html.js';
import { renderNotebook } from '../src/render/notebook.js';
import { headerFooter, pageCss, PdfPrinter } from '../src/render/pdf.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';
import { VECTORS } from './xss-vectors.js';
import { ANALYST_FIELDS, CUSTOMER_FIELDS, tagOf, xssPrintProject, xssProject, type FieldCode } from './xss-project.js';

const chrome = process.env.CXREPORT_CHROME || BROWSER_PATHS.find((p) => existsSync(p));
/** Two builds of 57–58 vectors (each verbatims section quotes at most 50: half are detractors, half passives). */
const BATCHES = 2;
const FIELDS = { ...CUSTOMER_FIELDS, ...ANALYST_FIELDS } as Record<FieldCode, string>;
/**
 * Fields where only some vectors can be seen: the narrative file joins them into one Markdown
 * text, where a vector that opens a raw-HTML block (an unclosed <script>, <!--) rightly swallows
 * the rest; review texts are shown only as example quotes of themes. At least one must be there.
 */
const SAMPLED: FieldCode[] = ['NF', 'RV'];

interface Inspection {
  dialogs: string[];
  requests: string[];
  effects: unknown;
  violations: string[];
  live: string[];
  navigated: string | null;
  text: string;
}

/** Listens from the first byte of every document: CSP violations are recorded, not only reported. */
const WATCH = () => {
  const w = window as unknown as { __violations: string[] };
  w.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => w.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
};

/** Live markup left in the DOM (runs in the page). */
const SCAN = (ownScript: string) => {
  const live: string[] = [];
  const bad = /^\s*(javascript|vbscript|data:text\/html|livescript)/i;
  // a URL that would load from elsewhere (a data: URL holds its content: the report's CSV downloads
  // do); a link to one is allowed in analyst Markdown only (.prose, .narrative), never elsewhere
  const remote = (v: string) => /^\s*(https?:)?\/\//i.test(v);
  for (const el of Array.from(document.querySelectorAll('*'))) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'frame', 'frameset', 'object', 'embed', 'base', 'form', 'link', 'portal', 'applet', 'isindex', 'noembed'].includes(tag)) live.push(`<${tag}>`);
    if (tag === 'script' && el.textContent !== ownScript) live.push(`<script>${(el.textContent ?? '').slice(0, 40)}`);
    if (tag === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') ?? '')) live.push('<meta refresh>');
    if (tag === 'style' && /xss\.example|javascript:|expression\(|behavior|@import/i.test(el.textContent ?? '')) live.push(`<style>${(el.textContent ?? '').slice(0, 40)}`);
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const v = attr.value;
      if (name.startsWith('on')) live.push(`${tag}[${name}]`);
      else if (['srcdoc', 'formaction', 'action', 'dynsrc', 'lowsrc', 'background', 'poster', 'data', 'codebase'].includes(name)) live.push(`${tag}[${name}]`);
      else if (['href', 'xlink:href', 'src', 'srcset'].includes(name) && (bad.test(v) || (remote(v) && !(tag === 'a' && el.closest('.prose, .narrative'))))) live.push(`${tag}[${name}=${v.slice(0, 40)}]`);
      else if (name === 'style' && /xss\.example|javascript|expression|behavior|url\(/i.test(v)) live.push(`${tag}[style=${v.slice(0, 40)}]`);
    }
  }
  const attributes = Array.from(document.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes).map((a) => a.value));
  return { live, text: `${document.documentElement.textContent ?? ''}\n${attributes.join('\n')}` };
};

/** How long each step took (printed at the end: the suite's runtime budget is ~90 s). */
const timings: string[] = [];
async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await f();
  } finally {
    timings.push(`${what} ${Math.round(performance.now() - start)} ms`);
  }
}

async function inspect(browser: Browser, url: string, own: { script?: string; allow?: (u: string) => boolean } = {}): Promise<Inspection> {
  return timed(`open ${url.replace(/^.*\//, '') || 'preview'}`, () => inspectPage(browser, url, own));
}

async function inspectPage(browser: Browser, url: string, own: { script?: string; allow?: (u: string) => boolean }): Promise<Inspection> {
  const page: Page = await browser.newPage();
  const dialogs: string[] = [];
  const requests: string[] = [];
  try {
    await page.evaluateOnNewDocument(WATCH);
    page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    // every other request is counted and aborted (it must not happen; aborting keeps a failing case from waiting on the network)
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      const u = r.url();
      if (u === url || u.startsWith('data:') || own.allow?.(u)) return void r.continue();
      requests.push(u.slice(0, 120));
      void r.abort('blockedbyclient');
    });
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    // handlers that fire a moment after load (ontoggle, onbegin, onstart, autofocus) get their chance
    await new Promise((done) => setTimeout(done, 250));
    const navigated = page.url() === url ? null : page.url();
    const effects = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
    const violations = await page.evaluate(() => (window as unknown as { __violations?: string[] }).__violations ?? ['(watcher missing)']);
    const { live, text } = await page.evaluate(SCAN, own.script ?? '\u0000none');
    return { dialogs, requests, effects, violations, live, navigated, text };
  } finally {
    await page.close();
  }
}

const fileUrl = (dir: string, name: string, html: string) => {
  const path = join(dir, name);
  writeFileSync(path, html);
  return pathToFileURL(path).href;
};

/** The notebook as a viewer without a sanitiser would show it: outputs raw, Markdown through marked. */
function notebookPage(notebook: string): string {
  const nb = JSON.parse(notebook) as { cells: { cell_type: string; source: string[]; outputs?: { data?: Record<string, string[]> }[] }[] };
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  const cells = nb.cells.map((c) => {
    if (c.cell_type === 'markdown') return `<div class="md">${marked.parse(c.source.join(''), { async: false })}</div>`;
    const outputs = (c.outputs ?? []).map((o) => [o.data?.['text/html']?.join('') ?? '', o.data?.['image/svg+xml']?.join('') ?? '', `<pre>${esc(o.data?.['text/plain']?.join('') ?? '')}</pre>`].join('\n'));
    return `<pre class="source">${esc(c.source.join(''))}</pre>${outputs.join('\n')}`;
  });
  return `<!doctype html><html><head><meta charset="utf-8"><title>notebook</title></head><body>${cells.join('\n')}</body></html>`;
}

/** A <div>-wrapped document for a PDF header or footer template (Chromium fills in its classes). */
const templatePage = (template: string) => `<!doctype html><html><head><meta charset="utf-8"></head><body>${template}</body></html>`;

type Outcome = { where: string; inspection: Inspection; expected: FieldCode[]; indexes: number[] };

describe.skipIf(!chrome)(`XSS: every vector in every field, in a browser with JavaScript on${chrome ? '' : ' (skipped: no Chromium)'}`, () => {
  let browser: Browser;
  const outcomes: Outcome[] = [];
  const totals = { vectors: VECTORS.length, pages: 0, pairs: 0, printed: 0, blocked: 0 };

  beforeAll(async () => {
    browser = await puppeteer.launch({ executablePath: chrome, headless: true, args: [...BROWSER_ARGS] });
  });
  afterAll(async () => {
    await browser?.close();
    // the measured numbers for docs/reliability.md
    console.log(timings.join('\n'));
    console.log(`xss: ${totals.vectors} vectors × ${Object.keys(FIELDS).length} fields (${totals.pairs} field-vector pairs found as text), ${totals.pages} pages opened; ${totals.printed} PDF printed, ${totals.blocked} requests blocked while printing`);
  });

  const size = Math.ceil(VECTORS.length / BATCHES);
  for (let b = 0; b < BATCHES; b++) {
    it(`batch ${b + 1} of ${BATCHES}: HTML, preview, PDF and notebook`, { timeout: 120_000 }, async () => {
      const { dir, indexes } = xssProject(VECTORS.slice(b * size, (b + 1) * size), b * size);
      const pages = mkdtempSync(join(tmpdir(), 'cxreport-xss-pages-'));
      const all = Object.keys(FIELDS) as FieldCode[];

      // static HTML: as written, and without its Content-Security-Policy
      const built = await timed('build', () => build({ configPath: join(dir, 'cxreport.yaml'), env: {} }));
      expect(built.model.sections.filter((s) => s.type === 'error')).toEqual([]);
      const csp = /<meta http-equiv="Content-Security-Policy"[^>]*>/;
      expect(built.html).toMatch(csp);
      outcomes.push({ where: 'static HTML', inspection: await inspect(browser, fileUrl(pages, 'report.html', built.html)), expected: all, indexes });
      outcomes.push({ where: 'static HTML without CSP', inspection: await inspect(browser, fileUrl(pages, 'report-nocsp.html', built.html.replace(csp, ''))), expected: all, indexes });

      // notebook outputs
      const notebook = await timed('notebook', () => renderNotebook(built.model, built.config));
      const inNotebook = all.filter((f) => !['ST', 'AU', 'CO'].includes(f)); // the subtitle, author and confidentiality belong to the cover, which a notebook has not
      outcomes.push({ where: 'notebook', inspection: await inspect(browser, fileUrl(pages, 'notebook.html', notebookPage(notebook))), expected: inNotebook, indexes });

      // the pages the PDF printer loads (its JavaScript is off; here it is on, and there is no CSP)
      const pdfOptions = built.config.outputs.pdf;
      // (the body printed is the static HTML's markup with page numbers in the table of contents
      // and @page rules: it is checked above; the cover and the margins are the printer's own)
      const printed = [
        await renderHtml(built.model, { cover: true, toc: false, body: false, pageCss: pageCss(pdfOptions) }),
        templatePage(Object.values(headerFooter(built.model, pdfOptions)).join('\n')),
      ];
      for (const [i, html] of printed.entries()) {
        outcomes.push({ where: `PDF page ${i + 1} of ${printed.length}`, inspection: await inspect(browser, fileUrl(pages, `pdf-${i}.html`, html.replace(csp, ''))), expected: [], indexes });
      }
      const printedText = outcomes.slice(-printed.length).map((o) => o.inspection.text).join('\n');
      outcomes.push({ where: 'PDF pages together', inspection: { dialogs: [], requests: [], effects: undefined, violations: [], live: [], navigated: null, text: printedText }, expected: ['TI', 'ST', 'AU', 'OR', 'CO'], indexes });

      // the preview, as served and without its CSP and reload script
      const preview = await timed('start preview', () => startPreview({ configPath: 'cxreport.yaml', env: {}, cwd: dir, port: 0 }));
      try {
        const origin = new URL(preview.url).origin;
        const script = /<script>([\s\S]*?)<\/script>/.exec(PREVIEW_HEAD)![1];
        outcomes.push({ where: 'preview', inspection: await inspect(browser, preview.url, { script, allow: (u) => u === `${origin}/events` }), expected: all, indexes });
        const served = preview.session.html;
        expect(served).toContain(PREVIEW_HEAD);
        outcomes.push({ where: 'preview without CSP', inspection: await inspect(browser, fileUrl(pages, 'preview.html', served.replace(PREVIEW_HEAD, ''))), expected: all, indexes });
      } finally {
        await timed('close preview', () => preview.close());
      }

      for (const { where, inspection, expected } of outcomes.filter((o) => o.indexes === indexes)) {
        expect(inspection.dialogs, where).toEqual([]);
        expect(inspection.effects, where).toBeUndefined();
        expect(inspection.requests, where).toEqual([]);
        expect(inspection.violations, where).toEqual([]);
        expect(inspection.live, where).toEqual([]);
        expect(inspection.navigated, where).toBeNull();
        const missing = expected.flatMap((f) => (SAMPLED.includes(f) ? [] : indexes).map((i) => tagOf(f, i))).filter((tag) => !inspection.text.includes(tag));
        expect(missing, `${where}: (field, vector) pairs that never reached the page`).toEqual([]);
        for (const f of expected.filter((f) => SAMPLED.includes(f))) expect(indexes.some((i) => inspection.text.includes(tagOf(f, i))), `${where}: no vector of ${f}`).toBe(true);
        if (where !== 'PDF pages together') totals.pages++;
        if (where === 'static HTML') totals.pairs += expected.flatMap((f) => indexes.map((i) => tagOf(f, i))).filter((tag) => inspection.text.includes(tag)).length;
      }
    });
  }

  it('a real print with every vector in the cover, running header and footer, a Markdown section and a table: nothing to block, the vectors are text', { timeout: 120_000 }, async () => {
    const dir = xssPrintProject(VECTORS);
    const built = await build({ configPath: join(dir, 'cxreport.yaml'), env: {} });
    const start = performance.now();
    const printer = new (PdfPrinter as unknown as new (b: Browser) => PdfPrinter)(browser);
    const pdf = await printer.print(built.model, built.config);
    timings.push(`real print ${Math.round(performance.now() - start)} ms`);
    totals.printed++;
    totals.blocked += printer.stats.blockedRequests.length;
    expect(printer.stats.blockedRequests).toEqual([]);
    const text = spawnSync('pdftotext', ['-', '-'], { input: pdf, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (text.status === 0) {
      // the first vectors' tags as printed text (the Markdown section, the channel table, the cover)
      for (const code of ['MK', 'CH', 'TI'] as FieldCode[]) expect(text.stdout).toContain(tagOf(code, 0));
      expect(text.stdout).toContain('<script>');
    }
  });

  it('a vector that is not a valid template in analyst Markdown is a located config error (exit 1), never a crash', async () => {
    const broken = VECTORS.filter((v) => v.includes('{{')).filter((v) => !['{{{report.title}}}', '{{#each this}}<img src=x onerror=alert(1)>{{/each}}'].includes(v));
    expect(broken.length).toBeGreaterThan(0);
    for (const vector of broken) {
      const dir = surveyProject(SURVEY_CONFIG.replace('sections:\n', `sections:\n  - { type: markdown, title: Vectors, text: ${JSON.stringify(vector)} }\n`));
      let stderr = '';
      const code = await main(['validate', 'cxreport.yaml'], { stdout: () => undefined, stderr: (t) => void (stderr += t), env: {}, cwd: dir });
      expect(stderr, vector).toMatch(/cxreport\.yaml:\d+:\d+: config error: section 1: cannot interpolate the markdown/);
      expect(stderr).not.toMatch(/^\s+at /m);
      expect(code, vector).toBe(1);
    }
  });
});
