/**
 * The VS Code notebook's runner state: one config, its sources and its prepared metrics, cached for
 * the session, and a cell — one section, or a header part — built through the same stages as
 * `cxreport build` and `cxreport dev`, in the preview's lenient mode (loadConfig lenient →
 * loadSources → prepareAll with an errors map → computeMetrics → buildReport lenient →
 * renderSectionFragments), so a failing section shows its own located error in its output.
 *
 * What differs from the preview (src/preview/session.ts) is the unit of work, not the pipeline:
 * the config text comes from the editor (unsaved edits included), and a cell computes only the
 * metrics its section shows. Every metric is prepared (it is cheap and the report period is the
 * latest period over all of them, as in the report); the costly step, computing a metric for the
 * period, is done for the section's metrics only and cached, so "Run all" computes each metric
 * once. A metric is computed with the whole config, as in the build (breakdown columns, shown
 * periods and drivers come from every section naming it), so a cell shows the report's numbers.
 */
import { full } from '../app/schema.js';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type Config } from '../config/load.js';
import { parseConfig } from '../app/config.js';
import { loadChartChecks } from '../report/sections/custom.js';
import { CxError, CxErrors, redactSecrets } from '../kernel/errors.js';
import { fileStamp } from '../kernel/user-files.js';
import { resolvePeriod, type ComputedMetrics } from '../metrics/index.js';
import { MetricCache } from '../app/incremental.js';
import type { Prepared } from '../metrics/module.js';
import { setDateRange } from '../kernel/period.js';
import { sourceDateEpoch } from '../app/pipeline.js';
import { buildReport, shownError, templatesDir } from '../report/build.js';
import { asLocale, periodLabelIn } from '../kernel/i18n.js';
import type { ReportModel, SectionModel, ShownError } from '../report/model.js';
import { partialNames, renderSectionFragments, renderSections } from '../render/html.js';
import { OUTPUT_CLASS, outputStylesheet } from '../render/scope-css.js';
import { dateColumns, loadSources } from '../sources/index.js';
import type { SourceTable } from '../sources/types.js';
import { settleRowCounts } from '../sources/sql.js';

/** A problem as a cell shows it, and where it is (for the editor's diagnostics). */
export interface CellError extends ShownError {
  file?: string;
  line?: number;
  column?: number;
  severity: 'error' | 'warning';
}

export interface CellOutput {
  ok: boolean;
  /** the section (or header part) as it renders, wrapped in `.cxreport-cell` with its scoped stylesheet */
  html: string;
  /** the section's charts as SVG documents, main chart first */
  svg: string[];
  /** a plain-text summary */
  text: string;
  errors: CellError[];
  /** the report period the values are for */
  period?: string;
  ms: number;
}

export interface SectionOutput extends CellOutput {
  index: number;
  type: string;
  title: string;
}

/** What a section that is not being run is replaced by (as loadConfig's lenient placeholder). */
const PLACEHOLDER = { type: 'markdown', text: '' } as const;


const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function cellError(error: CxError, severity: CellError['severity'] = 'error'): CellError {
  const loc = error.location;
  return { ...shownError(error), file: loc?.file, line: loc?.line, column: loc?.column, severity };
}

/** Any thrown value as cell errors (CxError(s) located; anything else an internal error). */
export function cellErrors(error: unknown): CellError[] {
  if (error instanceof CxErrors) return error.errors.map((e) => cellError(e));
  if (error instanceof CxError) return [cellError(error)];
  return [{ where: '', message: `internal error: ${redactSecrets(error instanceof Error ? error.message : String(error))}`, hint: 'this is a bug in cxreport; the runner log has the stack trace', severity: 'error' }];
}

/** Errors as the report's error partial shows them, in a `.cxreport-cell`. */
function errorHtml(css: string, title: string, errors: CellError[]): string {
  const items = errors
    .map((e) => `<div class="error-item"><p class="error-message">${e.where ? `<code>${escape(e.where)}</code> ` : ''}${escape(e.message)}</p>${e.snippet ? `<pre class="error-snippet">${escape(e.snippet)}\n${escape(e.caret ?? '')}</pre>` : ''}${e.hint ? `<p class="error-hint">hint: ${escape(e.hint)}</p>` : ''}</div>`)
    .join('');
  return wrap(css, `<section class="section section-error" data-section-type="error" role="alert"><h2>${escape(title)}</h2>${items}</section>`);
}

