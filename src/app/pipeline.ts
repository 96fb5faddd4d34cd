/**
 * One build, start to finish, without touching the output folder: config → plan → sources →
 * metrics → report model → HTML and metrics.json in memory. Config and sources are loaded once and
 * can be reported on for several periods. `build` (the CLI) and `dev` (the preview) both run these
 * stages; the preview runs them in lenient mode, where a problem that belongs to one section or
 * metric is kept for that section's cell (config.sectionErrors, Loaded.metricErrors,
 * ComputedMetrics.sectionErrors — all shown by the report model, located once) instead of stopping
 * the build. The callers decide where to write.
 */
import * as aq from 'arquero';
import type { Config } from '../config/load.js';
import { suggestion } from '../kernel/suggest.js';
import { CxError } from '../kernel/errors.js';
import { loadConfig } from './config.js';
import type { MetricCache } from './incremental.js';
import { checkCoverage } from '../metrics/coverage.js';
import { computeMetrics, prepareAll, resolvePeriod, type ComputedMetrics } from '../metrics/index.js';
import type { Prepared } from '../metrics/module.js';
import { buildReport } from '../report/build.js';
import type { ReportModel } from '../report/model.js';
import { renderHtml } from '../render/html.js';
import { metricsJson } from '../render/metrics-json.js';
import { loadSources } from '../sources/index.js';
import { isPushdown, settleRowCounts, type PushdownSource } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';

export interface LoadRequest {
  configPath: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** told what is being loaded ("sources", "metrics"), for progress output */
  progress?: (detail: string) => void;
  /** keep going past problems that belong to one section or metric (the preview) */
  lenient?: boolean;
  /** told the config as soon as it is read, before the data loads (the build starts its browser then) */
  onConfig?: (config: Config) => void;
}

export interface Loaded {
  config: Config;
  /** the matrix segment the sources are filtered to, if any */
  segment?: { column: string; value: string };
  sources: Map<string, SourceTable>;
  prepared: Map<string, Prepared>;
  /** lenient mode: metrics that could not be prepared, with their error (shown by the sections that use them) */
  metricErrors: Map<string, CxError>;
  env: Record<string, string | undefined>;
}

export interface PeriodBuild {
  computed: ComputedMetrics;
  model: ReportModel;
}

export interface BuildResult extends Loaded, PeriodBuild {
  html: string;
  metrics: string;
}

/** SOURCE_DATE_EPOCH from the environment, if set and valid. */
export function sourceDateEpoch(env: Record<string, string | undefined>): number | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Loads and validates the config, its sources and every metric's rows (once per build). */
export async function load(request: LoadRequest): Promise<Loaded> {
  const env = request.env ?? process.env;
  const config = await loadConfig(request.configPath, { env, cwd: request.cwd, lenient: request.lenient });
  request.onConfig?.(config);
  return loadData(config, env, { progress: request.progress });
}

/**
 * Loads the sources of a loaded config (or reuses `sources`, already loaded for it) and prepares
 * every metric's rows. In lenient mode a metric that fails is left out and its error kept.
 */
export async function loadData(config: Config, env: Record<string, string | undefined>, options: { progress?: (detail: string) => void; sources?: Map<string, SourceTable>; cache?: MetricCache } = {}): Promise<Loaded> {
  options.progress?.(`sources (${Object.keys(config.sources).length})`);
  const sources = options.sources ?? (await loadSources(config));
  options.progress?.(`metrics (${Object.keys(config.metrics).length})`);
  const metricErrors = new Map<string, CxError>();
  const errors = config.lenient ? metricErrors : undefined;
  const prepared = options.cache ? await options.cache.prepare(config, sources, errors) : await prepareAll(config, sources, errors);
  // counted while the metrics aggregated
  await settleRowCounts(sources);
  return { config, sources, prepared, metricErrors, env };
}

/** The matrix segments of a config (one per value), or a single unsegmented build. */
export function segmentsOf(config: Config): ({ column: string; value: string } | undefined)[] {
  if (!config.matrix) return [undefined];
  const [[column, values]] = Object.entries(config.matrix);
  return values.map((v) => ({ column, value: String(v) }));
}

/** The loaded data filtered to one matrix segment: every source with the column keeps matching rows only. */
export async function forSegment(loaded: Loaded, segment: { column: string; value: string }): Promise<Loaded> {
  const { config } = loaded;
  const sources = new Map<string, SourceTable>();
  let applied = 0;
  for (const [name, source] of loaded.sources) {
    if (!source.columns.some((c) => c.name === segment.column)) {
      sources.set(name, source);
      continue;
    }
    applied++;
    if (isPushdown(source)) {
      const sql = source.sql.filtered(segment.column, segment.value);
      const count = Number((await sql.run(sql.countSql())).rows[0][0]);
      const filtered: PushdownSource = { ...source, sql, rowCount: count };
      sources.set(name, filtered);
      continue;
    }
    const keep = (d: Record<string, unknown>) => d[segment.column] !== null && String(d[segment.column]).trim() === segment.value;
    const table = source.table.filter(aq.escape(keep)).reify();
    sources.set(name, { ...source, table, rowCount: table.numRows() });
  }
  if (applied === 0) {
    throw new CxError('config', `matrix column "${segment.column}" is not a column of any source`, {
      location: config.yaml.locate(['matrix', segment.column], { key: true }),
      hint: suggestion(segment.column, [...new Set([...loaded.sources.values()].flatMap((s) => s.columns.map((c) => c.name)))], 'columns'),
    });
  }
  return { ...loaded, sources, prepared: await prepareAll(config, sources), metricErrors: new Map(), segment };
}

/** The report model for one period (the requested, configured or latest one); `onMetric` is told which metric is being computed. */
export function modelFor(loaded: Loaded, period?: string, onMetric?: (id: string, index: number, total: number) => void, cache?: MetricCache): PeriodBuild {
  const key = resolvePeriod(loaded.config, loaded.prepared, period);
  const lenient = loaded.config.lenient === true;
  const computed = cache ? cache.compute(loaded.config, loaded.prepared, loaded.sources, key, loaded.metricErrors, onMetric) : computeMetrics(loaded.config, loaded.prepared, loaded.sources, key, loaded.metricErrors, onMetric);
  // a metric left empty by exclusions stops the build; heavy exclusion is a warning (the preview shows what there is)
  if (!lenient) computed.warnings = checkCoverage(loaded.config, loaded.sources, loaded.prepared, computed.results, computed.period);
  const model = buildReport(loaded.config, loaded.sources, computed, { sourceDateEpoch: sourceDateEpoch(loaded.env), segment: loaded.segment, lenient });
  return { computed, model };
}

/** HTML and metrics.json of one period. */
export async function renderPeriod(loaded: Loaded, built: PeriodBuild): Promise<{ html: string; metrics: string }> {
  const { pdf } = loaded.config.outputs;
  const html = await renderHtml(built.model, { cover: pdf.cover, toc: pdf.toc });
  return { html, metrics: metricsJson(built.computed, built.model) };
}

/** A full build of one period in memory: the HTML report and metrics.json text. */
export async function build(request: LoadRequest & { period?: string }): Promise<BuildResult> {
  const loaded = await load(request);
  const built = modelFor(loaded, request.period);
  return { ...loaded, ...built, ...(await renderPeriod(loaded, built)) };
}
