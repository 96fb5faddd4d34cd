/**
 * Issue 15: a seeded, bounded fuzzer over configs. Starting from the flagship `cxreport.yaml` and
 * the `init` config, fast-check deletes keys, swaps value types, writes odd strings and numbers,
 * adds unknown keys and aliases (also unresolved ones and an expansion bomb), and runs
 * `cxreport validate` in-process through the CLI's own `main` (exit code, stderr). Every run must
 * end in exit 0 or 1 with no stack trace and no "internal error"; a config that is invalid by
 * construction must not exit 0. The flagship's data is thinned to a few hundred rows per file so
 * that the valid runs stay fast; the seed and the number of runs are fixed: 720 configs (100
 * flagship, 620 init), the first 20 valid init ones also built to HTML and a notebook (rendering
 * meets text that validation does not draw: a label with a line break broke Vega's expressions).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { main } from '../src/cli/main.js';
import { scaffold } from '../src/cli/init.js';
import { DEFAULT_DATE_RANGE, setDateRange } from '../src/kernel/period.js';

const ROOT = resolve(__dirname, '..');
/** CXREPORT_FUZZ_RUNS=n multiplies the runs (n = 4: the full audit), CXREPORT_FUZZ_SEED=s changes the seed (for a longer local search). */
const SEED = Number(process.env.CXREPORT_FUZZ_SEED ?? 15);
const SCALE = Number(process.env.CXREPORT_FUZZ_RUNS ?? 1);

/** A project folder holding the flagship config and a thinned copy of its data. */
function flagshipProject(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-fuzz-flagship-'));
  const config = readFileSync(join(ROOT, 'cxreport.yaml'), 'utf8');
  for (const m of config.matchAll(/(?:path|logo|narrative_file|file): (examples\/\S+?)(?=[\s,}])/g)) {
    const target = join(dir, m[1]);
    mkdirSync(dirname(target), { recursive: true });
    if (m[1].endsWith('.csv')) {
      const lines = readFileSync(join(ROOT, m[1]), 'utf8').split('\n');
      const step = Math.max(1, Math.ceil(lines.length / 400));
      writeFileSync(target, lines.filter((l, i) => l !== '' && (i === 0 || i % step === 0)).join('\n') + '\n');
    } else copyFileSync(join(ROOT, m[1]), target);
  }
  writeFileSync(join(dir, 'cxreport.yaml'), config);
  return { dir, config };
}

async function initProject(): Promise<{ dir: string; config: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-fuzz-init-'));
  for (const [name, content] of Object.entries(await scaffold())) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return { dir, config: readFileSync(join(dir, 'cxreport.yaml'), 'utf8') };
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value in the data (objects and arrays), root excluded. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...paths(v, [...prefix, i])]);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...paths(v, [...prefix, k])]);
  return [];
}

function update(root: Json, path: (string | number)[], change: (parent: Record<string | number, Json>, key: string | number) => void): Json {
  const copy = structuredClone(root);
  let node = copy as Record<string | number, Json>;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, Json>;
  change(node, path[path.length - 1]);
  return copy;
}

const ODD_STRINGS = ['', ' ', 'line\nbreak', 'para\u2028graph', 'tab\there', '__proto__', 'constructor', '${CXREPORT_FUZZ_UNSET}', '../../../../etc/passwd', '/dev/zero', '/', 'x'.repeat(5000), '\u0000', '<script>alert(1)</script>', '%s%n%x', 'NaN', '2026-13', '0000-01', '9999-12', '2026-Q5', 'latest', 'all', '🙂🙃', '\u202eevil', 'null', '-1', '1e309', '{{nosuch}}', '*', 'a,b;c}'];
const ODD_NUMBERS = [-1, 0, 0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 1e-300, 61, 100000];

