/**
 * Recency–frequency summaries ("customer-by-sufficient-statistic" data) for the BG/NBD and
 * Gamma-Gamma models: the per-customer type, its validation and weighting, and its derivation
 * from a raw transaction log.
 */

/** One customer's repeat-purchase history, in model time units (e.g. weeks). */
export interface RfmCustomer {
  /** Number of repeat purchases (purchase periods after the first), an integer ≥ 0. */
  x: number;
  /** Time of the last repeat purchase since the first purchase (0 when x = 0). */
  tx: number;
  /** Time from the first purchase to the end of the observation period. */
  T: number;
}

/** The same data as parallel columns, optionally with a multiplicity per row. */
export interface RfmColumns {
  x: readonly number[];
  tx: readonly number[];
  T: readonly number[];
  /** Number of customers each row stands for (default 1). */
  weight?: readonly number[];
}

/** Per-customer rows or parallel columns. */
export type RfmData = readonly RfmCustomer[] | RfmColumns;

/** Distinct (x, tx, T) rows with the number of customers sharing each. */
export interface WeightedRfm {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  /** Total weight, i.e. the number of customers. */
  n: number;
}

/**
 * Validate RFM data and merge identical (x, tx, T) rows into one weighted row. Many customers
 * share a history (all one-time buyers from the same week, for instance), so likelihoods summed
 * over the merged rows cost a fraction of the per-customer sum and give the same value.
 */
export function collapseRfm(data: RfmData): WeightedRfm {
  const columns = toColumns(data);
  const index = new Map<string, number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  let n = 0;
  for (let i = 0; i < columns.x.length; i++) {
    const xi = columns.x[i]!;
    const txi = columns.tx[i]!;
    const Ti = columns.T[i]!;
    const wi = columns.weight?.[i] ?? 1;
    validateCustomer(xi, txi, Ti, i);
    if (!(wi >= 0 && Number.isFinite(wi))) throw new RangeError(`RFM row ${i}: weight must be a finite number ≥ 0`);
    if (wi === 0) continue;
    // tx is irrelevant when x = 0, so such rows merge on T alone.
    const key = `${xi}|${xi === 0 ? 0 : txi}|${Ti}`;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, x.length);
      x.push(xi);
      tx.push(xi === 0 ? 0 : txi);
      T.push(Ti);
      weight.push(wi);
    } else {
      weight[at]! += wi;
    }
    n += wi;
  }
  return { x: Float64Array.from(x), tx: Float64Array.from(tx), T: Float64Array.from(T), weight: Float64Array.from(weight), n };
}

/** Check one customer's summary: integer x ≥ 0, 0 ≤ tx ≤ T, T > 0. */
export function validateCustomer(x: number, tx: number, T: number, row?: number): void {
  const where = row === undefined ? 'RFM customer' : `RFM row ${row}`;
  if (!(Number.isInteger(x) && x >= 0)) throw new RangeError(`${where}: x must be an integer ≥ 0 (got ${x})`);
  if (!(Number.isFinite(T) && T > 0)) throw new RangeError(`${where}: T must be finite and > 0 (got ${T})`);
  if (!(Number.isFinite(tx) && tx >= 0 && tx <= T)) throw new RangeError(`${where}: tx must lie in [0, T] (got ${tx}, T = ${T})`);
}

function toColumns(data: RfmData): RfmColumns {
  if (Array.isArray(data)) {
    const rows = data as readonly RfmCustomer[];
    return { x: rows.map((r) => r.x), tx: rows.map((r) => r.tx), T: rows.map((r) => r.T) };
  }
  const columns = data as RfmColumns;
  const length = columns.x.length;
  if (columns.tx.length !== length || columns.T.length !== length || (columns.weight && columns.weight.length !== length)) {
    throw new RangeError('RFM columns must all have the same length');
  }
  return columns;
}

/** One purchase in a transaction log. */
export interface Transaction {
  customerId: string | number;
  /** A Date (its UTC calendar day is used), or 'YYYY-MM-DD' / 'YYYYMMDD'. */
  date: Date | string;
  /** Purchase amount, needed only for zbar. */
  amount?: number;
}

/** Options for {@link summarizeTransactions}. */
export interface SummarizeOptions {
  /** Last day of the calibration period, inclusive; later purchases are ignored. */
  calibrationEnd: Date | string;
  /** Days per model time unit (7 gives weeks, the CDNOW convention). Default 7. */
  periodDays?: number;
}

/** Per-customer summary derived from a transaction log. */
export interface TransactionSummary extends RfmCustomer {
  customerId: string;
  /** First purchase day, 'YYYY-MM-DD'. */
  firstPurchase: string;
  /**
   * Mean spend per repeat purchase day (the first day excluded, as the Gamma-Gamma model
   * requires); 0 when x = 0, following the BTYD and lifetimes summary files.
   */
  zbar: number;
}

const MS_PER_DAY = 86_400_000;

/**
 * Summarise a transaction log as (x, tx, T, zbar) per customer, the way BTYD and lifetimes
 * build their CDNOW summaries: purchases are merged by calendar day; x counts purchase days
 * after the first within the calibration period; tx and T are measured from the first purchase
 * day to the last purchase day and to the calibration end, in units of `periodDays`. Customers
 * whose first purchase falls after the calibration end are left out. Output follows the order
 * in which customers first appear in `rows`.
 */
