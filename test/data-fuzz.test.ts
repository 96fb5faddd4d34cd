/**
 * Issue 15: a seeded, bounded fuzzer over data files. The survey fixture written as CSV, JSON,
 * NDJSON, Parquet, Arrow and xlsx is damaged by fast-check — random bytes, truncation, stray
 * quotes, mixed delimiters, BOMs, NUL bytes, CR and CRLF line ends, ragged rows, bad UTF-8,
 * flipped and zeroed bytes of the binary formats, JSON of wrong types and deep nesting, odd dates
 * and numbers, keys like __proto__ — and `cxreport validate` runs in-process through the CLI's
 * `main` (loading, preparing and computing every metric of the report period). A few fixed large
 * cases run once: a 17 MB field, 100,000 columns, a 1 MB line, nesting 100,000 deep, 5 MB of
 * random bytes. Some runs that validate also build the HTML and notebook (rendering).
 *
 * Every case must end in exit 0 or 1 within the time limit, with no stack trace and no "internal
 * error"; exit 1 must be a located message (it names the data file, the config line of the column
 * a metric reads, or the config when no metric has a valid row at all). CXREPORT_FUZZ_RUNS=n multiplies the runs (the full audit: n = 4),
 * CXREPORT_FUZZ_SEED=s changes the seed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aq from 'arquero';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { parquetLimits } from '../src/sources/parquet.js';
import { csv, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyRows } from './project.js';

const SEED = Number(process.env.CXREPORT_FUZZ_SEED ?? 15);
const SCALE = Number(process.env.CXREPORT_FUZZ_RUNS ?? 1);
/** A case that runs longer than this has hung. */
const CASE_LIMIT_MS = 30_000;

type Format = 'csv' | 'json' | 'ndjson' | 'parquet' | 'arrow' | 'xlsx';
interface Case {
  format: Format;
  what: string;
  bytes: Uint8Array;
  records?: string;
}

const enc = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));
const cat = (...parts: (Uint8Array | string)[]) => new Uint8Array(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));

// ------------------------------------------------------------------ the undamaged files

const rows = surveyRows();
const objects = rows.map((r) => Object.fromEntries(SURVEY_HEADER.map((h, j) => [h, r[j] === '' ? null : r[j]])));
const asText = (v: unknown) => (v === null || v === undefined ? null : String(v));
const BASE: Record<Format, Uint8Array> = {
  csv: enc(csv(SURVEY_HEADER, rows)),
  json: enc(JSON.stringify(objects)),
  ndjson: enc(`${objects.map((o) => JSON.stringify(o)).join('\n')}\n`),
  parquet: new Uint8Array(parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: objects.map((o) => asText(o[name])), type: 'STRING' as const })) })),
  arrow: aq.from(objects.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asText(v)])))).toArrowIPC() as Uint8Array,
  xlsx: new Uint8Array(),
};

/** The survey as an .xlsx written by openpyxl (independent of the reader); none without it. */
function xlsxBase(dir: string): Uint8Array {
  const path = join(dir, 'base.xlsx');
  const spec = join(dir, 'rows.json');
  writeFileSync(spec, JSON.stringify({ path, rows: [SURVEY_HEADER, ...rows] }));
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import json,sys,openpyxl\ns=json.load(open(sys.argv[1]))\nwb=openpyxl.Workbook()\nws=wb.active\nws.title="Sheet1"\nfor r in s["rows"]: ws.append(r)\nwb.save(s["path"])', spec], { stdio: 'ignore' });
    return new Uint8Array(readFileSync(path));
  } catch {
    return new Uint8Array();
  }
}

// ------------------------------------------------------------------ damage

const text = (f: Format) => Buffer.from(BASE[f]).toString('utf8');
const at = (n: number, length: number) => (length === 0 ? 0 : n % (length + 1));
const insert = (bytes: Uint8Array, pos: number, add: Uint8Array | string) => cat(bytes.slice(0, at(pos, bytes.length)), add, bytes.slice(at(pos, bytes.length)));
const lines = (f: Format) => text(f).replace(/\n$/, '').split('\n');

