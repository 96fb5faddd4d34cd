/**
 * Comment sentiment from comment cells: the database groups the comments by period, raw text and
 * grouping columns (src/metrics/sentiment/sql.ts `commentCellsSql`); each distinct text is validated
 * and scored once and counts as often as it occurs. The same comments as a CSV, in DuckDB and in
 * PostgreSQL give byte-identical metrics.json (net sentiment, shares, themes with their examples,
 * breakdowns, exclusions), whatever the order of the rows.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { scoreComment } from '../src/metrics/sentiment/afinn.js';
import { commentPhrases } from '../src/metrics/text/phrases.js';
import { lcg, metricsWithEngines, postgresTable } from './engines.js';
import { csv, makeProject } from './project.js';

const CONFIG = `report:
  title: Comments
  period: { granularity: month, current: "2026-10" }
  min_sample: 1
sources:
  comments: { type: csv, path: data/comments.csv }
metrics:
  mood: { type: sentiment, source: comments, text: comment, date: submitted_at, group: product, themes: { min_count: 3, stop_words: [acme] } }
  mood_web: { type: sentiment, source: comments, text: comment, date: submitted_at, filter: { channel: web } }
sections:
  - { type: kpis, metrics: [mood, mood_web] }
  - { type: breakdown, metric: mood, by: channel }
  - { type: metric, metric: mood }
`;
const IDS = ['mood', 'mood_web'];
const HEADER = ['id', 'submitted_at', 'channel', 'product', 'comment'];
const TEXTS = [
  'Great support, fast and friendly',
  'The app keeps crashing, terrible experience',
  'Delivery was late again',
  'Love the new dashboard',
  'Billing is confusing and the invoice was wrong',
  'ok',
  'Support was slow & "unhelpful"',
  '<script>alert(1)</script>',
  'Great support',
  'Acme app crashing after update',
];

/** 300 comments over three months, many repeated word for word, plus an undated row and blank comments. */
function commentRows(): (string | number | null)[][] {
  const next = lcg(5);
  const rows: (string | number | null)[][] = [];
  for (let i = 0; i < 300; i++) {
    const day = Date.UTC(2026, 7, 1) + Math.floor(next() * 91) * 86_400_000 + Math.floor(next() * 86_400) * 1000;
    rows.push([i, new Date(day).toISOString().replace('.000Z', 'Z'), ['web', 'app', 'email'][i % 3], ['Basic', 'Pro'][Math.floor(next() * 2)], TEXTS[Math.floor(next() * next() * TEXTS.length)]]);
  }
  rows.push([900, '', 'web', 'Pro', 'Great support']);
  rows.push([901, '2026-10-05T10:00:00Z', 'web', 'Pro', '']);
  rows.push([902, '2026-10-06T10:00:00Z', 'app', 'Basic', '   ']);
  return rows;
}

const project = (source: string, rows = commentRows()) => makeProject({ 'cxreport.yaml': CONFIG.replace('comments: { type: csv, path: data/comments.csv }', `comments: ${source}`), 'data/comments.csv': csv(HEADER, rows) });
const CSV = '{ type: csv, path: data/comments.csv }';
const DUCK = `{ type: duckdb, query: "select id, try_cast(submitted_at as timestamptz) as submitted_at, channel, product, comment from read_csv('data/comments.csv', all_varchar = true)" }`;
const metricsOf = (dir: string, env: Record<string, string> = {}) => metricsWithEngines(dir, IDS, env);

describe('comment sentiment from comment cells made by DuckDB', () => {
  it('gives byte-identical metrics.json to the rows in memory, with fewer cells than comments', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(DUCK));
    expect(reference.engines).toEqual(['memory', 'memory']);
    expect(pushed.engines).toEqual(['sql', 'sql']);
    expect(pushed.metrics).toBe(reference.metrics);
    const mood = JSON.parse(reference.metrics).metrics.mood;
    expect(mood.excludedAllPeriods).toEqual({ 'missing or invalid date': 1, 'missing text': 2 });
    expect(mood.themes.length).toBeGreaterThan(0);
    expect(mood.breakdowns.channel.map((g: { group: string }) => g.group)).toEqual(['app', 'email', 'web']);
    const table = (pushed.loaded.prepared.get('mood') as unknown as { table: { numRows(): number; array(c: string): ArrayLike<number> } }).table;
    const comments = Array.from(table.array('__w')).reduce((a, b) => a + b, 0);
    expect(comments).toBe(300);
    expect(table.numRows()).toBeLessThan(comments / 2);
  });

  it('counts every comment as often as it occurs (checked against a plain loop over the rows)', async () => {
    const mood = JSON.parse((await metricsOf(project(DUCK))).metrics).metrics.mood;
    const october = commentRows().filter((r) => String(r[1]).startsWith('2026-10') && String(r[4]).trim() !== '');
    const labels = october.map((r) => scoreComment(String(r[4]).trim()).label);
    const count = (label: string) => labels.filter((l) => l === label).length;
    expect(mood.n).toBe(october.length);
    expect(mood.value).toBeCloseTo((100 * (count('positive') - count('negative'))) / october.length, 9);
    const stop = new Set(['acme']);
    for (const theme of mood.themes as { theme: string; key: string; mentions: number }[]) {
      const mentions = october.filter((r) => commentPhrases(String(r[4]).trim(), stop).some((p) => p.key === theme.key)).length;
      expect(mentions, theme.theme).toBe(theme.mentions);
    }
  });

  it('does not depend on the order of the rows', async () => {
    const a = (await metricsOf(project(CSV))).metrics;
    const b = (await metricsOf(project(CSV, commentRows().reverse()))).metrics;
    expect(b).toBe(a);
  });

  it('a text date column is read as rows (same numbers)', async () => {
    const reference = await metricsOf(project(CSV));
    const fallback = await metricsOf(project(DUCK.replace('try_cast(submitted_at as timestamptz) as submitted_at', 'submitted_at')));
    expect(fallback.engines).toEqual(['memory', 'memory']);
    expect(fallback.metrics).toBe(reference.metrics);
  });

  it('on_invalid: error names the column and the reason', async () => {
    const dir = project(DUCK.replace('{ type: duckdb,', '{ type: duckdb, on_invalid: error,'));
    let stderr = '';
    expect(await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (stderr += t), env: {}, cwd: dir })).toBe(1);
    expect(stderr).toMatch(/duckdb:comments: data error: column (submitted_at: missing or invalid date \(a DATE or TIMESTAMP value expected\)|comment: missing text \(a comment of 2026-10\))/);
    expect(stderr).toContain('metric "mood" rejects this row because source "comments" has on_invalid: error');
  });
});

const url = process.env.CXREPORT_TEST_PG;

describe.skipIf(!url)(`comment sentiment from comment cells made by PostgreSQL${url ? '' : ' (skipped: set CXREPORT_TEST_PG; .ci/run starts a server)'}`, () => {
  const table = `typed_comments_${process.pid}`;
  const env = { CX_DATABASE_URL: url! };
  postgresTable(url!, table, 'id integer, submitted_at timestamptz, channel text, product text, comment text', commentRows().map((row) => row.map((v, j) => (v === null || (v === '' && j !== 4) ? null : String(v)))));

  it('gives byte-identical metrics.json to the rows in memory', async () => {
    const reference = await metricsOf(project(CSV));
    const pushed = await metricsOf(project(`{ type: postgres, connection: "\${CX_DATABASE_URL}", table: ${table} }`), env);
    expect(pushed.engines).toEqual(['sql', 'sql']);
    expect(pushed.metrics).toBe(reference.metrics);
  });
});
