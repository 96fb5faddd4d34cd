/**
 * Benchmark: the data sources at scale.
 *
 *   node --import tsx bench/sources.ts [--sizes 1000000,10000000] [--runs 3] [--large-runs 1]
 *        [--large 10000000] [--cases baseline,baseline-postgres,duckdb,postgres,parquet,csv]
 *        [--timeout 1800]
 *
 * For each size N, generates N synthetic survey responses (seeded, so identical on every machine)
 * as CSV and Parquet under bench/.data/ (reused when they exist), then times the full metric
 * computation of a three-metric report — `load({ configPath })` + `modelFor(loaded)` — for each
 * source type, each run in a fresh child process (bench/sources-case.ts) so that peak memory is per
 * case:
 *   (a) csv       the CSV file (csv-parse → Arquero);
 *   (b) parquet   the Parquet file (hyparquet → Arquero);
 *   (c) duckdb    `select * from read_parquet(…)` with `pushdown: true`;
 *   (d) postgres  table responses_<N> with `pushdown: true` (loaded first with COPY, not timed);
 *   (e) baseline  hand-written DuckDB SQL over the Parquet file computing the same aggregates;
 *   (f) baseline-postgres  the same aggregates hand-written for PostgreSQL over table responses_<N>.
 * The pushdown cases are compared with the baseline on their own engine: (c) with (e), (d) with (f).
 * Sizes from --large up run --large-runs times, smaller sizes --runs times (the median is
 * reported); runs are interleaved case by case so drift in machine load hits every case. A case
 * that fails (an error, out of memory, killed, timed out) is recorded with its reason and not
 * repeated at that size.
 *
 * PostgreSQL: CXREPORT_BENCH_PG (a connection string) if set, else a throw-away server started with
 * `CXREPORT_PG_PORT=55433 bash scripts/postgres-test-server.sh` and stopped at the end.
 *
 * Writes docs/benchmarks.md and bench/results/sources.json (one JSON line per run).
 */
import { benchConfig } from './sources-config.js';
import { Rng } from '../examples/acme/rng.js';
import type { CaseResult } from './sources-case.js';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { machineLines, median } from './machine.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const CASE_SCRIPT = join(here, 'sources-case.ts');
const ALL_CASES = ['baseline', 'baseline-postgres', 'duckdb', 'postgres', 'parquet', 'csv'] as const;
type CaseName = (typeof ALL_CASES)[number];
const CHILD_HEAP_MB = 16384;

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000000,10000000' },
    runs: { type: 'string', default: '3' },
    'large-runs': { type: 'string', default: '1' },
    large: { type: 'string', default: '10000000' },
    cases: { type: 'string', default: ALL_CASES.join(',') },
    timeout: { type: 'string', default: '1800' },
    'data-dir': { type: 'string', default: join(here, '.data') },
    // where the report and the run lines go (e.g. elsewhere for a partial run that should not replace docs/benchmarks.md)
    doc: { type: 'string', default: join(root, 'docs', 'benchmarks.md') },
    results: { type: 'string', default: join(root, 'bench', 'results', 'sources.json') },
  },
});

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(n) || n <= 0) {
    process.stderr.write(`--${flag}: expected a positive integer, got "${raw}"\n`);
    process.exit(2);
  }
  return n;
}

const SIZES = values.sizes.split(',').map((s) => positiveInt('sizes', s.trim()));
const RUNS = positiveInt('runs', values.runs);
const LARGE_RUNS = positiveInt('large-runs', values['large-runs']);
const LARGE = positiveInt('large', values.large);
const TIMEOUT_S = positiveInt('timeout', values.timeout);
const DATA_DIR = resolve(values['data-dir']);
const CASES = values.cases.split(',').map((c) => c.trim()) as CaseName[];
for (const c of CASES) {
  if (!ALL_CASES.includes(c)) {
    process.stderr.write(`--cases: unknown case "${c}" (known: ${ALL_CASES.join(', ')})\n`);
    process.exit(2);
  }
}
const runsFor = (n: number) => (n >= LARGE ? LARGE_RUNS : RUNS);
/** the cases that read table responses_<N> on the PostgreSQL server */
const usesPostgres = (name: CaseName) => name === 'postgres' || name === 'baseline-postgres';

const log = (line: string) => process.stderr.write(`${line}\n`);
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
const mb = (bytes: number) => bytes / 1024 / 1024;
const grouped = (n: number) => n.toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// Data generator: seeded PRNG (splitmix32 seeding sfc32), streamed to CSV, converted by DuckDB

const SEED = 20261031;
const START = Date.UTC(2025, 4, 1); // 2025-05-01T00:00:00Z
const END = Date.UTC(2026, 10, 1); // exclusive: the last response is on 2026-10-31
const MONTHS = 18;
const SPAN_SECONDS = (END - START) / 1000;

/** The seeded generator of the example data (sfc32 through splitmix32). */
function makeRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

const cumulative = (weights: number[]): number[] => {
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  return weights.map((w) => (acc += w / total));
};

function pick(cum: number[], u: number): number {
  for (let i = 0; i < cum.length - 1; i++) if (u < cum[i]) return i;
  return cum.length - 1;
}

