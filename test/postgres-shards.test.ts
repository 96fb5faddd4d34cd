/**
 * The same YAML against a sharded PostgreSQL (issue 17): a coordinator whose table is partitioned
 * over two shards as postgres_fdw foreign tables (scripts/postgres-shards.sh starts the three
 * servers on free ports) gives the same metrics.json as one plain table and as the CSV, and the
 * score metrics' inner GROUP BY runs on the shards: EXPLAIN VERBOSE of the generated statement
 * shows, per partition, a Foreign Scan aggregating on the shard (its Remote SQL has the GROUP BY),
 * where the single-table form of the statement ships every row. Skipped, saying why, without
 * PostgreSQL's server binaries.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { cellsSql } from '../src/metrics/pushdown-sql.js';
import { monthKeyParts, monthKeySql } from '../src/metrics/pushdown-shards-sql.js';
import { load, modelFor } from '../src/app/pipeline.js';
import { metricsJson } from '../src/render/metrics-json.js';
import { foreignPartitions, partitionedCountSql } from '../src/sources/postgres-partitions.js';
import { postgresRunner } from '../src/sources/postgres.js';
import { isPushdown, type PushdownSource } from '../src/sources/sql.js';
import { csv, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';
import { analyzeSharded, onServer, shardedTable, shardsUnavailable, startShards, type ShardCluster } from './shards.js';

const unavailable = shardsUnavailable();
const COLUMNS = 'id integer, submitted_at timestamptz, channel text, region text, nps_score text, csat text, ces text, comment text';

/** The survey fixture plus rows on both sides of month boundaries and a year of seeded answers (so that cells of one month come from both shards). */
function rows(): (string | number | null)[][] {
  const out = surveyRows();
  let id = 1000;
  for (const at of ['2026-09-30T23:59:59Z', '2026-10-01T00:00:00Z', '2026-08-31T23:30:00Z', '2026-09-01T00:00:01Z', '2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z']) out.push([id++, at, 'email', 'APAC', 8, 4, 5, '']);
  let seed = 7;
  const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
  for (let i = 0; i < 300; i++) {
    const day = next(365);
    const at = new Date(Date.UTC(2025, 10, 1) + day * 86400000 + next(86400) * 1000).toISOString().replace('.000', '');
    out.push([id++, at, next(2) ? 'email' : 'phone', ['EMEA', 'APAC', 'AMER'][next(3)], next(11), 1 + next(5), 1 + next(7), '']);
  }
  return out;
}

const withSource = (source: string, config = SURVEY_CONFIG) => config.replace('responses: { type: csv, path: data/responses.csv }', `responses: ${source}`);
const project = (source: string, config = SURVEY_CONFIG) => makeProject({ 'cxreport.yaml': withSource(source, config), 'data/responses.csv': csv(SURVEY_HEADER, rows()) });
const pgSource = (table: string) => `{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`;

