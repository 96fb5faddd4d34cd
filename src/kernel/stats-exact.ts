/**
 * Exact and distribution-free methods for counts and order statistics: binomial tail probabilities,
 * the order-statistic (binomial) interval for a quantile, the exact (Garwood) Poisson interval, the
 * exact conditional test of two Poisson rates and Mood's median test.
 */
import { gammaP } from './models/special.js';
import { incompleteBeta, quantileSorted, twoProportionZTest, type Interval } from './stats.js';

/** P(B ≤ k) for B ~ Binomial(n, q). */
export function binomialCdf(k: number, n: number, q: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return incompleteBeta(1 - q, n - k, k + 1);
}

/** P(B ≥ k) for B ~ Binomial(n, q), computed directly (no 1 − cdf cancellation). */
export function binomialSf(k: number, n: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return incompleteBeta(q, k, n - k + 1);
}

/**
 * Distribution-free confidence interval for the q-quantile of an ascending-sorted sample: the order
 * statistics [x(l), x(u)] with l the largest rank where P(B ≤ l − 1) ≤ α/2 and u the smallest rank
 * where P(B ≤ u − 1) ≥ 1 − α/2, B ~ Binomial(n, q); coverage P(l ≤ B ≤ u − 1) ≥ level. Null when the
 * sample is too small for any pair of order statistics to reach the level (e.g. n < 6 for the median).
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, level = 0.95): Interval | null {
  const n = sorted.length;
  if (n === 0 || !(q > 0 && q < 1)) return null;
  const a = (1 - level) / 2;
  if (binomialCdf(0, n, q) > a) return null;
  // largest l in 1..n with cdf(l − 1) ≤ a (cdf increasing in k)
  let lo = 1;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, q) <= a) lo = mid;
    else hi = mid - 1;
  }
  const l = lo;
  if (binomialCdf(n - 1, n, q) < 1 - a) return null;
  // smallest u in 1..n with cdf(u − 1) ≥ 1 − a
  lo = 1;
  hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, q) >= 1 - a) hi = mid;
    else lo = mid + 1;
  }
  return [sorted[l - 1], sorted[lo - 1]];
}


/** x with P(a, x) = p, by bisection. */
export function gammaQuantile(p: number, a: number): number {
  let lo = 0;
  let hi = a + 20 * Math.sqrt(a) + 20;
  while (gammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact (Garwood) 95% interval for a Poisson mean from one observed count x: [G⁻¹(α/2; x), G⁻¹(1 − α/2; x + 1)]. */
export function poissonInterval(x: number, level = 0.95): Interval {
  const a = (1 - level) / 2;
  return [x === 0 ? 0 : gammaQuantile(a, x), gammaQuantile(1 - a, x + 1)];
}

/**
 * Exact conditional test for two Poisson counts x1 (exposure t1) and x2 (exposure t2): given N = x1 + x2,
 * x2 ~ Binomial(N, t2/(t1 + t2)) under equal rates; two-sided p by doubling the smaller tail. The
 * statistic is the standardised z = (x2 − N·p0)/√(N·p0·(1 − p0)).
 */
export function poissonRateTest(x1: number, t1: number, x2: number, t2: number): { z: number | null; p: number | null } {
  const n = x1 + x2;
  if (n === 0 || !(t1 > 0 && t2 > 0)) return { z: null, p: null };
  const p0 = t2 / (t1 + t2);
  const z = (x2 - n * p0) / Math.sqrt(n * p0 * (1 - p0));
  const p = Math.min(1, 2 * Math.min(binomialCdf(x2, n, p0), binomialSf(x2, n, p0)));
  return { z: Number.isFinite(z) ? z : null, p: Number.isFinite(p) ? p : null };
}

/** Mood's median test as a two-proportion z-test on the share above the pooled median (z > 0: current higher). */
export function moodMedianTest(previous: ArrayLike<number>, current: ArrayLike<number>): { z: number | null; p: number | null } {
  if (previous.length === 0 || current.length === 0) return { z: null, p: null };
  const pooled = Float64Array.from([...Array.from(previous), ...Array.from(current)]).sort();
  const m = quantileSorted(pooled, 0.5);
  let a = 0;
  let b = 0;
  for (let i = 0; i < previous.length; i++) if (previous[i] > m) a++;
  for (let i = 0; i < current.length; i++) if (current[i] > m) b++;
  const t = twoProportionZTest(a, previous.length, b, current.length);
  return { z: Number.isFinite(t.z) ? t.z : null, p: Number.isFinite(t.p) ? t.p : null };
}
