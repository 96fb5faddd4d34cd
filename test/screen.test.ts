/**
 * The HTML report on a screen, in a real headless Chromium, with no script and the strict CSP:
 * a layout that uses the window's width with a sticky contents sidebar on wide screens and one
 * column on a phone, native tooltips on chart marks (SVG <title> with value, interval and n), a
 * CSV download under every table (a data: link the CSP allows), dark mode from
 * prefers-color-scheme; and print (the PDF) untouched by any of it.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { BROWSER_ARGS, BROWSER_PATHS } from '../src/render/browser.js';
import { surveyProject } from './project.js';

const chrome = process.env.CXREPORT_CHROME || BROWSER_PATHS.find((p) => existsSync(p));

describe.skipIf(!chrome)(`the HTML report on screens${chrome ? '' : ' (skipped: no Chromium found)'}`, () => {
  let browser: Browser;
  let file: string;
  let html: string;

  beforeAll(async () => {
    const project = surveyProject();
    html = (await build({ configPath: join(project, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: project })).html;
    file = join(project, 'report.html');
    writeFileSync(file, html);
    browser = await puppeteer.launch({ executablePath: chrome, headless: true, args: [...BROWSER_ARGS] });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function open(width: number, scheme: 'light' | 'dark' = 'light', media: 'screen' | 'print' = 'screen'): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewport({ width, height: 900 });
    // the media type and the colour scheme in one call (puppeteer's two helpers each reset the other)
    const cdp = await page.createCDPSession();
    await cdp.send('Emulation.setEmulatedMedia', { media, features: [{ name: 'prefers-color-scheme', value: scheme }] });
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    return page;
  }

  it('keeps the strict CSP and runs no script', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:">`);
    expect(html).not.toMatch(/<script\b/i);
  });

  it('1440 px: a sticky contents sidebar beside a report that uses the width', async () => {
    const page = await open(1440);
    const box = (q: string) => page.$eval(q, (el) => JSON.parse(JSON.stringify(el.getBoundingClientRect())) as DOMRect);
    const toc = await box('#contents');
    const main = await box('main');
    expect(toc.right).toBeLessThanOrEqual(main.left);
    expect(main.width).toBeGreaterThan(1000);
    expect(await page.$eval('#contents', (el) => getComputedStyle(el).position)).toBe('sticky');
    await page.evaluate(() => window.scrollTo(0, 2500));
    expect((await box('#contents')).top).toBe(0);
    // a chart grows past its print width (600 px), up to where its text stays at reading size
    const chart = await page.$eval('.section-trend .chart-svg svg', (el) => el.getBoundingClientRect().width);
    expect(chart).toBeGreaterThan(700);
    await page.close();
  });

  it('390 px: one column, nothing wider than the phone but a chart that scrolls inside its figure', async () => {
    const page = await open(390);
    const [toc, main] = await page.evaluate(() => ['#contents', 'main'].map((q) => JSON.parse(JSON.stringify(document.querySelector(q)!.getBoundingClientRect())) as DOMRect));
    expect(toc.bottom).toBeLessThanOrEqual(main.top);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await page.$eval('.kpi-card', (el) => el.getBoundingClientRect().width)).toBeLessThan(200);
    await page.close();
  });

  it('dark mode follows prefers-color-scheme; charts keep a light panel', async () => {
    const colours = async (scheme: 'light' | 'dark') => {
      const page = await open(1440, scheme);
      const c = await page.evaluate(() => ({ page: getComputedStyle(document.body).backgroundColor, main: getComputedStyle(document.querySelector('main')!).backgroundColor, text: getComputedStyle(document.querySelector('main h2')!).color, td: getComputedStyle(document.querySelector('main tr:not(.muted) td')!).color, chart: getComputedStyle(document.querySelector('.chart-svg')!).backgroundColor }));
      await page.close();
      return c;
    };
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const light = await colours('light');
    const dark = await colours('dark');
    expect(luminance(light.main)).toBeGreaterThan(0.9);
    expect(luminance(light.text)).toBeLessThan(0.3);
    expect(luminance(dark.main)).toBeLessThan(0.15);
    expect(luminance(dark.page)).toBeLessThan(0.15);
    expect(luminance(dark.text)).toBeGreaterThan(0.8);
    expect(luminance(dark.td)).toBeGreaterThan(0.8);
    expect(luminance(dark.chart)).toBeGreaterThan(0.9);
  });

  it('every data mark has a native tooltip (SVG <title>) with its value, interval and n', async () => {
    const page = await open(1440);
    // data marks: points, bars, rules, text (a line or an area is one mark for many data: its points carry the tooltips)
    const marks = await page.$$eval(':is(.chart-svg, .kpi-spark) :is(path, line, rect, circle, text)[role="graphics-symbol"]', (els) =>
      els.map((el) => ({ kind: el.getAttribute('aria-roledescription'), title: el.querySelector(':scope > title')?.textContent ?? null, chart: el.closest('figure, .kpi-spark')?.id || el.closest('.kpi-card')?.id })),
    );
    const data = marks.filter((m) => !/^(line|area)( mark)?$/.test(m.kind ?? ''));
    expect(marks.filter((m) => /^(line|area)( mark)?$/.test(m.kind ?? '') && m.title)).toEqual([]);
    expect(data.length).toBeGreaterThan(20);
    expect(data.filter((m) => !m.title)).toEqual([]);
    const trend = data.filter((m) => m.chart?.startsWith('chart-trend')).map((m) => m.title);
    expect(trend).toContain('October 2026: +20.0 (95% CI −34.0 to +74.0, n = 10)');
    expect(trend).toContain('Target 25');
    const bars = data.filter((m) => m.chart?.startsWith('chart-breakdown')).map((m) => m.title);
    expect(bars).toContain('email: 100.0% (95% CI 56.6 to 100.0%, n = 5)');
    expect(bars).toContain('phone: 80.0% (95% CI 37.6 to 96.4%, n = 5)');
    expect(data.filter((m) => m.chart?.startsWith('chart-distribution')).map((m) => m.title)).toContain('9: 3 answers (30.0%), Promoters (9–10)');
    expect(data.filter((m) => m.chart === 'chart-case-study').map((m) => m.title)).toContain('EMEA · October 2026: +25.0 (95% CI −56.3 to +100.0, n = 4)');
    // the sparkline of each KPI card: one invisible point per period
    expect(data.filter((m) => m.chart?.startsWith('kpi-')).length).toBeGreaterThanOrEqual(3);
    // Chromium shows <title> as the tooltip: it is the element's accessible description/name source
    await page.close();
  });

  it('every table has a CSV download (data: link) that Chromium saves under the strict CSP', async () => {
    const page = await open(1440);
    const tables = await page.$$eval('main table.data-table', (els) =>
      els.map((t) => {
        const link = t.parentElement!.querySelector(':scope > .table-csv a, :scope ~ .table-csv a') as HTMLAnchorElement | null;
        return { header: [...t.querySelectorAll('thead th')].map((th) => th.textContent!.trim()), href: link?.getAttribute('href') ?? null, name: link?.getAttribute('download') ?? null };
      }),
    );
    expect(tables.length).toBeGreaterThanOrEqual(4);
    for (const t of tables) {
      expect(t.href, t.header.join()).toMatch(/^data:text\/csv;charset=utf-8,/);
      const csv = decodeURIComponent(t.href!.slice(t.href!.indexOf(',') + 1));
      expect(csv.replace(/^\ufeff/, '').split('\r\n')[0]).toBe(t.header.map((h) => (/[",]/.test(h) ? `"${h.replaceAll('"', '""')}"` : h)).join(','));
      expect(t.name).toMatch(/\.csv$/);
    }
    // a real download: the link saves the file, and nothing is refused by the CSP
    const downloads = mkdtempSync(join(tmpdir(), 'cxreport-csv-'));
    const cdp = await page.createCDPSession();
    await cdp.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    const refused: string[] = [];
    page.on('console', (m) => m.text().includes('Content Security Policy') && refused.push(m.text()));
    await page.click('.section-breakdown .table-csv a');
    let saved: string[] = [];
    for (let i = 0; i < 50 && !saved.some((f) => f.endsWith('.csv')); i++) {
      await new Promise((r) => setTimeout(r, 100));
      saved = readdirSync(downloads);
    }
    const name = saved.find((f) => f.endsWith('.csv'))!;
    expect(name).toMatch(/\.csv$/);
    const text = readFileSync(join(downloads, name), 'utf8');
    expect(text).toBe('\ufeffchannel,CSAT,95% CI,n,Change vs September 2026,Significant?\r\nemail,100.0%,56.6 to 100.0%,5,+75.0 pts,yes (p = 0.04)\r\nphone,80.0%,37.6 to 96.4%,5,+55.0 pts,no\r\n');
    expect(refused).toEqual([]);
    expect(page.url()).toBe(`file://${file}`);
    await page.close();
  });

  it('print is untouched: no sidebar, no CSV links, no dark colours, the print widths', async () => {
    const page = await open(1440, 'dark', 'print');
    const s = await page.evaluate(() => ({
      display: getComputedStyle(document.body).display,
      toc: getComputedStyle(document.querySelector('#contents')!).position,
      csv: getComputedStyle(document.querySelector('.table-csv')!).display,
      main: getComputedStyle(document.querySelector('main')!).backgroundColor,
      text: getComputedStyle(document.querySelector('main h2')!).color,
      font: getComputedStyle(document.documentElement).fontSize,
    }));
    expect(s).toEqual({ display: 'block', toc: 'static', csv: 'none', main: 'rgba(0, 0, 0, 0)', text: 'rgb(29, 38, 48)', font: '13.3333px' });
    await page.close();
  });
});
