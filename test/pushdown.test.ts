/**
 * Score metrics pushed down to SQL: the generated GROUP BY gives the same metrics.json as the
 * in-memory engine on the survey fixture (invalid scores, an undatable row, breakdowns, a case
 * study, verbatims), in DuckDB always and in PostgreSQL where CI provides a server
 * (CXREPORT_TEST_PG). Also: the generated SQL (golden file), on_invalid: error, matrix segments,
 * and the fallback to memory for a text date column.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadConfig } from '../src/app/config.js';
import { prepareAll } from '../src/metrics/index.js';
import { cellsSql } from '../src/metrics/pushdown-sql.js';
import { dimensionsOf } from '../src/metrics/pushdown.js';
import type { PreparedMetric } from '../src/metrics/prepare.js';
import { build, forSegment, load, modelFor } from '../src/app/pipeline.js';
import { metricsJson } from '../src/render/metrics-json.js';
import { loadSources } from '../src/sources/index.js';
import { isPushdown, referencedColumns, SqlRelation } from '../src/sources/sql.js';
import { planOf } from '../src/config/plan.js';
import { csv, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';

/** The survey config without its EMEA case study (a matrix segment of APAC has no EMEA rows to study). */
const MATRIX_CONFIG = SURVEY_CONFIG.slice(0, SURVEY_CONFIG.indexOf('  - type: case-study'));
const withSource = (source: string, config = SURVEY_CONFIG) => config.replace('responses: { type: csv, path: data/responses.csv }', `responses: ${source}`);
const project = (source: string, config = SURVEY_CONFIG) => makeProject({ 'cxreport.yaml': withSource(source, config), 'data/responses.csv': csv(SURVEY_HEADER, surveyRows()) });
/** The fixture in DuckDB with a real TIMESTAMP date column (the undatable row becomes NULL) and scores as text. */
const DUCK_TYPED = `{ type: duckdb, query: "select id, try_cast(submitted_at as timestamptz) as submitted_at, channel, region, nps_score, csat, ces, comment from read_csv('data/responses.csv', all_varchar = true)" }`;

async function metricsOf(dir: string, env: Record<string, string> = {}) {
  const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env });
  const built = modelFor(loaded);
  return { loaded, metrics: metricsJson(built.computed, built.model) };
}

const weighted = (loaded: Awaited<ReturnType<typeof load>>, id: string) => (loaded.prepared.get(id) as unknown as PreparedMetric).engine === 'sql';

