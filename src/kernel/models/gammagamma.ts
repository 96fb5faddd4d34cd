/**
 * Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: Using
 * Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma
 * Model of Monetary Value") and a discounted CLV that combines it with BG/NBD.
 *
 * Each transaction value is Gamma(p, ν) for a customer-specific ν ~ Gamma(q, γ); a customer
 * with x repeat transactions is summarised by their mean spend zbar (m_x), which is
 * Gamma(px, νx) given ν. Spend is assumed independent of the purchase process.
 */
import { expectedPurchases, type BgNbdParams } from './bgnbd.js';
import { boxedFit, distinctIndex, startVector, type FitSummary } from './boxed-fit.js';
import { minimize } from './optimize.js';
import { validateCustomer, type RfmCustomer } from './rfm.js';
import { lgamma } from './special.js';

/** Gamma-Gamma parameters: p (shape per transaction), q and γ (shape and scale of ν). */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** A customer's number of repeat transactions and mean spend over them. */
export interface SpendCustomer {
  x: number;
  zbar: number;
}

/** Per-customer rows or parallel columns. */
export type SpendData = readonly SpendCustomer[] | { x: readonly number[]; zbar: readonly number[] };

/** Result of {@link fitGammaGamma}. */
export interface GammaGammaFit {
  params: GammaGammaParams;
  /** Maximised log-likelihood of the observed mean spends. */
  logLikelihood: number;
  converged: boolean;
  /** Customers used (those with x ≥ 1). */
  n: number;
  iterations: number;
}

/** Options for {@link fitGammaGamma}. */
export interface FitGammaGammaOptions {
  /** Starting values; default p = q = 1 and γ = mean zbar. */
  start?: GammaGammaParams;
}

function checkParams(params: GammaGammaParams): void {
  const { p, q, gamma } = params;
  if (![p, q, gamma].every((v) => Number.isFinite(v) && v > 0)) {
    throw new RangeError('Gamma-Gamma parameters p, q, gamma must be finite and > 0');
  }
}

/**
 * The customers that carry spend information: x ≥ 1 (integer) with zbar > 0. Customers with
 * x = 0 have no repeat transactions to average and are skipped, as in the 2013 note.
 */
function spendRows(data: SpendData): { x: number[]; zbar: number[] } {
  const xs = Array.isArray(data) ? (data as readonly SpendCustomer[]).map((d) => d.x) : (data as { x: readonly number[] }).x;
  const zs = Array.isArray(data) ? (data as readonly SpendCustomer[]).map((d) => d.zbar) : (data as { zbar: readonly number[] }).zbar;
  if (xs.length !== zs.length) throw new RangeError('Gamma-Gamma data: x and zbar must have the same length');
  const x: number[] = [];
  const zbar: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const xi = xs[i]!;
    const zi = zs[i]!;
    if (!(Number.isInteger(xi) && xi >= 0)) throw new RangeError(`Gamma-Gamma row ${i}: x must be an integer ≥ 0`);
    if (xi === 0) continue;
    if (!(Number.isFinite(zi) && zi > 0)) throw new RangeError(`Gamma-Gamma row ${i}: zbar must be > 0 when x ≥ 1`);
    x.push(xi);
    zbar.push(zi);
  }
  return { x, zbar };
}

/** Total Gamma-Gamma log-likelihood over customers with x ≥ 1 (x = 0 rows are skipped). */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: SpendData): number {
  checkParams(params);
  const { x, zbar } = spendRows(data);
  return gammaGammaObjective(x, zbar)(params);
}

/**
 * The total log-likelihood of mean spends zbar given x (customers with x ≥ 1) as a function of
 * the parameters: the sum over customers of the log-density (the full density, constants included)
 *   ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln zbar + px ln x − (px+q) ln(γ + x·zbar),
 * added up left to right, with the logs of the data taken once and the first four terms (which
 * depend on x only) once per distinct x at each evaluation — the fits evaluate it many times.
 */
export function gammaGammaObjective(x: readonly number[], zbar: readonly number[]): (params: GammaGammaParams) => number {
  const n = x.length;
  const lnZ = new Float64Array(n);
  const lnX = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    lnZ[i] = Math.log(zbar[i]!);
    lnX[i] = Math.log(x[i]!);
  }
  const xs = distinctIndex(Float64Array.from(x));
  const cx = new Float64Array(xs.values.length);
  return ({ p, q, gamma }) => {
    const lgammaQ = lgamma(q);
    const qLogGamma = q * Math.log(gamma);
    for (let k = 0; k < cx.length; k++) {
      const px = p * xs.values[k]!;
      cx[k] = lgamma(px + q) - lgamma(px) - lgammaQ + qLogGamma;
    }
    let total = 0;
    for (let i = 0; i < n; i++) {
      const px = p * x[i]!;
      total += cx[xs.index[i]!]! + (px - 1) * lnZ[i]! + px * lnX[i]! - (px + q) * Math.log(gamma + x[i]! * zbar[i]!);
    }
    return total;
  };
}

/** Mean of the mean spends: the default start of γ. */
function meanSpend(zbar: readonly number[]): number {
  return zbar.reduce((s, z) => s + z, 0) / zbar.length;
}

/**
 * Fit the Gamma-Gamma model by maximum likelihood on log-parameters, using only customers with
 * x ≥ 1. The default start p = q = 1, γ = mean zbar puts the scale in the data's currency.
 */
