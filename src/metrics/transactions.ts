/**
 * Transaction cells: the sufficient statistics of the metrics that read a log of purchases or
 * activity — repeat purchase rate, CLV (simple and BG/NBD + Gamma-Gamma) and cohort retention of
 * an activity log. What those metrics use of a customer's rows is, per UTC calendar day: how many
 * rows, the sum of their amounts, the earliest and latest timestamp, and the row's grouping
 * values (breakdowns, filters). So the rows are reduced to one cell per (customer, UTC day, row
 * status, grouping values) with the row count, the amount sum, and the first and last timestamp.
 * Windows and periods start at UTC midnight, so a cell lies wholly inside or outside each of them.
 *
 * Two engines, one definition: in memory the rows are validated (located `on_invalid: error`
 * messages) and reduced to cells here; on a SQL source (transactions-sql.ts) the database does
 * the same validation in a CASE and the same GROUP BY, and only the cells come back. Both end in
 * the same `TransactionCells`, sorted the same total order, so every later step — windows,
 * per-customer summaries, "the customer's latest value" — gives the same result whatever the
 * engine. A customer's value of a grouping column is the one of their latest cell (ties between
 * same-day cells go to the greater grouping values, compared as text).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { CxError } from '../kernel/errors.js';
import { cellValue, isPushdown, isTemporal, loadRows, type PushdownSource, type SqlRelation } from '../sources/sql.js';
import { transactionCellsSql, type TransactionColumns, type TransactionSqlOptions } from './transactions-sql.js';
import type { SourceTable } from '../sources/types.js';
import { compileFilter, type Filter } from '../kernel/filter.js';
import { invalidRowHint, rowRejecter } from './invalid.js';
import { parseTimestamp } from '../kernel/period.js';
import { sortKeys } from './exclusions.js';

// the one order of exclusion records (exclusions.ts), for the metrics that tally transaction cells

export type { TransactionColumns };

export const DAY_MS = 86_400_000;

/** Why an order row is left out. Rows are never coerced: each invalid row is counted under one reason. */
export type RowReason = 'missing or invalid date' | 'missing customer' | 'missing amount' | 'amount not a number' | 'negative amount';

export interface TransactionOptions extends TransactionSqlOptions {
  /** the metric's id, for messages */
  metric: string;
  filter?: Filter;
  /** date parser of the in-memory engine (default ISO 8601 instants) */
  parseDate?: (raw: unknown) => number;
}

export interface TransactionCells {
  /**
   * Valid cells in (latest timestamp, customer, UTC day, grouping values) order: __customer and
   * __cid (its rank in text order), __first and __ts (earliest and latest timestamp, ms), __n
   * (rows), __amount (sum of amounts, 0 without an amount column), __firstOfDay (1 on the first
   * cell of its customer and day) and the grouping columns.
   */
  valid: ColumnTable;
  /** number of customers: __cid runs from 0 to customers − 1 (the customers in text order) */
  customers: number;
  /** excluded rows by cell: reason, a timestamp on the cell's day (NaN when undated) and row count */
  excluded: { status: string[]; ts: number[]; n: number[] };
  engine: 'memory' | 'sql';
}

const DECIMAL = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A numeric cell as a number, or the reason it is not one. */
export function amountOf(raw: unknown): number | 'missing amount' | 'amount not a number' {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return 'missing amount';
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(v) ? v : 'amount not a number';
}

/** A customer id as trimmed text, or null when missing. */
export function customerOf(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim();
  return s === '' ? null : s;
}

/** Text of a grouping value for cell keys and ordering (null and empty apart from any text). */
function dimKey(v: unknown): string {
  return v === null || v === undefined ? '\u0000' : String(v);
}

/**
 * A column's values without copying them when the table is neither filtered nor ordered (arquero's
 * `array()` copies every value into a new array on each call).
 */
