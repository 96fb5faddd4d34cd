/**
 * Page flow of a printed report, read back from the PDF with poppler's `pdftotext -bbox-layout`
 * (word positions in points, origin at the top left): where each section heading landed, whether
 * its lead sentence and first figure are on the same page, and how full each page is.
 * Used by test/page-flow.test.ts; runnable on its own to inspect a build:
 *   npx tsx test/page-flow.ts reports/2026-10
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { htmlText } from './pdf-fixtures.js';

export interface Line {
  text: string;
  yMin: number;
  yMax: number;
  /** line height in points: about 1.36 × the font size */
  height: number;
}

export interface Page {
  width: number;
  height: number;
  lines: Line[];
}

const attr = (tag: string, name: string) => Number(new RegExp(`${name}="([-\\d.]+)"`).exec(tag)?.[1] ?? NaN);
const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Every page's text lines with their vertical position (pdftotext -bbox-layout). */
export function pdfLines(file: string): Page[] {
  const xml = execFileSync('pdftotext', ['-bbox-layout', '-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return [...xml.matchAll(/<page ([^>]*)>([\s\S]*?)<\/page>/g)].map((p) => ({
    width: attr(p[1], 'width'),
    height: attr(p[1], 'height'),
    lines: [...p[2].matchAll(/<line ([^>]*)>([\s\S]*?)<\/line>/g)].map((l) => {
      const words = [...l[2].matchAll(/<word [^>]*>([\s\S]*?)<\/word>/g)].map((w) => decode(w[1]));
      const yMin = attr(l[1], 'yMin');
      const yMax = attr(l[1], 'yMax');
      return { text: words.join(' '), yMin, yMax, height: yMax - yMin };
    }),
  }));
}

/** What a section's heading must stay with: its lead sentence and its first figure (title and caption). */
export interface SectionFlow {
  id: string;
  type: string;
  heading: string;
  lead?: string;
  /** a verbatims section's first quote, its figure */
  firstQuote?: string;
  figureTitle?: string;
  figureCaption?: string;
}

