/**
 * Benchmark: the same report on one PostgreSQL table and on a sharded one (issue 17).
 *
 *   node --import tsx bench/sharded.ts [--n 1000000] [--shards 3] [--runs 5] [--data-dir bench/.data]
 *
 * Starts a coordinator and --shards shard servers on loopback (scripts/postgres-shards.sh, free
 * ports, default settings) and loads the data-source benchmark's CSV (bench/.data/responses-<N>.csv,
 * made by bench/sources.ts) twice, untimed: into one plain table responses_<N> in database
 * cx_single of the coordinator's server, and as table responses_<N> of database cxreport_test
 * partitioned by RANGE (response_id) into one postgres_fdw foreign table per shard (each shard
 * holds a third of the ids, and so of every month), with the month key's statistics on each
 * shard's table and each foreign partition (pushdown-shards-sql.ts `monthStatisticsSql`;
 * docs/warehouses.md), then ANALYZE. Then, interleaved, each
 * a fresh process (bench/sources-case.ts, timing what bench/sources.ts times), --runs times:
 *
 *   single     cxreport's postgres source with pushdown over the plain table   (case postgres)
 *   single-sql the hand-written PostgreSQL statement over the plain table       (case baseline-postgres)
 *   sharded    cxreport's postgres source with pushdown over the sharded table  (case postgres)
 *   naive-sql  the same hand-written statement over the sharded table          (case baseline-postgres)
 *   shard-sql  the hand-written statement written per shard (its first scan a UNION ALL of one
 *              GROUP BY per partition with a shippable month key)              (case baseline-sharded)
 *
 * and, once, EXPLAIN (ANALYZE, VERBOSE) of cxreport's statement on the coordinator for the rows
 * its Foreign Scans received. Every case must give the same latest-month NPS (and n). Writes
 * bench/results/sharded.md and one JSON line per run to bench/results/sharded.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cellsSql } from '../src/metrics/pushdown-sql.js';
import { monthStatisticsSql } from '../src/metrics/pushdown-shards-sql.js';
import { loadPostgres } from '../src/sources/postgres.js';
import type { PushdownSource } from '../src/sources/sql.js';
import { onServer, shardsUnavailable, startShards } from '../test/shards.js';
import { machineLines, median } from './machine.js';
import { serverSeconds } from './server-cpu.js';
import type { CaseResult } from './sources-case.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '1000000' },
    shards: { type: 'string', default: '3' },
    runs: { type: 'string', default: '5' },
    'data-dir': { type: 'string', default: join(here, '.data') },
    out: { type: 'string', default: join(root, 'bench', 'results', 'sharded.md') },
    results: { type: 'string', default: join(root, 'bench', 'results', 'sharded.json') },
  },
});
const N = Number(values.n);
const SHARDS = Number(values.shards);
const RUNS = Number(values.runs);
const csvFile = resolve(values['data-dir'], `responses-${N}.csv`);
const table = `responses_${N}`;
const COLUMNS = 'response_id integer, submitted_at timestamptz, region text, channel text, plan text, nps_score integer, csat integer, ces integer, comment text';
const log = (line: string) => process.stderr.write(`${line}\n`);

const unavailable = shardsUnavailable();
if (unavailable) {
  log(`bench/sharded.ts skipped: ${unavailable}`);
  process.exit(0);
}
if (!existsSync(csvFile)) {
  log(`${csvFile} not found: make it with node --import tsx bench/sources.ts --sizes ${N} --cases baseline`);
  process.exit(2);
}

/** psql's \copy of the CSV into `table` on `url`, with an optional WHERE on the rows. */
function copyCsv(url: string, where = ''): void {
  const command = `\\copy ${table} (response_id, submitted_at, region, channel, plan, nps_score, csat, ces, comment) from '${csvFile}' with (format csv, header true)${where ? ` where ${where}` : ''}`;
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', url, '-c', command], { stdio: ['ignore', 'ignore', 'inherit'] });
}

type Name = 'single' | 'single-sql' | 'sharded' | 'naive-sql' | 'shard-sql';
const LABEL: Record<Name, string> = {
  single: 'cxreport pushdown, one table',
  'single-sql': 'hand-written SQL, one table',
  sharded: `cxreport pushdown, ${SHARDS} shards`,
  'naive-sql': `hand-written SQL (as for one table), ${SHARDS} shards`,
  'shard-sql': `hand-written SQL per shard, ${SHARDS} shards`,
};

