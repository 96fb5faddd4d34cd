/**
 * Benchmark: the score metrics' generated SQL against the hand-written SQL, statement by
 * statement, in one process and one connection per engine.
 *
 *   npx tsx bench/pushdown-sql.ts [--size 1000000] [--runs 7] [--data-dir bench/.data] [--sets "nps_score,region;csat;ces"]
 *
 * Statements, each computing the data-source benchmark's cells (NPS by region, CSAT, CES per month;
 * bench/sources.ts) over bench/.data/responses-<N>.parquet in DuckDB and, when CXREPORT_BENCH_PG
 * names a server holding table responses_<N> (loaded by bench/sources.ts), in PostgreSQL:
 *   one level     GROUPING SETS straight over the rows;
 *   two levels    a GROUP BY of the rows by month and every grouping column, then GROUPING SETS
 *                 over those cells, re-summed;
 *                 the one `cellsSql` (src/metrics/pushdown-sql.ts) sends on each engine is marked
 *                 "generated" (checked to be the same text): two levels for PostgreSQL, one for DuckDB;
 *   hand-written  the baseline of bench/sources-case.ts (what someone writing the query by hand
 *                 would send; the anchor).
 * After one untimed run of each, the statements are interleaved --runs times; medians of the wall
 * time and of the engine's CPU time (this process's for DuckDB, the PostgreSQL server's processes
 * read from /proc: less disturbed by other work on the machine), each as a ratio to the
 * hand-written statement's. The one- and two-level statements must
 * return the same cells. Results to stdout and bench/results/pushdown-sql.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cellsSql } from '../src/metrics/pushdown-sql.js';
import type { SqlRelation } from '../src/sources/sql.js';
import { machineLines, median } from './machine.js';
import { parentOf, serverSeconds } from './server-cpu.js';
import { baselineSql } from './sources-case.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '7' },
    'data-dir': { type: 'string', default: join(here, '.data') },
    // the grouping sets, e.g. "nps_score,region;csat;ces" (the data-source benchmark's, the default)
    sets: { type: 'string', default: 'nps_score,region;csat;ces' },
  },
});
const N = Number(values.size);
const RUNS = Math.max(1, Number(values.runs) || 7);
const SETS = values.sets!.split(';').map((set) => set.split(',').map((c) => c.trim()));

/** The generator's statement over `from` (a derived table), for a dialect. */
function generated(dialect: 'duckdb' | 'postgres', from: string): string {
  const relation = { runner: { dialect }, from: () => from } as unknown as SqlRelation;
  return cellsSql(relation, 'submitted_at', SETS).text;
}

/** GROUPING SETS straight over the rows (what the generator made for every engine before, and still makes for DuckDB). */
function oneLevel(dialect: 'duckdb' | 'postgres', from: string): string {
  const columns = [...new Set(SETS.flat())];
  const alias = (c: string) => `c${columns.indexOf(c)}`;
  const all = columns.map(alias);
  const inner = [`DATE_TRUNC('month', "submitted_at") AS cx_period`, `"submitted_at" AS cx_date`, ...columns.map((c) => `"${c}" AS ${alias(c)}`)];
  return [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, ${all.join(', ')}, GROUPING(${all.join(', ')}) AS cx_set, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_date)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (SELECT ${inner.join(', ')} FROM ${from}${dialect === 'postgres' ? ' OFFSET 0' : ''}) AS cx_rows`,
    `GROUP BY GROUPING SETS (${SETS.map((set) => `(cx_period, ${set.map(alias).join(', ')})`).join(', ')})`,
  ].join('\n');
}

/** Two levels: a GROUP BY of the rows by month and every column, then the grouping sets over those cells (what the generator makes for PostgreSQL). */
function twoLevels(dialect: 'duckdb' | 'postgres', from: string): string {
  const columns = [...new Set(SETS.flat())];
  const alias = (c: string) => `c${columns.indexOf(c)}`;
  const all = columns.map(alias);
  const inner = [`DATE_TRUNC('month', "submitted_at") AS cx_period`, `"submitted_at" AS cx_date`, ...columns.map((c) => `"${c}" AS ${alias(c)}`)];
  return [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, ${all.join(', ')}, GROUPING(${all.join(', ')}) AS cx_set, CAST(SUM(cx_count) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_last)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (SELECT cx_period, ${all.join(', ')}, COUNT(*) AS cx_count, MAX(cx_date) AS cx_last`,
    `FROM (SELECT ${inner.join(', ')} FROM ${from}${dialect === 'postgres' ? ' OFFSET 0' : ''}) AS cx_rows`,
    `GROUP BY cx_period, ${all.join(', ')}) AS cx_cells`,
    `GROUP BY GROUPING SETS (${SETS.map((set) => `(cx_period, ${set.map(alias).join(', ')})`).join(', ')})`,
  ].join('\n');
}

/** Rows as sorted JSON lines, to compare two statements' cells. */
const canonical = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r.map((v) => (typeof v === 'bigint' ? Number(v) : v)))).sort().join('\n');