type Mutation =
  | { kind: 'delete'; at: number }
  | { kind: 'string'; at: number; value: string }
  | { kind: 'number'; at: number; value: number }
  | { kind: 'type'; at: number; to: 'list' | 'map' | 'null' | 'bool' | 'number' | 'string' }
  | { kind: 'unknown-key'; at: number }
  | { kind: 'text'; what: 'unresolved-alias' | 'alias-bomb' | 'alias-ok' | 'nan' | 'inf' | 'tab' | 'truncate' | 'anchor-twice'; at: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('string' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...ODD_STRINGS), fc.string({ maxLength: 12 })) }),
  fc.record({ kind: fc.constant('number' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...ODD_NUMBERS), fc.integer({ min: -1000, max: 1000 })) }),
  fc.record({ kind: fc.constant('type' as const), at: fc.nat(), to: fc.constantFrom('list' as const, 'map' as const, 'null' as const, 'bool' as const, 'number' as const, 'string' as const) }),
  fc.record({ kind: fc.constant('unknown-key' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('text' as const), what: fc.constantFrom('unresolved-alias' as const, 'alias-bomb' as const, 'alias-ok' as const, 'nan' as const, 'inf' as const, 'tab' as const, 'truncate' as const, 'anchor-twice' as const), at: fc.nat() }),
);

