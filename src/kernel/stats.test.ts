/**
 * Tests for src/kernel/stats.ts. Every expected value comes from a source independent of the code under
 * test, named in a comment next to it: published tables, closed forms, arithmetic worked by hand in the
 * comments, SciPy 1.17.1 (scipy.stats) or mpmath at 40 significant digits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Z95,
  benjaminiHochberg,
  holm,
  incompleteBeta,
  meanEstimate,
  normalCdf,
  normalQuantile,
  npsChangeTest,
  npsEstimate,
  quantileSorted,
  studentTCdf,
  studentTQuantile,
  twoProportionZTest,
  twoSidedP,
  welchTTest,
  wilsonInterval,
} from './stats.js';

/** |actual − expected| <= tol·|expected| (relative closeness). */
function expectRel(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol * Math.abs(expected));
}

describe('normalCdf / normalQuantile / twoSidedP', () => {
  it('matches published standard-normal table values', () => {
    // Standard normal table (Abramowitz & Stegun 26.1; values to 16 digits as given by R pnorm / mpmath).
    expectRel(normalCdf(1.96), 0.9750021048517795, 1e-14);
    expectRel(normalCdf(-1), 0.15865525393145707, 1e-14);
    expectRel(normalCdf(-3), 0.0013498980316300945, 1e-13);
    expect(normalCdf(0)).toBe(0.5);
    // Deep lower tail: mpmath ncdf(-10) = 7.619853024160526066e-24, ncdf(-30) = 4.9067139271481870595e-198.
    expectRel(normalCdf(-10), 7.619853024160526e-24, 1e-13);
    expectRel(normalCdf(-30), 4.906713927148187e-198, 1e-12);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });

  it('inverts to the published quantiles', () => {
    // Standard normal quantile tables (R qnorm): Φ⁻¹(0.975) = 1.959963984540054, Φ⁻¹(0.001) = −3.090232306167813.
    expectRel(normalQuantile(0.975), 1.959963984540054, 1e-14);
    expectRel(normalQuantile(0.025), -1.959963984540054, 1e-14);
    expectRel(normalQuantile(0.001), -3.090232306167813, 1e-14);
    expect(normalQuantile(0.5)).toBe(0);
    // mpmath findroot(ncdf(x) = 1e-10) = −6.3613409024040562047
    expectRel(normalQuantile(1e-10), -6.361340902404056, 1e-14);
    // Z95 is the 6-decimal rounding of Φ⁻¹(0.975).
    expect(Math.abs(Z95 - normalQuantile(0.975))).toBeLessThan(5e-7);
  });

  it('returns exact limits at 0/1 and NaN outside [0,1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });

  it('twoSidedP is 2·Φ(−|z|)', () => {
    // mpmath: 2·ncdf(−1.96) = 0.049995790296440872426
    expectRel(twoSidedP(1.96), 0.04999579029644087, 1e-13);
    expectRel(twoSidedP(-1.96), 0.04999579029644087, 1e-13);
    expect(twoSidedP(0)).toBe(1);
    expect(twoSidedP(Infinity)).toBe(0);
    expect(twoSidedP(Number.NaN)).toBeNaN();
  });
});

describe('incompleteBeta', () => {
  it('matches closed forms', () => {
    // I_x(a, 1) = x^a;  I_x(1, b) = 1 − (1 − x)^b;  I_x(2, 2) = 3x² − 2x³;  I_½(a, a) = ½ by symmetry.
    for (const x of [0.001, 0.2, 0.5, 0.77, 0.999]) {
      expectRel(incompleteBeta(x, 3.7, 1), x ** 3.7, 1e-13);
      expectRel(incompleteBeta(x, 1, 2.5), 1 - (1 - x) ** 2.5, 1e-13);
      expectRel(incompleteBeta(x, 2, 2), 3 * x * x - 2 * x ** 3, 1e-13);
      // Reflection I_x(a, b) = 1 − I_{1−x}(b, a)
      expect(incompleteBeta(x, 4.2, 7.9)).toBeCloseTo(1 - incompleteBeta(1 - x, 7.9, 4.2), 14);
    }
    for (const a of [0.5, 3, 40, 1e4]) expect(incompleteBeta(0.5, a, a)).toBeCloseTo(0.5, 12);
    // mpmath betainc(2.5, 3.5, 0, 0.3, regularized=True) = 0.29675298929566639864
    expectRel(incompleteBeta(0.3, 2.5, 3.5), 0.2967529892956664, 1e-13);
  });

  it('handles endpoints and invalid arguments without throwing', () => {
    expect(incompleteBeta(0, 2, 3)).toBe(0);
    expect(incompleteBeta(1, 2, 3)).toBe(1);
    expect(incompleteBeta(-0.1, 2, 3)).toBeNaN();
    expect(incompleteBeta(0.5, 0, 3)).toBeNaN();
    expect(incompleteBeta(0.5, 2, -1)).toBeNaN();
    expect(incompleteBeta(Number.NaN, 2, 3)).toBeNaN();
  });
});

describe('studentTQuantile / studentTCdf', () => {
  it('matches t-table critical values', () => {
    // Student t tables (R qt): t_{0.975,10}, t_{0.975,1}, t_{0.975,30}, t_{0.995,5}, t_{0.975,7}.
    expectRel(studentTQuantile(0.975, 10), 2.228138851986522, 1e-10);
    expectRel(studentTQuantile(0.975, 1), 12.70620473617471, 1e-10);
    expectRel(studentTQuantile(0.975, 30), 2.042272456301238, 1e-10);
    expectRel(studentTQuantile(0.995, 5), 4.032142983557536, 1e-10);
    expectRel(studentTQuantile(0.975, 7), 2.364624251592785, 1e-10);
    expectRel(studentTQuantile(0.025, 10), -2.228138851986522, 1e-10);
    expect(studentTQuantile(0.5, 3)).toBe(0);
  });

  it('CDF is consistent with the table and the quantile', () => {
    expect(studentTCdf(2.228138851986522, 10)).toBeCloseTo(0.975, 12);
    expect(studentTCdf(-4.032142983557536, 5)).toBeCloseTo(0.005, 12);
    for (const df of [1, 2.5, 7, 30, 1000, 1e6]) {
      for (const p of [1e-8, 0.01, 0.2, 0.5, 0.9, 0.999]) {
        expect(studentTCdf(studentTQuantile(p, df), df)).toBeCloseTo(p, 11);
      }
    }
  });

  it('matches closed forms for df = 1 (Cauchy) and df = 2', () => {
    // df=1: F(t) = ½ + atan(t)/π.  df=2: F(t) = ½ + t / (2·sqrt(2 + t²)).
    for (const t of [-50, -3, -0.4, 0, 0.7, 2, 25]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 14);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 14);
    }
    // Cauchy tail: F(−1e6) = atan(1e−6)/π ≈ 3.1830988618369e−7 (closed form, with relative accuracy).
    expectRel(studentTCdf(-1e6, 1), Math.atan(1e-6) / Math.PI, 1e-12);
  });

  it('is accurate for non-integer and very large df (mpmath references)', () => {
    // mpmath: betainc(v/2, 1/2, 0, v/(v+t²)) / 2 at 40 digits.
    expectRel(studentTCdf(-2, 6.5), 0.044380641794009855, 1e-12);
    expectRel(studentTCdf(-1.5, 2.5), 0.12391822654314813, 1e-12);
    expectRel(studentTCdf(-40, 3), 0.000017190340394579264, 1e-12);
    expectRel(studentTCdf(-3, 30000), 0.0013510062356349662, 1e-11);
    expectRel(studentTCdf(-3, 50000), 0.0013505628959770216, 1e-11);
    expectRel(studentTCdf(-3, 1e7), 0.0013499013555185806, 1e-11);
    expect(studentTCdf(1.3, Infinity)).toBe(normalCdf(1.3));
  });

  it('returns NaN for invalid df and exact limits at p = 0 / 1', () => {
    expect(studentTCdf(1, 0)).toBeNaN();
    expect(studentTCdf(1, -3)).toBeNaN();
    expect(studentTCdf(Number.NaN, 3)).toBeNaN();
    expect(studentTCdf(Infinity, 3)).toBe(1);
    expect(studentTQuantile(0.5, 0)).toBeNaN();
    expect(studentTQuantile(1.5, 4)).toBeNaN();
    expect(studentTQuantile(0, 4)).toBe(-Infinity);
    expect(studentTQuantile(1, 4)).toBe(Infinity);
  });
});

