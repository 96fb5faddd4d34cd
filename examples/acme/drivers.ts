/**
 * The key-driver questions of the flagship survey ("How satisfied are you with … ?", 0–10) and
 * their planted importance for the likelihood to recommend.
 *
 * Model. Each response's satisfaction noise ε ~ N(0, σ²) (generate.ts: RESPONSE_SD, drawn as
 * before, so NPS, CSAT and CES stay exactly as they were) is split into p driver experiences z
 * and a remainder: ε = Σ w_j z_j + e, e ~ N(0, σ² − w'Σw), where z ~ N(0, Σ) with unit
 * variances and correlation HALO between any two (a customer happy with one thing tends to be
 * happy with the others). The z are drawn given ε from a separate seeded stream, as
 * z = z⁰ + Σw (ε − ε⁰)/σ² with z⁰ ~ N(0, Σ), e⁰ drawn unconditionally and ε⁰ = w'z⁰ + e⁰ (the
 * exact conditional law), which is the same joint distribution as drawing the drivers first and
 * the score from them with weights w plus noise. A respondent rates driver j as
 * x_j = round(mean_j + SD·z_j), clamped to 0–10; a few ratings are left empty.
 *
 * Planted importance (`plantedShares`): the LMG shares of the population regression of the
 * latent satisfaction on the ratings x, from their population covariances — var and cov of the
 * ratings by numerical integration over the normal law (exact rounding and clamping),
 * cov(x_j, s) = cov(x_j, z_j) (Σw)_j — computed here with its own small linear algebra. The
 * NPS answer is a clamped, rounded read-out of s. The ratings' means sit inside the 0–10 scale so
 * that a rating is almost never at an end (a rating is then z plus rounding noise): with such
 * near-linear ratings the read-out leaves the shares as they are (a million simulated answers:
 * within 0.05 points), whereas 1–5 ratings with means near an end moved them by up to a point.
 *
 * Only plain arithmetic: the generator stays free of dependencies.
 */
import type { Rng } from './rng.js';

export interface DriverQuestion {
  column: string;
  /** weight w_j of the experience z_j in the response's satisfaction (units of the latent s) */
  weight: number;
  /** mean rating before rounding: the driver's "performance" */
  mean: number;
}

export const DRIVER_QUESTIONS: readonly DriverQuestion[] = [
  { column: 'onboarding', weight: 0.34, mean: 5.0 },
  { column: 'support', weight: 0.27, mean: 6.0 },
  { column: 'reliability', weight: 0.22, mean: 6.3 },
  { column: 'value', weight: 0.16, mean: 5.3 },
  { column: 'usability', weight: 0.11, mean: 6.6 },
];

/** Correlation between any two driver experiences (halo). */
export const HALO = 0.3;
/** Spread of a rating around its mean, in rating points per unit of z. */
export const DRIVER_SD = 1.3;
/** The rating scale. */
export const DRIVER_SCALE = [0, 10] as const;
/** Share of ratings left empty (question skipped), per driver. */
export const DRIVER_MISSING_RATE = 0.02;
/** Seed of the drivers' own stream, apart from the main generator's. */
export const DRIVER_SEED = 0xd21e_4e25;

const weights = DRIVER_QUESTIONS.map((q) => q.weight);
const sumW = weights.reduce((s, w) => s + w, 0);
/** Σw: the covariance of each experience with Σ w_k z_k */
const sigmaW = weights.map((w) => (1 - HALO) * w + HALO * sumW);
/** w'Σw: the variance of Σ w_k z_k */
const explained = weights.reduce((s, w, j) => s + w * sigmaW[j]!, 0);

/** A rating 0–10 from the experience z. */
export function rating(q: DriverQuestion, z: number): number {
  return Math.min(DRIVER_SCALE[1], Math.max(DRIVER_SCALE[0], Math.round(q.mean + DRIVER_SD * z)));
}

/**
 * The ratings of one response given its satisfaction noise ε (variance `sigma2`), drawn from
 * `rng` in a fixed order: p + 2 normals, then one skip draw per driver.
 */
export function driverRatings(rng: Rng, epsilon: number, sigma2: number): (number | null)[] {
  if (!(explained < sigma2)) throw new Error(`driver weights explain ${explained}, more than the noise variance ${sigma2}`);
  const common = rng.normal();
  const z0 = weights.map(() => Math.sqrt(HALO) * common + Math.sqrt(1 - HALO) * rng.normal());
  const e0 = rng.normal(0, Math.sqrt(sigma2 - explained));
  const eps0 = weights.reduce((s, w, j) => s + w * z0[j]!, e0);
  const ratings = DRIVER_QUESTIONS.map((q, j) => rating(q, z0[j]! + (sigmaW[j]! / sigma2) * (epsilon - eps0)));
  return ratings.map((r) => (rng.chance(DRIVER_MISSING_RATE) ? null : r));
}

