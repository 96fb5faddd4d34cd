/**
 * Relative importance of the predictors of a linear regression, from their pooled cross-products:
 * LMG (the Shapley decomposition of R²; Lindeman, Merenda & Gold 1980; Grömping 2006), exact over
 * all 2^p subsets with an incremental Cholesky factor, and Johnson's (2000) relative weights
 * through the eigendecomposition of the predictors' correlation matrix. Used by the key-drivers
 * analysis (metrics/drivers/).
 */
export interface Moments {
  /** sum of the weights (number of cases) */
  n: number;
  means: Float64Array;
  sds: Float64Array;
  /** correlation matrix of the k columns (NaN where a column is constant) */
  r: Float64Array[];
}

/**
 * Means, standard deviations and correlations of k columns stored row-major in `data`
 * (row i holds columns k·i … k·i + k − 1), each row counted `weights[i]` times (default once).
 * Two passes: means first, then centred cross-products.
 */
export function moments(data: Float64Array, k: number, weights?: ArrayLike<number>): Moments {
  const rows = data.length / k;
  const means = new Float64Array(k);
  let n = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    n += w;
    const o = i * k;
    for (let a = 0; a < k; a++) means[a] += w * data[o + a];
  }
  for (let a = 0; a < k; a++) means[a] /= n;
  const s = new Float64Array(k * k);
  const d = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    const o = i * k;
    for (let a = 0; a < k; a++) d[a] = data[o + a] - means[a];
    for (let a = 0; a < k; a++) {
      const wa = w * d[a];
      for (let b = a; b < k; b++) s[a * k + b] += wa * d[b];
    }
  }
  const sds = new Float64Array(k);
  for (let a = 0; a < k; a++) sds[a] = Math.sqrt(s[a * k + a] / (n - 1));
  const r = Array.from({ length: k }, () => new Float64Array(k));
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const v = a === b ? 1 : s[a * k + b] / Math.sqrt(s[a * k + a] * s[b * k + b]);
      r[a][b] = r[b][a] = s[a * k + a] > 0 && s[b * k + b] > 0 ? v : Number.NaN;
    }
  }
  return { n, means, sds, r };
}

/**
 * R² of every subset of the p predictors (index: bitmask of the subset) from their correlation
 * matrix `rxx` and their correlations `rxy` with the response: R²(S) = r_S' R_SS⁻¹ r_S. The
 * subsets are walked depth first, each extending its parent's Cholesky factor by one row, so
 * R²(S ∪ {j}) = R²(S) + z_j² with z the forward-substituted r_S. Null when a subset's matrix is
 * (numerically) singular: a driver is a linear combination of others.
 */
export function subsetR2(rxx: ArrayLike<number>[], rxy: ArrayLike<number>): Float64Array | null {
  const p = rxy.length;
  const out = new Float64Array(2 ** p);
  const L = Array.from({ length: p }, () => new Float64Array(p));
  const diag = new Float64Array(p);
  const z = new Float64Array(p);
  const path = new Int32Array(p);
  let singular = false;
  const visit = (mask: number, depth: number, start: number, r2: number): void => {
    for (let j = start; j < p && !singular; j++) {
      const row = L[depth];
      const rj = rxx[j];
      for (let k = 0; k < depth; k++) {
        let s = rj[path[k]];
        const lk = L[k];
        for (let m = 0; m < k; m++) s -= row[m] * lk[m];
        row[k] = s / diag[k];
      }
      let d = rj[j];
      let zz = rxy[j];
      for (let k = 0; k < depth; k++) {
        d -= row[k] * row[k];
        zz -= row[k] * z[k];
      }
      if (!(d > 1e-10 * rj[j])) {
        singular = true;
        return;
      }
      const dj = Math.sqrt(d);
      zz /= dj;
      diag[depth] = dj;
      z[depth] = zz;
      path[depth] = j;
      const next = mask | (1 << j);
      out[next] = r2 + zz * zz;
      visit(next, depth + 1, j + 1, out[next]);
    }
  };
  visit(0, 0, 0, 0);
  return singular ? null : out;
}

/**
 * Shapley values of a set function given on all subsets (`v[mask]`, v(∅) = 0): each player's
 * marginal contribution v(S ∪ {j}) − v(S) weighted by |S|!(p − |S| − 1)!/p!, i.e. averaged over
 * all p! orders. They sum to v(all players).
 */