export function fitGammaGamma(data: SpendData, options: FitGammaGammaOptions = {}): GammaGammaFit {
  const { x, zbar } = spendRows(data);
  const n = x.length;
  if (n === 0) throw new RangeError('fitGammaGamma: no customers with x ≥ 1');
  const start = options.start ?? { p: 1, q: 1, gamma: meanSpend(zbar) };
  checkParams(start);
  const toParams = (v: readonly number[]): GammaGammaParams => ({ p: Math.exp(v[0]!), q: Math.exp(v[1]!), gamma: Math.exp(v[2]!) });
  const logLikelihood = gammaGammaObjective(x, zbar);
  const objective = (v: readonly number[]): number => -logLikelihood(toParams(v)) / n;
  const result = minimize(objective, [start.p, start.q, start.gamma].map(Math.log), { initialStep: 0.5 });
  const params = toParams(result.x);
  return { params, logLikelihood: logLikelihood(params), converged: result.converged, n, iterations: result.iterations };
}

/** Search box of p and q on the log scale (γ's is centred on the log of the mean spend): as for BG/NBD, bounded so a ridge cannot run away. */
const GG_BOX: [number, number] = [-12, 9];

/**
 * Gamma-Gamma by maximum likelihood in a search box (./boxed-fit.ts; the CLV metric's model per
 * period) on customers with x ≥ 1 and zbar > 0; starts like `fitGammaGamma` (p = q = 1,
 * γ = mean zbar) unless given a start (the previous period's optimum).
 */
export function fitGammaGammaFast(x: readonly number[], zbar: readonly number[], from?: GammaGammaParams): FitSummary<GammaGammaParams> {
  const mean = meanSpend(zbar);
  const names: (keyof GammaGammaParams)[] = ['p', 'q', 'gamma'];
  const logMean = Math.log(mean);
  const box: [number, number][] = [GG_BOX, GG_BOX, [logMean - 20, logMean + 20]];
  const start = startVector(names, from ?? { p: 1, q: 1, gamma: mean }, box);
  const fit = boxedFit<GammaGammaParams>(names, start, box, gammaGammaObjective(x, zbar), x.length, from !== undefined);
  return { ...fit, logLikelihood: gammaGammaLogLikelihood(fit.params, { x, zbar }) };
}

/**
 * Expected spend per transaction given x repeat transactions with mean zbar
 * (Fader & Hardie 2013): (γ + x·zbar)·p / (px + q − 1), a weighted average of the population
 * mean γp/(q−1) and zbar. With x = 0 this is the population mean, which requires q > 1.
 */
export function expectedAverageSpend(params: GammaGammaParams, x: number, zbar: number): number {
  checkParams(params);
  if (!(Number.isInteger(x) && x >= 0)) throw new RangeError('expectedAverageSpend: x must be an integer ≥ 0');
  if (x > 0 && !(Number.isFinite(zbar) && zbar > 0)) throw new RangeError('expectedAverageSpend: zbar must be > 0 when x ≥ 1');
  const { p, q, gamma } = params;
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) throw new RangeError('expectedAverageSpend: undefined for p·x + q ≤ 1 (needs q > 1 when x = 0)');
  return ((gamma + (x > 0 ? x * zbar : 0)) * p) / denominator;
}

/** Discretisation of the CLV sum. */
export interface ClvOptions {
  /** Number of discounting periods to sum over (e.g. 12 months). */
  horizonPeriods: number;
  /** Discount rate per period (e.g. 0.01 per month). */
  discountRatePerPeriod: number;
  /** Length of one period in the BG/NBD time unit (e.g. 52/12 ≈ 4.33 when the model is in weeks and periods are months). */
  periodLength: number;
}

/**
 * Discounted expected customer value over a finite horizon:
 *
 *   CLV = Σ_{k=1}^{H} E[spend] · (E[Y(kL)] − E[Y((k−1)L)]) / (1 + d)^k
 *
 * where E[Y(·)] is the BG/NBD conditional expectation for the customer's (x, tx, T), L the
 * period length, d the per-period discount rate and E[spend] the Gamma-Gamma expected average
 * spend. Purchases expected within period k are discounted as if paid at its end — the
 * discretisation used by the lifetimes package's customer_lifetime_value. It is revenue, not
 * margin: multiply by a margin to get profit.
 */
export function customerLifetimeValue(
  bgnbdParams: BgNbdParams,
  ggParams: GammaGammaParams,
  customer: RfmCustomer & { zbar: number },
  options: ClvOptions,
): number {
  const { horizonPeriods, discountRatePerPeriod, periodLength } = options;
  if (!(Number.isInteger(horizonPeriods) && horizonPeriods >= 0)) throw new RangeError('customerLifetimeValue: horizonPeriods must be an integer ≥ 0');
  if (!(Number.isFinite(discountRatePerPeriod) && discountRatePerPeriod > -1)) throw new RangeError('customerLifetimeValue: discountRatePerPeriod must be > −1');
  if (!(Number.isFinite(periodLength) && periodLength > 0)) throw new RangeError('customerLifetimeValue: periodLength must be > 0');
  validateCustomer(customer.x, customer.tx, customer.T);
  const spend = expectedAverageSpend(ggParams, customer.x, customer.zbar);
  let value = 0;
  let previous = 0;
  for (let k = 1; k <= horizonPeriods; k++) {
    const cumulative = expectedPurchases(bgnbdParams, k * periodLength, customer);
    value += (spend * (cumulative - previous)) / Math.pow(1 + discountRatePerPeriod, k);
    previous = cumulative;
  }
  return value;
}