describe('wilsonInterval', () => {
  it('81 of 263, worked by hand', () => {
    // p = 81/263 = 0.307984791;  z = 1.959964, z² = 3.841458881
    // z²/n = 0.014606308 → denominator 1 + z²/n = 1.014606308;  z²/2n = 0.007303154
    // centre = (0.307984791 + 0.007303154) / 1.014606308 = 0.310749048
    // p(1−p)/n = 0.000810381;  z²/4n² = 0.000013884;  sum = 0.000824265, sqrt = 0.028710018
    // half-width = 1.959964 · 0.028710018 / 1.014606308 = 0.055460529
    // interval = 0.310749048 ∓ 0.055460529 = [0.255288519, 0.366209577]
    const [lo, hi] = wilsonInterval(81, 263);
    expect(lo).toBeCloseTo(0.255288519, 8);
    expect(hi).toBeCloseTo(0.366209577, 8);
    // Newcombe (1998), Statistics in Medicine 17:857–872, Table I, method 3 (score): 81/263 → 0.2553 to 0.3662.
    expect(lo).toBeCloseTo(0.2553, 4);
    expect(hi).toBeCloseTo(0.3662, 4);
  });

  it('edge cases 0/n and n/n', () => {
    // x = 0: centre = half-width = (z²/2n)/(1 + z²/n), so lower = 0 and upper = z²/(n + z²).
    // n = 10: 3.841458881 / 13.841458881 = 0.277532803
    const [lo0, hi0] = wilsonInterval(0, 10);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(0.277532803, 8);
    // x = n: mirror image, lower = n/(n + z²) = 10 / 13.841458881 = 0.722467197, upper = 1.
    const [loN, hiN] = wilsonInterval(10, 10);
    expect(loN).toBeCloseTo(0.722467197, 8);
    expect(hiN).toBe(1);
  });

  it('NaN when undefined, and honours z', () => {
    expect(wilsonInterval(0, 0)).toEqual([Number.NaN, Number.NaN]);
    expect(wilsonInterval(5, 3)).toEqual([Number.NaN, Number.NaN]);
    expect(wilsonInterval(-1, 3)).toEqual([Number.NaN, Number.NaN]);
    // z = 0 collapses to the point estimate.
    expect(wilsonInterval(3, 12, 0)).toEqual([0.25, 0.25]);
    const [l95, h95] = wilsonInterval(30, 100);
    const [l99, h99] = wilsonInterval(30, 100, normalQuantile(0.995));
    expect(l99).toBeLessThan(l95);
    expect(h99).toBeGreaterThan(h95);
  });
});

