/**
 * Key drivers of a score metric (`{ type: drivers, metric: nps, drivers: [...] }` sections): how
 * much each driver column accounts for the metric's individual answers, over the periods pooled
 * up to the report period, on complete cases.
 *
 * - LMG (Lindeman, Merenda & Gold 1980; Grömping 2006, R relaimpo `type = "lmg"`): the Shapley
 *   value of each driver in the R² of the OLS regression of the answer on the drivers — its
 *   increase in R² averaged over all p! orders of entering the drivers. Computed exactly from the
 *   2^p subset R²s, each from the pooled correlation matrix, R²(S) = r_S' R_SS⁻¹ r_S (an
 *   incremental Cholesky factor along a depth-first walk of the subsets: O(|S|²) per subset);
 *   shown as shares of R² (they sum to R²; in percent they sum to 100).
 * - Johnson's (2000) relative weights: the answer regressed on the orthogonal counterpart
 *   Z = X R⁻¹ᐟ² of the drivers (eigendecomposition of R), each Z's R² apportioned back to the
 *   drivers by the squared loadings R¹ᐟ²; the weights sum to R².
 * - 95% intervals of the LMG shares: percentile bootstrap over the complete cases (seeded
 *   Mulberry32, R type-7 quantiles); the cases are put in a canonical order first, so every
 *   engine (CSV, Parquet, DuckDB, PostgreSQL) draws the same resamples.
 *
 * Drivers are numeric columns, or ordinal text mapped to 1…k by the source's `columns: { col:
 * { levels: [...] } }`. At most 12 drivers (2^12 = 4,096 subsets): the section schema refuses more.
 */
import type { Config } from '../config/load.js';
import type { DriversNeed } from '../config/plan.js';
import { CxError } from '../kernel/errors.js';
import type { Path } from '../config/yaml-source.js';
import { localTranslator, type Locale } from '../kernel/i18n.js';
import { specOf, type ColumnDecl } from '../sources/columns.js';
import { ALL_PERIOD, lastPeriods, type Granularity } from '../kernel/period.js';
import { requireColumn, type PreparedMetric } from './prepare.js';
import { mulberry32 } from '../kernel/bootstrap.js';
import { quantileSorted } from '../kernel/stats.js';

/** Most drivers an analysis takes: the exact decomposition evaluates all 2^p subsets. */
export const MAX_DRIVERS = 12;

// ---------------------------------------------------------------------------------------------
// Linear algebra on the pooled cross-products
// ---------------------------------------------------------------------------------------------

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

/**
 * Percentile bootstrap of the LMG shares (percent of each resample's R²): the N cases are drawn
 * with replacement. `data` may hold distinct rows with their `multiplicity` (N = its sum): a draw
 * picks one of the N cases and counts it on its row, which is the same resample at the cost of
 * one pass over the distinct rows. A resample whose fit is impossible (a constant or collinear
 * column in it) is skipped and not counted.
 */
export function bootstrapShares(data: Float64Array, p: number, resamples: number, seed: number, multiplicity?: ArrayLike<number>): { ci: [number, number][]; valid: number } {
  const k = p + 1;
  const rows = data.length / k;
  let caseRow: Int32Array;
  if (multiplicity) {
    let total = 0;
    for (let i = 0; i < rows; i++) total += multiplicity[i];
    caseRow = new Int32Array(total);
    for (let i = 0, c = 0; i < rows; i++) for (let m = 0; m < multiplicity[i]; m++) caseRow[c++] = i;
  } else caseRow = Int32Array.from({ length: rows }, (_, i) => i);
  const n = caseRow.length;
  const rng = mulberry32(seed);
  const counts = new Float64Array(rows);
  const draws = Array.from({ length: p }, () => new Float64Array(resamples));
  let valid = 0;
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[caseRow[(rng() * n) | 0]]++;
    const fit = fitDrivers(data, p, counts);
    if (!isFit(fit) || !(fit.r2 > 0)) continue;
    for (let j = 0; j < p; j++) draws[j][valid] = (100 * fit.lmg[j]) / fit.r2;
    valid++;
  }
  const ci = draws.map((d): [number, number] => {
    const sorted = d.subarray(0, valid).sort();
    return [quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)];
  });
  return { ci, valid };
}

