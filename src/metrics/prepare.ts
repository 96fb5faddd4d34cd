/**
 * Prepares a metric's rows: assigns each row its period, validates its score against the metric's
 * rules (missing, not a number, not an integer, out of range, no valid date → excluded and
 * counted, never coerced), and derives the indicator columns the sufficient statistics sum.
 * Aggregation is an Arquero group-by/rollup over those columns, so any grouping and any filter
 * yields additive statistics.
 */
import { CellBuilder } from './cells.js';
import { rowRejecter } from './invalid.js';
import { columnValues } from './transactions.js';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Config } from '../config/load.js';
import { suggestion } from '../kernel/suggest.js';
import type { Path } from '../config/yaml-source.js';
import { CxError } from '../kernel/errors.js';
import type { SourceTable } from '../sources/types.js';
import { compileFilter, type Filter } from '../kernel/filter.js';
import { ALL_PERIOD, datesOf, isImplausibleDate, plausibleDates, type Granularity } from '../kernel/period.js';
import type { ScoreDef, ScoreType, Stats } from '../kernel/types.js';

export const REASONS = ['missing or invalid date', 'missing score', 'not a number', 'not an integer', 'out of range', 'date outside the plausible range'] as const;
export type ExclusionReason = (typeof REASONS)[number];

export interface PreparedMetric {
  id: string;
  def: ScoreDef;
  type: ScoreType<any>;
  source: SourceTable;
  granularity: Granularity;
  /** the cells the statistics are summed from (cells.ts): from rows in memory, or from the database's grouped query (pushdown.ts) */
  table: ColumnTable;
  /** which engine computed the cells */
  engine: 'memory' | 'sql';
  /** rows with their source columns, for sections that quote answers (pushed down: only rows with a comment) */
  rows: ColumnTable;
  indicatorNames: string[];
}

/** Rollup expressions of the statistics over cells: every measure is a sum of the cells' weights and sums. */
function measures(): { n: string; sum: string; sumSq: string; indicator(name: string): string } {
  return { n: 'd => op.sum(d.__w)', sum: 'd => op.sum(d.__sum)', sumSq: 'd => op.sum(d.__sumSq)', indicator: (name) => `d => op.sum(d.__i_${name})` };
}

/** Number of answers per score among valid rows of one period. */
export function scoreCounts(pm: PreparedMetric, period: string): Map<number, number> {
  const counted = pm.table
    .filter((d: Record<string, unknown>) => d.__status === 'ok')
    .params({ period })
    .filter((d: Record<string, unknown>, $: { period: string }) => d.__period === $.period)
    .groupby('__value')
    .rollup({ count: measures().n as never })
    .objects() as { __value: number; count: number }[];
  return new Map(counted.map((s) => [s.__value, s.count]));
}

/** A group key for display: null/empty cells become "(missing)". */
export function groupKey(value: unknown): string {
  return value === null || value === undefined || String(value).trim() === '' ? '(missing)' : String(value).trim();
}

/** Throws a located error unless `column` exists in the source. */
export function requireColumn(source: SourceTable, column: string, config: Config, path: Path, what: string): void {
  const names = source.columns.map((c) => c.name);
  if (names.includes(column)) return;
  throw new CxError('data', `${what}: column "${column}" not found in source "${source.name}" (${source.file})`, {
    location: config.yaml.locate(path),
    hint: suggestion(column, names, 'columns in the source'),
  });
}

/** Validates one raw cell against the rules; returns the score or the reason it is excluded. */
export function scoreOf(raw: unknown, rules: { min: number; max: number; integer: boolean }): number | ExclusionReason {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return 'missing score';
  const v = typeof raw === 'number' ? raw : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) return 'not a number';
  if (rules.integer && !Number.isInteger(v)) return 'not an integer';
  if (v < rules.min || v > rules.max) return 'out of range';
  return v;
}

