/**
 * BG/NBD model of repeat purchasing (Fader, Hardie & Lee 2005, "'Counting Your Customers' the
 * Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275–284).
 *
 * While alive, a customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each
 * purchase they drop out with probability p ~ Beta(a, b). Per customer the data are
 * x (repeat purchases), tx (time of the last one) and T (time observed), all measured from the
 * first purchase.
 */
import { boxedFit, distinctIndex, startVector, type FitSummary } from './boxed-fit.js';
import { minimize } from './optimize.js';
import { collapseRfm, validateCustomer, type RfmCustomer, type RfmData, type WeightedRfm } from './rfm.js';
import { hyp2f1, hyp2f1m1, lbeta, lgamma, logAddExp } from './special.js';

/** BG/NBD parameters: r, α (Gamma purchase rates) and a, b (Beta drop-out probabilities). */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Result of {@link fitBgNbd}. */
export interface BgNbdFit {
  params: BgNbdParams;
  /** Maximised log-likelihood (natural log, summed over customers). */
  logLikelihood: number;
  /** Whether the optimiser met its tolerances and a restart confirmed the optimum. */
  converged: boolean;
  /** Number of customers. */
  n: number;
  /** Nelder–Mead iterations used. */
  iterations: number;
}

/** Options for {@link fitBgNbd}. */
export interface FitBgNbdOptions {
  /** Starting values; default r = a = b = 1 and α = mean T. */
  start?: BgNbdParams;
}

function checkParams(params: BgNbdParams): void {
  const { r, alpha, a, b } = params;
  if (![r, alpha, a, b].every((v) => Number.isFinite(v) && v > 0)) {
    throw new RangeError('BG/NBD parameters r, alpha, a, b must be finite and > 0');
  }
}

/**
 * Log-likelihood of one customer (FHL 2005, eq. 6), written as
 *   ln Γ(r+x) − ln Γ(r) + r ln α + ln(A₁ + δ_{x>0} A₂)
 * with ln A₁ = ln B(a, b+x) − ln B(a, b) − (r+x) ln(α+T) and
 *      ln A₂ = ln B(a+1, b+x−1) − ln B(a, b) − (r+x) ln(α+tx),
 * combined by log-sum-exp because A₁ and A₂ underflow for heavy buyers.
 */
function customerLogLikelihood(params: BgNbdParams, lbetaAB: number, lgammaR: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const common = lgamma(r + x) - lgammaR + r * Math.log(alpha);
  const logA1 = lbeta(a, b + x) - lbetaAB - (r + x) * Math.log(alpha + T);
  if (x === 0) return common + logA1;
  const logA2 = lbeta(a + 1, b + x - 1) - lbetaAB - (r + x) * Math.log(alpha + tx);
  return common + logAddExp(logA1, logA2);
}

/**
 * Total BG/NBD log-likelihood of the data (per-customer rows or columns, optionally weighted).
 * Identical (x, tx, T) rows are merged first, so large bases cost little more than their
 * number of distinct histories.
 */
export function bgnbdLogLikelihood(params: BgNbdParams, data: RfmData): number {
  checkParams(params);
  const d = collapseRfm(data);
  return weightedLogLikelihood(params, d.x, d.tx, d.T, d.weight);
}

function weightedLogLikelihood(params: BgNbdParams, x: Float64Array, tx: Float64Array, T: Float64Array, weight: Float64Array): number {
  const lbetaAB = lbeta(params.a, params.b);
  const lgammaR = lgamma(params.r);
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    total += weight[i]! * customerLogLikelihood(params, lbetaAB, lgammaR, x[i]!, tx[i]!, T[i]!);
  }
  return total;
}

/**
 * Fit the BG/NBD model by maximum likelihood. The optimiser works on log-parameters so that
 * positivity holds everywhere it looks; it starts from r = a = b = 1, α = mean T unless told
 * otherwise (α sets the time scale of purchasing, and T is on that scale).
 */
export function fitBgNbd(data: RfmData, options: FitBgNbdOptions = {}): BgNbdFit {
  const d = collapseRfm(data);
  if (d.n === 0) throw new RangeError('fitBgNbd: no customers');
  const start = options.start ?? defaultStart(d);
  checkParams(start);
  const toParams = (v: readonly number[]): BgNbdParams => ({
    r: Math.exp(v[0]!),
    alpha: Math.exp(v[1]!),
    a: Math.exp(v[2]!),
    b: Math.exp(v[3]!),
  });
  // Mean negative log-likelihood per customer keeps the tolerances independent of base size.
  const objective = (v: readonly number[]): number => -weightedLogLikelihood(toParams(v), d.x, d.tx, d.T, d.weight) / d.n;
  const result = minimize(objective, [start.r, start.alpha, start.a, start.b].map(Math.log), { initialStep: 0.5 });
  const params = toParams(result.x);
  return {
    params,
    logLikelihood: weightedLogLikelihood(params, d.x, d.tx, d.T, d.weight),
    converged: result.converged,
    n: d.n,
    iterations: result.iterations,
  };
}