/** The mutated config text, and whether it is invalid by construction (then exit 0 is a failure). */
function apply(text: string, data: Json, m: Mutation): { text: string; invalid: boolean } {
  if (m.kind === 'text') {
    const lines = text.split('\n');
    const scalar = lines.map((l, i) => [l, i] as const).filter(([l]) => /^\s+[a-z_]+: [A-Za-z0-9"]/.test(l));
    const [line, i] = scalar[m.at % scalar.length];
    const key = line.replace(/:.*$/, '');
    switch (m.what) {
      case 'unresolved-alias':
        lines[i] = `${key}: *nosuch`;
        return { text: lines.join('\n'), invalid: true };
      case 'alias-bomb':
        return { text: `x-anchors: &a [1, 2, 3]\n${text}\nx-bomb: [${Array.from({ length: 120 }, () => '*a').join(', ')}]\n`, invalid: true };
      case 'alias-ok': {
        // a value gets an anchor, and the next line with the same key uses it through an alias
        const next = scalar.find(([l, j]) => j > i && l.replace(/:.*$/, '') === key);
        lines[i] = line.replace(': ', ': &ok ');
        if (next) lines[next[1]] = `${key}: *ok`;
        return { text: lines.join('\n'), invalid: false };
      }
      case 'anchor-twice':
        return { text: `${text}\nx-dup: &d 1\nx-dup2: &d 2\nx-use: *d\n`, invalid: true };
      case 'nan':
        lines[i] = `${key}: .nan`;
        return { text: lines.join('\n'), invalid: false };
      case 'inf':
        lines[i] = `${key}: -.inf`;
        return { text: lines.join('\n'), invalid: false };
      case 'tab':
        lines[i] = `\t${lines[i]}`;
        return { text: lines.join('\n'), invalid: true };
      case 'truncate':
        return { text: text.slice(0, Math.floor(((m.at % 97) / 97) * text.length)), invalid: false };
    }
  }
  const all = paths(data);
  const path = all[m.at % all.length];
  const last = path[path.length - 1];
  const top = path.length === 1;
  switch (m.kind) {
    case 'delete': {
      const out = update(data, path, (p, k) => (Array.isArray(p) ? p.splice(Number(k), 1) : delete p[k]));
      // without report, sources, metrics or sections, or a report without title, no config is valid
      return { text: stringify(out), invalid: (top && ['report', 'sources', 'metrics', 'sections'].includes(String(last))) || (path.join('.') === 'report.title') };
    }
    case 'string':
      return { text: stringify(update(data, path, (p, k) => (p[k] = m.value))), invalid: top };
    case 'number':
      return { text: stringify(update(data, path, (p, k) => (p[k] = m.value))), invalid: top || path.join('.') === 'report.title' };
    case 'type': {
      const value: Json = { list: ['x', 1], map: { x: 1 }, null: null, bool: true, number: 7, string: 'x' }[m.to];
      return { text: stringify(update(data, path, (p, k) => (p[k] = value))), invalid: (top && m.to !== 'map') || (path.join('.') === 'report.title' && m.to !== 'string') };
    }
    case 'unknown-key': {
      // an unknown key at the top level or in report: is always an error (strict objects)
      const where = m.at % 2 === 0 ? [] : ['report'];
      const out = structuredClone(data) as Record<string, Json>;
      const target = where.length ? (out.report as Record<string, Json>) : out;
      target.fuzz_unknown_key = 1;
      return { text: stringify(out), invalid: true };
    }
  }
}

describe('config fuzzer (seeded, bounded): never exit 3, never a stack trace, never exit 0 on an invalid config', () => {
  afterAll(() => setDateRange(DEFAULT_DATE_RANGE));

  const totals = { configs: 0, ok: 0, error: 0, built: 0 };
  afterAll(() => console.log(`config fuzzer: ${totals.configs} configs, ${totals.ok} valid, ${totals.error} located errors, ${totals.built} valid ones also built`));

  /** Runs `runs` mutations; the first `builds` valid ones are also built (HTML and notebook: what only rendering meets). */
  const check = async (project: { dir: string; config: string }, runs: number, seed: number, builds = 0) => {
    const data = parse(project.config) as Json;
    const file = join(project.dir, 'cxreport.yaml');
    const outcomes = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const { text, invalid } = apply(project.config, data, m);
        writeFileSync(file, text);
        let stderr = '';
        const code = await main(['validate', 'cxreport.yaml', '--quiet'], { stdout: () => undefined, stderr: (t) => void (stderr += t), env: { PATH: process.env.PATH }, cwd: project.dir });
        expect(stderr, JSON.stringify(m)).not.toMatch(/^\s+at /m);
        expect(stderr, JSON.stringify(m)).not.toContain('internal error');
        expect([0, 1], `${JSON.stringify(m)}: exit ${code}\n${stderr}`).toContain(code);
        if (invalid) expect(code, `${JSON.stringify(m)} should be invalid`).toBe(1);
        if (code === 1) expect(stderr, JSON.stringify(m)).toMatch(/error/);
        outcomes[code === 0 ? 'ok' : 'error']++;
        totals.configs++;
        totals[code === 0 ? 'ok' : 'error']++;
        if (code === 0 && totals.built < builds) {
          totals.built++;
          let built = '';
          const b = await main(['build', 'cxreport.yaml', '--format', 'html,ipynb', '--out', 'out', '--quiet'], { stdout: () => undefined, stderr: (t) => void (built += t), env: { PATH: process.env.PATH }, cwd: project.dir });
          expect(built, JSON.stringify(m)).not.toMatch(/^\s+at /m);
          expect(built, JSON.stringify(m)).not.toContain('internal error');
          expect([0, 1], `${JSON.stringify(m)}: build exit ${b}\n${built}`).toContain(b);
        }
      }),
      { numRuns: runs, seed, endOnFailure: true },
    );
    writeFileSync(file, project.config);
    return outcomes;
  };

  it('the flagship config, mutated', async () => {
    const project = flagshipProject();
    // the unmutated flagship (on thinned data) is valid
    let base = '';
    expect(await main(['validate', 'cxreport.yaml', '--quiet'], { stdout: () => undefined, stderr: (t) => void (base += t), env: { PATH: process.env.PATH }, cwd: project.dir }), base).toBe(0);
    const outcomes = await check(project, 100 * SCALE, SEED);
    expect(outcomes.error).toBeGreaterThan(0);
  }, 600_000);

  it('the init config, mutated', async () => {
    const project = await initProject();
    const outcomes = await check(project, 620 * SCALE, SEED + 1, 20 * SCALE);
    expect(outcomes.ok).toBeGreaterThan(0);
    expect(outcomes.error).toBeGreaterThan(0);
  }, 600_000);
});