// ---------------------------------------------------------------------------------------------
// The planted truth
// ---------------------------------------------------------------------------------------------

const STEP = 1e-3;
const density = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);

/** Standard normal CDF via erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

const LEVELS = Array.from({ length: DRIVER_SCALE[1] - DRIVER_SCALE[0] + 1 }, (_, i) => DRIVER_SCALE[0] + i);

/** P(rating of q = k | its experience z ~ N(μ, s²)), for each level k of the scale. */
function ratingProbabilities(q: DriverQuestion, mu: number, s: number): number[] {
  const cut = (k: number) => (k + 0.5 - q.mean) / DRIVER_SD; // rating ≤ k below this z
  const [lo, hi] = DRIVER_SCALE;
  return LEVELS.map((k) => (k === hi ? 1 : phi((cut(k) - mu) / s)) - (k === lo ? 0 : phi((cut(k - 1) - mu) / s)));
}

/** Population moments of the ratings: means, covariance matrix, and covariance with Σ w_k z_k. */
export function ratingMoments(): { means: number[]; cov: number[][]; withScore: number[] } {
  const p = DRIVER_QUESTIONS.length;
  const means = new Array<number>(p).fill(0);
  const second = new Array<number>(p).fill(0);
  const withZ = new Array<number>(p).fill(0);
  const cross = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const s = Math.sqrt(1 - HALO * HALO);
  for (let z = -9 + STEP / 2; z < 9; z += STEP) {
    const d = density(z) * STEP;
    DRIVER_QUESTIONS.forEach((qi, i) => {
      const x = rating(qi, z);
      means[i]! += x * d;
      second[i]! += x * x * d;
      withZ[i]! += x * z * d;
      // E[x_i x_j] = E[x_i(z) E[x_j | z_i = z]], z_j | z_i = z ~ N(HALO z, 1 − HALO²)
      DRIVER_QUESTIONS.forEach((qj, j) => {
        if (j <= i) return;
        const pr = ratingProbabilities(qj, HALO * z, s);
        cross[i]![j]! += x * pr.reduce((acc, v, k) => acc + LEVELS[k]! * v, 0) * d;
      });
    });
  }
  const cov = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? second[i]! - means[i]! ** 2 : cross[Math.min(i, j)]![Math.max(i, j)]! - means[i]! * means[j]!)));
  // z_k = R_jk z_j + independent part (jointly normal), so cov(x_j, z_k) = R_jk cov(x_j, z_j)
  const withScore = withZ.map((c, j) => c * sigmaW[j]!);
  return { means, cov, withScore };
}

/** b_S' C_SS⁻¹ b_S by Gaussian elimination (the explained variance of the regression on subset S). */
function explainedBy(cov: number[][], b: number[], subset: number[]): number {
  const m = subset.length;
  if (m === 0) return 0;
  const a = subset.map((i) => [...subset.map((j) => cov[i]![j]!), b[i]!]);
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = c + 1; r < m; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= m; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const beta = new Array<number>(m).fill(0);
  for (let r = m - 1; r >= 0; r--) {
    let v = a[r]![m]!;
    for (let k = r + 1; k < m; k++) v -= a[r]![k]! * beta[k]!;
    beta[r] = v / a[r]![r]!;
  }
  return subset.reduce((acc, i, k) => acc + b[i]! * beta[k]!, 0);
}

/**
 * The planted LMG share of each driver, in percent: each driver's gain in explained variance
 * averaged over all p! orders of entering the drivers (the orders enumerated one by one), as a
 * share of the full model's.
 */
export function plantedShares(): { column: string; share: number }[] {
  const { cov, withScore } = ratingMoments();
  const p = DRIVER_QUESTIONS.length;
  const memo = new Map<string, number>();
  const value = (subset: number[]) => {
    const key = [...subset].sort().join(',');
    let v = memo.get(key);
    if (v === undefined) memo.set(key, (v = explainedBy(cov, withScore, [...subset].sort())));
    return v;
  };
  const gains = new Array<number>(p).fill(0);
  let orders = 0;
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      orders++;
      prefix.forEach((j, k) => (gains[j]! += value(prefix.slice(0, k + 1)) - value(prefix.slice(0, k))));
      return;
    }
    rest.forEach((j, k) => permute([...prefix, j], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  permute([], DRIVER_QUESTIONS.map((_, j) => j));
  const total = value(DRIVER_QUESTIONS.map((_, j) => j));
  return DRIVER_QUESTIONS.map((q, j) => ({ column: q.column, share: (100 * gains[j]!) / orders / total }));
}
