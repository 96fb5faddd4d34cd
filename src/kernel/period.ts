/**
 * Reporting periods. A period is identified by a sortable key: "2026-10" (month), "2026-Q4"
 * (quarter) or "2026" (year). Timestamps are assigned to periods in UTC.
 *
 * Granularity `all` (snapshot data, often without dates) has a single period, "all": every row,
 * dated or not, belongs to it, and it has no previous period. Period arithmetic still works so
 * that code written for calendar periods needs no special case: the period before "all" is
 * NO_PERIOD (which holds no data), the one after it AFTER_ALL; "all" starts at the earliest and
 * ends at the latest representable instant.
 */
import { CxError } from './errors.js';

export type Granularity = 'month' | 'quarter' | 'year' | 'all';

/** The calendar granularities (every one but `all`). */
export type CalendarGranularity = Exclude<Granularity, 'all'>;

export const GRANULARITIES: readonly Granularity[] = ['month', 'quarter', 'year', 'all'];

/** The one period of granularity `all`. */
export const ALL_PERIOD = 'all';
/** The period "before" ALL_PERIOD: it never holds data, so nothing is compared with it. */
export const NO_PERIOD = 'none';
/** The period after ALL_PERIOD (its start is the end of all data). */
const AFTER_ALL = 'after-all';
/** Earliest and latest instants a Date can hold (ms). */
const MIN_INSTANT = -8.64e15;
const MAX_INSTANT = 8.64e15;

/** True for the granularity with one period over all data. */
export function isAllGranularity(granularity: Granularity): granularity is 'all' {
  return granularity === 'all';
}

const KEY_PATTERNS: Record<Granularity, RegExp> = {
  month: /^(\d{4})-(0[1-9]|1[0-2])$/,
  quarter: /^(\d{4})-Q([1-4])$/,
  year: /^(\d{4})$/,
  all: /^all$/,
};

const KEY_EXAMPLES: Record<Granularity, string> = { month: '2026-10', quarter: '2026-Q4', year: '2026', all: 'all' };

/** Example key for error messages ("YYYY-MM" style). */
export function periodExample(granularity: Granularity): string {
  return KEY_EXAMPLES[granularity];
}

/** True when `key` is a well-formed period key of this granularity. */
export function isPeriodKey(key: string, granularity: Granularity): boolean {
  return KEY_PATTERNS[granularity].test(key);
}

