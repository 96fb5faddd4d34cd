/**
 * The printed PDF, end to end: real Chromium prints it, poppler-utils (pdfinfo, pdftotext,
 * pdffonts) read it back. Every build goes into a fresh temp folder; small self-contained
 * projects are written by test/pdf-fixtures.ts. Skipped, with the reason, where no browser or no
 * poppler is installed.
 */
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CxError } from '../src/kernel/errors.js';
import { load, modelFor } from '../src/app/pipeline.js';
import { findBrowser, launchBrowser } from '../src/render/browser.js';
import { PdfPrinter } from '../src/render/pdf.js';
import { setDiskCache, writeEntry } from '../src/kernel/disk-cache.js';
import { readOutline, type OutlineEntry } from '../src/render/pdf-document.js';
import {
  chartsOf,
  pageTexts,
  pdfFonts,
  pdfInfo,
  pdfSkipReason,
  pdfText,
  repoRoot,
  runCli,
  runMain,
  squash,
  surveyConfig,
  surveyRows,
  tempDir,
  testEnv,
  tocTitlesOf,
  writeProject,
  type Project,
  type RunResult,
} from './pdf-fixtures.js';

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const norm = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Temp folders made by this file, removed at the end. */
const temps: string[] = [];
async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(`cxreport-pdf-${prefix}-`);
  temps.push(dir);
  return dir;
}
async function project(spec: Parameters<typeof writeProject>[0]): Promise<Project> {
  return writeProject(spec, await scratch('project'));
}
afterAll(async () => {
  await Promise.all(temps.map((d) => rm(d, { recursive: true, force: true })));
});

/** A build's outputs, read back. */
interface Built {
  run: RunResult;
  out: string;
  pdf: string;
  info: Record<string, string>;
  pages: string[];
  html: string;
}

async function readBuild(run: RunResult, out: string): Promise<Built> {
  expect(run.code, `build failed:\n${run.stderr}`).toBe(0);
  const pdf = join(out, 'report.pdf');
  return { run, out, pdf, info: pdfInfo(pdf), pages: pageTexts(pdf), html: await readFile(join(out, 'report.html'), 'utf8') };
}

/** Builds a project in-process into a fresh folder. */
async function buildProject(p: Project, env: Record<string, string | undefined> = testEnv()): Promise<Built> {
  const out = await scratch('out');
  return readBuild(await runMain(['build', p.configPath, '--out', out, '-q'], { cwd: p.dir, env }), out);
}

/** "Page X of Y" of a page's running footer, or null. */
function footerOf(page: string): { page: number; of: number } | null {
  const m = /Page (\d+) of (\d+)\s*$/.exec(page.trimEnd());
  return m ? { page: Number(m[1]), of: Number(m[2]) } : null;
}

// 2026-11-01T00:00:00Z: after the fixtures' last response (October 2026), so it is told apart from the data-date fallback.
const EPOCH = '1793491200';