export function columnValues<T = unknown>(table: ColumnTable, name: string): ArrayLike<T> {
  return (table.isFiltered() || table.isOrdered() ? table.array(name) : table.column(name)) as unknown as ArrayLike<T>;
}

/** Text order of strings by UTF-16 code units (locale-independent). */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Ranks of interned strings in text order. */
function textRanks(values: string[]): Int32Array {
  const order = values.map((_, i) => i).sort((a, b) => byText(values[a], values[b]));
  const rank = new Int32Array(values.length);
  order.forEach((id, r) => (rank[id] = r));
  return rank;
}

/** Each value's rank among the distinct values (numeric order; -0 is 0), and how many there are. */
function ranksOf(values: Float64Array): { rank: Int32Array; size: number } {
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) sorted[i] = values[i] + 0;
  sorted.sort();
  let size = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[size - 1]) sorted[size++] = sorted[i];
  const rank = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] + 0;
    let lo = 0;
    let hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (sorted[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    rank[i] = lo;
  }
  return { rank, size };
}

/**
 * Indices 0 … n − 1 in the order of the keys (integer ranks 0 … size − 1; the first key decides
 * first): a stable counting sort per key, from the last one — linear, where a sort calling a
 * comparator was most of the time of a large log's cells.
 */
function orderByRanks(n: number, keys: { rank: ArrayLike<number>; size: number }[]): Int32Array {
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Int32Array(n);
  for (let k = keys.length - 1; k >= 0; k--) {
    const { rank, size } = keys[k];
    const start = new Int32Array(size + 1);
    for (let i = 0; i < n; i++) start[rank[i] + 1]++;
    for (let r = 0; r < size; r++) start[r + 1] += start[r];
    for (let i = 0; i < n; i++) {
      const id = order[i];
      next[start[rank[id]]++] = id;
    }
    [order, next] = [next, order];
  }
  return order;
}

/** Collects rows or database cells into the cells both engines share. */
class CellCollector {
  // customers and grouping-value combinations are interned; a cell is found by its customer's map
  // of UTC days (byDay), and by indexByCombo when one day has several combinations
  private readonly customerIds = new Map<string, number>();
  private readonly customerNames: string[] = [];
  private readonly comboIds = new Map<string, number>();
  private readonly comboNames: string[] = [];
  private readonly comboValues: unknown[][] = [];
  /** per customer: its cell of each UTC day (the first grouping combination seen that day) */
  private readonly byDay: Map<number, number>[] = [];
  /** cells of a customer and day with another grouping combination, by "customer:day:combination" */
  private readonly indexByCombo = new Map<string, number>();
  private readonly customer: number[] = [];
  private readonly combo: number[] = [];
  private readonly first: number[] = [];
  private readonly last: number[] = [];
  private readonly n: number[] = [];
  private readonly amount: number[] = [];
  private readonly excludedAt = new Map<string, number>();
  readonly excluded = { status: [] as string[], ts: [] as number[], n: [] as number[] };

  constructor(private readonly dims: string[]) {}

  addValid(customer: string, first: number, last: number, n: number, amount: number, dims: readonly unknown[]): void {
    let c = this.customerIds.get(customer);
    if (c === undefined) {
      this.customerIds.set(customer, (c = this.customerNames.length));
      this.customerNames.push(customer);
    }
    let g = 0;
    if (dims.length > 0) {
      const comboKey = dims.length === 1 ? dimKey(dims[0]) : dims.map(dimKey).join('\u0001');
      let id = this.comboIds.get(comboKey);
      if (id === undefined) {
        this.comboIds.set(comboKey, (id = this.comboNames.length));
        this.comboNames.push(comboKey);
        this.comboValues.push([...dims]);
      }
      g = id;
    } else if (this.comboNames.length === 0) {
      this.comboNames.push('');
      this.comboValues.push([]);
    }
    const day = Math.floor(first / DAY_MS);
    let days = this.byDay[c];
    if (days === undefined) this.byDay[c] = days = new Map();
    let at = days.get(day);
    if (at !== undefined && this.combo[at] !== g) at = this.indexByCombo.get(`${c}:${day}:${g}`);
    if (at !== undefined) {
      this.first[at] = Math.min(this.first[at], first);
      this.last[at] = Math.max(this.last[at], last);
      this.n[at] += n;
      this.amount[at] += amount;
      return;
    }
    const cell = this.customer.length;
    if (days.has(day)) this.indexByCombo.set(`${c}:${day}:${g}`, cell);
    else days.set(day, cell);
    this.customer.push(c);
    this.combo.push(g);
    this.first.push(first);
    this.last.push(last);
    this.n.push(n);
    this.amount.push(amount);
  }