const BOMS = [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], [0x00, 0x00, 0xfe, 0xff]].map((b) => new Uint8Array(b));
const BAD_UTF8 = [[0xc3, 0x28], [0xff], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80], [0xc0, 0xaf]].map((b) => new Uint8Array(b));
const ODD_DATES = ['0000-00-00', '9999-99-99T99:99:99Z', '2026-02-30', '2026-10-01T25:00:00Z', '1e9', '-1', '', ' ', 'NaN', '0001-01-01', '275760-09-13', '2026-10-01T12:30:00+99:00', '10/01/2026', '2026-W40', '\u0000'];
const ODD_NUMBERS = ['NaN', 'Infinity', '-Infinity', '1e309', '-0', '0x10', '1,5', '١٠', '10 ', ' 9', '+7', '9.999999999999999999', '', '""', '\u00a010'];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', '', ' ', 'toString', 'hasOwnProperty', 'nps_score', 'a.b', '0'];

/** Small and medium damage, one format at a time. */
const damaged: fc.Arbitrary<Case> = fc.oneof(
  // any format: random bytes, truncation, flipped, zeroed, inserted bytes
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'), bytes: fc.uint8Array({ maxLength: 2048 }) }).map(({ format, bytes }) => ({ format, what: 'random bytes', bytes })),
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'), n: fc.nat() }).map(({ format, n }) => ({ format, what: `truncated at ${at(n, BASE[format].length)}`, bytes: BASE[format].slice(0, at(n, BASE[format].length)) })),
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }) }).map(({ format, flips }) => {
    const bytes = BASE[format].slice();
    for (const [p, x] of flips) if (bytes.length) bytes[p % bytes.length] ^= x;
    return { format, what: `${flips.length} bytes flipped`, bytes };
  }),
  fc.record({ format: fc.constantFrom<Format>('parquet', 'arrow', 'xlsx'), from: fc.nat(), length: fc.integer({ min: 1, max: 512 }) }).map(({ format, from, length }) => {
    const bytes = BASE[format].slice();
    bytes.fill(0, from % Math.max(1, bytes.length), (from % Math.max(1, bytes.length)) + length);
    return { format, what: `${length} bytes zeroed`, bytes };
  }),
  fc.record({ format: fc.constantFrom<Format>('parquet', 'arrow', 'xlsx'), garbage: fc.uint8Array({ minLength: 1, maxLength: 64 }), where: fc.constantFrom('start', 'end', 'middle') }).map(({ format, garbage, where }) => ({
    format,
    what: `garbage at the ${where}`,
    bytes: where === 'start' ? cat(garbage, BASE[format]) : where === 'end' ? cat(BASE[format], garbage) : insert(BASE[format], BASE[format].length >> 1, garbage),
  })),
  // text formats: BOMs, NUL bytes, bad UTF-8, line ends
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson'), bom: fc.constantFrom(...BOMS) }).map(({ format, bom }) => ({ format, what: `BOM ${Buffer.from(bom).toString('hex')}`, bytes: cat(bom, BASE[format]) })),
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson'), pos: fc.nat() }).map(({ format, pos }) => ({ format, what: 'a NUL byte', bytes: insert(BASE[format], pos, new Uint8Array([0])) })),
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson'), pos: fc.nat(), bad: fc.constantFrom(...BAD_UTF8) }).map(({ format, pos, bad }) => ({ format, what: `bad UTF-8 ${Buffer.from(bad).toString('hex')}`, bytes: insert(BASE[format], pos, bad) })),
  fc.record({ format: fc.constantFrom<Format>('csv', 'ndjson'), end: fc.constantFrom('\r\n', '\r', '\n\n', '\r\r\n', '\u2028') }).map(({ format, end }) => ({ format, what: `line ends ${JSON.stringify(end)}`, bytes: enc(lines(format).join(end)) })),
  // CSV: quotes, delimiters, ragged rows, headers
  fc.record({ pos: fc.nat(), quote: fc.constantFrom('"', '""', '"\n', '\\"', '"x"y') }).map(({ pos, quote }) => ({ format: 'csv' as const, what: `stray ${JSON.stringify(quote)}`, bytes: insert(BASE.csv, pos, quote) })),
  fc.record({ delimiter: fc.constantFrom(';', '\t', '|', ' '), share: fc.integer({ min: 1, max: 10 }), seed: fc.nat() }).map(({ delimiter, share, seed }) => ({
    format: 'csv' as const,
    what: `${share}/10 of the lines with ${JSON.stringify(delimiter)}`,
    bytes: enc(lines('csv').map((l, i) => ((i * 7 + seed) % 10 < share ? l.replaceAll(',', delimiter) : l)).join('\n')),
  })),
  fc.record({ changes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: -5, max: 5 })), { minLength: 1, maxLength: 6 }) }).map(({ changes }) => {
    const ls = lines('csv');
    for (const [i, d] of changes) {
      const j = i % ls.length;
      ls[j] = d >= 0 ? ls[j] + ','.repeat(d) + (d ? 'extra' : '') : ls[j].split(',').slice(0, d).join(',');
    }
    return { format: 'csv' as const, what: 'ragged rows', bytes: enc(ls.join('\n')) };
  }),
  fc.constantFrom<Case>(
    { format: 'csv', what: 'header only', bytes: enc(`${SURVEY_HEADER.join(',')}\n`) },
    { format: 'csv', what: 'header only, no line end', bytes: enc(SURVEY_HEADER.join(',')) },
    { format: 'csv', what: 'empty', bytes: new Uint8Array() },
    { format: 'csv', what: 'one blank line', bytes: enc('\n') },
    { format: 'csv', what: 'duplicate header names', bytes: enc(text('csv').replace('channel,region', 'channel,channel')) },
    { format: 'csv', what: 'empty header names', bytes: enc(text('csv').replace('channel,region', ',')) },
    { format: 'csv', what: 'header of quotes', bytes: enc(text('csv').replace(/^[^\n]*/, SURVEY_HEADER.map((h) => `"${h}"""`).join(','))) },
    { format: 'csv', what: 'only the delimiter', bytes: enc(',,,,,,,\n,,,,,,,\n') },
    { format: 'json', what: 'empty array', bytes: enc('[]') },
    { format: 'json', what: 'empty file', bytes: new Uint8Array() },
    { format: 'ndjson', what: 'blank lines only', bytes: enc('\n \n\t\n') },
  ),
  // values: odd dates and numbers in every format that carries text
  fc.record({ format: fc.constantFrom<Format>('csv', 'json', 'ndjson', 'parquet', 'arrow'), column: fc.constantFrom('submitted_at', 'nps_score', 'csat', 'ces', 'channel', 'id'), value: fc.constantFrom(...ODD_DATES, ...ODD_NUMBERS), share: fc.integer({ min: 1, max: 10 }) }).map(({ format, column, value, share }) => {
    const changed = objects.map((o, i) => (i % 10 < share ? { ...o, [column]: value } : o));
    return { format, what: `${column} = ${JSON.stringify(value)} in ${share}/10 of the rows`, bytes: encodeRows(format, changed) };
  }),
  // JSON and NDJSON: wrong types, odd keys, records paths
  fc.record({ format: fc.constantFrom<Format>('json', 'ndjson'), value: fc.constantFrom<unknown>(0, -1, 1e308, 'text', true, null, [], {}, [1, 2], { a: { b: { c: 1 } } }, '9'.repeat(400), Number.MAX_SAFE_INTEGER + 2), column: fc.constantFrom('submitted_at', 'nps_score', 'channel', 'comment') }).map(({ format, value, column }) => ({
    format,
    what: `${column} = ${JSON.stringify(value).slice(0, 40)}`,
    bytes: encodeRows(format, objects.map((o, i) => (i % 3 === 0 ? { ...o, [column]: value } : o))),
  })),
  fc.record({ format: fc.constantFrom<Format>('json', 'ndjson'), top: fc.constantFrom<unknown>(1, 'rows', null, true, { rows: [] }, [1, 2, 3], ['a'], [null], [[1, 2]], [{}]) }).map(({ format, top }) => ({
    format,
    what: `document ${JSON.stringify(top)}`,
    bytes: format === 'json' ? enc(JSON.stringify(top)) : enc(`${(Array.isArray(top) ? top : [top]).map((t) => JSON.stringify(t)).join('\n')}\n`),
  })),
  fc.record({ format: fc.constantFrom<Format>('json', 'ndjson'), key: fc.constantFrom(...ODD_KEYS) }).map(({ format, key }) => ({
    format,
    what: `key ${JSON.stringify(key)}`,
    bytes: format === 'json' ? enc(`[${objects.map((o) => JSON.stringify(o).replace('{', `{${JSON.stringify(key)}:{"polluted":1},`)).join(',')}]`) : enc(objects.map((o) => JSON.stringify(o).replace('{', `{${JSON.stringify(key)}:{"polluted":1},`)).join('\n')),
  })),
  fc.record({ records: fc.constantFrom('data.items', 'data', '__proto__', 'constructor.prototype', '0', 'a..b', ''), shape: fc.constantFrom('nested', 'flat', 'string') }).map(({ records, shape }) => ({
    format: 'json' as const,
    what: `records: ${records} over a ${shape} document`,
    records: records || undefined,
    bytes: enc(shape === 'nested' ? JSON.stringify({ data: { items: objects } }) : shape === 'flat' ? JSON.stringify(objects) : JSON.stringify({ data: 'items' })),
  })),
  fc.record({ format: fc.constantFrom<Format>('json', 'ndjson'), depth: fc.integer({ min: 10, max: 5000 }) }).map(({ format, depth }) => {
    const deep = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
    return { format, what: `a value nested ${depth} deep`, bytes: format === 'json' ? enc(`[{"id":1,"submitted_at":"2026-10-02","nps_score":${deep}}]`) : enc(`{"id":1,"submitted_at":"2026-10-02","nps_score":${deep}}\n`) };
  }),
);