describe('twoProportionZTest', () => {
  it('40/100 vs 60/100, worked by hand', () => {
    // pooled = 100/200 = 0.5;  SE = sqrt(0.5·0.5·(1/100 + 1/100)) = sqrt(0.005) = 0.0707107
    // z = (0.60 − 0.40)/0.0707107 = 2.828427 (= 2√2)
    // p = 2·(1 − Φ(2√2)); SciPy 1.17.1: 2*scipy.stats.norm.sf(2*sqrt(2)) = 0.0046777349810472576
    const r = twoProportionZTest(40, 100, 60, 100);
    expect(r.z).toBeCloseTo(2 * Math.SQRT2, 12);
    expectRel(r.p, 0.0046777349810472576, 1e-12);
    // Direction: z is positive when the second proportion is larger.
    expect(twoProportionZTest(60, 100, 40, 100).z).toBeCloseTo(-2 * Math.SQRT2, 12);
  });

  it('unequal n, worked by hand', () => {
    // 30/120 = 0.25 vs 45/150 = 0.30; pooled = 75/270 = 0.2777778
    // SE = sqrt(0.2777778·0.7222222·(1/120 + 1/150)) = sqrt(0.2006173·0.015) = sqrt(0.00300926) = 0.0548567
    // z = 0.05 / 0.0548567 = 0.911465
    expect(twoProportionZTest(30, 120, 45, 150).z).toBeCloseTo(0.911465, 6);
  });

  it('NaN when undefined', () => {
    expect(twoProportionZTest(0, 0, 3, 10).z).toBeNaN();
    expect(twoProportionZTest(0, 10, 0, 10).p).toBeNaN(); // pooled 0
    expect(twoProportionZTest(10, 10, 20, 20).z).toBeNaN(); // pooled 1
    expect(twoProportionZTest(11, 10, 2, 10).z).toBeNaN();
  });
});

