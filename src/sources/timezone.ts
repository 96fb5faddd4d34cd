/**
 * `timezone:` of a text source (csv, json, ndjson): date-times written without a zone ("2026-10-31
 * 23:30") are local times in that IANA zone and become UTC instants ("2026-11-01T03:30:00.000Z"
 * for America/New_York), so they land in the right period (periods are UTC, like every instant).
 * Dates without a time stay calendar dates, and values with a zone or offset are left as written.
 * A local time that does not exist (the hour skipped when clocks go forward) is read with the
 * offset before the change; one that occurs twice (clocks go back) as the first occurrence.
 */
import { utcMs } from '../kernel/period.js';

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;
const ZONED_OR_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/** Whether `zone` is an IANA time zone this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Offset (ms, local − UTC) of `zone` at instant `t`, cached per quarter hour (offsets change on a quarter hour at most). */
function offsetter(zone: string): (t: number) => number {
  const format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const cache = new Map<number, number>();
  return (t) => {
    const key = Math.floor(t / 900_000);
    let offset = cache.get(key);
    if (offset === undefined) {
      const at = key * 900_000;
      const p = Object.fromEntries(format.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
      offset = utcMs(Number(p.year), Number(p.month), Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - at;
      cache.set(key, offset);
    }
    return offset;
  };
}

/** The UTC instant of a wall-clock time (given as if it were UTC) in the zone. */
function instantOf(wall: number, offsetAt: (t: number) => number): number {
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  if (first === second) return first;
  // around a change: prefer the reading that maps back to the wall-clock time, the earlier one if both do
  const fits = [first, second].filter((t) => t + offsetAt(t) === wall);
  return fits.length ? Math.min(...fits) : Math.max(first, second);
}

/**
 * A column's values with naive date-times moved from `zone` to UTC, when the column holds dates
 * (every non-empty value is an ISO 8601 date or date-time); any other column is returned as is.
 */
export function localTimesToUtc(values: unknown[], zone: string): unknown[] {
  let naive = 0;
  for (const v of values) {
    if (v === null) continue;
    if (typeof v !== 'string') return values;
    const s = v.trim();
    if (NAIVE.test(s)) naive++;
    else if (!ZONED_OR_DATE.test(s)) return values;
  }
  if (naive === 0) return values;
  const offsetAt = offsetter(zone);
  return values.map((v) => {
    if (typeof v !== 'string') return v;
    const m = NAIVE.exec(v.trim());
    if (!m) return v;
    const [, y, mo, d, h, mi, sec = '0', frac = ''] = m;
    // utcMs, not Date.UTC: years 0–99 stay those years
    const wall = utcMs(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(sec), frac ? Math.round(Number(frac) * 1000) : 0);
    // an impossible value (month 13) is left for the metrics to count as an invalid date
    if (!Number.isFinite(wall) || new Date(wall).getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return v;
    return new Date(instantOf(wall, offsetAt)).toISOString();
  });
}