const REGIONS = ['EMEA', 'AMER', 'APAC', 'LATAM'];
const REGION_CUM = cumulative([35, 30, 25, 10]);
const REGION_TILT = [0.0, 0.25, -0.2, -0.35];
const CHANNELS = ['email', 'in-app', 'web', 'phone'];
const CHANNEL_CUM = cumulative([40, 30, 20, 10]);
const PLANS = ['free', 'pro', 'enterprise'];
const PLAN_CUM = cumulative([50, 35, 15]);
const NPS_WEIGHTS = [3, 1.5, 1.5, 2, 2, 5, 6, 11, 17, 21, 30];
/** cumulative 0–10 answer distribution per region × month: a tilt by region and a slow upward trend */
const NPS_CUM = REGIONS.flatMap((_, r) =>
  Array.from({ length: MONTHS }, (_, m) => cumulative(NPS_WEIGHTS.map((w, score) => w * Math.exp(((REGION_TILT[r] + 0.015 * m) * score) / 10)))),
);
const csvField = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
const COMMENTS = {
  bad: ['Too expensive', 'Support was slow', 'Hard to find the settings', 'Slow, but it works', 'Billing was confusing'].map(csvField),
  neutral: ['OK', 'Does the job', 'Would like more integrations'].map(csvField),
  good: ['Love it', 'Great support', 'Easy to set up', 'Fast and reliable'].map(csvField),
};
const HEADER = 'response_id,submitted_at,region,channel,plan,nps_score,csat,ces,comment\n';
const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** One CSV line: about 1% of NPS answers missing and 0.5% out of range (11); CSAT/CES 0.5% missing. */
function responseLine(id: number, rand: () => number): string {
  const ts = START + Math.floor(rand() * SPAN_SECONDS) * 1000;
  const month = Math.min(MONTHS - 1, Math.floor(((ts - START) / (END - START)) * MONTHS));
  const region = pick(REGION_CUM, rand());
  const channel = pick(CHANNEL_CUM, rand());
  const plan = pick(PLAN_CUM, rand());
  const latent = pick(NPS_CUM[region * MONTHS + month], rand());
  const u = rand();
  const nps = u < 0.01 ? '' : u < 0.015 ? '11' : String(latent);
  const csat = rand() < 0.005 ? '' : String(clamp(Math.round(1 + latent * 0.38 + (rand() - 0.5) * 2.2), 1, 5));
  const ces = rand() < 0.005 ? '' : String(clamp(Math.round(1.5 + latent * 0.5 + (rand() - 0.5) * 3), 1, 7));
  const list = latent <= 6 ? COMMENTS.bad : latent >= 9 ? COMMENTS.good : COMMENTS.neutral;
  const share = latent <= 6 ? 0.45 : latent >= 9 ? 0.3 : 0.15;
  const comment = rand() < share ? list[Math.floor(rand() * list.length)] : '';
  const iso = new Date(ts).toISOString();
  return `${id},${iso.slice(0, 19)}Z,${REGIONS[region]},${CHANNELS[channel]},${PLANS[plan]},${nps},${csat},${ces},${comment}\n`;
}

async function writeCsv(file: string, n: number): Promise<void> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp, { highWaterMark: 1 << 20 });
  const rand = makeRandom(SEED);
  out.write(HEADER);
  let batch: string[] = [];
  for (let id = 1; id <= n; id++) {
    batch.push(responseLine(id, rand));
    if (batch.length === 20_000 || id === n) {
      if (!out.write(batch.join(''))) await once(out, 'drain');
      batch = [];
    }
  }
  out.end();
  await finished(out);
  renameSync(tmp, file);
}

const CSV_COLUMNS = `{'response_id': 'INTEGER', 'submitted_at': 'TIMESTAMP', 'region': 'VARCHAR', 'channel': 'VARCHAR', 'plan': 'VARCHAR', 'nps_score': 'INTEGER', 'csat': 'INTEGER', 'ces': 'INTEGER', 'comment': 'VARCHAR'}`;

