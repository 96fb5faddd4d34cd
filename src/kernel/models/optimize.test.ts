/**
 * Nelder–Mead on standard test problems with known minima (Moré, Garbow & Hillstrom 1981,
 * "Testing Unconstrained Optimization Software", ACM TOMS 7(1): Rosenbrock, Powell singular).
 */
import { describe, expect, it } from 'vitest';
import { minimize } from './optimize.js';

const rosenbrock = (v: readonly number[]): number => {
  let sum = 0;
  for (let i = 0; i + 1 < v.length; i++) sum += 100 * (v[i + 1]! - v[i]! ** 2) ** 2 + (1 - v[i]!) ** 2;
  return sum;
};

describe('minimize', () => {
  it('finds the Rosenbrock minimum (1, 1) from the classic start (−1.2, 1)', () => {
    const result = minimize(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.fx).toBeLessThan(1e-10);
  });

  it('finds the 4-D Rosenbrock minimum at (1, 1, 1, 1)', () => {
    const result = minimize(rosenbrock, [-1.2, 1, -1.2, 1]);
    expect(result.converged).toBe(true);
    for (const v of result.x) expect(v).toBeCloseTo(1, 4);
  });

  it('handles Powell’s singular function (minimum 0 at the origin, singular Hessian)', () => {
    const powell = ([a, b, c, d]: readonly number[]): number =>
      (a! + 10 * b!) ** 2 + 5 * (c! - d!) ** 2 + (b! - 2 * c!) ** 4 + 10 * (a! - d!) ** 4;
    const result = minimize(powell, [3, -1, 0, 1]);
    expect(result.fx).toBeLessThan(1e-8);
  });

  it('minimises in one dimension', () => {
    const result = minimize(([x]) => (x! - 3) ** 2 + 2, [0]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(3, 6);
    expect(result.fx).toBeCloseTo(2, 12);
  });

  it('steps away from regions where f is NaN or infinite', () => {
    // log-barrier: undefined for x ≤ 0, minimum at x = 1 where f = 1.
    const f = ([x]: readonly number[]): number => x! - Math.log(x!);
    const result = minimize(f, [0.05], { initialStep: 1 });
    expect(result.x[0]).toBeCloseTo(1, 5);
  });

  it('is deterministic', () => {
    const a = minimize(rosenbrock, [-1.2, 1, 0.5]);
    const b = minimize(rosenbrock, [-1.2, 1, 0.5]);
    expect(a).toEqual(b);
  });

  it('reports non-convergence when the budget is too small', () => {
    const result = minimize(rosenbrock, [-1.2, 1], { maxEvaluations: 20 });
    expect(result.converged).toBe(false);
    expect(result.evaluations).toBeLessThanOrEqual(25);
  });

  it('validates its input', () => {
    expect(() => minimize(rosenbrock, [])).toThrow(RangeError);
    expect(() => minimize(rosenbrock, [NaN, 1])).toThrow(RangeError);
    expect(() => minimize(rosenbrock, [1, 1], { initialStep: [1] })).toThrow(RangeError);
  });
});
