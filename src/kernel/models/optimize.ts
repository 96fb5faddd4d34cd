/**
 * Derivative-free minimisation: Nelder–Mead with dimension-adaptive coefficients and restarts.
 *
 * The model fits optimise log-parameters, so the search space is unconstrained. Nelder–Mead
 * needs no gradients (the BG/NBD likelihood has awkward ones) and, restarted from its own best
 * point with a fresh simplex, recovers from the premature collapses it is known for (McKinnon
 * 1998). Everything is deterministic: no random numbers are used.
 */

/** Options for {@link minimize}. */
export interface MinimizeOptions {
  /**
   * Edge length of the initial simplex along each axis (a number, or one per coordinate).
   * Default: 0.1 × max(1, |x0ᵢ|).
   */
  initialStep?: number | readonly number[];
  /** Convergence when the spread of f over the simplex is ≤ fTolerance × (|f_best| + fTolerance). Default 1e-12. */
  fTolerance?: number;
  /** Convergence also requires every vertex within xTolerance × (1 + |x_best|) of the best one. Default 1e-8. */
  xTolerance?: number;
  /** Iterations allowed per Nelder–Mead run. Default 5000 × dimension. */
  maxIterations?: number;
  /** Function evaluations allowed in total. Default 50 000 × dimension. */
  maxEvaluations?: number;
  /** Fresh-simplex restarts after a run converges (stops early when a restart no longer improves f). Default 10. */
  maxRestarts?: number;
}

/** Result of {@link minimize}. */
export interface MinimizeResult {
  /** Best point found. */
  x: number[];
  /** f at that point. */
  fx: number;
  /** Nelder–Mead iterations over all runs. */
  iterations: number;
  /** Function evaluations over all runs. */
  evaluations: number;
  /** Restarts performed. */
  restarts: number;
  /** True when the last run met both tolerances and a restart confirmed the point. */
  converged: boolean;
}

interface Vertex {
  x: number[];
  f: number;
}

/**
 * Minimise f: ℝⁿ → ℝ from x0. Non-finite values of f (NaN, ±Infinity from an overflowing
 * likelihood) are treated as +Infinity, so the simplex simply steps away from them.
 */
export function minimize(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  if (n === 0) throw new RangeError('minimize: x0 must have at least one coordinate');
  if (!x0.every(Number.isFinite)) throw new RangeError('minimize: x0 must be finite');
  const fTolerance = options.fTolerance ?? 1e-12;
  const xTolerance = options.xTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 5000 * n;
  const maxEvaluations = options.maxEvaluations ?? 50_000 * n;
  const maxRestarts = options.maxRestarts ?? 10;
  const steps = initialSteps(x0, options.initialStep);

  let evaluations = 0;
  const evaluate = (x: readonly number[]): number => {
    evaluations++;
    const value = f(x);
    return Number.isFinite(value) || value === -Infinity ? value : Infinity;
  };

  let best: Vertex = { x: [...x0], f: evaluate(x0) };
  let iterations = 0;
  let restarts = 0;
  let converged = false;
  for (;;) {
    const run = nelderMead(best.x, best.f, steps, evaluate, {
      fTolerance,
      xTolerance,
      maxIterations,
      evaluationsLeft: () => maxEvaluations - evaluations,
    });
    iterations += run.iterations;
    const improvement = best.f - run.best.f;
    const improved = run.best.f < best.f;
    if (improved) best = run.best;
    // A restart that cannot beat the previous optimum by more than the tolerance confirms it.
    const confirmed = restarts > 0 && !(improvement > fTolerance * (Math.abs(best.f) + fTolerance));
    if (!run.converged) {
      converged = false;
      break;
    }
    if (confirmed) {
      converged = true;
      break;
    }
    if (restarts >= maxRestarts || evaluations >= maxEvaluations) {
      // Out of restarts while a restart still improved f: not confirmed. With restarts
      // switched off (maxRestarts 0) the run's own tolerances are all there is to go on.
      converged = maxRestarts === 0;
      break;
    }
    restarts++;
  }
  return { x: best.x, fx: best.f, iterations, evaluations, restarts, converged };
}

