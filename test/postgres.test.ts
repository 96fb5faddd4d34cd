/**
 * PostgreSQL source against a real server (CI starts one: scripts/postgres-test-server.sh, and
 * sets CXREPORT_TEST_PG). The same rows as CSV give the same metrics.json; the connection string
 * and its password never appear in any output, also not in errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { build } from '../src/app/pipeline.js';
import { loadPostgres } from '../src/sources/postgres.js';
import { csv, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';

const url = process.env.CXREPORT_TEST_PG;
const password = url ? decodeURIComponent(new URL(url).password) : '';
/** host:port of the test server as messages name it (the server's port is chosen when it starts) */
const server = url ? `${new URL(url).hostname}:${new URL(url).port || '5432'}` : '';
const database = url ? new URL(url).pathname : '';

describe.skipIf(!url)(`PostgreSQL source${url ? '' : ' (skipped: set CXREPORT_TEST_PG to a throw-away database; .ci/run starts one)'}`, () => {
  const table = `responses_${process.pid}`;
  const client = new pg.Client({ connectionString: url });
  const env = { CX_DATABASE_URL: url! };
  const project = (source: string) => makeProject({ 'cxreport.yaml': SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', `responses: ${source}`), 'data/responses.csv': csv(SURVEY_HEADER, surveyRows()) });

  beforeAll(async () => {
    await client.connect();
    // every column as text, exactly as the CSV holds it (empty cell = NULL)
    await client.query(`create table ${table} (${SURVEY_HEADER.map((h) => `"${h}" text`).join(', ')})`);
    for (const row of surveyRows()) {
      await client.query(`insert into ${table} values (${row.map((_, i) => `$${i + 1}`).join(', ')})`, row.map((v) => (v === null || v === '' ? null : String(v))));
    }
  });
  afterAll(async () => {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  });

  it('a table gives the same metrics.json as the CSV; a query too', async () => {
    const reference = (await build({ configPath: join(project('{ type: csv, path: data/responses.csv }'), 'cxreport.yaml'), env: {} })).metrics;
    const viaTable = await build({ configPath: join(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), 'cxreport.yaml'), env });
    expect(viaTable.metrics).toBe(reference);
    const viaQuery = await build({ configPath: join(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", query: "select * from ${table} order by id::int" }`), 'cxreport.yaml'), env });
    expect(viaQuery.metrics).toBe(reference);
  });

  it('the connection string and password never reach any output', async () => {
    const dir = project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`);
    let stdout = '';
    let stderr = '';
    const code = await main(['build', '--format', 'html,ipynb', '--out', 'out', '--summary', 'summary.md'], { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env, cwd: dir });
    expect(code).toBe(0);
    const written = readdirSync(join(dir, 'out')).map((f) => readFileSync(join(dir, 'out', f), 'utf8')).join('\n') + readFileSync(join(dir, 'summary.md'), 'utf8');
    for (const text of [stdout, stderr, written]) {
      expect(text).not.toContain(password);
      expect(text).not.toContain(url);
    }
  });

  it('errors name the server but never the password: bad database, bad table', async () => {
    const badDb = Object.assign(new URL(url!), { pathname: '/no_such_db' }).href;
    let stderr = '';
    const dir = project('{ type: postgres, connection: "${CX_DATABASE_URL}", table: nope }');
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: { CX_DATABASE_URL: badDb }, cwd: dir })).toBe(1);
    expect(stderr).toContain(`source "responses": cannot connect to PostgreSQL at ${server}/no_such_db`);
    expect(stderr).not.toContain(password);
    stderr = '';
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env, cwd: dir })).toBe(1);
    expect(stderr).toContain(`source "responses": the PostgreSQL query failed at ${server}${database}: relation "nope" does not exist`);
    expect(stderr).not.toContain(password);
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('DATE and TIMESTAMP columns read as written, whatever the machine\'s time zone', async () => {
    const dated = `${table}_dated`;
    await client.query(`create table ${dated} (d date, ts timestamp, tz timestamptz)`);
    await client.query(`insert into ${dated} values ('2026-10-31', '2026-10-31 23:30:00', '2026-10-31 23:30:00+00')`);
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const source = await loadPostgres({ name: 'dated', connection: url!, table: dated, pushdown: false });
      expect(source.table.objects()[0]).toMatchObject({ d: '2026-10-31', ts: '2026-10-31 23:30:00', tz: '2026-10-31T23:30:00.000Z' });
    } finally {
      process.env.TZ = saved;
      if (saved === undefined) delete process.env.TZ;
      await client.query(`drop table ${dated}`);
    }
  });
});
