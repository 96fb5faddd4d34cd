/**
 * Excel sources. The workbooks are written by an independent implementation — Python's openpyxl
 * (Debian's python3-openpyxl, installed by scripts/setup.sh) — never by the library cxreport reads
 * them with. Formula cells get their cached value patched into the sheet XML, as Excel saves it
 * (openpyxl does not evaluate formulas).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceDef } from '../src/app/schema.js';
import { CxError } from '../src/kernel/errors.js';
import { ROW } from '../src/sources/columns.js';
import { loadSource } from '../src/sources/index.js';
import { loadXlsx, MAX_XLSX_BYTES, type XlsxOptions } from '../src/sources/xlsx.js';

const PYTHON = '/usr/bin/python3';
const BIN = resolve(__dirname, '..', 'bin', 'cxreport.js');

const hasOpenpyxl = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import openpyxl'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A cell as the Python writer understands it. */
type Cell = string | number | boolean | null | { date: string } | { datetime: string } | { formula: string; cached: number | string };
interface SheetSpec {
  title: string;
  rows: Cell[][];
}

const WRITER = String.raw`
import datetime, json, re, sys, zipfile
import openpyxl

spec = json.load(open(sys.argv[1]))
wb = openpyxl.Workbook()
wb.remove(wb.active)
cached = {}  # sheet number -> {cell ref: cached value}
for number, sheet in enumerate(spec["sheets"], start=1):
    ws = wb.create_sheet(sheet["title"])
    for r, row in enumerate(sheet["rows"], start=1):
        for c, v in enumerate(row, start=1):
            if v is None:
                continue
            if isinstance(v, dict):
                if "date" in v:
                    v = datetime.date.fromisoformat(v["date"])
                elif "datetime" in v:
                    v = datetime.datetime.fromisoformat(v["datetime"])
                else:
                    cached.setdefault(number, {})[ws.cell(row=r, column=c).coordinate] = v["cached"]
                    v = "=" + v["formula"]
            ws.cell(row=r, column=c, value=v)
wb.save(spec["path"])

# Excel saves each formula with its last value; openpyxl leaves it empty, so patch it in.
if cached:
    with zipfile.ZipFile(spec["path"]) as z:
        entries = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(spec["path"], "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in entries:
            m = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if m and int(m.group(1)) in cached:
                xml = data.decode("utf8")
                for ref, value in cached[int(m.group(1))].items():
                    text = "str" if isinstance(value, str) else None
                    pattern = r'<c r="%s"([^>]*)><f>(.*?)</f><v\s*/>|<c r="%s"([^>]*)><f>(.*?)</f><v></v>' % (ref, ref)
                    def repl(mm, value=value, ref=ref, text=text):
                        attrs = mm.group(1) if mm.group(1) is not None else mm.group(3)
                        formula = mm.group(2) if mm.group(2) is not None else mm.group(4)
                        if text:
                            attrs = re.sub(r'\s*t="[^"]*"', "", attrs) + ' t="str"'
                        return '<c r="%s"%s><f>%s</f><v>%s</v>' % (ref, attrs, formula, value)
                    xml, n = re.subn(pattern, repl, xml)
                    assert n == 1, (ref, xml)
                data = xml.encode("utf8")
            z.writestr(info, data)
`;

