/** Source types: the same rows as CSV, JSON, NDJSON, Parquet and Arrow give the same metrics; bad files give clear errors. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as aq from 'arquero';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { CxError } from '../src/kernel/errors.js';
import { loadSource } from '../src/sources/index.js';
import { parquetEngine } from '../src/sources/parquet.js';
import { isPushdown } from '../src/sources/sql.js';
import { csv, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';

const rows = surveyRows();
const objects = rows.map((r) => Object.fromEntries(SURVEY_HEADER.map((h, j) => [h, r[j] === '' ? null : r[j]])));
const asText = (v: unknown) => (v === null || v === undefined ? null : String(v));

function projectWith(type: string, file: string, content: string | Uint8Array, extra = '') {
  const config = SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', `responses: { type: ${type}, path: data/${file}${extra} }`);
  const dir = makeProject({ 'cxreport.yaml': config });
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', file), content);
  return dir;
}

async function metricsOf(dir: string) {
  const r = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  return r.metrics;
}

describe('every file source gives the same metrics.json as CSV', () => {
  let reference: string;
  beforeAll(async () => {
    reference = await metricsOf(projectWith('csv', 'responses.csv', csv(SURVEY_HEADER, rows)));
  });
  it('JSON (array of objects, numbers as numbers)', async () => {
    expect(await metricsOf(projectWith('json', 'responses.json', JSON.stringify(objects)))).toBe(reference);
  });
  it('JSON with records: pointing inside the document', async () => {
    expect(await metricsOf(projectWith('json', 'r.json', JSON.stringify({ data: { items: objects } }), ', records: data.items'))).toBe(reference);
  });
  it('NDJSON', async () => {
    expect(await metricsOf(projectWith('ndjson', 'responses.ndjson', `${objects.map((o) => JSON.stringify(o)).join('\n')}\n\n`))).toBe(reference);
  });
  it('Parquet (written by hyparquet-writer)', async () => {
    const buffer = parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: objects.map((o) => asText(o[name])), type: 'STRING' as const })) });
    expect(await metricsOf(projectWith('parquet', 'responses.parquet', new Uint8Array(buffer)))).toBe(reference);
  });

  it('Parquet left in DuckDB (engine: duckdb, and auto from parquetEngine.duckdbBytes): the same metrics.json, the source still names the file', async () => {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: objects.map((o) => asText(o[name])), type: 'STRING' as const })) }));
    expect(await metricsOf(projectWith('parquet', 'responses.parquet', bytes, ', engine: duckdb'))).toBe(reference);
    const dir = makeProject({ 'data/responses.parquet': bytes });
    const open = (engine?: string) => loadSource('survey', { type: 'parquet', path: join(dir, 'data/responses.parquet'), ...(engine ? { engine } : {}) } as never, dir);
    const inDuckDb = await open('duckdb');
    expect(isPushdown(inDuckDb)).toBe(true);
    expect(inDuckDb.file).toBe(join('data', 'responses.parquet'));
    // auto: this small file is read into memory; at a threshold below its size it is left in DuckDB
    expect(isPushdown(await open())).toBe(false);
    const threshold = parquetEngine.duckdbBytes;
    try {
      parquetEngine.duckdbBytes = bytes.length;
      expect(isPushdown(await open())).toBe(true);
      expect(isPushdown(await open('memory'))).toBe(false);
      expect(await metricsOf(projectWith('parquet', 'responses.parquet', bytes))).toBe(reference);
      // a damaged file past the threshold: the reader in memory gives its located error, as for a small one
      const damaged = makeProject({ 'f.parquet': 'x'.repeat(bytes.length + 10) });
      await expect(loadSource('survey', { type: 'parquet', path: join(damaged, 'f.parquet') } as never, damaged)).rejects.toThrow(/^source "survey": not a readable Parquet file/);
    } finally {
      parquetEngine.duckdbBytes = threshold;
    }
    // asked for DuckDB, a damaged file is a located data error
    const damaged = makeProject({ 'f.parquet': 'not parquet' });
    const error = await loadSource('survey', { type: 'parquet', path: join(damaged, 'f.parquet'), engine: 'duckdb' } as never, damaged).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CxError);
    expect((error as CxError).kind).toBe('data');
    expect((error as CxError).message).toMatch(/^source "survey": /);
  });
  it('Arrow IPC (written by Arquero)', async () => {
    const table = aq.table(Object.fromEntries(SURVEY_HEADER.map((name) => [name, objects.map((o) => asText(o[name]))])));
    expect(await metricsOf(projectWith('arrow', 'responses.arrow', table.toArrowIPC()))).toBe(reference);
  });
});

describe('DuckDB source', () => {
  function duckProject(query: string, files: Record<string, string | Uint8Array>) {
    const config = SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', `responses: { type: duckdb, query: ${JSON.stringify(query)} }`);
    const dir = makeProject({ 'cxreport.yaml': config });
    mkdirSync(join(dir, 'data'), { recursive: true });
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }
  let reference: string;
  beforeAll(async () => {
    reference = await metricsOf(projectWith('csv', 'responses.csv', csv(SURVEY_HEADER, rows)));
  });
  it('a query over a Parquet file (path relative to the config) gives the same metrics.json as CSV', async () => {
    const buffer = parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: objects.map((o) => asText(o[name])), type: 'STRING' as const })) });
    const dir = duckProject("select * from read_parquet('data/responses.parquet')", { 'data/responses.parquet': new Uint8Array(buffer) });
    expect(await metricsOf(dir)).toBe(reference);
  });
  it('a query over the CSV, all columns read as text, gives the same metrics.json', async () => {
    const dir = duckProject("select * from read_csv('data/responses.csv', all_varchar = true)", { 'data/responses.csv': csv(SURVEY_HEADER, rows) });
    expect(await metricsOf(dir)).toBe(reference);
  });
  it('a failing query is a clear data error', async () => {
    const dir = duckProject('select * from missing_table', {});
    await expect(metricsOf(dir)).rejects.toThrow(/^source "responses": the DuckDB query failed: Catalog Error/);
  });
});

describe('CSV details', () => {
  it('UTF-8 BOM, semicolons, quoted line breaks and declared string columns', async () => {
    const dir = makeProject({ 'd.csv': '\uFEFFid;zip;comment\n1;01234;"two\nlines; and a ""quote"""\n2;99999;plain\n' });
    const t = await loadSource('s', { type: 'csv', path: join(dir, 'd.csv'), delimiter: ';', encoding: 'utf8', columns: { zip: 'string' } }, dir);
    expect(t.columns).toEqual([{ name: 'id', type: 'number' }, { name: 'zip', type: 'string' }, { name: 'comment', type: 'string' }]);
    expect(t.table.array('zip')).toEqual(['01234', '99999']);
    expect(t.table.array('comment')[0]).toBe('two\nlines; and a "quote"');
  });
  it('a ragged row names its line', async () => {
    const dir = makeProject({ 'd.csv': 'a,b\n1,2\n3\n' });
    await expect(loadSource('s', { type: 'csv', path: join(dir, 'd.csv'), delimiter: ',', encoding: 'utf8' }, dir)).rejects.toMatchObject({ location: { file: 'd.csv', line: 3 } });
  });
  it('counts lines itself: blank lines skipped but counted, quoted line breaks (LF and CRLF) counted, CRLF rows', async () => {
    // line 1 header, 2 row, 3–4 blank, 5–6 a quoted LF break, 7–8 a quoted CRLF break, 9 blank, 10 the ragged row
    const text = 'a,b\r\n1,2\r\n\r\n\r\n3,"x\ny"\r\n4,"p\r\nq"\r\n\r\n5\r\n';
    const dir = makeProject({ 'd.csv': text, 'ok.csv': text.replace('5\r\n', '5,6\r\n') });
    await expect(loadSource('s', { type: 'csv', path: join(dir, 'd.csv'), delimiter: ',', encoding: 'utf8' }, dir)).rejects.toMatchObject({ location: { file: 'd.csv', line: 10 } });
    const t = await loadSource('s', { type: 'csv', path: join(dir, 'ok.csv'), delimiter: ',', encoding: 'utf8' }, dir);
    expect(t.table.array('a')).toEqual([1, 3, 4, 5]);
    expect(t.table.array('b')).toEqual(['2', 'x\ny', 'p\r\nq', '6']);
  });
});

describe('clear errors for bad files', () => {
  const load = async (type: 'json' | 'ndjson' | 'parquet' | 'arrow', content: string, records?: string) => {
    const dir = makeProject({ [`f.${type}`]: content });
    try {
      await loadSource('survey', { type, path: join(dir, `f.${type}`), records } as never, dir);
    } catch (error) {
      expect(error).toBeInstanceOf(CxError);
      return error as CxError;
    }
    throw new Error('expected an error');
  };
  it('malformed NDJSON names the line', async () => {
    const e = await load('ndjson', '{"a":1}\n{"a":2\n');
    expect(e.message).toMatch(/^source "survey": malformed JSON on line 2/);
    expect(e.location).toMatchObject({ file: 'f.ndjson', line: 2 });
  });
  it('a JSON document that is not an array says how to point at the rows', async () => {
    const e = await load('json', '{"data": {"items": []}}');
    expect(e.message).toBe('source "survey": the document is not an array of rows');
    expect(e.hint).toContain('records: data.items');
  });
  it('an empty source', async () => {
    expect((await load('json', '[]')).message).toBe('source "survey": no data rows');
  });
  it('a file that is not Parquet or Arrow', async () => {
    expect((await load('parquet', 'not parquet')).message).toMatch(/^source "survey": not a readable Parquet file/);
    expect((await load('arrow', 'not arrow')).message).toMatch(/^source "survey": not a readable Arrow IPC file/);
  });
  it('a missing file', async () => {
    const dir = makeProject({});
    await expect(loadSource('survey', { type: 'parquet', path: join(dir, 'missing.parquet') }, dir)).rejects.toThrow('source "survey": file not found: missing.parquet');
  });
});

describe('on_invalid', () => {
  it('error: the build stops at the first invalid row with file:row column: value — reason', async () => {
    const dir = projectWith('csv', 'responses.csv', csv(SURVEY_HEADER, rows), ', on_invalid: error');
    const { main } = await import('../src/cli/main.js');
    let err = '';
    const code = await main(['build', '--format', 'html'], { stdout: () => {}, stderr: (t) => void (err += t), env: {}, cwd: dir });
    expect(code).toBe(1);
    // line 21 of the fixture (the header is line 1) is the first invalid row: an empty nps_score in October
    expect(err.split('\n')[1]).toBe('data/responses.csv:21 nps_score: empty — missing score (valid: integers 0–10)');
    expect(err).toContain('hint: metric "nps" rejects this row because source "responses" has on_invalid: error');
  });
  it('exclude (the default) counts the same rows instead', async () => {
    const dir = projectWith('csv', 'responses.csv', csv(SURVEY_HEADER, rows), ', on_invalid: exclude');
    const metrics = JSON.parse(await metricsOf(dir));
    expect(metrics.metrics.nps.excluded).toBe(4);
  });
});