async function writeParquet(csv: string, parquet: string): Promise<void> {
  const tmp = `${parquet}.tmp`;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(`COPY (select * from read_csv(${sqlString(csv)}, header = true, columns = ${CSV_COLUMNS})) TO ${sqlString(tmp)} (FORMAT parquet)`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  renameSync(tmp, parquet);
}

interface DataInfo {
  n: number;
  csv: string;
  parquet: string;
  csvMB: number;
  parquetMB: number;
  /** seconds to generate / convert, or null when the file was reused */
  csvSeconds: number | null;
  parquetSeconds: number | null;
}

async function ensureData(n: number): Promise<DataInfo> {
  const csv = join(DATA_DIR, `responses-${n}.csv`);
  const parquet = join(DATA_DIR, `responses-${n}.parquet`);
  let csvSeconds: number | null = null;
  let parquetSeconds: number | null = null;
  if (!existsSync(csv)) {
    log(`generating ${relative(root, csv)} (${grouped(n)} rows)…`);
    const t = performance.now();
    await writeCsv(csv, n);
    csvSeconds = (performance.now() - t) / 1000;
    rmSync(parquet, { force: true }); // a new CSV makes any old Parquet file stale
  }
  if (!existsSync(parquet)) {
    log(`converting to ${relative(root, parquet)}…`);
    const t = performance.now();
    await writeParquet(csv, parquet);
    parquetSeconds = (performance.now() - t) / 1000;
  }
  return { n, csv, parquet, csvMB: mb(statSync(csv).size), parquetMB: mb(statSync(parquet).size), csvSeconds, parquetSeconds };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: a server, and each size's table loaded with COPY … FROM STDIN (streamed, untimed)

type CopyConnection = pg.Connection & { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void; sendCopyFail(message: string): void };

/** `COPY … FROM STDIN` fed from a file, as a node-postgres submittable (the copy-in sub-protocol). */
class CopyFromFile implements pg.Submittable {
  readonly done: Promise<number>;
  private resolveDone!: (rows: number) => void;
  private rejectDone!: (error: Error) => void;
  private rows = 0;

  constructor(
    private readonly sql: string,
    private readonly file: string,
  ) {
    this.done = new Promise((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
  }

  submit(connection: pg.Connection): void {
    connection.query(this.sql);
  }

  handleCopyInResponse(connection: CopyConnection): void {
    void this.send(connection);
  }

  private async send(connection: CopyConnection): Promise<void> {
    try {
      for await (const chunk of createReadStream(this.file, { highWaterMark: 1 << 20 })) {
        connection.sendCopyFromChunk(chunk as Buffer);
        if (connection.stream.writableNeedDrain) await once(connection.stream, 'drain');
      }
      connection.endCopyFrom();
    } catch (error) {
      connection.sendCopyFail(`reading ${this.file} failed: ${(error as Error).message}`);
    }
  }

  handleCommandComplete(message: { text?: string }): void {
    const m = /^COPY (\d+)/.exec(message.text ?? '');
    if (m) this.rows = Number(m[1]);
  }

  handleReadyForQuery(): void {
    this.resolveDone(this.rows);
  }

  handleError(error: Error): void {
    this.rejectDone(error);
  }
}

interface PgServer {
  url: string;
  version: string;
  started: boolean;
  stop(): void;
}

function redact(text: string, url: string | undefined): string {
  if (!url) return text;
  let out = text.split(url).join('<connection>');
  try {
    const password = decodeURIComponent(new URL(url).password);
    if (password) out = out.split(password).join('***');
  } catch {
    // not a URL
  }
  return out;
}

async function startPostgres(): Promise<PgServer> {
  let url = process.env.CXREPORT_BENCH_PG;
  let stop = () => undefined as void;
  const started = !url;
  if (!url) {
    log('starting a PostgreSQL server on 127.0.0.1:55433 (scripts/postgres-test-server.sh)…');
    const env = { ...process.env, CXREPORT_PG_PORT: '55433' };
    const script = join(root, 'scripts', 'postgres-test-server.sh');
    const out = execFileSync('bash', [script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() ?? '';
    const [dir, connection] = out.split(' ');
    if (!dir || !connection) throw new Error(`unexpected output from postgres-test-server.sh: ${out.split(' ')[0] ?? ''} …`);
    url = connection;
    let stopped = false;
    stop = () => {
      if (stopped) return;
      stopped = true;
      log('stopping the PostgreSQL server…');
      execFileSync('bash', [script, 'stop', dir], { env, stdio: 'ignore' });
    };
  }
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    const version = String((await client.query('select version() as v')).rows[0].v).split(',')[0];
    return { url, version, started, stop };
  } catch (error) {
    stop();
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Loads the CSV into table responses_<N> with a typed schema, unless a complete copy is there. */
async function loadTable(url: string, data: DataInfo): Promise<{ seconds: number | null }> {
  const table = `responses_${data.n}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const exists = (await client.query('select to_regclass($1) as t', [table])).rows[0].t !== null;
    if (exists && Number((await client.query(`select count(*) as c from ${table}`)).rows[0].c) === data.n) return { seconds: null };
    log(`loading ${relative(root, data.csv)} into PostgreSQL table ${table}…`);
    const t = performance.now();
    await client.query(`drop table if exists ${table}`);
    await client.query(
      `create table ${table} (response_id integer, submitted_at timestamptz, region text, channel text, plan text, nps_score integer, csat integer, ces integer, comment text)`,
    );
    const copy = client.query(new CopyFromFile(`copy ${table} (response_id, submitted_at, region, channel, plan, nps_score, csat, ces, comment) from stdin with (format csv, header true)`, data.csv));
    const rows = await copy.done;
    if (rows !== data.n) throw new Error(`COPY loaded ${rows} rows into ${table}, expected ${data.n}`);
    await client.query(`analyze ${table}`);
    return { seconds: (performance.now() - t) / 1000 };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Running one case in a child process

/** One run as the harness records it: the child's result, the run number and the process time. */
interface RunLine extends Omit<CaseResult, 'peakRssMB'> {
  run: number;
  /** the child's peak RSS (its own maxRSS; for a child that died, the last VmHWM the parent saw) */
  peakRssMB?: number;
  /** true when peakRssMB is the parent's last reading of a child that died (a lower bound) */
  peakRssPolled?: boolean;
  /** the child process from spawn to exit, seconds (startup and module loading included) */
  processSeconds: number;
}

function lastJsonLine(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // not our line
    }
  }
  return undefined;
}

function tail(text: string, lines = 6): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

async function runCase(name: CaseName, n: number, run: number, pgUrl: string | undefined): Promise<RunLine> {
  const env = { ...process.env, ...(usesPostgres(name) && pgUrl ? { CXREPORT_BENCH_PG_URL: pgUrl } : {}) };
  const args = [`--max-old-space-size=${CHILD_HEAP_MB}`, '--import', 'tsx', CASE_SCRIPT, name, String(n), DATA_DIR];
  const start = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-20_000)));
  let hwmMB = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) hwmMB = Math.max(hwmMB, Number(m[1]) / 1024);
    } catch {
      // not Linux, or the child has exited
    }
  }, 200);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, TIMEOUT_S * 1000);
  let code: number | null = null;
  let signal: NodeJS.Signals | null = null;
  let spawnError: Error | undefined;
  try {
    [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  } catch (error) {
    spawnError = error as Error;
  } finally {
    clearInterval(poll);
    clearTimeout(timer);
  }
  const processSeconds = (performance.now() - start) / 1000;
  const base = { case: name, n, run, processSeconds };
  const seenRss = hwmMB > 0 ? Math.round(hwmMB * 10) / 10 : undefined;
  const reported = lastJsonLine(stdout);
  if (reported?.ok === true && code === 0) return { ...base, ...(reported as object), ok: true } as RunLine;
  let error: string;
  if (spawnError) error = `could not start the child process: ${spawnError.message}`;
  else if (timedOut) error = `timed out after ${TIMEOUT_S} s (killed)`;
  else if (/heap out of memory|Reached heap limit|Allocation failed/i.test(stderr)) error = `out of memory: the V8 heap limit (--max-old-space-size=${CHILD_HEAP_MB}) was reached`;
  else if (signal === 'SIGKILL') error = `killed by SIGKILL (most likely the kernel's out-of-memory killer; last peak RSS seen ${seenRss ?? '?'} MB)`;
  else if (signal) error = `the child died of ${signal}: ${tail(stderr)}`;
  else if (reported && typeof reported.error === 'string') error = reported.error;
  else error = `exit code ${code}: ${tail(stderr) || 'no output'}`;
  if (name === 'csv' && /Cannot create a string longer than/.test(error)) {
    error += ` — the CSV source decodes the whole file into one JS string, and V8 caps a string at 2^29 − 24 characters (about 512 MiB); this CSV is ${mb(statSync(join(DATA_DIR, `responses-${n}.csv`)).size).toFixed(0)} MB`;
  }
  const own = typeof reported?.peakRssMB === 'number' ? reported.peakRssMB : undefined;
  const peak = own ?? (seenRss !== undefined ? { peakRssMB: seenRss, peakRssPolled: true } : {});
  return { ...base, ok: false, error: redact(error, pgUrl).replaceAll('\n', ' '), ...(typeof peak === 'number' ? { peakRssMB: peak } : peak) };
}

// ---------------------------------------------------------------------------------------------
// Summary and report

interface Summary {
  case: CaseName;
  n: number;
  runs: RunLine[];
  ok: RunLine[];
  seconds?: number;
  peakRssMB?: number;
  peakRssPolled?: boolean;
  /** wall time ÷ the DuckDB baseline's */
  ratio?: number;
  /** wall time ÷ the baseline on the case's own engine (DuckDB: baseline, PostgreSQL: baseline-postgres) */
  engineRatio?: number;
  target: string;
  holds: string;
  note?: string;
  error?: string;
}

const PUSHDOWN_TARGET = 1.5;
const ARQUERO_TARGET = 5;
const ARQUERO_RSS_MB = 1024;
const ARQUERO_TARGET_N = 1_000_000;
/** The hand-written baseline on each SQL case's own engine. */
const ENGINE_BASELINE: Partial<Record<CaseName, CaseName>> = { baseline: 'baseline', duckdb: 'baseline', 'baseline-postgres': 'baseline-postgres', postgres: 'baseline-postgres' };
const BASELINE_NAME: Partial<Record<CaseName, string>> = { baseline: 'DuckDB baseline', 'baseline-postgres': 'PostgreSQL baseline' };

function summarise(lines: RunLine[], n: number): Summary[] {
  const mine = lines.filter((l) => l.n === n);
  const out: Summary[] = CASES.map((name) => {
    const runs = mine.filter((l) => l.case === name);
    const ok = runs.filter((l) => l.ok);
    const failed = runs.find((l) => !l.ok);
    return {
      case: name,
      n,
      runs,
      ok,
      seconds: ok.length ? median(ok.map((l) => l.seconds!)) : undefined,
      peakRssMB: ok.length ? Math.max(...ok.map((l) => l.peakRssMB!)) : failed?.peakRssMB,
      peakRssPolled: ok.length ? undefined : failed?.peakRssPolled,
      target: '—',
      holds: '—',
      note: ok.find((l) => l.note)?.note,
      error: failed?.error,
    };
  });
  const secondsOf = (name: CaseName) => out.find((s) => s.case === name)?.seconds;
  const baseline = secondsOf('baseline');
  for (const s of out) {
    if (s.seconds !== undefined && baseline !== undefined && baseline > 0) s.ratio = s.seconds / baseline;
    const own = ENGINE_BASELINE[s.case];
    const ownSeconds = own ? secondsOf(own) : undefined;
    if (s.seconds !== undefined && ownSeconds !== undefined && ownSeconds > 0) s.engineRatio = s.seconds / ownSeconds;
    if (s.case === 'duckdb' || s.case === 'postgres') {
      const name = BASELINE_NAME[own!]!;
      s.target = `≤ ${PUSHDOWN_TARGET}× ${name}`;
      if (s.error) s.holds = 'no (failed)';
      else if (s.engineRatio === undefined) s.holds = `n/a (no ${name})`;
      else s.holds = (s.engineRatio <= PUSHDOWN_TARGET ? 'yes' : 'no') + (s.note ? ' (not pushed down)' : '');
    } else if (s.case === 'csv' || s.case === 'parquet') {
      if (n !== ARQUERO_TARGET_N) {
        s.target = '— (set at 1M rows)';
        continue;
      }
      s.target = `≤ ${ARQUERO_TARGET}× DuckDB baseline, < 1 GiB`;
      if (s.error) s.holds = 'no (failed)';
      else if (s.ratio === undefined) s.holds = 'n/a (no baseline)';
      else {
        const slow = s.ratio > ARQUERO_TARGET;
        const big = (s.peakRssMB ?? 0) >= ARQUERO_RSS_MB;
        s.holds = !slow && !big ? 'yes' : `no (${[slow ? 'time' : '', big ? 'memory' : ''].filter(Boolean).join(' and ')})`;
      }
    }
  }
  return out;
}

/** Loud warnings when the cases computed different values at one size (they read the same data). */
function disagreements(summaries: Summary[]): string[] {
  const ok = summaries.flatMap((s) => s.ok);
  if (ok.length < 2) return [];
  const warnings: string[] = [];
  const check = (label: string, key: (l: RunLine) => string) => {
    const distinct = new Set(ok.map(key));
    if (distinct.size > 1) {
      const byCase = summaries.filter((s) => s.ok.length).map((s) => `${s.case} ${[...new Set(s.ok.map(key))].join(' / ')}`);
      warnings.push(`WARNING: the cases do not agree on ${label} at ${grouped(summaries[0].n)} rows: ${byCase.join('; ')}`);
    }
  };
  const fixed = (v: number | null | undefined, digits: number) => (v === null || v === undefined ? 'none' : v.toFixed(digits));
  check('the report period', (l) => String(l.period));
  check('NPS (value and n)', (l) => `${fixed(l.nps, 6)} (n = ${l.npsN})`);
  check('CSAT', (l) => fixed(l.csat, 6));
  check('CES', (l) => fixed(l.ces, 6));
  return warnings;
}

const CASE_LABEL: Record<CaseName, string> = {
  baseline: '(e) baseline: DuckDB SQL over Parquet',
  'baseline-postgres': '(f) baseline: PostgreSQL SQL over the table',
  duckdb: '(c) duckdb source, pushdown',
  postgres: '(d) postgres source, pushdown',
  parquet: '(b) parquet source → Arquero',
  csv: '(a) csv source → Arquero',
};

function table(summaries: Summary[]): string {
  const secs = (s: number) => (s < 10 ? s.toFixed(2) : s.toFixed(1));
  const rows = summaries.map((s) => {
    const runs = s.ok.length > 1 ? s.ok.map((l) => secs(l.seconds!)).join(', ') : '';
    const time = s.seconds !== undefined ? `${secs(s.seconds)}${runs ? ` (${runs})` : ''}` : 'failed';
    const rss = s.peakRssMB !== undefined ? `${s.peakRssPolled ? '≥ ' : ''}${Math.round(s.peakRssMB).toLocaleString('en-US')}` : '—';
    const ratio = s.ratio !== undefined ? `${s.ratio.toFixed(2)}×` : '—';
    const engineRatio = s.engineRatio !== undefined ? `${s.engineRatio.toFixed(2)}×` : '—';
    const first = s.ok[0];
    const nps = first ? `${first.nps === null || first.nps === undefined ? '—' : first.nps.toFixed(3)} (n = ${grouped(first.npsN ?? 0)})` : '—';
    const note = s.error ? `failed: ${s.error.length > 300 ? `${s.error.slice(0, 300)}…` : s.error}` : (s.note ?? '');
    return `| ${CASE_LABEL[s.case]} | ${time} | ${rss} | ${engineRatio} | ${ratio} | ${s.target} | ${s.holds} | ${nps} | ${note.replaceAll('|', '\\|')} |`;
  });
  return [
    '| case | wall time (s) | peak RSS (MB) | × same-engine baseline | × DuckDB baseline | target | holds | NPS, latest month (n) | note |',
    '|---|---:|---:|---:|---:|---|---|---:|---|',
    ...rows,
  ].join('\n');
}

interface ReportInput {
  started: Date;
  totalSeconds: number;
  data: DataInfo[];
  pgLoads: Map<number, number | null>;
  pgInfo: string;
  duckdbVersion: string;
  loadAtStart: number;
  code: string;
  lines: RunLine[];
  sizes: number[];
  warnings: string[];
}

const CONFIG_SHAPE = benchConfig('"Data-source benchmark: <case>, <N> rows"', "<the case's source>").trimEnd();

function report(input: ReportInput): string {
  const { data } = input;
  const minutes = (s: number) => (s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(0)} s`);
  const dataLines = data.map((d) => {
    const made = d.csvSeconds === null ? 'reused' : `generated in ${d.csvSeconds.toFixed(1)} s`;
    const conv = d.parquetSeconds === null ? 'reused' : `converted in ${d.parquetSeconds.toFixed(1)} s`;
    const pgLoad = input.pgLoads.get(d.n);
    const pgText = pgLoad === undefined ? '' : pgLoad === null ? '; PostgreSQL table reused' : `; PostgreSQL COPY ${pgLoad.toFixed(1)} s`;
    return `- ${grouped(d.n)} rows: CSV ${d.csvMB.toFixed(0)} MB (${made}), Parquet ${d.parquetMB.toFixed(0)} MB (${conv})${pgText}`;
  });
  const runsText = input.sizes.map((n) => `${grouped(n)} rows: ${runsFor(n) === 1 ? '1 run' : `median of ${runsFor(n)} runs`}`).join('; ');
  const sections = input.sizes.map((n) => {
    const summaries = summarise(input.lines, n);
    const warnings = disagreements(summaries);
    const period = summaries.flatMap((s) => s.ok)[0]?.period ?? '—';
    const agree = warnings.length === 0 && summaries.filter((s) => s.ok.length).length > 1 ? `All cases that finished agree on the period (${period}), NPS, its n, CSAT and CES.` : '';
    return [`### ${grouped(n)} rows`, table(summaries), ...warnings.map((w) => `> **${w}**`), agree].filter((l) => l !== '').join('\n\n');
  });
  const failures = input.lines.filter((l) => !l.ok);
  const failureText = failures.length ? `## Failures\n\n${failures.map((l) => `- ${l.case} at ${grouped(l.n)} rows (run ${l.run + 1}): ${l.error}`).join('\n')}\n\n` : '';
  return `# Data-source benchmark

How fast, and with how much memory, cxreport computes a report's metrics from each kind of source
as the data grows. \`node --import tsx bench/sources.ts --sizes ${input.sizes.join(',')}\` (also run by
\`npm run bench\` with the default sizes 1,000,000 and 10,000,000); ${runsText}. The whole run
(data generation or reuse, loading PostgreSQL and every run) took ${minutes(input.totalSeconds)}. Raw results, one JSON line per run:
\`bench/results/sources.json\`.

${input.warnings.length ? `${input.warnings.map((w) => `> **${w}**`).join('\n>\n')}\n\n` : ''}## Data

Synthetic survey responses from a seeded generator (sfc32, so every machine gets the same files):
\`response_id\`, \`submitted_at\` (uniform over 2025-05-01..2026-10-31, ISO 8601 \`YYYY-MM-DDTHH:MM:SSZ\`),
\`region\` (4 values), \`channel\` (4), \`plan\` (3), \`nps_score\` (0–10 with a region tilt and a slow
upward trend; about 1% missing and 0.5% out of range, 11), \`csat\` (1–5) and \`ces\` (1–7), both
correlated with the NPS answer and 0.5% missing, and \`comment\` (one of a dozen short texts, empty
for most rows). The CSV is streamed to \`bench/.data/responses-<N>.csv\` and converted by DuckDB to
\`bench/.data/responses-<N>.parquet\` (\`read_csv\` with explicit column types, \`submitted_at\`
TIMESTAMP, the scores INTEGER; snappy). Existing files of the same N are reused.

${dataLines.join('\n')}

## What is timed

Each run is a fresh Node process (\`node --max-old-space-size=${CHILD_HEAP_MB} --import tsx
bench/sources-case.ts <case> <N> bench/.data\`), so the peak RSS it reports
(\`process.resourceUsage().maxRSS\`) belongs to that case alone. A cxreport case writes this config
to a temporary folder, with the case's source, and times \`load({ configPath })\` +
\`modelFor(loaded)\` from \`src/app/pipeline.ts\`: reading the config and the source, validating and
preparing the three metrics, computing them for the latest month (value, interval, change and
test, 18-month series, distribution, exclusions, the NPS breakdown by region) and building the
report model. Rendering HTML or PDF is not included. The wall time is the median over the runs,
the peak RSS the highest (MB here are 2^20 bytes). "× same-engine baseline" divides the wall time
by that of the hand-written SQL on the case's own engine — (e) for (c) duckdb, (f) for (d)
postgres — and "× DuckDB baseline" by (e)'s.

\`\`\`yaml
${CONFIG_SHAPE}
\`\`\`

- **(a) csv** — \`{ type: csv, path: bench/.data/responses-<N>.csv }\`: the file is streamed
  through csv-parse straight into columns, typed column by column and loaded into an Arquero
  table; every metric then validates each row and reduces the rows to the cells it is computed from.
- **(b) parquet** — \`{ type: parquet, path: bench/.data/responses-<N>.parquet }\`: hyparquet decodes
  the file column chunk by column chunk into columns (no row objects), which become an Arquero
  table; the metrics as in (a).
- **(c) duckdb** — \`{ type: duckdb, query: "select * from read_parquet('…/responses-<N>.parquet')",
  pushdown: true }\`: with pushdown, the score metrics have DuckDB compute their cells — row count
  and latest timestamp per month × raw score (× region for NPS) — with one generated \`GROUP BY
  GROUPING SETS\` statement that all three share, read back only those cells and validate them in JS
  (unless the note says pushdown was not available); before it, the source asks for its columns
  (\`LIMIT 0\`) and its row count (\`COUNT(*)\`). DuckDB's native module is imported before the
  clock starts (the source imports it lazily).
- **(d) postgres** — \`{ type: postgres, table: responses_<N>, connection: \${CXREPORT_BENCH_PG_URL},
  timeout: 3600, pushdown: true }\`: the same with PostgreSQL computing the cells (the statement in
  two levels there: a \`GROUP BY\` of the rows by month and every grouping column, then the grouping
  sets over those cells; src/metrics/pushdown.ts). Before the
  runs, and untimed, the CSV is streamed into the table with \`COPY … FROM STDIN (FORMAT csv, HEADER)\`
  through \`pg\` (columns \`submitted_at timestamptz\`, scores \`integer\`, the rest \`text\`), then
  \`ANALYZE\`d. The server runs on the same machine (${input.pgInfo}); its own memory is not
  in the peak RSS, which is the Node process's. Each of the source's three statements opens its own
  connection.
- **(e) baseline** — the lower bound: one hand-written DuckDB query over the Parquet file computing
  what the metrics need, per month and per month × region (\`GROUPING SETS\`): for each score, the
  count, sum and sum of squares of valid answers, the count of each answer value (promoters,
  passives, detractors, CSAT 4–5, the distributions) and the excluded rows by reason (missing, out of
  range, no date). Written for speed, as by hand: one scan groups the rows by month, region and the
  three answers (small integers, so a few tens of thousands of cells), and every statistic is summed
  from those weighted cells. Timed from \`DuckDBInstance.create\` to having the rows as JS objects;
  the NPS, CSAT and CES of the latest month are then computed from them to check the other cases.
- **(f) baseline-postgres** — the lower bound on PostgreSQL: the same query written for it
  (\`date_trunc\`, \`FILTER (WHERE …)\`, \`GROUP BY\` by position, \`to_char\`) over the table (d)
  reads, run with \`pg\` on one connection in UTC. The first scan reads the rows through a derived
  table with \`OFFSET 0\`, as one tuning it by hand would: without that fence PostgreSQL estimates
  the number of cells from the distinct values of \`submitted_at\` (about one per row) and sorts
  every row on disk instead of hashing them into the few tens of thousands of cells (at 10,000,000
  rows on a 2-CPU machine, about 6 s instead of 2.8 s). Timed from connecting to having the rows as JS
  objects; checked like (e).

When the config schema does not know \`pushdown\` yet (the config is rejected with \`unknown key
"pushdown"\`), the case retries without it and is marked "${'pushdown not available; loaded into memory'}":
the source is then loaded into memory and aggregated with Arquero like (a) and (b).

Targets: pushdown ≤ ${PUSHDOWN_TARGET}× the hand-written SQL on the same engine — (c) duckdb within
${PUSHDOWN_TARGET}× (e)'s time, (d) postgres within ${PUSHDOWN_TARGET}× (f)'s; the in-memory Arquero paths (a) and
(b) at 1,000,000 rows within ${ARQUERO_TARGET}× the DuckDB baseline (e) and under 1 GiB (1,024 MB) peak RSS.
Every case, the two baselines included, must compute the same period, NPS (and n), CSAT and CES
for the latest month.

## Results

${sections.join('\n\n')}

${failureText}## Reading the results

- **Pushdown** stays close to the hand-written SQL on both engines because the work is the same:
  one scan that groups the rows into a few thousand cells (period × score × grouping columns), and
  only the cells reach JS. What remains on top is the source's two small queries (its columns with
  \`LIMIT 0\`, its row count) and building the report model. On PostgreSQL the generated statement
  fences its derived table with \`OFFSET 0\` (see src/metrics/pushdown.ts): without it the planner
  expected one cell per timestamp and sorted 10M rows on disk once per grouping set (18.7 s instead
  of about 3 s at 10,000,000 rows, measured while tuning).
- **The in-memory paths miss their time target** (5× the DuckDB baseline at 1,000,000 rows, i.e.
  about half a second) while staying under the memory target. The floor is reading the file in
  JavaScript: profiling the 1M-row cases, loading the Parquet file (hyparquet decoding and column
  typing) takes about 1.7 s and the CSV (csv-parse) about 3.5 s, before any metric runs; validating
  the rows and reducing them to cells takes about 0.25 s per metric, and computing every result from the cells
  (values, intervals, tests, series, breakdown, distribution) about 0.03 s. DuckDB reads the same
  Parquet columns natively in parallel. For data of this size, a \`duckdb\` source over the file
  is the faster choice; the in-memory engine is there for files that need no database at all.
- Before this benchmark's findings were acted on, the same machine measured (1,000,000 rows)
  Parquet 7.7 s / 1,230 MB and CSV 9.5 s / 1,414 MB, the DuckDB pushdown 2.9× its baseline, the
  PostgreSQL pushdown 18.7 s at 10,000,000 rows, and a 544 MB CSV could not be read at all (one JS
  string); the changes: CSV streamed into columns, Parquet read column by column, dates parsed once
  per column with a fast path, the same cells in memory as in the database, one shared statement
  for all score metrics of a source, and the PostgreSQL fence.

## Machine

${machineLines(input.started, [`- DuckDB: ${input.duckdbVersion} (@duckdb/node-api)`, `- PostgreSQL: ${input.pgInfo}`, `- Load average (1 min) at the start: ${input.loadAtStart.toFixed(2)}`, `- cxreport: ${input.code} (at the start)`]).join('\n')}
`;
}

// ---------------------------------------------------------------------------------------------

/** The commit measured, and whether the working tree had changes (read-only git commands). */
function codeVersion(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' with uncommitted changes under src/' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

async function duckdbVersion(): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return String((await connection.runAndReadAll('select version() as v')).getRowObjectsJS()[0].v);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = loadavg()[0];
  const code = codeVersion();
  const t0 = performance.now();
  mkdirSync(DATA_DIR, { recursive: true });
  const resultsFile = resolve(values.results);
  const docFile = resolve(values.doc);
  mkdirSync(dirname(resultsFile), { recursive: true });
  mkdirSync(dirname(docFile), { recursive: true });

  const data: DataInfo[] = [];
  for (const n of SIZES) data.push(await ensureData(n));

  const pgLoads = new Map<number, number | null>();
  let server: PgServer | undefined;
  let pgError: string | undefined;
  let pgInfo = 'not used';
  const stopServer = () => {
    try {
      server?.stop();
    } catch (error) {
      log(`could not stop the PostgreSQL server: ${(error as Error).message}`);
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    stopServer();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const lines: RunLine[] = [];
  try {
    if (CASES.some(usesPostgres)) {
      try {
        server = await startPostgres();
        pgInfo = `${server.version}, ${server.started ? 'a throw-away server on 127.0.0.1:55433 with default settings' : 'the server named by CXREPORT_BENCH_PG'}`;
        for (const d of data) pgLoads.set(d.n, (await loadTable(server.url, d)).seconds);
      } catch (error) {
        pgError = `PostgreSQL setup failed: ${redact((error as Error).message, server?.url ?? process.env.CXREPORT_BENCH_PG)}`;
        log(pgError);
      }
    }

    for (const n of SIZES) {
      const failed = new Set<CaseName>();
      const runs = runsFor(n);
      for (let run = 0; run < runs; run++) {
        for (const name of CASES) {
          if (failed.has(name)) continue;
          let line: RunLine;
          if (usesPostgres(name) && pgError) line = { case: name, n, run, ok: false, error: pgError, processSeconds: 0 };
          else {
            log(`${name} at ${grouped(n)} rows, run ${run + 1}/${runs}…`);
            line = await runCase(name, n, run, server?.url);
          }
          lines.push(line);
          log(
            line.ok
              ? `  ${line.seconds!.toFixed(3)} s, peak RSS ${Math.round(line.peakRssMB!)} MB, ${line.period} NPS ${line.nps?.toFixed(3)} (n = ${line.npsN})${line.note ? `, ${line.note}` : ''}`
              : `  FAILED: ${line.error}`,
          );
          if (!line.ok) failed.add(name);
          writeFileSync(resultsFile, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
        }
      }
    }
  } finally {
    stopServer();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  const warnings = SIZES.flatMap((n) => disagreements(summarise(lines, n)));
  for (const w of warnings) log(`\n*** ${w} ***\n`);
  const text = report({ started, totalSeconds: (performance.now() - t0) / 1000, data, pgLoads, pgInfo, loadAtStart, code, duckdbVersion: await duckdbVersion(), lines, sizes: SIZES, warnings });
  // sections that other benchmarks keep in the same file (between <!-- keep: name --> and <!-- /keep: name -->) stay, after this report
  const kept = existsSync(docFile) ? (readFileSync(docFile, 'utf8').match(/<!-- keep: [^>]*-->[\s\S]*?<!-- \/keep: [^>]*-->\n?/g) ?? []) : [];
  writeFileSync(docFile, kept.length ? `${text}\n${kept.join('\n')}` : text);
  process.stdout.write(text);
  log(`wrote ${relative(root, docFile)} and ${relative(root, resultsFile)}`);
}

await main();