/** The default start of a fit: r = a = b = 1 and α = mean T (α sets the time scale of purchasing). */
function defaultStart(d: WeightedRfm): BgNbdParams {
  let meanT = 0;
  for (let i = 0; i < d.T.length; i++) meanT += (d.weight[i]! * d.T[i]!) / d.n;
  return { r: 1, alpha: meanT, a: 1, b: 1 };
}

// ---------------------------------------------------------------------------------------------
// Fast boxed fit (the CLV metric's model per period): same log-likelihood, computed per distinct
// x, T and t_x; the log-likelihood reported is `bgnbdLogLikelihood`'s.
// ---------------------------------------------------------------------------------------------

/** Search box on log-parameters: wide enough for any sensible data, bounded so a ridge cannot run away. */
const BGNBD_BOX: Record<keyof BgNbdParams, [number, number]> = { r: [-12, 9], alpha: [-12, 16], a: [-12, 7], b: [-12, 7] };

/**
 * BG/NBD total log-likelihood (FHL 2005, eq. 6), as a function of log-parameters, evaluated over
 * collapsed rows with the x-only terms computed once per distinct x and ln(α+T), ln(α+t_x) once
 * per distinct T and t_x. Same value as `bgnbdLogLikelihood`, but its terms are grouped
 * differently (the constant terms before the log-sum), so the two can differ in the last bit — and
 * the optimiser's path follows those bits: the fits of reports are made with this one, the
 * log-likelihood reported is `bgnbdLogLikelihood`'s.
 */
export function bgnbdObjective(d: WeightedRfm): (params: BgNbdParams) => number {
  const xs = distinctIndex(d.x);
  const Ts = distinctIndex(d.T);
  const txs = distinctIndex(d.tx);
  const nx = xs.values.length;
  const c0 = new Float64Array(nx);
  const c1 = new Float64Array(nx);
  const c2 = new Float64Array(nx);
  const lnT = new Float64Array(Ts.values.length);
  const lnTx = new Float64Array(txs.values.length);
  return ({ r, alpha, a, b }) => {
    const lbetaAB = lbeta(a, b);
    const lgammaR = lgamma(r);
    const rLogAlpha = r * Math.log(alpha);
    for (let k = 0; k < nx; k++) {
      const x = xs.values[k];
      c0[k] = lgamma(r + x) - lgammaR + rLogAlpha - lbetaAB;
      c1[k] = lbeta(a, b + x);
      c2[k] = x > 0 ? lbeta(a + 1, b + x - 1) : 0;
    }
    for (let k = 0; k < lnT.length; k++) lnT[k] = Math.log(alpha + Ts.values[k]);
    for (let k = 0; k < lnTx.length; k++) lnTx[k] = Math.log(alpha + txs.values[k]);
    let total = 0;
    for (let i = 0; i < d.x.length; i++) {
      const k = xs.index[i];
      const x = d.x[i];
      const logA1 = c1[k] - (r + x) * lnT[Ts.index[i]];
      const ll = x === 0 ? logA1 : logAddExp(logA1, c2[k] - (r + x) * lnTx[txs.index[i]]);
      total += d.weight[i] * (c0[k] + ll);
    }
    return total;
  };
}

/**
 * BG/NBD by maximum likelihood on collapsed (x, t_x, T). Starts like `fitBgNbd` (r = a = b = 1,
 * α = mean T) unless given a start (the previous period's optimum, which makes a series of fits cheap).
 */
export function fitBgNbdFast(d: WeightedRfm, from?: BgNbdParams): FitSummary<BgNbdParams> {
  const ll = bgnbdObjective(d);
  const names: (keyof BgNbdParams)[] = ['r', 'alpha', 'a', 'b'];
  const box = names.map((k) => BGNBD_BOX[k]);
  const start = startVector(names, from ?? defaultStart(d), box);
  const fit = boxedFit<BgNbdParams>(names, start, box, ll, d.n, from !== undefined);
  const columns = { x: Array.from(d.x), tx: Array.from(d.tx), T: Array.from(d.T), weight: Array.from(d.weight) };
  return { ...fit, logLikelihood: bgnbdLogLikelihood(fit.params, columns) };
}

/**
 * Probability that a customer with history (x, tx, T) is still alive at T:
 * 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+tx))^(r+x)). Computed in logs, as a logistic, so
 * long-inactive heavy buyers do not overflow the power.
 */