  addExcluded(status: string, ts: number, n: number): void {
    const day = Number.isFinite(ts) ? Math.floor(ts / DAY_MS) : NaN;
    const key = `${status}\u0001${day}`;
    const at = this.excludedAt.get(key);
    if (at !== undefined) {
      this.excluded.n[at] += n;
      return;
    }
    this.excludedAt.set(key, this.excluded.status.length);
    this.excluded.status.push(status);
    this.excluded.ts.push(Number.isFinite(ts) ? day * DAY_MS : NaN);
    this.excluded.n.push(n);
  }

  cells(engine: 'memory' | 'sql'): TransactionCells {
    const count = this.customer.length;
    // (typed arrays filled by loops: TypedArray.from with a mapping function is many times slower)
    const day = new Float64Array(count);
    const rc = new Int32Array(count);
    const rg = new Int32Array(count);
    const last = new Float64Array(count);
    const customerRank = textRanks(this.customerNames);
    const comboRank = textRanks(this.comboNames);
    for (let i = 0; i < count; i++) {
      day[i] = Math.floor(this.first[i] / DAY_MS);
      rc[i] = customerRank[this.customer[i]];
      rg[i] = comboRank[this.combo[i]];
      last[i] = this.last[i];
    }
    // (latest time, customer, day, combination): a cell's times lie on its day, so the latest time
    // decides the day and the day needs no sort of its own; no two cells share the other three
    const order = orderByRanks(count, [ranksOf(last), { rank: rc, size: customerRank.length }, { rank: rg, size: comboRank.length }]);
    // __cid: the customer's rank (0 … customers − 1); __firstOfDay: the first cell of its customer
    // and day in this order (a customer's cells come day by day, as a cell's latest time is on its day)
    const dayOf = new Float64Array(this.customerNames.length).fill(NaN);
    const firstOfDay = new Uint8Array(count);
    for (let k = 0; k < count; k++) {
      const i = order[k];
      const c = this.customer[i];
      if (dayOf[c] !== day[i]) {
        dayOf[c] = day[i];
        firstOfDay[k] = 1;
      }
    }
    const customer = new Array<string>(count);
    const cid = new Int32Array(count);
    const first = new Float64Array(count);
    const ts = new Float64Array(count);
    const n = new Float64Array(count);
    const amount = new Float64Array(count);
    const dimValues = this.dims.map(() => new Array<unknown>(count));
    for (let k = 0; k < count; k++) {
      const i = order[k];
      customer[k] = this.customerNames[this.customer[i]];
      cid[k] = rc[i];
      first[k] = this.first[i];
      ts[k] = last[i];
      n[k] = this.n[i];
      amount[k] = this.amount[i];
      const values = this.comboValues[this.combo[i]];
      for (let j = 0; j < dimValues.length; j++) dimValues[j][k] = values[j];
    }
    const columns: Record<string, ArrayLike<unknown>> = { __customer: customer, __cid: cid, __first: first, __ts: ts, __n: n, __amount: amount, __firstOfDay: firstOfDay };
    this.dims.forEach((d, j) => (columns[d] = dimValues[j]));
    return { valid: aq.table(columns), customers: this.customerNames.length, excluded: this.excluded, engine };
  }
}

