/**
 * `cxreport dev` in a real headless Chromium: the page updates on save; a failing section shows
 * its error in place while the rest stays visible; the rebuild does only what the change needs.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_ARGS, BROWSER_PATHS } from '../src/render/browser.js';
import { startPreview, type Preview } from '../src/preview/server.js';
import { surveyProject } from './project.js';

const chrome = process.env.CXREPORT_CHROME || BROWSER_PATHS.find((p) => existsSync(p));

describe.skipIf(!chrome)(`cxreport dev in a browser${chrome ? '' : ' (skipped: no Chromium found; apt-get install -y chromium)'}`, () => {
  let dir: string;
  let preview: Preview;
  let browser: Browser;
  let page: Page;
  const config = () => join(dir, 'cxreport.yaml');
  const edit = (from: string, to: string) => writeFileSync(config(), readFileSync(config(), 'utf8').replace(from, to));
  const text = () => page.evaluate(() => document.body.innerText);
  const waitForText = (needle: string, present = true) =>
    page.waitForFunction((n: string, p: boolean) => document.body.innerText.includes(n) === p, { timeout: 20_000, polling: 100 }, needle, present);

  beforeAll(async () => {
    dir = surveyProject();
    preview = await startPreview({ configPath: 'cxreport.yaml', env: {}, cwd: dir, port: 0 });
    browser = await puppeteer.launch({ executablePath: chrome, headless: true, args: [...BROWSER_ARGS] });
    page = await browser.newPage();
    await page.goto(preview.url, { waitUntil: 'load' });
  });

  afterAll(async () => {
    await browser?.close();
    await preview?.close();
  });

  it('serves the report on 127.0.0.1 with one cell per section and its YAML behind a toggle', async () => {
    expect(preview.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(await text()).toContain('Test report');
    expect(await page.$$eval('.cell', (cells) => cells.length)).toBe(8);
    const yaml = await page.$eval('#cell-2 .cell-yaml pre', (el) => el.textContent);
    expect(yaml).toBe('{ type: breakdown, metric: csat, by: channel }');
    expect(await page.$eval('#cell-2 .cell-yaml', (el) => (el as HTMLDetailsElement).open)).toBe(false);
    await page.click('#cell-2 .cell-yaml summary');
    expect(await page.$eval('#cell-2 .cell-yaml', (el) => (el as HTMLDetailsElement).open)).toBe(true);
  });

  it('reloads the open page when the YAML is saved', async () => {
    edit('title: Test report', 'title: Edited report');
    await waitForText('Edited report');
    expect(preview.session.last).toMatchObject({ kind: 'full', ok: true });
  });

  it('shows a failing section’s error in its cell, keeps the rest, and recovers', async () => {
    edit('by: channel', 'by: chanel');
    await waitForText('did you mean `channel`?');
    const body = await text();
    expect(body).toContain('Executive summary');
    expect(body).toContain('NPS trend');
    expect(body).toMatch(/cxreport\.yaml:14:\d+/);
    expect(await page.$$eval('[data-section-type="error"]', (s) => s.length)).toBe(1);
    edit('by: chanel', 'by: channel');
    await waitForText('did you mean `channel`?', false);
    expect(await page.$$eval('[data-section-type="error"]', (s) => s.length)).toBe(0);
    expect(await text()).toContain('CSAT by channel');
  });

  it('a schema error inside one section is also shown in place', async () => {
    edit('{ type: distribution, metric: nps }', '{ type: distribution, metric: nps, colour: red }');
    await waitForText('unknown key "colour"');
    expect(await text()).toContain('Executive summary');
    edit('{ type: distribution, metric: nps, colour: red }', '{ type: distribution, metric: nps }');
    await waitForText('unknown key "colour"', false);
  });

  it('a YAML syntax error is shown above the last report that built, then clears', async () => {
    edit('report:\n', 'report:\n  title: [unclosed\n');
    await waitForText('YAML syntax');
    expect(await text()).toContain('Showing the last report that built');
    // the error is the first thing on the page, above the cover and the contents
    const [banner, cover] = await page.evaluate(() => ['.preview-banner', '#cover'].map((q) => document.querySelector(q)!.getBoundingClientRect().top));
    expect(banner).toBeLessThan(cover);
    expect(banner).toBeLessThan(100);
    expect(await text()).toContain('Executive summary');
    edit('report:\n  title: [unclosed\n', 'report:\n');
    await waitForText('YAML syntax', false);
  });

  it('a data change recomputes the metrics; a template change only re-renders', async () => {
    appendFileSync(join(dir, 'data', 'responses.csv'), '99,2026-10-28T10:00:00Z,chat,EMEA,10,5,7,Brilliant\n');
    await waitForText('n = 11');
    expect(preview.session.last.kind).toBe('data');
    mkdirSync(join(dir, 'templates'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'style.css'), 'h2 { letter-spacing: 0.2em; }');
    await page.waitForFunction(() => getComputedStyle(document.querySelector('h2')!).letterSpacing !== 'normal', { timeout: 20_000 });
    expect(preview.session.last.kind).toBe('render');
  });
});
