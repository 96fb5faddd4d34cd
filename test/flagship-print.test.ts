/**
 * The flagship PDF as a VP and a CFO read it (issue 21 items 5, 6 and 8), read back with poppler:
 * - page flow, from the positions `pdftotext -bbox-layout` gives (test/page-flow.ts): no section
 *   heading at the bottom of a page apart from its lead sentence and first figure; no page much
 *   emptier than ~60% unless the next one must start a section; page numbers that are physical
 *   pages everywhere (running footer, contents, outline, page labels). The checker itself is tested
 *   on hand-made pages first, so a checker that found nothing could not pass by accident;
 * - plain words and honest precision in the body (model names, parameters and test names only in
 *   the appendix; money by magnitude; a score to what its interval supports; trailing-12-month
 *   NRR/GRR on the card), each number recomputed here from metrics.json;
 * - the methods appendix: a one-page lookup table, then each metric once, without boilerplate or
 *   internal words, with data-through dates recomputed from the CSV files.
 * One flagship build for all of it. Skipped, saying why, without Chromium or poppler.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { join } from 'node:path';
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOutline, type OutlineEntry } from '../src/render/pdf-document.js';
import { flowProblems, headingPages, pageFill, pdfLines, sectionsOf, underfilledPages, type Page, type SectionFlow } from './page-flow.js';
import { pageTexts, pdfSkipReason, repoRoot, runCli, tempDir, testEnv, tocTitlesOf } from './pdf-fixtures.js';

/** A page of hand-placed lines (A4 in points), for testing the checker. */
function page(lines: [string, number, number?][]): Page {
  return { width: 595.92, height: 841.92, lines: lines.map(([text, y, h = 13.6]) => ({ text, yMin: y, yMax: y + h, height: h })) };
}
const section: SectionFlow = { id: 's', type: 'metric', heading: 'What drives NPS', lead: 'The 5 drivers together explain 37.6% of the variation', figureTitle: 'Onboarding matters most for NPS', figureCaption: 'Each point is a driver' };

describe('the page-flow checker (hand-made pages)', () => {
  it('finds a heading at the bottom of a page whose figure is on the next page', () => {
    const pages = [page([['What drives NPS', 700, 21], ['The 5 drivers together explain 37.6% of the variation in NPS', 725]]), page([['Onboarding matters most for NPS and scores below', 60], ['Each point is a driver: its share', 400]])];
    const problems = flowProblems(pages, [section], 0);
    expect(problems.map((p) => p.message)).toEqual([`heading at y = 700 of 842 pt on page 1, its figure title on page 2`, `heading at y = 700 of 842 pt on page 1, its figure caption on page 2`]);
  });

  it('finds a heading that is the last line of its page, lead and all on the next', () => {
    const pages = [page([['What drives NPS', 740, 21]]), page([['The 5 drivers together explain 37.6% of the variation in NPS', 60], ['Onboarding matters most for NPS', 90], ['Each point is a driver', 400]])];
    expect(flowProblems(pages, [section], 0).map((p) => p.message)).toContain('heading is the last line of its page');
  });

  it('passes a heading that keeps its lead and figure, and tells a heading from the same words in body text', () => {
    const pages = [
      // the contents page (skipped) and a body line that repeats the heading at body size
      page([['What drives NPS', 100]]),
      page([['What drives NPS is in the next section', 60], ['What drives NPS', 300, 21], ['The 5 drivers together explain 37.6% of the variation', 325], ['Onboarding matters most for NPS', 350], ['Each point is a driver', 600]]),
    ];
    expect(flowProblems(pages, [section], 1)).toEqual([]);
    expect(headingPages(pages, [section], 1)).toEqual([1]);
  });

  it('measures fill from the top margin to the lowest line above the footer', () => {
    const top = 20 * (72 / 25.4);
    const bottom = 841.92 - 20 * (72 / 25.4);
    const half = page([['header', 15], ['body', top + 10], ['half way', (top + bottom) / 2 - 13.6], ['Page 3 of 9', bottom + 20]]);
    expect(pageFill(half)).toBeCloseTo(0.5, 2);
    // a short page before a page-starting section is allowed; elsewhere it is reported
    const pages = [page([['Contents', 80]]), half, page([['Case study', 80, 21], ['Situation', 120], ['x', bottom - 20]]), half, page([['last', 80]])];
    const sections: SectionFlow[] = [{ id: 'c', type: 'case-study', heading: 'Case study' }];
    expect(underfilledPages(pages, sections, 1, 0.6)).toEqual([{ page: 4, fill: pageFill(half) }]);
  });
});

