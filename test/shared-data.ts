/**
 * Locates the real public data sets in `../shared/data` (beside the repository), which are
 * never copied into the project. Tests that read them use `describeShared`, which skips — and
 * says why — where that folder is absent (a user's fresh clone); CI has it.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of the shared data folder (override with CXREPORT_SHARED_DATA). */
export const sharedDataDir = process.env.CXREPORT_SHARED_DATA ?? resolve(repoRoot, '..', 'shared', 'data');

/** True when the shared data folder is present. */
export const hasSharedData = existsSync(sharedDataDir);

/** Path of a file inside the shared data folder. */
export function sharedFile(...parts: string[]): string {
  return join(sharedDataDir, ...parts);
}

/** `describe` that runs only where ../shared/data exists, and is skipped with a reason otherwise. */
export function describeShared(name: string, fn: () => void): void {
  if (hasSharedData) describe(name, fn);
  else describe.skip(`${name} (skipped: ${sharedDataDir} not found; these tests need the shared real data)`, fn);
}
