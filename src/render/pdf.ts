/**
 * The stakeholder's PDF: the same HTML report, printed by a system Chromium with JavaScript off and
 * every network request blocked. The body is printed twice — first to learn on which page each
 * section lands (from the PDF outline), then with those page numbers in the table of contents —
 * and the cover, printed without running header/footer (in a tab of its own at the same time), is
 * put in front. The page numbers are kept on disk by the digest of the first pass's HTML
 * (kernel/disk-cache.ts): a build of the same report prints the body once with them, and only
 * keeps that print when its outline gives the same numbers.
 */
import type { Browser, Page } from 'puppeteer-core';
import type { Config } from '../config/load.js';
import { CxError } from '../kernel/errors.js';
import { asLocale, translator } from '../kernel/i18n.js';
import type { ReportModel } from '../report/model.js';
import { launchBrowser } from './browser.js';
import { fontResponse, inlineFontCss, withFonts } from './cjk-font.js';
import { renderHtml, renderSections } from './html.js';
// pdf-document.js (pdf-lib, about 0.2 s to load) is imported when a PDF is printed
import type { LoadedPdf, OutlineEntry } from './pdf-document.js';
import { cacheKey, readJson, writeEntry } from '../kernel/disk-cache.js';

type PdfConfig = Config['outputs']['pdf'];

