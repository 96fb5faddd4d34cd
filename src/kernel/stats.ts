/**
 * Pure statistics used by every cxreport metric: normal and Student t distributions,
 * proportion and NPS intervals, mean/t intervals, Welch's test and multiplicity adjustments.
 *
 * Conventions: functions never throw on bad or degenerate input; where a statistic is undefined
 * (n = 0, n = 1 for a variance, zero standard error, …) they return NaN. Infinity appears only where
 * it is the exact mathematical answer and is documented (quantiles at p = 0 or 1, CDFs at ±Infinity).
 */

/** Two-sided 95% standard-normal critical value, rounded to 6 decimals (as used in published tables). */
export const Z95 = 1.959964;

/** A closed interval [lower, upper]. */
export type Interval = [number, number];

const NAN_INTERVAL = (): Interval => [Number.NaN, Number.NaN];

// ---------------------------------------------------------------------------------------------
// Normal distribution
// ---------------------------------------------------------------------------------------------

/** 1/sqrt(pi). */
const INV_SQRT_PI = 0.56418958354775628695;
const SQRT_2PI = 2.5066282746310005024;

// W. J. Cody (1969), "Rational Chebyshev approximations for the error function", as in CALERF.
const ERF_A = [3.1611237438705656, 113.86415415105016, 377.485237685302, 3209.3775891384694, 0.18577770618460315];
const ERF_B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const ERF_C = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.635138197400131, 881.952221241769090,
  1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8,
];
const ERF_D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
const ERF_P = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 6.5874916152983678e-4,
  0.016315387137302097,
];
const ERF_Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514284, 0.06051834131244132, 0.0023352049762686918];

/** exp(-y*y) computed without the rounding error of squaring y (Cody's splitting trick). */
function expMinusSquare(y: number): number {
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  return Math.exp(-ysq * ysq) * Math.exp(-del);
}

/** Complementary error function erfc(x) (Cody's rational approximations, ~1e-16 relative). */
function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) {
    const ysq = y > 1.11e-16 ? y * y : 0;
    let xnum = ERF_A[4]! * ysq;
    let xden = ysq;
    for (let i = 0; i < 3; i++) {
      xnum = (xnum + ERF_A[i]!) * ysq;
      xden = (xden + ERF_B[i]!) * ysq;
    }
    return 1 - (x * (xnum + ERF_A[3]!)) / (xden + ERF_B[3]!);
  } else if (y <= 4) {
    let xnum = ERF_C[8]! * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + ERF_C[i]!) * y;
      xden = (xden + ERF_D[i]!) * y;
    }
    result = ((xnum + ERF_C[7]!) / (xden + ERF_D[7]!)) * expMinusSquare(y);
  } else if (y >= 26.7) {
    result = 0;
  } else {
    const ysq = 1 / (y * y);
    let xnum = ERF_P[5]! * ysq;
    let xden = ysq;
    for (let i = 0; i < 4; i++) {
      xnum = (xnum + ERF_P[i]!) * ysq;
      xden = (xden + ERF_Q[i]!) * ysq;
    }
    const r = (ysq * (xnum + ERF_P[4]!)) / (xden + ERF_Q[4]!);
    result = ((INV_SQRT_PI - r) / y) * expMinusSquare(y);
  }
  return x < 0 ? 2 - result : result;
}

/** Standard normal CDF Φ(x), via Cody's erfc (~1e-15 relative, also deep in the lower tail). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Standard normal density φ(x). */
function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_2PI;
}

// P. J. Acklam's rational approximation to the normal quantile (relative error < 1.15e-9).
const ACK_A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const ACK_B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const ACK_C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACK_D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Acklam's approximation for 0 < p <= 0.5 (returns a value <= 0). */
function acklamLower(p: number): number {
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((ACK_C[0]! * q + ACK_C[1]!) * q + ACK_C[2]!) * q + ACK_C[3]!) * q + ACK_C[4]!) * q + ACK_C[5]!) /
      ((((ACK_D[0]! * q + ACK_D[1]!) * q + ACK_D[2]!) * q + ACK_D[3]!) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((ACK_A[0]! * r + ACK_A[1]!) * r + ACK_A[2]!) * r + ACK_A[3]!) * r + ACK_A[4]!) * r + ACK_A[5]!) * q) /
    (((((ACK_B[0]! * r + ACK_B[1]!) * r + ACK_B[2]!) * r + ACK_B[3]!) * r + ACK_B[4]!) * r + 1)
  );
}

