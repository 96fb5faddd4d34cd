/**
 * Kaplan–Meier survival curve with Greenwood standard errors, pointwise confidence bands and
 * the median with its confidence interval, matching R survival's `survfit` conventions.
 */
import { normalQuantile } from './special.js';

/** Scale on which the pointwise confidence band is built (R's `conf.type`). */
export type ConfType = 'log' | 'log-log' | 'plain';

/** Options for {@link kaplanMeier}. */
export interface KaplanMeierOptions {
  /** Band transformation; default 'log', R survival's default. */
  confType?: ConfType;
  /** Confidence level of the band; default 0.95. */
  confLevel?: number;
  /** Also emit rows at times with censoring but no event (R's `summary(fit, censored = TRUE)`). Default false. */
  includeCensored?: boolean;
  /** Number of subjects each observation stands for (frequency weights, R's `weights`); default 1 each. */
  weights?: readonly number[];
}

/** One row of the curve: the estimate just after `time`. */
export interface KaplanMeierStep {
  time: number;
  /** Number at risk just before `time`. */
  atRisk: number;
  /** Events at `time`. */
  events: number;
  /** Censored at `time` (they count as at risk at `time`). */
  censored: number;
  /** Ŝ(time). */
  survival: number;
  /** Greenwood standard error of Ŝ: Ŝ·sqrt(Σ d/(n(n−d))); NaN once Ŝ = 0 (R prints NaN). */
  se: number;
  /** Lower band limit; NaN where R reports NA (Ŝ = 0). */
  lower: number;
  /** Upper band limit; NaN where R reports NA (Ŝ = 0). */
  upper: number;
}

/** A fitted curve. */
export interface KaplanMeierCurve {
  steps: KaplanMeierStep[];
  /** Number of subjects. */
  n: number;
  /** Total number of events. */
  totalEvents: number;
  /** Largest observed time (event or censoring); the curve is defined up to here. */
  lastTime: number;
  confType: ConfType;
  confLevel: number;
}

/**
 * Kaplan–Meier estimate Ŝ(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ) with Greenwood's variance
 * Var Ŝ(t) = Ŝ(t)² Σ_{tᵢ ≤ t} dᵢ/(nᵢ(nᵢ − dᵢ)), one row per distinct event time.
 *
 * Bands at level 1 − α with z = Φ⁻¹(1 − α/2), writing g = Σ d/(n(n−d)) (the variance of log Ŝ):
 * - 'log' (R default): Ŝ·exp(∓z√g), upper capped at 1;
 * - 'log-log': Ŝ^exp(±z√g / |ln Ŝ|), i.e. symmetric on ln(−ln Ŝ); [1, 1] where Ŝ = 1;
 * - 'plain': Ŝ ∓ z·Ŝ√g, clipped to [0, 1].
 * Where Ŝ = 0 the band is undefined (NaN), as in R.
 */
export function kaplanMeier(times: readonly number[], events: readonly (0 | 1)[], options: KaplanMeierOptions = {}): KaplanMeierCurve {
  const confType = options.confType ?? 'log';
  const confLevel = options.confLevel ?? 0.95;
  if (times.length !== events.length) throw new RangeError('kaplanMeier: times and events must have the same length');
  if (times.length === 0) throw new RangeError('kaplanMeier: no observations');
  if (!(confLevel > 0 && confLevel < 1)) throw new RangeError('kaplanMeier: confLevel must be in (0, 1)');
  const weights = options.weights;
  if (weights && weights.length !== times.length) throw new RangeError('kaplanMeier: weights and times must have the same length');
  let total = 0;
  for (let i = 0; i < times.length; i++) {
    if (!Number.isFinite(times[i]!)) throw new RangeError(`kaplanMeier: time ${i} is not finite`);
    if (events[i] !== 0 && events[i] !== 1) throw new RangeError(`kaplanMeier: event ${i} must be 0 or 1`);
    const w = weights ? weights[i]! : 1;
    if (!(w > 0 && Number.isFinite(w))) throw new RangeError(`kaplanMeier: weight ${i} must be a finite number > 0`);
    total += w;
  }
  const z = normalQuantile(1 - (1 - confLevel) / 2);

  const order = times.map((_, i) => i).sort((i, j) => times[i]! - times[j]!);
  const steps: KaplanMeierStep[] = [];
  let atRisk = total;
  let survival = 1;
  let greenwood = 0;
  let totalEvents = 0;
  for (let k = 0; k < order.length; ) {
    const time = times[order[k]!]!;
    let d = 0;
    let c = 0;
    // Ties: everyone with this time is at risk at it; events count before censorings.
    while (k < order.length && times[order[k]!] === time) {
      const w = weights ? weights[order[k]!]! : 1;
      if (events[order[k]!] === 1) d += w;
      else c += w;
      k++;
    }
    if (d > 0) {
      survival *= 1 - d / atRisk;
      // d = n makes the term infinite, so se becomes 0·∞ = NaN: R's behaviour too.
      greenwood += d / (atRisk * (atRisk - d));
      totalEvents += d;
    }
    if (d > 0 || options.includeCensored) {
      const band = confidenceBand(survival, greenwood, z, confType);
      steps.push({ time, atRisk, events: d, censored: c, survival, se: survival * Math.sqrt(greenwood), ...band });
    }
    atRisk -= d + c;
  }
  return { steps, n: total, totalEvents, lastTime: times[order[order.length - 1]!]!, confType, confLevel };
}