/** Period key of a millisecond timestamp (UTC). */
export function periodOf(ms: number, granularity: Granularity): string {
  if (granularity === 'all') return ALL_PERIOD;
  const d = new Date(ms);
  const y = yearKey(d.getUTCFullYear());
  if (granularity === 'year') return y;
  const m = d.getUTCMonth();
  if (granularity === 'quarter') return `${y}-Q${Math.floor(m / 3) + 1}`;
  return `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Index of a period on a continuous integer axis (months, quarters or years since year 0). */
function ordinal(key: string, granularity: Granularity): number {
  if (granularity === 'all') {
    if (key === ALL_PERIOD) return 0;
    if (key === NO_PERIOD) return -1;
    if (key === AFTER_ALL) return 1;
    throw new CxError('config', `"${key}" is not a period of granularity all`, { hint: 'use "all"' });
  }
  const match = KEY_PATTERNS[granularity].exec(key);
  if (!match) throw new CxError('config', `"${key}" is not a ${granularity} period`, { hint: `use a key like "${KEY_EXAMPLES[granularity]}"` });
  const y = Number(match[1]);
  if (granularity === 'year') return y;
  if (granularity === 'quarter') return y * 4 + Number(match[2]) - 1;
  return y * 12 + Number(match[2]) - 1;
}

/** A year as the four digits of a key ("0099", never "99"). */
const yearKey = (y: number) => String(y).padStart(4, '0');

function fromOrdinal(n: number, granularity: Granularity): string {
  if (granularity === 'all') return n === 0 ? ALL_PERIOD : n < 0 ? NO_PERIOD : AFTER_ALL;
  if (granularity === 'year') return yearKey(n);
  if (granularity === 'quarter') return `${yearKey(Math.floor(n / 4))}-Q${(n % 4) + 1}`;
  return `${yearKey(Math.floor(n / 12))}-${String((n % 12) + 1).padStart(2, '0')}`;
}

/** The period `offset` steps after `key` (negative: before). */
export function shiftPeriod(key: string, offset: number, granularity: Granularity): string {
  return fromOrdinal(ordinal(key, granularity) + offset, granularity);
}

/** All period keys from `from` to `to`, inclusive, ascending. */
export function periodRange(from: string, to: string, granularity: Granularity): string[] {
  // with `all`, the only period that holds data is "all"
  if (granularity === 'all') return ordinal(from, granularity) <= 0 && ordinal(to, granularity) >= 0 ? [ALL_PERIOD] : [];
  const a = ordinal(from, granularity);
  const b = ordinal(to, granularity);
  const keys: string[] = [];
  for (let i = a; i <= b; i++) keys.push(fromOrdinal(i, granularity));
  return keys;
}

/** Most periods of a metric's history (series in metrics.json, charts): 20 years of months. */
export const MAX_HISTORY = 240;

/**
 * A metric's history: the periods from its first period with data to `last`, at most the last
 * MAX_HISTORY of them, so that one stray early date (or a report period far after the data)
 * never makes a build compute thousands of periods.
 */
export function historyRange(first: string, last: string, granularity: Granularity): string[] {
  if (granularity === 'all' || ordinal(last, granularity) - ordinal(first, granularity) < MAX_HISTORY) return periodRange(first, last, granularity);
  return periodRange(shiftPeriod(last, -(MAX_HISTORY - 1), granularity), last, granularity);
}

/** The `count` periods ending with `last`, ascending. */
export function lastPeriods(last: string, count: number, granularity: Granularity): string[] {
  return periodRange(shiftPeriod(last, -(count - 1), granularity), last, granularity);
}

/** First instant (UTC ms) of a period. */
export function periodStart(key: string, granularity: Granularity): number {
  const n = ordinal(key, granularity);
  if (granularity === 'all') return n <= 0 ? MIN_INSTANT : MAX_INSTANT;
  if (granularity === 'year') return utcMs(n, 1, 1);
  if (granularity === 'quarter') return utcMs(Math.floor(n / 4), (n % 4) * 3 + 1, 1);
  return utcMs(Math.floor(n / 12), (n % 12) + 1, 1);
}

/** Human label in English: "October 2026", "Q4 2026", "2026"; "All data" for granularity `all`. */
export function periodLabel(key: string, granularity: Granularity, style: 'long' | 'short' = 'long'): string {
  if (granularity === 'all') return key === ALL_PERIOD ? (style === 'long' ? 'All data' : 'All') : '—';
  if (granularity === 'year') return key;
  if (granularity === 'quarter') return `${key.slice(5)} ${key.slice(0, 4)}`;
  // a fixed table, not Intl: ICU's en-GB short months say "Sept", beside "Jun" and "Jul"
  const month = Number(key.slice(5, 7));
  return `${(style === 'long' ? MONTHS : MONTHS_SHORT)[month - 1]} ${key.slice(0, 4)}`;
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTHS_SHORT = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/**
 * UTC milliseconds of a proleptic Gregorian date and time (month 1–12). Unlike Date.UTC, years
 * 0–99 are those years, not 1900–1999.
 */
export function utcMs(y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  return daysFromCivil(y, m, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + ms;
}

/** True when day `d` exists in month `m` (1–12) of year `y`. */
function isDay(y: number, m: number, d: number): boolean {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return m >= 1 && m <= 12 && d >= 1 && d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]);
}

/**
 * The plausible date range: dates before `min` or after `max` (a whole day, UTC) are not read —
 * `parseTimestamp` gives NaN, so every metric excludes the row (score metrics count it as
 * "date outside the plausible range") — and report periods must lie inside it. Set from the
 * config's `report.date_range` when the config is loaded; default 1900-01-01 to 2100-12-31.
 */
export const DEFAULT_DATE_RANGE = { min: '1900-01-01', max: '2100-12-31' } as const;
let dateRange = { min: utcMs(1900, 1, 1), max: utcMs(2100, 12, 31, 23, 59, 59, 999), label: '1900-01-01 to 2100-12-31' };

/** Sets the plausible date range (ISO dates, inclusive). */
export function setDateRange(range: { min: string; max: string }): void {
  const [min, max] = [range.min, range.max].map((s) => s.split('-').map(Number));
  dateRange = { min: utcMs(min[0], min[1], min[2]), max: utcMs(max[0], max[1], max[2], 23, 59, 59, 999), label: `${range.min} to ${range.max}` };
}

/** The plausible date range in force: first and last instant (ms) and its text. */
export function plausibleDates(): { min: number; max: number; label: string } {
  return dateRange;
}

/** True when `key` is a period of this granularity that overlaps the plausible date range. */
export function isPlausiblePeriod(key: string, granularity: Granularity): boolean {
  if (!isPeriodKey(key, granularity)) return false;
  if (granularity === 'all') return true;
  return periodStart(key, granularity) <= dateRange.max && periodStart(shiftPeriod(key, 1, granularity), granularity) > dateRange.min;
}

/** True when `value` is a date that parses but lies outside the plausible date range. */
export function isImplausibleDate(value: unknown): boolean {
  const t = parseAnyTimestamp(value);
  return Number.isFinite(t) && (t < dateRange.min || t > dateRange.max);
}

/** Value of `length` decimal digits at `at`, or -1 if any is not a digit. */
function digits(s: string, at: number, length: number): number {
  let v = 0;
  for (let i = at; i < at + length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The common shapes without a regular expression or a Date: "YYYY-MM-DD", "YYYY-MM-DD HH:MM:SS",
 * "YYYY-MM-DDTHH:MM:SS[Z]" and "YYYY-MM-DDTHH:MM:SS.sssZ" (UTC, as Date#toISOString writes). Anything else (zones, fractions, spaces) is left to the
 * general parser: undefined. Same results as the general parser (tested).
 */
function parseCanonical(s: string): number | undefined {
  const n = s.length;
  if (n !== 10 && n !== 19 && n !== 20 && n !== 24) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return undefined;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || m < 0 || d < 0) return undefined;
  let h = 0;
  let mi = 0;
  let sec = 0;
  let ms = 0;
  if (n > 10) {
    const sep = s.charCodeAt(10);
    if ((sep !== 84 && sep !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58 || (n >= 20 && s.charCodeAt(n - 1) !== 90)) return undefined;
    h = digits(s, 11, 2);
    mi = digits(s, 14, 2);
    sec = digits(s, 17, 2);
    if (h < 0 || mi < 0 || sec < 0) return undefined;
    if (n === 24) {
      ms = digits(s, 20, 3);
      if (s.charCodeAt(19) !== 46 || ms < 0) return undefined;
    }
  }
  if (!isDay(y, m, d) || h > 23 || mi > 59 || sec > 60) return NaN;
  return utcMs(y, m, d, h, mi, sec, ms);
}

/**
 * Parses a timestamp or date: ISO 8601 (date only = UTC midnight; no zone = UTC), or a Date.
 * Returns NaN when the value is not a recognisable date or lies outside the plausible date range
 * (`plausibleDates`); never guesses day/month order.
 */
export function parseTimestamp(value: unknown): number {
  const t = parseAnyTimestamp(value);
  return t >= dateRange.min && t <= dateRange.max ? t : NaN;
}

/** `parseTimestamp` without the plausible date range. */
export function parseAnyTimestamp(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return NaN;
  const fast = parseCanonical(value);
  return fast !== undefined ? fast : parseIso(value);
}

/** The general ISO 8601 parser behind `parseTimestamp` (exported to test the fast path against it). */
export function parseIso(value: string): number {
  const s = value.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (!isDay(Number(y), month, day) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return NaN;
  let ms = utcMs(Number(y), month, day, Number(h), Number(mi), Number(sec), frac ? Math.round(Number(frac) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}

const parsedColumns = new WeakMap<object, Map<string, { ts: Float64Array; period: (string | null)[] }>>();

/**
 * Timestamps and period keys of a column of dates, parsed once per column and granularity (the
 * metrics of one source share its date column). Unparseable cells give NaN and null.
 */
export function datesOf(column: ArrayLike<unknown>, granularity: Granularity): { ts: Float64Array; period: (string | null)[] } {
  const byGranularity = parsedColumns.get(column) ?? new Map();
  parsedColumns.set(column, byGranularity);
  // the plausible date range decides which cells are read: it is part of the key
  const cacheKey = `${granularity} ${dateRange.label}`;
  const cached = byGranularity.get(cacheKey);
  if (cached) return cached;
  const n = column.length;
  const ts = new Float64Array(n);
  const period: (string | null)[] = new Array(n);
  // one key string per day: rows of the same day share it
  const byDay = new Map<number, string>();
  for (let i = 0; i < n; i++) {
    const t = parseTimestamp(column[i]);
    ts[i] = t;
    if (!Number.isFinite(t)) {
      period[i] = null;
      continue;
    }
    const day = Math.floor(t / 86_400_000);
    let key = byDay.get(day);
    if (key === undefined) byDay.set(day, (key = periodOf(t, granularity)));
    period[i] = key;
  }
  const parsed = { ts, period };
  byGranularity.set(cacheKey, parsed);
  return parsed;
}
