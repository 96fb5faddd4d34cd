/**
 * How data names appear in the report's text: a source's `label:`, and the `values:` of a column
 * under the source's `columns:` (e.g. `channel: { label: 渠道, values: { email: 邮件 } }`). Column
 * names themselves go through `columnLabel` (report/build.ts), which also knows a survey
 * platform's question text. Everything here is display only: filters, segments and the config keep
 * the data's own values.
 */
import type { Config } from '../config/load.js';

type ColumnSpec = { label?: string; values?: Record<string, string> } | string;

function sourceConfig(config: Config, source: string): { label?: string; columns?: Record<string, ColumnSpec> } | undefined {
  const sources = config.sources as Record<string, unknown> | undefined;
  const s = sources && Object.prototype.hasOwnProperty.call(sources, source) ? sources[source] : undefined;
  return s && typeof s === 'object' ? (s as { label?: string; columns?: Record<string, ColumnSpec> }) : undefined;
}

/** The source a metric reads (`source:` of its definition), if any. */
export function metricSource(config: Config, metric: string): string | undefined {
  const metrics = config.metrics as Record<string, unknown>;
  const def = Object.prototype.hasOwnProperty.call(metrics, metric) ? (metrics[metric] as { source?: unknown } | undefined) : undefined;
  return typeof def?.source === 'string' ? def.source : undefined;
}

/** A source's name in the report: its `label:`, else its key in `sources:`. */
export function sourceLabel(config: Config, source: string): string {
  return sourceConfig(config, source)?.label ?? source;
}

/** A value of a source's column as the report shows it: its entry in the column's `values:`, else the value itself. */
export function valueLabel(config: Config, source: string | undefined, column: string, value: string): string {
  if (source === undefined) return value;
  const spec = sourceConfig(config, source)?.columns?.[column];
  if (!spec || typeof spec === 'string' || !spec.values) return value;
  return Object.prototype.hasOwnProperty.call(spec.values, value) ? spec.values[value]! : value;
}

/** Both, bound to one config: what the section and visual contexts carry. */
export function labelling(config: Config) {
  return {
    sourceLabel: (source: string) => sourceLabel(config, source),
    valueLabel: (metric: string, column: string, value: string) => valueLabel(config, metricSource(config, metric), column, value),
  };
}

/** A row filter with its column names and text values as the report shows them (for sentences only: never to match rows). */
export function displayFilter<F extends Record<string, unknown>>(filter: F, column: (c: string) => string, value: (c: string, v: string) => string): F {
  const shown: Record<string, unknown> = {};
  for (const [c, v] of Object.entries(filter)) {
    shown[column(c)] = Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? value(c, x) : x)) : typeof v === 'string' ? value(c, v) : v;
  }
  return shown as F;
}
