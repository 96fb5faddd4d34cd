/**
 * Special functions against closed forms (references: Abramowitz & Stegun, Handbook of
 * Mathematical Functions, §6.1 for Γ and §15.1 for ₂F₁ special cases).
 */
import { describe, expect, it } from 'vitest';
import { gammaP, gammaQ, gammaSign, hyp2f1, hyp2f1m1, lbeta, lgamma, logAddExp, normalQuantile } from './special.js';

const relClose = (actual: number, expected: number, rel = 1e-13): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected)));
};

describe('lgamma', () => {
  it('matches log-factorials for integers (Γ(n) = (n−1)!)', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 60; n++) {
      relClose(lgamma(n), logFactorial);
      logFactorial += Math.log(n);
    }
  });

  it('matches half-integer values (A&S 6.1.8: Γ(½) = √π, Γ(n+½) = (2n−1)!!·√π / 2ⁿ)', () => {
    relClose(lgamma(0.5), 0.5 * Math.log(Math.PI));
    relClose(lgamma(1.5), Math.log(Math.sqrt(Math.PI) / 2));
    relClose(lgamma(5.5), Math.log((945 / 32) * Math.sqrt(Math.PI)));
  });

  it('uses the reflection formula below ½ (Γ(−½) = −2√π, Γ(−3/2) = 4√π/3)', () => {
    relClose(lgamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)));
    relClose(lgamma(-1.5), Math.log((4 / 3) * Math.sqrt(Math.PI)));
    expect(gammaSign(-0.5)).toBe(-1);
    expect(gammaSign(-1.5)).toBe(1);
    expect(gammaSign(2.5)).toBe(1);
    expect(lgamma(0)).toBe(Infinity);
    expect(lgamma(-3)).toBe(Infinity);
  });

  it('agrees with Stirling’s series for large arguments', () => {
    for (const x of [50, 171.5, 1e4, 1e7]) {
      const stirling = (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3) + 1 / (1260 * x ** 5) - 1 / (1680 * x ** 7);
      relClose(lgamma(x), stirling, 1e-14);
    }
  });

  it('gives ln B(a, b) consistent with B(1, b) = 1/b and B(2, 2) = 1/6', () => {
    relClose(lbeta(1, 7.5), -Math.log(7.5));
    relClose(lbeta(2, 2), -Math.log(6));
  });
});

