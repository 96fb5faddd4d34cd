/**
 * Special functions needed by the customer-base models: log-gamma (Lanczos), log-beta,
 * the Gauss hypergeometric function 2F1, log-sum-exp and the standard normal quantile.
 * Pure TypeScript, no dependencies.
 */

/**
 * Lanczos approximation with g = 7 and nine coefficients (the widely published set, e.g.
 * Numerical Recipes / Godfrey); relative error about 1e-15 for x ≥ 0.5.
 */
const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Natural log of |Γ(x)|. Uses the Lanczos series for x ≥ 0.5 and the reflection formula
 * Γ(x)Γ(1−x) = π / sin(πx) below that. Returns +Infinity at the poles (0, −1, −2, …).
 */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS_COEFFICIENTS[0]!;
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) sum += LANCZOS_COEFFICIENTS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  // Log form so that large x does not overflow t^(z+0.5).
  return HALF_LOG_TWO_PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Sign of Γ(x): +1 for x > 0, alternating between the negative poles; NaN at a pole. */
export function gammaSign(x: number): number {
  if (x > 0) return 1;
  if (Number.isInteger(x)) return NaN;
  // On (−k−1, −k) Γ has sign (−1)^(k+1).
  return Math.floor(x) % 2 === 0 ? 1 : -1;
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a+b), for a, b > 0. */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** ln(e^u + e^v) without overflow or needless underflow. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const m = Math.max(u, v);
  return m + Math.log1p(Math.exp(-Math.abs(u - v)));
}

/** Options for {@link hyp2f1}. */
export interface Hyp2f1Options {
  /** Relative accuracy target of the series (default 1e-15). */
  tolerance?: number;
  /** Give up (throw) after this many series terms (default 1e6). */
  maxTerms?: number;
}

/**
 * Gauss hypergeometric function ₂F₁(a, b; c; z) for real z < 1 (and z = 1 when c − a − b > 0).
 *
 * - 0 ≤ z ≤ 1 − 1e-4: the defining power series (at most a few hundred thousand terms); when
 *   c − a − b < 0 it is first rewritten by Euler's transformation
 *   ₂F₁(a,b;c;z) = (1−z)^(c−a−b) ₂F₁(c−a, c−b; c; z), whose terms stay bounded as z → 1 (the
 *   original terms grow like n^(a+b−c−1) before the geometric decay wins).
 * - 1 − 1e-4 < z < 1: the linear transformation to 1 − z (A&S 15.3.6), whose two series
 *   converge at once there. It is kept for this last stretch because with a large |c − a − b|
 *   its terms are huge and cancel; and where c − a − b is within 1e-6 of an integer (its two
 *   terms blow up) the value is interpolated in c across that integer.
 * - z < 0: Pfaff's transformation ₂F₁(a,b;c;z) = (1−z)^(−a) ₂F₁(a, c−b; c; z/(z−1)) maps the
 *   argument into (0, 1), avoiding an alternating series.
 * - z = 1: Gauss's theorem Γ(c)Γ(c−a−b) / (Γ(c−a)Γ(c−b)).
 *
 * The series stops when a geometric bound on the remaining tail is below the tolerance, so a
 * z close to 1 costs more terms rather than losing accuracy; it throws if maxTerms is reached.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, options: Hyp2f1Options = {}): number {
  const tolerance = options.tolerance ?? 1e-15;
  const maxTerms = options.maxTerms ?? 1_000_000;
  if (![a, b, c, z].every(Number.isFinite)) throw new RangeError('hyp2f1: arguments must be finite');
  if (c <= 0 && Number.isInteger(c)) throw new RangeError('hyp2f1: c must not be a non-positive integer');
  if (z > 1) throw new RangeError('hyp2f1: z > 1 is outside the supported domain');
  if (z === 0) return 1;
  if (z === 1) {
    const s = c - a - b;
    if (s <= 0) throw new RangeError('hyp2f1: diverges at z = 1 unless c − a − b > 0');
    const sign = gammaSign(c) * gammaSign(s) * gammaSign(c - a) * gammaSign(c - b);
    return sign * Math.exp(lgamma(c) + lgamma(s) - lgamma(c - a) - lgamma(c - b));
  }
  if (z < 0) {
    return Math.pow(1 - z, -a) * hyp2f1(a, c - b, c, z / (z - 1), options);
  }
  if (1 - z < 1e-4) {
    const s = c - a - b;
    const offInteger = s - Math.round(s);
    // Near an integer the transformation's two terms grow like 1/distance and cancel, costing
    // about ε/distance in accuracy; there, interpolate linearly between c − a − b = k ± h. The
    // interpolation error is about h²·ln²(1−z)/2, so h = 1e-6 balances the two near 1e-10.
    const h = 1e-6;
    if (Math.abs(offInteger) >= h) return linearTransformation(a, b, c, z, options);
    const cAtInteger = c - offInteger;
    const below = linearTransformation(a, b, cAtInteger - h, z, options);
    const above = linearTransformation(a, b, cAtInteger + h, z, options);
    return below + ((c - (cAtInteger - h)) / (2 * h)) * (above - below);
  }
  if (c - a - b < 0) {
    return Math.pow(1 - z, c - a - b) * (1 + seriesTail(c - a, c - b, c, z, tolerance, maxTerms, 'value'));
  }
  return 1 + seriesTail(a, b, c, z, tolerance, maxTerms, 'value');
}

/**
 * ₂F₁(a, b; c; z) − 1, keeping full relative accuracy when that difference is small (small z):
 * for 0 ≤ z ≤ ½, or wherever the plain power series is what {@link hyp2f1} would sum, the
 * series is summed without its leading 1; elsewhere it falls back to hyp2f1(…) − 1.
 */