// ---------------------------------------------------------------------------------------------
// Sections → prepared rows → one result per report period
// ---------------------------------------------------------------------------------------------

/** A drivers analysis as the plan asks for it (config/plan.ts; the section schema is in report/sections/drivers.ts). */
export type DriversSpec = DriversNeed;

const sameSpec = (a: DriversSpec, b: DriversSpec) => a.periods === b.periods && a.resamples === b.resamples && a.seed === b.seed && a.drivers.join('\u0000') === b.drivers.join('\u0000');

/** A metric's answers with their driver values, ready to analyse any report period. */
export interface PreparedDrivers {
  spec: DriversSpec;
  /** the sections showing this analysis (identical specs share it) */
  sections: number[];
  /** per valid answer: its period, the answer, and each driver's value (NaN: missing or not a number) */
  period: (string | null)[];
  y: Float64Array;
  x: Float64Array[];
  /** a declared ordinal scale [1, k] per driver (`levels:`), else null */
  levels: (number | null)[];
  cache: Map<string, Analysis>;
}

/** What metrics.json holds under the metric, as `drivers`. */
export interface DriversResult {
  periods: { from: string; to: string; count: number };
  /** complete cases: valid answers with every driver value present */
  n: number;
  /** valid answers in the pooled periods left out for a missing or non-numeric driver value */
  incomplete: number;
  /** R² of the full model, as a proportion */
  r2: number | null;
  method: string;
  bootstrap: { resamples: number; valid: number; seed: number; interval: 'percentile'; generator: 'mulberry32' };
  /** by share, largest first */
  items: DriverItem[];
}

export interface DriverItem {
  column: string;
  /** LMG share of R², percent (the shares sum to 100) */
  share: number;
  /** 95% percentile bootstrap interval of the share, percent */
  ci: [number, number] | null;
  /** correlation with the answer */
  r: number;
  /** Johnson's relative weight (the weights sum to r2) */
  weight: number;
  /** mean of the driver over the complete cases */
  mean: number;
  /** the driver's scale: [1, k] for declared levels, else its observed [min, max] */
  scale: [number, number];
}

/** A result, or why there is none for this period (shown by the section as a located error). */
export interface DriversOutcome {
  result: DriversResult;
  problem?: { message: string; hint: string; path: Path };
}

export const MESSAGES = {
  en: {
    method:
      'Relative importance of each driver for the individual {label} answers: the Shapley decomposition of R² (LMG; Lindeman, Merenda & Gold 1980; Grömping 2006) of the OLS regression of the answer on the {count} drivers, exact over all {subsets} subsets, each R² from the pooled correlation matrix; on complete cases over {periods}. ' +
      "Shares in percent of R² with 95% percentile bootstrap intervals ({resamples} resamples of the answers, seeded Mulberry32 generator, seed {seed}). Beside them Johnson's (2000) relative weights and the correlation r of each driver with the answer.",
  },
  'zh-CN': {
    method:
      '各驱动因素对单个{label}回答的相对重要性：将回答对{count}个驱动因素做 OLS 回归，对其 R² 做 Shapley 分解（LMG；Lindeman、Merenda 与 Gold 1980；Grömping 2006），对全部{subsets}个子集精确计算，每个子集的 R² 由合并后的相关矩阵求得；基于{periods}内的完整个案。' +
      '份额以 R² 的百分比表示，附 95% 百分位自助法区间（对回答有放回重抽样{resamples}次，带种子的 Mulberry32 生成器，随机种子{seed}）。同时列出 Johnson（2000）相对权重及各驱动因素与回答的相关系数 r。',
  },
} as const;

