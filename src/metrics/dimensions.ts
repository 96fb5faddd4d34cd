/**
 * The dimensions of the highlights scan: the columns every metric is broken down by so that each
 * group's change can be tested. Declared in `report.dimensions` (each applies to every metric whose
 * source has the column), or detected when not declared: a column of the metric's source holding
 * text with 2 to 12 distinct non-empty values, not all of which look like dates or period keys.
 */
import type { Config } from '../config/load.js';
import { isPushdown } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';

/** Most distinct values a detected dimension may have (more is not a "low-cardinality" column). */
export const MAX_LEVELS = 12;

/** How the dimensions were chosen, in words for the methods text and metrics.json. */
export const DETECTION_RULE = `text columns of the metric's source with 2 to ${MAX_LEVELS} distinct non-empty values (not dates or period keys)`;

const DATE_LIKE = /^\d{4}(-|$)/;

/** Whether a column of an in-memory source is a low-cardinality text column (the detection rule). */
export function isLowCardinality(source: SourceTable, column: string): boolean {
  const values = source.table.array(column) as ArrayLike<unknown>;
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || v === '') continue;
    seen.add(String(v));
    if (seen.size > MAX_LEVELS) return false;
  }
  return seen.size >= 2 && ![...seen].every((v) => DATE_LIKE.test(v));
}

/**
 * The scan's dimensions per metric id. Granularity `all` has no previous period to test a change
 * against, so it has none. Sources left in a database (SQL pushdown) are not scanned for
 * detection; declared dimensions apply to them like to any source.
 */
export function scanDimensions(config: Config, sources: Map<string, SourceTable>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (config.report.period.granularity === 'all') return out;
  const declared = config.report.dimensions;
  const detected = new Map<string, string[]>();
  for (const [id, def] of Object.entries(config.metrics)) {
    const name = (def as { source?: unknown }).source;
    const source = typeof name === 'string' ? sources.get(name) : undefined;
    if (!source) continue;
    const has = (c: string) => source.columns.some((x) => x.name === c);
    if (declared) {
      out.set(id, declared.filter(has));
      continue;
    }
    if (!detected.has(source.name)) {
      detected.set(source.name, isPushdown(source) ? [] : source.columns.filter((c) => c.type === 'string' && isLowCardinality(source, c.name)).map((c) => c.name));
    }
    out.set(id, detected.get(source.name)!);
  }
  return out;
}
