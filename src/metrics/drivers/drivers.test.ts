/**
 * Key drivers: LMG (Shapley decomposition of R²) and Johnson's relative weights against
 * independent computations — a brute force over all p! orders of OLS fits on the rows, a direct
 * matrix square root — and against published outputs of R's relaimpo and rwa packages.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameKeys } from '../../kernel/i18n.js';
import { fitDrivers, isFit, lmg, moments, relativeWeights, shapleyValues, subsetR2, symmetricEigen } from '../../kernel/models/relative-importance.js';
import { bootstrapShares, MESSAGES } from './index.js';
import { MESSAGES as SECTION_MESSAGES } from '../../report/sections/drivers.messages.js';
import { bruteForceLmg, olsR2, solve } from '../../../test/ols.js';

// ---------------------------------------------------------------------------------------------
// Published data sets
// ---------------------------------------------------------------------------------------------

/**
 * R's `swiss` (47 French-speaking Swiss provinces, 1888): Fertility, Agriculture, Examination,
 * Education, Catholic, Infant.Mortality. Copied from umatter/datahandling, data/swiss.csv at
 * commit f1826ec2c69e408f0ec711f712854eefbc0fd924 (identical to bcaffo/ds4bme_intro,
 * data/swiss.csv at 13f2e514c4e3fda4fc6cc3501f6b3323455cf4ec); district names dropped.
 */
const SWISS = [
  [80.2, 17, 15, 12, 9.96, 22.2], [83.1, 45.1, 6, 9, 84.84, 22.2], [92.5, 39.7, 5, 5, 93.4, 20.2], [85.8, 36.5, 12, 7, 33.77, 20.3],
  [76.9, 43.5, 17, 15, 5.16, 20.6], [76.1, 35.3, 9, 7, 90.57, 26.6], [83.8, 70.2, 16, 7, 92.85, 23.6], [92.4, 67.8, 14, 8, 97.16, 24.9],
  [82.4, 53.3, 12, 7, 97.67, 21], [82.9, 45.2, 16, 13, 91.38, 24.4], [87.1, 64.5, 14, 6, 98.61, 24.5], [64.1, 62, 21, 12, 8.52, 16.5],
  [66.9, 67.5, 14, 7, 2.27, 19.1], [68.9, 60.7, 19, 12, 4.43, 22.7], [61.7, 69.3, 22, 5, 2.82, 18.7], [68.3, 72.6, 18, 2, 24.2, 21.2],
  [71.7, 34, 17, 8, 3.3, 20], [55.7, 19.4, 26, 28, 12.11, 20.2], [54.3, 15.2, 31, 20, 2.15, 10.8], [65.1, 73, 19, 9, 2.84, 20],
  [65.5, 59.8, 22, 10, 5.23, 18], [65, 55.1, 14, 3, 4.52, 22.4], [56.6, 50.9, 22, 12, 15.14, 16.7], [57.4, 54.1, 20, 6, 4.2, 15.3],
  [72.5, 71.2, 12, 1, 2.4, 21], [74.2, 58.1, 14, 8, 5.23, 23.8], [72, 63.5, 6, 3, 2.56, 18], [60.5, 60.8, 16, 10, 7.72, 16.3],
  [58.3, 26.8, 25, 19, 18.46, 20.9], [65.4, 49.5, 15, 8, 6.1, 22.5], [75.5, 85.9, 3, 2, 99.71, 15.1], [69.3, 84.9, 7, 6, 99.68, 19.8],
  [77.3, 89.7, 5, 2, 100, 18.3], [70.5, 78.2, 12, 6, 98.96, 19.4], [79.4, 64.9, 7, 3, 98.22, 20.2], [65, 75.9, 9, 9, 99.06, 17.8],
  [92.2, 84.6, 3, 3, 99.46, 16.3], [79.3, 63.1, 13, 13, 96.83, 18.1], [70.4, 38.4, 26, 12, 5.62, 20.3], [65.7, 7.7, 29, 11, 13.79, 20.5],
  [72.7, 16.7, 22, 13, 11.22, 18.9], [64.4, 17.6, 35, 32, 16.92, 23], [77.6, 37.6, 15, 7, 4.97, 20], [67.6, 18.7, 25, 7, 8.65, 19.5],
  [35, 1.2, 37, 53, 42.34, 18], [44.7, 46.6, 16, 29, 50.43, 18.2], [42.8, 27.7, 22, 29, 58.33, 19.3],
];

