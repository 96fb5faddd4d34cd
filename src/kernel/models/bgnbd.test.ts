/**
 * BG/NBD against independent references:
 * - Fader, Hardie & Lee (2005), Marketing Science 24(2): MLEs for the 2,357-customer CDNOW
 *   calibration sample r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 (Section 5), and
 *   Hardie's companion spreadsheet: customer 1 (x = 2, tx = 30.43, T = 38.86) is expected to make
 *   1.226 purchases in the next 39 weeks (the lifetimes test suite checks the same number).
 * - lifetimes' Quickstart (CamDavidsonPilon/lifetimes docs/Quickstart.md) printout of the same
 *   fit, r = 0.242593, α = 4.413532, a = 0.792886, b = 2.425752, and its five customers with the
 *   highest expected purchases in the next week.
 * - The model's own probability mass function (FHL 2005, eq. 8), an independent route to E[X(t)].
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import {
  bgnbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesNew,
  fitBgNbd,
  probabilityAlive,
  type BgNbdFit,
  type BgNbdParams,
} from './bgnbd.js';
import type { RfmCustomer } from './rfm.js';
import { lbeta, lgamma } from './special.js';

const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const PUBLISHED_LL = -9582.4;
const LIFETIMES_FIT: BgNbdParams = { r: 0.242593, alpha: 4.413532, a: 0.792886, b: 2.425752 };

const relativeError = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

function readCdnowSummary(): (RfmCustomer & { id: number })[] {
  const rows = parse(readFileSync(sharedFile('cdnow', 'lifetimes_cdnow_customers_summary.csv'), 'utf8'), {
    columns: true,
    cast: true,
  }) as { ID: number; frequency: number; recency: number; T: number }[];
  return rows.map((r) => ({ id: r.ID, x: r.frequency, tx: r.recency, T: r.T }));
}

describeShared('BG/NBD on the CDNOW sample (FHL 2005)', () => {
  // Loaded in a hook, not at collection, so that a skipped suite never touches the files.
  let customers: (RfmCustomer & { id: number })[] = [];
  let fit: BgNbdFit;
  let elapsedMs = 0;
  beforeAll(() => {
    customers = readCdnowSummary();
    const started = performance.now();
    fit = fitBgNbd(customers);
    elapsedMs = performance.now() - started;
  });

  it('reads all 2,357 customers', () => {
    expect(customers).toHaveLength(2357);
    expect(fit.n).toBe(2357);
  });

  it('reproduces the published estimates within 1%', () => {
    expect(fit.converged).toBe(true);
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(fit.params[key], PUBLISHED[key])).toBeLessThan(0.01);
    }
    expect(relativeError(fit.logLikelihood, PUBLISHED_LL)).toBeLessThan(0.01);
    // Much tighter in fact: the published LL is given to 0.1.
    expect(Math.abs(fit.logLikelihood - PUBLISHED_LL)).toBeLessThan(0.05);
  });

  it('agrees with lifetimes’ fit to about 5 significant digits', () => {
    for (const key of ['r', 'alpha', 'a', 'b'] as const) {
      expect(relativeError(fit.params[key], LIFETIMES_FIT[key])).toBeLessThan(1e-4);
    }
  });

  it('gives LL = −9582.4 at the published (rounded) parameters', () => {
    expect(bgnbdLogLikelihood(PUBLISHED, customers)).toBeCloseTo(PUBLISHED_LL, 1);
  });

  it('fits in well under a few seconds', () => {
    expect(elapsedMs).toBeLessThan(3000);
  });

  it('expects 1.226 purchases in 39 weeks for customer 1 (x = 2, tx = 30.43, T = 38.86)', () => {
    const customer = { x: 2, tx: 30.43, T: 38.86 };
    expect(expectedPurchases(fit.params, 39, customer)).toBeCloseTo(1.226, 3);
    expect(expectedPurchases(PUBLISHED, 39, customer)).toBeCloseTo(1.226, 3);
  });

  it('ranks the same top five customers for next week as lifetimes’ Quickstart, with the same values', () => {
    // ID: [x, tx, T, lifetimes' conditional_expected_number_of_purchases_up_to_time(1, …)]
    const lifetimesTop5: Record<number, [number, number, number, number]> = {
      509: [18, 35.14, 35.86, 0.424877],
      841: [19, 34.0, 34.14, 0.474738],
      1981: [17, 28.43, 28.86, 0.486526],
      157: [29, 37.71, 38.0, 0.662396],
      1516: [26, 30.86, 31.0, 0.710623],
    };
    const predicted = customers.map((c) => ({ id: c.id, value: expectedPurchases(fit.params, 1, c) }));
    predicted.sort((p, q) => q.value - p.value);
    expect(predicted.slice(0, 5).map((p) => p.id).sort()).toEqual(Object.keys(lifetimesTop5).map(Number).sort());
    for (const [id, [x, tx, T, expected]] of Object.entries(lifetimesTop5)) {
      const row = customers.find((c) => c.id === Number(id))!;
      expect(row).toMatchObject({ x, tx, T });
      expect(relativeError(expectedPurchases(fit.params, 1, row), expected)).toBeLessThan(1e-4);
    }
  });

  it('gives sensible P(alive) across the base', () => {
    const alive = customers.map((c) => probabilityAlive(fit.params, c));
    expect(alive.every((p) => p >= 0 && p <= 1)).toBe(true);
    // Customers with no repeat purchase cannot have dropped out (drop-out follows a purchase).
    customers.forEach((c, i) => {
      if (c.x === 0) expect(alive[i]).toBe(1);
    });
    // Customer 1, worked by hand with the published parameters:
    //   a/(b+x−1) = 0.793/3.426 = 0.231465; (α+T)/(α+tx) = 43.274/34.844 = 1.241935;
    //   1.241935^(r+x = 2.243) = 1.62584; P = 1/(1 + 0.231465·1.62584) = 0.72657.
    expect(probabilityAlive(PUBLISHED, { x: 2, tx: 30.43, T: 38.86 })).toBeCloseTo(0.72657, 4);
    // A customer who just bought is more likely alive than one silent for 30 weeks.
    expect(probabilityAlive(fit.params, { x: 5, tx: 38, T: 38.86 })).toBeGreaterThan(probabilityAlive(fit.params, { x: 5, tx: 8, T: 38.86 }));
  });
});

describe('BG/NBD formulas', () => {
  const params: BgNbdParams = PUBLISHED;

  it('E[X(t)] (eq. 9) equals Σ x·P(X(t) = x) from the pmf (eq. 8)', () => {
    for (const t of [1, 10, 39, 78]) {
      const { r, alpha, a, b } = params;
      const p = t / (alpha + t);
      const maxX = 4000;
      // NBD(r, p) pmf, then upper tails P(N ≥ x) summed from the top to avoid 1 − (sum) cancellation.
      const nbd = Array.from({ length: maxX + 1 }, (_, j) =>
        Math.exp(lgamma(r + j) - lgamma(r) - lgamma(j + 1) + r * Math.log(alpha / (alpha + t)) + j * Math.log(p)),
      );
      const tail = new Array<number>(maxX + 2).fill(0);
      for (let j = maxX; j >= 0; j--) tail[j] = tail[j + 1]! + nbd[j]!;
      let mean = 0;
      for (let x = 1; x <= maxX; x++) {
        const alive = Math.exp(lbeta(a, b + x) - lbeta(a, b)) * nbd[x]!;
        const died = Math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * tail[x]!;
        mean += x * (alive + died);
      }
      expect(relativeError(expectedPurchasesNew(params, t), mean)).toBeLessThan(1e-9);
    }
  });

  it('conditional expectation of a brand-new customer (x = 0, T → 0) tends to E[X(t)]', () => {
    const fresh = expectedPurchases(params, 39, { x: 0, tx: 0, T: 1e-9 });
    expect(relativeError(fresh, expectedPurchasesNew(params, 39))).toBeLessThan(1e-8);
  });

  it('log-likelihood matches eq. 6 evaluated literally in natural space', () => {
    const { r, alpha, a, b } = params;
    const customers = [
      { x: 0, tx: 0, T: 38.86 },
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 7, tx: 29.43, T: 38.86 },
    ];
    let expected = 0;
    for (const { x, tx, T } of customers) {
      const common = (Math.exp(lgamma(r + x) - lgamma(r)) * alpha ** r) / Math.exp(lbeta(a, b));
      const aliveTerm = (Math.exp(lbeta(a, b + x)) * common) / (alpha + T) ** (r + x);
      const deadTerm = x > 0 ? (Math.exp(lbeta(a + 1, b + x - 1)) * common) / (alpha + tx) ** (r + x) : 0;
      expected += Math.log(aliveTerm + deadTerm);
    }
    expect(bgnbdLogLikelihood(params, customers)).toBeCloseTo(expected, 10);
  });

  it('treats weights, duplicated rows and columns alike', () => {
    const rows = [
      { x: 0, tx: 0, T: 30 },
      { x: 0, tx: 0, T: 30 },
      { x: 3, tx: 12, T: 30 },
    ];
    const expanded = bgnbdLogLikelihood(params, rows);
    expect(bgnbdLogLikelihood(params, { x: [0, 3], tx: [0, 12], T: [30, 30], weight: [2, 1] })).toBeCloseTo(expanded, 12);
    expect(bgnbdLogLikelihood(params, { x: [0, 0, 3], tx: [0, 0, 12], T: [30, 30, 30] })).toBeCloseTo(expanded, 12);
  });

  it('is continuous through the removable singularities a = 1 and a + b = 1', () => {
    const near = (a: number, b = 2) => expectedPurchasesNew({ ...params, a, b }, 39);
    expect(relativeError(near(1), (near(1 - 2e-4) + near(1 + 2e-4)) / 2)).toBeLessThan(1e-7);
    const customer = { x: 0, tx: 0, T: 20 };
    const conditional = (a: number, b: number) => expectedPurchases({ ...params, a, b }, 39, customer);
    expect(relativeError(conditional(0.4, 0.6), (conditional(0.4, 0.6 - 2e-4) + conditional(0.4, 0.6 + 2e-4)) / 2)).toBeLessThan(1e-7);
    expect(Number.isFinite(expectedPurchasesNew({ ...params, a: 0.3, b: 0.7 }, 10))).toBe(true);
  });

  it('starts at the posterior purchase rate for short horizons: E ≈ t·(r+x)/(α+T)·P(alive)', () => {
    // Given survival, λ | x, T ~ Gamma(r+x, α+T) (Gamma–Poisson conjugacy), so dE/dt at 0 is its mean.
    const t = 1e-9;
    expect(relativeError(expectedPurchasesNew(params, t), (t * params.r) / params.alpha)).toBeLessThan(1e-6);
    const customer = { x: 2, tx: 30.43, T: 38.86 };
    const rate = ((params.r + 2) / (params.alpha + 38.86)) * probabilityAlive(params, customer);
    expect(relativeError(expectedPurchases(params, t, customer), t * rate)).toBeLessThan(1e-6);
  });

  it('stays finite and increasing far out in time and for heavy buyers', () => {
    const horizons = [1e2, 1e3, 1e4, 1e5, 1e6];
    const newCustomer = horizons.map((t) => expectedPurchasesNew(params, t));
    const heavyBuyer = horizons.map((t) => expectedPurchases(params, t, { x: 1000, tx: 99, T: 100 }));
    for (const series of [newCustomer, heavyBuyer]) {
      expect(series.every(Number.isFinite)).toBe(true);
      for (let i = 1; i < series.length; i++) expect(series[i]!).toBeGreaterThan(series[i - 1]!);
    }
  });

  it('rejects invalid input', () => {
    expect(() => bgnbdLogLikelihood({ ...params, r: -1 }, [{ x: 1, tx: 1, T: 2 }])).toThrow(RangeError);
    expect(() => probabilityAlive(params, { x: 1.5, tx: 1, T: 2 })).toThrow(RangeError);
    expect(() => probabilityAlive(params, { x: 1, tx: 3, T: 2 })).toThrow(RangeError);
    expect(() => expectedPurchases(params, -1, { x: 1, tx: 1, T: 2 })).toThrow(RangeError);
    expect(() => fitBgNbd([])).toThrow(RangeError);
  });
});

describe('BG/NBD properties (fast-check)', () => {
  const paramsArb = fc.record({
    r: fc.double({ min: 0.05, max: 5, noNaN: true }),
    alpha: fc.double({ min: 0.5, max: 50, noNaN: true }),
    a: fc.double({ min: 0.05, max: 5, noNaN: true }),
    b: fc.double({ min: 0.05, max: 5, noNaN: true }),
  });
  const customerArb = fc
    .tuple(fc.integer({ min: 0, max: 40 }), fc.double({ min: 0.5, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([x, T, u]): RfmCustomer => ({ x, T, tx: x === 0 ? 0 : u * T }));

  it('P(alive) lies in [0, 1]', () => {
    fc.assert(
      fc.property(paramsArb, customerArb, (p, c) => {
        const value = probabilityAlive(p, c);
        return value >= 0 && value <= 1;
      }),
    );
  });

  it('expected purchases are ≥ 0 and non-decreasing in t', () => {
    fc.assert(
      fc.property(
        paramsArb,
        customerArb,
        fc.double({ min: 0, max: 200, noNaN: true }),
        fc.double({ min: 0, max: 200, noNaN: true }),
        (p, c, t1, t2) => {
          const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
          const eLo = expectedPurchases(p, lo, c);
          const eHi = expectedPurchases(p, hi, c);
          return eLo >= 0 && eHi >= eLo - 1e-9 * Math.max(1, eHi);
        },
      ),
    );
  });

  it('E[X(t)] for a new customer is ≥ 0 and non-decreasing in t', () => {
    fc.assert(
      fc.property(paramsArb, fc.double({ min: 0, max: 200, noNaN: true }), fc.double({ min: 0, max: 200, noNaN: true }), (p, t1, t2) => {
        const [lo, hi] = t1 <= t2 ? [t1, t2] : [t2, t1];
        const eLo = expectedPurchasesNew(p, lo);
        const eHi = expectedPurchasesNew(p, hi);
        return eLo >= 0 && eHi >= eLo - 1e-9 * Math.max(1, eHi);
      }),
    );
  });
});
