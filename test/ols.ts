/** Ordinary least squares on rows, and LMG by brute force over all orders: the independent computations the key-driver tests compare with. */

/** Solves A x = b by Gaussian elimination with partial pivoting. */
export function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/** R² of the OLS fit (with intercept) of y on the columns `cols` of X, by the normal equations on the rows. */
export function olsR2(y: number[], X: number[][], cols: number[]): number {
  const n = y.length;
  const ybar = y.reduce((s, v) => s + v, 0) / n;
  const tss = y.reduce((s, v) => s + (v - ybar) ** 2, 0);
  if (cols.length === 0) return 0;
  const design = X.map((row) => [1, ...cols.map((c) => row[c])]);
  const k = cols.length + 1;
  const xtx = Array.from({ length: k }, (_, a) => Array.from({ length: k }, (_, b) => design.reduce((s, row) => s + row[a] * row[b], 0)));
  const xty = Array.from({ length: k }, (_, a) => design.reduce((s, row, i) => s + row[a] * y[i], 0));
  const beta = solve(xtx, xty);
  const rss = design.reduce((s, row, i) => s + (y[i] - row.reduce((t, v, a) => t + v * beta[a], 0)) ** 2, 0);
  return 1 - rss / tss;
}

/** LMG by brute force: each predictor's increase in R² averaged over all p! orders of entering them, each R² an OLS fit on the rows. */
export function bruteForceLmg(y: number[], X: number[][]): number[] {
  const p = X[0].length;
  const memo = new Map<string, number>();
  const r2 = (cols: number[]) => {
    const key = [...cols].sort((a, b) => a - b).join(',');
    if (!memo.has(key)) memo.set(key, olsR2(y, X, [...cols].sort((a, b) => a - b)));
    return memo.get(key)!;
  };
  const sum = new Array<number>(p).fill(0);
  let orders = 0;
  const walk = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      orders++;
      prefix.forEach((j, k) => (sum[j] += r2(prefix.slice(0, k + 1)) - r2(prefix.slice(0, k))));
      return;
    }
    rest.forEach((j, k) => walk([...prefix, j], [...rest.slice(0, k), ...rest.slice(k + 1)]));
  };
  walk([], Array.from({ length: p }, (_, j) => j));
  return sum.map((s) => s / orders);
}