function encodeRows(format: Format, list: Record<string, unknown>[]): Uint8Array {
  switch (format) {
    case 'csv':
      return enc(csv(SURVEY_HEADER, list.map((o) => SURVEY_HEADER.map((h) => (o[h] === null || o[h] === undefined ? null : String(o[h]))))));
    case 'json':
      return enc(JSON.stringify(list));
    case 'ndjson':
      return enc(list.map((o) => JSON.stringify(o)).join('\n'));
    case 'parquet':
      return new Uint8Array(parquetWriteBuffer({ columnData: SURVEY_HEADER.map((name) => ({ name, data: list.map((o) => asText(o[name])), type: 'STRING' as const })) }));
    default:
      return aq.from(list.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, asText(v)])))).toArrowIPC() as Uint8Array;
  }
}

/** Large cases, once each: sizes where a reader could hang, overflow its stack or fill memory. */
function largeCases(): Case[] {
  const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const wide = 100_000;
  return [
    { format: 'csv', what: 'a 17 MB field (over the 16 MB record limit)', bytes: enc(text('csv').replace('Love it', 'x'.repeat(17 * 1024 * 1024))) },
    { format: 'csv', what: 'a 17 MB unclosed quote', bytes: cat(BASE.csv, '1,2026-10-02,email,EMEA,9,5,7,"', 'y'.repeat(17 * 1024 * 1024)) },
    { format: 'csv', what: '100,000 columns', bytes: enc(`${Array.from({ length: wide }, (_, i) => (i < SURVEY_HEADER.length ? SURVEY_HEADER[i] : `c${i}`)).join(',')}\n${Array.from({ length: wide }, (_, i) => (i === 1 ? '2026-10-02T10:00:00Z' : i < 7 && i > 3 ? '5' : 'v')).join(',')}\n`) },
    { format: 'csv', what: 'a 1 MB line without a line end', bytes: cat(BASE.csv, 'z'.repeat(1024 * 1024)) },
    { format: 'csv', what: '5 MB of random bytes', bytes: new Uint8Array(Array.from({ length: 5 * 1024 * 1024 }, (_, i) => (i * 2654435761) >>> 24)) },
    { format: 'json', what: 'nesting 100,000 deep', bytes: enc(deep(100_000)) },
    { format: 'json', what: 'a value nested 100,000 deep', bytes: enc(`[{"id":1,"submitted_at":"2026-10-02","nps_score":${deep(100_000)}}]`) },
    { format: 'ndjson', what: 'a line nested 100,000 deep', bytes: enc(`{"id":1,"submitted_at":"2026-10-02","nps_score":${deep(100_000)}}\n`) },
    { format: 'json', what: '50,000 keys in one row', bytes: enc(`[{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')}}]`) },
    { format: 'parquet', what: 'the footer length pointing past the start', bytes: (() => { const b = BASE.parquet.slice(); new DataView(b.buffer).setUint32(b.length - 8, 0x7fffffff, true); return b; })() },
    { format: 'parquet', what: 'only the magic bytes', bytes: enc('PAR1PAR1') },
  ];
}

