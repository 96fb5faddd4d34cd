/**
 * Real files exactly as they are published (../shared/data, never copied into the project), read
 * by plain file sources — no DuckDB rewrite, no preprocessing — and checked against values
 * computed independently: DuckDB's own CSV reader over the same file, a hand count, or the
 * published estimates. Plus the shapes real exports take (delimiters, encodings, header rows,
 * date formats, text labels) and the errors a user gets when a file cannot be read as it is.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { loadSource } from '../src/sources/index.js';
import { makeProject } from './project.js';
import { describeShared, sharedFile } from './shared-data.js';

const BIN = resolve(__dirname, '..', 'bin', 'cxreport.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (text: string) => expect(text).not.toMatch(/^\s+at /m);
const esc = (text: string) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

/** metrics.json of an in-memory build of a config written to a temp folder. */
async function metricsOf(config: string, files: Record<string, string> = {}, period?: string) {
  const dir = makeProject({ 'cxreport.yaml': config, ...files });
  const r = await build({ configPath: join(dir, 'cxreport.yaml'), cwd: dir, env: {}, period });
  return { json: JSON.parse(r.metrics), result: r };
}

/** One query's rows through DuckDB: the independent reader. */
async function duck(sql: string): Promise<unknown[][]> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowsJS() as unknown[][];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
const q = (path: string) => `'${path.replaceAll("'", "''")}'`;

describeShared('Olist orders (a pandas export: the first header cell is empty)', () => {
  const file = sharedFile('reviews', 'olist_classified_public_dataset.csv');
  it('loads as it is; the index column gets a generated name and a note', async () => {
    const source = await loadSource('orders', { type: 'csv', path: file, skip_rows: 0, on_invalid: 'exclude' } as never, '/');
    expect(source.rowCount).toBe(3584);
    expect(source.columns[0].name).toBe('column_1');
    expect(source.notes?.[0]).toMatch(/no name for column 1 .*named column_1/);
  });
  it('CSAT (review score 4–5 of 5) per month equals DuckDB’s count over the same file', async () => {
    const { json } = await metricsOf(`report: { title: Olist }
sources: { orders: { type: csv, path: ${JSON.stringify(file)} } }
metrics:
  csat: { type: csat, source: orders, score: review_score, date: review_creation_date }
sections:
  - { type: kpis, metrics: [csat] }
`);
    const m = json.metrics.csat;
    const [[n, satisfied]] = await duck(
      `SELECT count(*), count(*) FILTER (WHERE CAST(review_score AS INTEGER) >= 4) FROM read_csv(${q(file)}, header = true, all_varchar = true) WHERE strftime(CAST(review_creation_date AS TIMESTAMP), '%Y-%m') = '${json.period}'`,
    );
    expect(m.n).toBe(Number(n));
    expect(m.value).toBeCloseTo((100 * Number(satisfied)) / Number(n), 10);
  });
});

