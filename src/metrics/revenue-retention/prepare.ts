/** Revenue retention: the MRR snapshots validated once per source rows and columns (shared by the metrics on them). */
import { ExclusionCounter } from '../exclusions.js';
import { rowRejecter } from '../invalid.js';
import type { SourceTable } from '../../sources/types.js';
import { filteredTable, ordinalPeriod, parseDate, periodOrdinal, timeOrdinal } from '../customers.js';
import { describeFilter } from '../../kernel/filter.js';
import type { Prepared, PrepareContext } from '../module.js';
import { periodOf, plausibleDates, type Granularity } from '../../kernel/period.js';
import type { RevenueRetentionDef } from './schema.js';

/** One month's snapshot: paying customers (index), their MRR and source row. */
export interface Snapshot {
  month: number;
  customer: Int32Array;
  mrr: Float64Array;
  row: Int32Array;
}

export interface PreparedRevenue extends Prepared {
  kind: 'revenue';
  id: string;
  def: RevenueRetentionDef;
  granularity: Granularity;
  source: SourceTable;
  exclusions: ExclusionCounter;
  filterText: string | null;
  customers: number;
  /** snapshots by month ordinal (year·12 + month − 1) */
  snapshots: Map<number, Snapshot>;
  /** the source rows (after the filter), for group columns */
  table: import('arquero').ColumnTable;
  /** per-customer pairs of two snapshots, shared by every metric on the same rows and columns (see `sharedPreparations`) */
  cache: Map<string, unknown>;
  /** the measures of the metrics sharing these rows, by "resamples:seed": bootstrapped together */
  measures: Map<string, Set<'nrr' | 'grr'>>;
}

/** What the metrics on the same rows and columns share: everything `prepareRevenue` derives from them. */
type SharedRevenue = Pick<PreparedRevenue, 'exclusions' | 'customers' | 'snapshots' | 'table' | 'cache' | 'measures' | 'latestPeriod' | 'lastTimestamp'>;

/**
 * One preparation per source rows (the table object, so also per SQL source read into memory
 * once) and id, month and MRR columns, filter and granularity: an NRR and a GRR metric on the
 * same snapshots validate them once and share their pairs and bootstraps. Weakly held: gone with
 * the source; a preview rebuild of unchanged data (same source objects) reuses it.
 */
const sharedPreparations = new WeakMap<object, Map<string, SharedRevenue>>();

export const monthKey = (m: number) => ordinalPeriod(m, 'month');
export const monthStart = (m: number) => Date.UTC(Math.floor(m / 12), m % 12, 1);

/** A month cell as a month ordinal: "2026-10" or an ISO date/timestamp within the month. */
export function monthOrdinal(raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? Number(m[1]) * 12 + month - 1 : NaN;
  }
  const t = parseDate(s);
  return Number.isFinite(t) ? timeOrdinal(t, 'month') : NaN;
}

function mrrOf(raw: unknown): number | 'missing MRR' | 'MRR not a number' | 'negative MRR' {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return 'missing MRR';
  const v = typeof raw === 'number' ? raw : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) return 'MRR not a number';
  if (v < 0) return 'negative MRR';
  return v;
}

export function prepareRevenue(ctx: PrepareContext<RevenueRetentionDef>): PreparedRevenue {
  const def = ctx.def;
  const g = ctx.granularity;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.id, ['id']);
  ctx.requireColumn(source, def.month, ['month']);
  ctx.requireColumn(source, def.mrr, ['mrr']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  // (the plausible date range decides which ISO dates are read: report.date_range)
  const key = JSON.stringify([def.id, def.month, def.mrr, def.filter ?? null, g, plausibleDates().label]);
  const byKey = sharedPreparations.get(source.table) ?? new Map<string, SharedRevenue>();
  sharedPreparations.set(source.table, byKey);
  let shared = byKey.get(key);
  if (!shared) {
    // not kept when it throws (on_invalid: error): each metric then fails with its own name
    shared = prepareShared(source, def, g, ctx.id);
    byKey.set(key, shared);
  }
  const together = `${def.resamples}:${def.seed}`;
  shared.measures.set(together, (shared.measures.get(together) ?? new Set()).add(def.measure));
  return { kind: 'revenue', id: ctx.id, def, granularity: g, source, filterText: def.filter ? describeFilter(def.filter) : null, ...shared };
}