// ------------------------------------------------------------------ running a case

const EXT: Record<Format, string> = { csv: 'csv', json: 'json', ndjson: 'ndjson', parquet: 'parquet', arrow: 'arrow', xlsx: 'xlsx' };

interface Outcome {
  code: number;
  stderr: string;
  ms: number;
}

async function runCase(dir: string, c: Case, command: string[] = ['validate', 'cxreport.yaml', '--quiet']): Promise<Outcome> {
  const file = `data/responses.${EXT[c.format]}`;
  writeFileSync(join(dir, file), c.bytes);
  writeFileSync(join(dir, 'cxreport.yaml'), SURVEY_CONFIG.replace('responses: { type: csv, path: data/responses.csv }', `responses: { type: ${c.format}, path: ${file}${c.records ? `, records: "${c.records}"` : ''} }`));
  let stderr = '';
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<number>((_, fail) => {
    timer = setTimeout(() => fail(new Error(`hung: ${c.format}, ${c.what} ran past ${CASE_LIMIT_MS / 1000} s`)), CASE_LIMIT_MS);
  });
  try {
    const code = await Promise.race([main(command, { stdout: () => undefined, stderr: (t) => void (stderr += t), env: { PATH: process.env.PATH }, cwd: dir }), hang]);
    return { code, stderr, ms: performance.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

function check(c: Case, o: Outcome): void {
  const label = `${c.format}, ${c.what}: exit ${o.code}\n${o.stderr.slice(0, 1500)}`;
  expect(o.stderr, label).not.toMatch(/^\s+at /m);
  expect(o.stderr, label).not.toContain('internal error');
  expect([0, 1], label).toContain(o.code);
  // located: the message names the data file (with a line or row where there is one), the config
  // line of the column a metric reads, or — when no row of any metric is valid — the config itself
  if (o.code === 1) expect(o.stderr, label).toMatch(new RegExp(`(^|\\n)(data/responses\\.${EXT[c.format]}|cxreport\\.yaml(:\\d+:\\d+)?)[: ]`));
}

describe('data-file fuzzer (seeded, bounded): never exit 3, a stack trace or a hang; errors name the file', () => {
  const dir = makeProject({});
  mkdirSync(join(dir, 'data'), { recursive: true });
  const tally = { cases: 0, ok: 0, error: 0, built: 0, slowest: 0, byFormat: {} as Record<string, number> };
  const count = (c: Case, o: Outcome) => {
    tally.cases++;
    tally[o.code === 0 ? 'ok' : 'error']++;
    tally.byFormat[c.format] = (tally.byFormat[c.format] ?? 0) + 1;
    tally.slowest = Math.max(tally.slowest, o.ms);
  };

  beforeAll(() => {
    // a Parquet read that stalls (hyparquet loops on some damaged pages) is stopped sooner than in a build
    parquetLimits.stallMs = 3_000;
    BASE.xlsx = xlsxBase(mkdtempSync(join(tmpdir(), 'cxreport-fuzz-xlsx-')));
  });
  afterAll(() => {
    parquetLimits.stallMs = 20_000;
    rmSync(dir, { recursive: true, force: true });
    // the measured numbers for docs/reliability.md
    console.log(`data fuzzer: ${tally.cases} files (${JSON.stringify(tally.byFormat)}), ${tally.ok} valid, ${tally.error} located errors, ${tally.built} also built; slowest ${Math.round(tally.slowest)} ms`);
  });

  it('the undamaged files validate', async () => {
    for (const format of Object.keys(BASE) as Format[]) {
      if (BASE[format].length === 0) continue; // xlsx without openpyxl
      const o = await runCase(dir, { format, what: 'undamaged', bytes: BASE[format] });
      expect(o.stderr, format).toBe('');
      expect(o.code, format).toBe(0);
    }
  });

  it('damaged files', async () => {
    let builds = 0;
    await fc.assert(
      fc.asyncProperty(damaged, fc.nat(), async (c, n) => {
        if (c.format === 'xlsx' && BASE.xlsx.length === 0) return; // no openpyxl: xlsx cases are skipped
        const o = await runCase(dir, c);
        check(c, o);
        count(c, o);
        // some valid ones are rendered too (HTML and notebook): what only drawing meets
        if (o.code === 0 && builds < 10 * SCALE && n % 4 === 0) {
          builds++;
          const b = await runCase(dir, c, ['build', 'cxreport.yaml', '--format', 'html,ipynb', '--out', 'out', '--quiet']);
          check(c, b);
          tally.built++;
        }
      }),
      { numRuns: 240 * SCALE, seed: SEED, endOnFailure: true },
    );
  }, 600_000);

  it('large files, once each', async () => {
    for (const c of largeCases()) {
      const o = await runCase(dir, c);
      check(c, o);
      count(c, o);
    }
  }, 300_000);
});