describe.skipIf(unavailable)(`score metrics on a sharded PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: ShardCluster;
  let env: Record<string, string>;

  beforeAll(async () => {
    cluster = startShards(2);
    env = { CX_DATABASE_URL: cluster.coordinator };
    await shardedTable(cluster, 'sharded', COLUMNS, 'id', 'submitted_at');
    await onServer(cluster.coordinator, async (c) => {
      await c.query(`create table single (${COLUMNS})`);
      for (const row of rows()) {
        const cells = row.map((v) => (v === null || v === '' ? null : String(v)));
        if (cells[1] === 'not-a-date') cells[1] = null;
        const params = cells.map((_, i) => `$${i + 1}`).join(', ');
        await c.query(`insert into single values (${params})`, cells);
        // routed by the coordinator to the shard of the row's id
        await c.query(`insert into sharded values (${params})`, cells);
      }
      await c.query('analyze single');
    });
    await analyzeSharded(cluster, 'sharded');
  }, 120_000);
  afterAll(() => cluster?.stop());

  async function metricsOf(dir: string) {
    const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env });
    const built = modelFor(loaded);
    return { loaded, metrics: metricsJson(built.computed, built.model) };
  }

  it('the rows are spread over both shards', async () => {
    const counts = await Promise.all(cluster.shards.map((s) => onServer(s, async (c) => Number((await c.query('select count(*) from sharded')).rows[0].count))));
    expect(counts.every((n) => n > 100)).toBe(true);
    expect(counts[0] + counts[1]).toBe(rows().length);
  });

  it('the same YAML gives byte-identical metrics.json on the sharded table, one table and the CSV', async () => {
    const reference = (await metricsOf(project('{ type: csv, path: data/responses.csv }'))).metrics;
    const single = await metricsOf(project(pgSource('single')));
    const sharded = await metricsOf(project(pgSource('sharded')));
    for (const id of ['nps', 'csat', 'ces']) expect((sharded.loaded.prepared.get(id) as { engine?: string }).engine).toBe('sql');
    const source = sharded.loaded.sources.get('responses')!;
    expect(isPushdown(source) && source.sql.partitions).toEqual(['public.sharded_s1', 'public.sharded_s2']);
    expect(single.metrics).toBe(reference);
    expect(sharded.metrics).toBe(reference);
    // an independent count: valid NPS answers per UTC month of the rows (the boundary rows in their own month)
    const json = JSON.parse(reference);
    const monthOf = (at: unknown) => new Date(String(at)).toISOString().slice(0, 7);
    const valid = (month: string) => rows().filter((r) => r[1] !== 'not-a-date' && monthOf(r[1]) === month && /^([0-9]|10)$/.test(String(r[4]))).length;
    expect([json.period, json.previousPeriod]).toEqual(['2026-10', '2026-09']);
    expect(json.metrics.nps.n).toBe(valid('2026-10'));
    expect(json.metrics.nps.series.at(-2)).toMatchObject({ period: '2026-09', n: valid('2026-09') });
    expect(valid('2026-10')).toBeGreaterThan(11);
  });

  it('a DATE or TIMESTAMP (without time zone) date column on the shards gives the CSV\'s numbers too', async () => {
    for (const kind of ['date', 'timestamp']) {
      const table = `sharded_${kind}`;
      const dated = rows().map((r) => (kind === 'date' && r[1] !== 'not-a-date' ? [r[0], String(r[1]).slice(0, 10), ...r.slice(2)] : r));
      await shardedTable(cluster, table, COLUMNS.replace('submitted_at timestamptz', `submitted_at ${kind}`), 'id', 'submitted_at', kind);
      await onServer(cluster.coordinator, async (c) => {
        for (const row of dated) {
          const cells = row.map((v) => (v === null || v === '' || v === 'not-a-date' ? null : String(v)));
          await c.query(`insert into ${table} values (${cells.map((_, i) => `$${i + 1}`).join(', ')})`, cells);
        }
      });
      await analyzeSharded(cluster, table);
      const files = (source: string) => makeProject({ 'cxreport.yaml': withSource(source), 'data/responses.csv': csv(SURVEY_HEADER, dated) });
      const reference = (await metricsOf(files('{ type: csv, path: data/responses.csv }'))).metrics;
      const sharded = await metricsOf(files(pgSource(table)));
      const source = sharded.loaded.sources.get('responses') as PushdownSource;
      expect(source.sql.partitions).toHaveLength(2);
      expect(source.sql.kind('submitted_at')).toBe(kind);
      expect(sharded.metrics).toBe(reference);
    }
  });

  it('a matrix build per region matches the CSV one', async () => {
    const config = `${SURVEY_CONFIG.slice(0, SURVEY_CONFIG.indexOf('  - type: case-study'))}matrix:\n  region: [EMEA, APAC]\n`;
    const run = async (dir: string) => {
      expect(await main(['build', '--format', 'html', '--out', 'out'], { stdout: () => {}, stderr: () => {}, env: { ...env, SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir })).toBe(0);
      return ['emea', 'apac'].map((s) => readFileSync(join(dir, 'out', '2026-10', s, 'metrics.json'), 'utf8'));
    };
    expect(await run(project(pgSource('sharded'), config))).toEqual(await run(project('{ type: csv, path: data/responses.csv }', config)));
  });

  it('EXPLAIN VERBOSE: each shard runs the inner GROUP BY (a Foreign Scan whose Remote SQL aggregates); the single-table form ships the rows', async () => {
    const sharded = await metricsOf(project(pgSource('sharded')));
    const source = sharded.loaded.sources.get('responses') as PushdownSource;
    const sets = [['nps_score', 'region'], ['csat', 'channel'], ['ces']];
    const explain = async (text: string) => onServer(cluster.coordinator, async (c) => (await c.query(`explain verbose ${text}`)).rows.map((r) => r['QUERY PLAN'] as string).join('\n'));
    const plan = await explain(cellsSql(source.sql, 'submitted_at', sets).text);
    const remote = plan.split('\n').filter((l) => l.includes('Remote SQL:'));
    expect(remote).toHaveLength(2);
    for (const line of remote) expect(line).toMatch(/Remote SQL: SELECT .*count\(\*\), max\(submitted_at\) FROM public\.sharded GROUP BY 1, 2, 3, 4, 5, 6$/);
    expect(plan.match(/Foreign Scan/g)).toHaveLength(2);
    expect(plan).toContain('Relations: Aggregate on (public.sharded_s1');
    expect(plan).toContain('Relations: Aggregate on (public.sharded_s2');
    // control: the single-table statement over the same partitioned table aggregates on the coordinator
    const unsharded = Object.assign(Object.create(Object.getPrototypeOf(source.sql)), source.sql, { partitions: undefined });
    const local = await explain(cellsSql(unsharded, 'submitted_at', sets).text);
    expect(local).not.toMatch(/Remote SQL: .*GROUP BY/);
    expect(local).toMatch(/Remote SQL: SELECT [^\n]* FROM public\.sharded$/m);
    // the source's row count is counted on the shards too
    expect(await explain(source.sql.countSql())).toMatch(/Remote SQL: SELECT count\(\*\) FROM public\.sharded$/m);
    // and a matrix segment's, its condition included
    const emea = await explain(source.sql.filtered('region', 'EMEA').countSql());
    expect(emea.match(/Remote SQL: SELECT count\(\*\) FROM public\.sharded WHERE .*'EMEA'/g)).toHaveLength(2);
  });

  it('only tables whose rows all live on foreign servers are treated as sharded', async () => {
    const runner = postgresRunner({ name: 't', connection: cluster.coordinator });
    expect(await foreignPartitions(runner, '"single"')).toBeUndefined();
    expect(await foreignPartitions(runner, '"sharded_s2"')).toEqual(['public.sharded_s2']);
    expect(await foreignPartitions(runner, '"no_such_table"')).toBeUndefined();
    await onServer(cluster.coordinator, (c) => c.query(`create table mixed (id integer) partition by list (id); create foreign table mixed_1 partition of mixed for values in (1) server shard1; create table mixed_2 partition of mixed for values in (2)`));
    expect(await foreignPartitions(runner, '"mixed"')).toBeUndefined();
  });

  it('the month key is the calendar month: every day of 1900–2100 and the first and last day of every month of 1–9999, in any session time zone', async () => {
    const { year, month } = monthKeyParts('k');
    const check = (series: string, kind: string, session: string) =>
      onServer(cluster.coordinator, async (c) => {
        await c.query(`set time zone '${session}'`);
        const utc = kind === 'timestamptz' ? `x AT TIME ZONE 'UTC'` : 'x';
        const { rows: [r] } = await c.query(`select count(*)::int as n, count(*) filter (where ${year} <> extract(year from ${utc}) or ${month} <> extract(month from ${utc}))::int as bad from (select x, ${monthKeySql('x', kind)} as k from (${series}) s(x)) t`);
        return r as { n: number; bad: number };
      });
    const days = `select d::date from generate_series(timestamp '1900-01-01', timestamp '2100-12-31', interval '1 day') d`;
    const ends = `select m::date from generate_series(timestamp '0001-01-01', timestamp '9999-12-01', interval '1 month') m union all select (m + interval '1 month' - interval '1 day')::date from generate_series(timestamp '0001-01-01', timestamp '9999-12-01', interval '1 month') m`;
    expect(await check(days, 'date', 'UTC')).toEqual({ n: 73414, bad: 0 });
    expect(await check(ends, 'date', 'UTC')).toEqual({ n: 239976, bad: 0 });
    expect(await check(`select d::timestamp + interval '23:59:59' from (${ends}) e(d)`, 'timestamp', 'UTC')).toEqual({ n: 239976, bad: 0 });
    // instants a second either side of midnight UTC at each month's start, read in New York's and Tokyo's zones
    for (const session of ['America/New_York', 'Asia/Tokyo']) {
      expect(await check(`select (m::timestamp AT TIME ZONE 'UTC') + s from generate_series(timestamp '1900-01-01', timestamp '2100-12-01', interval '1 month') m, (values (interval '-1 second'), (interval '0'), (interval '1 second')) v(s)`, 'timestamptz', session)).toEqual({ n: 7236, bad: 0 });
    }
  });
});

describe('sharded-table detection without a server', () => {
  const runner = (rows: unknown[][] | Error) => ({ dialect: 'postgres' as const, label: 'postgres:t', run: async () => (rows instanceof Error ? Promise.reject(rows) : { names: ['name', 'kind', 'root'], rows }), describe: async () => [] });

  it('a failing catalogue query (a server without to_regclass, such as Redshift) means not sharded', async () => {
    expect(await foreignPartitions(runner(new Error('function to_regclass(unknown) does not exist')), '"t"')).toBeUndefined();
  });

  it('partitioned with every leaf foreign: the leaves; a local leaf or a plain table: not sharded', async () => {
    expect(await foreignPartitions(runner([['public.t', 'p', true], ['public.t_1', 'f', false], ['public.t_2', 'f', false]]), '"t"')).toEqual(['public.t_1', 'public.t_2']);
    expect(await foreignPartitions(runner([['public.t', 'p', true], ['public.t_1', 'f', false], ['public.t_2', 'r', false]]), '"t"')).toBeUndefined();
    expect(await foreignPartitions(runner([['public.t', 'r', true]]), '"t"')).toBeUndefined();
    expect(await foreignPartitions(runner([]), '"t"')).toBeUndefined();
  });

  it('the row count of a sharded table adds one COUNT(*) per partition', () => {
    const one = (p: string) => `SELECT COUNT(*) AS cx_n FROM (\nSELECT * FROM ${p}\n) AS cx_source`;
    expect(partitionedCountSql(['public.a', 'public.b'])).toBe(`SELECT SUM(cx_n) FROM (${one('public.a')} UNION ALL ${one('public.b')}) AS cx_counts`);
    // a matrix segment's condition applies in every partition
    expect(partitionedCountSql(['public.a'], ["x = 'y'"])).toBe(`SELECT SUM(cx_n) FROM (SELECT COUNT(*) AS cx_n FROM (SELECT * FROM (\nSELECT * FROM public.a\n) AS cx_source WHERE (x = 'y')) AS cx_rows) AS cx_counts`);
  });
});
