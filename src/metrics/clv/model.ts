/**
 * CLV `method: bgnbd`: one period's model — the BG/NBD and Gamma-Gamma fits on every order up to
 * the period end (kernel/models), kept across builds by the digest of their input, and the model
 * evaluated per customer (P(alive), expected purchases, discounted expected value).
 */
import { createHash } from 'node:crypto';
import { expectedPurchases, fitBgNbdFast, probabilityAlive, type BgNbdParams } from '../../kernel/models/bgnbd.js';
import { customerLifetimeValue, expectedAverageSpend, fitGammaGammaFast, type GammaGammaParams } from '../../kernel/models/gammagamma.js';
import type { FitSummary } from '../../kernel/models/boxed-fit.js';
import { collapseRfm, type TransactionSummary, type WeightedRfm } from '../../kernel/models/rfm.js';
import type { Granularity } from '../../kernel/period.js';
import { isoDay, periodEnd } from '../repeat-purchase/windows.js';
import { DAY_MS } from '../transactions.js';
import type { Note } from './messages.js';
import type { ClvDef } from './schema.js';
import { cachedJson, codeVersion, readJson } from '../../kernel/disk-cache.js';

/** Weeks per month in the model's time unit. */
const WEEKS_PER_MONTH = 365.25 / 12 / 7;
/** Below these, a period's model is not fitted (its value is "no data" with a note). */
const MIN_CUSTOMERS = 20;
const MIN_REPEAT_CUSTOMERS = 10;

export interface CustomerValue {
  customer: string;
  /** repeat purchases (purchase days after the first) */
  x: number;
  /** time of the last purchase since the first, weeks */
  recency: number;
  /** time from the first purchase to the calibration end, weeks */
  T: number;
  /** mean spend per repeat purchase day (0 when x = 0) */
  zbar: number;
  pAlive: number;
  expectedPurchases: number;
  expectedClv: number;
}

export interface BgnbdPeriod {
  period: string;
  calibrationEnd: string;
  /** customers modelled: a purchase by the calibration end, observed at least one day */
  customers: number;
  repeatCustomers: number;
  /** customers whose first purchase is on the calibration end day (T = 0), not modelled */
  notModelled: number;
  bgnbd: FitSummary<BgNbdParams> | null;
  gammaGamma: (FitSummary<GammaGammaParams> & { customers: number }) | null;
  values: CustomerValue[] | null;
  mean: number | null;
  total: number | null;
  expectedActive: number | null;
  expectedPurchases: number | null;
  notes: Note[];
}


// ---------------------------------------------------------------------------------------------
// bgnbd: one period's model
// ---------------------------------------------------------------------------------------------

/** A period's calibration data: the model's base fields, and what the fits need when there are enough customers. */
export interface PeriodData {
  /** the period's model without fits (customers, notes when it cannot be fitted) */
  base: BgnbdPeriod;
  /** the customers modelled (T > 0), when the period can be fitted */
  modelled?: TransactionSummary[];
  fit?: FitInput;
}

/** What the two fits of a period are a function of (with their start). */
export interface FitInput {
  calibrationEnd: string;
  collapsed: WeightedRfm;
  /** Gamma-Gamma data: repeat buyers with a positive mean repeat spend */
  x: number[];
  zbar: number[];
}

/** The BG/NBD and Gamma-Gamma fits of one period. */
export interface PeriodFits {
  bg: FitSummary<BgNbdParams>;
  gg: FitSummary<GammaGammaParams> & { customers: number };
}

export function periodData(period: string, granularity: Granularity, summaries: (calibrationEnd: string) => TransactionSummary[], hasData: (end: number) => boolean): PeriodData {
  const end = periodEnd(period, granularity);
  const calibrationEnd = isoDay(end - DAY_MS);
  const empty: BgnbdPeriod = { period, calibrationEnd, customers: 0, repeatCustomers: 0, notModelled: 0, bgnbd: null, gammaGamma: null, values: null, mean: null, total: null, expectedActive: null, expectedPurchases: null, notes: [] };
  if (!hasData(end)) return { base: { ...empty, notes: [{ key: 'note.noOrders' }] } };
  const summary = summaries(calibrationEnd);
  const modelled = summary.filter((s) => s.T > 0);
  const repeat = modelled.filter((s) => s.x > 0);
  // Spend information: repeat buyers with a positive mean repeat spend (all-free repeat purchases carry none).
  const spenders = repeat.filter((s) => s.zbar > 0);
  const base = { ...empty, customers: modelled.length, repeatCustomers: repeat.length, notModelled: summary.length - modelled.length };
  if (modelled.length < MIN_CUSTOMERS || spenders.length < MIN_REPEAT_CUSTOMERS)
    return { base: { ...base, notes: [{ key: 'note.notFitted', vars: { min: MIN_CUSTOMERS, minRepeat: MIN_REPEAT_CUSTOMERS, customers: modelled.length, spenders: spenders.length } }] } };
  const collapsed = collapseRfm({ x: modelled.map((s) => s.x), tx: modelled.map((s) => s.tx), T: modelled.map((s) => s.T) });
  return { base, modelled, fit: { calibrationEnd, collapsed, x: spenders.map((s) => s.x), zbar: spenders.map((s) => s.zbar) } };
}

