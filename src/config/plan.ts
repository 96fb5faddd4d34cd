/**
 * The plan: what the report's sections need, decided once from the normalised config. Sources and
 * metrics receive the plan — which breakdowns, segments, quoted columns, driver analyses and
 * displayed periods each metric must provide, and which columns a database source must read — and
 * never read the sections themselves. Section indices are kept only to locate a problem
 * (`['sections', index, …]`) in the section that asked.
 */
import type { RawConfig } from './schema.js';

/** A breakdown asked for by a `breakdown` section or a `chart` with `data: breakdown`. */
export interface BreakdownNeed {
  column: string;
  /** index of the asking section */
  index: number;
  type: string;
}

/** The columns a `verbatims` section quotes and filters a metric's answers by. */
export interface QuoteNeed {
  index: number;
  text?: string;
  attribute: string[];
  filter: string[];
}

/** A key-drivers analysis asked for by a `drivers` section (schema: report/sections/drivers.ts). */
export interface DriversNeed {
  index: number;
  drivers: string[];
  periods: number;
  resamples: number;
  seed: number;
}

export interface MetricPlan {
  breakdowns: BreakdownNeed[];
  /** columns the sections group or segment this metric's rows by (any section's `by`, case-study segments), in section order */
  dimensions: string[];
  /** how many trailing periods each trend, series chart and KPI sparkline of this metric shows */
  displayed: number[];
  quotes: QuoteNeed[];
  drivers: DriversNeed[];
}

export interface Plan {
  /** one entry per defined metric (empty needs when no section shows it) */
  metrics: ReadonlyMap<string, MetricPlan>;
  /**
   * Every name the metrics, sections and matrix mention (string values and object keys): a
   * superset of the columns the report refers to, so a database source reads only those.
   */
  names: ReadonlySet<string>;
  /**
   * Whether a section shows the highlights scan (a `highlights` or `summary` section): only then
   * is every metric broken down by the scan's detected dimensions (declared `report.dimensions`
   * are always scanned — the analyst asked for them).
   */
  scan: boolean;
}

const emptyNeeds = (): MetricPlan => ({ breakdowns: [], dimensions: [], displayed: [], quotes: [], drivers: [] });

/** The sections' trailing-period default (trend, series chart, sparkline). */
const DEFAULT_PERIODS = 12;

/** The plan of a normalised config (sections that failed validation are placeholders by now). */
export function planOf(config: Pick<RawConfig, 'metrics' | 'sections' | 'matrix'>): Plan {
  const metrics = new Map<string, MetricPlan>(Object.keys(config.metrics).map((id) => [id, emptyNeeds()]));
  const needs = (id: unknown) => (typeof id === 'string' ? metrics.get(id) : undefined);
  const count = (n: unknown) => (typeof n === 'number' ? n : DEFAULT_PERIODS);
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  (config.sections as Record<string, unknown>[]).forEach((s, index) => {
    const type = String(s.type);
    const one = needs(s.metric);
    const dimension = (m: MetricPlan, c: string) => void (m.dimensions.includes(c) || m.dimensions.push(c));
    if (one && typeof s.by === 'string') dimension(one, s.by);
    if (one && typeof s.by === 'string' && (type === 'breakdown' || (type === 'chart' && s.data === 'breakdown'))) one.breakdowns.push({ column: s.by, index, type });
    if (one && (type === 'trend' || (type === 'chart' && (s.data ?? 'series') === 'series'))) one.displayed.push(count(s.periods));
    if (one && type === 'verbatims') one.quotes.push({ index, text: typeof s.text === 'string' ? s.text : undefined, attribute: strings(s.attribute), filter: Object.keys((s.filter as object | undefined) ?? {}) });
    if (one && type === 'drivers') one.drivers.push({ index, drivers: strings(s.drivers), periods: count(s.periods), resamples: typeof s.resamples === 'number' ? s.resamples : 500, seed: typeof s.seed === 'number' ? s.seed : 1 });
    if (type === 'kpis') for (const id of strings(s.metrics)) needs(id)?.displayed.push(count(s.sparkline_periods));
    if (type === 'case-study') {
      const columns = Object.keys((s.segment as object | undefined) ?? {});
      for (const id of strings(s.metrics)) {
        const m = needs(id);
        if (m) for (const c of columns) dimension(m, c);
      }
    }
  });
  const scan = (config.sections as Record<string, unknown>[]).some((s) => s.type === 'highlights' || s.type === 'summary');
  return { metrics, names: namesIn([config.metrics, config.sections, config.matrix]), scan };
}

/** Every string value and object key in a value. */
export function namesIn(value: unknown): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') found.add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [key, inner] of Object.entries(v)) {
        found.add(key);
        walk(inner);
      }
    }
  };
  walk(value);
  return found;
}