describe.skipIf(pdfSkipReason !== null)(`flagship PDF page flow${pdfSkipReason ? ` (skipped: ${pdfSkipReason})` : ''}`, () => {
  let dir: string;
  let pages: Page[];
  let sections: SectionFlow[];
  let html: string;
  let texts: string[];
  let outline: OutlineEntry[];
  let labels: (string | number)[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let metrics: Record<string, any>;

  beforeAll(async () => {
    dir = await tempDir('cxreport-flow-');
    const run = await runCli(['build', 'cxreport.yaml', '--out', dir, '--format', 'html,pdf', '-q'], { cwd: repoRoot, env: testEnv(), timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(0);
    const pdf = join(dir, 'report.pdf');
    pages = pdfLines(pdf);
    html = await readFile(join(dir, 'report.html'), 'utf8');
    sections = sectionsOf(html);
    texts = pageTexts(pdf);
    const bytes = await readFile(pdf);
    outline = await readOutline(bytes);
    labels = pageLabels(await PDFDocument.load(bytes), pages.length);
    metrics = JSON.parse(await readFile(join(dir, 'metrics.json'), 'utf8')).metrics;
  }, 300_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds every section of the report (and a figure in most)', () => {
    expect(sections.length).toBeGreaterThanOrEqual(25);
    expect(sections.filter((s) => s.figureTitle).length).toBeGreaterThanOrEqual(20);
    expect(headingPages(pages, sections, 2).filter((p) => p < 0)).toEqual([]);
  });

  it('never parts a heading from its lead sentence and first figure (drivers, churn, support times…)', () => {
    const problems = flowProblems(pages, sections, 2);
    expect(problems.map((p) => `p.${p.page} ${p.section}: ${p.message}`)).toEqual([]);
  });

  it('fills every page to ~60% or more, except before a section that must start a page', () => {
    // 0.55: "~60%" — a page whose next section's heading, lead and figure need more than the rest
    // of it may end a little earlier; the fill of every page is printed on failure
    const short = underfilledPages(pages, sections, 2, 0.55);
    expect(short, pages.map((p, i) => `${i + 1}:${Math.round(pageFill(p) * 100)}%`).join(' ')).toEqual([]);
  });

  it('embeds every font as a real subset: no Type 3 font (stroked chart text, such as a label halo, would print as one)', () => {
    const fonts = execFileSync('pdffonts', [join(dir, 'report.pdf')], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.filter((f) => /Type 3/.test(f))).toEqual([]);
  });

  it("states each metric section's value once: its change sentence carries value, interval and n", () => {
    const leads = [...html.matchAll(/<p class="metric-headline">([^]*?)<\/p>/g)].map((m) => m[1]);
    expect(leads.length).toBeGreaterThan(5);
    for (const lead of leads) expect((lead.match(/\bn &#x3D; /g) ?? []).length, lead).toBeLessThanOrEqual(1);
  });

  it('numbers pages physically: footer "Page N of T" on PDF page N, and page labels N', () => {
    const total = pages.length;
    texts.slice(1).forEach((t, i) => {
      const m = /Page (\d+) of (\d+)\s*$/.exec(t.trimEnd());
      expect(m && [Number(m[1]), Number(m[2])], `footer of PDF page ${i + 2}`).toEqual([i + 2, total]);
    });
    expect(labels[0]).toBe('Cover');
    expect(labels.slice(1)).toEqual(Array.from({ length: total - 1 }, (_, i) => i + 2));
  });

  it('gives each contents entry the physical page its heading is on, as the outline does', () => {
    const at = headingPages(pages, sections, 2);
    const titles = tocTitlesOf(html);
    const contents = texts[1];
    for (const title of titles) {
      const s = sections.findIndex((x) => x.heading === title || x.heading.endsWith(title));
      expect(s, title).toBeGreaterThanOrEqual(0);
      const line = contents.split('\n').find((l) => l.trim().startsWith(title) && /\d+\s*$/.test(l));
      expect(line, `contents line of "${title}"`).toBeDefined();
      expect(Number(/(\d+)\s*$/.exec(line!)![1]), title).toBe(at[s] + 1);
      const entry = outline.find((o) => o.depth === 0 && o.title.endsWith(title));
      expect(entry?.page, `outline of "${title}"`).toBe(at[s]);
    }
  });

  // ---------------------------------------------------------------------------------------------
  // Plain words and precision (item 6)

  /** The text of the pages before the methods appendix (0-based page of its heading). */
  const body = () => {
    const methods = headingPages(pages, sections, 2)[sections.findIndex((x) => x.type === 'methods')];
    expect(methods).toBeGreaterThan(2);
    return texts.slice(0, methods).join('\n');
  };
  const appendix = () => {
    const methods = headingPages(pages, sections, 2)[sections.findIndex((x) => x.type === 'methods')];
    return texts.slice(methods).join('\n');
  };
  const oneLine = (text: string) => text.replace(/\s+/g, ' ');
  /** Money as the report should show it, computed here: 3 significant digits with k/M from $10,000. */
  const money = (v: number) => (Math.abs(v) >= 1e6 ? `$${(v / 1e6).toPrecision(3)}M` : Math.abs(v) >= 1e4 ? `$${(v / 1e3).toPrecision(3)}k` : `$${Math.round(v).toLocaleString('en-US')}`);

  it('keeps model names, parameters, test names and internal words out of the body', () => {
    const text = oneLine(body());
    for (const word of ['BG/NBD', 'Gamma-Gamma', 'α =', 'Age T', 'P(alive)', 'Greenwood', 'Mood', 'reference/metrics.md', 'retainedOfStart', 'Mulberry32']) expect(text, word).not.toContain(word);
    expect(text).not.toMatch(/\br = 0\.\d{3}/);
    // …and the appendix has them, with the fitted parameters the body left out
    const bg = metrics.clv.bgnbd;
    expect(oneLine(appendix())).toContain(`BG/NBD r = ${bg.r.toPrecision(4)}, α = ${bg.alpha.toPrecision(4)}`);
    expect(oneLine(appendix())).toContain('Greenwood');
  });

  it('shows money by magnitude on cards and in sentences, never cents on thousands', () => {
    const text = oneLine(body());
    expect(text).not.toMatch(/\$\d{1,3}(,\d{3})+\.\d\d/);
    const clv = metrics.clv_simple;
    expect([money(clv.value), money(clv.ci[0]), money(clv.ci[1])]).toEqual(['$52.9k', '$43.0k', '$65.1k']); // today's flagship
    expect(text).toContain(`Subscription lifetime value was ${money(clv.value)} (95% CI ${money(clv.ci[0])} to ${money(clv.ci[1])}, n = ${clv.n.toLocaleString('en-US')})`);
    expect(money(metrics.clv.totalExpectedValue)).toBe('$1.77M');
    expect(text).toContain(`of the ${money(metrics.clv.totalExpectedValue)} expected over the next 12 months`);
    // whole months, not 54.48
    expect(text).toContain(`Expected lifetime ${Math.round(clv.expectedLifetimePeriods)} months`);
    expect(text).not.toMatch(/\d+\.\d\d months/);
  });

  it('shows the health score to the precision its interval supports; metrics.json keeps every digit', () => {
    const h = metrics.health;
    const half = (h.ci[1] - h.ci[0]) / 2;
    expect(half).toBeGreaterThan(0.2); // one decimal: a step of 0.1 is at most half the half-width
    const one = (v: number) => v.toFixed(1);
    // the executive summary's card (page 3): value and interval to one decimal
    expect(texts[2]).toMatch(new RegExp(`\\b${one(h.value)}\\b`));
    expect(texts[2]).toContain(`95% CI ${one(h.ci[0])} to ${one(h.ci[1])}`);
    expect(oneLine(body())).not.toContain(h.value.toFixed(2));
    expect(Number(h.value.toFixed(1))).not.toBe(h.value);
  });

  it('puts trailing-12-month NRR and GRR on the NRR card (and beside the monthly value)', () => {
    const t12 = metrics.nrr.trailing12;
    const line = `Trailing 12 months: NRR ${t12.nrr.toFixed(1)}% · GRR ${t12.grr.toFixed(1)}%`;
    expect(line).toBe('Trailing 12 months: NRR 103.8% · GRR 89.9%'); // today's flagship (issue 21)
    expect(oneLine(texts[2])).toContain(line); // the executive summary's NRR card
    expect(oneLine(texts[2])).toContain(`${metrics.nrr.value.toFixed(1)}%`);
  });

  // ---------------------------------------------------------------------------------------------
  // Methods appendix (item 8)

  it('opens the appendix with a one-page lookup table of every metric (definition, formula, n, test, source)', () => {
    const at = headingPages(pages, sections, 2)[sections.findIndex((x) => x.type === 'methods')];
    const first = oneLine(texts[at]);
    expect(first).toContain('The metrics at a glance');
    // the column headers (words: a narrow header wraps, and the layout text interleaves its lines)
    for (const head of ['Metric', 'Definition', 'Formula', 'Change', 'test', 'Source', 'through']) expect(first, head).toContain(head);
    expect(html).toContain('<th scope="col" class="align-left">Source · data through</th>');
    expect(first).not.toContain('Each metric in detail');
    expect(oneLine(texts[at + 1])).toContain('Each metric in detail');
    for (const [id, m] of Object.entries(metrics)) {
      expect(first, id).toContain(m.n.toLocaleString('en-US'));
      expect(first, id).toContain(m.label.split(' ')[0]);
    }
  });

  it('describes each metric once, without duplicated titles, boilerplate or internal words', () => {
    const text = oneLine(appendix());
    expect(text).not.toContain('SLA attainment — SLA attainment');
    expect(text.match(/Net sentiment — Comment sentiment \(net\)/g) ?? []).toHaveLength(0);
    expect(text).toContain('Net sentiment (reviews) and Net sentiment (responses)');
    for (const word of ['reference/metrics.md', 'retainedOfStart', '`', 'Mulberry32', 'seed 1', 'cxreport metrics reference']) expect(text, word).not.toContain(word);
    // the exclusion wording once, not per metric
    expect(text.match(/excluded, never corrected/g)).toHaveLength(1);
    expect(text).not.toMatch(/Rows with a missing id/);
    expect(text).not.toMatch(/are excluded \(never corrected\) and counted/);
    // "Source:" holds sources, never a formula
    expect(text).not.toMatch(/Source: [^.]*=/);
    expect(text).toContain('Formula: churn = customers lost / customers at the period start');
    // thousands separators in the exclusion counts
    const missing = metrics.comment_sentiment.excludedAllPeriods['missing text'];
    expect(missing).toBeGreaterThan(999);
    expect(text).toContain(`${missing.toLocaleString('en-US')} missing text`);
  });

  it('gives each source its data-through date, taken from the data (the latest timestamp up to the period end)', async () => {
    const latest = async (file: string, column: string) => {
      const rows = parse(await readFile(join(repoRoot, file), 'utf8'), { columns: true }) as Record<string, string>[];
      const ts = rows.map((r) => Date.parse(r[column])).filter((t) => Number.isFinite(t) && t < Date.UTC(2026, 10, 1));
      return new Date(Math.max(...ts)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
    };
    const responses = await latest('examples/acme/data/responses.csv', 'submitted_at');
    const reviews = await latest('examples/acme/data/reviews.csv', 'submitted_at');
    // the lookup table's cells (the PDF's layout text wraps them between other columns)
    expect(html).toContain(`>responses · ${responses}</td>`);
    expect(html).toContain(`>reviews · ${reviews}</td>`);
    const squashed = appendix().replace(/\s+/g, '');
    expect(squashed).toContain(`responses·${responses.split(' ')[0]}`);
    expect(squashed).toContain('Datathrough'); // the sources table's column
  });
});

/** The label of each page from the catalog's /PageLabels number tree (decimal ranges and /P prefixes only). */
function pageLabels(doc: PDFDocument, count: number): (string | number)[] {
  const tree = doc.catalog.lookup(PDFName.of('PageLabels'), PDFDict);
  const nums = tree.lookup(PDFName.of('Nums'), PDFArray);
  const ranges: { from: number; prefix: string; decimal: boolean; start: number }[] = [];
  for (let i = 0; i < nums.size(); i += 2) {
    const d = nums.lookup(i + 1, PDFDict);
    const prefix = d.get(PDFName.of('P'));
    ranges.push({
      from: (nums.lookup(i, PDFNumber) as PDFNumber).asNumber(),
      prefix: prefix ? String((prefix as unknown as { decodeText(): string }).decodeText()) : '',
      decimal: d.get(PDFName.of('S')) !== undefined,
      start: (d.get(PDFName.of('St')) as PDFNumber | undefined)?.asNumber() ?? 1,
    });
  }
  return Array.from({ length: count }, (_, page) => {
    const r = [...ranges].reverse().find((x) => x.from <= page)!;
    return r.decimal ? r.start + (page - r.from) : r.prefix;
  });
}
