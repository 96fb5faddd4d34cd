/**
 * Metrics on a log of orders (repeat purchase rate in both counting modes, CLV by BG/NBD +
 * Gamma-Gamma and simple, cohort retention of an activity log) computed from transaction cells
 * (src/metrics/transactions.ts). The same orders as a CSV (rows reduced in memory), in DuckDB and
 * in PostgreSQL (cells made by the generated GROUP BY) give byte-identical metrics.json, with
 * every invalid-row kind a database can hold counted the same; and the result does not depend on
 * the order of the rows, also where a customer's same-day orders carry different grouping values.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { loadConfig } from '../src/app/config.js';
import type { TransactionCells } from '../src/metrics/transactions.js';
import { transactionCellsSql } from '../src/metrics/transactions-sql.js';
import { loadSources } from '../src/sources/index.js';
import { isPushdown, SqlRelation } from '../src/sources/sql.js';
import { lcg, metricsWithEngines, postgresTable } from './engines.js';
import { csv, makeProject } from './project.js';

const CONFIG = `report:
  title: Orders
  period: { granularity: month, current: "2026-10" }
  min_sample: 1
sources:
  orders: { type: csv, path: data/orders.csv }
metrics:
  rpr: { type: repeat-purchase-rate, source: orders, date: order_date, amount: amount, window_days: 180 }
  rpr_days: { type: repeat-purchase-rate, source: orders, date: order_date, purchases: days, window_days: 120, filter: { region: [EMEA, APAC] } }
  clv: { type: clv, method: bgnbd, source: orders, date: order_date, amount: amount, margin: 0.5, horizon_months: 12, discount_rate: 0.1 }
  clv_simple: { type: clv, method: simple, source: orders, date: order_date, amount: amount, margin: 0.5, churn_rate: 0.05 }
  buyers: { type: cohort-retention, source: orders, id: customer_id, date: order_date, cohorts: 6, at: 1 }
sections:
  - { type: kpis, metrics: [rpr, rpr_days, clv, clv_simple, buyers] }
  - { type: breakdown, metric: rpr, by: region }
  - { type: breakdown, metric: clv_simple, by: region }
  - { type: breakdown, metric: buyers, by: region }
`;
const IDS = ['rpr', 'rpr_days', 'clv', 'clv_simple', 'buyers'];
const HEADER = ['order_id', 'customer_id', 'order_date', 'amount', 'region'];

/**
 * 150 customers buying from November 2025 to October 2026 (amounts in quarters, so sums are exact
 * in any order), several orders on one day, same-day orders in two regions, and every invalid
 * kind: no date, an unparseable date, no customer (empty and blank), no amount, ±Infinity, a
 * negative amount.
 */
function orderRows(): (string | number | null)[][] {
  const next = lcg(7);
  const rows: (string | number | null)[][] = [];
  let id = 1;
  for (let c = 0; c < 150; c++) {
    const first = Date.UTC(2025, 10, 1) + Math.floor(next() * 300) * 86_400_000;
    const orders = 1 + Math.floor(next() * next() * 6);
    let t = first;
    for (let k = 0; k < orders && t < Date.UTC(2026, 10, 1); k++) {
      const day = new Date(t).toISOString().slice(0, 10);
      const amount = 5 + Math.floor(next() * 400) / 4;
      const region = ['EMEA', 'APAC', 'AMER'][(c + k) % 3];
      rows.push([id++, `C${c}`, `${day}T${String(8 + k).padStart(2, '0')}:15:00Z`, amount, region]);
      if (c % 10 === 0) rows.push([id++, `C${c}`, `${day}T${String(8 + k).padStart(2, '0')}:15:00Z`, amount / 2, region === 'EMEA' ? 'APAC' : 'EMEA']); // same instant, other region
      if (c % 7 === 0) rows.push([id++, `C${c}`, `${day}T20:00:00Z`, 12.5, region]); // a second order that day
      t += (5 + Math.floor(next() * 90)) * 86_400_000;
    }
  }
  rows.push([id++, 'C1', '', 10, 'EMEA']);
  rows.push([id++, 'C2', 'not-a-date', 10, 'EMEA']);
  rows.push([id++, '', '2026-10-03T10:00:00Z', 10, 'APAC']);
  rows.push([id++, '  ', '2026-09-03T10:00:00Z', 10, 'APAC']);
  rows.push([id++, 'C3', '2026-10-04T10:00:00Z', '', 'EMEA']);
  rows.push([id++, 'C4', '2026-10-05T10:00:00Z', 'Infinity', 'EMEA']);
  rows.push([id++, 'C5', '2026-08-05T10:00:00Z', '-Infinity', 'AMER']);
  rows.push([id++, 'C6', '2026-10-06T10:00:00Z', -5, 'AMER']);
  return rows;
}

