/**
 * Customers and their periods, shared by the customer metrics (churn, retention, cohort
 * retention, survival, revenue retention): period ordinals, exclusions counted per period and
 * reason, the customers table with one valid row per customer, and group and filter helpers.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ALL_PERIOD, NO_PERIOD, parseTimestamp, periodOf, periodStart, shiftPeriod, type Granularity } from '../kernel/period.js';
import { compileFilter, describeFilter, type Filter } from '../kernel/filter.js';
import { describeFilterIn, translator, type Locale } from '../kernel/i18n.js';
import { z } from 'zod';
import type { Prepared, PrepareContext } from './module.js';
import { ExclusionCounter } from './exclusions.js';
import { groupKey } from './prepare.js';
import { rowRejecter } from './invalid.js';
import { customerOf } from './transactions.js';
import type { SourceTable } from '../sources/types.js';

// ---------------------------------------------------------------------------------------------
// Period ordinals (a continuous integer axis, so that period arithmetic is subtraction)
// ---------------------------------------------------------------------------------------------

/** Index of a period key on a continuous integer axis (months, quarters or years since year 0). */
export function periodOrdinal(key: string, granularity: Granularity): number {
  if (granularity === 'all') return key === ALL_PERIOD ? 0 : key === NO_PERIOD ? -1 : 1;
  const y = Number(key.slice(0, 4));
  if (granularity === 'year') return y;
  if (granularity === 'quarter') return y * 4 + Number(key.slice(6)) - 1;
  return y * 12 + Number(key.slice(5, 7)) - 1;
}

/** The period key of an ordinal. */
export function ordinalPeriod(n: number, granularity: Granularity): string {
  if (granularity === 'all') return shiftPeriod(ALL_PERIOD, n, granularity);
  if (granularity === 'year') return String(n);
  if (granularity === 'quarter') return `${Math.floor(n / 4)}-Q${(n % 4) + 1}`;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
}

/** Ordinal of the period holding a timestamp (UTC). */
export function timeOrdinal(ms: number, granularity: Granularity): number {
  if (granularity === 'all') return 0;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (granularity === 'year') return y;
  if (granularity === 'quarter') return y * 4 + Math.floor(d.getUTCMonth() / 3);
  return y * 12 + d.getUTCMonth();
}

// ---------------------------------------------------------------------------------------------
// The customers table: one valid row per customer
// ---------------------------------------------------------------------------------------------

/** Config keys of metrics computed from a customers table (churn, retention, cohort-retention, survival). */
export const customerFields = {
  source: z.string().describe('Name of the source (under `sources:`) holding one row per customer.').meta({ examples: ['customers'] }),
  id: z.string().describe('Column holding the customer id; an id that occurs on more than one row is excluded (all its rows) and counted.').meta({ examples: ['customer_id'] }),
  start: z.string().describe('Column holding the date the customer started (signup), ISO 8601 (e.g. 2026-01-15).').meta({ examples: ['signup_date'] }),
  end: z.string().describe('Column holding the date the customer left (cancellation), ISO 8601; empty while the customer is active.').meta({ examples: ['cancel_date'] }),
};

export type CustomerExclusion = 'missing id' | 'missing or invalid start date' | 'invalid end date' | 'end before start' | 'duplicate id';

/** Valid customers and their derived columns; excluded rows counted per period of their start date. */
export interface PreparedCustomers<D = unknown> extends Prepared {
  kind: 'customers';
  id: string;
  def: D;
  granularity: Granularity;
  source: SourceTable;
  /**
   * Valid customers: the source's columns plus __id (text), __start and __end (UTC ms; __end null
   * while active), __sp (start period ordinal) and __ep (end period ordinal, null while active).
   */
  table: ColumnTable;
  start: Float64Array;
  /** NaN while active */
  end: Float64Array;
  exclusions: ExclusionCounter;
  /** every valid start and end timestamp, ascending (for "data through") */
  times: Float64Array;
  /** the config's filter, described for captions */
  filterText: string | null;
  /** memoised per-group flows (by breakdown column; '' = all customers) */
  cache: Map<string, unknown>;
  /**
   * 'sql' when the database counted the customers: `table` then holds weighted cells (__w), and
   * `start`/`end` are empty (month cells) or the cells' instants with `weight` (instant cells)
   */
  engine?: 'sql';
  /** customers per entry of `start`/`end` (instant cells); absent: one each */
  weight?: Float64Array;
}