/**
 * Inverse standard normal CDF Φ⁻¹(p): Acklam's approximation refined by Halley steps on Cody's Φ
 * (~1e-15 relative). Returns -Infinity at p = 0, +Infinity at p = 1 (exact limits), NaN outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Work in the lower half, where p is represented with full relative precision; 1 - p is exact for p >= 0.5.
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklamLower(p);
  for (let i = 0; i < 2; i++) {
    const e = normalCdf(x) - p;
    const u = e / normalPdf(x);
    if (!Number.isFinite(u)) break;
    x = x - u / (1 + (x * u) / 2);
  }
  return x;
}

/** Two-sided p-value 2·Φ(−|z|) for a z statistic; NaN for NaN. */
export function twoSidedP(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

// ---------------------------------------------------------------------------------------------
// Gamma / beta functions
// ---------------------------------------------------------------------------------------------

// Lanczos approximation, g = 7, n = 9 (relative error ~1e-15).
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LN_SQRT_2PI = 0.91893853320467274178;

/** log Γ(x) for x > 0 (Lanczos; reflection below 0.5). */
function lgamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + LANCZOS_G + 0.5;
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i]! / (z + i);
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Stirling-series correction δ(x) = lgamma(x) − [(x−½)ln x − x + ½ln 2π], for x >= 10. */
function lgammaCorrection(x: number): number {
  const r = 1 / x;
  const r2 = r * r;
  return (
    r *
    (1 / 12 +
      r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))))
  );
}

/** log B(a, b), avoiding cancellation between large log-gammas (as in R's lbeta). */
function logBeta(a: number, b: number): number {
  const p = Math.min(a, b);
  const q = Math.max(a, b);
  if (p >= 10) {
    const corr = lgammaCorrection(p) + lgammaCorrection(q) - lgammaCorrection(p + q);
    return -0.5 * Math.log(q) + LN_SQRT_2PI + corr + (p - 0.5) * Math.log(p / (p + q)) + q * Math.log1p(-p / (p + q));
  }
  if (q >= 10) {
    const corr = lgammaCorrection(q) - lgammaCorrection(p + q);
    return lgamma(p) + corr + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-p / (p + q));
  }
  return lgamma(p) + lgamma(q) - lgamma(p + q);
}

const CF_EPS = 1e-16;
const CF_FPMIN = 1e-300;
const CF_MAXIT = 20000;

/** Continued fraction for the incomplete beta (Numerical Recipes betacf, modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < CF_FPMIN) d = CF_FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= CF_MAXIT; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_FPMIN) d = CF_FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_FPMIN) c = CF_FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < CF_FPMIN) d = CF_FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < CF_FPMIN) c = CF_FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < CF_EPS) break;
  }
  return h;
}

/**
 * I_x(a, b) given both x and y = 1 − x (callers that know y more accurately than 1 − x pass it, and may
 * pass log x when x itself underflows). Returns [I_x(a,b), 1 − I_x(a,b)], the small one computed directly.
 */
function incompleteBetaPair(x: number, y: number, a: number, b: number, logXGiven?: number): [number, number] {
  if (x <= 0 && logXGiven === undefined) return [0, 1];
  if (y <= 0) return [1, 0];
  // log x and log y via log1p of the smaller one, so x near 1 (or y near 1) keeps full relative precision.
  const logX = logXGiven ?? (x > 0.5 ? Math.log1p(-y) : Math.log(x));
  const logY = y > 0.5 ? Math.log1p(-x) : Math.log(y);
  const logFront = a * logX + b * logY - logBeta(a, b);
  const front = Math.exp(logFront);
  if (x < (a + 1) / (a + b + 2)) {
    const v = (front * betaContinuedFraction(x, a, b)) / a;
    return [v, 1 - v];
  }
  const w = (front * betaContinuedFraction(y, b, a)) / b;
  return [1 - w, w];
}

/**
 * Regularized incomplete beta I_x(a, b) for 0 <= x <= 1, a > 0, b > 0 (NR continued fraction,
 * Lanczos/Stirling log-beta). NaN for invalid arguments.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (![x, a, b].every(Number.isFinite) || a <= 0 || b <= 0 || x < 0 || x > 1) return Number.NaN;
  return incompleteBetaPair(x, 1 - x, a, b)[0];
}

// ---------------------------------------------------------------------------------------------
// Student t distribution
// ---------------------------------------------------------------------------------------------

/** log(1 + s²/df), written so that s² never overflows. */
function log1pSquareOver(s: number, df: number): number {
  return s * s < df ? Math.log1p((s * s) / df) : 2 * Math.log(s) - Math.log(df) + Math.log1p(df / s / s);
}