/** @page rules from the config: size, orientation and margins; the cover has no margin. */
export function pageCss(pdf: PdfConfig): string {
  const m = pdf.margin;
  return `@page { size: ${pdf.format} ${pdf.landscape ? 'landscape' : 'portrait'}; margin: ${m.top} ${m.right} ${m.bottom} ${m.left}; }`;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Running header (title · period) and footer (page X of Y) drawn by Chromium in the margins. */
export function headerFooter(model: ReportModel, pdf: PdfConfig) {
  const t = translator(asLocale(model.lang));
  // the message is escaped, then Chromium's page-number elements go in for the placeholders
  const page = escapeHtml(t('pdf.page', { page: '\u0001', total: '\u0002' }))
    .replace('\u0001', '<span class="pageNumber"></span>')
    .replace('\u0002', '<span class="totalPages"></span>');
  const style = `font-family: 'Noto Sans', 'DejaVu Sans', 'Noto Sans CJK SC', Arial, sans-serif; font-size: 7.5pt; color: #6f7780; width: 100%; padding: 0 ${pdf.margin.right} 0 ${pdf.margin.left}; display: flex; justify-content: space-between;`;
  const headerHtml = `<div style="${style}"><span>${escapeHtml(model.title)}</span><span>${escapeHtml(model.period.label)}</span></div>`;
  const footerHtml = `<div style="${style}"><span>${escapeHtml(model.organisation ?? '')}${model.confidentiality ? ` · ${escapeHtml(model.confidentiality)}` : ''}</span><span>${page}</span></div>`;
  // the CJK font files of the header's and footer's characters go in inline (see withFonts in cjk-font.ts)
  const css = inlineFontCss(runningText(model));
  const inline = (html: string) => (css ? `<style>${css}</style>${html}` : html);
  return { headerTemplate: inline(headerHtml), footerTemplate: inline(footerHtml) };
}

/** The text of the running header and footer, whose CJK characters need their font files inline. */
export function runningText(model: ReportModel): string {
  const t = translator(asLocale(model.lang));
  return [model.title, model.period.label, model.organisation ?? '', model.confidentiality ?? '', t('pdf.page', { page: '', total: '' })].join(' ');
}

/** Page of each table-of-contents entry, matched in order against the outline's section headings. */
export function tocPages(toc: ReportModel['toc'], outline: OutlineEntry[]): Record<string, number> {
  const pages: Record<string, number> = {};
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  let from = 0;
  for (const entry of toc) {
    const want = norm(entry.title);
    const i = outline.findIndex((o, k) => k >= from && (norm(o.title) === want || norm(o.title).endsWith(want)));
    if (i >= 0) {
      pages[entry.id] = outline[i].page + 1;
      from = i + 1;
    }
  }
  return pages;
}

export interface PrintStats {
  /** requests the page attempted and that were blocked (should be zero for a self-contained report) */
  blockedRequests: string[];
  passes: number;
}

/** Page numbers kept from an earlier build (a map of section id to page), or undefined. */
function rememberedPages(version: string, key: string): Record<string, number> | undefined {
  const pages = readJson<unknown>('pdf-pages', version, key);
  // anything but a map of page numbers: the body is printed twice as without it
  return pages && typeof pages === 'object' && Object.values(pages).every((v) => Number.isInteger(v)) ? (pages as Record<string, number>) : undefined;
}

/** Prints reports with one browser; reuse it for many reports, then close it. */
export class PdfPrinter {
  readonly stats: PrintStats = { blockedRequests: [], passes: 0 };
  private constructor(private readonly browser: Browser) {}

  static async launch(env: Record<string, string | undefined>): Promise<PdfPrinter> {
    return new PdfPrinter(await launchBrowser(env));
  }

  /** The browser's version (what the remembered page numbers are kept under). */
  private async version(): Promise<string> {
    return cacheKey(await this.browser.version().catch(() => 'unknown')).slice(0, 24);
  }

  async close(): Promise<void> {
    await this.browser.close().catch(() => undefined);
  }

  /**
   * A locked-down page: no JavaScript, no network (data: URIs only), no navigation. A navigation
   * (a <meta http-equiv=refresh>, say) is answered "204 No Content", on which the browser stays on
   * the report instead of replacing it with the target or an error page; it is counted as blocked.
   */
  private async page(): Promise<Page> {
    const page = await this.browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const url = request.url();
      const font = request.isNavigationRequest() ? null : fontResponse(url);
      if (font) void request.respond({ status: 200, contentType: 'font/woff2', headers: { 'Access-Control-Allow-Origin': '*' }, body: font });
      else if (request.isNavigationRequest()) {
        this.stats.blockedRequests.push(url);
        void request.respond({ status: 204, body: '' });
      } else if (url.startsWith('data:')) void request.continue();
      else {
        this.stats.blockedRequests.push(url);
        void request.abort('blockedbyclient');
      }
    });
    await page.emulateMediaType('print');
    return page;
  }

  private async printHtml(html: string, pdf: PdfConfig, header: ReturnType<typeof headerFooter> | null, headerText = ''): Promise<Uint8Array> {
    const page = await this.page();
    try {
      const timeout = pdf.timeout * 1000;
      await page.setContent(withFonts(html, header ? headerText : ''), { waitUntil: 'load', timeout });
      this.stats.passes++;
      return await page.pdf({
        format: pdf.format,
        landscape: pdf.landscape,
        printBackground: true,
        preferCSSPageSize: false,
        margin: header ? pdf.margin : { top: '0', right: '0', bottom: '0', left: '0' },
        displayHeaderFooter: header !== null,
        headerTemplate: header?.headerTemplate ?? '<span></span>',
        footerTemplate: header?.footerTemplate ?? '<span></span>',
        outline: true,
        tagged: true,
        timeout,
      }).then((bytes) => {
        // belt and braces: a report that got replaced must never be printed as if it were the report
        if (page.url() !== 'about:blank') throw new CxError('render', `printing the PDF failed: the report navigated away (to ${page.url().slice(0, 80)})`, { hint: 'remove <meta http-equiv="refresh"> and similar from your templates' });
        return bytes;
      });
    } finally {
      await page.close().catch(() => undefined);
    }
  }

  /** The finished PDF of one report. */
  async print(model: ReportModel, config: Config): Promise<Uint8Array> {
    const pdf = config.outputs.pdf;
    const t = translator(asLocale(model.lang));
    const work = async () => {
      // pdf-lib (about 0.1 s to load) loads while the browser prints
      const pdfLib = import('./pdf-document.js');
      pdfLib.catch(() => undefined);
      const readOutline = async (doc: LoadedPdf) => (await pdfLib).readOutline(doc);
      const sections = await renderSections(model);
      const css = pageCss(pdf);
      const header = headerFooter(model, pdf);
      // With a cover, the body starts with an empty page in its place (replaced by the cover at the
      // end), so that Chromium's footer, the contents and the outline count physical pages.
      const headerText = runningText(model);
      // each print is read once by pdf-lib: its outline numbers the contents, and the last one is finished
      const printBody = async (html: string) => {
        const bytes = await this.printHtml(html, pdf, header, headerText);
        return (await pdfLib).loadPdf(bytes);
      };
      const bodyHtml = (pages?: Record<string, number>) => renderHtml(model, { cover: false, coverSlot: pdf.cover, toc: pdf.toc, pages, pageCss: css }, sections);
      // The cover (one page, no running header) prints in a tab of its own while the body prints.
      const coverPrint = pdf.cover
        ? renderHtml(model, { cover: true, toc: false, body: false, pageCss: `@page { size: ${pdf.format} ${pdf.landscape ? 'landscape' : 'portrait'}; margin: 0; }` }, []).then((html) => this.printHtml(html, pdf, null))
        : null;
      // (its failure is raised where it is awaited, below)
      coverPrint?.catch(() => undefined);
      // The first pass reserves room for two-digit page numbers so the second pass lays out the same.
      const placeholder = Object.fromEntries(model.toc.map((t) => [t.id, 88]));
      const first = await bodyHtml(placeholder);
      // a user's own layout.hbs may have no slot: then the body is numbered after the cover as before
      const slot = pdf.cover && first.includes('<div class="cover-slot"');
      // The page numbers an earlier build found for this very first pass (same HTML, options and
      // browser; kept on disk): the body is printed once with them, and kept if its outline agrees.
      const layout = pdf.toc ? { version: await this.version(), key: cacheKey(first, headerText, JSON.stringify(pdf), JSON.stringify(header)) } : null;
      const remembered = layout ? rememberedPages(layout.version, layout.key) : undefined;
      let body: LoadedPdf | undefined;
      let pages: Record<string, number> = {};
      if (remembered) {
        body = await printBody(await bodyHtml(remembered));
        pages = remembered;
        if (JSON.stringify(tocPages(model.toc, await readOutline(body))) !== JSON.stringify(remembered)) body = undefined;
      }
      if (!body) {
        body = await printBody(first);
        pages = tocPages(model.toc, await readOutline(body));
        if (pdf.toc) {
          body = await printBody(await bodyHtml(pages));
          const check = tocPages(model.toc, await readOutline(body));
          if (JSON.stringify(check) !== JSON.stringify(pages)) {
            pages = check;
            body = await printBody(await bodyHtml(pages));
          }
          if (layout) writeEntry('pdf-pages', layout.version, layout.key, Buffer.from(JSON.stringify(pages)));
        }
      }
      const cover = coverPrint ? await coverPrint : null;
      return (await pdfLib).finishPdf(body, cover, {
        title: `${model.title} — ${model.period.label}`,
        author: model.author ?? model.organisation,
        subject: model.organisation ? t('doc.subjectOrg', { period: model.period.label, organisation: model.organisation }) : t('doc.subject', { period: model.period.label }),
        keywords: [t('doc.keyword'), ...model.sections.filter((s) => s.type === 'kpis').flatMap((s) => (s.type === 'kpis' ? s.cards.map((c) => c.label) : [])), model.period.key],
        date: new Date(model.generated),
        language: model.lang,
        coverTitle: t('pdf.cover'),
      }, [
        ...(pdf.toc ? [{ title: t('doc.contents'), bodyPage: slot ? 1 : 0 }] : []),
        ...model.toc.map((t) => ({ title: t.title, bodyPage: pages[t.id] !== undefined ? pages[t.id] - 1 : null })),
      ], { coverSlot: slot });
    };
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CxError('render', `printing the PDF took longer than ${pdf.timeout} s and was stopped`, { hint: 'raise outputs.pdf.timeout, or check that the report is not unusually large' })), pdf.timeout * 1000 * 4);
    });
    try {
      return await Promise.race([work(), limit]);
    } catch (error) {
      if (error instanceof CxError) throw error;
      const message = (error as Error).message ?? String(error);
      throw new CxError('render', /timeout|timed out/i.test(message) ? `printing the PDF timed out after ${pdf.timeout} s` : `printing the PDF failed: ${message.split('\n')[0]}`, {
        hint: /timeout|timed out/i.test(message) ? 'raise outputs.pdf.timeout' : 'check that the browser runs (CXREPORT_CHROME) and try again',
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Prints one report with a browser of its own, closed afterwards whatever happens. */
export async function printPdf(model: ReportModel, config: Config, options: { env: Record<string, string | undefined> }): Promise<Uint8Array> {
  const printer = await PdfPrinter.launch(options.env);
  try {
    return await printer.print(model, config);
  } finally {
    await printer.close();
  }
}
