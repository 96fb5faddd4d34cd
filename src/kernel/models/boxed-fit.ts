/**
 * Maximum likelihood on log-parameters inside a search box (the fits behind the CLV metric's
 * period-by-period models): Nelder–Mead (./optimize.ts) on the mean negative log-likelihood per
 * customer, evaluated at the nearest point of the box with a quadratic penalty outside it, so a
 * parameter the data push to infinity stops at the edge (and is reported there) instead of
 * crawling along a flat ridge. Plus the grouping of a column by distinct value, with which the
 * models' fast objectives compute terms once per distinct value.
 */
import { minimize } from './optimize.js';

/** A boxed fit: the parameters, their log-likelihood (the model's own), and how the search ended. */
export interface FitSummary<P> {
  params: P;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  /** parameters that ended at the edge of the search box (poorly identified) */
  atBound: string[];
}

/** The distinct values of a column, in order of first appearance, and each row's index into them. */
export function distinctIndex(values: Float64Array): { values: number[]; index: Uint32Array } {
  const map = new Map<number, number>();
  const out: number[] = [];
  const index = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    let k = map.get(values[i]);
    if (k === undefined) {
      k = out.length;
      map.set(values[i], k);
      out.push(values[i]);
    }
    index[i] = k;
  }
  return { values: out, index };
}

/**
 * Maximises `logLikelihood` over the named parameters, searching their logs from `start` inside
 * `box` (one [low, high] per name, on the log scale); `n` (customers) scales the objective to a
 * mean, `warm` (a start near the optimum, e.g. the previous period's) takes smaller first steps.
 */
export function boxedFit<P extends object>(
  names: (keyof P & string)[],
  start: number[],
  box: [number, number][],
  logLikelihood: (params: P) => number,
  n: number,
  warm: boolean,
): { params: P; converged: boolean; iterations: number; atBound: string[] } {
  const clamp = (v: readonly number[]) => v.map((value, i) => Math.min(Math.max(value, box[i][0]), box[i][1]));
  const toParams = (v: readonly number[]) => Object.fromEntries(names.map((name, i) => [name, Math.exp(v[i])])) as P;
  // Mean negative log-likelihood per customer (as the models' own fits use), evaluated at the
  // nearest point of the box, plus a quadratic penalty outside it: where the data push a
  // parameter to infinity (e.g. no heterogeneity in spend, q → ∞) the search stops at the edge
  // and converges there instead of crawling along a flat ridge.
  const objective = (v: readonly number[]) => {
    const c = clamp(v);
    let penalty = 0;
    for (let i = 0; i < v.length; i++) penalty += (v[i] - c[i]) ** 2;
    return -logLikelihood(toParams(c)) / n + penalty;
  };
  const result = minimize(objective, start, { initialStep: warm ? 0.1 : 0.5, fTolerance: 1e-10, xTolerance: 1e-6, maxIterations: 2000, maxRestarts: 3 });
  const x = clamp(result.x);
  const atBound = names.filter((_, i) => x[i] - box[i][0] < 0.05 || box[i][1] - x[i] < 0.05);
  return { params: toParams(x), converged: result.converged, iterations: result.iterations, atBound };
}

/** A start inside the box: the given parameters (e.g. the previous period's optimum), clamped. */
export function startVector<P extends object>(names: (keyof P & string)[], params: P, box: [number, number][]): number[] {
  return names.map((name, i) => Math.min(Math.max(Math.log(params[name] as number), box[i][0] + 0.5), box[i][1] - 0.5));
}