/**
 * Above this many degrees of freedom the beta continued fraction (x ≈ 1, huge a) loses digits, and
 * Hill's (1970, CACM Algorithm 395) normalizing expansion is accurate to ~1e-13 relative instead.
 */
const HILL_DF = 4e4;

/** Upper tail P(T > s) for s >= 0, accurate in relative terms far into the tail. */
function studentTUpper(s: number, df: number): number {
  if (s === Infinity) return 0;
  if (df > HILL_DF) {
    const a = df - 0.5;
    const b = 48 * a * a;
    const y = a * log1pSquareOver(s, df);
    const z = (((((-0.4 * y - 3.3) * y - 24) * y - 85.5) / (0.8 * y * y + 100 + b) + y + 3) / b + 1) * Math.sqrt(y);
    return normalCdf(-z);
  }
  // x = df/(df+t²) and y = t²/(df+t²) are each computed directly (no 1 − x cancellation, no overflow of t²).
  if (s * s < df) {
    const t2 = s * s;
    return 0.5 * incompleteBetaPair(df / (df + t2), t2 / (df + t2), df / 2, 0.5)[0];
  }
  const r = df / s / s; // may underflow for huge s, so log x is passed separately
  const logX = Math.log(df) - 2 * Math.log(s) - Math.log1p(r);
  return 0.5 * incompleteBetaPair(r / (1 + r), 1 / (1 + r), df / 2, 0.5, logX)[0];
}

/** Student t density. */
function studentTPdf(t: number, df: number): number {
  const log1pT2 = log1pSquareOver(Math.abs(t), df);
  return Math.exp(-logBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * log1pT2);
}

/** Student t CDF P(T <= t) with df > 0 degrees of freedom (df may be non-integer, e.g. Welch; Infinity → normal). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df) || df <= 0) return Number.NaN;
  if (df === Infinity) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const upper = studentTUpper(Math.abs(t), df);
  return t < 0 ? upper : 1 - upper;
}

/** Finds s > 0 with P(T > s) = q (0 < q < 0.5) by safeguarded Newton on log P(T > s). */
function studentTUpperQuantile(q: number, df: number): number {
  if (df === 1) return 1 / Math.tan(Math.PI * q); // Cauchy: exact
  if (df === 2) return (1 - 2 * q) / Math.sqrt(2 * q * (1 - q)); // closed form for df = 2
  // Starting point: Cornish–Fisher expansion around the normal quantile.
  const z = -normalQuantile(q);
  const z3 = z * z * z;
  let s = z + (z3 + z) / (4 * df) + (5 * z3 * z * z + 16 * z3 + 3 * z) / (96 * df * df);
  if (!(s > 0) || !Number.isFinite(s)) s = z > 0 ? z : 1;
  // Bracket [lo, hi] with upper(lo) >= q > upper(hi).
  let lo = 0;
  let hi = s;
  let guard = 0;
  while (studentTUpper(hi, df) > q && guard++ < 2100) {
    lo = hi;
    hi *= 2;
  }
  if (!Number.isFinite(hi)) return Infinity; // the quantile exceeds the double range
  const logQ = Math.log(q);
  s = Math.min(Math.max(s, lo), hi);
  for (let i = 0; i < 400; i++) {
    const up = studentTUpper(s, df);
    if (up === q) return s;
    if (up > q) lo = s;
    else hi = s;
    const dens = studentTPdf(s, df);
    let next = s + ((Math.log(up) - logQ) * up) / dens;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) {
      next = lo > 0 && hi / lo > 4 ? Math.sqrt(lo * hi) : 0.5 * (lo + hi);
    }
    if (Math.abs(next - s) <= 1e-15 * Math.max(1, s)) return next;
    if (hi - lo <= 4e-16 * hi) return 0.5 * (lo + hi);
    s = next;
  }
  return s;
}

/**
 * Student t quantile: t with P(T <= t) = p (safeguarded Newton to ~1e-14 relative; exact for df 1 and 2).
 * Returns ∓Infinity at p = 0 / 1 (exact limits) or when |t| overflows the double range (only for df < 2 and
 * p < ~1e-150); NaN for p outside [0, 1] or df <= 0.
 */
export function studentTQuantile(p: number, df: number): number {
  if (Number.isNaN(p) || Number.isNaN(df) || p < 0 || p > 1 || df <= 0) return Number.NaN;
  if (df === Infinity) return normalQuantile(p);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTUpperQuantile(p, df);
  return studentTUpperQuantile(1 - p, df);
}

