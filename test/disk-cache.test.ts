/**
 * Results kept across builds on disk (kernel/disk-cache.ts, issue 17): entries are read back exactly
 * and checked; a damaged entry, a value JSON cannot carry, a cache turned off or a folder that
 * cannot be written all mean computing again, never a failed build; changed code never reads what
 * older code stored. And on the flagship, in fresh processes: a warm build gives the same bytes as
 * a cold one, the warm build reads the cache (an entry altered on disk shows in its output), and
 * `--no-cache` reads nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, cachedJson, cachedNumbers, codeVersion, diskCacheDir, diskCacheStats, readEntry, setDiskCache, writeEntry } from '../src/kernel/disk-cache.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('the disk cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cxreport-cache-'));
    setDiskCache(dir);
  });
  afterEach(() => {
    setDiskCache(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a value made once is read back exactly, without making it again', () => {
    let made = 0;
    const value = { params: { r: 0.24300000000000002, alpha: 4.41 }, logLikelihood: -9582.42, converged: true, atBound: [] as string[] };
    const make = () => (made++, value);
    expect(cachedJson('k', 'v1', cacheKey('a'), make)).toEqual(value);
    expect(cachedJson('k', 'v1', cacheKey('a'), make)).toEqual(value);
    expect(made).toBe(1);
    // numbers bit for bit, -0 and NaN included
    const numbers = Float64Array.from([0.1 + 0.2, -0, Number.NaN, 1e-310, -Infinity]);
    cachedNumbers('n', 'v1', cacheKey('b'), 5, () => numbers);
    const back = cachedNumbers('n', 'v1', cacheKey('b'), 5, () => {
      throw new Error('made again');
    });
    expect(new Uint8Array(Float64Array.from(back).buffer)).toEqual(new Uint8Array(numbers.buffer));
  });

  it('a damaged entry is made again and written over', () => {
    cachedJson('k', 'v1', 'x', () => ({ a: 1 }));
    const file = join(dir, 'k', 'v1', 'x.bin');
    const bytes = readFileSync(file);
    bytes[bytes.length - 2] ^= 0xff;
    writeFileSync(file, bytes);
    expect(readEntry('k', 'v1', 'x')).toBeUndefined();
    let made = 0;
    expect(cachedJson('k', 'v1', 'x', () => (made++, { a: 1 }))).toEqual({ a: 1 });
    expect(made).toBe(1);
    expect(readEntry('k', 'v1', 'x')?.toString()).toBe('{"a":1}');
    // a truncated file, and numbers of the wrong count
    writeFileSync(file, bytes.subarray(0, 10));
    expect(readEntry('k', 'v1', 'x')).toBeUndefined();
    cachedNumbers('n', 'v1', 'y', 2, () => [1, 2]);
    expect(cachedNumbers('n', 'v1', 'y', 3, () => [4, 5, 6])).toEqual([4, 5, 6]);
  });

  it('a key of many parts (the texts of a metric) is one array, as many as there are: the same digest as the parts one by one', () => {
    expect(cacheKey(['a', 'b'])).toBe(cacheKey('a', 'b'));
    expect(cacheKey('s', ['a', 'b'])).toBe(cacheKey('s', 'a', 'b'));
    expect(cacheKey(['ab'])).not.toBe(cacheKey('a', 'b'));
    // far more texts than a call can take as arguments
    const texts = Array.from({ length: 500_000 }, (_, i) => `comment ${i}`);
    expect(cacheKey(texts)).toMatch(/^[\w-]{43}$/);
  });

  it('values JSON cannot carry exactly are not stored', () => {
    for (const [key, value] of [['nan', { x: Number.NaN }], ['inf', [1, Infinity]], ['neg0', { x: -0 }], ['date', { at: new Date(0) }], ['undef', { x: undefined }]] as const) {
      cachedJson('k', 'v1', key, () => value);
      expect(existsSync(join(dir, 'k', 'v1', `${key}.bin`))).toBe(false);
    }
  });

  it('off, or a folder that cannot be written: the value is made, the build goes on', () => {
    setDiskCache(null);
    expect(cachedJson('k', 'v1', 'x', () => 1)).toBe(1);
    expect(existsSync(join(dir, 'k'))).toBe(false);
    // a file where the folder would be
    writeFileSync(join(dir, 'blocked'), '');
    setDiskCache(join(dir, 'blocked'));
    const failures = diskCacheStats.failures;
    expect(cachedJson('k', 'v1', 'x', () => 2)).toBe(2);
    expect(diskCacheStats.failures).toBe(failures + 1);
    // a folder where Node's recursive mkdir never returns: the build goes on at once
    if (existsSync('/proc/self')) {
      setDiskCache('/proc/nope/cxreport');
      expect(cachedJson('k', 'v1', 'x', () => 3)).toBe(3);
      expect(diskCacheStats.failures).toBe(failures + 2);
    }
  });

  it('the folder: CXREPORT_CACHE (off turns it off), else XDG_CACHE_HOME/cxreport, else ~/.cache/cxreport', () => {
    setDiskCache(undefined);
    expect(diskCacheDir({ CXREPORT_CACHE: '/some/where' })).toBe('/some/where');
    expect(diskCacheDir({ CXREPORT_CACHE: 'off' })).toBeNull();
    expect(diskCacheDir({ XDG_CACHE_HOME: '/x' })).toBe(join('/x', 'cxreport'));
    expect(diskCacheDir({})).toMatch(/\.cache[/\\]cxreport$/);
  });

  it('the version follows the code: a changed file is another version, a missing one no caching; other versions are removed', () => {
    const code = join(dir, 'code');
    mkdirSync(code);
    writeFileSync(join(code, 'fit.js'), 'export const a = 1;');
    writeFileSync(join(code, 'base.js'), '');
    const base = pathToFileURL(join(code, 'base.js')).href;
    const v1 = codeVersion(base, ['./fit.js'], 'pkg 1');
    expect(v1).toMatch(/^[0-9a-f]{24}$/);
    expect(codeVersion(base, ['./fit.js'], 'pkg 1')).toBe(v1);
    expect(codeVersion(base, ['./fit.js'], 'pkg 2')).not.toBe(v1);
    writeFileSync(join(code, 'fit.js'), 'export const a = 2;');
    const v2 = codeVersion(base, ['./fit.js'], 'pkg 1');
    expect(v2).not.toBe(v1);
    expect(codeVersion(base, ['./missing.js'])).toBeNull();
    expect(cachedJson('k', null, 'x', () => 3)).toBe(3);
    // run from TypeScript sources: the .js paths are read as .ts
    writeFileSync(join(code, 'base.ts'), '');
    writeFileSync(join(code, 'fit.ts'), 'export const a: number = 2;');
    expect(codeVersion(pathToFileURL(join(code, 'base.ts')).href, ['./fit.js'])).toMatch(/^[0-9a-f]{24}$/);
    writeEntry('k', v1!, 'old', Buffer.from('1'));
    writeEntry('k', v2!, 'new', Buffer.from('2'));
    expect(readdirSync(join(dir, 'k'))).toEqual([v2]);
  });
});

/** Runs the CLI in a fresh process (no results kept in memory from another build). */
function cli(args: string[], cache: string): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'cxreport.js'), ...args], { cwd: root, env: { ...process.env, CXREPORT_CACHE: cache, NO_COLOR: '1' }, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('the flagship with the disk cache, in fresh processes', () => {
  it('warm gives the bytes of cold, reads the cache, and --no-cache reads nothing', () => {
    const scratch = mkdtempSync(join(tmpdir(), 'cxreport-cache-flagship-'));
    const cache = join(scratch, 'cache');
    try {
      const build = (out: string, ...extra: string[]) => {
        const r = cli(['build', '--format', 'html', '--out', join(scratch, out), '-q', ...extra], cache);
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        return { html: readFileSync(join(scratch, out, 'report.html')), metrics: readFileSync(join(scratch, out, 'metrics.json'), 'utf8') };
      };
      const cold = build('cold');
      // every kind of result was kept
      expect(readdirSync(cache).sort()).toEqual(['bootstrap-change', 'bootstrap-lmg-shares', 'bootstrap-ratio-pair', 'clv-fits', 'phrases', 'svg', 'wink-scores']);
      const entries = (kind: string) => readdirSync(join(cache, kind)).flatMap((v) => readdirSync(join(cache, kind, v)).map((f) => join(cache, kind, v, f)));
      expect(entries('clv-fits').length).toBeGreaterThan(30);
      const stamps = () => new Map(readdirSync(cache).flatMap((kind) => entries(kind)).map((f) => [f, statSync(f).mtimeMs]));
      const afterCold = stamps();
      const warm = build('warm');
      expect(warm.html.equals(cold.html)).toBe(true);
      expect(warm.metrics).toBe(cold.metrics);
      // the warm build found every entry it needed: nothing written, removed or written again
      expect(stamps()).toEqual(afterCold);

      // the warm build read the fits: every kept BG/NBD fit altered (r doubled, checksum made anew) shows in the CLV
      for (const file of entries('clv-fits')) {
        const fits = JSON.parse(readFileSync(file).subarray(32).toString('utf8'));
        if (!fits) continue;
        fits.bg.params.r *= 2;
        const payload = Buffer.from(JSON.stringify(fits));
        writeFileSync(file, Buffer.concat([createHash('sha256').update(payload).digest(), payload]));
      }
      const clv = (metrics: string) => JSON.parse(metrics).metrics.clv.value as number;
      const altered = build('altered');
      expect(clv(altered.metrics)).not.toBe(clv(cold.metrics));
      // --no-cache: computed again, the bytes of the cold build
      const fresh = build('fresh', '--no-cache');
      expect(fresh.metrics).toBe(cold.metrics);
      expect(fresh.html.equals(cold.html)).toBe(true);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000);
});
