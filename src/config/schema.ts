/**
 * The config schema: one source of truth for validation, defaults, types and the JSON Schema that
 * editors use (`cxreport schema`). Metric and section types contribute their own schemas from
 * their modules; this file composes them.
 */
import { z } from 'zod';
import { LOCALES } from '../kernel/i18n.js';
import { DEFAULT_DATE_RANGE, utcMs } from '../kernel/period.js';

/** Names that would reach JavaScript's object machinery if used as keys; no source, metric or section may take them. */
export const RESERVED_NAMES = ['__proto__', 'constructor', 'prototype'];

/**
 * A period key as written in a config: month "2026-10", quarter "2026-Q4", year "2026" or "all".
 * Whether it fits the report's granularity and the plausible date range is checked once the
 * whole config is known (config/load.ts).
 */
export const periodKeySchema = z.string().regex(/^(\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?|all)$/, 'not a period key: use "2026-10" (month), "2026-Q4" (quarter), "2026" (year) or "all"');

const periodKey = periodKeySchema.describe('A period key: "2026-10" (month), "2026-Q4" (quarter), "2026" (year) or "all" (granularity all).');

/** An ISO calendar date from year 0001 to 9999. */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like "1900-01-01"')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number);
    return y >= 1 && new Date(utcMs(y, m, d)).getUTCDate() === d && m >= 1 && m <= 12;
  }, 'not a calendar date (year 0001 to 9999)');

export const reportSchema = z
  .strictObject({
    title: z.string().min(1).describe('Report title, on the cover and in the running header.').meta({ examples: ['Customer Satisfaction'] }),
    subtitle: z.string().optional().describe('Line under the title.'),
    organisation: z.string().optional().describe('Organisation named on the cover and in the PDF metadata.'),
    author: z.string().optional().describe('Author for the cover and the PDF metadata.'),
    confidentiality: z.string().optional().describe('Confidentiality line on the cover, e.g. "Confidential — internal use only".'),
    logo: z.string().optional().describe('Path of a logo image (SVG or PNG), relative to this file; embedded in the report.'),
    period: z
      .strictObject({
        granularity: z
          .enum(['month', 'quarter', 'year', 'all'])
          .default('month')
          .describe('Length of one reporting period: month, quarter, year, or all — every metric computed once over the whole data (snapshot data, e.g. a churn flag or survival durations without dates): one period "all" labelled "All data", no previous period and no change test.')
          .meta({ examples: ['month', 'all'] }),
        current: z
          .union([z.literal('latest'), periodKey])
          .default('latest')
          .describe('The period the report is about: "latest" (the last period with data) or a key like "2026-10"; with granularity all, "latest" or "all".'),
      })
      .prefault({})
      .describe('Reporting period.'),
    min_sample: z.number().int().positive().default(30).describe('Cells with fewer valid responses are flagged low-sample.'),
    locale: z
      .enum(LOCALES)
      .default('en')
      .describe('Language of the built-in report text (headings, sentences, captions, chart axes, PDF header and footer) and of number, percent and date formats: en (English) or zh-CN (Simplified Chinese). Your own text (titles, labels, Markdown) is shown as written.'),
    date_range: z
      .strictObject({
        min: isoDate.default(DEFAULT_DATE_RANGE.min).describe('Earliest plausible date.'),
        max: isoDate.default(DEFAULT_DATE_RANGE.max).describe('Latest plausible date.'),
      })
      .refine((r) => r.min <= r.max, { message: '`min` must not be after `max`' })
      .prefault({})
      .describe('Plausible dates (inclusive, UTC). A data value dated outside them is not read: the row is excluded and counted ("date outside the plausible range"), so that a typo such as 0026-10-01 or 9999-12-31 cannot become the latest period; report periods must lie inside them.'),
    dimensions: z
      .array(z.string().min(1))
      .optional()
      .describe('Columns the highlights scan breaks every metric down by (each applies to the metrics whose source has it). When left out, they are detected: text columns of each metric\'s source with 2 to 12 distinct non-empty values, not dates.')
      .meta({ examples: [['channel', 'region', 'plan', 'product']] }),
  })
  .describe('Report metadata.');




const colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a hex colour like "#1f4e79"');

/**
 * A CSS font-family list: names of letters, digits, spaces, "_", "-" and "." or quoted names
 * (without quotes, backslashes, ; { } < >), separated by commas. It is written into the report's
 * stylesheet, so nothing that could end a declaration or the <style> element is accepted.
 */
const FONT_FAMILY = String.raw`(?:[\p{L}\p{N} _.-]+|"[^"\\;{}<>\n]*"|'[^'\\;{}<>\n]*')`;
const fontFamilies = z
  .string()
  .regex(new RegExp(`^\\s*${FONT_FAMILY}(?:\\s*,\\s*${FONT_FAMILY})*\\s*$`, 'u'), 'a font-family list like "Inter, \'Noto Sans\', sans-serif" (names or quoted names separated by commas; no ; { } < > or backslashes)');

