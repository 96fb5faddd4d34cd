/** Builds the report model from the config, the loaded sources and the computed metrics. */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Config } from '../config/load.js';
import { CxError, CxErrors, formatLocation, redactSecrets, redactedSnippet } from '../kernel/errors.js';
import { displayPath, readUserFile } from '../kernel/user-files.js';
import type { ComputedMetrics } from '../metrics/index.js';
import { periodStart, shiftPeriod } from '../kernel/period.js';
import type { SourceTable } from '../sources/types.js';
import { localeContext, type SectionContext } from './context.js';
import { dayLabelIn, periodLabelIn } from '../kernel/i18n.js';
import { labelling } from './labels.js';
import type { ReportModel, SectionModel, ShownError } from './model.js';
import { resolveTheme } from '../kernel/theme.js';
import { slug } from './sections/common.js';
import { buildSection, type SectionDef } from './sections/index.js';
import { buildMethods } from './sections/methods.js';
import { linkSentences } from './links.js';

export interface BuildOptions {
  /** seconds since the epoch to stamp the build with (SOURCE_DATE_EPOCH); default: the data's last day */
  sourceDateEpoch?: number;
  /** the matrix segment this report is filtered to */
  segment?: { column: string; value: string };
  /** show a failing section's error in its place instead of failing the build (the preview) */
  lenient?: boolean;
}

/** A CxError as shown in a section's place. */
export function shownError(error: CxError): ShownError {
  const loc = error.location;
  const shown = loc && redactedSnippet(loc);
  return {
    where: loc ? redactSecrets(formatLocation(loc)) : '',
    message: redactSecrets(error.message),
    snippet: loc && shown ? `${loc.line} | ${shown.snippet}` : undefined,
    caret: loc && shown ? `${' '.repeat(String(loc.line).length)} | ${' '.repeat(Math.max(0, shown.column - 1))}^` : undefined,
    hint: error.hint === undefined ? undefined : redactSecrets(error.hint),
  };
}

const MIME: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

function logoDataUri(config: Config): string | undefined {
  const path = config.report.logo;
  if (!path) return undefined;
  const mime = MIME[extname(path).toLowerCase()];
  if (!mime) throw new CxError('config', `report.logo must be an SVG, PNG or JPEG file: ${path}`, { location: config.yaml.locate(['report', 'logo']) });
  return `data:${mime};base64,${readUserFile(path, { what: 'report.logo', shown: displayPath(config.dir, path), location: config.yaml.locate(['report', 'logo']) }).toString('base64')}`;
}

/** The user's templates folder: `templates:` from the config, else ./templates beside it when present. */
export function templatesDir(config: Config): string | undefined {
  if (config.templates) {
    if (!existsSync(config.templates)) throw new CxError('config', `templates folder not found: ${config.templates}`, { location: config.yaml.locate(['templates']), hint: 'paths are relative to the config file' });
    return config.templates;
  }
  const implicit = join(config.dir, 'templates');
  return existsSync(join(implicit, 'partials')) || existsSync(join(implicit, 'style.css')) || existsSync(join(implicit, 'layout.hbs')) ? implicit : undefined;
}

/** The report model for the computed period. */
export function buildReport(config: Config, sources: Map<string, SourceTable>, computed: ComputedMetrics, options: BuildOptions = {}): ReportModel {
  const granularity = config.report.period.granularity;
  const locale = config.report.locale ?? 'en';
  const local = localeContext(locale);
  const { t } = local;
  const used = new Set<string>();
  const nextId = (prefix: string) => {
    const base = slug(prefix);
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}-${i}`;
    used.add(id);
    return id;
  };
  // a column's label from its source (a survey platform's question text, or `label:` in `columns:`)
  const columnLabel = (metric: string, column: string) => {
    const source = (config.metrics[metric] as { source?: unknown } | undefined)?.source;
    return (typeof source === 'string' ? sources.get(source)?.labels?.[column] : undefined) ?? column;
  };
  const ctx = (index: number): SectionContext => ({ config, computed, granularity, index, nextId, columnLabel, ...labelling(config), ...local });
  const userTemplates = templatesDir(config);
  const sections: SectionModel[] = config.sections.map((section, i) => {
    const where = { sourceLine: config.yaml.locate(['sections', i]).line, yaml: config.yaml.textOf(['sections', i]) };
    const failed = (errors: CxError[]): SectionModel => ({
      type: 'error',
      id: nextId(`section-${i + 1}-error`),
      title: (section as { title?: string }).title ? t('error.sectionTitled', { n: i + 1, title: (section as { title?: string }).title! }) : t('error.section', { n: i + 1 }),
      level: 2,
      sectionType: String((config.yaml.node(['sections', i, 'type']) as { value?: unknown } | undefined)?.value ?? section.type),
      errors: errors.map(shownError),
      ...where,
    });
    const known = [...(config.sectionErrors?.get(i) ?? []), ...(computed.sectionErrors?.get(i) ?? [])];
    if (known.length > 0) return failed(known);
    try {
      const model = buildSection(section as SectionDef, ctx(i), userTemplates);
      if (typeof section.id === 'string') used.add(section.id);
      else if (!used.has(model.id)) used.add(model.id);
      return { ...model, ...where };
    } catch (error) {
      if (options.lenient && error instanceof CxError) return failed([error]);
      if (options.lenient && error instanceof CxErrors) return failed(error.errors);
      throw error;
    }
  });
  linkSentences(config.sections as SectionDef[], sections);
  sections.push(buildMethods(ctx(-1), sources));

  const periodEnd = periodStart(shiftPeriod(computed.period, 1, granularity), granularity) - 1;
  let lastData = -Infinity;
  for (const p of computed.prepared.values()) lastData = Math.max(lastData, p.lastTimestamp(computed.period) ?? -Infinity);
  // granularity all has no period end: without any dated row, "data through" is unknown and the
  // build is stamped with today (UTC midnight) unless SOURCE_DATE_EPOCH says otherwise
  const undated = granularity === 'all' && !Number.isFinite(lastData);
  if (undated) lastData = Math.floor(Date.now() / 86_400_000) * 86_400_000;
  else if (!Number.isFinite(lastData)) lastData = periodEnd;
  const stamp = options.sourceDateEpoch !== undefined ? options.sourceDateEpoch * 1000 : Math.min(lastData, periodEnd);
  return {
    lang: locale,
    theme: resolveTheme(config.theme),
    templatesDir: userTemplates,
    title: options.segment ? `${config.report.title} — ${options.segment.value}` : config.report.title,
    subtitle: options.segment ? [config.report.subtitle, `${options.segment.column}: ${options.segment.value}`].filter(Boolean).join(' · ') : config.report.subtitle,
    organisation: config.report.organisation,
    author: config.report.author,
    confidentiality: config.report.confidentiality,
    logo: logoDataUri(config),
    period: { key: computed.period, label: periodLabelIn(locale, computed.period, granularity) },
    // granularity all: no previous period (an empty label: templates leave out the comparison)
    previousPeriod: { key: computed.previousPeriod, label: granularity === 'all' ? '' : periodLabelIn(locale, computed.previousPeriod, granularity) },
    dataThrough: undated ? '—' : dayLabelIn(locale, Math.min(lastData, periodEnd)),
    generated: new Date(stamp).toISOString(),
    generatedLabel: dayLabelIn(locale, stamp),
    sections,
    toc: sections.filter((s) => s.title).map((s) => ({ id: s.id, title: s.title, level: s.level })),
  };
}
