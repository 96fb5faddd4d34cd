/** Prepares and computes every metric of a config for one period. */
import type { Config } from '../config/load.js';
import { suggestion } from '../kernel/suggest.js';
import type { Path } from '../config/yaml-source.js';
import { CxError } from '../kernel/errors.js';
import type { SourceTable } from '../sources/types.js';
import { isPushdown, loadRows } from '../sources/sql.js';
import type { GroupResult, MetricResult, Prepared, PrepareContext } from './module.js';
import { ALL_PERIOD, isPeriodKey, lastPeriods, periodExample, shiftPeriod } from '../kernel/period.js';
import { requireColumn } from './prepare.js';
import { metricModule } from './registry.js';
import { scanDimensions } from './dimensions.js';
import { scanHighlights, splitScanBreakdowns, type HighlightScan } from './highlights.js';

export type { MetricResult } from './module.js';

export interface ComputedMetrics {
  period: string;
  previousPeriod: string;
  prepared: Map<string, Prepared>;
  results: Map<string, MetricResult>;
  /** lenient mode: metrics that could not be prepared, with their error */
  errors: Map<string, CxError>;
  /** lenient mode: problems found while computing that belong to one section (a missing breakdown column), by section index */
  sectionErrors: Map<number, CxError[]>;
  /** metrics that excluded more than half of their rows (coverage.ts), for the build output and the methods appendix */
  warnings?: string[];
  /** the highlights scan (metrics/highlights.ts) */
  highlights?: HighlightScan;
  /** per metric: the groups of the scanned dimensions (the input of the scan), for a rebuild that keeps some results */
  scanned?: Map<string, Record<string, GroupResult[]>>;
}

/**
 * Prepares every metric (validating columns and rows) without choosing a period yet. With
 * `errors` (lenient mode), a metric that fails is recorded there and left out.
 */
export async function prepareAll(config: Config, sources: Map<string, SourceTable>, errors?: Map<string, CxError>, dimensions?: Map<string, string[]>): Promise<Map<string, Prepared>> {
  // the scan's dimensions, kept in every metric's cells (pushdown.ts dimensionsOf) and broken down by
  // computeMetrics; detected here unless the caller already did (app/incremental.ts, once per rebuild)
  config.scanDimensions = dimensions ?? (await scanDimensions(config, sources));
  // all at once, so that score metrics pushed down to the same relation share one scan (pushdown.ts)
  const outcomes = await Promise.all(
    Object.entries(config.metrics).map(async ([id, def]) => {
      try {
        const module = metricModule(def.type);
        if (module.needsPeriods && config.report.period.granularity === 'all') throw periodsNeeded(config, id, def.type, module.needsPeriods);
        return { id, ok: true as const, prepared: await module.prepare(contextOf(config, module.pushdown ? sources : await inMemory(sources, def), id, def)) };
      } catch (error) {
        return { id, ok: false as const, error };
      }
    }),
  );
  const prepared = new Map<string, Prepared>();
  for (const outcome of outcomes) {
    if (outcome.ok) prepared.set(outcome.id, outcome.prepared);
    else if (errors && outcome.error instanceof CxError) errors.set(outcome.id, outcome.error);
    else throw outcome.error;
  }
  return prepared;
}

/** The error of a metric type that needs calendar periods in a report of granularity `all`. */
function periodsNeeded(config: Config, id: string, type: string, why: string): CxError {
  return new CxError('config', `metric "${id}": type ${type} needs calendar periods (${why}), but report.period.granularity is all (one period over all data)`, {
    location: config.yaml.locate(['metrics', id, 'type']),
    hint: 'set report.period.granularity to month, quarter or year for this metric, or build it in a separate report',
  });
}

/** The sources with the rows of every SQL source this metric names read into memory (each read once per source). */
async function inMemory(sources: Map<string, SourceTable>, def: object): Promise<Map<string, SourceTable>> {
  const named = Object.values(def).filter((v): v is string => typeof v === 'string' && sources.has(v));
  const out = new Map(sources);
  for (const name of new Set(named)) {
    const source = sources.get(name)!;
    if (isPushdown(source)) out.set(name, await loadRows(source));
  }
  return out;
}

function contextOf(config: Config, sources: Map<string, SourceTable>, id: string, def: Config['metrics'][string]): PrepareContext<unknown> {
  const path = (key: Path) => ['metrics', id, ...key];
  return {
    id,
    def,
    config,
    sources,
    granularity: config.report.period.granularity,
    source(key) {
      const name = String((def as Record<string, unknown>)[key]);
      const table = sources.get(name);
      if (!table) throw new CxError('config', `metric "${id}" uses source "${name}", which is not defined`, { location: config.yaml.locate(path([key])), hint: suggestion(name, [...sources.keys()], 'defined sources') });
      return table;
    },
    requireColumn: (source, column, key) => requireColumn(source, column, config, path(key), `metric "${id}"`),
  };
}