export function probabilityAlive(params: BgNbdParams, customer: RfmCustomer): number {
  checkParams(params);
  const { x, tx, T } = customer;
  validateCustomer(x, tx, T);
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return logOdds > 0 ? Math.exp(-logOdds) / (1 + Math.exp(-logOdds)) : 1 / (1 + Math.exp(logOdds));
}

/**
 * Expected number of repeat purchases in the next t time units, E[Y(t) | x, tx, T]
 * (FHL 2005, eq. 10):
 *   (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^(r+x) ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))] · P(alive).
 */
export function expectedPurchases(params: BgNbdParams, t: number, customer: RfmCustomer): number {
  checkParams(params);
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError('expectedPurchases: t must be finite and ≥ 0');
  const { x, tx, T } = customer;
  validateCustomer(x, tx, T);
  if (t === 0) return 0;
  const { r, alpha } = params;
  const z = t / (alpha + T + t);
  const logOneMinusZ = -Math.log1p(t / (alpha + T));
  const aliveTerm = acrossRemovable(params.a, 1, (a) =>
    acrossRemovable(params.b, 1 - a - x, (b) => {
      const c = a + b + x - 1;
      // Euler's transformation: (1−z)^(r+x) ₂F₁(r+x, b+x; c; z) = (1−z)^(a−1) ₂F₁(c−r−x, a−1; c; z).
      // Same value, but heavy buyers no longer need (1−z)^(±(r+x)), which under/overflows.
      return (c / (a - 1)) * oneMinusScaledHyp2f1(a, c - r - x, c, z, logOneMinusZ);
    }),
  );
  return aliveTerm * probabilityAlive(params, customer);
}

/**
 * Expected number of repeat purchases in (0, t] for a customer just acquired, E[X(t)]
 * (FHL 2005, eq. 9): (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))].
 */
export function expectedPurchasesNew(params: BgNbdParams, t: number): number {
  checkParams(params);
  if (!(Number.isFinite(t) && t >= 0)) throw new RangeError('expectedPurchasesNew: t must be finite and ≥ 0');
  if (t === 0) return 0;
  const { r, alpha } = params;
  const z = t / (alpha + t);
  const logOneMinusZ = -Math.log1p(t / alpha);
  return acrossRemovable(params.a, 1, (a) =>
    acrossRemovable(params.b, 1 - a, (b) => {
      const c = a + b - 1;
      // Euler's transformation, as in expectedPurchases: (1−z)^r ₂F₁(r, b; c; z) = (1−z)^(a−1) ₂F₁(c−r, a−1; c; z).
      return (c / (a - 1)) * oneMinusScaledHyp2f1(a, c - r, c, z, logOneMinusZ);
    }),
  );
}

/**
 * 1 − (1−z)^(a−1) ₂F₁(A, a−1; c; z), the bracket of eqs. 9 and 10 after Euler's transformation.
 * For short horizons (z ≤ ½) it vanishes like t, so it is assembled as −(E + G + E·G) from
 * E = (1−z)^(a−1) − 1 (expm1) and G = ₂F₁ − 1 rather than by subtracting from 1: that keeps
 * small t accurate and the expectation from going a hair negative. For long horizons that
 * form would cancel badly (E → −1 while G grows), and the plain product is the accurate one.
 */
function oneMinusScaledHyp2f1(a: number, A: number, c: number, z: number, logOneMinusZ: number): number {
  if (z > 0.5) return 1 - Math.exp((a - 1) * logOneMinusZ) * hyp2f1(A, a - 1, c, z);
  const E = Math.expm1((a - 1) * logOneMinusZ);
  const G = hyp2f1m1(A, a - 1, c, z);
  return -(E + G + E * G);
}

/**
 * Evaluate g(v) where g has a removable singularity at v = v0. Eqs. 9 and 10 divide by a − 1
 * while their bracket vanishes at a = 1, and their ₂F₁ has c = a + b + x − 1, which reaches 0
 * (a pole of ₂F₁, cancelled by the factor c) when x = 0 and a + b = 1. Within h of v0, g is
 * interpolated linearly between g(v0 − h) and g(v0 + h): the interpolation error is O(h²)
 * while cancellation costs about ε/h, so h = 1e-5 keeps roughly 1e-10 relative accuracy.
 */
function acrossRemovable(v: number, v0: number, g: (v: number) => number): number {
  const h = 1e-5;
  if (Math.abs(v - v0) >= h) return g(v);
  const below = g(v0 - h);
  const above = g(v0 + h);
  return below + ((v - (v0 - h)) / (2 * h)) * (above - below);
}