describe('npsEstimate / npsChangeTest', () => {
  it('50 promoters, 30 passives, 20 detractors, worked by hand', () => {
    // n = 100; NPS = 100·(0.50 − 0.20) = 30
    // P + D − (P − D)² = 0.70 − 0.09 = 0.61;  var = 0.61/100 = 0.0061;  SE = 100·sqrt(0.0061) = 7.810250
    // CI = 30 ± 1.959964·7.810250 = 30 ± 15.307808 → [14.692192, 45.307808]
    const e = npsEstimate(50, 30, 20);
    expect(e.n).toBe(100);
    expect(e.value).toBeCloseTo(30, 12);
    expect(e.se).toBeCloseTo(7.81025, 5);
    expect(e.ci[0]).toBeCloseTo(14.692192, 5);
    expect(e.ci[1]).toBeCloseTo(45.307808, 5);
  });

  it('change test, worked by hand', () => {
    // Wave 2: 60 promoters, 25 passives, 15 detractors → NPS 45;
    // P + D − (P − D)² = 0.75 − 0.2025 = 0.5475;  SE = 100·sqrt(0.005475) = 7.399324
    // z = (45 − 30)/sqrt(7.810250² + 7.399324²) = 15/sqrt(61 + 54.75) = 15/10.758717 = 1.394218
    // p: SciPy 1.17.1 2*norm.sf(1.3942182370205194) = 0.16325171243303704
    const a = npsEstimate(50, 30, 20);
    const b = npsEstimate(60, 25, 15);
    expect(b.value).toBeCloseTo(45, 12);
    expect(b.se).toBeCloseTo(7.399324, 5);
    const r = npsChangeTest(a, b);
    expect(r.z).toBeCloseTo(1.394218, 5);
    expect(r.p).toBeCloseTo(0.163252, 5);
    expect(npsChangeTest(b, a).z).toBeCloseTo(-1.394218, 5);
  });

  it('edge cases: n = 0, degenerate samples, clipping', () => {
    const empty = npsEstimate(0, 0, 0);
    expect(empty.n).toBe(0);
    expect(empty.value).toBeNaN();
    expect(empty.se).toBeNaN();
    expect(empty.ci).toEqual([Number.NaN, Number.NaN]);
    // All promoters: NPS = 100, variance 1 − 1 = 0 → SE 0, CI [100, 100].
    const all = npsEstimate(12, 0, 0);
    expect(all.value).toBe(100);
    expect(all.se).toBe(0);
    expect(all.ci).toEqual([100, 100]);
    // 9 promoters, 1 detractor: NPS 80; 1 − 0.64 = 0.36, SE = 100·sqrt(0.036) = 18.97 → 80 + 37.2 clipped to 100.
    const high = npsEstimate(9, 0, 1);
    expect(high.value).toBeCloseTo(80, 12);
    expect(high.ci[1]).toBe(100);
    expect(npsEstimate(-1, 3, 3).value).toBeNaN();
    // Two zero-SE estimates: z undefined.
    expect(npsChangeTest(all, npsEstimate(0, 0, 5)).z).toBeNaN();
    expect(npsChangeTest(empty, all).p).toBeNaN();
  });
});

