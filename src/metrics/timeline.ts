/** The two time questions every prepared metric answers, for tables with `__period` and `__ts` columns. */
import type { ColumnTable } from 'arquero';
import { periodStart, shiftPeriod, type Granularity } from '../kernel/period.js';

/** Latest `__period` of the rows (computed once, on first use). */
export function latestPeriodOf(rows: ColumnTable): () => string | undefined {
  let latest: string | undefined | null = null;
  return () => {
    if (latest === null) latest = rows.numRows() === 0 ? undefined : ((rows.rollup({ p: 'd => op.max(d.__period)' }).objects()[0] as { p?: string }).p ?? undefined);
    return latest;
  };
}

/** Latest `__ts` (ms) of the rows before the end of a period. */
export function lastTimestampOf(rows: ColumnTable, granularity: Granularity): (period: string) => number | undefined {
  return (period) => {
    const end = periodStart(shiftPeriod(period, 1, granularity), granularity);
    const ts = rows.array('__ts') as ArrayLike<number>;
    let last = -Infinity;
    for (let i = 0; i < ts.length; i++) if (ts[i] < end && ts[i] > last) last = ts[i];
    return Number.isFinite(last) ? last : undefined;
  };
}
