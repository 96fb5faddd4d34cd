/** Builds the report model from the config, the loaded sources and the computed metrics. */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Config } from '../config/load.js';
import { CxError, CxErrors, formatLocation } from '../errors.js';
import type { ComputedMetrics } from '../metrics/index.js';
import { periodStart, shiftPeriod } from '../metrics/period.js';
import type { SourceTable } from '../sources/types.js';
import { localeContext, type SectionContext } from './context.js';
import { dayLabelIn, periodLabelIn } from './i18n.js';
import type { ReportModel, SectionModel, ShownError } from './model.js';
import { resolveTheme } from './theme.js';
import { slug } from './sections/common.js';
import { buildSection } from './sections/index.js';
import { buildMethods } from './sections/methods.js';

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
  return {
    where: loc ? formatLocation(loc) : '',
    message: error.message,
    snippet: loc?.snippet !== undefined && loc.line !== undefined ? `${loc.line} | ${loc.snippet}` : undefined,
    caret: loc?.snippet !== undefined && loc.line !== undefined ? `${' '.repeat(String(loc.line).length)} | ${' '.repeat(Math.max(0, (loc.column ?? 1) - 1))}^` : undefined,
    hint: error.hint,
  };
}

const MIME: Record<string, string> = { '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

function logoDataUri(config: Config): string | undefined {
  const path = config.report.logo;
  if (!path) return undefined;
  const mime = MIME[extname(path).toLowerCase()];
  if (!mime) throw new CxError('config', `report.logo must be an SVG, PNG or JPEG file: ${path}`, { location: config.yaml.locate(['report', 'logo']) });
  try {
    return `data:${mime};base64,${readFileSync(path).toString('base64')}`;
  } catch {
    throw new CxError('config', `report.logo: file not found: ${path}`, { location: config.yaml.locate(['report', 'logo']), hint: 'paths are relative to the config file' });
  }
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
  const ctx = (index: number): SectionContext => ({ config, computed, granularity, index, nextId, ...local });
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
    const known = config.sectionErrors?.get(i);
    if (known) return failed(known);
    try {
      const model = buildSection(section, ctx(i), userTemplates);
      if (section.id) used.add(section.id);
      else if (!used.has(model.id)) used.add(model.id);
      return { ...model, ...where };
    } catch (error) {
      if (options.lenient && error instanceof CxError) return failed([error]);
      if (options.lenient && error instanceof CxErrors) return failed(error.errors);
      throw error;
    }
  });
  sections.push(buildMethods(ctx(-1), sources));

  const periodEnd = periodStart(shiftPeriod(computed.period, 1, granularity), granularity) - 1;
  let lastData = -Infinity;
  for (const p of computed.prepared.values()) lastData = Math.max(lastData, p.lastTimestamp(computed.period) ?? -Infinity);
  if (!Number.isFinite(lastData)) lastData = periodEnd;
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
    previousPeriod: { key: computed.previousPeriod, label: periodLabelIn(locale, computed.previousPeriod, granularity) },
    dataThrough: dayLabelIn(locale, Math.min(lastData, periodEnd)),
    generated: new Date(stamp).toISOString(),
    generatedLabel: dayLabelIn(locale, stamp),
    sections,
    toc: sections.filter((s) => s.title).map((s) => ({ id: s.id, title: s.title, level: s.level })),
  };
}
