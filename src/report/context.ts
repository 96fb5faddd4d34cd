/** What every section builder gets: the config, the computed metrics and period helpers. */
import type { Config } from '../config/load.js';
import type { ComputedMetrics } from '../metrics/index.js';
import { periodLabel, type Granularity } from '../metrics/period.js';
import type { MetricResult } from '../metrics/results.js';
import type { Unit } from './format.js';
import type { SeriesPoint } from './charts.js';

export interface SectionContext {
  config: Config;
  computed: ComputedMetrics;
  granularity: Granularity;
  /** index of the section in `sections:` (for locating errors) */
  index: number;
  /** a fresh id for a chart or anchor, unique in the document */
  nextId(prefix: string): string;
}

/** "October 2026" */
export function longLabel(ctx: SectionContext, key: string): string {
  return periodLabel(key, ctx.granularity, 'long');
}

/** "Oct 2026" for axes */
export function shortLabel(ctx: SectionContext, key: string): string {
  return periodLabel(key, ctx.granularity, 'short');
}

/** The computed result of a metric; in lenient mode, throws the metric's own error. */
export function result(ctx: SectionContext, id: string): MetricResult {
  const r = ctx.computed.results.get(id);
  if (r) return r;
  throw ctx.computed.errors.get(id) ?? new Error(`metric ${id} was not computed`);
}

export function unitOf(r: MetricResult): Unit {
  return r.unit;
}

/** The series points of a result for charts. */
export function seriesPoints(ctx: SectionContext, series: MetricResult['series']): SeriesPoint[] {
  return series.map((p) => ({ label: shortLabel(ctx, p.period), value: p.value, lo: p.ci?.[0] ?? null, hi: p.ci?.[1] ?? null, n: p.n, lowSample: p.lowSample }));
}
