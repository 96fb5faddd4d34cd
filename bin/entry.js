// Finds a module of cxreport to run: the compiled JavaScript in dist/ (what the npm package ships),
// or, in a development checkout whose dist/ is missing or older than a file under src/, the
// TypeScript source run through tsx (a devDependency). So a fresh clone works after `npm ci`
// without a build, an edit to src/ needs no rebuild, and `npm run build` makes the CLI start fast
// again. The check costs one stat per source file (a few milliseconds); the installed package has
// no src/ and skips it. CXREPORT_SOURCES=1 forces the sources, CXREPORT_SOURCES=0 forces dist/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The latest modification time of a .ts file under `dir`. */
function newest(dir) {
  let time = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) time = Math.max(time, newest(path));
    else if (entry.name.endsWith('.ts')) time = Math.max(time, statSync(path).mtimeMs);
  }
  return time;
}

/** True when the TypeScript sources should run instead of dist/. */
export function runsSources() {
  const forced = process.env.CXREPORT_SOURCES;
  if (forced === '1') return true;
  if (forced === '0') return false;
  const src = join(ROOT, 'src');
  if (!existsSync(src)) return false;
  const built = join(ROOT, 'dist', 'cli', 'main.js');
  if (!existsSync(built)) return true;
  return newest(src) > statSync(built).mtimeMs;
}

/** Imports `name` (e.g. "cli/main") from dist/ or, see above, from src/ through tsx. */
export async function entry(name) {
  if (runsSources()) {
    const { register } = await import('tsx/esm/api');
    register();
    return import(pathToFileURL(join(ROOT, 'src', `${name}.ts`)).href);
  }
  return import(pathToFileURL(join(ROOT, 'dist', `${name}.js`)).href);
}