/**
 * R's `mtcars` (32 cars, Motor Trend 1974): mpg, cyl, disp, hp, drat, wt, qsec, vs, am, gear, carb.
 * Copied from chrismgentry/dc_datasets, mtcars.csv at commit 8cb69b7b9f159b717fb743ce909f7e601e1b0ed2
 * (the same values as karthik/rdrop2, mtcars.csv at aecbcc6c1259d9e65805403827ea724bcf0e090d); model names dropped.
 */
const MTCARS_COLUMNS = ['mpg', 'cyl', 'disp', 'hp', 'drat', 'wt', 'qsec', 'vs', 'am', 'gear', 'carb'];
const MTCARS = [
  [21, 6, 160, 110, 3.9, 2.62, 16.46, 0, 1, 4, 4], [21, 6, 160, 110, 3.9, 2.875, 17.02, 0, 1, 4, 4], [22.8, 4, 108, 93, 3.85, 2.32, 18.61, 1, 1, 4, 1],
  [21.4, 6, 258, 110, 3.08, 3.215, 19.44, 1, 0, 3, 1], [18.7, 8, 360, 175, 3.15, 3.44, 17.02, 0, 0, 3, 2], [18.1, 6, 225, 105, 2.76, 3.46, 20.22, 1, 0, 3, 1],
  [14.3, 8, 360, 245, 3.21, 3.57, 15.84, 0, 0, 3, 4], [24.4, 4, 146.7, 62, 3.69, 3.19, 20, 1, 0, 4, 2], [22.8, 4, 140.8, 95, 3.92, 3.15, 22.9, 1, 0, 4, 2],
  [19.2, 6, 167.6, 123, 3.92, 3.44, 18.3, 1, 0, 4, 4], [17.8, 6, 167.6, 123, 3.92, 3.44, 18.9, 1, 0, 4, 4], [16.4, 8, 275.8, 180, 3.07, 4.07, 17.4, 0, 0, 3, 3],
  [17.3, 8, 275.8, 180, 3.07, 3.73, 17.6, 0, 0, 3, 3], [15.2, 8, 275.8, 180, 3.07, 3.78, 18, 0, 0, 3, 3], [10.4, 8, 472, 205, 2.93, 5.25, 17.98, 0, 0, 3, 4],
  [10.4, 8, 460, 215, 3, 5.424, 17.82, 0, 0, 3, 4], [14.7, 8, 440, 230, 3.23, 5.345, 17.42, 0, 0, 3, 4], [32.4, 4, 78.7, 66, 4.08, 2.2, 19.47, 1, 1, 4, 1],
  [30.4, 4, 75.7, 52, 4.93, 1.615, 18.52, 1, 1, 4, 2], [33.9, 4, 71.1, 65, 4.22, 1.835, 19.9, 1, 1, 4, 1], [21.5, 4, 120.1, 97, 3.7, 2.465, 20.01, 1, 0, 3, 1],
  [15.5, 8, 318, 150, 2.76, 3.52, 16.87, 0, 0, 3, 2], [15.2, 8, 304, 150, 3.15, 3.435, 17.3, 0, 0, 3, 2], [13.3, 8, 350, 245, 3.73, 3.84, 15.41, 0, 0, 3, 4],
  [19.2, 8, 400, 175, 3.08, 3.845, 17.05, 0, 0, 3, 2], [27.3, 4, 79, 66, 4.08, 1.935, 18.9, 1, 1, 4, 1], [26, 4, 120.3, 91, 4.43, 2.14, 16.7, 0, 1, 5, 2],
  [30.4, 4, 95.1, 113, 3.77, 1.513, 16.9, 1, 1, 5, 2], [15.8, 8, 351, 264, 4.22, 3.17, 14.5, 0, 1, 5, 4], [19.7, 6, 145, 175, 3.62, 2.77, 15.5, 0, 1, 5, 6],
  [15, 8, 301, 335, 3.54, 3.57, 14.6, 0, 1, 5, 8], [21.4, 4, 121, 109, 4.11, 2.78, 18.6, 1, 1, 4, 2],
];

