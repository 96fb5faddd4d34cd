/**
 * Reporting periods. A period is identified by a sortable key: "2026-10" (month), "2026-Q4"
 * (quarter) or "2026" (year). Timestamps are assigned to periods in UTC.
 */
export type Granularity = 'month' | 'quarter' | 'year';

export const GRANULARITIES: readonly Granularity[] = ['month', 'quarter', 'year'];

const KEY_PATTERNS: Record<Granularity, RegExp> = {
  month: /^(\d{4})-(0[1-9]|1[0-2])$/,
  quarter: /^(\d{4})-Q([1-4])$/,
  year: /^(\d{4})$/,
};

const KEY_EXAMPLES: Record<Granularity, string> = { month: '2026-10', quarter: '2026-Q4', year: '2026' };

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
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (granularity === 'year') return String(y);
  const m = d.getUTCMonth();
  if (granularity === 'quarter') return `${y}-Q${Math.floor(m / 3) + 1}`;
  return `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Index of a period on a continuous integer axis (months, quarters or years since year 0). */
function ordinal(key: string, granularity: Granularity): number {
  const match = KEY_PATTERNS[granularity].exec(key);
  if (!match) throw new Error(`not a ${granularity} period key: ${key}`);
  const y = Number(match[1]);
  if (granularity === 'year') return y;
  if (granularity === 'quarter') return y * 4 + Number(match[2]) - 1;
  return y * 12 + Number(match[2]) - 1;
}

function fromOrdinal(n: number, granularity: Granularity): string {
  if (granularity === 'year') return String(n);
  if (granularity === 'quarter') return `${Math.floor(n / 4)}-Q${(n % 4) + 1}`;
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
}

/** The period `offset` steps after `key` (negative: before). */
export function shiftPeriod(key: string, offset: number, granularity: Granularity): string {
  return fromOrdinal(ordinal(key, granularity) + offset, granularity);
}

/** All period keys from `from` to `to`, inclusive, ascending. */
export function periodRange(from: string, to: string, granularity: Granularity): string[] {
  const a = ordinal(from, granularity);
  const b = ordinal(to, granularity);
  const keys: string[] = [];
  for (let i = a; i <= b; i++) keys.push(fromOrdinal(i, granularity));
  return keys;
}

/** The `count` periods ending with `last`, ascending. */
export function lastPeriods(last: string, count: number, granularity: Granularity): string[] {
  return periodRange(shiftPeriod(last, -(count - 1), granularity), last, granularity);
}

/** First instant (UTC ms) of a period. */
export function periodStart(key: string, granularity: Granularity): number {
  const n = ordinal(key, granularity);
  if (granularity === 'year') return Date.UTC(n, 0, 1);
  if (granularity === 'quarter') return Date.UTC(Math.floor(n / 4), (n % 4) * 3, 1);
  return Date.UTC(Math.floor(n / 12), n % 12, 1);
}

/** Human label in English: "October 2026", "Q4 2026", "2026". */
export function periodLabel(key: string, granularity: Granularity, style: 'long' | 'short' = 'long'): string {
  if (granularity === 'year') return key;
  if (granularity === 'quarter') return `${key.slice(5)} ${key.slice(0, 4)}`;
  const date = new Date(periodStart(key, granularity));
  return date.toLocaleString('en-GB', { month: style, year: 'numeric', timeZone: 'UTC' });
}

/**
 * Parses a timestamp or date: ISO 8601 (date only = UTC midnight; no zone = UTC), or a Date.
 * Returns NaN when the value is not a recognisable date; never guesses day/month order.
 */
export function parseTimestamp(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return NaN;
  const s = value.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 60) return NaN;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(sec), frac ? Math.round(Number(frac) * 1000) : 0);
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return NaN;
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms;
}
