/**
 * The log-rank test of K survival curves (R survival's survdiff, rho = 0), with frequency weights,
 * and the chi-square upper tail it is read from.
 */
import { gammaQ } from './special.js';

/** Upper tail of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

export interface LogRank {
  statistic: number;
  df: number;
  p: number;
  observed: number[];
  expected: number[];
}

/**
 * Log-rank test of K ≥ 2 groups (R survival's survdiff, rho = 0): at each event time with d events
 * among n at risk, group j expects d·n_j/n; U = O − E over the first K − 1 groups, with
 * hypergeometric covariance V_jk = d(n − d)/(n − 1)·(n_j/n)(δ_jk − n_k/n); χ² = Uᵀ V⁻¹ U on K − 1 df.
 * Optional frequency weights: observation i stands for weights[i] subjects.
 */
export function logRankTest(times: readonly number[], events: readonly (0 | 1)[], groups: readonly number[], k: number, weights?: readonly number[]): LogRank | null {
  if (k < 2) return null;
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const weight = (i: number) => (weights ? weights[i] : 1);
  const atRisk = new Array<number>(k).fill(0);
  groups.forEach((g, i) => (atRisk[g] += weight(i)));
  const observed = new Array<number>(k).fill(0);
  const expected = new Array<number>(k).fill(0);
  const v = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < order.length; ) {
    const t = times[order[i]];
    const d = new Array<number>(k).fill(0);
    const leaving = new Array<number>(k).fill(0);
    while (i < order.length && times[order[i]] === t) {
      const j = order[i];
      if (events[j] === 1) d[groups[j]] += weight(j);
      leaving[groups[j]] += weight(j);
      i++;
    }
    const dt = d.reduce((a, b) => a + b, 0);
    const n = atRisk.reduce((a, b) => a + b, 0);
    if (dt > 0) {
      for (let a = 0; a < k; a++) {
        observed[a] += d[a];
        expected[a] += (dt * atRisk[a]) / n;
        if (n > 1) {
          const f = (dt * (n - dt)) / (n - 1);
          for (let b = 0; b < k; b++) v[a][b] += f * (atRisk[a] / n) * ((a === b ? 1 : 0) - atRisk[b] / n);
        }
      }
    }
    for (let a = 0; a < k; a++) atRisk[a] -= leaving[a];
  }
  const m = k - 1;
  const u = observed.slice(0, m).map((o, a) => o - expected[a]);
  const x = solve(v.slice(0, m).map((row) => row.slice(0, m)), u);
  if (!x) return null;
  const statistic = u.reduce((acc, ui, a) => acc + ui * x[a], 0);
  return { statistic, df: m, p: chiSquareSf(statistic, m), observed, expected };
}

/** Solves A x = b by Gaussian elimination with partial pivoting; null when singular. */
function solve(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (!(Math.abs(m[pivot][c]) > 1e-12)) return null;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}