/** Pointwise band for Ŝ given g = Σ d/(n(n−d)), following R survival's formulas. */
function confidenceBand(s: number, g: number, z: number, type: ConfType): { lower: number; upper: number } {
  if (s === 0) return { lower: NaN, upper: NaN };
  const seLog = Math.sqrt(g);
  switch (type) {
    case 'log':
      return { lower: s * Math.exp(-z * seLog), upper: Math.min(1, s * Math.exp(z * seLog)) };
    case 'log-log': {
      if (s === 1) return { lower: 1, upper: 1 };
      const w = (z * seLog) / Math.abs(Math.log(s));
      return { lower: Math.pow(s, Math.exp(w)), upper: Math.pow(s, Math.exp(-w)) };
    }
    case 'plain':
      return { lower: Math.max(0, s - z * s * seLog), upper: Math.min(1, s + z * s * seLog) };
  }
}

/** Median survival time with the confidence limits read off the band; null where not reached. */
export interface MedianSurvival {
  median: number | null;
  lower: number | null;
  upper: number | null;
}

/**
 * Median survival and its confidence interval, as R survival defines them (print.survfit /
 * quantile.survfit): the first time the curve drops to 0.5 or below. When the curve sits
 * exactly at 0.5 (within √ε) over an interval, the median is the midpoint of that flat stretch
 * — between the time it reached 0.5 and the next drop, or the last observed time if it never
 * drops again — which reproduces the ordinary sample median for uncensored data. The interval
 * applies the same rule to the lower and upper bands.
 */
export function medianSurvival(curve: KaplanMeierCurve): MedianSurvival {
  const eventSteps = curve.steps.filter((s) => s.events > 0);
  const times = eventSteps.map((s) => s.time);
  const at = (values: number[]): number | null => crossing(times, values, 0.5, curve.lastTime);
  return {
    median: at(eventSteps.map((s) => s.survival)),
    lower: at(eventSteps.map((s) => s.lower)),
    upper: at(eventSteps.map((s) => s.upper)),
  };
}

/** Tolerance R survival uses for "exactly at the quantile": sqrt(.Machine$double.eps). */
const FLAT_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * Where a step curve (value `values[i]` from `times[i]` on, starting from 1) first falls to
 * `level`, with the midpoint rule for a flat stretch at `level`. NaN values (undefined band
 * limits) are skipped, as R's interpolation drops NAs.
 */
function crossing(times: readonly number[], values: readonly number[], level: number, lastTime: number): number | null {
  const t: number[] = [];
  const v: number[] = [];
  let previous = 1;
  for (let i = 0; i < times.length; i++) {
    const value = values[i]!;
    // A band limit that does not move adds no new level (R removes duplicated values).
    if (Number.isNaN(value) || value === previous) continue;
    t.push(times[i]!);
    v.push(value);
    previous = value;
  }
  const first = v.findIndex((value) => value <= level + FLAT_TOLERANCE);
  if (first < 0) return null;
  if (v[first]! < level - FLAT_TOLERANCE) return t[first]!;
  // Flat at the level: average with the next time it drops clearly below, else the curve's end.
  const next = v.findIndex((value, i) => i > first && value < level - FLAT_TOLERANCE);
  return (t[first]! + (next >= 0 ? t[next]! : lastTime)) / 2;
}
