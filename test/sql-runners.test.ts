/**
 * The SQL sources' set-up (issue 17): a runner keeps one DuckDB instance / a few PostgreSQL
 * connections for its statements instead of opening one per statement, and a pushdown source's row
 * count is counted while the metrics aggregate — yet its `rowCount` after loading equals the rows
 * in memory, and a source without rows is still the located "no data rows" error, exit 1.
 */
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { load } from '../src/app/pipeline.js';
import { duckDbRunner } from '../src/sources/duckdb.js';
import { postgresRunner } from '../src/sources/postgres.js';
import { csv, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';

const withSource = (source: string) => SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', `responses: ${source}`);
const project = (source: string) => makeProject({ 'cxreport.yaml': withSource(source), 'data/responses.csv': csv(SURVEY_HEADER, surveyRows()) });
const DUCK = `{ type: duckdb, query: "select * from read_csv('data/responses.csv', all_varchar = true)" }`;

async function run(dir: string, env: Record<string, string> = {}): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await main(['build', '--format', 'html', '--out', 'out'], { stdout: () => undefined, stderr: (t) => void (err += t), env, cwd: dir });
  return { code, err };
}

describe('DuckDB runner', () => {
  it('runs its statements in one instance (a table made by one statement is seen by the next)', async () => {
    const runner = duckDbRunner('t', process.cwd());
    await runner.run('CREATE TABLE kept AS SELECT 42 AS answer');
    expect((await runner.run('SELECT answer FROM kept')).rows).toEqual([[42]]);
    // statements at the same time each have a connection of their own on that instance
    const both = await Promise.all([runner.run('SELECT answer + 1 FROM kept'), runner.describe('SELECT * FROM kept')]);
    expect(both[0].rows).toEqual([[43]]);
    expect(both[1].map((c) => c.name)).toEqual(['answer']);
  });

  it('closes the instance when idle; the next statement opens a new one', async () => {
    const runner = duckDbRunner('t', process.cwd());
    await runner.run('CREATE TABLE gone AS SELECT 1 AS x');
    await new Promise((resolve) => setTimeout(resolve, 2300));
    await expect(runner.run('SELECT x FROM gone')).rejects.toThrow(/gone/);
    expect((await runner.run('SELECT 7')).rows).toEqual([[7]]);
  });

  it('a pushdown source\'s row count after loading equals the rows in memory', async () => {
    const inMemory = await load({ configPath: join(project('{ type: csv, path: data/responses.csv }'), 'cxreport.yaml'), env: {} });
    const pushed = await load({ configPath: join(project(DUCK), 'cxreport.yaml'), env: {} });
    expect(inMemory.sources.get('responses')!.rowCount).toBe(surveyRows().length);
    expect(pushed.sources.get('responses')!.rowCount).toBe(surveyRows().length);
  });

  it('a query without rows is "no data rows", exit 1', async () => {
    const dir = project(`{ type: duckdb, query: "select * from read_csv('data/responses.csv', all_varchar = true) where false" }`);
    const { code, err } = await run(dir);
    expect(code).toBe(1);
    expect(err).toContain('source "responses": no data rows');
    expect(err).not.toMatch(/\n\s+at /);
  });
});

const url = process.env.CXREPORT_TEST_PG;
describe.skipIf(!url)(`PostgreSQL runner${url ? '' : ' (skipped: set CXREPORT_TEST_PG to a throw-away database; .ci/run starts one)'}`, () => {
  const table = `runner_${process.pid}`;
  const client = new pg.Client({ connectionString: url });
  beforeAll(async () => {
    await client.connect();
    await client.query(`create table ${table} (${SURVEY_HEADER.map((h) => `"${h}" text`).join(', ')})`);
    for (const row of surveyRows()) await client.query(`insert into ${table} values (${row.map((_, i) => `$${i + 1}`).join(', ')})`, row.map((v) => (v === null || v === '' ? null : String(v))));
    await client.query(`create table ${table}_empty (like ${table})`);
  });
  afterAll(async () => {
    await client.query(`drop table if exists ${table}, ${table}_empty`);
    await client.end();
  });

  it('a statement after another reuses its connection, in UTC', async () => {
    const runner = postgresRunner({ name: 't', connection: url! });
    const first = (await runner.run('SELECT pg_backend_pid(), current_setting(\'TimeZone\')')).rows[0];
    const second = (await runner.run('SELECT pg_backend_pid(), current_setting(\'TimeZone\')')).rows[0];
    expect(second[0]).toBe(first[0]);
    expect(first[1]).toBe('UTC');
    expect(second[1]).toBe('UTC');
  });

  it('a failed statement\'s connection is not reused', async () => {
    const runner = postgresRunner({ name: 't', connection: url! });
    const before = (await runner.run('SELECT pg_backend_pid()')).rows[0][0];
    await expect(runner.run('SELECT * FROM no_such_table_here')).rejects.toThrow(/query failed/);
    const after = (await runner.run('SELECT pg_backend_pid()')).rows[0][0];
    expect(after).not.toBe(before);
  });

  it('a pushdown table\'s row count after loading equals its rows; an empty table is "no data rows", exit 1', async () => {
    const env = { CX_DATABASE_URL: url! };
    const loaded = await load({ configPath: join(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), 'cxreport.yaml'), env });
    expect(loaded.sources.get('responses')!.rowCount).toBe(surveyRows().length);
    const dir = project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table}_empty }`);
    const { code, err } = await run(dir, env);
    expect(code).toBe(1);
    expect(err).toContain('source "responses": no data rows');
  });
});
