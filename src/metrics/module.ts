/**
 * The metric interface. A metric type is one module: its config schema, a `prepare` step that
 * validates its columns and rows once per build (located errors, counted exclusions), a `compute`
 * step that yields the result for one period (value, n, interval, change and its test, series,
 * breakdowns), and optionally a default visual for `type: metric` sections. Adding a type touches
 * its module, its test, its documentation and one registry line.
 */
import type { z } from 'zod';
import type { Config } from '../config/load.js';
import type { Path } from '../config/yaml-source.js';
import { loadRows, type PushdownSource } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import type { Granularity } from '../kernel/period.js';
import type { Interval } from '../kernel/stats.js';

export interface PeriodValue {
  period: string;
  value: number | null;
  n: number;
  ci: Interval | null;
  lowSample: boolean;
}

export interface Change {
  previous: { period: string; value: number | null; n: number; ci: Interval | null } | null;
  delta: number | null;
  test: string;
  statistic: number | null;
  p: number | null;
  significant: boolean;
}

export interface GroupResult extends PeriodValue {
  group: string;
  previous: { period: string; value: number | null; n: number } | null;
  /**
   * With granularity all (no previous period), the group is compared with the rest of the data
   * instead: `rest` holds the value of all other rows, `delta` is value − rest.value and `p` the
   * test of the group against the rest.
   */
  rest?: { value: number | null; n: number } | null;
  delta: number | null;
  p: number | null;
  /** Benjamini–Hochberg adjusted p across the groups of this breakdown */
  pAdjusted: number | null;
  significant: boolean;
}

export type { Unit } from '../kernel/format.js';
import type { Unit } from '../kernel/format.js';

/** What every metric yields for one period; type-specific detail goes in `extra`. */
export interface MetricResult extends PeriodValue, Change {
  id: string;
  type: string;
  label: string;
  title: string;
  unit: Unit;
  higherIsBetter: boolean;
  target: number | null;
  se: number | null;
  minSample: number;
  /** axis bounds of the value, e.g. [-100, 100]; null when unbounded */
  domain: [number, number] | null;
  /** rows excluded in the current period, and why */
  excluded: number;
  exclusions: Record<string, number>;
  /** exclusions over every period, including rows with no valid date */
  excludedAllPeriods: Record<string, number>;
  series: PeriodValue[];
  breakdowns: Record<string, GroupResult[]>;
  distribution: { score: number; count: number; share: number; band: string | null }[];
  method: string;
  /** type-specific results (cohort triangle, survival curve, top accounts, …), also in metrics.json */
  extra: Record<string, unknown>;
}

/** What `prepare` gets: the metric's config and the loaded sources. */
export interface PrepareContext<D> {
  id: string;
  def: D;
  config: Config;
  sources: Map<string, SourceTable>;
  granularity: Granularity;
  /** the source named by a key of this metric's config (located error if unknown) */
  source(key: string): SourceTable;
  /** throws a located error unless `column` exists in `source`; `key` is the config key naming it */
  requireColumn(source: SourceTable, column: string, key: Path): void;
}

/** Runs a row-based `prepare` with the `source` key's pushdown source read into memory (once per relation). */
export function prepareFromRows<D, P>(ctx: PrepareContext<D>, source: PushdownSource, prepare: (ctx: PrepareContext<D>) => P | Promise<P>): Promise<P> {
  return loadRows(source).then((rows) => prepare({ ...ctx, source: (key) => (key === 'source' ? rows : ctx.source(key)) }));
}

/** A metric's validated rows, ready to compute any period. */
export interface Prepared {
  /** latest period with valid data, for `current: latest` */
  latestPeriod(): string | undefined;
  /** latest valid timestamp (ms) at or before the end of `period`, for "data through" */
  lastTimestamp(period: string): number | undefined;
}

/** What `compute` gets for one period. */
export interface ComputeContext {
  /** `method` and `test` are written in this locale (= config.report.locale) */
  locale: 'en' | 'zh-CN';
  period: string;
  previousPeriod: string;
  granularity: Granularity;
  /** columns to break the metric down by (from `breakdown` sections) */
  breakdowns: string[];
  minSample: number;
  config: Config;
  /**
   * The periods whose values the report shows (metrics/index.ts `displayedPeriods`): the current
   * and previous period and those of every trend, sparkline and series chart of this metric. A
   * module whose per-period value is costly (a model fit, a bootstrap) keeps only these periods in
   * its series; unset means every period.
   */
  displayed?: ReadonlySet<string>;
}

export type { VisualBlock } from '../kernel/visual.js';

export interface VisualContext {
  period: string;
  /** the report's locale: a visual writes its text in it (see localTranslator in kernel/i18n.ts) */
  locale: 'en' | 'zh-CN';
  /** a period's label in the report's locale ("October 2026", "2026年10月"); short: axis labels */
  periodLabel(key: string, style?: 'long' | 'short'): string;
  nextId(prefix: string): string;
  /** dated events from the section's `annotations` (period keys), for visuals that draw a time axis */
  annotations?: { period: string; label: string }[];
  /** a column's display name (its `label:` in the source's `columns:`, or a survey's question text); the raw name otherwise */
  columnLabel?(column: string): string;
  /** how a source is named in the report (its `label:`), and how a value of a column is shown (its `values:`) */
  sourceLabel?(source: string): string;
  valueLabel?(column: string, value: string): string;
}

export interface MetricModule<D = any, P extends Prepared = Prepared> {
  type: string;
  schema: z.ZodType;
  /** full name, e.g. "Net Promoter Score" */
  title: string;
  /**
   * Validates and prepares the rows. A module with `pushdown` may receive a source whose rows are
   * still in a database (sources/sql.ts `isPushdown`) and aggregate there; every other module gets
   * its sources' rows loaded into memory first.
   */
  prepare(ctx: PrepareContext<D>): P | Promise<P>;
  pushdown?: boolean;
  /**
   * Set when the type's definition needs calendar periods (cohorts, windows after a purchase, a
   * period's start and end): why, in a few words. With granularity `all` such a metric is a
   * located config error (metrics/index.ts).
   */
  needsPeriods?: string;
  compute(prepared: P, ctx: ComputeContext): MetricResult;
}