/**
 * Fits kept across builds (module level, least recently used first out), keyed by the digest of
 * everything a period's fits are a function of: the orders up to its calibration end (customer,
 * time and amount of each, which make every customer's x, t_x, T and mean spend), the calibration
 * end and the start (the previous period's optimum). The same input gives the same fits, so a hit
 * returns exactly what fitting would, without even summarising the period's customers; null: the
 * period has too few customers to fit.
 */
const fitCache = new Map<string, PeriodFits | null>();
const FIT_CACHE_SIZE = 256;
/** Hits and misses of the fit cache since the process started (for tests and benchmarks). */
export const fitCacheStats = { hits: 0, misses: 0 };

/** The digests of the orders before each instant (valid rows in time order), made in one pass as periods are asked for in order. */
export function orderDigests(customers: ArrayLike<string>, ts: ArrayLike<number>, amounts: ArrayLike<number>): (end: number) => string {
  const memo = new Map<number, string>();
  let hash = createHash('sha256');
  let at = 0;
  let upTo = -Infinity;
  return (end) => {
    const hit = memo.get(end);
    if (hit) return hit;
    // asked out of order (not what compute does): start again from the first order
    if (end < upTo) [hash, at] = [createHash('sha256'), 0];
    let chunk = '';
    for (; at < ts.length && ts[at] < end; at++) chunk += `${customers[at]}\u0000${ts[at]}\u0000${amounts[at]}\n`;
    hash.update(chunk);
    upTo = end;
    const digest = hash.copy().digest('base64');
    memo.set(end, digest);
    return digest;
  };
}

export function fitKey(orders: string, calibrationEnd: string, start: { bg: BgNbdParams; gg: GammaGammaParams } | undefined): string {
  const hash = createHash('sha256').update(`${orders}|${calibrationEnd}|`);
  hash.update(start ? Float64Array.from([start.bg.r, start.bg.alpha, start.bg.a, start.bg.b, start.gg.p, start.gg.q, start.gg.gamma]) : new Uint8Array(0));
  return hash.digest('base64url');
}

/** The fits of `key` if they are known without fitting (kept in memory or on disk), else undefined; nothing is counted or kept. */
export function knownFits(key: string): PeriodFits | null | undefined {
  const hit = fitCache.get(key);
  fitsVersion ??= codeVersion(import.meta.url, FIT_CODE);
  return hit !== undefined ? hit : readJson<PeriodFits | null>('clv-fits', fitsVersion, key);
}

/** The version of the fits kept on disk: the code that makes them (this file and the fitters). */
let fitsVersion: string | null | undefined;
const FIT_CODE = ['./model.js', '../../kernel/models/bgnbd.js', '../../kernel/models/gammagamma.js', '../../kernel/models/boxed-fit.js', '../../kernel/models/optimize.js', '../../kernel/models/special.js', '../../kernel/models/rfm.js'];

/**
 * The fits of `key` from the cache in memory, else from the cache on disk (kernel/disk-cache.ts:
 * kept across builds, a hit is the fits exactly as stored), else made by `fit` and kept in both.
 */
export function cachedFits(key: string, fit: () => PeriodFits | null): PeriodFits | null {
  const hit = fitCache.get(key);
  if (hit !== undefined) {
    fitCacheStats.hits++;
    // most recently used last
    fitCache.delete(key);
    fitCache.set(key, hit);
    return hit;
  }
  fitCacheStats.misses++;
  fitsVersion ??= codeVersion(import.meta.url, FIT_CODE);
  const fits = cachedJson('clv-fits', fitsVersion, key, fit);
  fitCache.set(key, fits);
  if (fitCache.size > FIT_CACHE_SIZE) fitCache.delete(fitCache.keys().next().value!);
  return fits;
}

/**
 * Models evaluated per customer (the periods a report shows), kept like the fits, up to about a
 * million customer values in all.
 */
