/**
 * Ticket metrics from ticket cells: the database groups the tickets by creation month, time to
 * first response and to resolution, the raw priority, reopened and CSAT values and the grouping
 * columns (src/metrics/tickets/sql.ts `ticketCellsSql`), and the same validation and measures run on
 * the weighted cells as on rows. The same tickets as a CSV, in DuckDB and in PostgreSQL give
 * byte-identical metrics.json, with every invalid kind a database can hold counted the same.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { lcg, metricsWithEngines, postgresTable } from './engines.js';
import { csv, makeProject } from './project.js';

const CONFIG = `report:
  title: Tickets
  period: { granularity: month, current: "2026-10" }
  min_sample: 1
sources:
  tickets: { type: csv, path: data/tickets.csv }
metrics:
  first_response: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, channel: channel, priority: priority, reopened: reopened, csat: csat, sla: { first_response_hours: { urgent: 1, high: 4, normal: 8 }, resolution_hours: 48 } }
  resolution: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, measure: resolution }
  sla: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, priority: priority, measure: sla, sla: { first_response_hours: { urgent: 1, high: 4, normal: 8 }, resolution_hours: 48 } }
  reopen: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, reopened: reopened, measure: reopen_rate, filter: { channel: [email, chat] } }
  volume: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, channel: channel, measure: volume }
  tcsat: { type: tickets, source: tickets, created: created_at, first_response: first_response_at, resolved: resolved_at, csat: csat, measure: csat }
sections:
  - { type: kpis, metrics: [first_response, resolution, sla, reopen, volume, tcsat] }
  - { type: breakdown, metric: first_response, by: channel }
  - { type: breakdown, metric: sla, by: priority }
  - { type: metric, metric: first_response }
`;
const IDS = ['first_response', 'resolution', 'sla', 'reopen', 'volume', 'tcsat'];
const HEADER = ['ticket_id', 'channel', 'priority', 'created_at', 'first_response_at', 'resolved_at', 'reopened', 'csat'];

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

/**
 * 400 tickets from August to October 2026 with times on whole minutes (so durations repeat and
 * cells are fewer than tickets), open and awaiting tickets, and every invalid kind a database can
 * hold: no creation time, a reply or resolution before creation, a resolution before the reply, an
 * unrecognised or missing reopened flag, CSAT out of range, not an integer, not a number, and a
 * priority without an SLA target.
 */
function ticketRows(): (string | number | null)[][] {
  const next = lcg(11);
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 400; i++) {
    const created = Date.UTC(2026, 7, 1) + Math.floor(next() * 91 * 24 * 60) * 60_000;
    const reply = next() < 0.05 ? null : created + (1 + Math.floor(next() * 12)) * 30 * 60_000;
    const resolved = reply === null || next() < 0.1 ? null : reply + (1 + Math.floor(next() * 20)) * 3 * 3_600_000;
    const reopened = resolved === null ? '' : next() < 0.15 ? 'yes' : 'no';
    const csat = resolved === null || next() < 0.4 ? '' : String(1 + Math.floor(next() * 5));
    rows.push([`T${i}`, ['email', 'chat', 'phone'][i % 3], ['urgent', 'high', 'normal'][i % 3], iso(created), reply === null ? '' : iso(reply), resolved === null ? '' : iso(resolved), reopened, csat]);
  }
  rows.push(['X1', 'email', 'high', '', '2026-10-02T10:00:00Z', '', '', '']);
  rows.push(['X2', 'email', 'high', '2026-10-03T10:00:00Z', '2026-10-03T09:00:00Z', '', '', '']);
  rows.push(['X3', 'chat', 'high', '2026-10-04T10:00:00Z', '', '2026-10-04T08:00:00Z', 'no', '']);
  rows.push(['X4', 'chat', 'high', '2026-09-05T10:00:00Z', '2026-09-05T12:00:00Z', '2026-09-05T11:00:00Z', 'no', '']);
  rows.push(['X5', 'email', 'normal', '2026-10-06T10:00:00Z', '2026-10-06T10:30:00Z', '2026-10-06T12:00:00Z', 'maybe', '7']);
  rows.push(['X6', 'email', 'normal', '2026-10-07T10:00:00Z', '2026-10-07T10:30:00Z', '2026-10-07T12:00:00Z', '', '3.5']);
  rows.push(['X7', 'phone', 'low', '2026-10-08T10:00:00Z', '2026-10-08T10:30:00Z', '2026-10-08T12:00:00Z', 'no', 'x']);
  return rows;
}