/** Rows [y, x1…xp] of mtcars, row-major, for fitDrivers. */
function mtcars(y: string, xs: string[]): Float64Array {
  const at = (c: string) => MTCARS_COLUMNS.indexOf(c);
  return Float64Array.from(MTCARS.flatMap((row) => [row[at(y)], ...xs.map((c) => row[at(c)])]));
}

function fitted(data: Float64Array, p: number) {
  const f = fitDrivers(data, p);
  if (!isFit(f)) throw new Error(`no fit: ${JSON.stringify(f)}`);
  return f;
}

// ---------------------------------------------------------------------------------------------
// Independent computations
// ---------------------------------------------------------------------------------------------

function inverse(a: number[][]): number[][] {
  const n = a.length;
  const columns = Array.from({ length: n }, (_, j) => solve(a, Array.from({ length: n }, (_, i) => (i === j ? 1 : 0))));
  return Array.from({ length: n }, (_, i) => columns.map((col) => col[i]));
}

/** The principal square root of a symmetric positive definite matrix by the Denman–Beavers iteration (no eigenvectors). */
function sqrtm(a: number[][]): number[][] {
  let y = a.map((row) => [...row]);
  let z = a.map((_, i) => a.map((__, j) => (i === j ? 1 : 0)));
  for (let k = 0; k < 100; k++) {
    const yi = inverse(y);
    const zi = inverse(z);
    const next = y.map((row, i) => row.map((v, j) => (v + zi[i][j]) / 2));
    z = z.map((row, i) => row.map((v, j) => (v + yi[i][j]) / 2));
    const change = Math.max(...next.flatMap((row, i) => row.map((v, j) => Math.abs(v - y[i][j]))));
    y = next;
    if (change < 1e-15) break;
  }
  return y;
}

/** Johnson's relative weights directly: Λ = R^½, β = Λ⁻¹ r_xy, ε_j = Σ_k Λ_jk² β_k². */
function directWeights(rxx: number[][], rxy: number[]): number[] {
  const lambda = sqrtm(rxx);
  const beta = solve(lambda, rxy);
  return lambda.map((row) => row.reduce((s, l, k) => s + l * l * beta[k] ** 2, 0));
}

/** Correlated test data from a seed: X = Z·A (mixing), y = X·b + noise. */
function randomData(seed: number, n: number, p: number): { y: number[]; X: number[][] } {
  let s = seed >>> 0 || 1;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const A = Array.from({ length: p }, () => Array.from({ length: p }, () => normal()));
  const b = Array.from({ length: p }, () => normal());
  const X = Array.from({ length: n }, () => {
    const z = Array.from({ length: p }, () => normal());
    return A[0].map((_, j) => 3 + z.reduce((acc, v, k) => acc + v * A[k][j], 0));
  });
  const y = X.map((row) => 10 + row.reduce((acc, v, j) => acc + v * b[j], 0) + 2 * normal());
  return { y, X };
}

const rowsOf = (y: number[], X: number[][]) => Float64Array.from(y.flatMap((v, i) => [v, ...X[i]]));

// ---------------------------------------------------------------------------------------------