describe('hyp2f1', () => {
  const zs = [-0.9, -0.3, 0.01, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999];

  it('₂F₁(1, 1; 2; z) = −ln(1−z)/z (A&S 15.1.3)', () => {
    for (const z of zs) relClose(hyp2f1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-12);
  });

  it('₂F₁(½, 1; 3/2; z²) = artanh(z)/z (A&S 15.1.4)', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) relClose(hyp2f1(0.5, 1, 1.5, z * z), Math.atanh(z) / z, 1e-12);
  });

  it('₂F₁(½, ½; 3/2; z²) = arcsin(z)/z (A&S 15.1.6)', () => {
    for (const z of [0.1, 0.5, 0.9, 0.999]) relClose(hyp2f1(0.5, 0.5, 1.5, z * z), Math.asin(z) / z, 1e-12);
  });

  it('₂F₁(a, b; b; z) = (1−z)^(−a) (A&S 15.1.8), including the Euler-transformed branch c−a−b < 0', () => {
    for (const z of zs) {
      relClose(hyp2f1(0.7, 3.2, 3.2, z), Math.pow(1 - z, -0.7), 1e-12);
      relClose(hyp2f1(2.6, 1.3, 1.3, z), Math.pow(1 - z, -2.6), 1e-12);
    }
  });

  it('₂F₁(a, 1−a; 3/2; sin²x) = sin((2a−1)x) / ((2a−1) sin x) (A&S 15.1.15), by series and near z = 1', () => {
    const a = 0.3;
    // Parametrised by w = 1 − z = cos²x, a power of two so that z = 1 − w is exact in floating point.
    for (const w of [0.75, 2 ** -4, 2 ** -10, 2 ** -14, 2 ** -20, 2 ** -40]) {
      const x = Math.PI / 2 - Math.asin(Math.sqrt(w));
      const expected = Math.sin((2 * a - 1) * x) / ((2 * a - 1) * Math.sqrt(1 - w));
      relClose(hyp2f1(a, 1 - a, 1.5, 1 - w), expected, 1e-12);
    }
  });

  it('stays accurate as z → 1 (transformation to 1 − z; interpolation when c − a − b is an integer)', () => {
    // Powers of two, so that z = 1 − w is exact and the closed forms see the same w.
    for (const w of [2 ** -17, 2 ** -24, 2 ** -34]) {
      const z = 1 - w;
      relClose(hyp2f1(0.7, 3.2, 3.2, z), Math.pow(w, -0.7), 1e-11);
      relClose(hyp2f1(0.5, 0.5, 1.5, z), Math.asin(Math.sqrt(z)) / Math.sqrt(z), 1e-11);
      // c − a − b = 0 here: the interpolated branch, good to about 1e-9.
      relClose(hyp2f1(1, 1, 2, z), -Math.log(w) / z, 1e-9);
    }
  });

  it('hyp2f1m1 keeps relative accuracy in ₂F₁ − 1 for small z', () => {
    // ₂F₁(1, 1; 2; z) − 1 = −ln(1−z)/z − 1 = z/2 + z²/3 + z³/4 + …
    for (const z of [1e-12, 1e-6, 1e-3]) relClose(hyp2f1m1(1, 1, 2, z), z / 2 + (z * z) / 3 + (z ** 3) / 4 + (z ** 4) / 5, 1e-12);
    relClose(hyp2f1m1(1, 1, 2, 0.9), -Math.log1p(-0.9) / 0.9 - 1, 1e-13);
    expect(hyp2f1m1(1, 1, 2, 0)).toBe(0);
  });

  it('terminates for a non-positive integer a (a polynomial)', () => {
    // ₂F₁(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1))
    const b = 1.7;
    const c = 2.3;
    const z = 0.6;
    relClose(hyp2f1(-2, b, c, z), 1 - (2 * b * z) / c + (b * (b + 1) * z * z) / (c * (c + 1)));
  });

  it('uses Gauss’s theorem at z = 1 (₂F₁(1, 1; 3; 1) = Γ(3)Γ(1)/(Γ(2)Γ(2)) = 2)', () => {
    relClose(hyp2f1(1, 1, 3, 1), 2);
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });

  it('rejects unsupported arguments', () => {
    expect(() => hyp2f1(1, 1, 0, 0.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, -2, 0.5)).toThrow(RangeError);
    expect(() => hyp2f1(1, 1, 2, 1.5)).toThrow(RangeError);
  });
});

describe('logAddExp', () => {
  it('adds in log space without overflow', () => {
    relClose(logAddExp(Math.log(2), Math.log(3)), Math.log(5));
    relClose(logAddExp(1000, 1000), 1000 + Math.log(2));
    expect(logAddExp(-Infinity, 1.5)).toBe(1.5);
  });
});

describe('normalQuantile', () => {
  it('gives z = 1.959964 for 95% (the value in the metrics reference)', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.5)).toBe(0);
    // Tabulated quantiles (A&S Table 26.5): Φ⁻¹(0.995) = 2.575829, Φ⁻¹(0.9) = 1.281552.
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.281552, 6);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361341, 5);
  });
});

describe('regularised incomplete gamma', () => {
  it('gives the chi-square tail (Q(df/2, x/2)): 3.841459 on 1 df → 0.05; 5.991465 on 2 df → 0.05', () => {
    expect(gammaQ(0.5, 3.841459 / 2)).toBeCloseTo(0.05, 7);
    expect(gammaQ(1, 5.991465 / 2)).toBeCloseTo(0.05, 7); // Q(1, x) = e^{-x}
  });
  it('P + Q = 1 and P(1, x) = 1 − e^{−x}, on both sides of x = a + 1', () => {
    for (const [a, x] of [[0.5, 0.2], [3, 1], [3, 7], [20, 25]]) expect(gammaP(a, x) + gammaQ(a, x)).toBeCloseTo(1, 12);
    expect(gammaP(1, 0.3)).toBeCloseTo(1 - Math.exp(-0.3), 12);
    expect(gammaP(1, 4)).toBeCloseTo(1 - Math.exp(-4), 12);
  });
});