function wrap(css: string, body: string, attrs = ''): string {
  return `<style>${css}</style>\n<div class="${OUTPUT_CLASS}"${attrs}>${body}</div>`;
}

const errorsText = (errors: CellError[]) => errors.map((e) => [`${e.where ? `${e.where}: ` : ''}${e.message}`, e.snippet && `  ${e.snippet}\n  ${e.caret ?? ''}`, e.hint && `  hint: ${e.hint}`].filter(Boolean).join('\n')).join('\n\n');

/** The metric ids a markdown text or template names as `metrics.<id>`; 'all' when it uses `metrics` otherwise (each, lookup). */
export function metricsNamedIn(text: string): string[] | 'all' {
  const named = [...text.matchAll(/\bmetrics\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]);
  const mentions = [...text.matchAll(/\bmetrics\b/g)].length;
  return mentions === named.length ? [...new Set(named)] : 'all';
}

/** The metrics a section shows (its `metric`/`metrics`, or those its Markdown or partial names), or 'all'. */
export function sectionMetrics(config: Config, index: number): string[] | 'all' {
  const s = config.sections[index] as Record<string, unknown>;
  // the highlights scan (its own section, and the executive summary's "what moved") ranks every metric's changes together
  if (s.type === 'highlights' || s.type === 'summary') return 'all';
  const ids = new Set<string>();
  if (typeof s.metric === 'string') ids.add(s.metric);
  if (Array.isArray(s.metrics)) for (const m of s.metrics) if (typeof m === 'string') ids.add(m);
  let text: string | undefined;
  try {
    if (s.type === 'markdown') text = typeof s.text === 'string' ? s.text : typeof s.file === 'string' ? readFileSync(s.file, 'utf8') : '';
    if (s.type === 'custom' && typeof s.partial === 'string') {
      const dir = templatesDir(config);
      const own = dir && partialNames(dir).includes(s.partial) ? join(dir, 'partials', `${s.partial}.hbs`) : undefined;
      text = own ? readFileSync(own, 'utf8') : undefined;
      if (text === undefined) return 'all';
    }
  } catch {
    // the section's own build reports the unreadable file
    return [...ids];
  }
  if (text !== undefined) {
    const named = metricsNamedIn(text);
    // an unknown name fails the section; its hint lists every metric, so compute them all
    if (named === 'all' || named.some((id) => !Object.hasOwn(config.metrics, id))) return 'all';
    named.forEach((id) => ids.add(id));
  }
  return [...ids];
}

export interface SessionOptions {
  env?: Record<string, string | undefined>;
  /** paths in messages are shown relative to this folder */
  cwd: string;
}

export class NotebookSession {
  private parsed?: { key: string; config?: Config; errors: CellError[] };
  private sources?: { key: string; tables: Map<string, SourceTable> };
  /** prepared rows and results kept between runs: the preview's cache (app/incremental.ts), asked for a cell's metrics only */
  private cache = new MetricCache();
  private readonly env: Record<string, string | undefined>;
  private styles = new Map<string, string>();
  /** what the last run had to do (for tests and the log) */
  last = { loadedSources: false, prepared: [] as string[], computed: [] as string[] };

  constructor(private readonly options: SessionOptions) {
    this.env = options.env ?? process.env;
  }

  /** Parses and validates the config text (lenient); cached while the text is the same. */
  private parse(path: string, text: string): { config?: Config; errors: CellError[] } {
    const key = `${path}\u0000${text}`;
    if (this.parsed?.key === key) return this.parsed;
    let result: { key: string; config?: Config; errors: CellError[] };
    try {
      const config = parseConfig(text, { file: path, shownAs: relative(this.options.cwd, path) || path, env: this.env, lenient: true });
      const errors = [...(config.sectionErrors?.values() ?? [])].flat().map((e) => cellError(e));
      result = { key, config, errors };
    } catch (error) {
      result = { key, errors: cellErrors(error) };
    }
    this.parsed = result;
    return result;
  }

