/**
 * Renders the report model to one self-contained HTML file: Handlebars layout and partials,
 * inline CSS, charts as inline SVG. No script, no external reference; every model string is
 * escaped by Handlebars' {{ }} (only our own SVG, CSS and the analyst's Markdown are inserted raw).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { CxError } from '../kernel/errors.js';
import { readUserFile } from '../kernel/user-files.js';
import { asLocale, translator, type Locale } from '../kernel/i18n.js';
import type { Chart, ReportModel, SectionModel, ShownError } from '../report/model.js';
import { renderSvg } from './charts.js';
import { LEAD_QUOTES, splitLead } from './flow.js';
import { themeCss, type Theme } from '../kernel/theme.js';
import { keepValuesTogetherInHtml } from './keep-together.js';

export { DEFAULT_TEMPLATES, partialNames } from '../report/templates.js';
import { DEFAULT_TEMPLATES, partialNames } from '../report/templates.js';

export interface HtmlOptions {
  cover?: boolean;
  toc?: boolean;
  /** an empty first page where the cover goes (the PDF body: physical page numbers) */
  coverSlot?: boolean;
  /** include the report body (sections and footer); false renders the cover alone */
  body?: boolean;
  /** page number per section id, filled into the table of contents (PDF) */
  pages?: Record<string, number>;
  /** extra CSS, e.g. @page rules for printing */
  pageCss?: string;
  /** the live preview: cells with their YAML, a reload script, errors shown above */
  preview?: { head: string; banner?: ShownError[] };
}

type RenderedChart = Chart & { svg: string };

/**
 * A table as a CSV download: a `data:text/csv` URL (UTF-8 with a byte-order mark, so that
 * spreadsheets read it as UTF-8) of the cells as shown, with "−" written as "-" so that numbers
 * stay numbers. A link needs no script, and the report's CSP (which governs what a page loads,
 * not what it downloads) allows it.
 */
export function tableCsv(table: { columns: { label: string }[]; rows: { cells: string[] }[] }): string {
  const field = (v: string) => {
    const s = v.replace(/\u2212/g, '-');
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [table.columns.map((c) => field(c.label)), ...table.rows.map((r) => r.cells.map((c) => field(String(c ?? ''))))].map((l) => l.join(','));
  return `data:text/csv;charset=utf-8,${encodeURIComponent(`\ufeff${lines.join('\r\n')}\r\n`)}`;
}

/** A table for the templates: kept on one page when short, with its CSV download. */
function withCsv<T extends { columns: { label: string }[]; rows: { cells: string[] }[] }>(table: T, name: string): T & { short: boolean; csv: string; csvName: string } {
  const chars = table.rows.reduce((sum, r) => sum + r.cells.reduce((a, c) => a + String(c).length, 0), 0);
  return { ...table, short: table.rows.length <= SHORT_TABLE_ROWS && chars <= SHORT_TABLE_CHARS, csv: tableCsv(table), csvName: `${name}.csv` };
}

/** Tables up to this many rows are kept on one page; longer ones break with their header repeated. */
export const SHORT_TABLE_ROWS = 25;
/** …and holds no more text than this (a table of long quotes breaks between rows instead of leaving half a page empty). */
export const SHORT_TABLE_CHARS = 800;


/**
 * A Handlebars environment: the default theme's partials and layout, overridden by name by the
 * user's templates folder, whose style.css is added after the default one. Each folder may also
 * have a stylesheet for one report locale, `style.<locale>.css` (e.g. style.zh-CN.css: line
 * breaking for Chinese), added after its style.css for that locale only. Templates write their
 * built-in text as `{{t "key"}}`, with placeholders as hash arguments: `{{t "kpis.vs" period=previousLabel}}`
 * (messages in src/kernel/i18n.ts; the result is escaped like any `{{ }}`).
 */
function environment(userDir: string | undefined, locale: Locale): { hb: typeof Handlebars; layout: Handlebars.TemplateDelegate; css: string[]; userCss: string[] } {
  const hb = Handlebars.create();
  const t = translator(locale);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  // a file path that may wrap after each "/" (never inside a name): escaped, then <wbr> after the slashes
  hb.registerHelper('path', (value: unknown) => new hb.SafeString(hb.escapeExpression(String(value ?? '')).replaceAll('/', '/<wbr>')));
  hb.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
    if (typeof key !== 'string' || !options?.hash) throw new Error('{{t}} needs a message key, e.g. {{t "doc.contents"}}');
    const vars = Object.fromEntries(Object.entries(options.hash as Record<string, unknown>).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
    const message = t.maybe(key, vars);
    if (message === undefined) throw new Error(`{{t "${key}"}}: no such message (see src/kernel/i18n.ts)`);
    return message;
  });
  const dirs = userDir ? [DEFAULT_TEMPLATES, userDir] : [DEFAULT_TEMPLATES];
  // the user's templates are files a config names: regular files of bounded size only
  const read = (file: string) => readUserFile(file, { what: 'templates' }, 'utf8');
  // a user's template is parsed as it is read, so that a syntax error names its file and line
  const template = (dir: string, file: string) => {
    const text = read(file);
    if (dir === userDir) {
      try {
        hb.parse(text);
      } catch (error) {
        const message = (error as Error).message.split('\n');
        const line = Number(/line (\d+)/.exec(message[0])?.[1]) || undefined;
        throw new CxError('render', `template syntax error (${message[0].replace(/:\s*$/, '').toLowerCase()})${message[1] ? `, near: ${message[1].trim().slice(0, 120)}` : ''}`, { location: { file: shownPath(file), line }, hint: 'Handlebars syntax: {{value}}, {{#each list}}…{{/each}}, {{> partial}}; fix the file, or remove it to use the default theme' });
      }
    }
    return text;
  };
  for (const dir of dirs) {
    for (const name of partialNames(dir)) hb.registerPartial(name, template(dir, join(dir, 'partials', `${name}.hbs`)));
  }
  const layoutDir = userDir && existsSync(join(userDir, 'layout.hbs')) ? userDir : DEFAULT_TEMPLATES;
  const layout = hb.compile(template(layoutDir, join(layoutDir, 'layout.hbs')), { strict: false });
  const sheets = (dir: string) => [join(dir, 'style.css'), join(dir, `style.${locale}.css`)].filter((f) => existsSync(f)).map(read);
  return { hb, layout, css: sheets(DEFAULT_TEMPLATES), userCss: userDir ? sheets(userDir) : [] };
}

