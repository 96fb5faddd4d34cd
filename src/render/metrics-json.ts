/** metrics.json: every metric's numbers for machines, beside the HTML/PDF. */
import type { ComputedMetrics } from '../metrics/index.js';
import type { ReportModel } from '../report/model.js';
import { extraJson } from './metrics-json-extra.js';

export const METRICS_JSON_VERSION = 1;

/** Serialises the computed metrics (stable key order, two-space indent, trailing newline). */
export function metricsJson(computed: ComputedMetrics, model: ReportModel): string {
  const metrics: Record<string, unknown> = {};
  for (const [id, r] of computed.results) {
    metrics[id] = {
      type: r.type,
      label: r.label,
      unit: r.unit,
      value: r.value,
      n: r.n,
      ci: r.ci,
      se: r.se,
      previous: r.previous,
      delta: r.delta,
      test: r.test,
      statistic: r.statistic,
      p: r.p,
      significant: r.significant,
      lowSample: r.lowSample,
      minSample: r.minSample,
      target: r.target,
      higherIsBetter: r.higherIsBetter,
      excluded: r.excluded,
      exclusions: r.exclusions,
      excludedAllPeriods: r.excludedAllPeriods,
      breakdowns: r.breakdowns,
      distribution: r.distribution.map(({ score, count, band }) => ({ score, count, band })),
      series: r.series,
      ...r.extra,
    };
  }
  const doc = {
    version: METRICS_JSON_VERSION,
    title: model.title,
    period: computed.period,
    // granularity all: one period over all data, none before it
    previousPeriod: computed.period === 'all' ? null : computed.previousPeriod,
    generated: model.generated,
    metrics,
    ...extraJson(computed, model),
  };
  return `${JSON.stringify(doc, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`;
}
