/** Number formatting for people: signed NPS points, percentages, scale scores, counts, p-values. */
import { format } from 'd3-format';
import type { Interval } from '../metrics/stats.js';

import type { Unit } from '../metrics/module.js';

export type { Unit };

const signed1 = format('+.1f');
const fixed1 = format('.1f');
const fixed2 = format('.2f');
const signed2 = format('+.2f');
const thousands = format(',d');

/** Replaces the ASCII hyphen-minus d3 emits with a true minus sign. */
const minus = (s: string) => s.replace(/^-/, '−').replace(/^\+0\.0+$/, '±0.0');

const currency = format('$,.2f');

/** Hours as "2 h 15 min", "45 min", "3 d 4 h". */
export function formatDuration(hours: number): string {
  if (!Number.isFinite(hours)) return '—';
  const sign = hours < 0 ? '−' : '';
  const minutes = Math.round(Math.abs(hours) * 60);
  if (minutes < 60) return `${sign}${minutes} min`;
  if (minutes < 48 * 60) return `${sign}${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  const h = Math.round(minutes / 60);
  return `${sign}${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** A metric value in its display unit: "+31.2", "82.3%", "5.41", "1,204", "$1,204.50", "2 h 15 min". */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'no data';
  if (unit === 'points') return minus(signed1(value));
  if (unit === 'percent' || unit === 'ratio') return `${minus(fixed1(value))}%`;
  if (unit === 'count') return minus(format(',.0f')(value));
  if (unit === 'currency') return minus(currency(value));
  if (unit === 'duration') return formatDuration(value);
  return minus(fixed2(value));
}

/** The bare number, without unit decorations (for tables and charts): "31.2", "82.3", "5.41". */
export function formatNumber(value: number | null | undefined, unit: Unit): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (unit === 'count') return minus(format(',.0f')(value));
  if (unit === 'currency') return minus(format(',.2f')(value));
  if (unit === 'duration') return formatDuration(value);
  return minus(unit === 'score' ? fixed2(value) : fixed1(value));
}

/** A change: "+2.3 pts" (NPS and percentages change in points), "−0.12". */
export function formatDelta(delta: number | null | undefined, unit: Unit): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return '—';
  if (unit === 'score') return minus(signed2(delta));
  if (unit === 'count') return minus(format('+,.0f')(delta));
  if (unit === 'currency') return minus(format('+$,.2f')(delta));
  if (unit === 'duration') return `${delta >= 0 ? '+' : ''}${formatDuration(delta)}`;
  return `${minus(signed1(delta))} pts`;
}

/** "27.0–35.4" in the unit's precision. */
export function formatInterval(ci: Interval | null | undefined, unit: Unit): string {
  if (!ci) return '—';
  if (unit === 'currency' || unit === 'duration' || unit === 'count') return `${formatValue(ci[0], unit)} to ${formatValue(ci[1], unit)}`;
  const f = (v: number) => minus(unit === 'score' ? fixed2(v) : unit === 'points' ? signed1(v) : fixed1(v));
  return `${f(ci[0])} to ${f(ci[1])}${unit === 'percent' || unit === 'ratio' ? '%' : ''}`;
}

/** "1,180" */
export function formatCount(n: number): string {
  return thousands(n);
}

/** "p < 0.001", "p = 0.034" */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return '';
  if (p < 0.001) return 'p < 0.001';
  return `p = ${p < 0.01 ? format('.3f')(p) : format('.2f')(p)}`;
}

/** "82.3%" for a share in [0, 1]. */
export function formatShare(share: number): string {
  return `${fixed1(100 * share)}%`;
}