/**
 * Reads and checks the answers and driver values of the drivers sections naming metric `id`:
 * each driver a column of the metric's source (did-you-mean otherwise), not the score itself, and
 * holding numbers (or text mapped by `levels:`). One analysis per metric: further sections must
 * ask for the same one. A problem stops the build; in the preview (lenient config) it is kept in
 * `problems` by section index instead, for that section to show in its place (the data may be
 * fixed while the config stays loaded, so nothing is recorded in the config).
 */
export function prepareDrivers(id: string, pm: PreparedMetric, config: Config, specs: DriversSpec[], problems: Map<number, CxError>): PreparedDrivers | undefined {
  const fail = (indices: number[], error: CxError): void => {
    if (!config.lenient) throw error;
    for (const i of indices) problems.set(i, error);
  };
  let chosen: DriversSpec | undefined;
  const sections: number[] = [];
  for (const spec of specs) {
    const what = `section ${spec.index + 1} (drivers)`;
    try {
      if (chosen && !sameSpec(chosen, spec)) {
        throw new CxError('config', `${what}: metric "${id}" already has a drivers analysis (section ${chosen.index + 1}) with other drivers or settings; metrics.json holds one per metric`, {
          location: config.yaml.locate(['sections', spec.index, 'drivers']),
          hint: 'show the same analysis (same drivers, periods, resamples and seed), or define a second metric on the same source for another analysis',
        });
      }
      spec.drivers.forEach((column, j) => {
        requireColumn(pm.source, column, config, ['sections', spec.index, 'drivers', j], what);
        if (column === pm.def.score) {
          throw new CxError('config', `${what}: "${column}" is the score of metric "${id}" itself, not a driver of it`, {
            location: config.yaml.locate(['sections', spec.index, 'drivers', j]),
            hint: 'list the questions that may explain the score, e.g. satisfaction with onboarding, support, reliability',
          });
        }
      });
      chosen ??= spec;
      sections.push(spec.index);
    } catch (error) {
      if (error instanceof CxError) fail([spec.index], error);
      else throw error;
    }
  }
  if (!chosen) return undefined;
  const spec = chosen;

  const status = pm.rows.array('__status') as ArrayLike<string>;
  const periods = pm.rows.array('__period') as ArrayLike<string | null>;
  const values = pm.rows.array('__value') as ArrayLike<number | null>;
  const keep: number[] = [];
  for (let i = 0; i < status.length; i++) if (status[i] === 'ok') keep.push(i);
  const y = Float64Array.from(keep, (i) => values[i] as number);
  const period = keep.map((i) => periods[i]);
  const declared = (config.sources as Record<string, { columns?: Record<string, ColumnDecl> }>)[pm.def.source]?.columns ?? {};
  const x: Float64Array[] = [];
  const levels: (number | null)[] = [];
  for (const [j, column] of spec.drivers.entries()) {
    const cells = pm.rows.array(column) as ArrayLike<unknown>;
    const out = new Float64Array(keep.length);
    let numbers = 0;
    const texts = new Set<string>();
    keep.forEach((i, r) => {
      const v = numberOf(cells[i]);
      out[r] = v;
      if (Number.isFinite(v)) numbers++;
      else if (typeof cells[i] === 'string' && String(cells[i]).trim() !== '' && texts.size < 3) texts.add(String(cells[i]).trim());
    });
    if (numbers === 0 && texts.size > 0) {
      const examples = [...texts].map((v) => JSON.stringify(v));
      fail(
        sections,
        new CxError('data', `section ${spec.index + 1} (drivers): driver "${column}" holds text (${examples.join(', ')}…), not numbers`, {
          location: config.yaml.locate(['sections', spec.index, 'drivers', j]),
          hint: `map ordinal answers to 1…k with levels: under the source, lowest first, e.g. columns: { ${column}: { levels: [${examples.slice(0, 2).join(', ')}, …] } }`,
        }),
      );
      return undefined;
    }
    const decl = specOf(declared[column]);
    levels.push(decl.levels ? decl.levels.length : null);
    x.push(out);
  }
  return { spec, sections, period, y, x, levels, cache: new Map() };
}