export function summarizeTransactions(rows: Iterable<Transaction>, options: SummarizeOptions): TransactionSummary[] {
  const periodDays = options.periodDays ?? 7;
  if (!(periodDays > 0)) throw new RangeError('summarizeTransactions: periodDays must be > 0');
  const end = dayNumber(options.calibrationEnd);
  // customer → (day → total spend that day)
  const byCustomer = new Map<string, Map<number, number>>();
  for (const row of rows) {
    const day = dayNumber(row.date);
    const id = String(row.customerId);
    let days = byCustomer.get(id);
    if (!days) {
      days = new Map();
      byCustomer.set(id, days);
    }
    if (day > end) continue;
    days.set(day, (days.get(day) ?? 0) + (row.amount ?? 0));
  }
  const out: TransactionSummary[] = [];
  for (const [customerId, days] of byCustomer) {
    if (days.size === 0) continue;
    const sorted = [...days.keys()].sort((p, q) => p - q);
    const first = sorted[0]!;
    const last = sorted[sorted.length - 1]!;
    const x = sorted.length - 1;
    let repeatSpend = 0;
    for (let i = 1; i < sorted.length; i++) repeatSpend += days.get(sorted[i]!)!;
    out.push({
      customerId,
      x,
      tx: (last - first) / periodDays,
      T: (end - first) / periodDays,
      zbar: x > 0 ? repeatSpend / x : 0,
      firstPurchase: new Date(first * MS_PER_DAY).toISOString().slice(0, 10),
    });
  }
  return out;
}

/**
 * {@link summarizeTransactions} for many calibration ends of one log, whose rows are in date
 * order: the log is read once (customers in order of appearance, each with its purchase days and
 * the spend of each day), then each calibration end costs a pass over the customers seen by then.
 * Gives exactly what `summarizeTransactions(rows, { calibrationEnd, periodDays })` gives (the same
 * sums in the same order). Throws a RangeError when the rows are not in date order.
 */
export function transactionSummarizer(rows: Iterable<Transaction>, periodDays = 7): (calibrationEnd: Date | string) => TransactionSummary[] {
  if (!(periodDays > 0)) throw new RangeError('transactionSummarizer: periodDays must be > 0');
  const index = new Map<string, number>();
  const ids: string[] = [];
  /** per customer: purchase days, ascending, and the running repeat spend after each (0 after the first) */
  const days: number[][] = [];
  const dayTotals: number[][] = [];
  let previous = -Infinity;
  for (const row of rows) {
    const day = dayNumber(row.date);
    if (day < previous) throw new RangeError('transactionSummarizer: the rows must be in date order');
    previous = day;
    const id = String(row.customerId);
    let c = index.get(id);
    if (c === undefined) {
      index.set(id, (c = ids.length));
      ids.push(id);
      days.push([]);
      dayTotals.push([]);
    }
    const d = days[c];
    const t = dayTotals[c];
    if (d.length > 0 && d[d.length - 1] === day) t[t.length - 1] += row.amount ?? 0;
    else {
      d.push(day);
      t.push(0 + (row.amount ?? 0));
    }
  }
  const firstDays = days.map((d) => d[0]);
  const firstPurchase = firstDays.map((f) => new Date(f * MS_PER_DAY).toISOString().slice(0, 10));
  // repeat spend up to each day: summed from the second day on, in day order, as summarizeTransactions does
  const repeatSpend = dayTotals.map((t) => {
    const out = new Array<number>(t.length);
    let sum = 0;
    out[0] = 0;
    for (let i = 1; i < t.length; i++) out[i] = sum += t[i];
    return out;
  });
  return (calibrationEnd) => {
    const end = dayNumber(calibrationEnd);
    const out: TransactionSummary[] = [];
    // customers appear in date order, so those seen by the end come first
    for (let c = 0; c < ids.length && firstDays[c] <= end; c++) {
      const d = days[c];
      let m = d.length;
      while (d[m - 1] > end) m--;
      const x = m - 1;
      out.push({ customerId: ids[c], x, tx: (d[m - 1] - d[0]) / periodDays, T: (end - d[0]) / periodDays, zbar: x > 0 ? repeatSpend[c][m - 1] / x : 0, firstPurchase: firstPurchase[c] });
    }
    return out;
  };
}

/** Whole days since 1970-01-01 (UTC) for a Date or an ISO / compact date string. */
function dayNumber(date: Date | string): number {
  if (date instanceof Date) {
    const ms = date.getTime();
    if (Number.isNaN(ms)) throw new RangeError('summarizeTransactions: invalid Date');
    return Math.floor(ms / MS_PER_DAY);
  }
  const match = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date.trim());
  if (!match) throw new RangeError(`summarizeTransactions: unrecognised date "${date}" (use YYYY-MM-DD or YYYYMMDD)`);
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const check = new Date(ms);
  // Reject impossible dates such as 1997-02-30 instead of letting Date roll them over.
  if (check.getUTCMonth() !== Number(m) - 1 || check.getUTCDate() !== Number(d)) {
    throw new RangeError(`summarizeTransactions: invalid calendar date "${date}"`);
  }
  return ms / MS_PER_DAY;
}