export function shapleyValues(v: Float64Array, p: number): Float64Array {
  const weight = new Float64Array(p);
  for (let s = 0; s < p; s++) weight[s] = 1 / (p * binomial(p - 1, s));
  const phi = new Float64Array(p);
  for (let mask = 0; mask < v.length; mask++) {
    const w = weight[popcount(mask)] ?? 0;
    for (let j = 0; j < p; j++) {
      const bit = 1 << j;
      if (mask & bit) continue;
      phi[j] += w * (v[mask | bit] - v[mask]);
    }
  }
  return phi;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

function popcount(x: number): number {
  let c = 0;
  for (let y = x; y; y &= y - 1) c++;
  return c;
}

/** LMG: the Shapley decomposition of the full model's R² (raw contributions; they sum to R²). */
export function lmg(rxx: ArrayLike<number>[], rxy: ArrayLike<number>): { r2: number; lmg: Float64Array } | null {
  const v = subsetR2(rxx, rxy);
  if (!v) return null;
  return { r2: v[v.length - 1], lmg: shapleyValues(v, rxy.length) };
}

/**
 * Eigendecomposition of a symmetric matrix by cyclic Jacobi rotations: `values[m]` with its unit
 * eigenvector in column m of `vectors` (`vectors[i][m]`).
 */
export function symmetricEigen(matrix: ArrayLike<number>[]): { values: Float64Array; vectors: Float64Array[] } {
  const n = matrix.length;
  const a = Array.from({ length: n }, (_, i) => Float64Array.from(matrix[i]));
  const v = Array.from({ length: n }, (_, i) => {
    const row = new Float64Array(n);
    row[i] = 1;
    return row;
  });
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let scale = 0;
    for (let i = 0; i < n; i++) {
      scale += a[i][i] * a[i][i];
      for (let j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
    }
    if (off <= 1e-30 * scale) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p][q];
        if (apq === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: Float64Array.from(a, (row, i) => row[i]), vectors: v };
}

/**
 * Johnson's (2000) relative weights: with R = V diag(λ) V', Λ = R^½ = V diag(√λ) V' (the
 * correlations of the drivers with their orthogonal counterparts Z) and β = R^−½ r_xy (the
 * answer regressed on Z), the weight of driver j is Σ_k Λ_jk² β_k². The weights sum to R².
 */
export function relativeWeights(rxx: ArrayLike<number>[], rxy: ArrayLike<number>): Float64Array {
  const p = rxy.length;
  const { values, vectors } = symmetricEigen(rxx);
  const half = Array.from({ length: p }, () => new Float64Array(p));
  const vr = new Float64Array(p); // V' r_xy
  for (let m = 0; m < p; m++) for (let l = 0; l < p; l++) vr[m] += vectors[l][m] * rxy[l];
  const beta = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let m = 0; m < p; m++) s += vectors[j][m] * Math.sqrt(Math.max(values[m], 0)) * vectors[k][m];
      half[j][k] = s;
    }
    let b = 0;
    for (let m = 0; m < p; m++) b += (vectors[j][m] * vr[m]) / Math.sqrt(values[m]);
    beta[j] = b;
  }
  const eps = new Float64Array(p);
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) eps[j] += half[j][k] * half[j][k] * beta[k] * beta[k];
  return eps;
}

// ---------------------------------------------------------------------------------------------
// One analysis: point estimates and the bootstrap
// ---------------------------------------------------------------------------------------------

export interface DriverFit {
  n: number;
  r2: number;
  /** LMG contributions (sum r2) */
  lmg: Float64Array;
  /** Johnson's relative weights (sum r2) */
  weights: Float64Array;
  /** correlation of each driver with the answer */
  r: Float64Array;
  /** mean of each driver */
  means: Float64Array;
}

/** Why a fit is impossible: a constant column (0 = the answer, j + 1 = driver j) or collinear drivers. */
export type FitProblem = { kind: 'constant'; column: number } | { kind: 'collinear' };

/** The fit of rows laid out [y, x1 … xp] (row-major), optionally frequency-weighted. */
export function fitDrivers(data: Float64Array, p: number, weights?: ArrayLike<number>): DriverFit | FitProblem {
  const k = p + 1;
  const m = moments(data, k, weights);
  for (let a = 0; a < k; a++) if (!(m.sds[a] > 0)) return { kind: 'constant', column: a };
  const rxx = m.r.slice(1).map((row) => row.subarray(1));
  const rxy = Float64Array.from({ length: p }, (_, j) => m.r[0][j + 1]);
  const l = lmg(rxx, rxy);
  if (!l) return { kind: 'collinear' };
  return { n: m.n, r2: l.r2, lmg: l.lmg, weights: relativeWeights(rxx, rxy), r: rxy, means: m.means.subarray(1) };
}

export function isFit(f: DriverFit | FitProblem): f is DriverFit {
  return (f as DriverFit).lmg !== undefined;
}
