/** A fixed CPU workload timed in the same run as a benchmark, so that results are ratios, comparable across machines and loads. */

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The anchor workload: fixed, seeded, a mix of what the compute step does (sorting, log/exp, Map lookups). */
export function anchor(): { ms: number; cpuMs: number } {
  const started = performance.now();
  const cpu = cpuNow();
  let a = 0x9e3779b9;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const xs = new Float64Array(1_000_000);
  for (let i = 0; i < xs.length; i++) xs[i] = next();
  xs.sort();
  let s = 0;
  for (let i = 0; i < 2_000_000; i++) s += Math.log1p(Math.exp(-xs[i % xs.length] * 10));
  const map = new Map<string, number>();
  for (let i = 0; i < 200_000; i++) map.set(`k${(next() * 50_000) | 0}`, i);
  if (!Number.isFinite(s) || map.size === 0) throw new Error('anchor');
  return { ms: performance.now() - started, cpuMs: cpuNow() - cpu };
}
