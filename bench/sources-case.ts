/**
 * One run of one case of the data-source benchmark (bench/sources.ts), in a process of its own so
 * that its peak memory is its own:
 *
 *   node --import tsx bench/sources-case.ts <case> <N> <dataDir>
 *
 * <case> is csv, parquet, duckdb, postgres, baseline or baseline-postgres; the data files are
 * <dataDir>/responses-<N>.csv and .parquet; the postgres and baseline-postgres cases read table
 * responses_<N> on the server named by CXREPORT_BENCH_PG_URL (passed through the environment so it
 * is never printed).
 *
 * A cxreport case writes a temporary cxreport.yaml (three metrics, a KPI section and a breakdown
 * of NPS by region) and times `load({ configPath })` + `modelFor(loaded)` — loading the source,
 * preparing and computing every metric and building the report model, without rendering. The
 * baseline times hand-written DuckDB SQL over the Parquet file computing the same aggregates, from
 * opening DuckDB to having the rows in JS; baseline-postgres the same aggregates written for
 * PostgreSQL over the table the postgres case reads, from connecting to having the rows in JS.
 *
 * Prints one JSON line on stdout: { case, n, ok, seconds, peakRssMB, period, nps, npsN, csat, ces,
 * note? } or, when the case fails, { case, n, ok: false, error, peakRssMB } (exit code 1).
 */
import { benchConfig } from './sources-config.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CxError, CxErrors, describeError } from '../src/kernel/errors.js';
import { load, modelFor } from '../src/app/pipeline.js';

const CASES = ['csv', 'parquet', 'duckdb', 'postgres', 'baseline', 'baseline-postgres', 'baseline-sharded'] as const;
type CaseName = (typeof CASES)[number];
type CxreportCase = Exclude<CaseName, 'baseline' | 'baseline-postgres' | 'baseline-sharded'>;

export interface CaseResult {
  case: string;
  n: number;
  ok: boolean;
  seconds?: number;
  peakRssMB: number;
  /** the report period (latest month with data) */
  period?: string;
  /** NPS of that period and its number of valid answers */
  nps?: number | null;
  npsN?: number;
  csat?: number | null;
  ces?: number | null;
  note?: string;
  error?: string;
}

const NO_PUSHDOWN = 'pushdown not available; loaded into memory';

const peakRssMB = () => Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;

/** JSON string literals are valid YAML scalars, so every value is written with JSON.stringify. */
const q = (s: string) => JSON.stringify(s);
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The source entry of a case, as a YAML flow mapping. */
function sourceYaml(name: CxreportCase, n: number, dataDir: string, pushdown: boolean): string {
  const csv = join(dataDir, `responses-${n}.csv`);
  const parquet = join(dataDir, `responses-${n}.parquet`);
  const push = pushdown ? ', pushdown: true' : '';
  switch (name) {
    case 'csv':
      return `{ type: csv, path: ${q(csv)} }`;
    case 'parquet':
      return `{ type: parquet, path: ${q(parquet)} }`;
    case 'duckdb':
      return `{ type: duckdb, query: ${q(`select * from read_parquet(${sqlString(parquet)})`)}${push} }`;
    case 'postgres':
      // the URL comes from the environment; the generous timeout is for the in-memory fallback at 10M rows
      return `{ type: postgres, table: ${q(`responses_${n}`)}, connection: "\${CXREPORT_BENCH_PG_URL}", timeout: 3600${push} }`;
  }
}

function configYaml(name: CxreportCase, n: number, dataDir: string, pushdown: boolean): string {
  return benchConfig(q(`Data-source benchmark: ${name}, ${n} rows`), sourceYaml(name, n, dataDir, pushdown));
}


/** True when the config was rejected only because the source schema does not know `pushdown` yet. */
function rejectsPushdown(error: unknown): boolean {
  const errors = error instanceof CxErrors ? error.errors : error instanceof CxError ? [error] : [];
  return errors.some((e) => e.kind === 'config' && /unknown key "pushdown"/.test(e.message));
}