describeShared('Amazon Alexa reviews (tab-separated, UTF-8 BOM, dates like 31-Jul-18)', () => {
  const file = sharedFile('reviews', 'amazon_alexa.tsv');
  const config = (extra = '') => `report: { title: Alexa${extra} }
sources: { reviews: { type: csv, path: ${JSON.stringify(file)} } }
metrics:
  rating: { type: reviews, source: reviews, rating: rating, date: date }
  top2: { type: reviews, source: reviews, rating: rating, date: date, measure: top2 }
sections:
  - { type: kpis, metrics: [rating, top2] }
`;
  it('the tab and the D-Mon-YY dates are detected and said so', async () => {
    const source = await loadSource('reviews', { type: 'csv', path: file } as never, '/', { dates: new Set(['date']) });
    expect(source.notes).toEqual([
      'delimiter tab detected from the first lines',
      expect.stringContaining('column "date": dates read as %d-%b-%y (31-Jul-18 → 2018-07-31)'),
    ]);
    expect(source.table.get('date', 0)).toBe('2018-07-31');
  });
  it('the latest month (July 2018) equals DuckDB’s own reading of the file', async () => {
    const { json } = await metricsOf(config());
    expect(json.period).toBe('2018-07');
    const [[n, mean, top]] = await duck(
      `SELECT count(*), avg(rating), count(*) FILTER (WHERE rating >= 4) FROM read_csv(${q(file)}, delim = '\t', header = true, columns = {'rating': 'INTEGER', 'date': 'VARCHAR', 'variation': 'VARCHAR', 'verified_reviews': 'VARCHAR', 'feedback': 'INTEGER'}) WHERE strptime(date, '%d-%b-%y') >= DATE '2018-07-01'`,
    );
    expect(json.metrics.rating.n).toBe(Number(n));
    expect(json.metrics.rating.value).toBeCloseTo(Number(mean), 10);
    expect(json.metrics.top2.value).toBeCloseTo((100 * Number(top)) / Number(n), 10);
  });
  it('over the whole file (granularity all): mean rating 4.4632, 4–5 stars 87.02% of 3,150', async () => {
    const { json } = await metricsOf(config().replace('title: Alexa }', 'title: Alexa, period: { granularity: all } }'));
    expect(json.metrics.rating.n).toBe(3150);
    expect(json.metrics.rating.value.toFixed(4)).toBe('4.4632');
    expect(json.metrics.top2.value.toFixed(2)).toBe('87.02');
  });
  it('a --period with no data stops with exit 1 and says where the data is; the earlier report is untouched', () => {
    const dir = makeProject({ 'cxreport.yaml': config() });
    const good = run(['build', '--format', 'html', '--out', 'out', '--quiet'], dir);
    expect(good.code).toBe(0);
    const before = readFileSync(join(dir, 'out', 'metrics.json'), 'utf8');
    const bad = run(['build', '--format', 'html', '--out', 'out', '--period', '2018-02'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('data error: no metric has any data in 2018-02');
    expect(bad.stderr).toContain('hint: the data runs up to 2018-07');
    noStack(bad.stderr);
    expect(readFileSync(join(dir, 'out', 'metrics.json'), 'utf8')).toBe(before);
  });
});

describeShared('CDNOW (dates written 19970101)', () => {
  const elog = sharedFile('cdnow', 'BTYD_cdnowElog.csv');
  const master = sharedFile('cdnow', 'lifetimes_CDNOW_master.txt');
  it('the BTYD event log as it is gives the FHL (2005) BG/NBD estimates (r 0.243, α 4.414, a 0.793, b 2.426) within 1%', async () => {
    const { json } = await metricsOf(`report: { title: CDNOW, period: { granularity: month, current: "1997-09" } }
sources: { orders: { type: csv, path: ${JSON.stringify(elog)} } }
metrics:
  clv: { type: clv, method: bgnbd, source: orders, customer: sampleid, date: date, amount: sales }
sections:
  - { type: metric, metric: clv }
`);
    const m = json.metrics.clv;
    expect(m.n).toBe(2357);
    expect(m.calibrationEnd).toBe('1997-09-30');
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    for (const [k, v] of Object.entries(published)) expect(Math.abs(m.bgnbd[k] / v - 1)).toBeLessThan(0.01);
  });
  it('the whitespace-separated master file loads as it is: 69,659 lines of 23,570 customers; its 1/10 sample is the BTYD log, line for line', async () => {
    const m = await loadSource('master', { type: 'csv', path: master } as never, '/', { dates: new Set(['date']) });
    expect(m.notes?.[0]).toBe('delimiter whitespace detected from the first lines');
    expect(m.rowCount).toBe(69659);
    expect(m.columns.map((c) => c.name)).toEqual(['customer_id', 'date', 'number_of_cds', 'dollar_value']);
    expect(new Set(m.table.array('customer_id') as number[]).size).toBe(23570);
    // the physical line of the first data row (the header is line 1)
    expect(m.table.get('__row', 0)).toBe(2);
    const e = await loadSource('elog', { type: 'csv', path: elog } as never, '/', { dates: new Set(['date']) });
    const key = (id: unknown, d: unknown, cds: unknown, v: unknown) => `${Number(id)}|${d}|${Number(cds)}|${Number(v).toFixed(2)}`;
    const sample = new Set((e.table.array('masterid') as number[]).map(Number));
    const fromMaster: string[] = [];
    const cols = ['customer_id', 'date', 'number_of_cds', 'dollar_value'].map((c) => m.table.array(c) as unknown[]);
    for (let i = 0; i < m.rowCount; i++) if (sample.has(Number(cols[0][i]))) fromMaster.push(key(cols[0][i], cols[1][i], cols[2][i], cols[3][i]));
    const ecols = ['masterid', 'date', 'cds', 'sales'].map((c) => e.table.array(c) as unknown[]);
    const fromElog = Array.from({ length: e.rowCount }, (_, i) => key(ecols[0][i], ecols[1][i], ecols[2][i], ecols[3][i]));
    expect(fromMaster.sort()).toEqual(fromElog.sort());
    expect(fromElog).toHaveLength(6919);
  });
  it('the master file as it is: its $0.00 purchases leave the spend model undefined, and the build says so instead of an empty report', () => {
    const dir = makeProject({ 'cxreport.yaml': `report: { title: CDNOW master, period: { granularity: month, current: "1997-09" } }
sources: { orders: { type: csv, path: ${JSON.stringify(master)} } }
metrics:
  clv: { type: clv, method: bgnbd, source: orders, customer: customer_id, date: date, amount: dollar_value }
sections:
  - { type: metric, metric: clv }
` });
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('data error: no metric has a value in 1997-09: metric "clv": the model');
    expect(r.stderr).toContain('zbar must be > 0');
    noStack(r.stderr);
  });
  it('the master file with its $0.00 purchases filtered out feeds the CLV model: 23,570 customers, converged', async () => {
    const { json } = await metricsOf(`report: { title: CDNOW master, period: { granularity: month, current: "1997-09" } }
sources: { orders: { type: csv, path: ${JSON.stringify(master)} } }
metrics:
  clv: { type: clv, method: bgnbd, source: orders, customer: customer_id, date: date, amount: dollar_value, filter: { dollar_value: { min: 0.01 } } }
sections:
  - { type: metric, metric: clv }
`);
    expect(json.metrics.clv.n).toBeGreaterThan(23000);
    expect(json.metrics.clv.bgnbd.converged).toBe(true);
  });
});

describeShared('Sudzilla event survey (0–10 ratings; one file with M/D/YYYY H:MM:SS times, one ISO)', () => {
  const one = sharedFile('survey', 'sudzilla_input_01.csv');
  const two = sharedFile('survey', 'sudzilla_input_02.csv');
  const question = 'On a scale of 0-10, how would you rate Sudzilla?';
  const config = (file: string, columns = '') => `report: { title: Sudzilla }
sources: { answers: { type: csv, path: ${JSON.stringify(file)}${columns} } }
metrics:
  nps: { type: nps, source: answers, score: ${JSON.stringify(question)}, date: Timestamp }
sections:
  - { type: kpis, metrics: [nps] }
`;
  let handNps: number;
  beforeAll(async () => {
    const rows = await duck(`SELECT "${question}" FROM read_csv(${q(two)}, header = true)`);
    const scores = rows.map((r) => Number(r[0]));
    handNps = (100 * (scores.filter((s) => s >= 9).length - scores.filter((s) => s <= 6).length)) / scores.length;
  });
  it('the ISO file: NPS of all 39 answers equals a hand count', async () => {
    const { json } = await metricsOf(config(two));
    expect(json.period).toBe('2019-11');
    expect(json.metrics.nps.n).toBe(39);
    expect(json.metrics.nps.value).toBeCloseTo(handNps, 10);
  });
  it('the M/D/YYYY file: every date is 11/1/2019, so month/day order is undecidable — exit 1 with three examples and the format line', () => {
    const dir = makeProject({ 'cxreport.yaml': config(one) });
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${one}:2:1: data error: source "answers": column "Timestamp" holds dates like "11/1/2019 8:51:12", "11/1/2019 9:05:13", "11/1/2019 9:15:49", which read as month/day/year or as day/month/year; cxreport does not guess`);
    expect(r.stderr).toContain('hint: declare the format under this source: columns: { "Timestamp": { type: date, format: "%m/%d/%Y %H:%M:%S" } }');
    noStack(r.stderr);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
  it('with the format declared, the same NPS as the ISO file', async () => {
    const { json } = await metricsOf(config(one, ', columns: { Timestamp: { type: date, format: "%m/%d/%Y %H:%M:%S" } }'));
    expect(json.period).toBe('2019-11');
    expect(json.metrics.nps.n).toBe(39);
    expect(json.metrics.nps.value).toBeCloseTo(handNps, 10);
  });
});

describeShared('Qualtrics exports (current: question-text and ImportId rows; legacy: V1… names)', () => {
  it('current layout: one response, question text as labels, the ImportId row not read as an answer', async () => {
    const s = await loadSource('q', { type: 'csv', path: sharedFile('exports', 'qualtrics_export_sample.csv') } as never, '/', { dates: new Set(['StartDate']) });
    expect(s.rowCount).toBe(1);
    expect(s.notes?.[0]).toMatch(/^a Qualtrics export/);
    expect(s.labels).toMatchObject({ Q1: 'This is a multiple choice question.', StartDate: 'Anfangsdatum' });
    expect(s.table.get('StartDate', 0)).toBe('2017-07-18 08:28:09');
    expect(s.table.get('ResponseId', 0)).toBe('R_2YPOQ602ER1jkf1');
    // the physical line of the one answer: after the three header rows
    expect(s.table.get('__row', 0)).toBe(4);
  });
  it('legacy layout: V1… named by the second row, question text as labels, the trailing empty column dropped', async () => {
    const s = await loadSource('q', { type: 'csv', path: sharedFile('exports', 'qualtrics_legacy_export_sample.csv') } as never, '/');
    expect(s.rowCount).toBe(1);
    expect(s.columns.map((c) => c.name)).toEqual(['ResponseID', 'ResponseSet', 'Name', 'ExternalDataReference', 'EmailAddress', 'IPAddress', 'Status', 'StartDate', 'EndDate', 'Finished', 'Q1', 'Q2', 'LocationLatitude', 'LocationLongitude', 'LocationAccuracy']);
    expect(s.labels).toEqual({ Q1: 'This is a multiple choice question.', Q2: 'This is a free text question.' });
    expect(s.table.get('Q2', 0)).toBe('Hello World!');
  });
});

describeShared('support tickets (quoted multi-line text): line numbers are the file’s physical lines', () => {
  it('each ticket’s row number is the line it starts on', async () => {
    const file = sharedFile('tickets', 'customer_support_tickets.csv');
    const s = await loadSource('t', { type: 'csv', path: file } as never, '/');
    const lines = readFileSync(file, 'utf8').split('\n');
    const ids = s.table.array('Ticket ID') as number[];
    const rows = s.table.array('__row') as number[];
    for (const i of [0, 1, 2, 4000, 8468]) expect(lines[rows[i] - 1].startsWith(`${ids[i]},`)).toBe(true);
  });
});

// -------------------------------------------------------------------------------------------
// shapes of real exports, made here (no public sample of each exists in ../shared)
// -------------------------------------------------------------------------------------------

const SURVEY = `report: { title: Survey }
sources: { answers: SOURCE }
metrics:
  csat: { type: csat, source: answers, score: csat, date: submitted }
sections:
  - { type: kpis, metrics: [csat] }
`;
const survey = (source: string) => SURVEY.replace('SOURCE', source);

describe('delimiters and encodings', () => {
  const rows = [
    ['2026-10-01', 5, 'Très bien'],
    ['2026-10-02', 4, 'ok'],
    ['2026-10-03', 2, 'lent'],
  ];
  const text = (d: string) => [['submitted', 'csat', 'comment'], ...rows].map((r) => r.join(d)).join('\r\n') + '\r\n';
  it.each([
    [';', 'delimiter ";" detected'],
    ['\t', 'delimiter tab detected'],
    ['|', 'delimiter "|" detected'],
  ])('%j is detected and noted', async (d, note) => {
    const { json, result } = await metricsOf(survey('{ type: csv, path: data.csv }'), { 'data.csv': text(d) });
    expect(json.metrics.csat.n).toBe(3);
    expect(json.metrics.csat.value).toBeCloseTo(200 / 3, 10);
    expect(result.sources.get('answers')!.notes?.[0]).toContain(note);
    expect(result.html).toContain(esc(note));
  });
  it('a wrong declared delimiter says which one the lines split on', () => {
    const dir = makeProject({ 'cxreport.yaml': survey('{ type: csv, path: data.csv, delimiter: "," }'), 'data.csv': text(';').replace('Très bien', 'bien, très') });
    const r = run(['build', '--format', 'html'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/data\.csv:\d+(:1)?: data error: source "answers": /);
    expect(r.stderr).toContain('hint: the first lines split evenly on ";": add delimiter: ";" under this source');
    noStack(r.stderr);
  });
  it('UTF-16 LE and BE with a byte-order mark', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text(','), 'utf16le')]);
    const be = Buffer.from(le);
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1], be[i]];
    for (const bytes of [le, be]) {
      const dir = makeProject({ 'cxreport.yaml': survey('{ type: csv, path: data.csv }') });
      writeFileSync(join(dir, 'data.csv'), bytes);
      const s = await loadSource('a', { type: 'csv', path: join(dir, 'data.csv') } as never, dir);
      expect(s.table.get('comment', 0)).toBe('Très bien');
      expect(s.notes?.[0]).toMatch(/encoding UTF-16(LE|BE) detected/);
    }
  });
  it('Windows-1252 (not valid UTF-8) is read as such and noted with the byte offset', async () => {
    const dir = makeProject({});
    const bytes = Buffer.from(text(',').replace('Très', 'Tr\u00e8s').replace('lent', '\u201clent\u201d'), 'latin1');
    // é in UTF-8 would be two bytes; in Windows-1252 it is one (0xE8), and “ ” are 0x93 0x94
    const cp = Buffer.from(text(',').replace('lent', 'XlentX'), 'latin1');
    cp[cp.indexOf('X')] = 0x93;
    cp[cp.lastIndexOf('X')] = 0x94;
    writeFileSync(join(dir, 'data.csv'), cp);
    const s = await loadSource('a', { type: 'csv', path: join(dir, 'data.csv') } as never, dir);
    expect(s.table.get('comment', 0)).toBe('Très bien');
    expect(s.table.get('comment', 2)).toBe('\u201clent\u201d');
    expect(s.notes?.[0]).toBe(`encoding Windows-1252 assumed: the file is not valid UTF-8 (byte ${bytes.indexOf(0xe8)}); set encoding: if another one is meant`);
  });
  it('a declared UTF-8 file with other bytes names the byte offset and the encoding to add', () => {
    const dir = makeProject({ 'cxreport.yaml': survey('{ type: csv, path: data.csv, encoding: utf8 }') });
    writeFileSync(join(dir, 'data.csv'), Buffer.from(text(','), 'latin1'));
    const r = run(['build', '--format', 'html'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data.csv: data error: source "answers": byte ${Buffer.from(text(','), 'latin1').indexOf(0xe8)} is not valid UTF-8`);
    expect(r.stderr).toContain('hint: the file is in another encoding: set encoding: windows-1252');
    noStack(r.stderr);
  });
  it('a binary file, a directory and a workbook given as CSV are clear errors', async () => {
    const dir = makeProject({});
    writeFileSync(join(dir, 'book.csv'), Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00]));
    await expect(loadSource('a', { type: 'csv', path: join(dir, 'book.csv') } as never, dir)).rejects.toThrow(/not a text file: byte 5 is a NUL byte \(it starts like a zip archive: an Excel workbook\? use type: xlsx\)/);
    await expect(loadSource('a', { type: 'csv', path: dir } as never, dir)).rejects.toThrow(/cannot read .* \(it is a directory\)/);
  });
});