/** Per-coordinate edge lengths of the initial simplex. */
function initialSteps(x0: readonly number[], step: number | readonly number[] | undefined): number[] {
  if (step === undefined) return x0.map((v) => 0.1 * Math.max(1, Math.abs(v)));
  if (typeof step === 'number') return x0.map(() => step);
  if (step.length !== x0.length) throw new RangeError('minimize: initialStep must match x0 in length');
  return [...step];
}

interface RunSettings {
  fTolerance: number;
  xTolerance: number;
  maxIterations: number;
  evaluationsLeft: () => number;
}

/**
 * One Nelder–Mead run (Lagarias et al. 1998 ordering rules) from an axis-aligned simplex around
 * `start`. Coefficients follow Gao & Han (2012) — reflection 1, expansion 1 + 2/n, contraction
 * 0.75 − 1/(2n), shrink 1 − 1/n — which keeps the method effective beyond a few dimensions; for
 * n < 2 those degenerate (shrink 0), so the classic 1, 2, ½, ½ are used instead.
 */
function nelderMead(
  start: readonly number[],
  fStart: number,
  steps: readonly number[],
  evaluate: (x: readonly number[]) => number,
  settings: RunSettings,
): { best: Vertex; iterations: number; converged: boolean } {
  const n = start.length;
  const adaptive = n >= 2;
  const reflect = 1;
  const expand = adaptive ? 1 + 2 / n : 2;
  const contract = adaptive ? 0.75 - 1 / (2 * n) : 0.5;
  const shrink = adaptive ? 1 - 1 / n : 0.5;

  const simplex: Vertex[] = [{ x: [...start], f: fStart }];
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = x[i]! + steps[i]!;
    simplex.push({ x, f: evaluate(x) });
  }

  let iterations = 0;
  while (iterations < settings.maxIterations) {
    simplex.sort((p, q) => p.f - q.f);
    if (hasConverged(simplex, settings)) return { best: simplex[0]!, iterations, converged: true };
    if (settings.evaluationsLeft() <= 0) break;
    iterations++;

    const best = simplex[0]!;
    const worst = simplex[n]!;
    const secondWorst = simplex[n - 1]!;
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j]! += simplex[i]!.x[j]! / n;
    const along = (t: number): number[] => centroid.map((c, j) => c + t * (c - worst.x[j]!));

    const xr = along(reflect);
    const fr = evaluate(xr);
    if (fr < best.f) {
      const xe = along(reflect * expand);
      const fe = evaluate(xe);
      simplex[n] = fe < fr ? { x: xe, f: fe } : { x: xr, f: fr };
      continue;
    }
    if (fr < secondWorst.f) {
      simplex[n] = { x: xr, f: fr };
      continue;
    }
    // Contraction: outside when the reflected point beat the worst, inside otherwise.
    const outside = fr < worst.f;
    const xc = along(outside ? reflect * contract : -contract);
    const fc = evaluate(xc);
    if (outside ? fc <= fr : fc < worst.f) {
      simplex[n] = { x: xc, f: fc };
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const x = simplex[i]!.x.map((v, j) => best.x[j]! + shrink * (v - best.x[j]!));
      simplex[i] = { x, f: evaluate(x) };
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return { best: simplex[0]!, iterations, converged: hasConverged(simplex, settings) };
}

/** Both the f-spread and the simplex size are within tolerance (simplex sorted best first). */
function hasConverged(simplex: readonly Vertex[], settings: RunSettings): boolean {
  const best = simplex[0]!;
  const worst = simplex[simplex.length - 1]!;
  if (!Number.isFinite(best.f)) return false;
  const fSpread = worst.f - best.f;
  if (!(fSpread <= settings.fTolerance * (Math.abs(best.f) + settings.fTolerance))) return false;
  for (let i = 1; i < simplex.length; i++) {
    const x = simplex[i]!.x;
    for (let j = 0; j < x.length; j++) {
      if (Math.abs(x[j]! - best.x[j]!) > settings.xTolerance * (1 + Math.abs(best.x[j]!))) return false;
    }
  }
  return true;
}
