/**
 * Results kept across builds on disk, by the digest of everything they are a function of: a
 * period's model fits, the sentiment scores of a set of texts, a chart's SVG. A hit returns the
 * bytes that computing would give (each entry carries a checksum and is checked on reading; a
 * value that JSON cannot carry exactly is never stored), so output is byte-identical with or
 * without the cache.
 *
 * Where: `CXREPORT_CACHE` (a folder, or `off`), else `$XDG_CACHE_HOME/cxreport`, else
 * `~/.cache/cxreport`; `cxreport build --no-cache` turns it off for one build. Each kind of entry
 * lives under a version: a digest of the code that computes it (its compiled files) and of the
 * packages it uses, so changed code never reads what older code stored; folders of other versions
 * are removed when a version is first written, and a folder over MAX_ENTRIES loses its oldest
 * half. The cache is best effort: a folder that cannot be read or written means computing again,
 * never a failed build.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Reads, writes and failures since the process started (for tests and benchmarks). */
export const diskCacheStats = { hits: 0, misses: 0, writes: 0, failures: 0 };

/** Entries per kind and version before the oldest half is removed. */
const MAX_ENTRIES = 4000;

let override: string | null | undefined;

/** Sets the cache folder for this process (null: off; undefined: from the environment again). */
export function setDiskCache(dir: string | null | undefined): void {
  override = dir;
}

/** The cache folder, or null when caching is off. */
export function diskCacheDir(env: Record<string, string | undefined> = process.env): string | null {
  if (override !== undefined) return override;
  const value = env.CXREPORT_CACHE?.trim();
  if (value && /^(off|0|false|no)$/i.test(value)) return null;
  if (value) return value;
  const home = env.XDG_CACHE_HOME?.trim() || (() => {
    try {
      return join(homedir(), '.cache');
    } catch {
      return '';
    }
  })();
  return home ? join(home, 'cxreport') : null;
}

/**
 * The version of a kind of entry: a digest of the code files that compute it (paths relative to
 * `base`, an `import.meta.url`; written as .js, read as .ts when the code runs from its sources)
 * and of `extra` (package versions). Null when a file cannot be read: then that kind is not cached.
 */
export function codeVersion(base: string, paths: readonly string[], extra = ''): string | null {
  const hash = createHash('sha256').update(extra);
  const fromSources = base.endsWith('.ts');
  for (const path of paths) {
    try {
      const file = fileURLToPath(new URL(fromSources ? path.replace(/\.js$/, '.ts') : path, base));
      hash.update(path).update('\u0000').update(readFileSync(file)).update('\u0000');
    } catch {
      return null;
    }
  }
  return hash.digest('hex').slice(0, 24);
}

type KeyPart = string | Uint8Array;

/**
 * A digest of a key's parts, safe as a file name. A part may be a list (each of its items a part:
 * the texts of a metric, however many, are passed as one array, never spread into arguments).
 */
export function cacheKey(...parts: (KeyPart | readonly KeyPart[])[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    if (typeof part === 'string' || part instanceof Uint8Array) hash.update(part).update('\u0000');
    else for (const item of part) hash.update(item).update('\u0000');
  }
  return hash.digest('base64url');
}

const pruned = new Set<string>();

function folderOf(kind: string, version: string): string | null {
  const dir = diskCacheDir();
  return dir ? join(dir, kind, version) : null;
}

/** The bytes stored under `key`, or undefined (none, unreadable, or not what was written). */
export function readEntry(kind: string, version: string | null, key: string): Buffer | undefined {
  const folder = version ? folderOf(kind, version) : null;
  if (!folder) return undefined;
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(folder, `${key}.bin`));
  } catch {
    diskCacheStats.misses++;
    return undefined;
  }
  const payload = bytes.subarray(32);
  if (bytes.length < 32 || !createHash('sha256').update(payload).digest().equals(bytes.subarray(0, 32))) {
    diskCacheStats.misses++;
    return undefined;
  }
  diskCacheStats.hits++;
  return payload;
}

/** Stores bytes under `key` (written whole or not at all). */
export function writeEntry(kind: string, version: string | null, key: string, payload: Uint8Array): void {
  const folder = version ? folderOf(kind, version) : null;
  if (!folder) return;
  try {
    makeFolder(folder);
    prune(kind, version!, folder);
    const file = join(folder, `${key}.bin`);
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, Buffer.concat([createHash('sha256').update(payload).digest(), payload]));
    renameSync(temp, file);
    diskCacheStats.writes++;
  } catch {
    diskCacheStats.failures++;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync never returns for some paths (under
 * /proc, say), which would hang the build on a cache folder there.
 */
function makeFolder(dir: string): void {
  try {
    mkdirSync(dir);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(dir) === dir) throw error;
  }
  makeFolder(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Once per process and version: other versions of the kind go, and a full folder loses its oldest
 * half. So a kind has one version in a build: two pieces of code storing under one kind with
 * versions of their own would remove each other's entries.
 */
function prune(kind: string, version: string, folder: string): void {
  const id = `${folder}`;
  if (pruned.has(id)) return;
  pruned.add(id);
  try {
    const kindDir = join(folder, '..');
    for (const other of readdirSync(kindDir)) if (other !== version) rmSync(join(kindDir, other), { recursive: true, force: true });
    const names = readdirSync(folder);
    if (names.length <= MAX_ENTRIES) return;
    const aged = names.map((name) => {
      try {
        return { name, at: statSync(join(folder, name)).mtimeMs };
      } catch {
        return { name, at: 0 };
      }
    });
    aged.sort((a, b) => a.at - b.at);
    for (const { name } of aged.slice(0, Math.ceil(aged.length / 2))) rmSync(join(folder, name), { force: true });
  } catch {
    diskCacheStats.failures++;
  }
}

/** Whether JSON carries the value exactly (no NaN, no ±Infinity, no undefined in arrays, only plain data). */
function exactInJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(exactInJson);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value as object).every((v) => v !== undefined && exactInJson(v));
  return false;
}

/** A JSON value stored under `key`, or undefined (none, damaged, or not JSON). */
export function readJson<T>(kind: string, version: string | null, key: string): T | undefined {
  const hit = readEntry(kind, version, key);
  if (!hit) return undefined;
  try {
    return JSON.parse(hit.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** A JSON value from the cache, or made by `make` and stored (when JSON carries it exactly). */
export function cachedJson<T>(kind: string, version: string | null, key: string, make: () => T): T {
  const hit = readJson<T>(kind, version, key);
  if (hit !== undefined) return hit;
  const value = make();
  if (version && exactInJson(value)) writeEntry(kind, version, key, Buffer.from(JSON.stringify(value), 'utf8'));
  return value;
}

/** Numbers from the cache (stored as float64, bit for bit), or made by `make` and stored; `count` is how many there must be. */
export function cachedNumbers(kind: string, version: string | null, key: string, count: number, make: () => ArrayLike<number>): ArrayLike<number> {
  const hit = readEntry(kind, version, key);
  if (hit && hit.length === count * 8) {
    const out = new Float64Array(count);
    new Uint8Array(out.buffer).set(hit);
    return out;
  }
  const values = make();
  if (version) writeEntry(kind, version, key, new Uint8Array(Float64Array.from(values).buffer));
  return values;
}

/** A string from the cache, or made by `make` and stored. */
export async function cachedText(kind: string, version: string | null, key: string, make: () => Promise<string>): Promise<string> {
  const hit = readEntry(kind, version, key);
  if (hit) return hit.toString('utf8');
  const text = await make();
  if (version) writeEntry(kind, version, key, Buffer.from(text, 'utf8'));
  return text;
}