/** The metric's indicators (promoters, top-2 box, …) as tests on a valid score. */
export function indicatorTests(type: ScoreType<any>, def: ScoreDef): { name: string; test: (v: number) => boolean }[] {
  return Object.entries(type.indicators(def)).map(([name, spec]) => {
    const test = 'values' in spec ? (v: number) => spec.values.includes(v) : (v: number) => v >= spec.min && v <= spec.max;
    return { name, test };
  });
}

/**
 * The date column of a score metric: required with calendar periods (a located error naming the
 * key and the fix), optional with granularity all.
 */
export function scoreDate(id: string, def: { date?: string }, config: Config): string | undefined {
  if (def.date !== undefined || config.report.period.granularity === 'all') return def.date;
  const granularity = config.report.period.granularity;
  throw new CxError('config', `metric "${id}": missing \`date\`, the column that assigns each answer to a ${granularity}`, {
    location: config.yaml.locate(['metrics', id], { key: true }),
    hint: `add \`date: <column>\` (a timestamp or date, ISO 8601), or set report.period.granularity: all to compute the metric once over all data`,
  });
}

/**
 * Validates one metric's rows (period, score rules, on_invalid) and reduces them to cells grouped
 * also by `dims`; `keepRows` keeps the validated rows for sections that quote answers.
 */
export function prepareMetric(id: string, def: ScoreDef, type: ScoreType<any>, source: SourceTable, config: Config, options: { dims?: string[]; keepRows?: boolean } = {}): PreparedMetric {
  const what = `metric "${id}"`;
  requireColumn(source, def.score, config, ['metrics', id, 'score'], what);
  const date = scoreDate(id, def, config);
  if (date !== undefined) requireColumn(source, date, config, ['metrics', id, 'date'], what);
  for (const column of Object.keys(def.filter ?? {})) requireColumn(source, column, config, ['metrics', id, 'filter', column], what);

  const granularity = config.report.period.granularity;
  // granularity all: one period over all data, so a missing or invalid date excludes nothing
  const all = granularity === 'all';
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const rules = type.rules(def);
  const indicators = indicatorTests(type, def);
  const reject = rowRejecter(source, table, id);
  // the source's own arrays where not filtered (no copy; the metrics of a source share its parsed date column)
  const scores = columnValues(table, def.score);
  const n = table.numRows();
  const dates = date !== undefined ? columnValues(table, date) : new Array<unknown>(n).fill(null);
  const { ts, period } = all ? { ts: date !== undefined ? datesOf(dates, granularity).ts : new Float64Array(n).fill(NaN), period: new Array<string>(n).fill(ALL_PERIOD) } : datesOf(dates, granularity);
  const value: (number | null)[] = new Array(n);
  const status: string[] = new Array(n);
  const flags = options.keepRows ? indicators.map(() => new Uint8Array(n)) : [];
  const dims = (options.dims ?? []).filter((d) => table.columnNames().includes(d));
  const dimColumns = dims.map((d) => columnValues(table, d));
  const dimValues: unknown[] = new Array(dims.length);
  const cells = new CellBuilder(indicators, dims);
  for (let i = 0; i < n; i++) {
    const t = ts[i];
    const s = scoreOf(scores[i], rules);
    // a date outside report.date_range parses to NaN as well; it is told apart for the count and the message
    const undated = all || Number.isFinite(t) ? undefined : isImplausibleDate(dates[i]) ? 'date outside the plausible range' : 'missing or invalid date';
    if (undated) reject(i, date!, dates[i], undated === 'missing or invalid date' ? 'missing or invalid date (ISO 8601 expected)' : `date outside the plausible range (${plausibleDates().label}; report.date_range)`);
    else if (typeof s !== 'number') reject(i, def.score, scores[i], `${s} (valid: ${rules.integer ? 'integers' : 'numbers'} ${rules.min}–${rules.max})`);
    if (undated) {
      status[i] = undated;
      value[i] = null;
    } else if (typeof s === 'number') {
      status[i] = 'ok';
      value[i] = s;
      flags.forEach((f, k) => (f[i] = indicators[k].test(s) ? 1 : 0));
    } else {
      status[i] = s;
      value[i] = null;
    }
    for (let j = 0; j < dims.length; j++) dimValues[j] = dimColumns[j][i];
    cells.add(period[i], status[i], value[i], t, 1, dimValues);
  }
  const derived: Record<string, ArrayLike<unknown>> = { __period: period, __ts: ts, __value: value, __status: status };
  indicators.forEach((ind, k) => (derived[`__i_${ind.name}`] = flags[k] ?? []));
  // the rows, with their source columns, only for sections that quote answers
  const rows = options.keepRows ? table.assign(aq.table(derived)) : aq.table(Object.fromEntries(Object.keys(derived).map((k) => [k, []])));
  return { id, def, type, source, granularity, table: cells.table(), engine: 'memory', rows, indicatorNames: indicators.map((i) => i.name) };
}