/** In memory: the rows (after the filter) validated one by one — `on_invalid: error` names file, row and column — then reduced to cells. */
export function transactionCells(source: SourceTable, columns: TransactionColumns, options: TransactionOptions): TransactionCells {
  let table = source.table;
  if (options.filter && Object.keys(options.filter).length > 0) {
    const keep = compileFilter(options.filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const parse = options.parseDate ?? parseTimestamp;
  const missingCustomer = options.missingCustomer ?? 'missing customer';
  const reject = rowRejecter(source, table, options.metric);
  const n = table.numRows();
  const customers = columnValues(table, columns.customer);
  const dates = columnValues(table, columns.date);
  const amounts = columns.amount ? columnValues(table, columns.amount) : null;
  const dimColumns = options.dims.map((d) => columnValues(table, d));
  const collector = new CellCollector(options.dims);
  const dims: unknown[] = new Array(options.dims.length);
  for (let i = 0; i < n; i++) {
    const t = parse(dates[i]);
    const customer = customerOf(customers[i]);
    const badDate = !Number.isFinite(t);
    let reason: string | null = null;
    let amount = 0;
    if (customer === null && (options.customerFirst || !badDate)) {
      reason = missingCustomer;
      reject(i, columns.customer, customers[i], missingCustomer);
    } else if (badDate) {
      reason = 'missing or invalid date';
      reject(i, columns.date, dates[i], 'missing or invalid date (ISO 8601 expected)');
    } else if (amounts) {
      const a = amountOf(amounts[i]);
      if (typeof a === 'string' || a < 0) {
        reason = typeof a === 'string' ? a : 'negative amount';
        reject(i, columns.amount!, amounts[i], reason);
      } else amount = a;
    }
    if (reason !== null) {
      collector.addExcluded(reason, t, 1);
      continue;
    }
    for (let j = 0; j < dims.length; j++) dims[j] = dimColumns[j][i];
    collector.addValid(customer!, t, t, 1, amount, dims);
  }
  return collector.cells('memory');
}

/** Whether the database can validate and reduce these columns: a DATE or TIMESTAMP date and a numeric amount (if any). */
export function canPushDownTransactions(sql: SqlRelation, columns: TransactionColumns): boolean {
  return isTemporal(sql.kind(columns.date)) && (columns.amount === undefined || sql.kind(columns.amount) === 'number');
}

/** On a SQL source: the cells from the database, filtered by the metric's filter on their grouping values. */
export async function pushDownTransactions(source: PushdownSource, columns: TransactionColumns, options: TransactionOptions): Promise<TransactionCells> {
  const { names, rows } = await source.sql.run(transactionCellsSql(source.sql, columns, options));
  const at = (name: string) => names.indexOf(name);
  const [c, st, n, amount, first, last] = ['cx_customer', 'cx_status', 'cx_n', 'cx_amount', 'cx_first', 'cx_last'].map(at);
  const dimAt = options.dims.map((_, i) => at(`cx_dim${i}`));
  const keep = options.filter && Object.keys(options.filter).length > 0 ? compileFilter(options.filter) : null;
  const collector = new CellCollector(options.dims);
  let firstInvalid: { status: string; ts: number; customer: unknown } | undefined;
  const ms = (v: unknown) => (v === null || v === undefined ? NaN : Math.round(Number(v) * 1000));
  for (const r of rows) {
    const dims = dimAt.map((k) => cellValue(r[k]));
    if (keep && !keep((column) => dims[options.dims.indexOf(column)])) continue;
    const status = String(r[st]);
    if (status !== 'ok') {
      const ts = ms(r[last]);
      collector.addExcluded(status, ts, Number(r[n]));
      // the earliest dated one (undated last; ties by reason and customer): the same message whatever the database's row order
      const key = (x: { status: string; ts: number; customer: unknown }) => [Number.isFinite(x.ts) ? x.ts : Infinity, x.status, String(x.customer ?? '')] as const;
      const candidate = { status, ts, customer: r[c] };
      if (!firstInvalid) firstInvalid = candidate;
      else {
        const [a, b] = [key(candidate), key(firstInvalid)];
        if (a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])))) firstInvalid = candidate;
      }
      continue;
    }
    collector.addValid(String(r[c]), ms(r[first]), ms(r[last]), Number(r[n]), Number(r[amount]), dims);
  }
  if (firstInvalid && source.onInvalid === 'error') {
    const { status, ts, customer } = firstInvalid;
    const column = status === 'missing or invalid date' ? columns.date : status === (options.missingCustomer ?? 'missing customer') ? columns.customer : columns.amount!;
    const where = [customer === null || customer === undefined ? null : `customer ${JSON.stringify(String(customer))}`, Number.isFinite(ts) ? new Date(ts).toISOString().slice(0, 10) : null].filter(Boolean);
    const why = status === 'missing or invalid date' ? `${status} (a DATE or TIMESTAMP value expected)` : status;
    throw new CxError('data', `column ${column}: ${why}${where.length ? ` (a row of ${where.join(', ')})` : ''}`, {
      location: { file: source.file },
      hint: invalidRowHint(options.metric, source),
    });
  }
  return collector.cells('sql');
}

