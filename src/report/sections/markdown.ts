/**
 * Markdown: the analyst's prose. The text is a Handlebars template over the computed metrics
 * (formatted for reading: `{{metrics.nps.value}}` gives "+31.2"), then rendered by marked.
 */
import { readFileSync } from 'node:fs';
import Handlebars from 'handlebars';
import { marked } from 'marked';
import { z } from 'zod';
import { CxError } from '../../errors.js';
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
    expanded = Handlebars.compile(text, { strict: true, noEscape: false })(interpolationContext(ctx));
  } catch (error) {
    const lines = (error as Error).message.split('\n').filter((l) => l.trim() !== '');
    const detail = lines.length > 1 ? `${lines[0]} ${lines[lines.length - 1]}` : lines[0];
    throw new CxError('config', `section ${ctx.index + 1}: cannot interpolate the markdown: ${detail}`, {
      location: ctx.config.yaml.locate(path),
      hint: `available: metrics.<name>.value|n|ci|delta|p|significant|previous.value, period.label, previous.label; metrics: ${[...ctx.computed.results.keys()].join(', ')}`,
    });
  }
  return marked.parse(expanded, { async: false, gfm: true }) as string;
}

export function buildMarkdown(section: MarkdownSection, ctx: SectionContext): SectionModel {
  let text = section.text ?? '';
  if (section.file) {
    try {
      text = readFileSync(section.file, 'utf8');
    } catch {
      throw new CxError('config', `section ${ctx.index + 1} (markdown): file not found: ${section.file}`, { location: ctx.config.yaml.locate(['sections', ctx.index, 'file']), hint: 'paths are relative to the config file' });
    }
  }
  const html = renderMarkdown(text, ctx, ['sections', ctx.index, section.file ? 'file' : 'text']);
  return { type: 'markdown', id: section.id ?? ctx.nextId('notes'), title: section.title ?? '', level: 2, html };
}