// ---------------------------------------------------------------------------------------------
// Proportions and NPS
// ---------------------------------------------------------------------------------------------

function isCount(x: number): boolean {
  return Number.isFinite(x) && x >= 0;
}

/**
 * Wilson score interval for successes/n, as shares in [0, 1]: centre (p + z²/2n)/(1 + z²/n),
 * half-width z·sqrt(p(1−p)/n + z²/4n²)/(1 + z²/n). [NaN, NaN] when n = 0 or inputs are invalid.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z95): Interval {
  if (!isCount(successes) || !isCount(n) || n === 0 || successes > n || !Number.isFinite(z) || z < 0) {
    return NAN_INTERVAL();
  }
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  const lo = successes === 0 ? 0 : Math.max(0, centre - half);
  const hi = successes === n ? 1 : Math.min(1, centre + half);
  return [lo, hi];
}

/**
 * Two-proportion z-test with pooled proportion, H0: p1 = p2. z is positive when x2/n2 > x1/n1;
 * p is two-sided. NaN when undefined (n = 0, invalid counts, or pooled proportion 0 or 1).
 */
export function twoProportionZTest(x1: number, n1: number, x2: number, n2: number): { z: number; p: number } {
  const nan = { z: Number.NaN, p: Number.NaN };
  if (![x1, n1, x2, n2].every(isCount) || n1 === 0 || n2 === 0 || x1 > n1 || x2 > n2) return nan;
  const pooled = (x1 + x2) / (n1 + n2);
  if (pooled <= 0 || pooled >= 1) return nan;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  const z = (x2 / n2 - x1 / n1) / se;
  return { z, p: twoSidedP(z) };
}

/**
 * NPS from counts: value = 100·(P − D) in points (−100..100); SE in points from the trinomial variance
 * (P + D − (P − D)²)/n; Wald CI value ± z·SE clipped to [−100, 100]. NaN fields when n = 0 or counts invalid.
 */
export function npsEstimate(
  promoters: number,
  passives: number,
  detractors: number,
  z: number = Z95,
): { value: number; se: number; ci: Interval; n: number } {
  const n = promoters + passives + detractors;
  if (![promoters, passives, detractors].every(isCount) || !Number.isFinite(z) || z < 0) {
    return { value: Number.NaN, se: Number.NaN, ci: NAN_INTERVAL(), n: Number.isFinite(n) ? n : Number.NaN };
  }
  if (n === 0) return { value: Number.NaN, se: Number.NaN, ci: NAN_INTERVAL(), n: 0 };
  const pShare = promoters / n;
  const dShare = detractors / n;
  const diff = pShare - dShare;
  const variance = Math.max(0, pShare + dShare - diff * diff) / n;
  const value = 100 * diff;
  const se = 100 * Math.sqrt(variance);
  const ci: Interval = [Math.max(-100, value - z * se), Math.min(100, value + z * se)];
  return { value, se, ci, n };
}

/**
 * z-test for the change between two independent NPS estimates: z = (v2 − v1)/sqrt(se1² + se2²), two-sided p.
 * NaN when either input is not finite or both SEs are zero.
 */
export function npsChangeTest(
  a: { value: number; se: number },
  b: { value: number; se: number },
): { z: number; p: number } {
  const nan = { z: Number.NaN, p: Number.NaN };
  if (![a.value, a.se, b.value, b.se].every(Number.isFinite) || a.se < 0 || b.se < 0) return nan;
  const s = Math.sqrt(a.se * a.se + b.se * b.se);
  if (s === 0) return nan;
  const z = (b.value - a.value) / s;
  return { z, p: twoSidedP(z) };
}

// ---------------------------------------------------------------------------------------------
// Means
// ---------------------------------------------------------------------------------------------

/** Dekker's exact product: returns [hi, lo] with hi + lo === a·b exactly (barring over/underflow). */
function twoProduct(a: number, b: number): [number, number] {
  const hi = a * b;
  const SPLIT = 134217729; // 2^27 + 1
  const ca = SPLIT * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = SPLIT * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  const lo = ah * bh - hi + ah * bl + al * bh + al * bl;
  return [hi, lo];
}

/** Centred sum of squares sumSq − sum²/n, with sum²/n evaluated in double-double to avoid cancellation. */
function centredSumSquares(n: number, sum: number, sumSq: number): number {
  const [sh, sl] = twoProduct(sum, sum); // sum² = sh + sl exactly
  const q = sh / n;
  const [qh, ql] = twoProduct(q, n); // q·n = qh + ql exactly
  const r = (sh - qh - ql + sl) / n; // sum²/n ≈ q + r
  return sumSq - q - r;
}

