/** Days, windows and periods of order data, shared by the repeat purchase rate and CLV (clv.ts); order rows become transaction cells in transactions.ts. */
import type { ColumnTable } from 'arquero';
import { dayLabelIn, type Locale } from '../../kernel/i18n.js';
import { historyRange, periodOf, periodStart, shiftPeriod, type Granularity } from '../../kernel/period.js';
import { columnValues } from '../transactions.js';

/** A day 'YYYY-MM-DD' for a reader: unchanged in English, "2026年10月31日" in Chinese. */
export function dayIn(locale: Locale, iso: string): string {
  return locale === 'en' ? iso : dayLabelIn(locale, Date.parse(`${iso}T00:00:00Z`));
}

/** Latest valid timestamp strictly before `end`, and the period of the latest valid row. */
export function timeBounds(valid: ColumnTable, granularity: Granularity): { first: string | undefined; last: string | undefined; lastBefore(end: number): number | undefined } {
  const ts = columnValues<number>(valid, '__ts');
  const n = ts.length;
  return {
    first: n > 0 ? periodOf(ts[0], granularity) : undefined,
    last: n > 0 ? periodOf(ts[n - 1], granularity) : undefined,
    lastBefore(end) {
      // valid rows are sorted by timestamp: binary search for the last one < end
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ts[mid] < end) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 ? ts[lo - 1] : undefined;
    },
  };
}

/** First instant after the period (its exclusive end), in UTC ms. */
export function periodEnd(period: string, granularity: Granularity): number {
  return periodStart(shiftPeriod(period, 1, granularity), granularity);
}

/** 'YYYY-MM-DD' of a UTC timestamp. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Periods from the first with data to `current` (just `current` when there is no earlier data). */
export function seriesPeriods(first: string | undefined, current: string, granularity: Granularity): string[] {
  return first !== undefined && first <= current ? historyRange(first, current, granularity) : [current];
}
