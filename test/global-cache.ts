/** Removes the disk cache folder vitest.config.ts made for this run, when the run ends. */
import { rmSync } from 'node:fs';

export function setup(): () => void {
  return () => {
    const dir = process.env.CXREPORT_CACHE;
    if (dir && process.env.CXREPORT_TEST_CACHE_MADE === '1') rmSync(dir, { recursive: true, force: true });
  };
}