const lengthSchema = z.string().regex(/^\d+(\.\d+)?(mm|cm|in|px)$/, 'a length like "18mm", "0.75in"');

export const outputsSchema = z
  .strictObject({
    dir: z.string().optional().describe('Output directory, relative to this file; "{period}" is replaced. Default: reports/{period}.'),
    formats: z.array(z.enum(['html', 'pdf', 'ipynb'])).min(1).default(['html', 'pdf']).describe('Formats to write: html (report.html), pdf (report.pdf), ipynb (report.ipynb, a Jupyter notebook with one cell per section).'),
    pdf: z
      .strictObject({
        format: z.enum(['A4', 'Letter']).default('A4').describe('Paper size.'),
        landscape: z.boolean().default(false).describe('Landscape pages instead of portrait.'),
        margin: z
          .strictObject({
            top: lengthSchema.default('20mm').describe('Top margin (holds the running header).'),
            right: lengthSchema.default('18mm').describe('Right margin.'),
            bottom: lengthSchema.default('20mm').describe('Bottom margin (holds the "page X of Y" footer).'),
            left: lengthSchema.default('18mm').describe('Left margin.'),
          })
          .prefault({})
          .describe('Page margins (the running header and footer sit inside the top and bottom margins).'),
        timeout: z.number().positive().default(60).describe('Seconds before printing is abandoned with an error.'),
        cover: z.boolean().default(true).describe('Start with a cover page.'),
        toc: z.boolean().default(true).describe('Include a table of contents with page numbers.'),
      })
      .prefault({})
      .describe('PDF options.'),
  })
  .prefault({})
  .describe('Where and what to write.');

/** The name of a source or metric (also a key in the objects that hold them). */
const nameSchema = z.string().regex(/^[A-Za-z_][\w-]*$/, 'a name of letters, digits, _ and -').refine((n) => !RESERVED_NAMES.includes(n), { message: `a reserved name: ${RESERVED_NAMES.join(', ')} cannot name a source, metric or section` });

/**
 * The config schema from the schemas each layer contributes (a source, a metric and a section
 * definition, usually discriminated unions over their types). The composition happens above the
 * layers (src/app/schema.ts), so that this layer imports none of them.
 */
export function composeConfigSchema<S extends z.ZodType, M extends z.ZodType, X extends z.ZodType>(parts: { source: S; metric: M; section: X }) {
  return z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors.'),
    report: reportSchema,
    sources: z.record(nameSchema, parts.source).describe('Named data sources.'),
    metrics: z.record(nameSchema, parts.metric).describe('Named metrics computed from the sources.'),
    sections: z.array(parts.section).min(1).describe('Report sections, in order.'),
    outputs: outputsSchema,
    theme: z
      .strictObject({
        colors: z
          .strictObject({
            primary: colour.optional().describe('Brand colour: headings, bars, lines.'),
            accent: colour.optional().describe('Highlights: targets, interventions, case-study labels.'),
            good: colour.optional().describe('Changes for the better, promoters.'),
            bad: colour.optional().describe('Changes for the worse, detractors.'),
            neutral: colour.optional().describe('Neutral changes, passives.'),
            ink: colour.optional().describe('Body text.'),
          })
          .optional()
          .describe('Brand colours (hex).'),
        font: fontFamilies.optional().describe('CSS font family for text and charts, e.g. "Inter, Noto Sans, sans-serif" (the font must be installed where the PDF is printed).'),
        palette: z.array(colour).min(2).optional().describe('Categorical chart colours, in order.'),
      })
      .optional()
      .describe('Brand colours, font and chart palette.'),
    templates: z.string().optional().describe('Folder (relative to this file) whose partials override the default theme by name and whose style.css is added after it; default: ./templates when it exists.'),
    matrix: z
      .record(z.string(), z.array(z.union([z.string(), z.number()])).min(1))
      .refine((m) => Object.keys(m).length === 1, { message: 'give exactly one column, e.g. matrix: { region: [EMEA, APAC] }' })
      .optional()
      .describe('Build one report per value of a column, with that filter applied to every source that has the column.')
      .meta({ examples: [{ region: ['North America', 'EMEA', 'APAC', 'LATAM'] }] }),
  })
  .describe('cxreport configuration (cxreport.yaml).');
}

/** The config as every layer sees it: sources, metrics and sections typed only by what all of them share. */
const baseConfigSchema = composeConfigSchema({ source: z.looseObject({ type: z.string() }), metric: z.looseObject({ type: z.string(), source: z.string() }), section: z.looseObject({ type: z.string(), title: z.string().optional() }) });


export type RawConfig = z.infer<typeof baseConfigSchema>;
export type ReportDef = z.infer<typeof reportSchema>;
export type OutputsDef = z.infer<typeof outputsSchema>;