  /** How many sections the config text has (0 when it does not parse). */
  sectionCount(path: string, text: string): number {
    return this.parse(path, text).config?.sections.length ?? 0;
  }

  /** The config's problems that need no data: syntax, schema, references (the editor's diagnostics). */
  validate(path: string, text: string): CellError[] {
    return this.parse(path, text).errors;
  }

  private async tables(config: Config): Promise<Map<string, SourceTable>> {
    // the loaders also read the date columns the metrics name (dateColumns)
    const dates = [...dateColumns(config)].map(([name, columns]) => [name, [...columns].sort()]);
    const key = JSON.stringify([config.sources, Object.values(full(config).sources).map((s) => ('path' in s ? fileStamp(s.path) : 'query')), dates]);
    this.last.loadedSources = false;
    if (this.sources?.key !== key) {
      // new tables: the cache sees other sources and prepares again
      this.sources = { key, tables: await loadSources(config) };
      this.last.loadedSources = true;
    }
    return this.sources.tables;
  }

  /** Every metric prepared (kept while unchanged), and the errors of those that failed (prepared again next time, so their errors point at where their definitions are then). */
  private async prepareAll(config: Config, sources: Map<string, SourceTable>): Promise<{ prepared: Map<string, Prepared>; errors: Map<string, CxError> }> {
    const errors = new Map<string, CxError>();
    const prepared = await this.cache.prepare(config, sources, errors);
    // counted while the metrics aggregated
    await settleRowCounts(sources);
    this.last.prepared = this.cache.lastPrepared;
    return { prepared, errors };
  }

  /** The stylesheet of an output (scoped), cached per theme and templates. */
  private async stylesheet(model: ReportModel): Promise<string> {
    const { css } = await renderSectionFragments({ ...model, sections: [] }, []);
    let scoped = this.styles.get(css);
    if (!scoped) {
      scoped = outputStylesheet(css);
      this.styles.set(css, scoped);
    }
    return scoped;
  }

  /** The config, data and period, or the errors that stop every cell. */
  private async ready(path: string, text: string, period?: string) {
    const { config, errors } = this.parse(path, text);
    if (!config) return { errors };
    await loadChartChecks(config);
    // the plausible dates are process-wide; the parse that set them may have been another config's
    setDateRange(config.report.date_range);
    const sources = await this.tables(config);
    const { prepared, errors: metricErrors } = await this.prepareAll(config, sources);
    const key = resolvePeriod(config, prepared, period);
    return { config, sources, prepared, metricErrors, period: key, errors };
  }

  /** The results for the period of the metrics `ids` (those the cells show), computing (with the whole config) only those not kept. */
  private compute(config: Config, sources: Map<string, SourceTable>, prepared: Map<string, Prepared>, metricErrors: Map<string, CxError>, period: string, ids: string[]): ComputedMetrics {
    const wanted = new Map(ids.filter((id) => prepared.has(id)).map((id) => [id, prepared.get(id)!]));
    const computed = this.cache.compute(config, wanted, sources, period, metricErrors);
    this.last.computed = this.cache.lastComputed;
    // every prepared metric stays available to the model (resolvePeriod, coverage); results only for those asked
    return { ...computed, prepared };
  }