describe('LMG against relaimpo’s published output', () => {
  // Grömping, "Relative Importance for Linear Regression in R: The Package relaimpo" (the
  // package vignette, the example of J. Stat. Software 17(1), 2006): cran/relaimpo,
  // inst/doc/relaimpo_vignette.pdf at commit 864e1a31431e4b1163a97d98a4dfc0fb5b7e9cb7, p. 6
  // (calc.relimp(cov(swiss), type = c("lmg", …)), rela = TRUE by then) and p. 12 (rela = FALSE:
  // "I" = lmg, "Total" = first).
  const data = Float64Array.from(SWISS.flat());
  const fit = fitted(data, 5);
  it('swiss: R² 70.67%', () => {
    expect(Math.round(fit.r2 * 10000) / 100).toBe(70.67);
  });
  it('swiss: lmg, not normalised (rela = FALSE), to the 8 printed digits', () => {
    const published = [0.05709122, 0.17117303, 0.26013468, 0.10557015, 0.11276592];
    published.forEach((v, j) => expect(Math.abs(fit.lmg[j] - v)).toBeLessThan(5e-9));
  });
  it('swiss: lmg as shares of R² (rela = TRUE)', () => {
    const published = [0.08078165, 0.24220256, 0.36807952, 0.14937728, 0.15955899];
    published.forEach((v, j) => expect(Math.abs(fit.lmg[j] / fit.r2 - v)).toBeLessThan(5e-9));
  });
  it('swiss: "first" (r²) as printed', () => {
    const published = [0.1246649, 0.4171645, 0.4406156, 0.2150035, 0.1735189];
    published.forEach((v, j) => expect(Math.abs(fit.r[j] ** 2 - v)).toBeLessThan(5e-8));
  });
  it('mtcars: calc.relimp(mpg ~ am + vs + cyl, type = "lmg")', () => {
    // printed in the README of jluchman/domir at commit bf0360a4e5032d511d0f30396f89c85afbbdc27b
    const f = fitted(mtcars('mpg', ['am', 'vs', 'cyl']), 3);
    expect(Math.abs(f.r2 - 0.7619773)).toBeLessThan(5e-8);
    [0.1774892, 0.2027032, 0.3817849].forEach((v, j) => expect(Math.abs(f.lmg[j] - v)).toBeLessThan(5e-8));
  });
});

describe('Johnson’s relative weights against published output', () => {
  it('mtcars: rwa(mtcars, "mpg", c("cyl", "disp", "hp", "gear"))', () => {
    // printed in the README of martinctc/rwa at commit 029a5687c50e7ea99a4c46230695e63a2a0d2a3f
    const f = fitted(mtcars('mpg', ['cyl', 'disp', 'hp', 'gear']), 4);
    expect(Math.abs(f.r2 - 0.7791896)).toBeLessThan(5e-8);
    [0.2284797, 0.2221469, 0.2321744, 0.0963886].forEach((v, j) => expect(Math.abs(f.weights[j] - v)).toBeLessThan(5e-8));
  });
});

describe('LMG equals a brute force over all orders of OLS fits on the rows', () => {
  it('random correlated data, 2–6 drivers (fast-check, fixed seed): to 1e-10', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (p, extra, seed) => {
        const n = p + 3 + extra;
        const { y, X } = randomData(seed, n, p);
        const f = fitted(rowsOf(y, X), p);
        const brute = bruteForceLmg(y, X);
        brute.forEach((v, j) => expect(Math.abs(f.lmg[j] - v)).toBeLessThan(1e-10));
        expect(Math.abs(f.r2 - olsR2(y, X, X[0].map((_, j) => j)))).toBeLessThan(1e-10);
        expect(Math.abs(f.lmg.reduce((s, v) => s + v, 0) - f.r2)).toBeLessThan(1e-12);
      }),
      { seed: 20260419, numRuns: 60 },
    );
  });
  it('every subset’s R² from the correlation matrix equals the OLS R² on the rows', () => {
    const { y, X } = randomData(7, 40, 5);
    const m = moments(rowsOf(y, X), 6);
    const v = subsetR2(m.r.slice(1).map((row) => row.subarray(1)), m.r[0].subarray(1))!;
    for (let mask = 0; mask < 32; mask++) {
      const cols = [0, 1, 2, 3, 4].filter((j) => mask & (1 << j));
      expect(Math.abs(v[mask] - olsR2(y, X, cols))).toBeLessThan(1e-10);
    }
  });
  it('Shapley values of an additive game are the players’ own values', () => {
    const own = [0.1, 0.25, 0.05];
    const v = Float64Array.from({ length: 8 }, (_, mask) => own.reduce((s, o, j) => s + (mask & (1 << j) ? o : 0), 0));
    expect(Array.from(shapleyValues(v, 3)).map((x) => Math.round(x * 1e12) / 1e12)).toEqual(own);
  });
  it('refuses collinear drivers and names a constant column', () => {
    const { y, X } = randomData(3, 30, 2);
    const collinear = X.map((row) => [...row, row[0] + 2 * row[1]]);
    expect(fitDrivers(rowsOf(y, collinear), 3)).toEqual({ kind: 'collinear' });
    const constant = X.map((row) => [row[0], 4]);
    expect(fitDrivers(rowsOf(y, constant), 2)).toEqual({ kind: 'constant', column: 2 });
    expect(lmg([[1, 1], [1, 1]], [0.5, 0.5])).toBeNull();
  });
});

