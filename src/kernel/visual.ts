/**
 * The shapes of what a report shows — a chart (a Vega-Lite spec with its title, caption and alt
 * text), a table, and the blocks of a metric's default visual — shared by the metric modules that
 * still draw their own default visual and by the report model (report/model.ts), which re-exports
 * them. Data only: building them is the report layer's work.
 */
import type { TopLevelSpec } from 'vega-lite';

export interface Chart {
  id: string;
  /** the message the chart carries, e.g. "NPS rose for the third month" */
  title: string;
  /** source, n and method */
  caption: string;
  /** alternative text generated from the data */
  alt: string;
  spec: TopLevelSpec;
  /** CSS size class: wide (full width) or small (sparkline) */
  size: 'wide' | 'small';
}

export interface Table {
  caption?: string;
  columns: { label: string; align?: 'left' | 'right' | 'center' }[];
  rows: { cells: string[]; muted?: boolean; note?: string }[];
  /** rows that follow the table, e.g. "n < 30 greyed" */
  footnote?: string;
}

/** Blocks of a metric's default visual, rendered by the `metric` section. */
export type VisualBlock =
  | { kind: 'chart'; chart: Chart }
  | { kind: 'table'; table: Table }
  | { kind: 'text'; paragraphs: string[] };