/** A driver cell as a number: numbers and numeric text; anything else (empty, unmapped text) is NaN. */
function numberOf(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.NaN;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v)) return Number(v);
  return Number.NaN;
}

/** Fewest complete cases an analysis accepts: ten per driver, and at least the metric's min_sample. */
export function minimumCases(drivers: number, minSample: number): number {
  return Math.max(10 * drivers, minSample);
}

/** The numbers of one period's analysis, before any text (cached: a section and metrics.json share them). */
interface Analysis {
  pooled: string[];
  n: number;
  incomplete: number;
  r2: number | null;
  valid: number;
  items: DriverItem[];
  problem?: { kind: 'few'; minimum: number } | FitProblem;
}

function analyse(pd: PreparedDrivers, period: string, granularity: Granularity, minSample: number): Analysis {
  const key = `${period}\u0000${minSample}`;
  const cached = pd.cache.get(key);
  if (cached) return cached;
  const { spec } = pd;
  const p = spec.drivers.length;
  const pooled = granularity === 'all' ? [ALL_PERIOD] : lastPeriods(period, spec.periods, granularity);
  const wanted = new Set(pooled);
  const rows: number[] = [];
  let incomplete = 0;
  for (let i = 0; i < pd.y.length; i++) {
    if (!wanted.has(pd.period[i] as string)) continue;
    if (pd.x.every((col) => Number.isFinite(col[i]))) rows.push(i);
    else incomplete++;
  }
  // a canonical order (by answer, then drivers): the same cases give the same resamples on every engine
  rows.sort((a, b) => {
    if (pd.y[a] !== pd.y[b]) return pd.y[a] - pd.y[b];
    for (const col of pd.x) if (col[a] !== col[b]) return col[a] - col[b];
    return 0;
  });
  const n = rows.length;
  const k = p + 1;
  // identical cases are adjacent after the sort: keep each distinct row once, with its count
  const distinct: number[] = [];
  const multiplicity: number[] = [];
  const same = (a: number, b: number) => pd.y[a] === pd.y[b] && pd.x.every((col) => col[a] === col[b]);
  for (const i of rows) {
    if (distinct.length && same(distinct[distinct.length - 1], i)) multiplicity[multiplicity.length - 1]++;
    else (distinct.push(i), multiplicity.push(1));
  }
  const data = new Float64Array(distinct.length * k);
  distinct.forEach((i, r) => {
    data[r * k] = pd.y[i];
    pd.x.forEach((col, j) => (data[r * k + j + 1] = col[i]));
  });
  const done = (a: Analysis): Analysis => (pd.cache.set(key, a), a);
  const base = { pooled, n, incomplete, r2: null, valid: 0, items: [] };
  const minimum = minimumCases(p, minSample);
  if (n < minimum) return done({ ...base, problem: { kind: 'few', minimum } });
  const fit = fitDrivers(data, p, multiplicity);
  if (!isFit(fit)) return done({ ...base, problem: fit });
  const boot = bootstrapShares(data, p, spec.resamples, spec.seed, multiplicity);
  const mins = new Float64Array(p).fill(Infinity);
  const maxs = new Float64Array(p).fill(-Infinity);
  for (let r = 0; r < distinct.length; r++) {
    for (let j = 0; j < p; j++) {
      const v = data[r * k + j + 1];
      if (v < mins[j]) mins[j] = v;
      if (v > maxs[j]) maxs[j] = v;
    }
  }
  const items = spec.drivers
    .map((column, j): DriverItem => ({
      column,
      share: fit.r2 > 0 ? (100 * fit.lmg[j]) / fit.r2 : 0,
      ci: boot.valid >= 2 ? boot.ci[j] : null,
      r: fit.r[j],
      weight: fit.weights[j],
      mean: fit.means[j],
      scale: pd.levels[j] !== null ? [1, pd.levels[j]!] : [mins[j], maxs[j]],
    }))
    .map((item, j) => ({ item, j }))
    .sort((a, b) => b.item.share - a.item.share || a.j - b.j)
    .map(({ item }) => item);
  return done({ ...base, r2: fit.r2, valid: boot.valid, items });
}