const project = (source: string, rows = ticketRows()) => makeProject({ 'cxreport.yaml': CONFIG.replace('tickets: { type: csv, path: data/tickets.csv }', `tickets: ${source}`), 'data/tickets.csv': csv(HEADER, rows) });
const CSV = '{ type: csv, path: data/tickets.csv }';
/** TIMESTAMPTZ times (empty cells NULL), the rest as text, as an export would hold them. */
const DUCK = `{ type: duckdb, query: "select ticket_id, channel, priority, try_cast(created_at as timestamptz) as created_at, try_cast(first_response_at as timestamptz) as first_response_at, try_cast(resolved_at as timestamptz) as resolved_at, reopened, csat from read_csv('data/tickets.csv', all_varchar = true)" }`;

const metricsOf = (dir: string, env: Record<string, string> = {}) => metricsWithEngines(dir, IDS, env);

describe('ticket metrics from ticket cells made by DuckDB', () => {
  it('give byte-identical metrics.json to the rows in memory, invalid rows and field issues counted alike', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(DUCK));
    expect(reference.engines).toEqual(IDS.map(() => 'memory'));
    expect(pushed.engines).toEqual(IDS.map(() => 'sql'));
    expect(pushed.metrics).toBe(reference.metrics);
    const json = JSON.parse(reference.metrics).metrics;
    expect(json.first_response.excludedAllPeriods).toEqual({ 'first response before creation': 1, 'missing or invalid created time': 1, 'resolved before creation': 1, 'resolved before first response': 1 });
    expect(json.first_response.breakdowns.channel.map((g: { group: string }) => g.group)).toEqual(['chat', 'email', 'phone']);
    expect(json.first_response.n).toBeGreaterThan(100);
    // the cells are fewer than the tickets (durations on whole minutes repeat) and stand for all of them
    const table = (pushed.loaded.prepared.get('volume') as unknown as { table: { numRows(): number; array(c: string): ArrayLike<number> } }).table;
    const w = Array.from(table.array('__w'));
    expect(w.reduce((a, b) => a + b, 0)).toBe(400 + 3);
    expect(table.numRows()).toBeLessThan(400);
  });

  it('the result does not depend on the order of the rows (exclusion reasons listed in text order)', async () => {
    const a = (await metricsOf(project(CSV))).metrics;
    const b = (await metricsOf(project(CSV, ticketRows().reverse()))).metrics;
    expect(b).toBe(a);
  });

  it('on_invalid: error names the column, the value and the reason', async () => {
    const dir = project(DUCK.replace('{ type: duckdb,', '{ type: duckdb, on_invalid: error,'));
    let stderr = '';
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, cwd: dir })).toBe(1);
    expect(stderr).toMatch(/duckdb:tickets: data error: column (first_response_at|resolved_at|created_at|reopened|csat): /);
    expect(stderr).toContain('metric "first_response" rejects this row because source "tickets" has on_invalid: error');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('a text time column is read as rows (same numbers)', async () => {
    const text = DUCK.replace('try_cast(resolved_at as timestamptz) as resolved_at', 'resolved_at');
    const reference = await metricsOf(project(CSV));
    const fallback = await metricsOf(project(text));
    expect(fallback.engines).toEqual(IDS.map(() => 'memory'));
    expect(fallback.metrics).toBe(reference.metrics);
  });
});

const url = process.env.CXREPORT_TEST_PG;

describe.skipIf(!url)(`ticket metrics from ticket cells made by PostgreSQL${url ? '' : ' (skipped: set CXREPORT_TEST_PG; .ci/run starts a server)'}`, () => {
  const table = `typed_tickets_${process.pid}`;
  const env = { CX_DATABASE_URL: url! };
  postgresTable(url!, table, 'ticket_id text, channel text, priority text, created_at timestamptz, first_response_at timestamptz, resolved_at timestamptz, reopened text, csat text', ticketRows().map((row) => row.map((v) => (v === null || v === '' ? null : String(v)))));

  it('give byte-identical metrics.json to the rows in memory', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), env);
    expect(pushed.engines).toEqual(IDS.map(() => 'sql'));
    expect(pushed.metrics).toBe(reference.metrics);
  });
});