async function runCxreport(name: CxreportCase, n: number, dataDir: string): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-bench-'));
  try {
    const configPath = join(dir, 'cxreport.yaml');
    const wantsPushdown = name === 'duckdb' || name === 'postgres';
    const attempt = async (pushdown: boolean) => {
      writeFileSync(configPath, configYaml(name, n, dataDir, pushdown));
      const start = performance.now();
      const loaded = await load({ configPath, env: process.env });
      // awaited so this keeps working if modelFor becomes async
      const { computed } = await modelFor(loaded);
      return { seconds: (performance.now() - start) / 1000, computed };
    };
    let note: string | undefined;
    let run: Awaited<ReturnType<typeof attempt>>;
    try {
      run = await attempt(wantsPushdown);
    } catch (error) {
      if (!wantsPushdown || !rejectsPushdown(error)) throw error;
      note = NO_PUSHDOWN;
      run = await attempt(false);
    }
    const { results } = run.computed;
    const value = (id: string) => results.get(id)?.value ?? null;
    const nps = results.get('nps');
    return {
      case: name,
      n,
      ok: true,
      seconds: run.seconds,
      peakRssMB: peakRssMB(),
      period: run.computed.period,
      nps: nps?.value ?? null,
      npsN: nps?.n ?? 0,
      csat: value('csat'),
      ces: value('ces'),
      ...(note ? { note } : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The aggregates the three metrics need, per month and per month × region: count, sum and sum of
 * squares of each valid score, the count of every answer value (promoters, passives, detractors,
 * CSAT 4–5 and the distributions follow from these) and the excluded rows by reason. Valid means
 * what cxreport's rules say: an integer in 0–10 (NPS), 1–5 (CSAT), 1–7 (CES) on a row with a date;
 * the columns are integers (Parquet INT32, PostgreSQL integer), so "not a number" and "not an
 * integer" cannot occur.
 *
 * Written as one would by hand for speed: a single scan groups the rows by month, region and the
 * three answers (a few tens of thousands of cells, as the scores are small integers), and every
 * statistic is then summed from those weighted cells. The same query in each engine's idiom:
 * DuckDB reads the Parquet file (GROUP BY ALL, strftime); PostgreSQL the table the postgres case
 * reads (GROUP BY by position, to_char; date_trunc in the session's time zone, set to UTC).
 *
 * PostgreSQL gets the rows of the first scan from a derived table with OFFSET 0, as someone tuning
 * the query by hand would write it: without that fence the planner estimates the number of
 * (month, region, answers) cells from the distinct values of submitted_at (about one per row),
 * rejects hashing and sorts all rows on disk instead; behind it, the month is a computed column
 * with PostgreSQL's default estimate, the plan is one in-memory HashAggregate, and the case takes
 * about 2.8 s instead of 5.7–6.5 s at 10M rows (PostgreSQL 15, 2 CPUs, default settings).
 */
export function baselineSql(dialect: 'duckdb' | 'postgres', from: string): string {
  const metric = (col: string, min: number, max: number) => {
    const dated = 'month is not null';
    const ok = `${dated} and ${col} between ${min} and ${max}`;
    const values = Array.from({ length: max - min + 1 }, (_, i) => min + i);
    return [
      `sum(c) filter (where ${ok}) as ${col}_n`,
      `sum(c * ${col}) filter (where ${ok}) as ${col}_sum`,
      `sum(c * ${col} * ${col}) filter (where ${ok}) as ${col}_sumsq`,
      ...values.map((v) => `sum(c) filter (where ${dated} and ${col} = ${v}) as ${col}_${v}`),
      `sum(c) filter (where ${dated} and ${col} is null) as ${col}_x_missing`,
      `sum(c) filter (where ${dated} and ${col} not between ${min} and ${max}) as ${col}_x_out_of_range`,
      `sum(c) filter (where month is null) as ${col}_x_no_date`,
    ].join(',\n  ');
  };
  const duck = dialect === 'duckdb';
  const scan = duck
    ? `select date_trunc('month', submitted_at) as month, region, nps_score, csat, ces, count(*) as c
  from ${from}
  group by all`
    : `select month, region, nps_score, csat, ces, count(*) as c
  from (select date_trunc('month', submitted_at) as month, region, nps_score, csat, ces from ${from} offset 0) as r
  group by 1, 2, 3, 4, 5`;
  return `with cells as (
  ${scan}
)
select ${duck ? `strftime(month, '%Y-%m')` : `to_char(month, 'YYYY-MM')`} as month, region, grouping(region) as all_regions,
  sum(c) as rows,
  ${metric('nps_score', 0, 10)},
  ${metric('csat', 1, 5)},
  ${metric('ces', 1, 7)}
from cells
group by grouping sets ((month), (month, region))
order by month, all_regions desc, region`;
}

/**
 * baseline-sharded (bench/sharded.ts): the PostgreSQL baseline for a table whose rows live in the
 * foreign tables `partitions` on shards — its first scan written per partition (UNION ALL), with a
 * month key postgres_fdw can ship (src/metrics/pushdown-shards-sql.ts: DATE_TRUNC is kept local), so
 * that each shard groups its own rows; the cells are then re-summed by month as before.
 */
export function shardedBaselineSql(partitions: string[], monthKey: string, keyToDate: (key: string) => string): string {
  const perShard = partitions.map((p) => `select ${monthKey} as k, region, nps_score, csat, ces, count(*) as c from ${p} group by 1, 2, 3, 4, 5`).join('\n    union all ');
  const scan = `select ${keyToDate('k')} as month, region, nps_score, csat, ces, sum(c) as c
  from (${perShard}) as r
  group by 1, 2, 3, 4, 5`;
  const text = baselineSql('postgres', 'cx_placeholder').replace(/select month, region, nps_score, csat, ces, count\(\*\) as c\n[\s\S]*?group by 1, 2, 3, 4, 5/, scan);
  if (text.includes('cx_placeholder')) throw new Error('baselineSql changed: update shardedBaselineSql');
  return text;
}

/** The NPS, CSAT and CES of the latest month with a valid answer, from a baseline's month-level rows. */
function baselineResult(name: 'baseline' | 'baseline-postgres' | 'baseline-sharded', n: number, seconds: number, rows: Record<string, unknown>[]): CaseResult {
  // PostgreSQL returns sums of bigint as numeric, i.e. as strings; Number() reads both
  const num = (v: unknown) => Number(v ?? 0);
  const months = rows.filter((r) => num(r.all_regions) === 1 && r.month !== null && num(r.nps_score_n) + num(r.csat_n) + num(r.ces_n) > 0);
  const last = months[months.length - 1];
  const npsN = num(last?.nps_score_n);
  const promoters = num(last?.nps_score_9) + num(last?.nps_score_10);
  const detractors = [0, 1, 2, 3, 4, 5, 6].reduce((s, v) => s + num(last?.[`nps_score_${v}`]), 0);
  const csatN = num(last?.csat_n);
  const cesN = num(last?.ces_n);
  return {
    case: name,
    n,
    ok: true,
    seconds,
    peakRssMB: peakRssMB(),
    period: last ? String(last.month) : undefined,
    nps: npsN > 0 ? (100 * (promoters - detractors)) / npsN : null,
    npsN,
    csat: csatN > 0 ? (100 * (num(last?.csat_4) + num(last?.csat_5))) / csatN : null,
    ces: cesN > 0 ? num(last?.ces_sum) / cesN : null,
  };
}

async function runBaseline(n: number, dataDir: string): Promise<CaseResult> {
  const parquet = resolve(dataDir, `responses-${n}.parquet`);
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const sql = baselineSql('duckdb', `read_parquet(${sqlString(parquet)})`);
  const start = performance.now();
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  let rows: Record<string, unknown>[];
  try {
    rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return baselineResult('baseline', n, (performance.now() - start) / 1000, rows);
}

/**
 * The same aggregates by PostgreSQL over table responses_<N>, timed from connecting to having the
 * rows in JS; `sharded`: over its partitions (CXREPORT_BENCH_PG_PARTITIONS, comma-separated) with
 * shardedBaselineSql.
 */
async function runBaselinePostgres(n: number, sharded = false): Promise<CaseResult> {
  const url = process.env.CXREPORT_BENCH_PG_URL;
  if (!url) throw new Error('CXREPORT_BENCH_PG_URL is not set (the connection string of the PostgreSQL server holding responses_<N>)');
  const { default: pg } = await import('pg');
  const { monthKeySql, monthKeyParts } = await import('../src/metrics/pushdown-shards-sql.js');
  const partitions = (process.env.CXREPORT_BENCH_PG_PARTITIONS ?? '').split(',').filter(Boolean);
  const keyToDate = (k: string) => `make_date(${monthKeyParts(k).year}, ${monthKeyParts(k).month}, 1)`;
  const sql = sharded ? shardedBaselineSql(partitions, monthKeySql('submitted_at', 'timestamptz'), keyToDate) : baselineSql('postgres', `"responses_${n}"`);
  const start = performance.now();
  // like the postgres source: a fresh connection in UTC (date_trunc of a timestamptz uses the session's time zone)
  const client = new pg.Client({ connectionString: url });
  let rows: Record<string, unknown>[];
  try {
    await client.connect();
    await client.query("SET TIME ZONE 'UTC'");
    rows = (await client.query(sql)).rows as Record<string, unknown>[];
  } finally {
    await client.end().catch(() => undefined);
  }
  return baselineResult(sharded ? 'baseline-sharded' : 'baseline-postgres', n, (performance.now() - start) / 1000, rows);
}

async function main(): Promise<void> {
  const [name, size, dataDir] = process.argv.slice(2);
  const n = Number(size);
  if (!CASES.includes(name as CaseName) || !Number.isInteger(n) || n <= 0 || !dataDir) {
    process.stderr.write(`usage: node --import tsx bench/sources-case.ts <${CASES.join('|')}> <N> <dataDir>\n`);
    process.exit(2);
  }
  // DuckDB's native module is loaded before the clock starts (the DuckDB source imports it lazily),
  // for every case that uses it: a Parquet file of this size is left in DuckDB (engine: auto)
  if (name === 'duckdb' || name === 'baseline' || name === 'parquet') await import('@duckdb/node-api');
  let result: CaseResult;
  try {
    result =
      name === 'baseline' ? await runBaseline(n, resolve(dataDir)) : name === 'baseline-postgres' ? await runBaselinePostgres(n) : name === 'baseline-sharded' ? await runBaselinePostgres(n, true) : await runCxreport(name as CxreportCase, n, resolve(dataDir));
  } catch (error) {
    const known = error instanceof CxError || error instanceof CxErrors;
    const text = known ? describeError(error).text : error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    result = { case: name, n, ok: false, peakRssMB: peakRssMB(), error: text };
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = result.ok ? 0 : 1;
}

// run as a script (bench/pushdown-sql.ts imports baselineSql only)
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
