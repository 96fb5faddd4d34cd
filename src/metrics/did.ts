/**
 * Difference-in-differences for a case study: the segment's change between two windows minus the
 * rest of the company's change over the same windows, with its standard error from the four
 * independent window estimates, a z-test and a 95% interval; and the pre-period parallel-trends
 * check: the OLS slope of the segment-minus-rest gap over the periods of the before window, with
 * its t-test (a slope of the gap is the difference of the two groups' own slopes).
 */
import { ALPHA } from './result-builders.js';
import { studentTCdf, twoSidedP, Z95 } from '../kernel/stats.js';

/** One window's estimate for one group: value and standard error. */
export interface WindowEstimate {
  value: number | null;
  se: number | null;
  n: number;
}

export interface DidResult {
  /** (segment after − segment before) − (rest after − rest before) */
  estimate: number | null;
  se: number | null;
  ci: [number, number] | null;
  z: number | null;
  p: number | null;
  significant: boolean;
  test: string;
}

export const DID_TEST = 'z-test of the difference-in-differences (four independent window estimates)';

/** The difference-in-differences of four window estimates; null fields when one is missing. */
export function differenceInDifferences(segBefore: WindowEstimate, segAfter: WindowEstimate, restBefore: WindowEstimate, restAfter: WindowEstimate): DidResult {
  const all = [segBefore, segAfter, restBefore, restAfter];
  const none: DidResult = { estimate: null, se: null, ci: null, z: null, p: null, significant: false, test: DID_TEST };
  if (all.some((e) => e.value === null)) return none;
  const estimate = (segAfter.value! - segBefore.value!) - (restAfter.value! - restBefore.value!);
  if (all.some((e) => e.se === null || !Number.isFinite(e.se))) return { ...none, estimate };
  const se = Math.sqrt(all.reduce((s, e) => s + e.se! ** 2, 0));
  if (!(se > 0)) return { ...none, estimate };
  const z = estimate / se;
  const p = twoSidedP(z);
  return { estimate, se, ci: [estimate - Z95 * se, estimate + Z95 * se], z, p, significant: p < ALPHA, test: DID_TEST };
}

/** A simple OLS line y = a + b·x with the slope's standard error (residual variance on n − 2 df). */
export function olsSlope(x: number[], y: number[]): { slope: number; intercept: number; se: number; df: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const sse = y.reduce((s, yi, i) => s + (yi - intercept - slope * x[i]) ** 2, 0);
  const df = n - 2;
  return { slope, intercept, se: df > 0 ? Math.sqrt(sse / df / sxx) : Number.NaN, df };
}

export interface ParallelTrends {
  /** periods of the before window with a value for both groups */
  periods: number;
  /** per period, OLS slopes of the segment, of the rest, and of their gap (= segment − rest slope) */
  slopeSegment: number;
  slopeRest: number;
  slopeGap: number;
  se: number;
  t: number;
  df: number;
  p: number;
  /** false when the gap's slope differs from zero at the 5% level: the groups were already drifting apart */
  holds: boolean;
  test: string;
}

export const PARALLEL_TEST = 'OLS slope of the segment − rest gap per period over the before window, t-test on n − 2 df';

/**
 * The parallel-trends check over the before window's periods (in order, one value per group or
 * null): needs at least 3 periods with both values; null otherwise.
 */
export function parallelTrends(segment: (number | null)[], rest: (number | null)[]): ParallelTrends | null {
  const x: number[] = [];
  const s: number[] = [];
  const r: number[] = [];
  segment.forEach((v, i) => {
    const w = rest[i];
    if (v === null || w === null || w === undefined) return;
    x.push(i);
    s.push(v);
    r.push(w);
  });
  if (x.length < 3) return null;
  const gap = olsSlope(x, s.map((v, i) => v - r[i]));
  const t = gap.slope / gap.se;
  // a perfectly straight gap (no residual) is a drift known exactly: p = 0 unless the slope is 0
  const p = Number.isFinite(t) ? 2 * (1 - studentTCdf(Math.abs(t), gap.df)) : gap.slope === 0 ? 1 : 0;
  return { periods: x.length, slopeSegment: olsSlope(x, s).slope, slopeRest: olsSlope(x, r).slope, slopeGap: gap.slope, se: gap.se, t, df: gap.df, p, holds: p >= ALPHA, test: PARALLEL_TEST };
}
