/**
 * Seeded bootstrap: a small PRNG (Mulberry32) and percentile bootstraps of a ratio of sums over
 * units (e.g. customers) — its 95% interval and standard error, two ratios from one set of draws,
 * and the test of a change between two overlapping samples. Deterministic for a given seed.
 */
import { quantileSorted } from './stats.js';
import { cacheKey, cachedJson, codeVersion } from './disk-cache.js';

/** Below this many draws (units × resamples) a bootstrap is computed again rather than read from disk. */
const KEEP_FROM_DRAWS = 250_000;

/**
 * A bootstrap's result kept across builds (kernel/disk-cache.ts) when it is large enough to be
 * worth it: keyed by its name, its numeric parameters and the bytes of its inputs, under the
 * version of the code in `code` (paths relative to `base`, an import.meta.url).
 */
export function keptBootstrap<T>(base: string, code: readonly string[], name: string, draws: number, params: readonly number[], inputs: readonly ArrayBufferView[], make: () => T): T {
  if (draws < KEEP_FROM_DRAWS) return make();
  const version = versionOf(base, code);
  const bytes = inputs.map((a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return cachedJson(`bootstrap-${name}`, version, cacheKey(name, new Uint8Array(Float64Array.from(params).buffer), bytes.flatMap((b) => [String(b.length), b])), make);
}

const versions = new Map<string, string | null>();
function versionOf(base: string, code: readonly string[]): string | null {
  const id = `${base}\u0000${code.join('\u0000')}`;
  if (!versions.has(id)) versions.set(id, codeVersion(base, code));
  return versions.get(id)!;
}

/** This file and what it uses, for the version of the bootstraps below. */
const CODE = ['./bootstrap.js', './stats.js'];

/** Mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile bootstrap of Σnum/Σden over customers: 95% interval and standard error, in percent. */
export function bootstrapRatio(num: Float64Array, den: Float64Array, resamples: number, seed: number): { ci: [number, number]; se: number } | null {
  return keptBootstrap(import.meta.url, CODE, 'ratio', den.length * resamples, [resamples, seed], [num, den], () => ratio(num, den, resamples, seed));
}

function ratio(num: Float64Array, den: Float64Array, resamples: number, seed: number): { ci: [number, number]; se: number } | null {
  const n = den.length;
  if (n === 0) return null;
  const rng = mulberry32(seed);
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const k = (rng() * n) | 0;
      s += num[k];
      d += den[k];
    }
    out[b] = (100 * s) / d;
  }
  return percentileInterval(out, resamples);
}

/** The 95% percentile interval and standard error of bootstrap replicates (sorted in place). */
function percentileInterval(out: Float64Array, resamples: number): { ci: [number, number]; se: number } {
  out.sort();
  const mean = out.reduce((a, b) => a + b, 0) / resamples;
  const se = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / (resamples - 1));
  return { ci: [quantileSorted(out, 0.025), quantileSorted(out, 0.975)], se };
}

/**
 * `bootstrapRatio` of two numerators over the same denominators (NRR and GRR of the same starting
 * customers) from one set of draws: the same seed draws the same customers in the same order, so
 * each result is exactly what `bootstrapRatio` gives for its numerator alone.
 */
export function bootstrapRatioPair(numA: Float64Array, numB: Float64Array, den: Float64Array, resamples: number, seed: number): [{ ci: [number, number]; se: number }, { ci: [number, number]; se: number }] | null {
  return keptBootstrap(import.meta.url, CODE, 'ratio-pair', den.length * resamples, [resamples, seed], [numA, numB, den], () => ratioPair(numA, numB, den, resamples, seed));
}

function ratioPair(numA: Float64Array, numB: Float64Array, den: Float64Array, resamples: number, seed: number): [{ ci: [number, number]; se: number }, { ci: [number, number]; se: number }] | null {
  const n = den.length;
  if (n === 0) return null;
  const rng = mulberry32(seed);
  const outA = new Float64Array(resamples);
  const outB = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sa = 0;
    let sb = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const k = (rng() * n) | 0;
      sa += numA[k];
      sb += numB[k];
      d += den[k];
    }
    outA[b] = (100 * sa) / d;
    outB[b] = (100 * sb) / d;
  }
  return [percentileInterval(outA, resamples), percentileInterval(outB, resamples)];
}

/**
 * Bootstrap test of the change between two periods' ratios whose starting customers overlap:
 * customers of either period are resampled jointly, so a customer in both keeps both
 * contributions. Two-sided p = 2·(min(#d* ≤ 0, #d* ≥ 0) + 1)/(B + 1), capped at 1.
 */
export function bootstrapChange(
  prev: { customer: Int32Array; num: Float64Array; den: Float64Array },
  cur: { customer: Int32Array; num: Float64Array; den: Float64Array },
  resamples: number,
  seed: number,
): { statistic: number | null; p: number | null } {
  return keptBootstrap(import.meta.url, CODE, 'change', (prev.den.length + cur.den.length) * resamples, [resamples, seed], [prev.customer, prev.num, prev.den, cur.customer, cur.num, cur.den], () => change(prev, cur, resamples, seed));
}

function change(prev: { customer: Int32Array; num: Float64Array; den: Float64Array }, cur: { customer: Int32Array; num: Float64Array; den: Float64Array }, resamples: number, seed: number): { statistic: number | null; p: number | null } {
  if (prev.den.length === 0 || cur.den.length === 0) return { statistic: null, p: null };
  const index = new Map<number, number>();
  const rows: number[][] = [];
  const add = (c: number, k: number, num: number, den: number) => {
    let i = index.get(c);
    if (i === undefined) {
      index.set(c, (i = rows.length));
      rows.push([0, 0, 0, 0]);
    }
    rows[i][k] = num;
    rows[i][k + 1] = den;
  };
  prev.customer.forEach((c, j) => add(c, 0, prev.num[j], prev.den[j]));
  cur.customer.forEach((c, j) => add(c, 2, cur.num[j], cur.den[j]));
  const n = rows.length;
  const flat = Float64Array.from(rows.flat());
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const diffs: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let n1 = 0;
    let d1 = 0;
    let n2 = 0;
    let d2 = 0;
    for (let j = 0; j < n; j++) {
      const k = ((rng() * n) | 0) * 4;
      n1 += flat[k];
      d1 += flat[k + 1];
      n2 += flat[k + 2];
      d2 += flat[k + 3];
    }
    if (d1 > 0 && d2 > 0) diffs.push((100 * n2) / d2 - (100 * n1) / d1);
  }
  if (diffs.length < 2) return { statistic: null, p: null };
  const sum = (x: Float64Array) => x.reduce((a, b) => a + b, 0);
  const observed = (100 * sum(cur.num)) / sum(cur.den) - (100 * sum(prev.num)) / sum(prev.den);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
  const below = diffs.filter((d) => d <= 0).length;
  const above = diffs.filter((d) => d >= 0).length;
  const p = Math.min(1, (2 * (Math.min(below, above) + 1)) / (diffs.length + 1));
  return { statistic: sd > 0 ? observed / sd : null, p };
}
