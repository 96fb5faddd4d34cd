/**
 * Tests for src/kernel/stats-exact.ts (moved with the functions from the tickets metric's tests):
 * the Garwood interval against its closed form, the order-statistic interval's ranks and coverage,
 * the Poisson rate test's symmetry and Mood's median test's antisymmetry.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { moodMedianTest, poissonInterval, poissonRateTest, quantileInterval } from './stats-exact.js';

describe('exact and distribution-free methods', () => {
  it('Garwood interval for 0 and 1', () => {
    // x = 0: [0, −ln(0.025)] = [0, 3.688879]; x = 1: [G⁻¹(0.025; 1), G⁻¹(0.975; 2)] = [0.025318, 5.571643]
    expect(poissonInterval(0)[1]).toBeCloseTo(3.688879, 5);
    expect(poissonInterval(1)[0]).toBeCloseTo(0.025318, 5);
    expect(poissonInterval(1)[1]).toBeCloseTo(5.571643, 5);
  });
  it('order-statistic interval: too few cases give none; the ranks match the binomial search', () => {
    expect(quantileInterval([1, 2, 3, 4, 5], 0.5)).toBeNull(); // P(B ≤ 0) = 1/32 > 0.025
    expect(quantileInterval([1, 2, 3, 4, 5, 6], 0.5)).toEqual([1, 6]); // 1/64 ≤ 0.025
  });
  it('property: the order-statistic interval has at least 95% binomial coverage and contains the sample quantile', () => {
    const logChoose = (n: number, k: number) => {
      let s = 0;
      for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
      return s;
    };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.constantFrom(0.5, 0.9, 0.25), (n, q) => {
        const sorted = Array.from({ length: n }, (_, i) => i + 1); // x(i) = i, so the interval gives the ranks
        const ci = quantileInterval(sorted, q);
        if (ci === null) return;
        const [l, u] = ci;
        let coverage = 0;
        for (let k = l; k <= u - 1; k++) coverage += Math.exp(logChoose(n, k) + k * Math.log(q) + (n - k) * Math.log(1 - q));
        expect(coverage).toBeGreaterThanOrEqual(0.95 - 1e-9);
        const h = (n - 1) * q + 1; // rank of the type-7 sample quantile
        expect(l).toBeLessThanOrEqual(Math.ceil(h));
        expect(u).toBeGreaterThanOrEqual(Math.floor(h));
      }),
      { numRuns: 150 },
    );
  });
  it('property: Poisson rate test is symmetric and its p lies in (0, 1]', () => {
    fc.assert(
      fc.property(fc.nat(400), fc.nat(400), fc.constantFrom(28, 30, 31), fc.constantFrom(28, 30, 31), (a, b, ta, tb) => {
        const t1 = poissonRateTest(a, ta, b, tb);
        const t2 = poissonRateTest(b, tb, a, ta);
        if (a + b === 0) {
          expect(t1.p).toBeNull();
          return;
        }
        expect(t1.p!).toBeGreaterThan(0);
        expect(t1.p!).toBeLessThanOrEqual(1);
        expect(t1.p!).toBeCloseTo(t2.p!, 9);
        expect(t1.z!).toBeCloseTo(-t2.z!, 9);
      }),
      { numRuns: 200 },
    );
  });
  it("Mood's median test is antisymmetric", () => {
    const a = [1, 2, 3, 4, 10];
    const b = [5, 6, 7, 8, 9, 11];
    expect(moodMedianTest(a, b).z!).toBeCloseTo(-moodMedianTest(b, a).z!, 12);
  });
});