  /** Runs sections (each one cell): their outputs in the order asked. */
  async runSections(path: string, text: string, indices: number[], period?: string): Promise<SectionOutput[]> {
    const start = performance.now();
    const elapsed = () => Math.round(performance.now() - start);
    const fallbackCss = outputStylesheet(readDefaultCss());
    const failAll = (errors: CellError[], title: string) =>
      indices.map((index): SectionOutput => ({ index, ok: false, type: 'error', title, html: errorHtml(fallbackCss, title, errors), svg: [], text: errorsText(errors), errors, ms: elapsed() }));
    let state;
    try {
      state = await this.ready(path, text, period);
    } catch (error) {
      return failAll(cellErrors(error), 'The report cannot be built');
    }
    const { config, sources, prepared, metricErrors } = state;
    if (!config || !sources || !prepared || !metricErrors || !state.period) return failAll(state.errors, 'The config has errors');
    const wanted = indices.filter((i) => i >= 0 && i < config.sections.length);
    const out: SectionOutput[] = [];
    for (const i of indices) {
      if (!wanted.includes(i)) {
        const errors: CellError[] = [{ where: '', message: `there is no section ${i + 1} in the config (it has ${config.sections.length})`, severity: 'error' }];
        out.push({ index: i, ok: false, type: 'error', title: `Section ${i + 1}`, html: errorHtml(fallbackCss, `Section ${i + 1}`, errors), svg: [], text: errorsText(errors), errors, ms: elapsed() });
      }
    }
    let model: ReportModel;
    let css: string;
    try {
      const ids = new Set<string>();
      for (const i of wanted) {
        const named = config.sectionErrors?.has(i) ? [] : sectionMetrics(config, i);
        (named === 'all' ? Object.keys(config.metrics) : named).forEach((id) => ids.add(id));
      }
      const computed = this.compute(config, sources, prepared, metricErrors, state.period, [...ids]);
      // the other sections are placeholders: the model keeps every section's index and YAML position
      const only = { ...config, sections: config.sections.map((s, j) => (wanted.includes(j) ? s : (PLACEHOLDER as unknown as typeof s))) } as Config;
      model = buildReport(only, sources, computed, { sourceDateEpoch: sourceDateEpoch(this.env), lenient: true });
      css = await this.stylesheet(model);
    } catch (error) {
      return [...out, ...failAll(cellErrors(error), 'The report cannot be built').filter((o) => wanted.includes(o.index))].sort((a, b) => indices.indexOf(a.index) - indices.indexOf(b.index));
    }
    const periodLabel = periodLabelIn(asLocale(model.lang), state.period, config.report.period.granularity);
    for (const i of wanted) {
      const section = model.sections[i];
      try {
        out.push(await this.renderSection(model, section, i, css, periodLabel, start));
      } catch (error) {
        const errors = cellErrors(error);
        out.push({ index: i, ok: false, type: section.type, title: section.title, html: errorHtml(css, section.title || `Section ${i + 1}`, errors), svg: [], text: errorsText(errors), errors, ms: elapsed() });
      }
    }
    return out.sort((a, b) => indices.indexOf(a.index) - indices.indexOf(b.index));
  }

  private async renderSection(model: ReportModel, section: SectionModel, index: number, css: string, periodLabel: string, start: number): Promise<SectionOutput> {
    const sub = { ...model, sections: [section] };
    const rendered = await renderSections(sub);
    const { fragments } = await renderSectionFragments(sub, rendered);
    const r = rendered[0] as { chart?: { svg?: string }; blocks?: { chart?: { svg?: string } }[]; cards?: { sparkline?: { svg?: string } }[] };
    const svg = [r.chart?.svg, ...(r.blocks ?? []).map((b) => b.chart?.svg), ...(r.cards ?? []).map((c) => c.sparkline?.svg)].filter((s): s is string => typeof s === 'string');
    const failed = section.type === 'error';
    const errors: CellError[] = failed ? section.errors.map((e) => ({ ...e, ...whereParts(e.where), severity: 'error' as const })) : [];
    const attrs = ` data-cxreport-section="${index}" data-cxreport-period="${escape(model.period.key)}"`;
    const text = failed
      ? errorsText(errors)
      : section.type === 'kpis'
        ? [`${section.title} — ${periodLabel}`, ...section.cards.map((c) => `${c.label}: ${c.value}${c.scaleNote ? ` ${c.scaleNote}` : ''} (${c.ci}; ${c.n}; ${c.delta})`)].join('\n')
        : `${section.type}: ${section.title} — ${periodLabel}`;
    return { index, ok: !failed, type: failed ? section.sectionType : section.type, title: section.title, html: wrap(css, fragments[0], attrs), svg, text, errors, period: model.period.key, ms: Math.round(performance.now() - start) };
  }