describe('header rows', () => {
  it('duplicate names get suffixes; skip_rows drops title lines; header_rows: 0 names columns', async () => {
    const dir = makeProject({ 'a.csv': 'Survey export\nGenerated 2026-11-01\nsubmitted,csat,csat,\n2026-10-01,5,4,\n2026-10-02,3,2,\n', 'b.csv': '2026-10-01,5\n2026-10-02,3\n' });
    const a = await loadSource('a', { type: 'csv', path: join(dir, 'a.csv'), skip_rows: 2 } as never, dir);
    expect(a.columns.map((c) => c.name)).toEqual(['submitted', 'csat', 'csat_2']);
    expect(a.notes).toContain('duplicate column names renamed: "csat" (column 3) → "csat_2"');
    expect(a.table.get('__row', 0)).toBe(4);
    const b = await loadSource('b', { type: 'csv', path: join(dir, 'b.csv'), header_rows: 0 } as never, dir);
    expect(b.columns.map((c) => c.name)).toEqual(['column_1', 'column_2']);
    expect(b.rowCount).toBe(2);
  });
  it('a SurveyMonkey export: two header rows become "Question – Option" names', async () => {
    const text = [
      'Respondent ID,Collector ID,Start Date,How satisfied are you?,Which features do you use?,,,Comments',
      ',,,Response,Dashboards,Alerts,Exports,Open-Ended Response',
      '1001,42,10/14/2026 9:05:00 AM,5,Dashboards,,Exports,Great',
      '1002,42,10/15/2026 4:30:00 PM,3,,Alerts,,Slow',
    ].join('\n');
    const dir = makeProject({ 'sm.csv': text });
    const s = await loadSource('sm', { type: 'csv', path: join(dir, 'sm.csv') } as never, dir, { dates: new Set(['Start Date']) });
    expect(s.columns.map((c) => c.name)).toEqual(['Respondent ID', 'Collector ID', 'Start Date', 'How satisfied are you?', 'Which features do you use? – Dashboards', 'Which features do you use? – Alerts', 'Which features do you use? – Exports', 'Comments']);
    expect(s.notes?.[0]).toMatch(/^a SurveyMonkey export/);
    expect(s.table.get('Start Date', 1)).toBe('2026-10-15T16:30:00');
    expect(s.table.get('__row', 0)).toBe(3);
  });
});

