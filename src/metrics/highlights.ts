/**
 * The highlights scan: every metric's change against the previous period, overall and in every
 * group of every scan dimension (the breakdowns' own per-group tests, GroupResult.p), with the
 * Benjamini–Hochberg adjustment across the whole scan and a ranking by effect size × volume; and
 * anomaly flags on every metric's series (a value outside the prediction interval of its trailing
 * periods).
 */
import type { GroupResult, MetricResult, PeriodValue } from './module.js';
import { ALPHA } from './result-builders.js';
import { benjaminiHochberg, studentTQuantile, Z95 } from '../kernel/stats.js';

/** Trailing periods an anomaly flag compares a value with, and the fewest it needs. */
export const ANOMALY_WINDOW = 6;
export const ANOMALY_MIN_PERIODS = 4;

/** One test of the scan: a metric overall (dimension null) or one group of one dimension. */
export interface ScanItem {
  metric: string;
  dimension: string | null;
  group: string | null;
  period: string;
  value: number | null;
  ci: [number, number] | null;
  n: number;
  previous: { period: string; value: number | null; n: number } | null;
  delta: number | null;
  /** the change test's p (the metric's own test; a group's is its breakdown's test) */
  p: number;
  /** Benjamini–Hochberg adjusted across every test of the scan */
  pAdjusted: number;
  significant: boolean;
  /** |Δ| / σ̂, σ̂ = √n · (CI width) / (2 · 1.959964): the change in per-answer standard deviations; null without an interval */
  effect: number | null;
  /** the share of the metric's current n that the group holds (1 for the metric overall) */
  volume: number;
  /** effect × volume: the ranking key (null ranks last) */
  score: number | null;
}

export interface AnomalyFlag {
  metric: string;
  period: string;
  value: number;
  /** mean and prediction interval of the trailing periods */
  mean: number;
  interval: [number, number];
  /** how many trailing periods the interval was computed from */
  window: number;
  direction: 'above' | 'below';
}

export interface HighlightScan {
  /** the dimensions scanned per metric, and whether they were declared or detected */
  dimensions: Record<string, string[]>;
  rule: 'declared' | 'detected' | 'none';
  alpha: number;
  /** every test of the scan, significant ones first by score, then the others by p */
  items: ScanItem[];
  anomalies: AnomalyFlag[];
}

/** Mean ± t(0.975, n−1) · s · √(1 + 1/n) of `values`: where a new value falls with 95% probability if it is like them. */
export function predictionInterval(values: number[]): { mean: number; sd: number; interval: [number, number] } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  const half = studentTQuantile(0.975, n - 1) * sd * Math.sqrt(1 + 1 / n);
  return { mean, sd, interval: [mean - half, mean + half] };
}

/**
 * The anomalies of a series: each value outside the 95% prediction interval of the values of up
 * to `window` periods before it (at least `min` of them with data). Periods without a value and
 * low-sample periods are never flagged, and the low-sample ones are not used as history either.
 */
export function anomalyFlags(metric: string, series: PeriodValue[], window = ANOMALY_WINDOW, min = ANOMALY_MIN_PERIODS): AnomalyFlag[] {
  const flags: AnomalyFlag[] = [];
  series.forEach((point, i) => {
    if (point.value === null || point.lowSample) return;
    const history = series.slice(Math.max(0, i - window), i).filter((p) => p.value !== null && !p.lowSample).map((p) => p.value as number);
    if (history.length < min) return;
    const { mean, interval } = predictionInterval(history);
    if (point.value > interval[1] || point.value < interval[0]) {
      flags.push({ metric, period: point.period, value: point.value, mean, interval, window: history.length, direction: point.value > interval[1] ? 'above' : 'below' });
    }
  });
  return flags;
}

/** |Δ| / σ̂ with σ̂ the per-answer spread implied by a 95% interval of half-width h: h·√n / 1.959964. */
export function effectSize(delta: number | null, ci: [number, number] | null, n: number): number | null {
  if (delta === null || !ci || n <= 0) return null;
  const sigma = ((ci[1] - ci[0]) / (2 * Z95)) * Math.sqrt(n);
  return sigma > 0 && Number.isFinite(sigma) ? Math.abs(delta) / sigma : null;
}

function item(metric: MetricResult, g: GroupResult | null, dimension: string | null): ScanItem | null {
  const src = g ?? metric;
  if (src.p === null || !Number.isFinite(src.p)) return null;
  const effect = effectSize(src.delta, src.ci, src.n);
  const volume = g ? (metric.n > 0 ? g.n / metric.n : 0) : 1;
  return {
    metric: metric.id,
    dimension,
    group: g ? g.group : null,
    period: src.period,
    value: src.value,
    ci: src.ci,
    n: src.n,
    previous: src.previous ? { period: src.previous.period, value: src.previous.value, n: src.previous.n } : null,
    delta: src.delta,
    p: src.p,
    pAdjusted: Number.NaN,
    significant: false,
    effect,
    volume,
    score: effect === null ? null : effect * volume,
  };
}

/**
 * Scans the results: each metric's change and each group's change in its scan breakdowns
 * (`scanned`: dimension → groups), adjusted together by Benjamini–Hochberg, significant ones
 * ranked by effect × volume (ties and unsized ones by adjusted p).
 */
export function scanHighlights(results: Iterable<MetricResult>, scanned: Map<string, Record<string, GroupResult[]>>, dimensions: Map<string, string[]>, rule: HighlightScan['rule']): HighlightScan {
  const items: ScanItem[] = [];
  const anomalies: AnomalyFlag[] = [];
  for (const r of results) {
    const overall = item(r, null, null);
    if (overall) items.push(overall);
    for (const [dimension, groups] of Object.entries(scanned.get(r.id) ?? {})) {
      for (const g of groups) {
        const it = item(r, g, dimension);
        if (it) items.push(it);
      }
    }
    anomalies.push(...anomalyFlags(r.id, r.series));
  }
  const adjusted = benjaminiHochberg(items.map((i) => i.p));
  items.forEach((it, k) => {
    it.pAdjusted = adjusted[k];
    it.significant = adjusted[k] < ALPHA;
  });
  items.sort((a, b) => rank(a) - rank(b) || (b.score ?? -1) - (a.score ?? -1) || a.pAdjusted - b.pAdjusted || a.p - b.p);
  return { dimensions: Object.fromEntries(dimensions), rule, alpha: ALPHA, items, anomalies };
}

/** Significant and sized first, then significant unsized, then the rest. */
const rank = (i: ScanItem) => (i.significant ? (i.score === null ? 1 : 0) : 2);

/**
 * A metric's breakdowns split into those its sections asked for (kept in the result) and those
 * only the scan added (returned apart, so that a result and metrics.json show what they did before).
 */
export function splitScanBreakdowns(result: MetricResult, shown: string[], dims: string[]): { result: MetricResult; scanned: Record<string, GroupResult[]> } {
  const kept: Record<string, GroupResult[]> = {};
  for (const [k, v] of Object.entries(result.breakdowns)) if (shown.includes(k)) kept[k] = v;
  const scanned: Record<string, GroupResult[]> = {};
  for (const d of dims) if (result.breakdowns[d]) scanned[d] = result.breakdowns[d];
  return { result: { ...result, breakdowns: kept }, scanned };
}