function isEmpty(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');
}

/** Rows of `source` kept by an optional filter (columns already checked). */
export function filteredTable(source: SourceTable, filter: Filter | undefined): ColumnTable {
  if (!filter || Object.keys(filter).length === 0) return source.table;
  const keep = compileFilter(filter);
  return source.table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
}

/** Latest period with data and the latest timestamp up to a period's end, from sorted timestamps. */
export function timeIndex(times: Float64Array, granularity: Granularity): Pick<Prepared, 'latestPeriod' | 'lastTimestamp'> {
  return {
    latestPeriod: () => (times.length ? periodOf(times[times.length - 1], granularity) : undefined),
    lastTimestamp(period) {
      const limit = nextPeriodStart(period, granularity);
      let lo = 0;
      let hi = times.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (times[mid] < limit) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 ? times[lo - 1] : undefined;
    },
  };
}

/** First instant of the period after `period`. */
export function nextPeriodStart(period: string, granularity: Granularity): number {
  return periodStart(ordinalPeriod(periodOrdinal(period, granularity) + 1, granularity), granularity);
}

/**
 * Validates a customers table: every row needs an id, a valid start date, an empty or valid end
 * date not before the start, and an id that occurs once. Anything else is excluded and counted
 * under the period of its start date (or "undated"), never corrected.
 */
export function prepareCustomers<D extends { id: string; start: string; end: string; filter?: Filter }>(ctx: PrepareContext<D>, extraColumns: [string, string | undefined][] = []): PreparedCustomers<D> {
  const def = ctx.def;
  const source = ctx.source('source');
  requireCustomerColumns(ctx, source, extraColumns);
  const g = ctx.granularity;
  const table = filteredTable(source, def.filter);
  const n = table.numRows();
  const ids = table.array(def.id) as ArrayLike<unknown>;
  const starts = table.array(def.start) as ArrayLike<unknown>;
  const ends = table.array(def.end) as ArrayLike<unknown>;
  const exclusions = new ExclusionCounter();

  const id: (string | null)[] = new Array(n);
  const start = new Float64Array(n);
  const end = new Float64Array(n);
  const reason: (CustomerExclusion | null)[] = new Array(n).fill(null);
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    id[i] = customerOf(ids[i]);
    start[i] = parseDate(starts[i]);
    end[i] = isEmpty(ends[i]) ? NaN : parseDate(ends[i]);
    if (id[i] === null) reason[i] = 'missing id';
    else if (!Number.isFinite(start[i])) reason[i] = 'missing or invalid start date';
    else if (!isEmpty(ends[i]) && !Number.isFinite(end[i])) reason[i] = 'invalid end date';
    else if (end[i] < start[i]) reason[i] = 'end before start';
    if (id[i] !== null) seen.set(id[i]!, (seen.get(id[i]!) ?? 0) + 1);
  }
  const reject = rowRejecter(source, table, ctx.id);
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (reason[i] === null && (seen.get(id[i]!) ?? 0) > 1) reason[i] = 'duplicate id';
    if (reason[i] === 'missing id' || reason[i] === 'duplicate id') reject(i, def.id, ids[i], reason[i] === 'duplicate id' ? `duplicate id (${seen.get(id[i]!)} rows)` : 'missing id');
    else if (reason[i] === 'missing or invalid start date') reject(i, def.start, starts[i], 'missing or invalid start date (ISO 8601 expected)');
    else if (reason[i] !== null) reject(i, def.end, ends[i], reason[i] === 'end before start' ? `end before start (${String(starts[i])})` : 'invalid end date (ISO 8601 or empty expected)');
    if (reason[i] === null) keep.push(i);
    else exclusions.add(Number.isFinite(start[i]) ? periodOf(start[i], g) : null, reason[i]!);
  }
  const valid = table.reify(keep);
  const vStart = Float64Array.from(keep, (i) => start[i]);
  const vEnd = Float64Array.from(keep, (i) => end[i]);
  const derived = aq.table({
    __id: keep.map((i) => id[i]),
    __start: vStart,
    __end: Array.from(vEnd, (t) => (Number.isNaN(t) ? null : t)),
    __sp: Array.from(vStart, (t) => timeOrdinal(t, g)),
    __ep: Array.from(vEnd, (t) => (Number.isNaN(t) ? null : timeOrdinal(t, g))),
  });
  const times = Float64Array.from([...vStart, ...vEnd].filter((t) => !Number.isNaN(t))).sort();
  return preparedCustomers(ctx, source, valid.assign(derived), { start: vStart, end: vEnd, exclusions, times, filterText: def.filter ? describeFilter(def.filter) : null });
}

