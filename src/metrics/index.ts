/** Computes every metric of a config for one period. */
import type { Config } from '../config/load.js';
import { CxError } from '../errors.js';
import type { SourceTable } from '../sources/types.js';
import { isPeriodKey, periodExample, shiftPeriod } from './period.js';
import { latestPeriod, prepareMetric, requireColumn, type PreparedMetric } from './prepare.js';
import { metricResult, type MetricResult } from './results.js';

export type { MetricResult } from './results.js';

export interface ComputedMetrics {
  period: string;
  previousPeriod: string;
  prepared: Map<string, PreparedMetric>;
  results: Map<string, MetricResult>;
}

/** Prepares every metric (validating columns and rows) without choosing a period yet. */
export function prepareAll(config: Config, sources: Map<string, SourceTable>): Map<string, PreparedMetric> {
  const prepared = new Map<string, PreparedMetric>();
  for (const [id, def] of Object.entries(config.metrics)) {
    const source = sources.get(def.source);
    if (!source) throw new Error(`source ${def.source} was not loaded`);
    prepared.set(id, prepareMetric(id, def, source, config));
  }
  return prepared;
}

/** The report period: the explicit one (CLI or config), or the latest period with data. */
export function resolvePeriod(config: Config, prepared: Map<string, PreparedMetric>, requested?: string): string {
  const { granularity, current } = config.report.period;
  const wanted = requested ?? (current === 'latest' ? undefined : current);
  if (wanted !== undefined) {
    if (!isPeriodKey(wanted, granularity)) throw new CxError('usage', `--period "${wanted}" is not a ${granularity} period`, { hint: `use a key like ${periodExample(granularity)}` });
    return wanted;
  }
  const latest = [...prepared.values()].map(latestPeriod).filter((p): p is string => p !== undefined).sort();
  const last = latest[latest.length - 1];
  if (!last) throw new CxError('data', 'no metric has any valid data, so there is no period to report on', { location: { file: config.yaml.file }, hint: 'check that the score and date columns hold values (dates as ISO 8601, e.g. 2026-10-14)' });
  return last;
}

/** Breakdown columns requested for each metric by the report's sections (checked to exist). */
function breakdownColumns(config: Config, prepared: Map<string, PreparedMetric>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  config.sections.forEach((section, i) => {
    if (section.type !== 'breakdown') return;
    const pm = prepared.get(section.metric);
    if (!pm) return;
    requireColumn(pm.source, section.by, config, ['sections', i, 'by'], `section ${i + 1} (breakdown)`);
    const list = out.get(section.metric) ?? [];
    if (!list.includes(section.by)) list.push(section.by);
    out.set(section.metric, list);
  });
  return out;
}

/** Computes all metric results for the period. */
export function computeMetrics(config: Config, prepared: Map<string, PreparedMetric>, period: string): ComputedMetrics {
  const breakdowns = breakdownColumns(config, prepared);
  const results = new Map<string, MetricResult>();
  for (const [id, pm] of prepared) {
    results.set(id, metricResult(pm, period, { breakdowns: breakdowns.get(id) ?? [], minSample: config.report.min_sample }));
  }
  return { period, previousPeriod: shiftPeriod(period, -1, config.report.period.granularity), prepared, results };
}
