/** What every section builder gets: the config, the computed metrics, period helpers and the locale. */
import type { Config } from '../config/load.js';
import type { ComputedMetrics } from '../metrics/index.js';
import type { Granularity } from '../kernel/period.js';
import type { MetricResult } from '../metrics/results.js';
import { formatter, type Formatter, type Unit } from '../kernel/format.js';
import { localBands, metricMethod, metricTitle, periodLabelIn, translator, type Locale, type Translator } from '../kernel/i18n.js';
import type { SeriesPoint } from './charts.js';
import type { Band } from '../kernel/types.js';

export interface SectionContext {
  config: Config;
  computed: ComputedMetrics;
  granularity: Granularity;
  /** index of the section in `sections:` (for locating errors) */
  index: number;
  /** a fresh id for a chart or anchor, unique in the document */
  nextId(prefix: string): string;
  /** the report locale (`report.locale`) */
  locale: Locale;
  /** the built-in text in the report locale */
  t: Translator;
  /** numbers in the report locale */
  fmt: Formatter;
  /** how a column of a metric's source is named in the report: its label (question text) or its name */
  columnLabel?(metric: string, column: string): string;
  /** how a source is named in the report: its `label:` or its name (report/labels.ts) */
  sourceLabel?(source: string): string;
  /** how a value of a column of a metric's source is shown: its `values:` entry or the value (report/labels.ts) */
  valueLabel?(metric: string, column: string, value: string): string;
}

/** The locale parts of a section context. */
export function localeContext(locale: Locale): Pick<SectionContext, 'locale' | 't' | 'fmt'> {
  return { locale, t: translator(locale), fmt: formatter(locale) };
}

/** "October 2026" (zh-CN "2026年10月") */
export function longLabel(ctx: SectionContext, key: string): string {
  return periodLabelIn(ctx.locale ?? 'en', key, ctx.granularity, 'long');
}

/** "Oct 2026" for axes (zh-CN "2026年10月": four-digit years) */
export function shortLabel(ctx: SectionContext, key: string): string {
  return periodLabelIn(ctx.locale ?? 'en', key, ctx.granularity, 'short');
}


/** The computed result of a metric; in lenient mode, throws the metric's own error. */
export function result(ctx: SectionContext, id: string): MetricResult {
  const r = ctx.computed.results.get(id);
  if (r) return r;
  throw ctx.computed.errors.get(id) ?? new Error(`metric ${id} was not computed`);
}

/** A metric's full name in the report locale ("Net Promoter Score", "净推荐值"). */
export function titleOf(ctx: SectionContext, r: MetricResult): string {
  return metricTitle(ctx.t, r.type, r.title);
}

/** A metric's methods paragraph in the report locale (module's English where there is no translation). */
export function methodOf(ctx: SectionContext, r: MetricResult): string {
  return metricMethod(ctx.t, r.type, (ctx.config.metrics[r.id] ?? {}) as Record<string, unknown>, r.method);
}

/** Score bands with labels in the report locale. */
export function bandsOf(ctx: SectionContext, bands: Band[]): Band[] {
  return localBands(ctx.t, bands);
}


/** The series points of a result for charts; with the metric's unit, each with its tooltip (value, interval, n). */
export function seriesPoints(ctx: SectionContext, series: MetricResult['series'], unit?: Unit): SeriesPoint[] {
  const { t, fmt } = ctx;
  return series.map((p) => ({
    label: shortLabel(ctx, p.period),
    value: p.value,
    lo: p.ci?.[0] ?? null,
    hi: p.ci?.[1] ?? null,
    n: p.n,
    lowSample: p.lowSample,
    ...(unit ? { tip: t('chart.tip', { label: longLabel(ctx, p.period), value: fmt.value(p.value, unit), ci: p.ci ? t('change.ci', { ci: fmt.interval(p.ci, unit) }) : '', n: fmt.count(p.n) }) } : {}),
  }));
}
