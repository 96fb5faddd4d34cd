/** The machine a benchmark ran on, as markdown bullet lines. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

export function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  return cpus()[0]?.model ?? 'unknown';
}

/** CPU, cores, RAM, Node and load; `extra` lines (e.g. the browser) are added before the date. */
export function machineLines(started: Date, extra: string[] = []): string[] {
  return [
    `- CPU: ${cpuModel()}`,
    `- Cores: ${cpus().length} (logical, as seen by Node)`,
    `- RAM: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node: ${process.version}`,
    ...extra,
    `- OS: ${process.platform} ${process.arch}; load average (1 min) ${loadavg()[0].toFixed(2)} at the end`,
    `- Date: ${started.toISOString()}`,
  ];
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