/**
 * Mean, sample SD/variance, SE and t-based CI (two-sided, confidence `level`, default 0.95) from the
 * sufficient statistics n, Σx and Σx². sd/variance/se/ci are NaN for n < 2; everything NaN for n = 0.
 */
export function meanEstimate(
  n: number,
  sum: number,
  sumSq: number,
  level = 0.95,
): { mean: number; sd: number; variance: number; se: number; ci: Interval; n: number } {
  const nan = Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || !Number.isFinite(sum) || !Number.isFinite(sumSq)) {
    return { mean: nan, sd: nan, variance: nan, se: nan, ci: NAN_INTERVAL(), n: Number.isFinite(n) ? n : nan };
  }
  const mean = sum / n;
  if (n < 2) return { mean, sd: nan, variance: nan, se: nan, ci: NAN_INTERVAL(), n };
  const variance = Math.max(0, centredSumSquares(n, sum, sumSq)) / (n - 1);
  const sd = Math.sqrt(variance);
  const se = sd / Math.sqrt(n);
  let ci: Interval = NAN_INTERVAL();
  if (level > 0 && level < 1) {
    const tq = studentTQuantile(0.5 + level / 2, n - 1);
    ci = [mean - tq * se, mean + tq * se];
  }
  return { mean, sd, variance, se, ci, n };
}

/**
 * Welch's unequal-variance t-test from summary statistics (Welch–Satterthwaite df); t is positive when
 * b.mean > a.mean; p two-sided. NaN when a group has n < 2, a variance is invalid, or both variances are 0.
 */
export function welchTTest(
  a: { n: number; mean: number; variance: number },
  b: { n: number; mean: number; variance: number },
): { t: number; df: number; p: number } {
  const nan = { t: Number.NaN, df: Number.NaN, p: Number.NaN };
  const vals = [a.n, a.mean, a.variance, b.n, b.mean, b.variance];
  if (!vals.every(Number.isFinite) || a.n < 2 || b.n < 2 || a.variance < 0 || b.variance < 0) return nan;
  const ua = a.variance / a.n;
  const ub = b.variance / b.n;
  const s2 = ua + ub;
  if (!(s2 > 0)) return nan;
  const t = (b.mean - a.mean) / Math.sqrt(s2);
  const df = (s2 * s2) / ((ua * ua) / (a.n - 1) + (ub * ub) / (b.n - 1));
  if (!Number.isFinite(t) || !Number.isFinite(df)) return nan;
  const p = Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
  return { t, df, p };
}

// ---------------------------------------------------------------------------------------------
// Multiplicity
// ---------------------------------------------------------------------------------------------

/** Indices of the finite entries of p, sorted by ascending p. */
function sortedFiniteIndices(p: number[]): number[] {
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) if (!Number.isNaN(p[i]!)) idx.push(i);
  return idx.sort((i, j) => p[i]! - p[j]!);
}

/**
 * Benjamini–Hochberg adjusted p-values, in input order; monotone in the raw p and capped at 1.
 * NaN entries stay NaN and do not count towards m (as R's p.adjust).
 */
export function benjaminiHochberg(p: number[]): number[] {
  const out = p.map(() => Number.NaN);
  const idx = sortedFiniteIndices(p);
  const m = idx.length;
  let running = 1;
  for (let k = m - 1; k >= 0; k--) {
    const i = idx[k]!;
    running = Math.min(running, (m / (k + 1)) * p[i]!);
    out[i] = running;
  }
  return out;
}

/**
 * Holm step-down adjusted p-values, in input order; capped at 1.
 * NaN entries stay NaN and do not count towards m (as R's p.adjust).
 */
export function holm(p: number[]): number[] {
  const out = p.map(() => Number.NaN);
  const idx = sortedFiniteIndices(p);
  const m = idx.length;
  let running = 0;
  for (let k = 0; k < m; k++) {
    const i = idx[k]!;
    running = Math.max(running, Math.min(1, (m - k) * p[i]!));
    out[i] = running;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Quantiles
// ---------------------------------------------------------------------------------------------

/** Quantile of an ascending-sorted array, R type 7 (linear interpolation); NaN for empty input or p ∉ [0, 1]. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0 || Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const xlo = sorted[lo]!;
  const frac = h - lo;
  if (frac === 0) return xlo;
  return xlo + frac * (sorted[hi]! - xlo);
}
