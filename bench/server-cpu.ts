/** CPU time of a PostgreSQL server on this machine, read from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ on Linux: the clock ticks of /proc/<pid>/stat per second. */
const TICKS = 100;

/** A process's parent and CPU ticks (user + system): its own, and its reaped children's; undefined when it cannot be read. */
function stat(pid: number | string): { ppid: number; own: number; children: number } | undefined {
  try {
    // fields after the command name: state is field 3; ppid 4; utime 14, stime 15, cutime 16, cstime 17
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

/** The parent process id of `pid` (a backend's is its server's postmaster), or undefined. */
export function parentOf(pid: number): number | undefined {
  return stat(pid)?.ppid;
}

/**
 * CPU seconds a server has used: the postmaster's own and its reaped children's (closed
 * connections' backends, parallel workers that have exited), plus its live children's own. NaN
 * when the postmaster cannot be read.
 */
export function serverSeconds(postmaster: number): number {
  const p = stat(postmaster);
  if (!p) return NaN;
  let total = p.own + p.children;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const c = stat(pid);
    if (c && c.ppid === postmaster) total += c.own;
  }
  return total / TICKS;
}
