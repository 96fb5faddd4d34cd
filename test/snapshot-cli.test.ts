/** The command line on snapshot data (granularity all): a build, and the config errors of the new forms. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEntities } from './html-text.js';
import { csv, makeProject } from './project.js';

const BIN = resolve(__dirname, '..', 'bin', 'cxreport.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', SOURCE_DATE_EPOCH: '1767225600' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);

/** 10 customers without dates: tenure in months, a churn flag, a plan. */
const CUSTOMERS = csv(
  ['customer', 'tenure', 'churned', 'plan'],
  [
    ['c1', 1, 'Yes', 'Basic'],
    ['c2', 3, 'No', 'Basic'],
    ['c3', 4, 'Yes', 'Basic'],
    ['c4', 6, 'No', 'Pro'],
    ['c5', 8, 'Yes', 'Basic'],
    ['c6', 12, 'No', 'Pro'],
    ['c7', 15, 'No', 'Pro'],
    ['c8', 20, 'No', 'Pro'],
    ['c9', 2, 'Yes', 'Basic'],
    ['c10', 24, 'No', 'Pro'],
  ],
);

const CONFIG = `report:
  title: Snapshot churn
  period: { granularity: all }
  min_sample: 2
sources:
  customers: { type: csv, path: data/customers.csv }
metrics:
  churn: { type: churn, source: customers, churned: churned, churned_value: "Yes", id: customer }
  survival: { type: survival, source: customers, duration: tenure, unit: months, event: churned, event_value: "Yes", horizon: 6 }
sections:
  - { type: kpis, metrics: [churn, survival] }
  - { type: trend, metric: churn }
  - { type: breakdown, metric: churn, by: plan }
  - { type: metric, metric: survival }
`;

describe('cxreport build with granularity all', () => {
  it('exit 0; metrics.json has the value; the HTML says "All data" and has no change sentence', () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/customers.csv': CUSTOMERS });
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('wrote out/report.html');
    const metrics = JSON.parse(readFileSync(join(dir, 'out', 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ period: 'all', previousPeriod: null });
    expect(metrics.metrics.churn).toMatchObject({ value: 40, n: 10, churned: 4, previous: null, delta: null, p: null, significant: false });
    // Ŝ(6): events at 1, 2, 4 (n 10, 9, 7; censored at 3) → 0.9 × 8/9 × 6/7 = 0.6857
    expect(metrics.metrics.survival.value).toBeCloseTo(100 * 0.9 * (8 / 9) * (6 / 7), 10);
    const html = readFileSync(join(dir, 'out', 'report.html'), 'utf8');
    const text = decodeEntities(html.replace(/<style>[\s\S]*?<\/style>/g, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
    expect(text).toContain('All data');
    expect(text).toContain('Churn is 40.0% (95% CI');
    expect(text).not.toMatch(/What changed|changed significantly|\brose\b|\bfell\b|unchanged|compared with|there is no .* value to compare/);
    expect(html).not.toContain('class="kpi-delta');
  });

  it('--period all builds into reports/all; another key is a usage error (exit 2)', () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/customers.csv': CUSTOMERS });
    const ok = run(['build', '--period', 'all', '--format', 'html', '--quiet'], dir);
    expect(ok.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'reports', 'all', 'metrics.json'), 'utf8')).period).toBe('all');
    const bad = run(['build', '--period', '2026-10', '--format', 'html'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--period "2026-10" is not a period of this report, which is one period over all data (granularity all)');
    noStack(bad.stderr);
  });
});

describe('config errors of the durations and flag forms: exit 1, file:line:column, hint, no stack', () => {
  const build = (config: string) => run(['build', '--format', 'html'], makeProject({ 'cxreport.yaml': config, 'data/customers.csv': CUSTOMERS }));

  it('mixing forms: `duration` and `start`', () => {
    const r = build(CONFIG.replace('duration: tenure,', 'duration: tenure, start: tenure,'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cxreport\.yaml:9:\d+: config error: metric "survival": `start` belongs to the date form \(start\/end dates\), but the metric uses the durations form \(`duration`\)/);
    expect(r.stderr).toContain('hint: use either `duration:` + `event:` + `event_value:`');
    noStack(r.stderr);
  });

  it('mixing forms: `churned` and `end`', () => {
    const r = build(CONFIG.replace('id: customer }', 'id: customer, end: tenure }'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cxreport\.yaml:8:\d+: config error: metric "churn": `end` belongs to the date form/);
    expect(r.stderr).toContain('hint: use either `churned:` + `churned_value:`');
    noStack(r.stderr);
  });

  it('an unknown column, with the nearest names', () => {
    const r = build(CONFIG.replace('duration: tenure,', 'duration: tenur,'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cxreport\.yaml:9:\d+: data error: metric "survival": column "tenur" not found in source "customers"/);
    expect(r.stderr).toContain('hint: did you mean `tenure`?');
    noStack(r.stderr);
  });

  it('an event_value that matches no row names the values the column holds', () => {
    const r = build(CONFIG.replace('event_value: "Yes"', 'event_value: "Y"'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cxreport\.yaml:9:\d+: config error: metric "survival": event_value "Y" matches no row of column "churned" in source "customers"/);
    expect(r.stderr).toContain('hint: column "churned" holds "No" (6 rows), "Yes" (4 rows)');
    noStack(r.stderr);
  });

  it('a score metric without `date:` in a monthly report names the key and the fix', () => {
    const r = build(CONFIG.replace('granularity: all', 'granularity: month').replace(/metrics:\n[\s\S]*?sections:\n[\s\S]*$/, 'metrics:\n  nps: { type: nps, source: customers, score: tenure }\nsections:\n  - { type: kpis, metrics: [nps] }\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cxreport.yaml:8:3: config error: metric "nps": missing `date`, the column that assigns each answer to a month');
    expect(r.stderr).toContain('hint: add `date: <column>`');
    noStack(r.stderr);
  });
});
