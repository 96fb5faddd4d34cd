/** Versions of installed npm packages, for the methods text, metrics.json and cache versions. */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * The version in a package's own package.json, found upwards from its entry point (so it works for
 * packages whose `exports` leave package.json out, such as Vega), or `fallback` when not found.
 */
export function packageVersion(name: string, fallback = '?'): string {
  try {
    for (let dir = dirname(require.resolve(name)); ; dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (existsSync(file)) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return String(pkg.version);
      }
      if (dirname(dir) === dir) return fallback;
    }
  } catch {
    return fallback;
  }
}