/** The report period: the explicit one (CLI or config), or the latest period with data. */
export function resolvePeriod(config: Config, prepared: Map<string, Prepared>, requested?: string): string {
  const { granularity, current } = config.report.period;
  const wanted = requested ?? (current === 'latest' ? undefined : current);
  if (granularity === 'all') {
    // one period over all data, whether or not any row has a date
    if (wanted !== undefined && wanted !== ALL_PERIOD) throw new CxError('usage', `--period "${wanted}" is not a period of this report, which is one period over all data (granularity all)`, { hint: 'use --period all, or leave --period out' });
    return ALL_PERIOD;
  }
  if (wanted !== undefined) {
    if (!isPeriodKey(wanted, granularity)) throw new CxError('usage', `--period "${wanted}" is not a ${granularity} period`, { hint: `use a key like ${periodExample(granularity)}` });
    return wanted;
  }
  const latest = [...prepared.values()].map((p) => p.latestPeriod()).filter((p): p is string => p !== undefined).sort();
  const last = latest[latest.length - 1];
  if (!last) throw new CxError('data', 'no metric has any valid data, so there is no period to report on', { location: { file: config.yaml.file }, hint: 'check that the score and date columns hold values (dates as ISO 8601, e.g. 2026-10-14)' });
  return last;
}

/**
 * Breakdown columns the plan asks of each metric, each checked to exist in the metric's source. A
 * missing column stops the build, or in lenient mode is kept for the section that asked.
 */
function breakdownColumns(config: Config, sectionErrors: Map<number, CxError[]>, sources: (metric: string) => SourceTable | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, needs] of config.plan.metrics) {
    const source = sources(id);
    for (const { column, index, type } of needs.breakdowns) {
      try {
        if (source) requireColumn(source, column, config, ['sections', index, 'by'], `section ${index + 1} (${type})`);
      } catch (error) {
        if (!config.lenient || !(error instanceof CxError)) throw error;
        sectionErrors.set(index, [...(sectionErrors.get(index) ?? []), error]);
        continue;
      }
      const list = out.get(id) ?? [];
      if (!list.includes(column)) list.push(column);
      out.set(id, list);
    }
  }
  return out;
}

/**
 * A result of granularity `all` (one period over all data): no previous period, so no change and
 * no change test, whatever a module computed; the series is the one period, and every exclusion
 * is the period's. Breakdown groups keep their own tests (each group against the rest of the
 * data, where the module has one).
 */
function withoutChange(r: MetricResult): MetricResult {
  // every exclusion belongs to the one period, also those of rows a module filed as undated
  const exclusions = r.excludedAllPeriods;
  const excluded = Object.values(exclusions).reduce((a, b) => a + b, 0);
  return { ...r, previous: null, delta: null, statistic: null, p: null, significant: false, series: r.series.filter((s) => s.period === ALL_PERIOD), exclusions, excluded };
}

/**
 * The periods whose values the report shows, per metric: the current and the previous period,
 * and the last N periods of every trend (`periods`), KPI card (`sparkline_periods`) and series
 * chart (`data: series`, `periods`) that shows the metric. Modules with a costly per-period value
 * (model fits, bootstraps) compute their series for these periods only (ComputeContext.displayed).
 */
export function displayedPeriods(config: Config, period: string, previousPeriod: string): Map<string, Set<string>> {
  const granularity = config.report.period.granularity;
  const out = new Map<string, Set<string>>();
  for (const [id, needs] of config.plan.metrics) {
    if (needs.displayed.length === 0) continue;
    const set = new Set([period, previousPeriod]);
    if (granularity !== 'all') for (const count of needs.displayed) for (const p of lastPeriods(period, count, granularity)) set.add(p);
    out.set(id, set);
  }
  return out;
}

/** Computes all metric results for the period. */
export function computeMetrics(config: Config, prepared: Map<string, Prepared>, sources: Map<string, SourceTable>, period: string, errors: Map<string, CxError> = new Map(), onMetric?: (id: string, index: number, total: number) => void): ComputedMetrics {
  const granularity = config.report.period.granularity;
  const sectionErrors = new Map<number, CxError[]>();
  const breakdowns = breakdownColumns(config, sectionErrors, (id) => {
    const name = (config.metrics[id] as { source?: unknown } | undefined)?.source;
    return typeof name === 'string' ? sources.get(name) : undefined;
  });
  const previousPeriod = shiftPeriod(period, -1, granularity);
  const displayed = displayedPeriods(config, period, previousPeriod);
  const results = new Map<string, MetricResult>();
  const dims = config.scanDimensions ?? new Map<string, string[]>();
  const scanned = new Map<string, Record<string, GroupResult[]>>();
  for (const [id, p] of prepared) {
    // progress: which metric is being computed (the CLI shows it during long builds)
    onMetric?.(id, results.size, prepared.size);
    const module = metricModule(config.metrics[id].type);
    const shown = breakdowns.get(id) ?? [];
    const scan = dims.get(id) ?? [];
    const all = [...shown, ...scan.filter((d) => !shown.includes(d))];
    const split = splitScanBreakdowns(module.compute(p, { locale: config.report.locale, period, previousPeriod, granularity, breakdowns: all, minSample: (config.metrics[id] as { min_sample?: number }).min_sample ?? config.report.min_sample, config, displayed: displayed.get(id) ?? new Set([period, previousPeriod]) }), shown, scan);
    scanned.set(id, split.scanned);
    results.set(id, granularity === 'all' ? withoutChange(split.result) : split.result);
  }
  return { period, previousPeriod, prepared, results, errors, sectionErrors, highlights: highlightsOf(config, results, scanned), scanned };
}

/** The highlights scan over every metric's result and scanned groups. */
export function highlightsOf(config: Config, results: Map<string, MetricResult>, scanned: Map<string, Record<string, GroupResult[]>>): HighlightScan {
  const dims = config.scanDimensions ?? new Map<string, string[]>();
  const rule = config.report.period.granularity === 'all' ? 'none' : config.report.dimensions ? 'declared' : config.plan?.scan === false ? 'none' : 'detected';
  return scanHighlights(results.values(), scanned, dims, rule);
}