/**
 * Checks the columns a customers metric reads, in the order the messages name them: id, start,
 * end, the filter's columns, then `extraColumns` ([config key, column]).
 */
export function requireCustomerColumns<D extends { id: string; start: string; end: string; filter?: Record<string, unknown> }>(ctx: PrepareContext<D>, source: SourceTable, extraColumns: [string, string | undefined][]): void {
  const def = ctx.def;
  ctx.requireColumn(source, def.id, ['id']);
  ctx.requireColumn(source, def.start, ['start']);
  ctx.requireColumn(source, def.end, ['end']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  for (const [key, column] of extraColumns) if (column !== undefined) ctx.requireColumn(source, column, [key]);
}

/** What either engine (rows here, cells in customers-pushdown.ts) adds to the metric's header. */
type CustomersBody<D> = Omit<PreparedCustomers<D>, 'kind' | 'id' | 'def' | 'granularity' | 'source' | 'table' | 'cache' | 'latestPeriod' | 'lastTimestamp'>;

/** The prepared customers of either engine: the metric's header, the engine's fields and the time index of `body.times`. */
export function preparedCustomers<D>(ctx: PrepareContext<D>, source: SourceTable, table: ColumnTable, body: CustomersBody<D>): PreparedCustomers<D> {
  return { kind: 'customers', id: ctx.id, def: ctx.def, granularity: ctx.granularity, source, table, ...body, cache: new Map(), ...timeIndex(body.times, ctx.granularity) };
}

/** An ISO 8601 date or timestamp; number cells (e.g. 20260115) are not dates. */
export function parseDate(raw: unknown): number {
  return typeof raw === 'string' ? parseTimestamp(raw) : NaN;
}

/** Rollup of a customer count: a row is one customer; a cell counted by the database (customers-pushdown.ts) is __w customers. */
export function customerCount(pc: PreparedCustomers): never {
  return { count: pc.table.columnNames().includes('__w') ? 'd => op.sum(d.__w)' : aq.op.count() } as never;
}

/** Group label of each valid customer for a column ("(missing)" for empty cells). */
export function groupsOf(table: ColumnTable, column: string | undefined): string[] {
  const n = table.numRows();
  if (column === undefined) return new Array(n).fill('all');
  const values = table.array(column) as ArrayLike<unknown>;
  return Array.from({ length: n }, (_, i) => groupKey(values[i]));
}

/** A metric's row filter in words in a locale (as `filterText`, which is English), or null without one. */
export function filterTextIn(filter: Filter | undefined, locale: Locale): string | null {
  return filter ? describeFilterIn(translator(locale), filter) || null : null;
}