  /** A header cell (report, sources, metrics…): the config checked, the data loaded, and an overview of that part. */
  async runHeader(path: string, text: string, key: string, period?: string): Promise<CellOutput> {
    const start = performance.now();
    const css = outputStylesheet(readDefaultCss());
    const ms = () => Math.round(performance.now() - start);
    let state;
    try {
      state = await this.ready(path, text, period);
    } catch (error) {
      const errors = cellErrors(error);
      return { ok: false, html: errorHtml(css, 'The report cannot be built', errors), svg: [], text: errorsText(errors), errors, ms: ms() };
    }
    const { config, sources, prepared, metricErrors } = state;
    if (!config || !sources || !prepared || !metricErrors || !state.period) {
      return { ok: false, html: errorHtml(css, 'The config has errors', state.errors), svg: [], text: errorsText(state.errors), errors: state.errors, ms: ms() };
    }
    const label = periodLabelIn(asLocale(config.report.locale ?? 'en'), state.period, config.report.period.granularity);
    const lines: string[] = [];
    let body = '';
    const table = (head: string[], rows: string[][]) =>
      `<table class="data-table"><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
    const metricErrorsShown = [...metricErrors.values()].map((e) => cellError(e));
    if (key === 'sources') {
      const rows = [...sources.values()].map((s) => [s.name, s.file, s.rowCount.toLocaleString('en'), s.columns.map((c) => `${c.name} (${c.type})`).join(', ')]);
      rows.forEach((r) => lines.push(`${r[0]}: ${r[2]} rows — ${r[3]}`));
      body = table(['source', 'file', 'rows', 'columns'], rows) + [...sources.values()].flatMap((s) => (s.notes ?? []).map((n) => `<p class="table-note">${escape(s.name)}: ${escape(n)}</p>`)).join('');
    } else if (key === 'metrics') {
      const rows = Object.entries(config.metrics).map(([id, m]) => {
        const p = prepared.get(id);
        return [id, m.type, String((m as { source?: unknown }).source ?? ''), p ? (p.latestPeriod() ?? '—') : 'error', p ? 'ready' : (metricErrors.get(id)?.message ?? 'not prepared')];
      });
      rows.forEach((r) => lines.push(`${r[0]} (${r[1]}): ${r[4]}`));
      body = table(['metric', 'type', 'source', 'latest period', 'status'], rows);
    } else {
      lines.push(`${Object.keys(config.sources).length} sources, ${Object.keys(config.metrics).length} metrics, ${config.sections.length} sections`);
      body = `<p>${escape(lines[0])}.</p>`;
    }
    const title = `${config.report.title} — ${label}`;
    const errors = [...state.errors, ...(key === 'metrics' ? metricErrorsShown : [])];
    const html = wrap(css, `<section class="section" data-section-type="header"><h2>${escape(title)}</h2><p class="section-intro">Report period ${escape(label)} (${escape(state.period)}), data loaded once for this notebook session.</p>${body}</section>${errors.length ? errorHtml(css, 'Problems', errors).replace(/^<style>[\s\S]*?<\/style>\n/, '') : ''}`, ` data-cxreport-header="${escape(key)}" data-cxreport-period="${escape(state.period)}"`);
    return { ok: true, html, svg: [], text: [title, ...lines].join('\n'), errors, period: state.period, ms: ms() };
  }
}

/** "file:12:5" → its parts. */
function whereParts(where: string): { file?: string; line?: number; column?: number } {
  const m = /^(.*):(\d+):(\d+)$/.exec(where);
  return m ? { file: m[1], line: Number(m[2]), column: Number(m[3]) } : {};
}

let defaultCss: string | undefined;
/** The default theme's stylesheet (for outputs that have no report model: errors that stop every cell). */
function readDefaultCss(): string {
  if (defaultCss === undefined) {
    const dir = new URL('../../templates/default/', import.meta.url);
    defaultCss = readFileSync(new URL('style.css', dir), 'utf8');
  }
  return defaultCss;
}