const modelCache = new Map<string, BgnbdPeriod>();
const MODEL_CACHE_VALUES = 1_000_000;
let modelCacheValues = 0;

export function cachedModel(key: string, evaluate: () => BgnbdPeriod): BgnbdPeriod {
  const hit = modelCache.get(key);
  if (hit) {
    modelCache.delete(key);
    modelCache.set(key, hit);
    return hit;
  }
  const model = evaluate();
  const size = (m: BgnbdPeriod) => 1 + (m.values?.length ?? 0);
  modelCache.set(key, model);
  modelCacheValues += size(model);
  // least recently used first out, never the model just made
  for (const [k, m] of modelCache) {
    if (modelCacheValues <= MODEL_CACHE_VALUES || k === key) break;
    modelCache.delete(k);
    modelCacheValues -= size(m);
  }
  return model;
}

export function fitsFor(input: FitInput, start: { bg: BgNbdParams; gg: GammaGammaParams } | undefined): PeriodFits {
  const bg = fitBgNbdFast(input.collapsed, start?.bg);
  const gg = { ...fitGammaGammaFast(input.x, input.zbar, start?.gg), customers: input.x.length };
  return { bg, gg };
}

/** A period's model: per-customer values and their sums from its fits (null: not fitted, see the base's notes). */
export function evaluatePeriod(data: PeriodData, fits: PeriodFits | null, def: ClvDef): BgnbdPeriod {
  const { base } = data;
  if (!fits || !data.modelled) return base;
  const modelled = data.modelled;
  const { bg, gg } = fits;
  const notes: Note[] = [];
  if (!bg.converged || !gg.converged) notes.push({ key: 'note.convergence', lists: { models: [!bg.converged ? 'BG/NBD' : '', !gg.converged ? 'Gamma-Gamma' : ''].filter(Boolean) } });
  if (bg.atBound.length + gg.atBound.length > 0) notes.push({ key: 'note.atBound', lists: { params: [...bg.atBound, ...gg.atBound] } });
  if (gg.params.q <= 1) return { ...base, bgnbd: bg, gammaGamma: gg, notes: [...notes, { key: 'note.q' }] };

  const horizonWeeks = def.horizon_months * WEEKS_PER_MONTH;
  const clvOptions = { horizonPeriods: def.horizon_months, discountRatePerPeriod: Math.pow(1 + def.discount_rate, 1 / 12) - 1, periodLength: WEEKS_PER_MONTH };
  // P(alive), expected purchases and the discounted purchase stream depend on (x, t_x, T) only: once per distinct history.
  const byHistory = new Map<string, { pAlive: number; purchases: number; stream: number }>();
  const values: CustomerValue[] = [];
  try {
    for (const s of modelled) {
      const key = `${s.x}|${s.x === 0 ? 0 : s.tx}|${s.T}`;
      let h = byHistory.get(key);
      // zbar = 0 with x ≥ 1 (only free repeat purchases): the conditional expectation's limit as zbar → 0.
      const spend = expectedAverageSpend(gg.params, s.x, s.x > 0 && s.zbar === 0 ? Number.MIN_VALUE : s.zbar);
      if (!h) {
        // customerLifetimeValue is linear in the expected spend: the stream is its value per unit of spend.
        h = { pAlive: probabilityAlive(bg.params, s), purchases: expectedPurchases(bg.params, horizonWeeks, s), stream: customerLifetimeValue(bg.params, gg.params, s, clvOptions) / spend };
        byHistory.set(key, h);
      }
      values.push({ customer: s.customerId, x: s.x, recency: s.tx, T: s.T, zbar: s.zbar, pAlive: h.pAlive, expectedPurchases: h.purchases, expectedClv: def.margin * spend * h.stream });
    }
  } catch (error) {
    return { ...base, bgnbd: bg, gammaGamma: gg, notes: [...notes, { key: 'note.evaluation', vars: { error: (error as Error).message } }] };
  }
  if (!values.every((v) => Number.isFinite(v.pAlive) && Number.isFinite(v.expectedPurchases) && Number.isFinite(v.expectedClv)))
    return { ...base, bgnbd: bg, gammaGamma: gg, notes: [...notes, { key: 'note.notFinite' }] };
  let total = 0;
  let active = 0;
  let purchases = 0;
  for (const v of values) {
    total += v.expectedClv;
    active += v.pAlive;
    purchases += v.expectedPurchases;
  }
  return { ...base, bgnbd: bg, gammaGamma: gg, values, total, mean: total / values.length, expectedActive: active, expectedPurchases: purchases, notes };
}