let scratch: string | undefined;
/** Writes a workbook with openpyxl; returns its path. */
function workbook(dir: string, file: string, sheets: SheetSpec[]): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'cxreport-xlsx-writer-'));
  const script = join(scratch, 'write_xlsx.py');
  writeFileSync(script, WRITER);
  const path = join(dir, file);
  mkdirSync(dirname(path), { recursive: true });
  const specFile = join(scratch, `spec-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(specFile, JSON.stringify({ path, sheets }));
  execFileSync(PYTHON, [script, specFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  return path;
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'cxreport-xlsx-'));

/** Column values of a loaded table, by name. */
async function load(options: Omit<XlsxOptions, 'name'>) {
  const source = await loadXlsx({ name: 'responses', ...options });
  const col = (n: string) => Array.from(source.table.array(n) as ArrayLike<unknown>);
  return { source, col, names: source.columns.map((c) => c.name) };
}

async function failure(promise: Promise<unknown>): Promise<CxError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CxError);
  return error as CxError;
}

const xlsxDef = (path: string, extra: Partial<Extract<SourceDef, { type: 'xlsx' }>> = {}) => ({ type: 'xlsx', path, header_row: 1, on_invalid: 'exclude', ...extra }) as SourceDef;

const suite = hasOpenpyxl ? describe : describe.skip;

suite(hasOpenpyxl ? 'xlsx source' : 'xlsx source (skipped: python3-openpyxl not installed)', () => {
  describe('cells', () => {
    const dir = tempDir();
    const path = workbook(dir, 'cells.xlsx', [
      {
        title: 'Responses',
        rows: [
          ['id', 'score', 'ratio', 'channel', 'day', 'at', 'text_date', 'ok', 'double', 'label', 'sparse'],
          [1, 9, 0.25, 'email', { date: '2026-10-05' }, { datetime: '2026-10-05T14:30:00' }, '2026-10-05', true, { formula: 'B2*2', cached: 18 }, { formula: 'D2&"!"', cached: 'email!' }, null],
          [2, 7, 1.5, ' phone ', { date: '2026-10-06' }, { datetime: '2026-10-06T00:00:00' }, '06/10/2026', false, { formula: 'B3*2', cached: 14 }, { formula: 'D3&"!"', cached: ' phone !' }, 'x'],
        ],
      },
    ]);

    it('numbers stay numbers, text stays text, booleans stay booleans, empty cells are null', async () => {
      const { col, source } = await load({ path });
      expect(col('id')).toEqual([1, 2]);
      expect(col('score')).toEqual([9, 7]);
      expect(col('ratio')).toEqual([0.25, 1.5]);
      expect(col('channel')).toEqual(['email', ' phone ']);
      expect(col('ok')).toEqual([true, false]);
      expect(col('sparse')).toEqual([null, 'x']);
      expect(source.columns.find((c) => c.name === 'score')?.type).toBe('number');
      expect(source.rowCount).toBe(2);
    });

    it('Excel date cells become ISO dates (midnight) or naive date-times; text dates stay text', async () => {
      const { col } = await load({ path });
      expect(col('day')).toEqual(['2026-10-05', '2026-10-06']);
      expect(col('at')).toEqual(['2026-10-05T14:30:00', '2026-10-06']);
      expect(col('text_date')).toEqual(['2026-10-05', '06/10/2026']);
    });

    it('naive date-times follow `timezone:` (like csv)', async () => {
      const { col } = await load({ path, timezone: 'Europe/Berlin' });
      expect(col('at')[0]).toBe('2026-10-05T12:30:00.000Z');
      expect(col('day')[0]).toBe('2026-10-05');
    });

    it('formula cells give their cached value', async () => {
      const { col } = await load({ path });
      expect(col('double')).toEqual([18, 14]);
      expect(col('label')).toEqual(['email!', ' phone !']);
    });

    it('__row holds the spreadsheet row number', async () => {
      const { col } = await load({ path });
      expect(col(ROW)).toEqual([2, 3]);
    });

    it('declared column types apply as for the other sources', async () => {
      const { col } = await load({ path, columns: { id: 'string', score: 'integer' } });
      expect(col('id')).toEqual(['1', '2']);
      expect(col('score')).toEqual([9, 7]);
    });
  });

  describe('header row, blank rows and sheets', () => {
    const dir = tempDir();
    const path = workbook(dir, 'book.xlsx', [
      { title: 'Summary', rows: [['not', 'this'], [1, 2]] },
      {
        title: 'Responses',
        rows: [
          ['Customer survey — October export', null, null, null, null, null, 'wide title cell'],
          [null],
          ['  id ', 'score', null, 'score', 'score', 'score_2'],
          [1, 10, 'a', 5, 6, 7],
          [null, null, null, null, null, null],
          ['   ', null],
          [2, 0, 'b', 1, 2, 3],
          [null],
        ],
      },
    ]);

    it('header_row: 3 skips the title rows; names are trimmed, empty ones are column_<n>, duplicates get _2, _3…', async () => {
      const { names, col } = await load({ path, sheet: 'Responses', headerRow: 3 });
      expect(names).toEqual(['id', 'score', 'column_3', 'score_3', 'score_4', 'score_2']);
      expect(col('id')).toEqual([1, 2]);
      expect(col('score')).toEqual([10, 0]);
      expect(col('column_3')).toEqual(['a', 'b']);
      expect(col('score_3')).toEqual([5, 1]);
      expect(col('score_2')).toEqual([7, 3]);
    });

    it('blank rows are skipped and every row keeps its spreadsheet row number', async () => {
      const { col, source } = await load({ path, sheet: 'Responses', headerRow: 3 });
      expect(source.rowCount).toBe(2);
      expect(col(ROW)).toEqual([4, 7]);
    });

    it('a sheet is chosen by name or by 1-based index; the default is the first sheet', async () => {
      expect((await load({ path, sheet: 2, headerRow: 3 })).col('score')).toEqual([10, 0]);
      const first = await load({ path });
      expect(first.names).toEqual(['not', 'this']);
      expect(first.col('this')).toEqual([2]);
      expect((await load({ path, sheet: 1 })).col(ROW)).toEqual([2]);
    });

    it('through loadSource, with the config keys', async () => {
      const source = await loadSource('responses', xlsxDef(path, { sheet: 'Responses', header_row: 3 }), dir);
      expect(source.file).toBe('book.xlsx');
      expect(Array.from(source.table.array('score') as ArrayLike<unknown>)).toEqual([10, 0]);
    });
  });

  describe('errors: always a CxError with the file and a hint', () => {
    const dir = tempDir();
    const path = workbook(dir, 'data/book.xlsx', [
      { title: 'Responses', rows: [['id'], [1]] },
      { title: 'Summary', rows: [['a'], [1]] },
      { title: 'Only header', rows: [['Title'], [null], ['id', 'score']] },
      { title: 'Empty', rows: [] },
    ]);
    const at = (source: SourceDef) => failure(loadSource('responses', source, dir));
    const file = 'data/book.xlsx';

    it('file not found', async () => {
      const e = await at(xlsxDef(join(dir, 'data/missing.xlsx')));
      expect(e.message).toBe('source "responses": file not found: data/missing.xlsx');
      expect(e.location).toEqual({ file: 'data/missing.xlsx' });
      expect(e.hint).toMatch(/relative to the config file/);
    });

    it('a sheet name that does not exist: the sheet names, nearest first', async () => {
      const e = await at(xlsxDef(path, { sheet: 'Sumary' }));
      expect(e.message).toBe(`source "responses": no sheet named "Sumary" in ${file}`);
      expect(e.location).toEqual({ file });
      expect(e.hint).toBe('did you mean `Summary`? (sheets: Summary, Empty, Responses, Only header)');
    });

    it('a sheet index out of range', async () => {
      const e = await at(xlsxDef(path, { sheet: 7 }));
      expect(e.message).toBe(`source "responses": sheet 7 is out of range: ${file} has 4 sheets`);
      expect(e.location).toEqual({ file });
      expect(e.hint).toContain('from 1 to 4');
      expect(e.hint).toContain('Responses, Summary, Only header, Empty');
    });

    it('header_row beyond the last row', async () => {
      const e = await at(xlsxDef(path, { header_row: 5 }));
      expect(e.message).toBe('source "responses": header_row 5 is beyond the last row of sheet "Responses" (row 2)');
      expect(e.location).toEqual({ file });
      expect(e.hint).toContain('1–2');
    });

    it('a header row that is empty', async () => {
      const e = await at(xlsxDef(path, { sheet: 'Only header', header_row: 2 }));
      expect(e.message).toBe('source "responses": row 2 of sheet "Only header" is empty, but it should hold the column names');
      expect(e.hint).toContain('header_row');
    });

    it('a sheet with no data rows (only a header, or nothing at all)', async () => {
      const e = await at(xlsxDef(path, { sheet: 3, header_row: 3 }));
      expect(e.message).toBe('source "responses": sheet "Only header" has no data rows');
      expect(e.location).toEqual({ file });
      expect(e.hint).toContain('header_row');
      const empty = await at(xlsxDef(path, { sheet: 'Empty' }));
      expect(empty.message).toBe('source "responses": sheet "Empty" has no data rows');
      expect(empty.hint).toContain('sheet:');
    });

    const bad = (name: string, content: Buffer | string) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return xlsxDef(p);
    };

    it('a CSV renamed .xlsx', async () => {
      const e = await at(bad('renamed.xlsx', 'id,score\n1,9\n'));
      expect(e.message).toBe('source "responses": renamed.xlsx is not an Excel workbook (.xlsx): it is a text file (a CSV renamed .xlsx?)');
      expect(e.location).toEqual({ file: 'renamed.xlsx' });
      expect(e.hint).toContain('type: csv');
    });

    it('random bytes, an empty file, a damaged ZIP, a ZIP that is not a workbook', async () => {
      const random = Buffer.alloc(2048);
      let x = 12345;
      for (let i = 0; i < random.length; i++) random[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      random[0] = 0;
      const cases: [string, Buffer | string, RegExp][] = [
        ['random.xlsx', random, /is not an Excel workbook \(\.xlsx\): it is not a ZIP package/],
        ['empty.xlsx', '', /is not an Excel workbook \(\.xlsx\): the file is empty/],
        ['damaged.xlsx', Buffer.concat([Buffer.from('PK\x03\x04'), random]), /is not a readable Excel workbook \(\.xlsx\)/],
      ];
      const zipDir = tempDir();
      writeFileSync(join(zipDir, 'a.txt'), 'hello');
      execFileSync(PYTHON, ['-c', `import zipfile; z = zipfile.ZipFile(${JSON.stringify(join(dir, 'plain.xlsx'))}, "w"); z.write(${JSON.stringify(join(zipDir, 'a.txt'))}, "a.txt"); z.close()`]);
      for (const [name, content, message] of cases) {
        const e = await at(bad(name, content));
        expect(e.message, name).toMatch(message);
        expect(e.location).toEqual({ file: name });
        expect(e.hint).toMatch(/save it as "Excel Workbook \(\.xlsx\)"/);
      }
      const plain = await at(xlsxDef(join(dir, 'plain.xlsx')));
      expect(plain.message).toMatch(/^source "responses": plain.xlsx is not a readable Excel workbook \(\.xlsx\): /);
      expect(plain.location).toEqual({ file: 'plain.xlsx' });
    });

    it('a legacy .xls and a password-protected workbook (both OLE2 compound files)', async () => {
      // the compound-file signature, then directory entry names as UTF-16 (the rest of the structure does not matter here)
      const cfb = (...streams: string[]) => Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504), ...streams.map((s) => Buffer.from(s, 'utf16le')), Buffer.alloc(512)]);
      const xls = await at(bad('old.xlsx', cfb('Root Entry', 'Workbook')));
      expect(xls.message).toBe('source "responses": old.xlsx is not an Excel workbook (.xlsx): it is a legacy .xls workbook (Excel 97–2003)');
      expect(xls.hint).toContain('save it as');
      const locked = await at(bad('locked.xlsx', cfb('Root Entry', 'EncryptionInfo', 'EncryptedPackage')));
      expect(locked.message).toBe('source "responses": locked.xlsx is password-protected (encrypted)');
      expect(locked.location).toEqual({ file: 'locked.xlsx' });
      expect(locked.hint).toContain('without a password');
    });

    it('a file over 200 MB is refused before it is read', async () => {
      const big = join(dir, 'big.xlsx');
      writeFileSync(big, '');
      truncateSync(big, MAX_XLSX_BYTES + 1); // sparse: takes no disk space
      const e = await at(xlsxDef(big)).finally(() => rmSync(big));
      expect(e.message).toBe('source "responses": big.xlsx is 201 MB; an xlsx source may be at most 200 MB');
      expect(e.location).toEqual({ file: 'big.xlsx' });
      expect(e.hint).toContain('type: csv');
    });
  });

  describe('command line', () => {
    function run(args: string[], cwd: string) {
      const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    }
    const config = (source: string) => `report:
  title: Excel test
  period: { granularity: month, current: latest }
  min_sample: 3
sources:
  responses: ${source}
metrics:
  nps: { type: nps, source: responses, score: nps_score, date: submitted_at }
sections:
  - { type: kpis, metrics: [nps] }
`;
    // October: promoters 10, 9, 9, 10 (4); passives 8, 7 (2); detractors 6, 3 (2): NPS = (4 − 2) / 8 × 100 = 25
    const october = [10, 9, 9, 8, 7, 6, 3, 10];
    const september = [10, 5, 6, 9];
    function project(): string {
      const dir = tempDir();
      const rows: Cell[][] = [['Acme survey export'], [null], ['id', 'submitted_at', 'nps_score', 'comment']];
      september.forEach((s, i) => rows.push([rows.length, { datetime: `2026-09-${10 + i}T09:15:00` }, s, null]));
      rows.push([null]); // a blank row
      october.forEach((s, i) => rows.push([rows.length, { date: `2026-10-${10 + i}` }, s, i === 0 ? 'great' : null]));
      workbook(dir, 'data/responses.xlsx', [
        { title: 'Notes', rows: [['read me']] },
        { title: 'Responses', rows },
      ]);
      return dir;
    }

    it('build: an NPS metric on an xlsx source', () => {
      const dir = project();
      writeFileSync(join(dir, 'cxreport.yaml'), config('{ type: xlsx, path: data/responses.xlsx, sheet: Responses, header_row: 3 }'));
      const r = run(['build', 'cxreport.yaml', '--format', 'html', '--out', 'out'], dir);
      expect(r.stderr).not.toMatch(/error/);
      expect(r.code).toBe(0);
      const metrics = JSON.parse(readFileSync(join(dir, 'out', 'metrics.json'), 'utf8'));
      expect(metrics.period).toBe('2026-10');
      expect(metrics.metrics.nps.value).toBeCloseTo(25, 10);
      expect(metrics.metrics.nps.n).toBe(8);
      // September: promoters 10, 9; detractors 5, 6: NPS 0
      expect(metrics.metrics.nps.series.find((p: { period: string }) => p.period === '2026-09')).toMatchObject({ value: 0, n: 4 });
    });

    it('a sheet-name typo exits 1 with the located message and the nearest sheet, no stack trace', () => {
      const dir = project();
      writeFileSync(join(dir, 'cxreport.yaml'), config('{ type: xlsx, path: data/responses.xlsx, sheet: Responces, header_row: 3 }'));
      const r = run(['build', 'cxreport.yaml', '--format', 'html', '--out', 'out'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('data/responses.xlsx: data error: source "responses": no sheet named "Responces" in data/responses.xlsx');
      expect(r.stderr).toContain('hint: did you mean `Responses`? (sheets: Responses, Notes)');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });

    it('on_invalid: error names the spreadsheet row of the bad cell', () => {
      const dir = tempDir();
      writeFileSync(join(dir, 'cxreport.yaml'), config('{ type: xlsx, path: data/responses.xlsx, header_row: 3, on_invalid: error }'));
      // the header is row 3, so the data rows are 4–11; the fourth of them (row 7) holds an out-of-range score
      const rows: Cell[][] = [['Acme survey export'], [null], ['id', 'submitted_at', 'nps_score']];
      for (let i = 0; i < 8; i++) rows.push([i + 1, { date: `2026-10-${10 + i}` }, i === 3 ? 11 : 9]);
      workbook(dir, 'data/responses.xlsx', [{ title: 'Responses', rows }]);
      const r = run(['build', 'cxreport.yaml', '--format', 'html', '--out', 'out'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('data/responses.xlsx:7 nps_score: 11');
      expect(r.stderr).not.toMatch(/^\s+at /m);
    });
  });
});