/** The sections of a report.html in order, with the text that must share a page with the heading. */
export function sectionsOf(html: string): SectionFlow[] {
  const out: SectionFlow[] = [];
  for (const m of html.matchAll(/<section class="section section-([\w-]+)(?: [\w-]+)*" id="([^"]+)"[^>]*>([\s\S]*?)<\/section>/g)) {
    const body = m[3];
    const h2 = /<h2[^>]*>([\s\S]*?)<\/h2>/.exec(body);
    if (!h2) continue;
    const afterHeading = body.slice(h2.index + h2[0].length);
    // a KPI card grid before any chart is the section's first figure (the executive summary): the chart further down is not the one the heading must keep
    const cardsAt = afterHeading.search(/<div class="kpi-grid/);
    const chartAt = afterHeading.search(/<figure class="chart/);
    const figureAt = cardsAt >= 0 && (chartAt < 0 || cardsAt < chartAt) ? -1 : chartAt;
    const beforeFigure = figureAt >= 0 ? afterHeading.slice(0, figureAt) : afterHeading;
    const lead = /<p class="(?:metric-headline|section-intro)"[^>]*>([\s\S]*?)<\/p>/.exec(beforeFigure);
    const figure = figureAt >= 0 ? afterHeading.slice(figureAt) : '';
    out.push({
      id: m[2],
      type: m[1],
      heading: htmlText(h2[1].replace(/<span class="error-badge"[\s\S]*?<\/span>/, '')),
      lead: lead ? htmlText(lead[1]) : undefined,
      firstQuote: htmlText(/<p class="quote-text"[^>]*>([\s\S]*?)<\/p>/.exec(afterHeading)?.[1] ?? '') || undefined,
      figureTitle: figure ? htmlText(/<h4 class="chart-title"[^>]*>([\s\S]*?)<\/h4>/.exec(figure)?.[1] ?? '') || undefined : undefined,
      figureCaption: figure ? htmlText(/<figcaption>([\s\S]*?)<\/figcaption>/.exec(figure)?.[1] ?? '') || undefined : undefined,
    });
  }
  return out;
}

const norm = (s: string) => s.replace(/[\s\u00ad“”"]+/g, '').toLowerCase();

/** Where `text` starts: the first line at or after (page, y) that is a prefix of it (or that it is a prefix of). */
function find(pages: Page[], text: string, from: { page: number; y: number }, minHeight = 0): { page: number; line: Line } | null {
  const want = norm(text);
  for (let p = from.page; p < pages.length; p++) {
    for (const line of pages[p].lines) {
      if (p === from.page && line.yMin < from.y) continue;
      if (line.height < minHeight) continue;
      const got = norm(line.text);
      if (got.length < Math.min(8, want.length)) continue;
      if (want.startsWith(got) || got.startsWith(want)) return { page: p, line };
    }
  }
  return null;
}

/** A heading's line height is at least this (h2 is 1.55rem of 10pt: a line of about 21 pt). */
export const HEADING_MIN_HEIGHT = 18;

export interface FlowProblem {
  section: string;
  /** 1-based physical page of the heading */
  page: number;
  message: string;
}

/**
 * Headings parted from what must follow them: for each section (in document order), its heading is
 * found as a tall line after the previous one, then its lead sentence and its first figure's title
 * and caption must be on the same page, below it. A heading that cannot be found is a problem too.
 * `firstBodyPage` (0-based) skips the cover and contents, whose entries repeat the headings.
 */
export function flowProblems(pages: Page[], sections: SectionFlow[], firstBodyPage: number): FlowProblem[] {
  const problems: FlowProblem[] = [];
  let at = { page: firstBodyPage, y: 0 };
  for (const s of sections) {
    const h = find(pages, s.heading, at, HEADING_MIN_HEIGHT);
    if (!h) {
      problems.push({ section: s.heading, page: 0, message: 'heading not found in the PDF' });
      continue;
    }
    at = { page: h.page, y: h.line.yMax };
    const page = h.page + 1;
    const same = (label: string, text: string | undefined) => {
      if (!text) return;
      const f = find(pages, text, at);
      if (!f) problems.push({ section: s.heading, page, message: `its ${label} was not found after it` });
      else if (f.page !== h.page) problems.push({ section: s.heading, page, message: `heading at y = ${h.line.yMin.toFixed(0)} of ${pages[h.page].height.toFixed(0)} pt on page ${page}, its ${label} on page ${f.page + 1}` });
    };
    same('lead sentence', s.lead);
    same('first quote', s.firstQuote);
    same('figure title', s.figureTitle);
    same('figure caption', s.figureCaption);
    // whatever the section holds, the heading is never the last line of its page
    const below = pages[h.page].lines.filter((l) => l.yMin > h.line.yMax && l.yMax < footerTop(pages[h.page]));
    if (below.length === 0) problems.push({ section: s.heading, page, message: 'heading is the last line of its page' });
  }
  return problems;
}

/** The running footer ("Page X of Y") sits in the bottom margin: lines below this are not content. */
export function footerTop(page: Page): number {
  return page.height - 20 * (72 / 25.4) + 2;
}
/** The running header sits in the top margin. */
export function headerBottom(): number {
  return 20 * (72 / 25.4) - 2;
}

/** The 0-based page each section's heading is on (-1 when not found), searched in document order. */
export function headingPages(pages: Page[], sections: SectionFlow[], firstBodyPage: number): number[] {
  let at = { page: firstBodyPage, y: 0 };
  return sections.map((s) => {
    const h = find(pages, s.heading, at, HEADING_MIN_HEIGHT);
    if (!h) return -1;
    at = { page: h.page, y: h.line.yMax };
    return h.page;
  });
}

/** Section types that always start a new page (print stylesheet: break-before: page). */
export const PAGE_STARTERS = new Set(['case-study', 'methods']);

/**
 * Pages less full than `min`, except those allowed to be short: the cover and contents (before
 * `firstBodyPage`), the last page, and a page followed by a section that must start a page.
 */
export function underfilledPages(pages: Page[], sections: SectionFlow[], firstBodyPage: number, min: number): { page: number; fill: number }[] {
  const at = headingPages(pages, sections, firstBodyPage);
  const beforeStarter = new Set(sections.flatMap((s, i) => (PAGE_STARTERS.has(s.type) && at[i] > 0 ? [at[i] - 1] : [])));
  return pages.flatMap((p, i) => (i < firstBodyPage || i === pages.length - 1 || beforeStarter.has(i) || pageFill(p) >= min ? [] : [{ page: i + 1, fill: pageFill(p) }]));
}

/** How full each page's content area is: from the top margin to the lowest content line, 0–1. */
export function pageFill(page: Page): number {
  const top = headerBottom();
  const bottom = footerTop(page);
  const content = page.lines.filter((l) => l.yMin >= top && l.yMax <= bottom);
  if (content.length === 0) return 0;
  const lowest = Math.max(...content.map((l) => l.yMax));
  return Math.min(1, (lowest - top) / (bottom - top));
}

// npx tsx test/page-flow.ts DIR: prints the problems and the fill of every page of DIR/report.pdf
if (process.argv[1]?.endsWith('page-flow.ts') && process.argv[2]) {
  const dir = process.argv[2];
  const pages = pdfLines(join(dir, 'report.pdf'));
  const sections = sectionsOf(readFileSync(join(dir, 'report.html'), 'utf8'));
  for (const p of flowProblems(pages, sections, 2)) console.log(`p.${p.page} ${p.section}: ${p.message}`);
  console.log(pages.map((p, i) => `${i + 1}:${Math.round(pageFill(p) * 100)}%`).join(' '));
  console.log('under 60%:', JSON.stringify(underfilledPages(pages, sections, 2, 0.6)));
}
