/**
 * Renders the report model to one self-contained HTML file: Handlebars layout and partials,
 * inline CSS, charts as inline SVG. No script, no external reference; every model string is
 * escaped by Handlebars' {{ }} (only our own SVG, CSS and the analyst's Markdown are inserted raw).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import type { Chart, ReportModel, SectionModel } from '../report/model.js';
import { renderSvg } from './charts.js';

export const DEFAULT_TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../templates/default');

export interface HtmlOptions {
  templatesDir?: string;
  cover?: boolean;
  toc?: boolean;
  /** include the report body (sections and footer); false renders the cover alone */
  body?: boolean;
  /** page number per section id, filled into the table of contents (PDF) */
  pages?: Record<string, number>;
  /** extra CSS, e.g. @page rules for printing */
  pageCss?: string;
}

type RenderedChart = Chart & { svg: string };

/** Tables up to this many rows are kept on one page; longer ones break with their header repeated. */
export const SHORT_TABLE_ROWS = 25;

/** A Handlebars environment with the theme's partials and helpers. */
function environment(templatesDir: string): { hb: typeof Handlebars; layout: Handlebars.TemplateDelegate; css: string } {
  const hb = Handlebars.create();
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  const partials = join(templatesDir, 'partials');
  for (const file of readdirSync(partials).filter((f) => f.endsWith('.hbs')).sort()) {
    hb.registerPartial(basename(file, '.hbs'), readFileSync(join(partials, file), 'utf8'));
  }
  const layout = hb.compile(readFileSync(join(templatesDir, 'layout.hbs'), 'utf8'), { strict: false });
  return { hb, layout, css: readFileSync(join(templatesDir, 'style.css'), 'utf8') };
}

async function renderChart(chart: Chart): Promise<RenderedChart> {
  return { ...chart, svg: await renderSvg(chart.spec, chart.id) };
}

/** Renders every chart of a section to SVG. */
async function renderSection(section: SectionModel): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...section, partial: section.type };
  if ('chart' in section && section.chart) out.chart = await renderChart(section.chart);
  if ('table' in section) out.table = { ...section.table, short: section.table.rows.length <= SHORT_TABLE_ROWS };
  if (section.type === 'metric') {
    out.blocks = await Promise.all(
      section.blocks.map(async (b) => (b.kind === 'chart' ? { ...b, chart: await renderChart(b.chart) } : b.kind === 'table' ? { ...b, table: { ...b.table, short: b.table.rows.length <= SHORT_TABLE_ROWS } } : b)),
    );
  }
  if (section.type === 'kpis') {
    out.cards = await Promise.all(section.cards.map(async (c) => ({ ...c, sparkline: c.sparkline ? await renderChart(c.sparkline) : undefined })));
  }
  return out;
}

/** Rendered sections, reusable across several HTML renders of the same model (e.g. PDF passes). */
export async function renderSections(model: ReportModel): Promise<Record<string, unknown>[]> {
  const sections: Record<string, unknown>[] = [];
  for (const s of model.sections) sections.push(await renderSection(s));
  return sections;
}

/** The complete HTML document. */
export async function renderHtml(model: ReportModel, options: HtmlOptions = {}, rendered?: Record<string, unknown>[]): Promise<string> {
  const env = environment(options.templatesDir ?? DEFAULT_TEMPLATES);
  const sections = rendered ?? (await renderSections(model));
  return env.layout({
    lang: 'en',
    report: model,
    sections,
    css: env.css,
    pageCss: options.pageCss ?? '',
    pages: options.pages ?? {},
    options: { cover: options.cover ?? true, toc: options.toc ?? true, body: options.body ?? true },
    meta: { author: model.author ?? model.organisation ?? '', subject: `Customer experience report for ${model.period.label}` },
  });
}
