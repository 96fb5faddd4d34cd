/**
 * Display precision that the interval supports. A 0–100 health score of 82.45 with a 95% interval
 * of 82.09 to 82.81 claims a hundredth it does not have: its half-width (0.36) allows one decimal,
 * 82.5 (82.1 to 82.8). Scores (unit `score`, two decimals by default) are shown with the most
 * fewest decimals d (0, 1 or 2) whose step 10^−d is at most half the interval's half-width; points, percentages,
 * money and durations keep their own rules. A change keeps the unit's precision: its own interval
 * (the paired change of the health score: −0.19, 95% CI −0.32 to −0.07) is narrower than the level's.
 * metrics.json is never rounded.
 */
import type { Interval } from './stats.js';
import type { Formatter, Unit } from './format.js';
import { d3FormatFor } from './i18n.js';

/** Decimals a score's interval supports: 2, 1 or 0 (2 without an interval). */
export function scoreDecimals(ci: Interval | null | undefined): number {
  if (!ci || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return 2;
  const half = (ci[1] - ci[0]) / 2;
  for (let d = 0; d < 2; d++) if (10 ** -d <= half / 2) return d;
  return 2;
}

const minus = (s: string) => s.replace(/^-/, '−').replace(/^[+−](0(\.0+)?)$/, '±$1');

/** `fmt` with the score precision of this result (other units unchanged). */
export function precise(fmt: Formatter, r: { unit: Unit; ci: Interval | null | undefined }): Formatter {
  if (r.unit !== 'score') return fmt;
  const d = scoreDecimals(r.ci);
  if (d === 2) return fmt;
  const format = d3FormatFor(fmt.locale);
  const fixed = format(`.${d}f`);
  return {
    ...fmt,
    value: (v, unit) => (unit === 'score' && v !== null && v !== undefined && Number.isFinite(v) ? minus(fixed(v)) : fmt.value(v, unit)),
    number: (v, unit) => (unit === 'score' && v !== null && v !== undefined && Number.isFinite(v) ? minus(fixed(v)) : fmt.number(v, unit)),
    interval: (ci, unit) => (unit === 'score' && ci ? fmt.interval(ci, unit).replace(/[-−]?\d+\.\d+/g, (m) => minus(fixed(Number(m.replace('−', '-'))))) : fmt.interval(ci, unit)),
  };
}
