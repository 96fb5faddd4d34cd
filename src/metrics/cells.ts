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

const keyOf = (v: unknown): string => (v === null || v === undefined ? '\u0002' : typeof v === 'number' ? `n${v}` : `s${String(v)}`);

export class CellBuilder {
  private readonly index = new Map<string, number>();
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
    let key = `${period ?? '\u0002'}\u0001${status}\u0001${value ?? ''}`;
    for (let j = 0; j < dims.length; j++) key += `\u0001${keyOf(dims[j])}`;
    let k = this.index.get(key);
    if (k === undefined) {
      k = this.w.length;
      this.index.set(key, k);
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