async function renderChart(chart: Chart, theme: Theme, locale: Locale): Promise<RenderedChart> {
  return { ...chart, svg: await renderSvg(chart.spec, chart.id, theme, locale) };
}

/** Renders every chart of a section to SVG. */
async function renderSection(section: SectionModel, theme: Theme, locale: Locale): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = section.type === 'custom' ? { ...section.context, id: section.id, title: section.title, partial: 'custom', userPartial: section.partial } : { ...section, partial: section.type };
  if ('chart' in section && section.chart) {
    try {
      out.chart = await renderChart(section.chart, theme, locale);
    } catch (error) {
      // the analyst's own spec compiled and parsed when the section was built; what fails only
      // while drawing (an expression that errors on the data, say) is theirs to fix, not a crash
      if (section.type !== 'chart') throw error;
      throw new CxError('render', `section "${section.title}" (chart): the Vega-Lite spec could not be drawn: ${String((error as Error).message ?? error).split('\n')[0].slice(0, 300)}`, { hint: 'check the spec in the Vega-Lite editor (https://vega.github.io/editor/); its data is replaced by the metric table', cause: error });
    }
  }
  if ('table' in section) out.table = withCsv(section.table, section.id);
  if (section.type === 'methods') {
    if (section.glance) out.glance = { ...section.glance, table: withCsv(section.glance.table, `${section.id}-glance`) };
    const t = translator(locale);
    const through = section.sourcesThroughLabel;
    out.sourcesCsv = tableCsv({
      columns: [t('methods.colSource'), t('methods.colFile'), t('methods.colRows'), ...(through ? [through] : []), t('methods.colColumns')].map((label) => ({ label })),
      rows: section.sources.map((s) => ({ cells: [s.name, s.file, s.rows, ...(through ? [s.through ?? ''] : []), s.columns] })),
    });
  }
  if (section.type === 'metric') {
    out.blocks = await Promise.all(
      section.blocks.map(async (b, i) => (b.kind === 'chart' ? { ...b, chart: await renderChart(b.chart, theme, locale) } : b.kind === 'table' ? { ...b, table: withCsv(b.table, `${section.id}-${i + 1}`) } : b)),
    );
    // the heading keeps its lead and first figure on its page (flow.ts)
    const { lead, rest } = splitLead(out.blocks as { kind: string; table?: { rows: unknown[] } }[]);
    out.leadBlocks = lead;
    out.restBlocks = rest;
  }
  if (section.type === 'verbatims') {
    out.leadQuotes = section.quotes.slice(0, LEAD_QUOTES);
    out.restQuotes = section.quotes.slice(LEAD_QUOTES);
  }
  if (section.type === 'kpis' || section.type === 'summary') {
    out.cards = await Promise.all(section.cards.map(async (c) => ({ ...c, sparkline: c.sparkline ? await renderChart(c.sparkline, theme, locale) : undefined })));
  }
  return out;
}