/** CPU seconds a PostgreSQL server (its data folder) has used (bench/server-cpu.ts). */
function serverCpu(dataDir: string): number {
  return serverSeconds(Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]));
}

async function runCase(name: Name, env: Record<string, string>): Promise<CaseResult> {
  const caseName = name === 'single' || name === 'sharded' ? 'postgres' : name === 'shard-sql' ? 'baseline-sharded' : 'baseline-postgres';
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'sources-case.ts'), caseName, String(N), resolve(values['data-dir'])], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  await new Promise((done) => child.on('close', done));
  const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (!line) throw new Error(`${name}: no result`);
  return JSON.parse(line) as CaseResult;
}

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = loadavg()[0];
  const t0 = performance.now();
  log(`starting a coordinator and ${SHARDS} shards (scripts/postgres-shards.sh)…`);
  const cluster = startShards(SHARDS);
  try {
    const single = Object.assign(new URL(cluster.coordinator), { pathname: '/cx_single' }).href;
    await onServer(cluster.coordinator, (c) => c.query('create database cx_single'));
    log(`loading ${N} rows into one table and into ${SHARDS} shards…`);
    await onServer(single, (c) => c.query(`create table ${table} (${COLUMNS})`));
    copyCsv(single);
    await onServer(single, (c) => c.query(`analyze ${table}`));
    const bounds = Array.from({ length: SHARDS + 1 }, (_, i) => 1 + Math.floor((i * N) / SHARDS));
    await onServer(cluster.coordinator, (c) => c.query(`create table ${table} (${COLUMNS}) partition by range (response_id)`));
    const partitions: string[] = [];
    for (let i = 0; i < SHARDS; i++) {
      const [lo, hi] = [bounds[i], bounds[i + 1]];
      await onServer(cluster.shards[i], async (c) => {
        await c.query(`create table ${table} (${COLUMNS})`);
        await c.query(monthStatisticsSql(table, 'submitted_at', 'timestamptz'));
      });
      copyCsv(cluster.shards[i], `response_id >= ${lo}${i === SHARDS - 1 ? '' : ` and response_id < ${hi}`}`);
      await onServer(cluster.shards[i], (c) => c.query(`analyze ${table}`));
      const p = `${table}_s${i + 1}`;
      partitions.push(`public.${p}`);
      await onServer(cluster.coordinator, async (c) => {
        await c.query(`create foreign table ${p} partition of ${table} for values from (${i === 0 ? 'minvalue' : lo}) to (${i === SHARDS - 1 ? 'maxvalue' : hi}) server shard${i + 1} options (table_name '${table}')`);
        await c.query(monthStatisticsSql(p, 'submitted_at', 'timestamptz'));
      });
    }
    await onServer(cluster.coordinator, (c) => c.query(`analyze ${table}`));
    const loadSeconds = (performance.now() - t0) / 1000;

    // rows the coordinator receives from the shards for cxreport's statement
    const source = (await loadPostgres({ name: 'responses', connection: cluster.coordinator, table, pushdown: true })) as PushdownSource;
    const sets = [['nps_score', 'region'], ['csat'], ['ces']];
    const plan = await onServer(cluster.coordinator, async (c) => {
      await c.query("set time zone 'UTC'");
      return (await c.query(`explain (analyze, verbose, format json) ${cellsSql(source.sql, 'submitted_at', sets).text}`)).rows[0]['QUERY PLAN'];
    });
    const scans: { rows: number; remote: string }[] = [];
    const walk = (node: Record<string, unknown>) => {
      if (node['Node Type'] === 'Foreign Scan') scans.push({ rows: Number(node['Actual Rows']), remote: String(node['Remote SQL'] ?? '') });
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(plan[0].Plan);

    const envs: Record<Name, Record<string, string>> = {
      single: { CXREPORT_BENCH_PG_URL: single },
      'single-sql': { CXREPORT_BENCH_PG_URL: single },
      sharded: { CXREPORT_BENCH_PG_URL: cluster.coordinator },
      'naive-sql': { CXREPORT_BENCH_PG_URL: cluster.coordinator },
      'shard-sql': { CXREPORT_BENCH_PG_URL: cluster.coordinator, CXREPORT_BENCH_PG_PARTITIONS: partitions.join(',') },
    };
    const names = Object.keys(LABEL) as Name[];
    const results = new Map<Name, CaseResult[]>(names.map((n) => [n, []]));
    const serverSeconds = new Map<Name, { coordinator: number; shards: number }[]>(names.map((n) => [n, []]));
    const cpus = () => ({ coordinator: serverCpu(join(cluster.dir, 'coordinator')), shards: cluster.shards.reduce((sum, _, i) => sum + serverCpu(join(cluster.dir, `shard${i + 1}`)), 0) });
    const lines: string[] = [];
    for (let run = 1; run <= RUNS; run++) {
      // a different order each run, so that drift in the machine's load hits every case
      const order = names.map((_, i) => names[(i + run - 1) % names.length]);
      for (const name of order) {
        const before = cpus();
        const r = await runCase(name, envs[name]);
        const after = cpus();
        if (!r.ok) throw new Error(`${name} failed: ${r.error}`);
        const cpu = { coordinator: after.coordinator - before.coordinator, shards: after.shards - before.shards };
        log(`${name} run ${run}/${RUNS}: ${r.seconds!.toFixed(3)} s (server CPU: coordinator ${cpu.coordinator.toFixed(2)} s, shards ${cpu.shards.toFixed(2)} s), ${r.period} NPS ${r.nps?.toFixed(3)} (n = ${r.npsN})`);
        results.get(name)!.push(r);
        serverSeconds.get(name)!.push(cpu);
        lines.push(JSON.stringify({ bench: 'sharded', name, run, shards: SHARDS, ...r, serverCpu: cpu }));
      }
    }
    const all = [...results.values()].flat();
    const agree = all.every((r) => r.period === all[0].period && r.npsN === all[0].npsN && Math.abs((r.nps ?? NaN) - (all[0].nps ?? NaN)) < 1e-9);
    const med = (name: Name) => median(results.get(name)!.map((r) => r.seconds!));
    const row = (name: Name) => {
      const s = results.get(name)!.map((r) => r.seconds!.toFixed(2)).join(', ');
      const ratio = (other: Name) => `${(med(name) / med(other)).toFixed(2)}×`;
      const cpu = serverSeconds.get(name)!;
      const c = median(cpu.map((x) => x.coordinator));
      const sh = median(cpu.map((x) => x.shards));
      return `| ${LABEL[name]} | ${med(name).toFixed(2)} (${s}) | ${ratio('single')} | ${ratio('single-sql')} | ${ratio('shard-sql')} | ${c.toFixed(2)} | ${sh.toFixed(2)} |`;
    };
    const version = await onServer(cluster.coordinator, async (c) => String((await c.query('select version() as v')).rows[0].v).split(',')[0]);
    const doc = `# Sharded PostgreSQL benchmark

\`node --import tsx bench/sharded.ts --n ${N} --shards ${SHARDS} --runs ${RUNS}\` (medians of ${RUNS} interleaved runs, each a
fresh process timing \`load\` + \`modelFor\` as bench/sources.ts does; setting up the servers and loading the rows,
untimed, took ${loadSeconds.toFixed(0)} s). Data: the data-source benchmark's ${N.toLocaleString('en-US')} responses.

| case | wall time (s) | × cxreport, one table | × hand-written, one table | × hand-written per shard | coordinator CPU (s) | shards' CPU (s) |
|---|---:|---:|---:|---:|---:|---:|
${names.map(row).join('\n')}

Server CPU: user + system seconds of each PostgreSQL server's processes during the run (from /proc; medians), the
one-table cases' server being the coordinator's. ${agree ? `All cases agree on the period (${all[0].period}), the NPS (${all[0].nps?.toFixed(3)}) and its n (${all[0].npsN?.toLocaleString('en-US')}).` : '**The cases disagree** on the period, NPS or n: see sharded.json.'}

cxreport's statement on the sharded table (EXPLAIN ANALYZE VERBOSE on the coordinator): ${scans.length} Foreign Scans
received ${scans.map((s) => s.rows.toLocaleString('en-US')).join(' + ')} = ${scans.reduce((a, s) => a + s.rows, 0).toLocaleString('en-US')} rows (cells), ${scans.every((s) => / GROUP BY /.test(s.remote)) ? 'each an aggregate run on its shard (Remote SQL … GROUP BY)' : '**not every one aggregated on its shard**'}, instead of the table's ${N.toLocaleString('en-US')} rows.

Machine (every server on it: ${SHARDS} shards and the coordinator, ${version}, default settings, loopback):

${machineLines(started, [`- Load average (1 min) at the start: ${loadAtStart.toFixed(2)}`]).join('\n')}
`;
    writeFileSync(values.out, doc);
    writeFileSync(values.results, `${lines.join('\n')}\n`);
    process.stdout.write(doc);
  } finally {
    cluster.stop();
  }
}

await main();
