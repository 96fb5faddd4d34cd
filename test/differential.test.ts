/**
 * Differential test of the engines on the flagship report, which uses every metric type: the
 * same rows as CSV (in memory), Parquet (in memory), DuckDB over the Parquet files (cells made
 * by the database where the metric type and column types allow, rows read on demand otherwise)
 * and PostgreSQL tables (same; CI provides the server: CXREPORT_TEST_PG) give the same
 * metrics.json to 1e-9.
 *
 * Column types are what a warehouse would hold: numbers as DOUBLE PRECISION, ISO timestamps as
 * TIMESTAMPTZ, dates as DATE, anything mixed (e.g. the ticket export's "not recorded") as text.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { load, modelFor } from '../src/app/pipeline.js';
import { metricsJson } from '../src/render/metrics-json.js';
import { differences } from './engines.js';

const root = resolve(import.meta.dirname, '..');
const dataDir = join(root, 'examples', 'acme', 'data');
const tables = readdirSync(dataDir).filter((f) => f.endsWith('.csv')).map((f) => f.replace(/\.csv$/, ''));
/**
 * the flagship's metrics whose statistics the database computes; the others read their rows:
 * revenue retention always, health because its snapshots are month keys (`period:`), the tickets
 * because the export's first-response column holds a "not recorded" (text), clv_simple because its
 * dates are month keys
 */
const PUSHED_DOWN = ['nps', 'csat', 'ces', 'churn', 'retention', 'cohorts', 'survival', 'repeat_rate', 'clv', 'review_rating', 'review_sentiment', 'comment_sentiment'];

type SqlType = 'DOUBLE PRECISION' | 'TIMESTAMPTZ' | 'DATE' | 'TEXT';