export interface Cell {
  period: string;
  groups: string[];
  stats: Stats;
}

/** Sufficient statistics of valid rows per period (and per value of each `by` column), optionally filtered. */
export function aggregate(pm: PreparedMetric, options: { by?: string[]; where?: Filter; invert?: boolean } = {}): Cell[] {
  const by = options.by ?? [];
  let rows = pm.table.filter((d: Record<string, unknown>) => d.__status === 'ok');
  if (options.where) {
    const keep = compileFilter(options.where);
    const invert = options.invert === true;
    rows = rows.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]) !== invert));
  }
  const groupNames = by.map((_, j) => `__g${j}`);
  if (by.length > 0) {
    const keys: Record<string, (d: Record<string, unknown>) => string> = {};
    by.forEach((column, j) => (keys[groupNames[j]] = aq.escape((d: Record<string, unknown>) => groupKey(d[column])) as never));
    rows = rows.derive(keys);
  }
  const m = measures();
  const rollup: Record<string, unknown> = { n: m.n, sum: m.sum, sumSq: m.sumSq };
  for (const name of pm.indicatorNames) rollup[`c_${name}`] = m.indicator(name);
  const out = rows.groupby('__period', ...groupNames).rollup(rollup as never).orderby('__period', ...groupNames);
  return (out.objects() as Record<string, unknown>[]).map((o) => ({
    period: String(o.__period),
    groups: groupNames.map((g) => String(o[g])),
    stats: {
      n: Number(o.n),
      sum: Number(o.sum),
      sumSq: Number(o.sumSq),
      counts: Object.fromEntries(pm.indicatorNames.map((name) => [name, Number(o[`c_${name}`])])),
    },
  }));
}

/** Excluded rows per period and reason; rows without a valid date are keyed under period "undated". */
export function exclusions(pm: PreparedMetric): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  const counted = pm.table
    .filter((d: Record<string, unknown>) => d.__status !== 'ok')
    .groupby('__period', '__status')
    .rollup({ count: measures().n as never })
    .objects() as { __period: string | null; __status: string; count: number }[];
  // a fixed order (periods ascending, undated last; reasons as listed) whatever the engine's row order
  const order = (r: { __period: string | null; __status: string }) => [r.__period ?? '\uffff', String(REASONS.indexOf(r.__status as ExclusionReason)).padStart(2, '0')].join(' ');
  counted.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  for (const row of counted) {
    const key = row.__period ?? 'undated';
    const entry = out.get(key) ?? {};
    entry[row.__status] = (entry[row.__status] ?? 0) + row.count;
    out.set(key, entry);
  }
  return out;
}

/** Latest period with at least one valid row. */
export function latestPeriod(pm: PreparedMetric): string | undefined {
  const periods = pm.table.filter((d: Record<string, unknown>) => d.__status === 'ok').rollup({ p: 'd => op.max(d.__period)' }).objects() as { p: string | undefined }[];
  return periods[0]?.p ?? undefined;
}