describe('relative weights equal a direct computation', () => {
  it('random correlated data (fast-check, fixed seed): R^½ by Denman–Beavers, to 1e-10; they sum to R²', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), (p, seed) => {
        const { y, X } = randomData(seed, 4 * p + 10, p);
        const m = moments(rowsOf(y, X), p + 1);
        const rxx = m.r.slice(1).map((row) => Array.from(row.subarray(1)));
        const rxy = Array.from(m.r[0].subarray(1));
        const w = relativeWeights(rxx, rxy);
        directWeights(rxx, rxy).forEach((v, j) => expect(Math.abs(w[j] - v)).toBeLessThan(1e-10));
        expect(Math.abs(w.reduce((s, v) => s + v, 0) - lmg(rxx, rxy)!.r2)).toBeLessThan(1e-10);
      }),
      { seed: 77, numRuns: 40 },
    );
  });
  it('uncorrelated drivers: each weight is its r² (and equals LMG)', () => {
    const w = relativeWeights([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [0.5, 0.3, -0.2]);
    expect(Array.from(w).map((v) => Math.round(v * 1e12) / 1e12)).toEqual([0.25, 0.09, 0.04]);
  });
  it('the eigendecomposition reassembles the matrix', () => {
    const a = [[2, 0.5, 0.3], [0.5, 1, -0.2], [0.3, -0.2, 1.5]];
    const { values, vectors } = symmetricEigen(a);
    a.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(values.reduce((s, l, m) => s + vectors[i][m] * l * vectors[j][m], 0) - v)).toBeLessThan(1e-12)));
  });
});

describe('bootstrap intervals', () => {
  const { y, X } = randomData(11, 300, 3);
  const rows = rowsOf(y, X);
  it('are reproducible with the seed, and change with it', () => {
    const a = bootstrapShares(rows, 3, 200, 1);
    expect(bootstrapShares(rows, 3, 200, 1)).toEqual(a);
    expect(bootstrapShares(rows, 3, 200, 2).ci).not.toEqual(a.ci);
    expect(a.valid).toBe(200);
  });
  it('contain the point estimate, in percent of R²', () => {
    const f = fitted(rows, 3);
    bootstrapShares(rows, 3, 300, 5).ci.forEach(([lo, hi], j) => {
      const share = (100 * f.lmg[j]) / f.r2;
      expect(lo).toBeLessThanOrEqual(share);
      expect(hi).toBeGreaterThanOrEqual(share);
    });
  });
  it('distinct rows with their counts give the same resamples as the rows themselves', () => {
    const base = [[5, 1, 2], [7, 2, 2], [9, 3, 1], [6, 1, 3], [8, 3, 3]];
    const counts = [3, 1, 4, 2, 5];
    const expanded = Float64Array.from(base.flatMap((r, i) => Array.from({ length: counts[i] }, () => r).flat()));
    const compact = bootstrapShares(Float64Array.from(base.flat()), 2, 100, 9, counts);
    const full = bootstrapShares(expanded, 2, 100, 9);
    expect(compact.valid).toBe(full.valid);
    // the same resamples; only the order of summation differs
    compact.ci.forEach((ci, j) => ci.forEach((v, k) => expect(Math.abs(v - full.ci[j][k])).toBeLessThan(1e-9)));
  });
});

describe('messages', () => {
  it('have the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
    expect(sameKeys(SECTION_MESSAGES)).toEqual([]);
  });
});