/** Validates the snapshots of a source once for every metric on the same columns (`metric` names the first, for on_invalid: error). */
function prepareShared(source: SourceTable, def: RevenueRetentionDef, g: Granularity, metric: string): SharedRevenue {
  const table = filteredTable(source, def.filter);
  const n = table.numRows();
  const ids = table.array(def.id) as ArrayLike<unknown>;
  const months = table.array(def.month) as ArrayLike<unknown>;
  const values = table.array(def.mrr) as ArrayLike<unknown>;
  const exclusions = new ExclusionCounter();
  const period = (m: number) => (Number.isFinite(m) ? periodOf(monthStart(m), g) : null);

  const id: string[] = new Array(n);
  const month = new Float64Array(n);
  const mrr = new Float64Array(n);
  const reason: (string | null)[] = new Array(n).fill(null);
  // rows per month and customer id (a month column has few distinct cells: each is read once)
  const seen = new Map<number, Map<string, number>>();
  const ordinals = new Map<unknown, number>();
  for (let i = 0; i < n; i++) {
    id[i] = ids[i] === null || ids[i] === undefined ? '' : String(ids[i]).trim();
    let m = ordinals.get(months[i]);
    if (m === undefined) ordinals.set(months[i], (m = monthOrdinal(months[i])));
    month[i] = m;
    const v = mrrOf(values[i]);
    if (id[i] === '') reason[i] = 'missing id';
    else if (!Number.isFinite(month[i])) reason[i] = 'missing or invalid month';
    else if (typeof v === 'string') reason[i] = v;
    else mrr[i] = v;
    if (id[i] !== '' && Number.isFinite(month[i])) {
      let ofMonth = seen.get(month[i]);
      if (ofMonth === undefined) seen.set(month[i], (ofMonth = new Map()));
      ofMonth.set(id[i], (ofMonth.get(id[i]) ?? 0) + 1);
    }
  }
  const customerIndex = new Map<string, number>();
  const byMonth = new Map<number, { customer: number[]; mrr: number[]; row: number[] }>();
  const reject = rowRejecter(source, table, metric);
  for (let i = 0; i < n; i++) {
    if (reason[i] === null && (seen.get(month[i])?.get(id[i]) ?? 0) > 1) reason[i] = 'duplicate customer-month';
    if (reason[i] === 'missing id' || reason[i] === 'duplicate customer-month') reject(i, def.id, ids[i], reason[i]!);
    else if (reason[i] === 'missing or invalid month') reject(i, def.month, months[i], 'missing or invalid month (YYYY-MM or an ISO date expected)');
    else if (reason[i] !== null) reject(i, def.mrr, values[i], reason[i]!);
    if (reason[i] !== null) {
      exclusions.add(period(month[i]), reason[i]!);
      continue;
    }
    let c = customerIndex.get(id[i]);
    if (c === undefined) customerIndex.set(id[i], (c = customerIndex.size));
    const entry = byMonth.get(month[i]) ?? { customer: [], mrr: [], row: [] };
    entry.customer.push(c);
    entry.mrr.push(mrr[i]);
    entry.row.push(i);
    byMonth.set(month[i], entry);
  }
  // customers are numbered in the text order of their ids, so that the bootstrap (which visits
  // customers in this order) gives the same interval whatever order the rows come in — a database
  // returns them in no particular order
  const names = [...customerIndex.keys()];
  const rank = new Int32Array(names.length);
  names
    .map((_, c) => c)
    .sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0))
    .forEach((c, r) => (rank[c] = r));
  const snapshots = new Map<number, Snapshot>();
  for (const m of [...byMonth.keys()].sort((a, b) => a - b)) {
    const e = byMonth.get(m)!;
    const customer = new Int32Array(e.customer.length);
    for (let k = 0; k < customer.length; k++) customer[k] = rank[e.customer[k]];
    snapshots.set(m, { month: m, customer, mrr: Float64Array.from(e.mrr), row: Int32Array.from(e.row) });
  }
  const monthsSorted = [...snapshots.keys()];
  return {
    exclusions,
    customers: customerIndex.size,
    snapshots,
    table,
    cache: new Map(),
    measures: new Map(),
    latestPeriod: () => (monthsSorted.length ? periodOf(monthStart(monthsSorted[monthsSorted.length - 1]), g) : undefined),
    lastTimestamp(p) {
      const last = snapshotMonth({ snapshots } as PreparedRevenue, periodOrdinal(p, g), g, true);
      return last === undefined ? undefined : monthStart(last + 1) - 1;
    },
  };
}

/** The snapshot month of report period ordinal p: its latest month with data (or, `upTo`, the latest at or before it). */
export function snapshotMonth(pr: Pick<PreparedRevenue, 'snapshots'>, p: number, g: Granularity, upTo = false): number | undefined {
  let best: number | undefined;
  for (const m of pr.snapshots.keys()) {
    const q = timeOrdinal(monthStart(m), g);
    if ((upTo ? q <= p : q === p) && (best === undefined || m > best)) best = m;
  }
  return best;
}
