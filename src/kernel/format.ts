/**
 * Number formatting for people: signed NPS points, percentages, scale scores, counts, p-values.
 * `formatter(locale)` formats in a report locale (d3-format locale, unit words from the message
 * catalogue); the plain `format…` functions are the English formatter, for code without a locale.
 */
import type { Interval } from './stats.js';
/** The unit of a metric's value, which decides how it is written. */
export type Unit = 'points' | 'percent' | 'score' | 'count' | 'currency' | 'duration' | 'ratio';

import { d3FormatFor, translator, type Locale } from './i18n.js';



/** Replaces the ASCII hyphen-minus d3 emits with a true minus sign. */
/** A true minus sign, and a signed zero ("+0.0", "−0.00") shown as "±0.0". */
const minus = (s: string) => s.replace(/^-/, '−').replace(/^[+−](0\.0+)$/, '±$1');

export interface Formatter {
  readonly locale: Locale;
  /** Hours as "2 h 15 min", "45 min", "3 d 4 h". */
  duration(hours: number): string;
  /** A metric value in its display unit: "+31.2", "82.3%", "5.41", "1,204", "$1,204.50", "2 h 15 min". */
  value(value: number | null | undefined, unit: Unit): string;
  /** The bare number, without unit decorations (for tables and charts): "31.2", "82.3", "5.41". */
  number(value: number | null | undefined, unit: Unit): string;
  /** A change: "+2.3 pts" (NPS and percentages change in points), "−0.12". */
  delta(delta: number | null | undefined, unit: Unit): string;
  /** "27.0 to 35.4" in the unit's precision. */
  interval(ci: Interval | null | undefined, unit: Unit): string;
  /** "1,180" */
  count(n: number): string;
  /** "p < 0.001", "p = 0.034" */
  p(p: number | null | undefined): string;
  /** "82.3%" for a share in [0, 1]. */
  share(share: number): string;
}

function makeFormatter(locale: Locale): Formatter {
  const t = translator(locale);
  const format = d3FormatFor(locale);
  const signed1 = format('+.1f');
  const fixed1 = format('.1f');
  const fixed2 = format('.2f');
  const signed2 = format('+.2f');
  const thousands = format(',d');
  const integer = format(',.0f');
  const currency = format('$,.2f');

  const duration = (hours: number): string => {
    if (!Number.isFinite(hours)) return '—';
    const sign = hours < 0 ? '−' : '';
    const minutes = Math.round(Math.abs(hours) * 60);
    if (minutes < 60) return `${sign}${t('fmt.minutes', { m: minutes })}`;
    if (minutes < 48 * 60) {
      const h = Math.floor(minutes / 60);
      return `${sign}${minutes % 60 ? t('fmt.hoursMinutes', { h, m: minutes % 60 }) : t('fmt.hours', { h })}`;
    }
    const h = Math.round(minutes / 60);
    return `${sign}${h % 24 ? t('fmt.daysHours', { d: Math.floor(h / 24), h: h % 24 }) : t('fmt.days', { d: Math.floor(h / 24) })}`;
  };

  /**
   * Money for readers (cards, sentences, table cells): by magnitude, as a CFO reads it — "$1.77M",
   * "$52.9k" (three significant digits from $10,000), "$1,213" (whole dollars from $100), "$6.91".
   * Tables and charts that need the cents use `number`; metrics.json keeps full precision.
   */
  const money = (v: number, signed = false): string => {
    const a = Math.abs(v);
    const sign = v < 0 ? '−' : signed && v > 0 ? '+' : '';
    const sig3 = format('.3r');
    const scaled = (d: number, suffix: string) => `${sig3(a / d)}${suffix}`;
    let body: string;
    if (a >= 1e9 || Number(sig3(a / 1e6)) >= 1000) body = scaled(1e9, 'B');
    else if (a >= 1e6 || Number(sig3(a / 1e3)) >= 1000) body = scaled(1e6, 'M');
    else if (Math.round(a) >= 1e4) body = scaled(1e3, 'k');
    else if (a >= 100) body = integer(a);
    else body = fixed2(a);
    return `${sign}${currency(0).replace(/[\d.,]+/, '')}${body}`;
  };

  const value = (v: number | null | undefined, unit: Unit): string => {
    if (v === null || v === undefined || !Number.isFinite(v)) return t('fmt.noData');
    if (unit === 'points') return minus(signed1(v));
    if (unit === 'percent' || unit === 'ratio') return `${minus(fixed1(v))}%`;
    if (unit === 'count') return minus(integer(v));
    if (unit === 'currency') return money(v);
    if (unit === 'duration') return duration(v);
    return minus(fixed2(v));
  };

  return {
    locale,
    duration,
    value,
    number(v, unit) {
      if (v === null || v === undefined || !Number.isFinite(v)) return '—';
      if (unit === 'count') return minus(integer(v));
      if (unit === 'currency') return minus(format(',.2f')(v));
      if (unit === 'duration') return duration(v);
      return minus(unit === 'score' ? fixed2(v) : fixed1(v));
    },
    delta(d, unit) {
      if (d === null || d === undefined || !Number.isFinite(d)) return '—';
      if (unit === 'score') return minus(signed2(d));
      if (unit === 'count') return minus(format('+,.0f')(d));
      if (unit === 'currency') return money(d, true);
      if (unit === 'duration') return `${d >= 0 ? '+' : ''}${duration(d)}`;
      return t(unit === 'points' ? 'fmt.deltaPoints' : 'fmt.deltaPercent', { delta: minus(signed1(d)) });
    },
    interval(ci, unit) {
      if (!ci) return '—';
      if (unit === 'currency' || unit === 'duration' || unit === 'count') return t('fmt.range', { from: value(ci[0], unit), to: value(ci[1], unit) });
      const f = (v: number) => minus(unit === 'score' ? fixed2(v) : unit === 'points' ? signed1(v) : fixed1(v));
      return `${t('fmt.range', { from: f(ci[0]), to: f(ci[1]) })}${unit === 'percent' || unit === 'ratio' ? '%' : ''}`;
    },
    count: (n) => thousands(n),
    p(p) {
      if (p === null || p === undefined || !Number.isFinite(p)) return '';
      if (p < 0.001) return 'p < 0.001';
      return `p = ${p < 0.01 ? format('.3f')(p) : format('.2f')(p)}`;
    },
    share: (share) => `${fixed1(100 * share)}%`,
  };
}

const formatters = new Map<Locale, Formatter>();

/** The number formatter of a report locale. */
export function formatter(locale: Locale): Formatter {
  let f = formatters.get(locale);
  if (!f) formatters.set(locale, (f = makeFormatter(locale)));
  return f;
}

const english = formatter('en');

/** Hours as "2 h 15 min", "45 min", "3 d 4 h". */
export function formatDuration(hours: number): string {
  return english.duration(hours);
}

/** A metric value in its display unit: "+31.2", "82.3%", "5.41", "1,204", "$1,204.50", "2 h 15 min". */
export function formatValue(value: number | null | undefined, unit: Unit): string {
  return english.value(value, unit);
}


/** A change: "+2.3 pts" (NPS and percentages change in points), "−0.12". */
export function formatDelta(delta: number | null | undefined, unit: Unit): string {
  return english.delta(delta, unit);
}

/** "27.0–35.4" in the unit's precision. */
export function formatInterval(ci: Interval | null | undefined, unit: Unit): string {
  return english.interval(ci, unit);
}