/** The type a warehouse would give each column: the narrowest that holds every non-empty cell. */
function columnTypes(file: string): { names: string[]; types: SqlType[]; rows: string[][] } {
  const [names, ...rows] = parse(readFileSync(file), { bom: true }) as string[][];
  const types = names.map((_, j): SqlType => {
    const cells = rows.map((r) => r[j].trim()).filter((v) => v !== '');
    if (cells.length === 0) return 'TEXT';
    if (cells.every((v) => /^[-+]?(\d+(\.\d*)?|\.\d+)$/.test(v))) return 'DOUBLE PRECISION';
    if (cells.every((v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(v))) return 'TIMESTAMPTZ';
    if (cells.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return 'DATE';
    return 'TEXT';
  });
  return { names, types, rows };
}

const schemas = new Map(tables.map((t) => [t, columnTypes(join(dataDir, `${t}.csv`))]));

/** The flagship config with each source replaced, and every relative path made absolute. */
function flagshipWith(dir: string, source: (table: string) => string): string {
  let text = readFileSync(join(root, 'cxreport.yaml'), 'utf8').replaceAll('examples/', `${root}/examples/`);
  // a source line may carry column labels (`columns: { … }`): display only, so the replacement drops them
  for (const t of tables) text = text.replace(new RegExp(`^  ${t}: \\{ type: csv, path: [^,}]+(, columns: .*)? \\}$`, 'm'), `  ${t}: ${source(t)}`);
  const file = join(dir, `cxreport-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function metricsOf(configPath: string, env: Record<string, string> = {}) {
  const loaded = await load({ configPath, env: { ...env, SOURCE_DATE_EPOCH: '1790000000' } });
  const built = modelFor(loaded);
  const pushed = PUSHED_DOWN.filter((id) => (loaded.prepared.get(id) as unknown as { engine?: string }).engine === 'sql');
  return { json: JSON.parse(metricsJson(built.computed, built.model)) as unknown, pushed };
}

describe('the same data through every engine gives the same metrics.json (all metric types of the flagship)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-diff-'));
  let reference: unknown;

  beforeAll(async () => {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const [t, s] of schemas) {
      const columns = s.names.map((n, j) => `'${n}': '${s.types[j] === 'DOUBLE PRECISION' ? 'DOUBLE' : s.types[j] === 'TEXT' ? 'VARCHAR' : s.types[j]}'`).join(', ');
      await connection.run(`COPY (SELECT * FROM read_csv('${join(dataDir, `${t}.csv`)}', header = true, quote = '"', escape = '"', columns = {${columns}})) TO '${join(dir, `${t}.parquet`)}' (FORMAT parquet)`);
    }
    connection.closeSync();
    instance.closeSync();
    reference = (await metricsOf(flagshipWith(dir, (t) => `{ type: csv, path: ${join(dataDir, `${t}.csv`)} }`))).json;
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the comparison notices a change of 1e-6 in one value', () => {
    const changed = structuredClone(reference) as { metrics: Record<string, { value: number }> };
    changed.metrics.nps.value += 1e-6;
    expect(differences(reference, changed)).toEqual([`$.metrics.nps.value: ${(reference as typeof changed).metrics.nps.value} vs ${changed.metrics.nps.value}`]);
  });

  it('the reference covers every metric type', () => {
    const types = new Set(Object.values((reference as { metrics: Record<string, { type: string }> }).metrics).map((m) => m.type));
    expect([...types].sort()).toEqual(['ces', 'churn', 'clv', 'cohort-retention', 'csat', 'health-score', 'nps', 'repeat-purchase-rate', 'retention', 'revenue-retention', 'reviews', 'sentiment', 'survival', 'tickets']);
  });

  it('Parquet (in memory)', async () => {
    const { json } = await metricsOf(flagshipWith(dir, (t) => `{ type: parquet, path: ${join(dir, `${t}.parquet`)}, engine: memory }`));
    expect(differences(reference, json)).toEqual([]);
  }, 120_000);

  it('Parquet left in DuckDB (engine: duckdb, what auto does for large files)', async () => {
    const { json, pushed } = await metricsOf(flagshipWith(dir, (t) => `{ type: parquet, path: ${join(dir, `${t}.parquet`)}, engine: duckdb }`));
    expect(pushed).toEqual(PUSHED_DOWN);
    expect(differences(reference, json)).toEqual([]);
  }, 120_000);

  it('DuckDB over the Parquet files (cells made by the database)', async () => {
    const { json, pushed } = await metricsOf(flagshipWith(dir, (t) => `{ type: duckdb, query: "select * from read_parquet('${join(dir, `${t}.parquet`)}')" }`));
    expect(pushed).toEqual(PUSHED_DOWN);
    expect(differences(reference, json)).toEqual([]);
  }, 120_000);

  const url = process.env.CXREPORT_TEST_PG;
  describe.skipIf(!url)(`PostgreSQL${url ? '' : ' (skipped: set CXREPORT_TEST_PG; .ci/run starts a server)'}`, () => {
    const prefix = `acme_${process.pid}_`;
    const client = new pg.Client({ connectionString: url });
    beforeAll(async () => {
      await client.connect();
      for (const [t, s] of schemas) {
        await client.query(`CREATE TABLE ${prefix}${t} (${s.names.map((n, j) => `"${n}" ${s.types[j]}`).join(', ')})`);
        // one statement per table: a text array per column, cast to the column's type
        const params = s.names.map((_, j) => s.rows.map((r) => (r[j].trim() === '' ? null : r[j])));
        const select = s.names.map((n, j) => `CAST(c${j} AS ${s.types[j]})`).join(', ');
        await client.query(`INSERT INTO ${prefix}${t} SELECT ${select} FROM unnest(${s.names.map((_, j) => `$${j + 1}::text[]`).join(', ')}) AS u(${s.names.map((_, j) => `c${j}`).join(', ')})`, params);
      }
    }, 120_000);
    afterAll(async () => {
      for (const t of tables) await client.query(`DROP TABLE IF EXISTS ${prefix}${t}`);
      await client.end();
    });

    it('PostgreSQL tables (cells made by the database)', async () => {
      const { json, pushed } = await metricsOf(flagshipWith(dir, (t) => `{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${prefix}${t} }`), { CX_DATABASE_URL: url! });
      expect(pushed).toEqual(PUSHED_DOWN);
      expect(differences(reference, json)).toEqual([]);
    }, 120_000);
  });
});