interface Engine {
  name: string;
  run(sql: string): Promise<unknown[][]>;
  /** CPU seconds the engine has used so far (this process's for DuckDB; the PostgreSQL server's processes) */
  cpu(): number;
  close(): Promise<void>;
  /** the relation as the source sends it (a derived table), and as the hand-written statement names it */
  from: string;
  table: string;
  dialect: 'duckdb' | 'postgres';
}

async function duckdb(): Promise<Engine> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'").catch(() => undefined);
  const parquet = resolve(values['data-dir']!, `responses-${N}.parquet`);
  return {
    name: 'DuckDB (Parquet file)',
    dialect: 'duckdb',
    from: `(select * from read_parquet('${parquet.replaceAll("'", "''")}')) AS cx_source`,
    table: `read_parquet('${parquet.replaceAll("'", "''")}')`,
    run: async (sql) => (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][],
    cpu: () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    },
    close: async () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

async function postgres(url: string): Promise<Engine> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query("SET TIME ZONE 'UTC'");
  return {
    name: 'PostgreSQL (table)',
    dialect: 'postgres',
    from: `(select * from "responses_${N}") AS cx_source`,
    table: `"responses_${N}"`,
    run: async (sql) => (await client.query({ text: sql, rowMode: 'array' })).rows as unknown[][],
    cpu: serverCpu(Number((await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid)),
    close: () => client.end(),
  };
}

/** CPU seconds of the PostgreSQL server whose backend is `backend` (bench/server-cpu.ts). */
function serverCpu(backend: number): () => number {
  const postmaster = parentOf(backend);
  if (postmaster === undefined) return () => NaN;
  return () => serverSeconds(postmaster);
}

async function main(): Promise<void> {
  const started = new Date();
  const engines: Engine[] = [await duckdb()];
  const url = process.env.CXREPORT_BENCH_PG;
  if (url) engines.push(await postgres(url));
  const lines = [
    '# Pushdown SQL: generated against hand-written',
    '',
    `\`npx tsx bench/pushdown-sql.ts --size ${N} --runs ${RUNS} --sets "${values.sets}"\`: ${N.toLocaleString('en-US')} responses (bench/sources.ts's data), the score metrics' cells per month for the grouping sets ${SETS.map((s) => `(${s.join(', ')})`).join(', ')} (the hand-written statement always computes NPS by region, CSAT and CES); statements interleaved in one connection per engine, medians of ${RUNS} runs after one untimed run each; "×" divides by the hand-written statement's median in the same run.`,
    '',
    '| engine | statement | wall, median (s) | wall, runs (s) | × hand-written | CPU, median (s) | CPU × hand-written |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const engine of engines) {
    const one = oneLevel(engine.dialect, engine.from);
    const two = twoLevels(engine.dialect, engine.from);
    const mine = generated(engine.dialect, engine.from);
    if (mine !== one && mine !== two) throw new Error(`${engine.name}: the generator's statement is neither form this benchmark knows`);
    const statements: [string, string][] = [
      [mine === one ? 'one level (generated)' : 'one level', one],
      [mine === two ? 'two levels (generated)' : 'two levels', two],
      ['hand-written', baselineSql(engine.dialect, engine.table)],
    ];
    const first = new Map<string, unknown[][]>();
    for (const [name, sql] of statements) first.set(name, await engine.run(sql));
    if (canonical(first.get(statements[0][0])!) !== canonical(first.get(statements[1][0])!)) throw new Error(`${engine.name}: the two-level statement's cells differ from the one-level statement's`);
    const times = new Map<string, number[]>(statements.map(([name]) => [name, []]));
    const cpus = new Map<string, number[]>(statements.map(([name]) => [name, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const [name, sql] of statements) {
        const [t, c] = [performance.now(), engine.cpu()];
        await engine.run(sql);
        times.get(name)!.push((performance.now() - t) / 1000);
        cpus.get(name)!.push(engine.cpu() - c);
      }
    }
    const anchor = median(times.get('hand-written')!);
    const cpuAnchor = median(cpus.get('hand-written')!);
    for (const [name] of statements) {
      const ts = times.get(name)!;
      const cs = cpus.get(name)!;
      lines.push(`| ${engine.name} | ${name} | ${median(ts).toFixed(3)} | ${ts.map((t) => t.toFixed(2)).join(', ')} | ${(median(ts) / anchor).toFixed(2)}× | ${median(cs).toFixed(3)} | ${(median(cs) / cpuAnchor).toFixed(2)}× |`);
    }
    process.stderr.write(`${engine.name}: ${statements.map(([name]) => `${name} ${median(times.get(name)!).toFixed(3)} s`).join(', ')}\n`);
    await engine.close();
  }
  lines.push('', 'The one-level and two-level statements returned the same cells on every engine.', '', '## Machine', '', ...machineLines(started), '');
  const text = lines.join('\n');
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'pushdown-sql.md'), text);
  console.log(text);
}

await main();