/** Excluded rows by reason, over cells whose timestamp satisfies `inScope` (undated cells: only when `undated`). */
export function tallyExclusions(excluded: TransactionCells['excluded'], inScope: (t: number) => boolean, undated = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < excluded.status.length; i++) {
    const t = excluded.ts[i];
    if (Number.isFinite(t) ? !inScope(t) : !undated) continue;
    out[excluded.status[i]] = (out[excluded.status[i]] ?? 0) + excluded.n[i];
  }
  return sortKeys(out);
}

/**
 * A metric's transaction cells from `source`: made by the database when the source is a SQL source
 * whose columns allow it (`canPushDownTransactions`), else from rows (a SQL source's rows read
 * once). In memory the result is returned at once, not as a promise.
 */
export function transactionsOf(source: SourceTable, columns: TransactionColumns, options: TransactionOptions): TransactionCells | Promise<TransactionCells> {
  if (!isPushdown(source)) return transactionCells(source, columns, options);
  if (canPushDownTransactions(source.sql, columns)) return pushDownTransactions(source, columns, options);
  return loadRows(source).then((rows) => transactionCells(rows, columns, options));
}

/** `f` of a value, or of a promise's value (a value stays synchronous). */
export function andThen<T, U>(value: T | Promise<T>, f: (v: T) => U): U | Promise<U> {
  return value instanceof Promise ? value.then(f) : f(value);
}

/** First index of a sorted array whose value is ≥ `x`. */
function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Per customer with a cell in [start, end) — a window starting and ending at UTC midnight, so a
 * cell is wholly inside or outside — the sum of `measure` (rows, purchase days or amounts) and the
 * position of their latest cell. The cells are sorted by time, so the window is one range of them.
 * `customers` lists the customers met (by __cid, in order of first cell); `k` and `last` are
 * indexed by __cid.
 */
export function perCustomer(cells: TransactionCells, start: number, end: number, measure: 'rows' | 'days' | 'amount'): { customers: number[]; k: Float64Array; last: Int32Array } {
  const ts = columnValues<number>(cells.valid, '__ts');
  const cid = columnValues<number>(cells.valid, '__cid');
  const value = columnValues<number>(cells.valid, measure === 'rows' ? '__n' : measure === 'days' ? '__firstOfDay' : '__amount');
  const k = new Float64Array(cells.customers);
  const last = new Int32Array(cells.customers).fill(-1);
  const customers: number[] = [];
  for (let i = lowerBound(ts, start), hi = lowerBound(ts, end); i < hi; i++) {
    const c = cid[i];
    if (last[c] < 0) customers.push(c);
    k[c] += value[i];
    last[c] = i;
  }
  return { customers, k, last };
}
