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
import { localTranslator, type Locale } from '../../kernel/i18n.js';
import { ALL_PERIOD, lastPeriods, type Granularity } from '../../kernel/period.js';
import { quantileSorted } from '../../kernel/stats.js';
import { fitDrivers, isFit } from '../../kernel/models/relative-importance.js';
import { keptBootstrap, mulberry32 } from '../../kernel/bootstrap.js';
import { MESSAGES } from './messages.js';
import type { Analysis, DriverItem, DriversOutcome, DriversResult, PreparedDrivers } from './types.js';

/** Most drivers an analysis takes: the exact decomposition evaluates all 2^p subsets. */
export const MAX_DRIVERS = 12;

/**
 * Percentile bootstrap of the LMG shares (percent of each resample's R²): the N cases are drawn
 * with replacement. `data` may hold distinct rows with their `multiplicity` (N = its sum): a draw
 * picks one of the N cases and counts it on its row, which is the same resample at the cost of
 * one pass over the distinct rows. A resample whose fit is impossible (a constant or collinear
 * column in it) is skipped and not counted.
 */
export function bootstrapShares(data: Float64Array, p: number, resamples: number, seed: number, multiplicity?: ArrayLike<number>): { ci: [number, number][]; valid: number } {
  // kept across builds when large (kernel/bootstrap.ts keptBootstrap): every draw is a fit
  const weights = multiplicity ? Float64Array.from(multiplicity) : new Float64Array(0);
  return keptBootstrap(import.meta.url, ['./compute.js', '../../kernel/models/relative-importance.js', '../../kernel/bootstrap.js', '../../kernel/stats.js'], 'lmg-shares', (data.length / (p + 1)) * resamples * 2 ** p, [p, resamples, seed], [data, weights], () => shares(data, p, resamples, seed, multiplicity));
}

function shares(data: Float64Array, p: number, resamples: number, seed: number, multiplicity?: ArrayLike<number>): { ci: [number, number][]; valid: number } {
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

/** Fewest complete cases an analysis accepts: ten per driver, and at least the metric's min_sample. */
export function minimumCases(drivers: number, minSample: number): number {
  return Math.max(10 * drivers, minSample);
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
