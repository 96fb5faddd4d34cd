/**
 * The health score pushed down: the database gives each snapshot a status with the in-memory rules
 * (no date, no account id, fewer than half of the components present, superseded by a later
 * snapshot of the account in the period) and returns only the latest snapshots and the counts
 * (src/metrics/health-score/sql.ts `healthSql`). Daily snapshots of accounts, as CSV, in DuckDB and in
 * PostgreSQL, give the same metrics.json (to 1e-9: the database returns the snapshots in another
 * order, so sums may differ in the last bits), with every invalid kind counted the same.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { differences, lcg, metricsWithEngines, postgresTable } from './engines.js';
import { csv, makeProject } from './project.js';

const CONFIG = `report:
  title: Health
  period: { granularity: month, current: "2026-10" }
  min_sample: 1
sources:
  health: { type: csv, path: data/health.csv }
metrics:
  health:
    type: health-score
    source: health
    id: account
    date: snapshot_date
    components:
      - { column: logins, weight: 2 }
      - { column: open_tickets, direction: lower-is-better, min: 0, max: 8 }
      - { column: nps, min: 0, max: 10 }
    bands: { red: 40, amber: 70 }
sections:
  - { type: kpis, metrics: [health] }
  - { type: breakdown, metric: health, by: segment }
  - { type: metric, metric: health }
`;
const HEADER = ['account', 'snapshot_date', 'segment', 'logins', 'open_tickets', 'nps'];

/** 60 accounts with a snapshot every 5 days over three months (so most are superseded), plus every invalid kind. */
function snapshotRows(): (string | number | null)[][] {
  const next = lcg(3);
  const rows: (string | number | null)[][] = [];
  for (let a = 0; a < 60; a++) {
    for (let day = 0; day < 92; day += 5) {
      const date = new Date(Date.UTC(2026, 7, 1) + (day + (a % 5)) * 86_400_000).toISOString().slice(0, 10);
      rows.push([`A${String(a).padStart(2, '0')}`, `${date}T06:00:00Z`, a % 3 === 0 ? 'enterprise' : 'smb', Math.floor(next() * 60), Math.floor(next() * 9), next() < 0.1 ? null : Math.floor(next() * 11)]);
    }
  }
  rows.push(['A01', '', 'smb', 10, 1, 9]); // no date
  rows.push(['', '2026-10-10T06:00:00Z', 'smb', 10, 1, 9]); // no account
  rows.push(['A02', '2026-10-30T23:00:00Z', 'smb', null, null, 7]); // fewer than half present (and the latest date: it must not supersede)
  rows.push(['A03', '2026-10-30T23:00:00Z', 'smb', 'Infinity', null, 8]); // an unusable value, and fewer than half present
  return rows;
}

const project = (source: string) => makeProject({ 'cxreport.yaml': CONFIG.replace('health: { type: csv, path: data/health.csv }', `health: ${source}`), 'data/health.csv': csv(HEADER, snapshotRows()) });
const CSV = '{ type: csv, path: data/health.csv }';
const DUCK = `{ type: duckdb, query: "select account, try_cast(snapshot_date as timestamptz) as snapshot_date, segment, try_cast(logins as double) as logins, try_cast(open_tickets as double) as open_tickets, try_cast(nps as double) as nps from read_csv('data/health.csv', all_varchar = true)" }`;
const metricsOf = (dir: string, env: Record<string, string> = {}) => metricsWithEngines(dir, ['health'], env);

describe('health score pushed down to DuckDB', () => {
  it('gives the same metrics.json as the rows in memory, from the latest snapshots only', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(DUCK));
    expect(reference.engines).toEqual(['memory']);
    expect(pushed.engines).toEqual(['sql']);
    expect(differences(JSON.parse(reference.metrics), JSON.parse(pushed.metrics))).toEqual([]);
    const health = JSON.parse(reference.metrics).metrics.health;
    expect(health.n).toBe(60);
    const october = snapshotRows().filter((r) => r[0] !== '' && String(r[1]).startsWith('2026-10') && r[3] !== null && r[3] !== 'Infinity');
    expect(health.exclusions).toEqual({ 'fewer than half of the components present': 2, 'missing account id': 1, 'superseded by a later snapshot in the period': october.length - 60 });
    expect(health.excludedAllPeriods['missing or invalid date']).toBe(1);
    expect(health.componentIssues).toEqual({ logins: 1 });
    // one scored snapshot per account and month
    const scored = (pushed.loaded.prepared.get('health') as unknown as { table: { numRows(): number } }).table;
    const accountMonths = new Set(snapshotRows().filter((r) => /^A\d\d$/.test(String(r[0])) && String(r[1]) !== '' && r[3] !== null && r[3] !== 'Infinity').map((r) => `${r[0]} ${String(r[1]).slice(0, 7)}`));
    expect(scored.numRows()).toBe(accountMonths.size);
  });

  it('a text date column is read as rows (same numbers)', async () => {
    const reference = await metricsOf(project(CSV));
    const fallback = await metricsOf(project(DUCK.replace('try_cast(snapshot_date as timestamptz) as snapshot_date', 'snapshot_date')));
    expect(fallback.engines).toEqual(['memory']);
    expect(differences(JSON.parse(reference.metrics), JSON.parse(fallback.metrics))).toEqual([]);
  });

  it('on_invalid: error names the column and the reason', async () => {
    const dir = project(DUCK.replace('{ type: duckdb,', '{ type: duckdb, on_invalid: error,'));
    let stderr = '';
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, cwd: dir })).toBe(1);
    expect(stderr).toMatch(/duckdb:health: data error: column \w+: /);
    expect(stderr).toContain('metric "health" rejects this row because source "health" has on_invalid: error');
    expect(stderr).not.toMatch(/^\s+at /m);
  });
});

const url = process.env.CXREPORT_TEST_PG;

describe.skipIf(!url)(`health score pushed down to PostgreSQL${url ? '' : ' (skipped: set CXREPORT_TEST_PG; .ci/run starts a server)'}`, () => {
  const table = `typed_health_${process.pid}`;
  const env = { CX_DATABASE_URL: url! };
  postgresTable(url!, table, 'account text, snapshot_date timestamptz, segment text, logins double precision, open_tickets double precision, nps double precision', snapshotRows().map((row) => row.map((v) => (v === null || v === '' ? null : String(v)))));

  it('gives the same metrics.json as the rows in memory', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), env);
    expect(pushed.engines).toEqual(['sql']);
    expect(differences(JSON.parse(reference.metrics), JSON.parse(pushed.metrics))).toEqual([]);
  });
});