/**
 * The analysis for the report period `period`: complete cases of the `periods` periods ending
 * with it (granularity all: all data), LMG shares with bootstrap intervals, relative weights and
 * r, in metrics.json's shape; with the reason when there is none (too few complete answers, a
 * constant column, collinear drivers), for the section to show as a located error.
 */
export function computeDrivers(pd: PreparedDrivers, period: string, options: { granularity: Granularity; minSample: number; locale: Locale; label: string }): DriversOutcome {
  const a = analyse(pd, period, options.granularity, options.minSample);
  const { spec } = pd;
  const p = spec.drivers.length;
  const t = localTranslator(MESSAGES, options.locale);
  const periodsText = options.granularity === 'all' ? (options.locale === 'zh-CN' ? '全部数据' : 'all data') : `${a.pooled[0]}–${a.pooled[a.pooled.length - 1]}`;
  const result: DriversResult = {
    periods: { from: a.pooled[0], to: a.pooled[a.pooled.length - 1], count: a.pooled.length },
    n: a.n,
    incomplete: a.incomplete,
    r2: a.r2,
    method: t('method', { label: options.label, count: p, subsets: (2 ** p).toLocaleString('en-US'), periods: periodsText, resamples: spec.resamples, seed: spec.seed }),
    bootstrap: { resamples: spec.resamples, valid: a.valid, seed: spec.seed, interval: 'percentile', generator: 'mulberry32' },
    items: a.items,
  };
  if (!a.problem) return { result };
  const what = `section ${spec.index + 1} (drivers)`;
  const shown = options.granularity === 'all' ? 'all data' : `${a.pooled[0]}–${a.pooled[a.pooled.length - 1]}`;
  const problem = a.problem;
  if (problem.kind === 'few') {
    const wanted = new Set(a.pooled);
    const missing = spec.drivers.map((c, j) => [c, countMissing(pd, wanted, j)] as const).filter(([, m]) => m > 0).sort((x, y) => y[1] - x[1]);
    const more = options.granularity === 'all' ? 'more data' : `more periods (periods: ${Math.min(240, spec.periods * 2)})`;
    return {
      result,
      problem: {
        message: `${what}: only ${a.n} complete answer${a.n === 1 ? '' : 's'} (a valid ${options.label} answer with every driver present) in ${shown}; an analysis of ${p} drivers needs at least ${problem.minimum} (10 per driver, and min_sample)`,
        hint: missing.length ? `missing or non-numeric driver values: ${missing.map(([c, m]) => `${c} ${m}`).join(', ')}; pool ${more} or drop the sparsest driver` : `pool ${more}`,
        path: ['sections', spec.index, options.granularity === 'all' ? 'drivers' : 'periods'],
      },
    };
  }
  if (problem.kind === 'constant') {
    const column = problem.column === 0 ? `the ${options.label} answer` : `driver "${spec.drivers[problem.column - 1]}"`;
    return {
      result,
      problem: {
        message: `${what}: ${column} has the same value in every complete answer of ${shown}, so the shares are not defined`,
        hint: problem.column === 0 ? 'check the score column and the metric filter' : 'remove this driver, or check its column',
        path: problem.column === 0 ? ['sections', spec.index, 'metric'] : ['sections', spec.index, 'drivers', problem.column - 1],
      },
    };
  }
  return {
    result,
    problem: {
      message: `${what}: the drivers are collinear in ${shown} (one is a linear combination of the others), so their shares are not defined`,
      hint: 'remove a driver that duplicates others (e.g. a total of other columns)',
      path: ['sections', spec.index, 'drivers'],
    },
  };
}

function countMissing(pd: PreparedDrivers, wanted: Set<string>, j: number): number {
  let m = 0;
  for (let i = 0; i < pd.y.length; i++) if (wanted.has(pd.period[i] as string) && !Number.isFinite(pd.x[j][i])) m++;
  return m;
}
