/**
 * The sufficient statistics of a score metric as cells: one per period × row status × score ×
 * value of each grouping column, holding the row count (__w), the sum and sum of squares of the
 * valid scores, one count per indicator and the latest timestamp. Both engines produce this table —
 * in memory from rows (weight 1 each), pushed down from the database's grouped query (weight = count) —
 * and one finaliser (prepare.ts `aggregate`, results.ts) sums cells into value, interval and test.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';

export interface Indicator {
  name: string;
  test: (v: number) => boolean;
}

/** The key of a missing value (null or undefined) at any level of the cell index. */
const NONE = Symbol('none');

/**
 * A grouping value as a key: numbers as themselves (0 and -0, and every NaN, alike), anything else
 * as its text (so `true` and "true" are one group), null and undefined as NONE.
 */
const keyOf = (v: unknown): unknown => (v === null || v === undefined ? NONE : typeof v === 'number' ? v : typeof v === 'string' ? v : String(v));

/** A level of the cell index: the next level by key, or at the last level the cell's number. */
type Level = Map<unknown, Level | number>;

export class CellBuilder {
  /** period → status → score → each grouping value → cell (no key text built per row) */
  private readonly index: Level = new Map();
  private readonly period: (string | null)[] = [];
  private readonly status: string[] = [];
  private readonly value: (number | null)[] = [];
  private readonly ts: number[] = [];
  private readonly w: number[] = [];
  private readonly sum: number[] = [];
  private readonly sumSq: number[] = [];
  private readonly counts: number[][];
  private readonly dimValues: unknown[][];

  constructor(
    private readonly indicators: Indicator[],
    private readonly dims: string[],
  ) {
    this.counts = indicators.map(() => []);
    this.dimValues = dims.map(() => []);
  }

  /** Adds `w` rows with this period, status, valid score (null unless status is ok), timestamp and grouping values. */
  add(period: string | null, status: string, value: number | null, ts: number, w: number, dims: readonly unknown[]): void {
    let level = this.index;
    const last = dims.length + 2;
    let found: Level | number | undefined;
    for (let depth = 0; ; depth++) {
      const key = depth === 0 ? (period ?? NONE) : depth === 1 ? status : depth === 2 ? (value ?? NONE) : keyOf(dims[depth - 3]);
      found = level.get(key);
      if (depth === last) {
        if (found === undefined) level.set(key, this.w.length);
        break;
      }
      if (found === undefined) level.set(key, (found = new Map()));
      level = found as Level;
    }
    let k = found as number | undefined;
    if (k === undefined) {
      k = this.w.length;
      this.period.push(period);
      this.status.push(status);
      this.value.push(value);
      this.ts.push(-Infinity);
      this.w.push(0);
      this.sum.push(0);
      this.sumSq.push(0);
      for (const c of this.counts) c.push(0);
      for (let j = 0; j < dims.length; j++) this.dimValues[j].push(dims[j] ?? null);
    }
    this.w[k] += w;
    if (ts > this.ts[k]) this.ts[k] = ts;
    if (value !== null) {
      this.sum[k] += w * value;
      this.sumSq[k] += w * value * value;
      for (let i = 0; i < this.indicators.length; i++) if (this.indicators[i].test(value)) this.counts[i][k] += w;
    }
  }

  /** __period, __status, __value, __ts (NaN when no row had a date), __w, __sum, __sumSq, __i_<indicator> and the grouping columns. */
  table(): ColumnTable {
    const columns: Record<string, unknown[]> = {
      __period: this.period,
      __status: this.status,
      __value: this.value,
      __ts: this.ts.map((t) => (Number.isFinite(t) ? t : NaN)),
      __w: this.w,
      __sum: this.sum,
      __sumSq: this.sumSq,
    };
    this.indicators.forEach((ind, i) => (columns[`__i_${ind.name}`] = this.counts[i]));
    this.dims.forEach((d, j) => (columns[d] = this.dimValues[j]));
    return aq.table(columns);
  }
}