describe('meanEstimate', () => {
  it('[2,4,4,4,5,5,7,9] via sums, worked by hand', () => {
    // n = 8, Σx = 40, Σx² = 4 + 3·16 + 2·25 + 49 + 81 = 232
    // mean = 5;  Σ(x − x̄)² = 232 − 40²/8 = 32;  s² = 32/7 = 4.571429;  s = 2.138090
    // SE = 2.138090/sqrt(8) = 0.755929;  t_{0.975,7} = 2.364624 (t table)
    // CI = 5 ± 2.364624·0.755929 = 5 ± 1.787488 → [3.212512, 6.787488]
    // (SciPy 1.17.1 stats.t.interval(0.95, 7, loc=5, scale=s/sqrt(8)) = (3.21251208176379, 6.787487918236209))
    const m = meanEstimate(8, 40, 232);
    expect(m.n).toBe(8);
    expect(m.mean).toBe(5);
    expect(m.variance).toBeCloseTo(32 / 7, 13);
    expect(m.sd).toBeCloseTo(2.138089935299395, 12);
    expect(m.se).toBeCloseTo(0.7559289460184544, 12);
    expect(m.ci[0]).toBeCloseTo(3.21251208176379, 9);
    expect(m.ci[1]).toBeCloseTo(6.787487918236209, 9);
  });

  it('is numerically stable with large offsets', () => {
    // Shifting data does not change the variance: 1e6 + [1..7] has Σ(x − x̄)² = 28, s² = 28/6.
    const shifted = (offset: number, xs: number[]) => {
      const v = xs.map((x) => offset + x);
      return meanEstimate(v.length, v.reduce((s, x) => s + x, 0), v.reduce((s, x) => s + x * x, 0));
    };
    const a = shifted(1e6, [1, 2, 3, 4, 5, 6, 7]);
    expect(a.mean).toBe(1e6 + 4);
    expect(a.variance).toBeCloseTo(28 / 6, 9);
    const b = shifted(1e6, [2, 4, 4, 4, 5, 5, 7, 9]);
    expect(b.variance).toBeCloseTo(32 / 7, 9);
    // 1e7 + [1..9, 11]: Σx and Σx² are exact integers (Σx² ≈ 1.0000011e15 < 2^53), but (Σx)² ≈ 1e16 is not
    // representable, so the textbook (Σx² − (Σx)²/n)/(n − 1) gives 10.26389. Exact answer: deviations of
    // [1..9, 11] from 5.6 → Σx² − 56²/10 = 406 − 313.6 = 92.4 → s² = 92.4/9 = 10.266667.
    const e = shifted(1e7, [1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
    expect(e.variance).toBeCloseTo(92.4 / 9, 9);
    const c = shifted(1e7, [0.5, 1.5, 2, 3.25, 9]);
    // Σ = 16.25 → x̄ = 3.25; deviations −2.75, −1.75, −1.25, 0, 5.75 → Σ² = 7.5625 + 3.0625 + 1.5625 + 0 + 33.0625 = 45.25
    expect(c.variance).toBeCloseTo(45.25 / 4, 7);
    expect(c.variance).toBeGreaterThanOrEqual(0);
    // Constant data: variance exactly 0, never negative.
    const d = shifted(123456.789, [0, 0, 0, 0]);
    expect(d.variance).toBe(0);
    expect(d.ci[0]).toBe(d.mean);
  });

  it('edge cases and confidence level', () => {
    const one = meanEstimate(1, 7, 49);
    expect(one.mean).toBe(7);
    expect(one.sd).toBeNaN();
    expect(one.se).toBeNaN();
    expect(one.ci).toEqual([Number.NaN, Number.NaN]);
    const none = meanEstimate(0, 0, 0);
    expect(none.mean).toBeNaN();
    expect(none.variance).toBeNaN();
    // 99% CI uses t_{0.995,7} = 3.499483 (t table): half-width 3.499483 · 0.755929 = 2.645360
    const m99 = meanEstimate(8, 40, 232, 0.99);
    expect(m99.ci[1] - 5).toBeCloseTo(2.64536, 4);
    expect(meanEstimate(8, 40, 232, 1.2).ci[0]).toBeNaN();
  });
});

describe('welchTTest', () => {
  it('a = [1,2,3,4,5], b = [2,4,6,8,10,12], worked by hand', () => {
    // a: n 5, mean 3, s² = (4+1+0+1+4)/4 = 2.5;  b: n 6, mean 7, s² = (25+9+1+1+9+25)/5 = 14
    // s²/n: 2.5/5 = 0.5 and 14/6 = 2.333333 → sum 2.833333, SE = 1.683251
    // t = (7 − 3)/1.683251 = 2.376354
    // df = 2.833333² / (0.5²/4 + 2.333333²/5) = 8.027778 / (0.0625 + 1.088889) = 6.972256
    // SciPy 1.17.1 scipy.stats.ttest_ind(b, a, equal_var=False):
    //   statistic = 2.3763541031440183, pvalue = 0.04928433820673053, df = 6.972255729794934
    const r = welchTTest({ n: 5, mean: 3, variance: 2.5 }, { n: 6, mean: 7, variance: 14 });
    expect(r.t).toBeCloseTo(2.3763541031440183, 12);
    expect(r.df).toBeCloseTo(6.972255729794934, 12);
    expectRel(r.p, 0.04928433820673053, 1e-10);
    const rev = welchTTest({ n: 6, mean: 7, variance: 14 }, { n: 5, mean: 3, variance: 2.5 });
    expect(rev.t).toBeCloseTo(-2.3763541031440183, 12);
    expect(rev.p).toBeCloseTo(r.p, 14);
  });

  it('degenerate inputs', () => {
    // Both variances zero: t undefined → NaN, not Infinity.
    const z = welchTTest({ n: 5, mean: 1, variance: 0 }, { n: 5, mean: 2, variance: 0 });
    expect(z.t).toBeNaN();
    expect(z.df).toBeNaN();
    expect(z.p).toBeNaN();
    // One zero variance: df reduces to n_b − 1 (only group b contributes).
    const one = welchTTest({ n: 5, mean: 1, variance: 0 }, { n: 9, mean: 2, variance: 4 });
    expect(one.df).toBeCloseTo(8, 12);
    expect(one.t).toBeCloseTo(1 / Math.sqrt(4 / 9), 12);
    expect(welchTTest({ n: 1, mean: 1, variance: 0 }, { n: 9, mean: 2, variance: 4 }).p).toBeNaN();
    expect(welchTTest({ n: 4, mean: 1, variance: Number.NaN }, { n: 9, mean: 2, variance: 4 }).p).toBeNaN();
    expect(welchTTest({ n: 4, mean: 1, variance: -1 }, { n: 9, mean: 2, variance: 4 }).p).toBeNaN();
  });
});

describe('benjaminiHochberg / holm', () => {
  it('textbook example p = [0.01, 0.04, 0.03, 0.005], by hand', () => {
    // m = 4; ascending: 0.005 (#4), 0.01 (#1), 0.03 (#3), 0.04 (#2)
    // BH raw m/i·p(i): 4·0.005 = 0.02, 2·0.01 = 0.02, (4/3)·0.03 = 0.04, 1·0.04 = 0.04; running min from the top
    //   → 0.02, 0.02, 0.04, 0.04 → in input order [0.02, 0.04, 0.04, 0.02]   (= R p.adjust(p, "BH"))
    // Holm (m−i+1)·p(i): 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04; running max
    //   → 0.02, 0.03, 0.06, 0.06 → in input order [0.03, 0.06, 0.06, 0.02]   (= R p.adjust(p, "holm"))
    const p = [0.01, 0.04, 0.03, 0.005];
    const bh = benjaminiHochberg(p);
    [0.02, 0.04, 0.04, 0.02].forEach((v, i) => expect(bh[i]).toBeCloseTo(v, 14));
    const h = holm(p);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(h[i]).toBeCloseTo(v, 14));
  });

  it('caps at 1, keeps NaN in place and handles empty input', () => {
    // BH: 3·0.5 = 1.5, (3/2)·0.8 = 1.2, 0.9 → running min 0.9 for all.  Holm: 1.5 → 1, 1.6 → 1, 0.9 → max 1.
    expect(benjaminiHochberg([0.5, 0.9, 0.8])).toEqual([0.9, 0.9, 0.9]);
    expect(holm([0.5, 0.9, 0.8])).toEqual([1, 1, 1]);
    expect(benjaminiHochberg([])).toEqual([]);
    expect(holm([])).toEqual([]);
    // NaN is ignored (m = 2, as R p.adjust with NA): BH 0.01·2 = 0.02, 0.04; Holm 2·0.01 = 0.02, 0.04.
    const bh = benjaminiHochberg([0.01, Number.NaN, 0.04]);
    expect(bh[1]).toBeNaN();
    expect(bh[0]).toBeCloseTo(0.02, 14);
    expect(bh[2]).toBeCloseTo(0.04, 14);
    const h = holm([0.01, Number.NaN, 0.04]);
    expect(h[1]).toBeNaN();
    expect(h[0]).toBeCloseTo(0.02, 14);
    expect(h[2]).toBeCloseTo(0.04, 14);
  });
});

describe('quantileSorted', () => {
  it('matches R type 7 on 1:10', () => {
    // R: quantile(1:10, c(0, .1, .25, .5, .75, .9, 1)) → 1.00 1.90 3.25 5.50 7.75 9.10 10.00 (type 7 default)
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const expected: Array<[number, number]> = [
      [0, 1],
      [0.1, 1.9],
      [0.25, 3.25],
      [0.5, 5.5],
      [0.75, 7.75],
      [0.9, 9.1],
      [1, 10],
    ];
    for (const [p, q] of expected) expect(quantileSorted(x, p)).toBeCloseTo(q, 12);
  });

  it('interpolates as h = (n−1)p on an uneven vector (by hand; numpy.quantile default agrees)', () => {
    const x = Float64Array.from([3, 7, 8, 10, 21]);
    // p = 0.1: h = 0.4 → 3 + 0.4·(7 − 3) = 4.6
    expect(quantileSorted(x, 0.1)).toBeCloseTo(4.6, 12);
    // p = 0.33: h = 1.32 → 7 + 0.32·(8 − 7) = 7.32
    expect(quantileSorted(x, 0.33)).toBeCloseTo(7.32, 12);
    // p = 0.9: h = 3.6 → 10 + 0.6·(21 − 10) = 16.6
    expect(quantileSorted(x, 0.9)).toBeCloseTo(16.6, 12);
  });

  it('edge cases', () => {
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(quantileSorted([4], 0.3)).toBe(4);
    expect(quantileSorted([1, 2], -0.1)).toBeNaN();
    expect(quantileSorted([1, 2], 1.1)).toBeNaN();
    expect(quantileSorted([1, 2], Number.NaN)).toBeNaN();
  });
});

describe('property tests (fast-check)', () => {
  it('Wilson interval lies in [0,1] and contains the observed proportion', () => {
    const arb = fc
      .integer({ min: 1, max: 1_000_000 })
      .chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n }), fc.double({ min: 0.1, max: 4, noNaN: true })));
    fc.assert(
      fc.property(arb, ([n, x, z]) => {
        const [lo, hi] = wilsonInterval(x, n, z);
        const p = x / n;
        return lo >= 0 && hi <= 1 && lo <= p && p <= hi && lo < hi;
      }),
    );
  });

  it('NPS lies in [−100,100] and its CI contains it', () => {
    const count = fc.integer({ min: 0, max: 100_000 });
    fc.assert(
      fc.property(count, count, count, (pr, pa, de) => {
        fc.pre(pr + pa + de > 0);
        const e = npsEstimate(pr, pa, de);
        return (
          e.value >= -100 &&
          e.value <= 100 &&
          e.se >= 0 &&
          e.ci[0] >= -100 &&
          e.ci[1] <= 100 &&
          e.ci[0] <= e.value &&
          e.value <= e.ci[1]
        );
      }),
    );
  });

  it('normalQuantile(normalCdf(x)) ≈ x', () => {
    // Upper limit 5: above it Φ(x) is so close to 1 that the double itself carries too little information.
    fc.assert(
      fc.property(fc.double({ min: -30, max: 5, noNaN: true }), (x) => {
        return Math.abs(normalQuantile(normalCdf(x)) - x) <= 1e-9 * Math.max(1, Math.abs(x));
      }),
    );
  });

  it('studentTCdf(studentTQuantile(p, df), df) ≈ p', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e-9, max: 1 - 1e-9, noNaN: true }),
        fc.double({ min: 0.5, max: 1e6, noNaN: true }),
        (p, df) => {
          const c = studentTCdf(studentTQuantile(p, df), df);
          return Math.abs(c - p) <= 1e-10 * Math.min(p, 1 - p) + 1e-15;
        },
      ),
    );
  });

  it('BH adjusted p ≥ raw, ≤ 1, ≤ Holm, and order-preserving', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }), (p) => {
        const bh = benjaminiHochberg(p);
        const h = holm(p);
        for (let i = 0; i < p.length; i++) {
          if (!(bh[i]! >= p[i]! && bh[i]! <= 1 && bh[i]! <= h[i]! && h[i]! <= 1)) return false;
          for (let j = 0; j < p.length; j++) if (p[i]! <= p[j]! && bh[i]! > bh[j]!) return false;
        }
        return bh.length === p.length;
      }),
    );
  });

  it('quantileSorted is monotone in p and within [min, max]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, p1, p2) => {
          const s = [...xs].sort((a, b) => a - b);
          const [lo, hi] = p1 <= p2 ? [p1, p2] : [p2, p1];
          const q1 = quantileSorted(s, lo);
          const q2 = quantileSorted(s, hi);
          return q1 <= q2 && q1 >= s[0]! && q2 <= s[s.length - 1]!;
        },
      ),
    );
  });
});