describe('dates as people write them', () => {
  it('M/D/YY H:MM (decidable: a day above 12) is read, noted, and placed in the right month', async () => {
    const csv = 'submitted,csat\n10/13/26 9:05,5\n10/31/26 23:59,4\n11/1/26 0:01,1\n';
    const { json, result } = await metricsOf(survey('{ type: csv, path: data.csv }'), { 'data.csv': csv });
    expect(json.period).toBe('2026-11');
    expect(json.metrics.csat.n).toBe(1);
    expect(json.metrics.csat.previous).toMatchObject({ period: '2026-10', n: 2 });
    expect(result.sources.get('answers')!.notes?.[0]).toContain('column "submitted": dates read as %m/%d/%y %H:%M (10/13/26 9:05 → 2026-10-13T09:05:00)');
  });
  it('a declared format with a time zone; %s epoch seconds; Excel serial days', async () => {
    const dir = makeProject({
      'a.csv': 'submitted,csat\n31.10.2026 23:30,5\n',
      'b.csv': 'submitted,csat\n1792972800,5\n',
      'c.csv': 'submitted,csat\n46310,5\n46310.75,4\n',
    });
    const a = await loadSource('a', { type: 'csv', path: join(dir, 'a.csv'), timezone: 'America/New_York', columns: { submitted: { type: 'date', format: '%d.%m.%Y %H:%M' } } } as never, dir);
    expect(a.table.get('submitted', 0)).toBe('2026-11-01T03:30:00.000Z');
    const b = await loadSource('b', { type: 'csv', path: join(dir, 'b.csv'), columns: { submitted: { format: '%s' } } } as never, dir);
    expect(b.table.get('submitted', 0)).toBe('2026-10-26T00:00:00.000Z');
    const c = await loadSource('c', { type: 'csv', path: join(dir, 'c.csv'), columns: { submitted: { format: 'excel' } } } as never, dir);
    expect([c.table.get('submitted', 0), c.table.get('submitted', 1)]).toEqual(['2026-10-15', '2026-10-15T18:00:00']);
  });
  it('every row with an unreadable date: exit 1 with the reason, examples with their lines and the fix — not an empty report', () => {
    const dir = makeProject({ 'cxreport.yaml': survey('{ type: csv, path: data.csv }').replace('title: Survey }', 'title: Survey, period: { current: "2026-10" } }'), 'data.csv': 'submitted,csat\n"Oct 14th, 2026",5\nyesterday,4\n"mid Oct",3\n' });
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('metric "csat" has no valid value in 2026-10: 3 rows excluded as "missing or invalid date" in column "submitted"; e.g. "Oct 14th, 2026" (data.csv:2), "yesterday" (data.csv:3), "mid Oct" (data.csv:4)');
    expect(r.stderr).toContain('hint: declare how the dates are written under the source: columns: { "submitted": { type: date, format:');
    noStack(r.stderr);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
  it('allow_empty: true builds the empty card instead', async () => {
    const { json } = await metricsOf(
      survey('{ type: csv, path: data.csv }').replace('date: submitted }', 'date: submitted, allow_empty: true }').replace('title: Survey }', 'title: Survey, period: { current: "2026-10" } }'),
      { 'data.csv': 'submitted,csat\nyesterday,4\n' },
    );
    expect(json.metrics.csat.n).toBe(0);
  });
});

describe('labels to scores, and a scale that does not fit', () => {
  it('levels: map text answers to 1…k ignoring case and spaces; unmapped labels are counted by value', async () => {
    const csv = 'submitted,satisfaction,ch\n2026-10-01,Very satisfied,web\n2026-10-02,very\u00a0 SATISFIED ,web\n2026-10-03,Dissatisfied,app\n2026-10-04,Neutral,app\n2026-10-05,Not sure,app\n2026-10-06,Not sure,web\n';
    const cfg = `report: { title: S }
sources:
  answers:
    type: csv
    path: data.csv
    columns: { satisfaction: { levels: [Very dissatisfied, Dissatisfied, Neutral, Satisfied, Very satisfied], label: "How satisfied are you with us?" }, ch: { label: Contact channel } }
metrics:
  csat: { type: csat, source: answers, score: satisfaction, date: submitted }
sections:
  - { type: kpis, metrics: [csat] }
  - { type: breakdown, metric: csat, by: ch }
`;
    const { json, result } = await metricsOf(cfg, { 'data.csv': csv });
    expect(json.metrics.csat.n).toBe(4);
    expect(json.metrics.csat.value).toBeCloseTo(50, 10);
    expect(json.metrics.csat.exclusions).toEqual({ 'not a number': 2 });
    const source = result.sources.get('answers')!;
    expect(source.notes).toContain('column "satisfaction": 2 values not among its levels, excluded where a metric scores this column: "Not sure" (2)');
    expect(source.labels).toEqual({ satisfaction: 'How satisfied are you with us?', ch: 'Contact channel' });
    // the label names the column in the report
    expect(result.html).toContain('CSAT by Contact channel');
  });
  it('CSAT answered on 1–10 but configured on 1–5: a warning (terminal and --json) and a note in the methods appendix', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `2026-10-${String((i % 28) + 1).padStart(2, '0')},${(i % 8) + 3}`);
    const dir = makeProject({ 'cxreport.yaml': survey('{ type: csv, path: data.csv }'), 'data.csv': `submitted,csat\n${rows.join('\n')}\n` });
    const r = run(['build', '--format', 'html', '--out', 'out'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: metric "csat": 25 of 40 rows');
    const j = run(['build', '--format', 'html', '--out', 'out', '--json'], dir);
    const events = j.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.find((e) => e.event === 'warning')?.message).toContain('most as "out of range"');
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain(esc('metric "csat": 25 of 40 rows'));
  });
});

describe('line numbers in messages are the file’s lines', () => {
  it('CSV with a quoted line break and NDJSON with a blank line: on_invalid: error names the line the row starts on', async () => {
    const csvText = 'submitted,csat,comment\n2026-10-01,5,"two\nlines"\n2026-10-02,9,bad\n';
    const nd = '{"submitted":"2026-10-01","csat":5}\n\n{"submitted":"2026-10-02","csat":9}\n';
    for (const [type, path, text, line] of [['csv', 'data.csv', csvText, 4], ['ndjson', 'data.ndjson', nd, 3]] as const) {
      const dir = makeProject({ 'cxreport.yaml': survey(`{ type: ${type}, path: ${path}, on_invalid: error }`), [path]: text });
      const r = run(['build', '--format', 'html', '--out', 'out'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${path}:${line} csat: 9 — out of range (valid: integers 1–5)`);
      noStack(r.stderr);
    }
  });
});

afterAll(() => {
  // nothing to clean: temp projects live in the OS temp folder
  void statSync;
});
