/**
 * The dimensions of the highlights scan: the columns every metric is broken down by so that each
 * group's change can be tested. Declared in `report.dimensions` (each applies to every metric whose
 * source has the column), or detected when not declared (DETECTION_RULE).
 */
import { RESERVED_NAMES } from '../config/schema.js';
import type { Config } from '../config/load.js';
import { isPushdown } from '../sources/sql.js';
import { distinctValuesSql, filledCountsSql, sampleSql } from './dimensions-sql.js';
import type { SourceTable } from '../sources/types.js';

/** Most distinct values a detected dimension may have (more is not a "low-cardinality" column). */
export const MAX_LEVELS = 12;

/** How the dimensions are detected, in words for the methods text and metrics.json. */
export const DETECTION_RULE = `text columns of the metric's source with 2 to ${MAX_LEVELS} distinct values, filled in at least half of the rows, whose values are not numbers or dates, and which the metric does not itself read (except as its grouping key: channel, priority, product, group, by)`;

/** Keys of a metric's config that name a grouping column, which may also be a dimension. */
const GROUP_KEYS = new Set(['channel', 'priority', 'product', 'group', 'by']);

const DATE_LIKE = /^\d{4}(-|$)/;
const NUMBER_LIKE = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * Whether a column is a low-cardinality text column: `values` are its distinct non-empty values
 * (or all of its values), `filled` and `rows` its non-empty and total row counts.
 */
export function isLowCardinality(values: ArrayLike<unknown>, filled: number, rows: number): boolean {
  if (rows === 0 || filled < rows / 2) return false;
  const seen = new Set<string>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i] === null || values[i] === undefined ? '' : String(values[i]).trim();
    if (v === '') continue;
    seen.add(v);
    if (seen.size > MAX_LEVELS) return false;
  }
  const distinct = [...seen];
  return distinct.length >= 2 && !distinct.every((v) => DATE_LIKE.test(v)) && distinct.filter((v) => NUMBER_LIKE.test(v)).length < distinct.length / 2;
}

/** Rows read first from a database to rule out columns with many distinct values (free text, ids) without a full DISTINCT over them. */
const SAMPLE_ROWS = 1000;

/**
 * The text columns of a source that pass the rule. Rows in memory are read directly; a source
 * left in a database is asked, exactly, in three steps: one scan counting every column's filled
 * rows, the first SAMPLE_ROWS rows (a column with more than MAX_LEVELS distinct values there has
 * more in all, so free text is ruled out without a DISTINCT over the whole column), and the
 * distinct values of the columns still in question.
 */
async function detectAll(source: SourceTable, columns: string[]): Promise<string[]> {
  // a column named like JavaScript's object machinery (a JSON key "__proto__") is never a dimension
  const candidates = columns.filter((c) => !RESERVED_NAMES.includes(c));
  if (candidates.length === 0) return [];
  if (!isPushdown(source)) {
    return candidates.filter((column) => {
      const values = source.table.array(column) as ArrayLike<unknown>;
      let filled = 0;
      for (let i = 0; i < values.length; i++) if (values[i] !== null && values[i] !== undefined && String(values[i]).trim() !== '') filled++;
      return isLowCardinality(values, filled, values.length);
    });
  }
  const { runner } = source.sql;
  const from = source.sql.from();
  const counts = (await runner.run(filledCountsSql(candidates, from))).rows[0];
  const rows = Number(counts[candidates.length]);
  const filled = new Map(candidates.map((c, i) => [c, Number(counts[i] ?? 0)]));
  let open = candidates.filter((c) => rows > 0 && filled.get(c)! >= rows / 2);
  if (open.length === 0) return [];
  const sample = (await runner.run(sampleSql(open, from, SAMPLE_ROWS))).rows;
  open = open.filter((_, i) => new Set(sample.map((r) => (r[i] === null || r[i] === undefined ? '' : String(r[i]))).filter((v) => v !== '')).size <= MAX_LEVELS);
  const found: string[] = [];
  for (const column of open) {
    const { rows: values } = await runner.run(distinctValuesSql(column, from, MAX_LEVELS + 1));
    if (isLowCardinality(values.map((r) => r[0]), filled.get(column)!, rows)) found.push(column);
  }
  return found;
}

/** The columns a metric's config reads, other than as a grouping key. */
function ownColumns(def: object): Set<string> {
  const own = new Set<string>();
  const walk = (value: unknown, key: string): void => {
    if (typeof value === 'string') {
      if (!GROUP_KEYS.has(key)) own.add(value);
    } else if (Array.isArray(value)) value.forEach((v) => walk(v, key));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, k);
  };
  walk(def, '');
  return own;
}

/**
 * The scan's dimensions per metric id. Granularity `all` has no previous period to test a change
 * against, so it has none; nor has a report that shows no scan (plan.scan) and declares none. The same columns are found whether a source's rows are in memory or
 * left in a database.
 */
export async function scanDimensions(config: Config, sources: Map<string, SourceTable>): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (config.report.period.granularity === 'all') return out;
  const declared = config.report.dimensions;
  // compute only what the report shows: no section shows the scan and none was declared
  if (!declared && config.plan?.scan === false) return out;
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
    if (!detected.has(source.name)) detected.set(source.name, await detectAll(source, source.columns.filter((c) => c.type === 'string').map((c) => c.name)));
    const own = ownColumns(def);
    out.set(id, detected.get(source.name)!.filter((c) => !own.has(c)));
  }
  return out;
}
