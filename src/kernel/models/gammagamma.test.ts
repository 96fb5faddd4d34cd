/**
 * Gamma-Gamma and CLV against independent references:
 * - Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": p = 6.25, q = 3.74,
 *   γ = 15.44 for the 946 CDNOW sample customers with at least one repeat purchase (also the
 *   expected values in lifetimes' and BTYD's test suites and examples).
 * - lifetimes' Quickstart (CamDavidsonPilon/lifetimes docs/Quickstart.md): its fit prints
 *   p 6.25, q 3.74, v 15.45, followed by conditional expected average profits and a 12-step
 *   discounted CLV for the first customers, which this module's discretisation reproduces.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { expectedPurchases, fitBgNbd, type BgNbdParams } from './bgnbd.js';
import {
  customerLifetimeValue,
  expectedAverageSpend,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  type GammaGammaFit,
  type GammaGammaParams,
} from './gammagamma.js';
import { lgamma } from './special.js';

const PUBLISHED: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
const relativeError = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected);

interface SummaryRow {
  id: number;
  x: number;
  tx: number;
  T: number;
  zbar: number;
}

function readSummaryWithSpend(): SummaryRow[] {
  const rows = parse(readFileSync(sharedFile('cdnow', 'lifetimes_cdnow_customers_summary_with_transactions.csv'), 'utf8'), {
    columns: true,
    cast: true,
  }) as { ID: number; x: number; t_x: number; T: number; zbar: number }[];
  return rows.map((r) => ({ id: r.ID, x: r.x, tx: r.t_x, T: r.T, zbar: r.zbar }));
}

describeShared('Gamma-Gamma on the CDNOW sample (Fader & Hardie 2013)', () => {
  // Loaded in a hook, not at collection, so that a skipped suite never touches the files.
  let rows: SummaryRow[] = [];
  let fit: GammaGammaFit;
  let elapsedMs = 0;
  beforeAll(() => {
    rows = readSummaryWithSpend();
    const started = performance.now();
    fit = fitGammaGamma(rows);
    elapsedMs = performance.now() - started;
  });

  it('uses the 946 customers with x ≥ 1', () => {
    expect(rows).toHaveLength(2357);
    expect(fit.n).toBe(946);
  });

  it('reproduces p = 6.25, q = 3.74, γ = 15.44 within 1%', () => {
    expect(fit.converged).toBe(true);
    for (const key of ['p', 'q', 'gamma'] as const) {
      expect(relativeError(fit.params[key], PUBLISHED[key])).toBeLessThan(0.01);
    }
    // The optimum is a maximum: the published (rounded) point scores no better.
    expect(gammaGammaLogLikelihood(PUBLISHED, rows)).toBeLessThanOrEqual(fit.logLikelihood);
    expect(elapsedMs).toBeLessThan(3000);
  });

  it('matches lifetimes’ conditional expected average profit for the first customers', () => {
    // lifetimes Quickstart: conditional_expected_average_profit(...).head(10)
    const lifetimes: Record<number, number> = { 1: 24.658619, 2: 18.911489, 3: 35.170981, 6: 71.462843, 7: 18.911489, 9: 27.282408 };
    for (const [id, expected] of Object.entries(lifetimes)) {
      const row = rows.find((r) => r.id === Number(id))!;
      expect(relativeError(expectedAverageSpend(fit.params, row.x, row.zbar), expected)).toBeLessThan(2e-4);
    }
  });

  it('matches lifetimes’ customer_lifetime_value example (12 steps of 30 time units, 1% per step)', () => {
    // The Quickstart calls customer_lifetime_value(bgf, …, time=12, discount_rate=0.01) with the
    // default freq='D', i.e. steps of 30 model units (weeks here), discounted by 1.01^k.
    const bg: BgNbdParams = fitBgNbd(rows).params;
    const lifetimesClv: Record<number, number> = { 1: 140.096211, 2: 18.943467, 3: 38.180574, 6: 1003.868107, 9: 167.418216 };
    for (const [id, expected] of Object.entries(lifetimesClv)) {
      const row = rows.find((r) => r.id === Number(id))!;
      const clv = customerLifetimeValue(bg, fit.params, row, { horizonPeriods: 12, discountRatePerPeriod: 0.01, periodLength: 30 });
      expect(relativeError(clv, expected)).toBeLessThan(5e-4);
    }
  });
});

describe('Gamma-Gamma formulas', () => {
  it('expected average spend, worked by hand for customer 1 (x = 2, zbar = 22.35)', () => {
    // (γ + x·zbar)·p / (p·x + q − 1) = (15.44 + 44.70)·6.25 / (12.50 + 2.74) = 375.875 / 15.24
    expect(expectedAverageSpend(PUBLISHED, 2, 22.35)).toBeCloseTo(375.875 / 15.24, 10);
    // Same thing as a credibility-weighted average of the population mean γp/(q−1) and zbar.
    const weight = (6.25 * 2) / (6.25 * 2 + 3.74 - 1);
    const populationMean = (15.44 * 6.25) / (3.74 - 1);
    expect(expectedAverageSpend(PUBLISHED, 2, 22.35)).toBeCloseTo(weight * 22.35 + (1 - weight) * populationMean, 10);
    // No repeat purchases: the population mean, 35.22.
    expect(expectedAverageSpend(PUBLISHED, 0, 0)).toBeCloseTo(populationMean, 10);
    expect(() => expectedAverageSpend({ p: 1, q: 0.8, gamma: 1 }, 0, 0)).toThrow(RangeError);
  });

  it('log-likelihood is the gamma density of the mean spend, written out in natural space', () => {
    // zbar | ν, x ~ Gamma(shape p·x, rate ν·x), ν ~ Gamma(shape q, rate γ); integrating ν out gives
    // f(zbar) = Γ(px+q)/(Γ(px)Γ(q)) · γ^q · x^{px} · zbar^{px−1} / (γ + x·zbar)^{px+q}.
    const { p, q, gamma } = PUBLISHED;
    const x = 3;
    const zbar = 20;
    const px = p * x;
    const density =
      (Math.exp(lgamma(px + q) - lgamma(px) - lgamma(q)) * gamma ** q * x ** px * zbar ** (px - 1)) / (gamma + x * zbar) ** (px + q);
    expect(gammaGammaLogLikelihood(PUBLISHED, [{ x, zbar }])).toBeCloseTo(Math.log(density), 10);
    // x = 0 rows carry no spend information and are skipped.
    expect(gammaGammaLogLikelihood(PUBLISHED, { x: [x, 0], zbar: [zbar, 0] })).toBeCloseTo(Math.log(density), 10);
    expect(() => gammaGammaLogLikelihood(PUBLISHED, [{ x: 2, zbar: 0 }])).toThrow(RangeError);
  });

  it('recovers parameters from data simulated with a fixed, seeded generator', () => {
    // Deterministic LCG + Marsaglia–Tsang gamma sampler: 4,000 customers from known parameters.
    let state = 12345;
    const uniform = (): number => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return (state + 0.5) / 4294967296;
    };
    const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const gammaSample = (shape: number, rate: number): number => {
      if (shape < 1) return gammaSample(shape + 1, rate) * uniform() ** (1 / shape);
      const d = shape - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        const z = normal();
        const v = (1 + c * z) ** 3;
        if (v > 0 && Math.log(uniform()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
      }
    };
    const truth: GammaGammaParams = { p: 4, q: 5, gamma: 60 };
    const data = Array.from({ length: 4000 }, (_, i) => {
      const x = 1 + (i % 6);
      const nu = gammaSample(truth.q, truth.gamma);
      return { x, zbar: gammaSample(truth.p * x, nu * x) };
    });
    const fit = fitGammaGamma(data);
    expect(fit.converged).toBe(true);
    expect(relativeError(fit.params.p, truth.p)).toBeLessThan(0.1);
    expect(relativeError(fit.params.q, truth.q)).toBeLessThan(0.25);
    expect(relativeError(fit.params.gamma, truth.gamma)).toBeLessThan(0.3);
  });
});

describe('customerLifetimeValue', () => {
  const bg: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
  const customer = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };

  it('is spend × expected purchases when there is no discounting', () => {
    // Undiscounted, the period increments telescope to E[Y(H·L)].
    const clv = customerLifetimeValue(bg, PUBLISHED, customer, { horizonPeriods: 3, discountRatePerPeriod: 0, periodLength: 13 });
    const spend = expectedAverageSpend(PUBLISHED, 2, 22.35);
    expect(clv).toBeCloseTo(spend * expectedPurchases(bg, 39, customer), 10);
    // ≈ 24.66 × 1.226 (the FHL 2005 39-week expectation for this customer).
    expect(clv).toBeCloseTo(24.66 * 1.226, 1);
  });

  it('is zero over a zero horizon, grows with the horizon and shrinks with the discount rate', () => {
    const at = (horizonPeriods: number, discountRatePerPeriod: number) =>
      customerLifetimeValue(bg, PUBLISHED, customer, { horizonPeriods, discountRatePerPeriod, periodLength: 52 / 12 });
    expect(at(0, 0.01)).toBe(0);
    expect(at(24, 0.01)).toBeGreaterThan(at(12, 0.01));
    expect(at(12, 0.05)).toBeLessThan(at(12, 0.01));
  });

  it('rejects invalid options', () => {
    expect(() => customerLifetimeValue(bg, PUBLISHED, customer, { horizonPeriods: 1.5, discountRatePerPeriod: 0, periodLength: 1 })).toThrow(RangeError);
    expect(() => customerLifetimeValue(bg, PUBLISHED, customer, { horizonPeriods: 1, discountRatePerPeriod: 0, periodLength: 0 })).toThrow(RangeError);
  });
});