describe('findBrowser without a browser', () => {
  it('throws a CxError whose hint says how to install Chromium', () => {
    let error: unknown;
    try {
      findBrowser({}, ['/nonexistent/a', '/nonexistent/b']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CxError);
    expect((error as CxError).kind).toBe('render');
    expect((error as CxError).message).toContain('CXREPORT_CHROME');
    expect((error as CxError).hint).toContain('apt-get install -y chromium');
  });
});

describe.skipIf(pdfSkipReason !== null)(`PDF output, printed by Chromium and read back with poppler${pdfSkipReason ? ` (skipped: ${pdfSkipReason})` : ''}`, () => {
  // -------------------------------------------------------------------------------------------
  describe('flagship report (cxreport.yaml, SOURCE_DATE_EPOCH unset)', () => {
    let b: Built;
    let metrics: { generated: string; metrics: Record<string, { value: number; n: number }> };
    let outline: OutlineEntry[];

    beforeAll(async () => {
      const out = await scratch('flagship');
      const run = await runCli(['build', 'cxreport.yaml', '--out', out], { cwd: repoRoot, env: testEnv() });
      b = await readBuild(run, out);
      metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
      outline = await readOutline(await readFile(b.pdf));
    });

    it('exits 0 and writes report.pdf, report.html and metrics.json', () => {
      expect(b.run.code).toBe(0);
      for (const f of ['report.pdf', 'report.html', 'metrics.json']) expect(existsSync(join(b.out, f)), f).toBe(true);
    });

    it('has a cover plus body pages numbered physically (Page X of Y on every body page, X = PDF page)', () => {
      const n = Number(b.info.Pages);
      expect(n).toBeGreaterThanOrEqual(20);
      expect(n).toBeLessThanOrEqual(45);
      expect(footerOf(b.pages[0])).toBeNull(); // the cover carries no running footer
      const footers = b.pages.map(footerOf).filter((f) => f !== null);
      expect(n).toBe(footers.length + 1);
      // the cover counts: the second of n physical pages says "Page 2 of n"
      footers.forEach((f, i) => expect(f).toEqual({ page: i + 2, of: n }));
    });

    it('carries the document metadata', () => {
      expect(b.info.Title).toBe('Customer Experience Report — October 2026');
      expect(b.info.Author).toBe('Customer Insights team');
      expect(b.info.Subject).toContain('October 2026');
      expect(b.info.Creator).toBe('cxreport');
      expect(b.info.Tagged).toBe('yes');
      expect(b.info['Page size']).toMatch(/^595\.92 x 841\.92 pts/);
    });

    it("is dated by the data's last timestamp in the period (2026-10-31) when SOURCE_DATE_EPOCH is unset", () => {
      // the latest timestamp any metric's data reaches up to the end of October 2026 (the MRR
      // snapshot of October stands for the whole month, so the stamp is the month's last instant)
      expect(metrics.generated).toBe('2026-10-31T23:59:59.999Z');
      expect(b.info.CreationDate.slice(0, 10)).toBe('2026-10-31');
      expect(b.info.ModDate).toBe(b.info.CreationDate);
    });

    it('has outline entries for the section headings, in page order', () => {
      // matched like the product's tocPages: exact, or ending with the title (the case-study heading
      // carries its "Case study" kicker in front)
      const want = ['Executive summary', 'NPS trend', 'CSAT by Channel', 'EMEA onboarding programme', 'Methods appendix'];
      const found = want.map((title) => {
        const entry = outline.find((o) => o.depth === 0 && (norm(o.title) === title || norm(o.title).endsWith(title)));
        expect(entry, `outline entry "${title}" in ${JSON.stringify(outline.map((o) => o.title))}`).toBeDefined();
        return entry!;
      });
      for (const e of found) expect(e.page).toBeGreaterThan(0); // never the cover, never unresolved (-1)
      const pages = found.map((e) => e.page);
      expect(pages).toEqual([...pages].sort((x, y) => x - y));
      expect(new Set(pages).size).toBeGreaterThan(1);
    });

    // Bookmarks are built from the report model (Chromium's own outline repeats a heading's text
    // when a page break moves it, and takes in inline labels), so they read like the contents.
    it('has outline bookmarks that read exactly like the table of contents, after Cover and Contents', () => {
      const top = outline.filter((o) => o.depth === 0).map((o) => o.title);
      expect(top.slice(0, 2)).toEqual(['Cover', 'Contents']);
      expect(top.slice(2)).toEqual(tocTitlesOf(b.html));
      expect(outline.find((o) => o.title === 'Cover')!.page).toBe(0);
    });

    it('numbers the table of contents with the pages the sections really start on', () => {
      const contents = b.pages[1];
      expect(contents).toMatch(/^\s*Contents\s*$/m);
      const physical = b.pages.length;
      const titles = tocTitlesOf(b.html);
      expect(titles.length).toBeGreaterThanOrEqual(8);
      let previous = 0;
      for (const title of titles) {
        const line = new RegExp(`^\\s*${escapeRegExp(title)}\\s+(\\d+)\\s*$`, 'm').exec(contents);
        expect(line, `contents line for "${title}"`).not.toBeNull();
        const n = Number(line![1]);
        expect(n).toBeGreaterThanOrEqual(previous);
        expect(n).toBeLessThanOrEqual(physical);
        previous = n;
        // page numbers are physical (the cover is page 1): "page N" is PDF page N (index N − 1)
        const page = b.pages[n - 1];
        expect(footerOf(page), `footer of PDF page ${n}`).toEqual({ page: n, of: physical });
        const headingLine = page.split('\n').some((l) => l.trim().startsWith(title));
        expect(headingLine, `"${title}" (contents: page ${n}) starts a line on PDF page ${n}:\n${page}`).toBe(true);
        // and the outline agrees (0-based PDF page index N − 1)
        const entry = outline.find((o) => o.depth === 0 && norm(o.title).endsWith(title));
        expect(entry?.page, `outline page of "${title}"`).toBe(n - 1);
      }
    });

    it('shows the KPI values of metrics.json, formatted as in the report, on the executive summary page', () => {
      const signed1 = (v: number) => `${v < 0 ? '−' : '+'}${Math.abs(v).toFixed(1)}`;
      const page = b.pages[2];
      expect(page).toMatch(/^\s*Executive summary\s*$/m);
      const { nps, csat, ces } = metrics.metrics;
      const expected = [signed1(nps.value), `${csat.value.toFixed(1)}%`, ces.value.toFixed(2), `n = ${nps.n.toLocaleString('en-US')}`];
      expect(expected.slice(0, 3)).toEqual(['+29.1', '73.1%', '5.20']); // today's flagship values
      for (const text of expected) expect(page, text).toContain(text);
    });

    it('never cuts a figure: each chart title shares its page with the start of its caption', () => {
      const charts = chartsOf(b.html);
      expect(charts.length).toBe((b.html.match(/<figure class="chart/g) ?? []).length);
      expect(charts.length).toBeGreaterThanOrEqual(6);
      const squashed = b.pages.map(squash);
      for (const chart of charts) {
        expect(chart.title).not.toBe('');
        expect(chart.caption.length).toBeGreaterThan(40);
        const title = squash(chart.title);
        const caption = squash(chart.caption.slice(0, 40));
        const onPages = squashed.flatMap((p, i) => (p.includes(title) ? [i + 1] : []));
        expect(onPages.length, `pages with chart title "${chart.title}"`).toBeGreaterThan(0);
        for (const n of onPages) expect(squashed[n - 1].includes(caption), `caption "${chart.caption.slice(0, 40)}…" on page ${n} with its title "${chart.title}"`).toBe(true);
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('a breakdown table longer than a page (90 stores)', () => {
    const stores = Array.from({ length: 90 }, (_, i) => `S${String(i + 1).padStart(3, '0')}`);
    let b: Built;

    beforeAll(async () => {
      const p = await project({
        rows: surveyRows({ months: ['2026-09', '2026-10'], groups: { column: 'store', values: stores, perGroup: 3 } }),
        config: surveyConfig({ sections: [{ type: 'breakdown', metric: 'nps', by: 'store' }] }),
      });
      b = await buildProject(p);
    });

    const isHeader = (line: string) => /\bstore\b/.test(line) && line.includes('95% CI') && line.includes('Change vs September 2026');
    /** table rows (not chart labels): "S012 n < 5   −33.3   −100.0 to +73.4   3   +33.3 pts   no" */
    const rowsOf = (page: string) => page.split('\n').flatMap((l) => /^\s*(S\d{3})\b.*\d to [−+±]?\d/.exec(l)?.[1] ?? []);

    it('repeats the header row on every page the table continues on', () => {
      const withRows = b.pages.map((p, i) => ({ i, rows: rowsOf(p), header: p.split('\n').some(isHeader) })).filter((p) => p.rows.length > 0);
      expect(withRows.length).toBeGreaterThanOrEqual(2);
      for (const p of withRows) expect(p.header, `header row on page ${p.i + 1}`).toBe(true);
      const consecutive = withRows.some((p, k) => k > 0 && p.i === withRows[k - 1].i + 1);
      expect(consecutive).toBe(true);
    });

    it('lists every group exactly once', () => {
      const all = b.pages.flatMap(rowsOf);
      expect([...all].sort()).toEqual(stores);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('a report in Chinese', () => {
    const title = '客户体验报告';
    const comments = ['客服响应很慢，等了两个小时。', '产品很好用，界面清晰。', '价格太贵了，希望能有折扣。'];
    let b: Built;
    let text: string;

    beforeAll(async () => {
      const p = await project({
        rows: surveyRows({ months: ['2026-09', '2026-10'], perMonth: 9, comment: (i) => comments[i % comments.length] }),
        config: surveyConfig({
          report: { title, organisation: '示例公司' },
          sections: [{ type: 'kpis', metrics: ['nps'] }, { type: 'verbatims', title: '客户原话', metric: 'nps', text: 'comment', limit: 9 }],
        }),
      });
      b = await buildProject(p);
      text = pdfText(b.pdf);
    });

    it('keeps the title and comments as extractable text', () => {
      expect(b.info.Title).toBe(`${title} — October 2026`);
      expect(text).toContain(title);
      expect(text).toContain('客户原话');
      for (const c of comments) expect(text).toContain(c);
    });

    it('embeds every font, including the glyphs for the Chinese text', () => {
      const fonts = pdfFonts(b.pdf);
      expect(fonts.length).toBeGreaterThan(0);
      for (const f of fonts) expect(f.embedded, `font ${f.name} (${f.type}) embedded`).toBe(true);
      // Chromium (Skia) writes CFF-flavoured OpenType — such as Debian's fonts-noto-cjk .ttc — as
      // Type 3 glyph procedures; the printer therefore gives the page Noto Sans SC with TrueType
      // outlines (src/render/cjk-font.ts), embedded as CID TrueType subsets: no Type 3 at all. That
      // the glyphs are the right ones is shown by the exact text extraction above.
      expect(fonts.some((f) => /NotoSansSC/.test(f.name) && f.type === 'CID TrueType'), JSON.stringify(fonts)).toBe(true);
      expect(fonts.filter((f) => f.type === 'Type 3')).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('hostile comments', () => {
    let server: Server;
    const requests: string[] = [];
    let connections = 0;
    let hostile: string[];
    let p: Project;
    let b: Built;

    beforeAll(async () => {
      server = createServer((req, res) => {
        requests.push(`${req.method} ${req.url}`);
        res.end('gotcha');
      });
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as AddressInfo).port;
      hostile = [
        `<img src=http://127.0.0.1:${port}/x>`,
        `<script>document.title='pwned'</script>`,
        `<a href="http://127.0.0.1:${port}/y">link</a>`,
        `<link rel="stylesheet" href="http://127.0.0.1:${port}/css"><iframe src="http://127.0.0.1:${port}/frame"></iframe>`,
      ];
      p = await project({
        rows: surveyRows({ months: ['2026-09', '2026-10'], perMonth: 10, comment: (i, month) => (month === '2026-10' ? (hostile[i] ?? '') : '') }),
        config: surveyConfig({ sections: [{ type: 'verbatims', title: 'What customers wrote', metric: 'nps', text: 'comment', limit: 10 }] }),
      });
      b = await buildProject(p);
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('makes no network request while printing', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(requests).toEqual([]);
      expect(connections).toBe(0);
    });

    it('prints the comments as literal text', () => {
      const text = squash(pdfText(b.pdf));
      for (const c of hostile) expect(text, c).toContain(squash(c));
    });

    it('escapes them in report.html', () => {
      expect(b.html).toContain('&lt;script&gt;');
      expect(b.html).not.toMatch(/<script/i);
      expect(b.html).toContain('&lt;img src');
      expect(b.html).not.toMatch(/<[^>]*127\.0\.0\.1/); // no live tag points at the server
    });

    it('keeps the document title', () => {
      expect(b.info.Title).toBe('Test Report — October 2026');
      expect(b.info.Title).not.toContain('pwned');
    });

    it('gives PdfPrinter nothing to block: no request is even attempted', async () => {
      const env = testEnv();
      const loaded = await load({ configPath: p.configPath, env, cwd: p.dir });
      const { model } = modelFor(loaded);
      const printer = await PdfPrinter.launch(env);
      let bytes: Uint8Array;
      try {
        bytes = await printer.print(model, loaded.config);
      } finally {
        await printer.close();
      }
      expect(printer.stats.blockedRequests).toEqual([]);
      expect(printer.stats.passes).toBeGreaterThanOrEqual(2); // body (printed again with page numbers) and cover
      const file = join(await scratch('printer'), 'report.pdf');
      await writeFile(file, bytes);
      expect(squash(pdfText(file))).toContain(squash(`<script>document.title='pwned'</script>`));
      expect(requests).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('the browser it launches', () => {
    it('loads no browser WebUI besides the page it prints (the omnibox popup cost 1.4–1.9 s of CPU after launch), also when launched again in one process', async () => {
      // (puppeteer takes the --disable-features flag out of the array it is given: the second
      // launch of a process had lost it, until each launch got a copy)
      for (const launch of [1, 2]) {
        const browser = await launchBrowser(process.env);
        try {
          // long enough for a preloaded WebUI to have appeared (it did within a second, before the flag)
          await new Promise((resolve) => setTimeout(resolve, 1500));
          const session = await browser.target().createCDPSession();
          const { targetInfos } = (await session.send('Target.getTargets')) as { targetInfos: { type: string; url: string }[] };
          expect(targetInfos.filter((t) => t.url.startsWith('chrome://')).map((t) => `${t.type} ${t.url}`), `launch ${launch}`).toEqual([]);
          expect(targetInfos.some((t) => t.type === 'page')).toBe(true);
        } finally {
          await browser.close();
        }
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('without a browser', () => {
    let run: RunResult;
    let out: string;

    beforeAll(async () => {
      const p = await project({ rows: surveyRows({ months: ['2026-09', '2026-10'], perMonth: 10 }), config: surveyConfig({ sections: [{ type: 'kpis', metrics: ['nps', 'csat'] }] }) });
      out = await scratch('nobrowser');
      run = await runCli(['build', p.configPath, '--out', out], { cwd: p.dir, env: testEnv({ CXREPORT_CHROME: '/nonexistent/chrome' }) });
    });

    it('exits 1 with a message that says how to get a browser, and no stack trace', () => {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('CXREPORT_CHROME');
      expect(run.stderr).toContain('/nonexistent/chrome');
      expect(run.stderr).toContain('apt-get install -y chromium');
      expect(run.stderr).not.toMatch(/^\s{4}at /m);
    });

    it('writes nothing (a build is all or nothing, issue 15): no half set, no temporary file', async () => {
      expect(existsSync(join(out, 'report.html'))).toBe(false);
      expect(existsSync(join(out, 'metrics.json'))).toBe(false);
      expect(existsSync(join(out, 'report.pdf'))).toBe(false);
      expect(existsSync(out) ? (await readdir(out)).filter((f) => f.endsWith('.tmp')) : []).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('determinism (SOURCE_DATE_EPOCH)', () => {
    let first: Built;
    let second: Built;

    beforeAll(async () => {
      const p = await project({
        rows: surveyRows({ months: ['2026-07', '2026-08', '2026-09', '2026-10'], perMonth: 30, comment: (i) => (i % 4 === 0 ? `Comment number ${i}` : '') }),
        config: surveyConfig({
          sections: [
            { type: 'kpis', metrics: ['nps', 'csat', 'ces'] },
            { type: 'trend', metric: 'nps', periods: 4 },
            { type: 'distribution', metric: 'nps' },
            { type: 'verbatims', metric: 'nps', text: 'comment', limit: 4 },
          ],
        }),
      });
      const env = testEnv({ SOURCE_DATE_EPOCH: EPOCH });
      [first, second] = await Promise.all([buildProject(p, env), buildProject(p, env)]);
    });

    it('gives byte-identical HTML, identical PDF text and the same page count', async () => {
      expect(await readFile(join(second.out, 'report.html'))).toEqual(await readFile(join(first.out, 'report.html')));
      expect(pdfText(second.pdf, true)).toBe(pdfText(first.pdf, true));
      expect(second.info.Pages).toBe(first.info.Pages);
    });

    it('gives byte-identical PDFs', async () => {
      const [a, b] = [await readFile(first.pdf), await readFile(second.pdf)];
      // on a difference, show where: the bytes around the first one that differs
      let at = 0;
      while (at < a.length && at < b.length && a[at] === b[at]) at++;
      const around = (x: Buffer) => x.subarray(Math.max(0, at - 120), at + 120).toString('latin1');
      expect(Buffer.compare(a, b) === 0 ? '' : `first difference at byte ${at} of ${a.length}/${b.length}:\n${around(a)}\n---\n${around(b)}`).toBe('');
    });

    it('names the structure elements 1, 2, … whatever numbers the browser gave their DOM nodes', async () => {
      const ids = [...(await readFile(first.pdf)).toString('latin1').matchAll(/\/Type \/StructElem[^]*?\/ID \(node(\d+)\)/g)].map((m) => Number(m[1]));
      expect(ids.length).toBeGreaterThan(10);
      expect(new Set(ids).size).toBe(ids.length);
      expect(Math.min(...ids)).toBe(1);
      expect(Math.max(...ids)).toBe(ids.length);
    });

    it('dates the PDF by SOURCE_DATE_EPOCH', () => {
      const iso = new Date(Number(EPOCH) * 1000).toISOString().replace(/\.000Z$/, 'Z');
      expect(iso).toBe('2026-11-01T00:00:00Z');
      expect(first.info.CreationDate).toBe(iso);
      expect(first.info.ModDate).toBe(iso);
      expect(norm(first.pages[0])).toContain('Generated 1 November 2026');
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('page numbers remembered across builds (kernel/disk-cache.ts)', () => {
    it('a second print prints the body once with the remembered numbers, same bytes; wrong remembered numbers are caught by the outline', async () => {
      const dir = await scratch('cache');
      setDiskCache(dir);
      const p = await project({
        rows: surveyRows({ months: ['2026-07', '2026-08', '2026-09', '2026-10'], perMonth: 30 }),
        config: surveyConfig({ sections: [{ type: 'kpis', metrics: ['nps', 'csat', 'ces'] }, { type: 'trend', metric: 'nps', periods: 4 }, { type: 'distribution', metric: 'nps' }] }),
      });
      const env = testEnv({ SOURCE_DATE_EPOCH: EPOCH });
      const loaded = await load({ configPath: p.configPath, env, cwd: p.dir });
      const { model } = modelFor(loaded);
      expect(loaded.config.outputs.pdf.toc).toBe(true);
      const printer = await PdfPrinter.launch(env);
      try {
        const cold = await printer.print(model, loaded.config);
        // body, body again with its page numbers, cover
        expect(printer.stats.passes).toBe(3);
        const folder = join(dir, 'pdf-pages', (await readdir(join(dir, 'pdf-pages')))[0]);
        const [entry] = await readdir(folder);
        const remembered = JSON.parse((await readFile(join(folder, entry))).subarray(32).toString('utf8')) as Record<string, number>;
        expect(Object.keys(remembered).length).toBeGreaterThan(0);
        const warm = await printer.print(model, loaded.config);
        expect(printer.stats.passes).toBe(5);
        expect(Buffer.compare(Buffer.from(warm), Buffer.from(cold))).toBe(0);
        // remembered numbers that are wrong: that print is thrown away, the body printed twice as without them
        const wrong = Object.fromEntries(Object.keys(remembered).map((k) => [k, remembered[k] + 1]));
        writeEntry('pdf-pages', basename(folder), entry.replace(/\.bin$/, ''), Buffer.from(JSON.stringify(wrong)));
        const caught = await printer.print(model, loaded.config);
        expect(printer.stats.passes).toBe(9);
        expect(Buffer.compare(Buffer.from(caught), Buffer.from(cold))).toBe(0);
      } finally {
        await printer.close();
        setDiskCache(undefined);
      }
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('page size from the config', () => {
    it('prints on US Letter when outputs.pdf.format is Letter', async () => {
      const p = await project({
        rows: surveyRows({ months: ['2026-09', '2026-10'], perMonth: 10 }),
        config: surveyConfig({ sections: [{ type: 'kpis', metrics: ['nps'] }], outputs: { pdf: { format: 'Letter' } } }),
      });
      const b = await buildProject(p);
      expect(b.info['Page size']).toMatch(/^612 x 792 pts/);
      const sizes = new Set(
        execFileSync('pdfinfo', ['-f', '1', '-l', b.info.Pages, b.pdf], { encoding: 'utf8' })
          .split('\n')
          .filter((l) => /^Page\s+\d+ size:/.test(l))
          .map((l) => l.replace(/^Page\s+\d+ size:\s*/, '').trim()),
      );
      expect([...sizes]).toEqual(['612 x 792 pts (letter)']); // the cover too
    });
  });

  // -------------------------------------------------------------------------------------------
  describe('atomic write', () => {
    let p: Project;
    let out: string;
    let before: Record<string, Buffer>;
    const names = ['report.pdf', 'report.html', 'metrics.json'];

    const snapshot = async () => Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(out, n))] as const)));
    const tmpFiles = async () => (await readdir(out)).filter((f) => f.endsWith('.tmp'));

    beforeAll(async () => {
      p = await project({ rows: surveyRows({ months: ['2026-09', '2026-10'], perMonth: 10 }), config: surveyConfig({ sections: [{ type: 'kpis', metrics: ['nps', 'ces'] }] }) });
      out = await scratch('atomic');
      const ok = await runMain(['build', p.configPath, '--out', out, '-q'], { cwd: p.dir, env: testEnv() });
      expect(ok.code, ok.stderr).toBe(0);
      before = await snapshot();
      expect(await tmpFiles()).toEqual([]);
    });

    it('keeps the previous report when the next build cannot read its data', async () => {
      const text = await readFile(p.configPath, 'utf8');
      const broken = join(p.dir, 'broken.yaml');
      await writeFile(broken, text.replace('data/responses.csv', 'data/missing.csv'));
      const run = await runMain(['build', broken, '--out', out], { cwd: p.dir, env: testEnv() });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('missing.csv');
      expect(await snapshot()).toEqual(before);
      expect(await tmpFiles()).toEqual([]);
    });

    it('keeps the previous report when printing fails halfway through the build', async () => {
      const text = await readFile(p.configPath, 'utf8');
      const slow = join(p.dir, 'timeout.yaml');
      // the same data and sections, but a print timeout no browser can meet
      await writeFile(slow, `${text.replace(/^outputs:.*$/m, '')}\noutputs:\n  pdf:\n    timeout: 0.001\n`);
      const run = await runMain(['build', slow, '--out', out], { cwd: p.dir, env: testEnv() });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/render error: printing the PDF/);
      expect(await snapshot()).toEqual(before);
      expect(await tmpFiles()).toEqual([]);
    });
  });
});