/** Rendered sections, reusable across several HTML renders of the same model (e.g. PDF passes). */
export async function renderSections(model: ReportModel): Promise<Record<string, unknown>[]> {
  const sections: Record<string, unknown>[] = [];
  for (const s of model.sections) sections.push(await renderSection(s, model.theme, asLocale(model.lang)));
  return sections;
}

/** The complete HTML document. */
export async function renderHtml(model: ReportModel, options: HtmlOptions = {}, rendered?: Record<string, unknown>[]): Promise<string> {
  const locale = asLocale(model.lang);
  const env = environment(model.templatesDir, locale);
  const sections = rendered ?? (await renderSections(model));
  const html = userTemplates(model.templatesDir, () => env.layout({
    lang: model.lang,
    report: model,
    sections,
    // default stylesheet, then the configured theme, then the user's stylesheet (which wins)
    css: [...env.css, themeCss(model.theme), ...env.userCss].join('\n'),
    pageCss: options.pageCss ?? '',
    pages: options.pages ?? {},
    options: {
      cover: options.cover ?? true,
      coverSlot: options.coverSlot === true && options.cover === false,
      toc: options.toc ?? true,
      body: options.body ?? true,
      preview: options.preview !== undefined,
      previewHead: options.preview?.head,
      banner: options.preview?.banner?.length ? options.preview.banner : undefined,
    },
    meta: { author: model.author ?? model.organisation ?? '', subject: translator(locale)('doc.subject', { period: model.period.label }) },
  }));
  // Chinese wraps at any character: keep "p < 0.001", "1 小时 5 分钟" and the like on one line
  return locale === 'zh-CN' ? keepValuesTogetherInHtml(html) : html;
}

/** A user's file as messages show it: relative to the working directory when inside it. */
function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/**
 * Runs a template with the user's templates folder in it: a Handlebars error there (a syntax
 * error, a missing partial, a helper used wrongly) is the user's to fix, so it becomes a located
 * error naming the folder, not an internal error. Without a user folder, errors stay internal
 * (the default theme is ours).
 */
export function userTemplates<T>(dir: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (dir === undefined || error instanceof CxError || !(error instanceof Error)) throw error;
    const first = error.message.split('\n').filter((l) => l.trim() !== '');
    throw new CxError('render', `a template in ${shownPath(dir)} failed: ${first.slice(0, 3).join(' ').slice(0, 400)}`, {
      location: { file: shownPath(dir) },
      hint: 'fix the partial or layout named above (Handlebars syntax: {{value}}, {{#each}}…{{/each}}, {{> partial}}), or remove the file to use the default theme',
      cause: error,
    });
  }
}

/** Each section's HTML on its own (the layout's section loop, one at a time), and the stylesheet. */
export async function renderSectionFragments(model: ReportModel, rendered?: Record<string, unknown>[]): Promise<{ css: string; fragments: string[] }> {
  const env = environment(model.templatesDir, asLocale(model.lang));
  const sections = rendered ?? (await renderSections(model));
  const one = env.hb.compile('{{> (lookup . "partial") }}');
  return {
    css: [...env.css, themeCss(model.theme), ...env.userCss].join('\n'),
    fragments: userTemplates(model.templatesDir, () => sections.map((s) => one(s))),
  };
}
