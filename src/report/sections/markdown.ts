/**
 * Markdown: the analyst's prose. The text is a Handlebars template over the computed metrics
 * (formatted for reading: `{{metrics.nps.value}}` gives "+31.2"), then rendered by marked.
 */
import Handlebars from 'handlebars';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { z } from 'zod';
import { CxError } from '../../kernel/errors.js';
import { displayPath, readUserFile } from '../../kernel/user-files.js';
import { longLabel, type SectionContext } from '../context.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';

export const markdownSchema = z
  .strictObject({
    type: z.literal('markdown'),
    ...sectionFields,
    text: z.string().optional().describe('Markdown; may interpolate values, e.g. {{metrics.nps.value}} or {{period.label}}.'),
    file: z.string().optional().describe('Markdown file (relative to the config) used instead of `text`.'),
  })
  .refine((s) => (s.text === undefined) !== (s.file === undefined), { message: 'give either `text` or `file` (exactly one)' })
  .describe('Analyst prose in Markdown, with computed values interpolated.');

export type MarkdownSection = z.infer<typeof markdownSchema>;

/** Values an analyst can interpolate: every metric's numbers, formatted as in the report, plus raw numbers. */
export function interpolationContext(ctx: SectionContext): Record<string, unknown> {
  const { fmt } = ctx;
  const metrics: Record<string, unknown> = {};
  for (const [id, r] of ctx.computed.results) {
    metrics[id] = {
      label: r.label,
      value: fmt.value(r.value, r.unit),
      n: fmt.count(r.n),
      ci: fmt.interval(r.ci, r.unit),
      delta: fmt.delta(r.delta, r.unit),
      p: fmt.p(r.p),
      significant: r.significant,
      previous: r.previous ? { value: fmt.value(r.previous.value, r.unit), n: fmt.count(r.previous.n) } : null,
      raw: { value: r.value, n: r.n, ci: r.ci, delta: r.delta, p: r.p },
    };
  }
  return {
    metrics,
    period: { key: ctx.computed.period, label: longLabel(ctx, ctx.computed.period) },
    previous: { key: ctx.computed.previousPeriod, label: longLabel(ctx, ctx.computed.previousPeriod) },
    report: { title: ctx.config.report.title, organisation: ctx.config.report.organisation },
  };
}

/** Renders analyst markdown with interpolated values; template errors point at the section. */
export function renderMarkdown(text: string, ctx: SectionContext, path: (string | number)[]): string {
  let expanded: string;
  try {
    // U+0000 becomes U+FFFD, as CommonMark asks (Handlebars' lexer would stop at it)
    expanded = Handlebars.compile(text.replaceAll('\u0000', '\uFFFD'), { strict: true, noEscape: false })(interpolationContext(ctx));
  } catch (error) {
    const lines = (error as Error).message.split('\n').filter((l) => l.trim() !== '');
    const detail = lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : lines[0];
    throw new CxError('config', `section ${ctx.index + 1}: cannot interpolate the markdown: ${detail}`, {
      location: ctx.config.yaml.locate(path),
      hint: `available: metrics.<name>.value|n|ci|delta|p|significant|previous.value, period.label, previous.label; metrics: ${[...ctx.computed.results.keys()].join(', ')}`,
    });
  }
  return sanitizeAnalystHtml(marked.parse(expanded, { async: false, gfm: true }) as string);
}

/**
 * The analyst-HTML policy (README, "Analyst HTML"): Markdown may carry raw HTML, which is cut
 * down to an allowlist by sanitize-html — text structure, tables, links and images only. No
 * script, style, event handler, meta/base/iframe/object/embed/form or any other element; links
 * only to http, https, mailto and same-page anchors; images only as data:image/… URIs, the one
 * kind the report's Content-Security-Policy (img-src data:) loads. The HTML report, the PDF, the
 * preview and the notebook all embed the same sanitised section HTML.
 */
export const ANALYST_HTML: sanitizeHtml.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code', 'ul', 'ol', 'li', 'dl', 'dt', 'dd',
    'em', 'strong', 'b', 'i', 'u', 's', 'del', 'ins', 'mark', 'small', 'sub', 'sup', 'abbr', 'kbd', 'q', 'cite', 'span', 'div',
    'table', 'caption', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'a', 'img', 'input', 'details', 'summary', 'figure', 'figcaption',
  ],
  allowedAttributes: {
    a: ['href', 'title'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    th: ['align', 'colspan', 'rowspan'],
    td: ['align', 'colspan', 'rowspan'],
    ol: ['start'],
    abbr: ['title'],
    // GFM task lists: a disabled checkbox
    input: ['type', 'checked', 'disabled'],
  },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['data'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // an image is a data:image URI (the CSP loads nothing else); a checkbox stays a disabled checkbox
  exclusiveFilter: (frame) =>
    (frame.tag === 'img' && !/^data:image\/(png|jpeg|gif|webp|svg\+xml)[;,]/i.test(frame.attribs.src ?? '')) || (frame.tag === 'input' && frame.attribs.type !== 'checkbox'),
  transformTags: { input: (tagName, attribs) => ({ tagName, attribs: { ...attribs, disabled: '' } }) },
};

/** Analyst HTML reduced to the allowlist above. */
export function sanitizeAnalystHtml(html: string): string {
  return sanitizeHtml(html, ANALYST_HTML);
}

export function buildMarkdown(section: MarkdownSection, ctx: SectionContext): SectionModel {
  let text = section.text ?? '';
  if (section.file) {
    text = readUserFile(section.file, { what: `section ${ctx.index + 1} (markdown)`, shown: displayPath(ctx.config.dir, section.file), location: ctx.config.yaml.locate(['sections', ctx.index, 'file']) }, 'utf8');
  }
  const html = renderMarkdown(text, ctx, ['sections', ctx.index, section.file ? 'file' : 'text']);
  return { type: 'markdown', id: section.id ?? ctx.nextId('notes'), title: section.title ?? '', level: 2, html };
}