describe('score metrics pushed down to DuckDB', () => {
  it('give byte-identical metrics.json to the in-memory engine, aggregated in the database', async () => {
    const reference = (await metricsOf(project('{ type: csv, path: data/responses.csv }'))).metrics;
    const pushed = await metricsOf(project(DUCK_TYPED));
    for (const id of ['nps', 'csat', 'ces']) expect(weighted(pushed.loaded, id)).toBe(true);
    expect(pushed.metrics).toBe(reference);
    const json = JSON.parse(reference);
    // the fixture's invalid rows are counted by reason in both engines
    expect(json.metrics.nps.exclusions).toEqual({ 'missing score': 1, 'not a number': 1, 'not an integer': 1, 'out of range': 1 });
  });

  it('a DATE column is pushed down too (same results as the CSV of those dates)', async () => {
    const dated = surveyRows().map((r) => [r[0], String(r[1]).slice(0, 10), ...r.slice(2)]);
    const files = (source: string) => makeProject({ 'cxreport.yaml': withSource(source), 'data/responses.csv': csv(SURVEY_HEADER, dated) });
    const reference = (await metricsOf(files('{ type: csv, path: data/responses.csv }'))).metrics;
    const pushed = await metricsOf(files(DUCK_TYPED.replace('try_cast(submitted_at as timestamptz)', 'try_cast(submitted_at as date)')));
    expect(weighted(pushed.loaded, 'nps')).toBe(true);
    expect(pushed.metrics).toBe(reference);
  });

  it('period assignment does not follow the machine\'s time zone (a TIMESTAMPTZ two hours into October UTC is October)', async () => {
    // 2026-10-01T02:00Z is still 30 September in New York: DuckDB truncates TIMESTAMPTZ in its
    // session zone, which defaults to the machine's, so the session is set to UTC
    const rows = surveyRows().map((r, i) => (i === 0 ? [r[0], '2026-10-01T02:00:00Z', ...r.slice(2)] : r));
    const files = (source: string) => makeProject({ 'cxreport.yaml': withSource(source), 'data/responses.csv': csv(SURVEY_HEADER, rows) });
    const reference = (await metricsOf(files('{ type: csv, path: data/responses.csv }'))).metrics;
    const saved = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      const pushed = await metricsOf(files(DUCK_TYPED));
      expect(weighted(pushed.loaded, 'nps')).toBe(true);
      expect(pushed.metrics).toBe(reference);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('a query may end with a semicolon or a line comment', async () => {
    const reference = (await metricsOf(project(DUCK_TYPED))).metrics;
    for (const tail of [';', ' -- the typed export', ';\\n']) {
      const pushed = await metricsOf(project(DUCK_TYPED.replace('all_varchar = true)" }', `all_varchar = true)${tail}" }`)));
      expect(pushed.metrics).toBe(reference);
    }
  });

  it('read a text date column into memory instead (same results)', async () => {
    const reference = (await metricsOf(project('{ type: csv, path: data/responses.csv }'))).metrics;
    const text = await metricsOf(project(`{ type: duckdb, query: "select * from read_csv('data/responses.csv', all_varchar = true)" }`));
    expect(weighted(text.loaded, 'nps')).toBe(false);
    expect(text.metrics).toBe(reference);
  });

  it('a metric that reads rows reads only the columns the config refers to', async () => {
    const dir = project(`{ type: duckdb, query: "select * from read_csv('data/responses.csv', all_varchar = true)" }`);
    const config = await loadConfig(join(dir, 'cxreport.yaml'), { env: {} });
    const sources = await loadSources(config);
    const source = sources.get('responses')!;
    if (!isPushdown(source)) throw new Error('expected a pushdown source');
    // every column but the unused id: scores, date, the breakdown's channel, the segment's region, the quoted comment
    expect(source.sql.projection).toEqual(['submitted_at', 'channel', 'region', 'nps_score', 'csat', 'ces', 'comment']);
    expect(referencedColumns(planOf({ metrics: { m: { type: 'nps', source: 's', score: 'a', filter: { b: 1 } } }, sections: [{ type: 'breakdown', by: 'c' }], matrix: { d: ['x'] } }).names, ['a', 'b', 'c', 'd', 'e'])).toEqual(['a', 'b', 'c', 'd']);
    const statements: string[] = [];
    const runner = source.sql.runner;
    const run = runner.run.bind(runner);
    runner.run = (text: string) => (statements.push(text), run(text));
    await prepareAll(config, sources);
    // the rows are read once, with the projected columns; every other statement is the highlights
    // scan's dimension detection: one scan counting every text column's filled rows, the first
    // 1,000 rows of the columns still in question (free text ruled out there), up to 13 distinct values
    const detection = /^SELECT ((SUM\(CASE WHEN TRIM\(CAST\("[^"]+" AS VARCHAR\)\) <> '' THEN 1 ELSE 0 END\), )+COUNT\(\*\)|(TRIM\(CAST\("[^"]+" AS VARCHAR\)\)(, )?)+ FROM [\s\S]* LIMIT 1000$|DISTINCT TRIM\(CAST\("[^"]+" AS VARCHAR\)\) FROM [\s\S]* LIMIT 13$)/;
    const reads = statements.filter((s) => !detection.test(s));
    expect(reads).toEqual([expect.stringMatching(/^SELECT "submitted_at", "channel", "region", "nps_score", "csat", "ces", "comment" FROM /)]);
    // and no section here shows the highlights scan, so none of its detection runs (compute only what is shown)
    expect(statements.length - reads.length).toBe(0);
  });

  it('pushdown: false reads every row into memory', async () => {
    const dir = project(DUCK_TYPED.replace('{ type: duckdb,', '{ type: duckdb, pushdown: false,'));
    const config = await loadConfig(join(dir, 'cxreport.yaml'), { env: {} });
    const sources = await loadSources(config);
    expect(isPushdown(sources.get('responses')!)).toBe(false);
    expect(sources.get('responses')!.table.numRows()).toBe(surveyRows().length);
  });

  it('the quoted comments are the same rows (HTML verbatims identical)', async () => {
    const a = await build({ configPath: join(project('{ type: csv, path: data/responses.csv }'), 'cxreport.yaml'), env: {} });
    const b = await build({ configPath: join(project(DUCK_TYPED), 'cxreport.yaml'), env: {} });
    const quotes = (html: string) => [...html.matchAll(/<blockquote[\s\S]*?<\/blockquote>/g)].map((m) => m[0]);
    expect(quotes(b.html).length).toBeGreaterThan(0);
    expect(quotes(b.html)).toEqual(quotes(a.html));
  });

  it('a matrix segment adds a WHERE condition and matches the in-memory segment', async () => {
    const csvLoaded = await load({ configPath: join(project('{ type: csv, path: data/responses.csv }', MATRIX_CONFIG), 'cxreport.yaml'), env: {} });
    const duckLoaded = await load({ configPath: join(project(DUCK_TYPED, MATRIX_CONFIG), 'cxreport.yaml'), env: {} });
    for (const value of ['EMEA', 'APAC']) {
      const a = await forSegment(csvLoaded, { column: 'region', value });
      const b = await forSegment(duckLoaded, { column: 'region', value });
      expect(b.sources.get('responses')!.rowCount).toBe(a.sources.get('responses')!.rowCount);
      const ma = modelFor(a);
      const mb = modelFor(b);
      expect(metricsJson(mb.computed, mb.model)).toBe(metricsJson(ma.computed, ma.model));
    }
  });

  it('on_invalid: error stops at an invalid row the database finds, naming column, value and reason', async () => {
    const dir = project(DUCK_TYPED.replace('{ type: duckdb,', '{ type: duckdb, on_invalid: error,').replace("from read_csv('data/responses.csv', all_varchar = true)", "from read_csv('data/responses.csv', all_varchar = true) where nps_score <> 'abc' and nps_score <> '7.5' and nps_score is not null and submitted_at <> 'not-a-date'"));
    let stderr = '';
    const code = await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toContain('duckdb:responses: data error: column nps_score: "11" — out of range (valid: integers 0–10)');
    expect(stderr).toContain('metric "nps" rejects this row because source "responses" has on_invalid: error');
  });
});

describe('the generated SQL', () => {
  it('score metrics on the same relation share one scan', async () => {
    const dir = project(DUCK_TYPED);
    const config = await loadConfig(join(dir, 'cxreport.yaml'), { env: {} });
    const sources = await loadSources(config);
    const source = sources.get('responses')!;
    if (!isPushdown(source)) throw new Error('expected a pushdown source');
    const statements: string[] = [];
    const run = source.sql.run.bind(source.sql);
    source.sql.run = (text: string) => (statements.push(text), run(text));
    const prepared = await prepareAll(config, sources);
    expect([...prepared.keys()]).toEqual(['nps', 'csat', 'ces']);
    // one GROUP BY for the three metrics, one read of the commented rows for the verbatims
    expect(statements.filter((s) => s.includes('GROUPING SETS'))).toHaveLength(1);
    expect(statements).toHaveLength(2);
  });

  it('is one GROUP BY per metric in the documented dialect (golden file)', async () => {
    const dir = project(DUCK_TYPED);
    const config = await loadConfig(join(dir, 'cxreport.yaml'), { env: {} });
    const source = (await loadSources(config)).get('responses')!;
    if (!isPushdown(source)) throw new Error('expected a pushdown source');
    expect(dimensionsOf(config, 'nps', config.metrics.nps as never)).toEqual(['region']);
    expect(dimensionsOf(config, 'csat', config.metrics.csat as never)).toEqual(['channel']);
    // nps by region and csat by channel in one scan: two grouping sets over the same date column
    const { text, masks } = cellsSql(source.sql, 'submitted_at', [['nps_score', 'region'], ['csat', 'channel'], ['ces']]);
    expect(masks).toEqual([0b00111, 0b11001, 0b11110]);
    const golden = readFileSync(join(import.meta.dirname, 'golden', 'score-pushdown.sql'), 'utf8').trim();
    expect(text.replace(/read_csv\([^)]*\)/, 'SOURCE')).toBe(golden);
    // for PostgreSQL the derived table is fenced with OFFSET 0 and the statement has two levels: a
    // GROUP BY of the rows by every column, then the grouping sets over those cells (see pushdown-sql.ts)
    const runner = { ...source.sql.runner, dialect: 'postgres' as const };
    const pg = cellsSql(new SqlRelation(runner, source.sql.query, source.sql.columns, () => source.sql.load()), 'submitted_at', [['nps_score', 'region'], ['csat', 'channel'], ['ces']]);
    expect(pg.masks).toEqual(masks);
    const pgGolden = readFileSync(join(import.meta.dirname, 'golden', 'score-pushdown-postgres.sql'), 'utf8').trim();
    expect(pg.text.replace(/read_csv\([^)]*\)/, 'SOURCE')).toBe(pgGolden);
  });
});

const url = process.env.CXREPORT_TEST_PG;

describe.skipIf(!url)(`score metrics pushed down to PostgreSQL${url ? '' : ' (skipped: set CXREPORT_TEST_PG; .ci/run starts a server)'}`, () => {
  const table = `typed_responses_${process.pid}`;
  const client = new pg.Client({ connectionString: url });
  const env = { CX_DATABASE_URL: url! };

  beforeAll(async () => {
    await client.connect();
    // a timestamptz date column (the undatable row is NULL) and scores as text, as the CSV holds them
    await client.query(`create table ${table} (id integer, submitted_at timestamptz, channel text, region text, nps_score text, csat text, ces text, comment text)`);
    for (const row of surveyRows()) {
      const cells = row.map((v) => (v === null || v === '' ? null : String(v)));
      if (cells[1] === 'not-a-date') cells[1] = null;
      await client.query(`insert into ${table} values (${cells.map((_, i) => `$${i + 1}`).join(', ')})`, cells);
    }
  });
  afterAll(async () => {
    await client.query(`drop table if exists ${table}`);
    await client.end();
  });

  it('give byte-identical metrics.json to the in-memory engine', async () => {
    const reference = (await metricsOf(project('{ type: csv, path: data/responses.csv }'))).metrics;
    const pushed = await metricsOf(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), env);
    for (const id of ['nps', 'csat', 'ces']) expect(weighted(pushed.loaded, id)).toBe(true);
    expect(pushed.metrics).toBe(reference);
  });

  it('a matrix build per region matches the CSV one', async () => {
    const config = `${MATRIX_CONFIG}matrix:\n  region: [EMEA, APAC]\n`;
    const run = async (dir: string) => {
      expect(await main(['build', '--format', 'html', '--out', 'out'], { stdout: () => {}, stderr: () => {}, env: { ...env, SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir })).toBe(0);
      return ['emea', 'apac'].map((s) => readFileSync(join(dir, 'out', '2026-10', s, 'metrics.json'), 'utf8'));
    };
    const a = await run(project('{ type: csv, path: data/responses.csv }', config));
    const b = await run(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`, config));
    expect(b).toEqual(a);
  });
});

describe('churn, retention, cohort retention and survival pushed down to DuckDB', () => {
  const CONFIG = `report:
  title: Customers
  period: { granularity: month, current: "2026-10" }
  min_sample: 1
sources:
  customers: { type: csv, path: data/customers.csv }
metrics:
  churn: { type: churn, source: customers, id: customer_id, start: signup_date, end: cancel_date }
  retention: { type: retention, source: customers, id: customer_id, start: signup_date, end: cancel_date }
  cohorts: { type: cohort-retention, source: customers, id: customer_id, start: signup_date, end: cancel_date, cohorts: 6, at: 2 }
  survival: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, unit: day, horizon: 90, by: plan }
sections:
  - { type: kpis, metrics: [churn, retention, cohorts, survival] }
  - { type: breakdown, metric: churn, by: plan }
  - { type: breakdown, metric: cohorts, by: plan }
`;
  // 40 customers over 2026 with a plan, plus every kind of invalid row the database can hold
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 40; i++) {
    const start = `2026-${String(1 + (i % 9)).padStart(2, '0')}-${String(1 + ((i * 7) % 28)).padStart(2, '0')}`;
    const end = i % 3 === 0 ? `2026-${String(2 + (i % 9)).padStart(2, '0')}-15` : i % 5 === 0 ? `2026-10-${String(1 + (i % 28)).padStart(2, '0')}` : '';
    rows.push([`C${i}`, start, end, i % 2 ? 'Pro' : i % 7 ? 'Starter' : '']);
  }
  rows.push(['', '2026-03-01', '', 'Pro']); // missing id
  rows.push(['C100', '', '', 'Pro']); // missing start
  rows.push(['C101', '2026-05-10', '2026-05-01', 'Pro']); // end before start
  rows.push(['C102', '2026-04-01', '', 'Pro'], ['C102', '2026-06-01', '', 'Starter']); // an id on two rows
  const files = (source: string) => makeProject({ 'cxreport.yaml': CONFIG.replace('customers: { type: csv, path: data/customers.csv }', `customers: ${source}`), 'data/customers.csv': csv(['customer_id', 'signup_date', 'cancel_date', 'plan'], rows) });
  const TYPED = `{ type: duckdb, query: "select customer_id, try_cast(signup_date as date) as signup_date, try_cast(cancel_date as date) as cancel_date, plan from read_csv('data/customers.csv', all_varchar = true)" }`;

  it('count customers in the database and give the same metrics.json as the rows in memory', async () => {
    const reference = await metricsOf(files('{ type: csv, path: data/customers.csv }'));
    const pushed = await metricsOf(files(TYPED));
    for (const id of ['churn', 'retention', 'cohorts', 'survival']) expect((pushed.loaded.prepared.get(id) as { engine?: string }).engine).toBe('sql');
    expect(pushed.metrics).toBe(reference.metrics);
    // survival's cells are frequency weights: fewer cells than customers, the same curve and log-rank test
    const survival = pushed.loaded.prepared.get('survival') as unknown as { weight: Float64Array };
    expect(survival.weight.length).toBeLessThan(40);
    expect(survival.weight.reduce((a, b) => a + b, 0)).toBe(40);
    expect(JSON.parse(reference.metrics).metrics.survival.logRank.groups).toHaveLength(3);
    const churn = JSON.parse(reference.metrics).metrics.churn;
    expect(churn.excludedAllPeriods).toEqual({ 'duplicate id': 2, 'end before start': 1, 'missing id': 1, 'missing or invalid start date': 1 });
    expect(churn.breakdowns.plan.map((g: { group: string }) => g.group)).toEqual(['(missing)', 'Pro', 'Starter']);
  });

  it('on_invalid: error names the column and the reason', async () => {
    const dir = files(TYPED.replace('{ type: duckdb,', '{ type: duckdb, on_invalid: error,'));
    let stderr = '';
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, cwd: dir })).toBe(1);
    expect(stderr).toContain('duckdb:customers: data error: column customer_id: missing id (a customer who started in 2026-03)');
    expect(stderr).toContain('metric "churn" rejects this row because source "customers" has on_invalid: error');
  });
});
