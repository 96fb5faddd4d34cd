/** The command line as a user runs it: real processes, exit codes, messages, files. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SURVEY_CONFIG, surveyProject } from './project.js';

const BIN = resolve(__dirname, '..', 'bin', 'cxreport.js');

function run(args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

describe('exit code 0', () => {
  it('build writes report.html and metrics.json to --out', () => {
    const dir = surveyProject();
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('wrote out/report.html');
    expect(existsSync(join(dir, 'out', 'report.html'))).toBe(true);
    const metrics = JSON.parse(readFileSync(join(dir, 'out', 'metrics.json'), 'utf8'));
    expect(metrics.period).toBe('2026-10');
    expect(Object.keys(metrics.metrics)).toEqual(['nps', 'csat', 'ces']);
  });

  it('build defaults to reports/<period>/ and honours --period', () => {
    const dir = surveyProject();
    const r = run(['build', 'cxreport.yaml', '--period', '2026-09', '--format', 'html', '--quiet'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const metrics = JSON.parse(readFileSync(join(dir, 'reports', '2026-09', 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ period: '2026-09', previousPeriod: '2026-08' });
  });

  it('validate checks without writing; schema prints the JSON Schema', () => {
    const dir = surveyProject();
    const v = run(['validate'], dir);
    expect(v.code).toBe(0);
    expect(v.stdout).toContain('cxreport.yaml: valid — 3 metrics, 7 sections; report period 2026-10');
    expect(existsSync(join(dir, 'reports'))).toBe(false);
    const s = run(['schema'], dir);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).title).toBe('cxreport.yaml');
  });
});

describe('exit code 1: config or data error, one clear message', () => {
  it('config error with file:line:column, the line and a hint', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('type: csat,', 'type: cstat,'));
    const r = run(['build'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cxreport.yaml:9:17: config error: unknown metric type "cstat" at metrics.csat.type');
    expect(r.stderr).toContain('hint: did you mean `csat`?');
    noStack(r.stderr);
  });

  it('unknown column, with the nearest column names', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('score: nps_score', 'score: nps_scor'));
    const r = run(['build'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cxreport.yaml:8:47: data error: metric "nps": column "nps_scor" not found in source "responses" (data/responses.csv)');
    expect(r.stderr).toContain('hint: did you mean `nps_score`?');
    noStack(r.stderr);
  });

  it('missing data file', () => {
    const dir = surveyProject(SURVEY_CONFIG.replace('data/responses.csv', 'data/missing.csv'));
    const r = run(['build'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('source "responses": file not found: data/missing.csv');
    noStack(r.stderr);
  });

  it('a failed build leaves the previous report untouched and no temporary files', () => {
    const dir = surveyProject();
    expect(run(['build', '--format', 'html', '--out', 'out'], dir).code).toBe(0);
    const before = readFileSync(join(dir, 'out', 'report.html'));
    const beforeMetrics = readFileSync(join(dir, 'out', 'metrics.json'));
    writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('by: channel', 'by: chanel'));
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did you mean `channel`?');
    expect(readFileSync(join(dir, 'out', 'report.html')).equals(before)).toBe(true);
    expect(readFileSync(join(dir, 'out', 'metrics.json')).equals(beforeMetrics)).toBe(true);
    expect(readdirSync(join(dir, 'out')).sort()).toEqual(['manifest.json', 'metrics.json', 'report.html']);
  });
});

describe('exit code 2: bad usage', () => {
  it.each([
    [['build', '--colour'], "Unknown option '--colour'"],
    [['bild'], 'unknown command "bild"'],
    [['build', '--period', '2026-13'], '--period "2026-13" is not a period'],
    [['build', '--format', 'docx'], 'unknown format "docx"'],
    [['build', 'a.yaml', 'b.yaml'], 'unexpected argument "b.yaml"'],
  ])('%j', (args, message) => {
    const r = run(args, surveyProject());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    noStack(r.stderr);
  });

  it('--help prints usage and exits 0', () => {
    const r = run(['--help'], surveyProject());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: cxreport <command>');
  });
});
