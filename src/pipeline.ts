/**
 * One build, start to finish, without touching the output folder: config → sources → metrics →
 * report model → HTML and metrics.json in memory. The CLI (and later the preview server) decide
 * where and how to write.
 */
import type { Config } from './config/load.js';
import { loadConfig } from './config/load.js';
import { computeMetrics, prepareAll, resolvePeriod, type ComputedMetrics } from './metrics/index.js';
import { buildReport } from './report/build.js';
import type { ReportModel } from './report/model.js';
import { renderHtml } from './render/html.js';
import { metricsJson } from './render/metrics-json.js';
import { loadSources } from './sources/index.js';
import type { SourceTable } from './sources/types.js';

export interface BuildRequest {
  configPath: string;
  period?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface BuildResult {
  config: Config;
  sources: Map<string, SourceTable>;
  computed: ComputedMetrics;
  model: ReportModel;
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

/** Loads, computes and builds the model of a report (no rendering). */
export async function buildModel(request: BuildRequest): Promise<Omit<BuildResult, 'html' | 'metrics'>> {
  const env = request.env ?? process.env;
  const config = await loadConfig(request.configPath, { env, cwd: request.cwd });
  const sources = await loadSources(config);
  const prepared = prepareAll(config, sources);
  const period = resolvePeriod(config, prepared, request.period);
  const computed = computeMetrics(config, prepared, period);
  const model = buildReport(config, sources, computed, { sourceDateEpoch: sourceDateEpoch(env) });
  return { config, sources, computed, model };
}

/** A full build in memory: the HTML report and metrics.json text. */
export async function build(request: BuildRequest): Promise<BuildResult> {
  const built = await buildModel(request);
  const html = await renderHtml(built.model, { cover: built.config.outputs.pdf.cover, toc: built.config.outputs.pdf.toc });
  return { ...built, html, metrics: metricsJson(built.computed, built.model) };
}
