/**
 * The report as a Jupyter notebook (nbformat 4.5): a title cell, then one cell per section whose
 * source is the YAML that defined it and whose output is the rendered section (HTML, and the
 * chart as SVG), so VS Code and Jupyter open the report natively.
 */
import type { Config } from '../config/load.js';
import { asLocale, translator } from '../kernel/i18n.js';
import type { ReportModel } from '../report/model.js';
import { renderSectionFragments, renderSections } from './html.js';
import { OUTPUT_CLASS, outputStylesheet } from './scope-css.js';

type Cell = Record<string, unknown>;

/**
 * Text for the title cell, which Jupyter and VS Code render as Markdown: shown as written, never
 * read as Markdown or HTML (a title "<img src=x onerror=…>" or "[x](javascript:…)" stays text) —
 * one line, &<> as entities, Markdown punctuation backslash-escaped (":" too, so that a URL in a
 * title is not turned into a link by GFM's autolinks).
 */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[\\`*_{}[\]()#+\-.!|~:]/g, '\\$&');
}

/** Notebook sources are lists of lines, each but the last ending in a newline. */
function lines(text: string): string[] {
  const parts = text.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  return parts.map((l, i) => (i < parts.length - 1 ? `${l}\n` : l));
}


const cellId = (id: string, used: Set<string>) => {
  let base = id.replace(/[^a-zA-Z0-9-_]/g, '-').slice(0, 60) || 'cell';
  for (let i = 2; used.has(base); i++) base = `${base.slice(0, 56)}-${i}`;
  used.add(base);
  return base;
};

/** The notebook JSON text. */
export async function renderNotebook(model: ReportModel, config: Config): Promise<string> {
  const rendered = await renderSections(model);
  const { css, fragments } = await renderSectionFragments(model, rendered);
  // every output carries the stylesheet scoped to its own element: no :root, * or body rule
  // reaches the notebook's page (Jupyter, VS Code), which shows all outputs in one document
  const style = outputStylesheet(css);
  const used = new Set<string>();
  const t = translator(asLocale(model.lang));
  const cells: Cell[] = [
    {
      id: cellId('title', used),
      cell_type: 'markdown',
      metadata: {},
      source: lines(`# ${markdownText(model.title)}\n\n${t('notebook.intro', { period: model.period.label, organisation: model.organisation ? ` · ${markdownText(model.organisation)}` : '', date: model.dataThrough, file: config.yaml.file.replaceAll('`', "'") })}`),
    },
  ];
  model.sections.forEach((section, i) => {
    const fromConfig = i < config.sections.length;
    const svg = rendered[i] && typeof (rendered[i].chart as { svg?: string } | undefined)?.svg === 'string' ? (rendered[i].chart as { svg: string }).svg : undefined;
    const data: Record<string, string[]> = { 'text/html': lines(`<style>${style}</style>\n<div class="${OUTPUT_CLASS}">${fragments[i]}</div>`) };
    if (svg) data['image/svg+xml'] = lines(svg);
    data['text/plain'] = [`${section.type}: ${section.title}`];
    cells.push({
      id: cellId(section.id, used),
      cell_type: 'code',
      metadata: { tags: ['cxreport', section.type], jupyter: { outputs_hidden: false } },
      source: lines((fromConfig ? config.yaml.textOf(['sections', i]) : undefined) ?? t('notebook.generated', { title: section.title })),
      outputs: [{ output_type: 'display_data', data, metadata: {} }],
      execution_count: null,
    });
  });
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      title: `${model.title} — ${model.period.label}`,
      ...(model.author ? { authors: [{ name: model.author }] } : {}),
      language_info: { name: 'yaml', file_extension: '.yaml', mimetype: 'text/yaml' },
      cxreport: { period: model.period.key, generated: model.generated },
    },
    cells,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}
