/** The case study's difference-in-differences and parallel-trends check against hand computations. */
import { describe, expect, it } from 'vitest';
import { differenceInDifferences, olsSlope, parallelTrends } from './did.js';

describe('difference-in-differences (hand computation)', () => {
  // segment 40 → 50 (se 2 and 2), rest 45 → 47 (se 1 and 1): DiD = (50 − 40) − (47 − 45) = 8;
  // se = √(4 + 4 + 1 + 1) = √10 = 3.162278; z = 2.529822; p = 2·(1 − Φ(2.529822)) = 0.011412;
  // 95% CI 8 ± 1.959964 · 3.162278 = 8 ± 6.197950 = 1.802050 to 14.197950
  const d = differenceInDifferences({ value: 40, se: 2, n: 400 }, { value: 50, se: 2, n: 400 }, { value: 45, se: 1, n: 1600 }, { value: 47, se: 1, n: 1600 });

  it('is the segment’s change minus the rest’s, with the four errors added in quadrature', () => {
    expect(d.estimate).toBe(8);
    expect(d.se).toBeCloseTo(3.162278, 6);
    expect(d.z).toBeCloseTo(2.529822, 6);
    expect(d.p).toBeCloseTo(0.011412, 5);
    expect(d.ci![0]).toBeCloseTo(1.80205, 5);
    expect(d.ci![1]).toBeCloseTo(14.19795, 5);
    expect(d.significant).toBe(true);
  });

  it('has no test when a window lacks a value or an error', () => {
    expect(differenceInDifferences({ value: null, se: null, n: 0 }, { value: 50, se: 2, n: 400 }, { value: 45, se: 1, n: 1600 }, { value: 47, se: 1, n: 1600 }).estimate).toBeNull();
    const noSe = differenceInDifferences({ value: 40, se: null, n: 400 }, { value: 50, se: 2, n: 400 }, { value: 45, se: 1, n: 1600 }, { value: 47, se: 1, n: 1600 });
    expect([noSe.estimate, noSe.p, noSe.ci]).toEqual([8, null, null]);
  });
});

describe('parallel trends: OLS slope of the segment − rest gap over the before window (hand OLS)', () => {
  it('passes for a gap slope of 1.2 per period with p = 0.0513 (t = 4.2426 on 2 df)', () => {
    // segment 10, 12, 13, 15 (slope 1.6); rest 20, 20, 21, 21 (slope 0.4); gap −10, −8, −8, −6 on x = 0..3:
    // x̄ = 1.5, Sxx = 5, Sxy = 6 → slope 1.2, intercept −9.8; residuals −0.2, 0.6, −0.6, 0.2, SSE 0.8;
    // se = √(0.8 / 2 / 5) = 0.282843; t = 4.242641; two-sided p on 2 df = 1 − t/√(t² + 2) = 0.051317
    const r = parallelTrends([10, 12, 13, 15], [20, 20, 21, 21])!;
    expect(r.slopeSegment).toBeCloseTo(1.6, 12);
    expect(r.slopeRest).toBeCloseTo(0.4, 12);
    expect(r.slopeGap).toBeCloseTo(1.2, 12);
    expect(r.se).toBeCloseTo(0.282843, 6);
    expect(r.t).toBeCloseTo(4.242641, 5);
    expect(r.df).toBe(2);
    expect(r.p).toBeCloseTo(1 - 4.242641 / Math.sqrt(4.242641 ** 2 + 2), 6);
    expect(r.p).toBeCloseTo(0.051317, 5);
    expect(r.holds).toBe(true);
  });

  it('fails when the segment was already pulling away: gap slope 2.03, SSE 0.003, p ≈ 7.3e−5', () => {
    // gap −10, −8, −6, −3.9: Sxy = 10.15 → slope 2.03, intercept −10.02; residuals 0.02, −0.01, −0.04, 0.03
    const r = parallelTrends([10, 12, 14, 16.1], [20, 20, 20, 20])!;
    expect(r.slopeGap).toBeCloseTo(2.03, 10);
    expect(r.se).toBeCloseTo(Math.sqrt(0.003 / 2 / 5), 8);
    const t = 2.03 / Math.sqrt(0.0003);
    expect(r.p).toBeCloseTo(1 - t / Math.sqrt(t * t + 2), 8);
    expect(r.p).toBeLessThan(0.001);
    expect(r.holds).toBe(false);
  });

  it('skips periods missing for either group and needs three', () => {
    expect(parallelTrends([10, null, 12], [20, 20, 20])).toBeNull();
    expect(parallelTrends([10, 11, null, 12, 13], [20, 20, 5, 20, 20])!.periods).toBe(4);
  });

  it('olsSlope agrees with the normal equations on a line with noise', () => {
    const x = [0, 1, 2, 3, 4];
    const y = [1, 3, 2, 5, 4];
    // x̄ = 2, ȳ = 3, Sxx = 10, Sxy = (−2)(−2) + (−1)(0) + 0 + (1)(2) + (2)(1) = 8 → slope 0.8, intercept 1.4
    const fit = olsSlope(x, y);
    expect(fit.slope).toBeCloseTo(0.8, 12);
    expect(fit.intercept).toBeCloseTo(1.4, 12);
  });
});
