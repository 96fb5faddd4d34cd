/**
 * Renders the report model to one self-contained HTML file: Handlebars layout and partials,
 * inline CSS, charts as inline SVG. No script, no external reference; every model string is
 * escaped by Handlebars' {{ }} (only our own SVG, CSS and the analyst's Markdown are inserted raw).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Chart, ReportModel, SectionModel, ShownError } from '../report/model.js';
import { renderSvg } from './charts.js';
import { themeCss, type Theme } from '../report/theme.js';

export const DEFAULT_TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates/default');

export interface HtmlOptions {
  cover?: boolean;
  toc?: boolean;
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

/** Tables up to this many rows are kept on one page; longer ones break with their header repeated. */
export const SHORT_TABLE_ROWS = 25;

/** Partial names (file names without .hbs) in a templates folder. */
export function partialNames(templatesDir: string): string[] {
  const dir = join(templatesDir, 'partials');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.hbs')).map((f) => basename(f, '.hbs')).sort() : [];
}

/**
 * A Handlebars environment: the default theme's partials and layout, overridden by name by the
 * user's templates folder, whose style.css is added after the default one.
 */
function environment(userDir?: string): { hb: typeof Handlebars; layout: Handlebars.TemplateDelegate; css: string[] } {
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const dirs = userDir ? [DEFAULT_TEMPLATES, userDir] : [DEFAULT_TEMPLATES];
  for (const dir of dirs) {
    for (const name of partialNames(dir)) hb.registerPartial(name, readFileSync(join(dir, 'partials', `${name}.hbs`), 'utf8'));
  }
  const layoutDir = userDir && existsSync(join(userDir, 'layout.hbs')) ? userDir : DEFAULT_TEMPLATES;
  const layout = hb.compile(readFileSync(join(layoutDir, 'layout.hbs'), 'utf8'), { strict: false });
  const css = dirs.map((d) => join(d, 'style.css')).filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));
  return { hb, layout, css };
}

async function renderChart(chart: Chart, theme: Theme): Promise<RenderedChart> {
  return { ...chart, svg: await renderSvg(chart.spec, chart.id, theme) };
}

/** Renders every chart of a section to SVG. */
async function renderSection(section: SectionModel, theme: Theme): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = section.type === 'custom' ? { ...section.context, id: section.id, title: section.title, partial: 'custom', userPartial: section.partial } : { ...section, partial: section.type };
  if ('chart' in section && section.chart) out.chart = await renderChart(section.chart, theme);
  if ('table' in section) out.table = { ...section.table, short: section.table.rows.length <= SHORT_TABLE_ROWS };
  if (section.type === 'metric') {
    out.blocks = await Promise.all(
      section.blocks.map(async (b) => (b.kind === 'chart' ? { ...b, chart: await renderChart(b.chart, theme) } : b.kind === 'table' ? { ...b, table: { ...b.table, short: b.table.rows.length <= SHORT_TABLE_ROWS } } : b)),
    );
  }
  if (section.type === 'kpis') {
    out.cards = await Promise.all(section.cards.map(async (c) => ({ ...c, sparkline: c.sparkline ? await renderChart(c.sparkline, theme) : undefined })));
  }
  return out;
}

/** Rendered sections, reusable across several HTML renders of the same model (e.g. PDF passes). */
export async function renderSections(model: ReportModel): Promise<Record<string, unknown>[]> {
  const sections: Record<string, unknown>[] = [];
  for (const s of model.sections) sections.push(await renderSection(s, model.theme));
  return sections;
}

/** The complete HTML document. */
export async function renderHtml(model: ReportModel, options: HtmlOptions = {}, rendered?: Record<string, unknown>[]): Promise<string> {
  const env = environment(model.templatesDir);
  const sections = rendered ?? (await renderSections(model));
  return env.layout({
    lang: model.lang,
    report: model,
    sections,
    // default stylesheet, then the configured theme, then the user's stylesheet (which wins)
    css: [env.css[0], themeCss(model.theme), ...env.css.slice(1)].join('\n'),
    pageCss: options.pageCss ?? '',
    pages: options.pages ?? {},
    options: {
      cover: options.cover ?? true,
      toc: options.toc ?? true,
      body: options.body ?? true,
      preview: options.preview !== undefined,
      previewHead: options.preview?.head,
      banner: options.preview?.banner?.length ? options.preview.banner : undefined,
    },
    meta: { author: model.author ?? model.organisation ?? '', subject: `Customer experience report for ${model.period.label}` },
  });
}

/** Each section's HTML on its own (the layout's section loop, one at a time), and the stylesheet. */
export async function renderSectionFragments(model: ReportModel, rendered?: Record<string, unknown>[]): Promise<{ css: string; fragments: string[] }> {
  const env = environment(model.templatesDir);
  const sections = rendered ?? (await renderSections(model));
  const one = env.hb.compile('{{> (lookup . "partial") }}');
  return {
    css: [env.css[0], themeCss(model.theme), ...env.css.slice(1)].join('\n'),
    fragments: sections.map((s) => one(s)),
  };
}