const project = (source: string, rows = orderRows()) => makeProject({ 'cxreport.yaml': CONFIG.replace('orders: { type: csv, path: data/orders.csv }', `orders: ${source}`), 'data/orders.csv': csv(HEADER, rows) });
const CSV = '{ type: csv, path: data/orders.csv }';
/** The orders in DuckDB as a warehouse types them: TIMESTAMPTZ dates (the undatable rows NULL), DOUBLE amounts. */
const DUCK = `{ type: duckdb, query: "select order_id, customer_id, try_cast(order_date as timestamptz) as order_date, try_cast(amount as double) as amount, region from read_csv('data/orders.csv', all_varchar = true)" }`;

const metricsOf = (dir: string, env: Record<string, string> = {}) => metricsWithEngines(dir, IDS, env);

const cellsOf = (loaded: Awaited<ReturnType<typeof metricsWithEngines>>['loaded'], id: string) => (loaded.prepared.get(id) as unknown as { rows: TransactionCells }).rows;

describe('order metrics from transaction cells made by DuckDB', () => {
  it('give byte-identical metrics.json to the rows reduced in memory, invalid rows counted by reason', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(DUCK));
    expect(reference.engines).toEqual(['memory', 'memory', 'memory', 'memory', undefined]);
    expect(pushed.engines).toEqual(['sql', 'sql', 'sql', 'sql', 'sql']);
    expect(pushed.metrics).toBe(reference.metrics);
    const json = JSON.parse(reference.metrics).metrics;
    expect(json.rpr.excludedAllPeriods).toEqual({ 'amount not a number': 2, 'missing amount': 1, 'missing customer': 2, 'missing or invalid date': 2, 'negative amount': 1 });
    // the current period's exclusions are those of its 180-day window (dated rows only)
    expect(json.rpr.exclusions).toEqual({ 'amount not a number': 2, 'missing amount': 1, 'missing customer': 2, 'negative amount': 1 });
    // no amount column: only dates and customers are checked; the activity log checks the id first
    expect(json.rpr_days.excludedAllPeriods).toEqual({ 'missing customer': 2, 'missing or invalid date': 2 });
    expect(json.buyers.excludedAllPeriods).toEqual({ 'missing id': 2, 'missing or invalid date': 2 });
    expect(json.rpr.breakdowns.region.map((g: { group: string }) => g.group)).toEqual(['AMER', 'APAC', 'EMEA']);
    // the BG/NBD model was fitted (and compared above) for most periods
    expect(json.clv.series.filter((p: { value: number | null }) => p.value !== null).length).toBeGreaterThan(5);
  });

  it('the database returns cells, not rows: one per customer, UTC day and grouping values', async () => {
    const rows = orderRows();
    const pushed = await metricsOf(project(DUCK, rows));
    const cells = cellsOf(pushed.loaded, 'rpr');
    const valid = rows.length - 8;
    const n = cells.valid.array('__n') as Float64Array;
    expect(n.reduce((a, b) => a + b, 0)).toBe(valid);
    expect(cells.valid.numRows()).toBeLessThan(valid);
    // same-day orders of one customer in one region share a cell: e.g. the second order of C0's first day
    const c0 = cells.valid.filter((d: { __customer: string }) => d.__customer === 'C0').objects() as { __n: number; __first: number; __ts: number; __amount: number }[];
    const shared = c0.find((c) => c.__n === 2)!;
    expect(shared.__ts - shared.__first).toBe(Date.parse('2026-01-01T20:00:00Z') - Date.parse('2026-01-01T08:15:00Z'));
  });

  it('the result does not depend on the order of the rows (same-day ties go to the greater grouping value)', async () => {
    const rows = orderRows();
    const reversed = [...rows].reverse();
    const a = (await metricsOf(project(CSV, rows))).metrics;
    const b = (await metricsOf(project(CSV, reversed))).metrics;
    expect(b).toBe(a);
    // C0's first-day orders at the same instant are in two regions: the customer counts under the greater (EMEA)
    const pushed = await metricsOf(project(DUCK, reversed));
    expect(pushed.metrics).toBe(a);
  });

  it('a text date column is read as rows (same numbers)', async () => {
    const text = DUCK.replace('try_cast(order_date as timestamptz) as order_date', 'order_date');
    const reference = await metricsOf(project(CSV));
    const fallback = await metricsOf(project(text));
    expect(fallback.engines).toEqual(['memory', 'memory', 'memory', 'memory', undefined]);
    expect(fallback.metrics).toBe(reference.metrics);
  });

  it('a NaN amount in the database is a missing amount, pushed down or read as rows', async () => {
    const nan = DUCK.replace("try_cast(amount as double) as amount", "case when amount = 'Infinity' then 'NaN'::double else try_cast(amount as double) end as amount");
    const pushed = JSON.parse((await metricsOf(project(nan))).metrics).metrics.rpr;
    const read = JSON.parse((await metricsOf(project(nan.replace('{ type: duckdb,', '{ type: duckdb, pushdown: false,')))).metrics).metrics.rpr;
    expect(pushed.excludedAllPeriods).toEqual({ 'amount not a number': 1, 'missing amount': 2, 'missing customer': 2, 'missing or invalid date': 2, 'negative amount': 1 });
    expect(read.excludedAllPeriods).toEqual(pushed.excludedAllPeriods);
  });

  it('on_invalid: error names the column, the reason, the customer and the day', async () => {
    const dir = project(DUCK.replace('{ type: duckdb,', '{ type: duckdb, on_invalid: error,'));
    let stderr = '';
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, cwd: dir })).toBe(1);
    // the earliest dated invalid row: C5's −Infinity on 2026-08-05 (for rpr, the first metric)
    expect(stderr).toContain('duckdb:orders: data error: column amount: amount not a number (a row of customer "C5", 2026-08-05)');
    expect(stderr).toContain('metric "rpr" rejects this row because source "orders" has on_invalid: error');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('is one GROUP BY in the documented dialect (golden file)', async () => {
    const dir = project(DUCK);
    const config = await loadConfig(join(dir, 'cxreport.yaml'), { env: {} });
    const source = (await loadSources(config)).get('orders')!;
    if (!isPushdown(source)) throw new Error('expected a pushdown source');
    const options = { dims: ['region'] };
    const text = transactionCellsSql(source.sql, { customer: 'customer_id', date: 'order_date', amount: 'amount' }, options);
    const golden = readFileSync(join(import.meta.dirname, 'golden', 'transactions-pushdown.sql'), 'utf8').trim();
    expect(text.replace(/read_csv\([^)]*\)/, 'SOURCE')).toBe(golden);
    const runner = { ...source.sql.runner, dialect: 'postgres' as const };
    const pgText = transactionCellsSql(new SqlRelation(runner, source.sql.query, source.sql.columns, () => source.sql.load()), { customer: 'customer_id', date: 'order_date', amount: 'amount' }, options);
    expect(pgText).toBe(text.replace(') AS cx_source) AS cx_rows', ') AS cx_source OFFSET 0) AS cx_rows'));
  });
});

const url = process.env.CXREPORT_TEST_PG;

describe.skipIf(!url)(`order metrics from transaction cells made by PostgreSQL${url ? '' : ' (skipped: set CXREPORT_TEST_PG; .ci/run starts a server)'}`, () => {
  const table = `typed_orders_${process.pid}`;
  const env = { CX_DATABASE_URL: url! };
  postgresTable(url!, table, 'order_id integer, customer_id text, order_date timestamptz, amount double precision, region text', orderRows().map((row) => row.map((v) => (v === null || v === '' || v === 'not-a-date' ? null : String(v)))));

  it('give byte-identical metrics.json to the rows reduced in memory', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), env);
    expect(pushed.engines).toEqual(['sql', 'sql', 'sql', 'sql', 'sql']);
    expect(pushed.metrics).toBe(reference.metrics);
  });
});