export function hyp2f1m1(a: number, b: number, c: number, z: number, options: Hyp2f1Options = {}): number {
  if (![a, b, c, z].every(Number.isFinite)) throw new RangeError('hyp2f1: arguments must be finite');
  if (c <= 0 && Number.isInteger(c)) throw new RangeError('hyp2f1: c must not be a non-positive integer');
  if (z === 0) return 0;
  const directSeries = z > 0 && (z <= 0.5 || (c - a - b >= 0 && 1 - z >= 1e-4));
  if (!directSeries) return hyp2f1(a, b, c, z, options) - 1;
  return seriesTail(a, b, c, z, options.tolerance ?? 1e-15, options.maxTerms ?? 1_000_000, 'tail');
}

/**
 * A&S 15.3.6, for c − a − b = s not an integer:
 *   ₂F₁(a,b;c;z) = Γ(c)Γ(s)/(Γ(c−a)Γ(c−b)) · ₂F₁(a, b; 1−s; 1−z)
 *                + (1−z)^s Γ(c)Γ(−s)/(Γ(a)Γ(b)) · ₂F₁(c−a, c−b; 1+s; 1−z).
 */
function linearTransformation(a: number, b: number, c: number, z: number, options: Hyp2f1Options): number {
  const w = 1 - z;
  const s = c - a - b;
  const first = gammaRatio([c, s], [c - a, c - b]);
  const second = gammaRatio([c, -s], [a, b]);
  return (
    (first === 0 ? 0 : first * hyp2f1(a, b, 1 - s, w, options)) +
    (second === 0 ? 0 : Math.pow(w, s) * second * hyp2f1(c - a, c - b, 1 + s, w, options))
  );
}

/** Π Γ(numerator) / Π Γ(denominator), signed; 0 when a denominator argument is a pole of Γ. */
function gammaRatio(numerator: readonly number[], denominator: readonly number[]): number {
  if (denominator.some((v) => v <= 0 && Number.isInteger(v))) return 0;
  let logValue = 0;
  let sign = 1;
  for (const v of numerator) {
    logValue += lgamma(v);
    sign *= gammaSign(v);
  }
  for (const v of denominator) {
    logValue -= lgamma(v);
    sign *= gammaSign(v);
  }
  return sign * Math.exp(logValue);
}

/**
 * Power series Σ_{n≥1} (a)_n (b)_n / ((c)_n n!) zⁿ — ₂F₁ without its leading 1 — for 0 < z < 1,
 * stopped once a bound on the remaining terms is below the tolerance relative to the whole
 * value (1 + sum) or, for {@link hyp2f1m1}, to the sum itself.
 */
function seriesTail(a: number, b: number, c: number, z: number, tolerance: number, maxTerms: number, relativeTo: 'value' | 'tail'): number {
  let term = 1;
  let tail = 0;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    term *= ratio;
    tail += term;
    if (term === 0) return tail; // a or b is a non-positive integer: the series terminates.
    // Later ratios tend to z; bounding them by max(|ratio|, z) gives a geometric tail bound.
    const rho = Math.max(Math.abs(ratio), z);
    const scale = relativeTo === 'value' ? Math.abs(1 + tail) : Math.abs(tail);
    if (rho < 1 && Math.abs(term) * rho / (1 - rho) <= tolerance * scale) return tail;
  }
  throw new Error(`hyp2f1: series did not converge in ${maxTerms} terms (z = ${z})`);
}

/*
 * Coefficients of Acklam's rational approximation to the normal quantile (published by
 * P. J. Acklam, 2003); relative error below 1.2e-9 over (0, 1).
 */
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Horner evaluation of a polynomial with coefficients from the highest power down. */
function horner(coefficients: readonly number[], x: number): number {
  let value = 0;
  for (const coefficient of coefficients) value = value * x + coefficient;
  return value;
}

/**
 * Standard normal quantile Φ⁻¹(p) (Acklam's approximation, |relative error| < 1.2e-9), e.g.
 * normalQuantile(0.975) ≈ 1.959964.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    throw new RangeError('normalQuantile: p must be in [0, 1]');
  }
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return horner(ACKLAM_C, q) / (horner(ACKLAM_D, q) * q + 1);
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -horner(ACKLAM_C, q) / (horner(ACKLAM_D, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (horner(ACKLAM_A, r) * q) / (horner(ACKLAM_B, r) * r + 1);
}

/** Regularised upper incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  const lg = lgamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(-x + a * Math.log(x) - lg));
  }
  // Lentz's continued fraction for Q
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** Regularised lower incomplete gamma P(a, x) = 1 − Q(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  return 1 - gammaQ(a, x);
}
