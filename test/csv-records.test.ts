/**
 * The fast record splitter (src/sources/csv-records.ts) against csv-parse with the options csv.ts
 * gives it: on generated text — quotes, doubled quotes, every kind of line break, mixed ones,
 * empty lines, non-ASCII text — cut into chunks at random places, the splitter gives exactly
 * csv-parse's records, or gives up exactly where csv-parse fails.
 */
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CxError } from '../src/kernel/errors.js';
import { csvReader, loadCsv, parseCsv } from '../src/sources/csv.js';
import { GiveUp, RecordSplitter, splitRecords } from '../src/sources/csv-records.js';
import { sniffDelimiter } from '../src/sources/csv.js';
import { describeShared, sharedDataDir } from './shared-data.js';

const options = (delimiter: string) => ({ delimiter, skip_empty_lines: false, relax_quotes: false, relax_column_count: true });

type Outcome = { records: string[][] } | { fails: true };

function csvParse(text: string, delimiter: string): Outcome {
  try {
    return { records: parse(text, options(delimiter)) as string[][] };
  } catch {
    return { fails: true };
  }
}

function split(chunks: string[], delimiter: string): Outcome & { breaks?: boolean[] } {
  const records: string[][] = [];
  const breaks: boolean[] = [];
  const splitter = new RecordSplitter(delimiter, (fields, lineBreaks) => {
    records.push(fields);
    breaks.push(lineBreaks);
  });
  try {
    for (const chunk of chunks) splitter.push(chunk);
    splitter.end();
  } catch (error) {
    if (error instanceof GiveUp) return { fails: true };
    throw error;
  }
  return { records, breaks };
}

/** The text cut at the given positions. */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((p) => p % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(text.slice(from, p));
    from = p;
  }
  chunks.push(text.slice(from));
  return chunks;
}

const piece = fc.constantFrom('a', 'bc', ',', ';', '\t', '"', '""', '\r', '\n', '\r\n', ' ', 'é', '😀', '"x"', '"y,z"', '"\n"', '');

describe('the fast CSV record splitter gives csv-parse\'s records', () => {
  for (const delimiter of [',', ';', '\t']) {
    it(`on generated text cut anywhere (delimiter ${JSON.stringify(delimiter)})`, () => {
      let agreed = 0;
      let failedBoth = 0;
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 }), (pieces, at) => {
          const text = pieces.join('');
          const expected = csvParse(text, delimiter);
          const actual = split(cut(text, at), delimiter);
          if ('fails' in expected) {
            expect(actual, JSON.stringify(text)).toEqual({ fails: true });
            failedBoth++;
          } else {
            expect('records' in actual && actual.records, JSON.stringify(text)).toEqual(expected.records);
            // the line-break flag is right for every record (the reader counts lines by it)
            const breaks = expected.records.map((r) => r.some((f) => f.includes('\n') || f.includes('\r')));
            expect((actual as { breaks: boolean[] }).breaks).toEqual(breaks);
            agreed++;
          }
        }),
        { seed: 20261207, numRuns: 3000 },
      );
      // both kinds of text were generated
      expect(agreed).toBeGreaterThan(300);
      expect(failedBoth).toBeGreaterThan(300);
    });
  }

  it('cases by hand: mixed line breaks, quotes at the end, empty lines and fields', () => {
    const cases = [
      'a,b\r\nc,d\ne,f\r\n', // \r\n decides: the lone \n is text
      'a,b\nc\r,d\n', // \n decides: the \r is text
      'a,b\rc,d\r', // old Mac
      '"a""b",c\n""\n\n,\n', // doubled quotes, an empty quoted field, an empty line, two empty fields
      'x,"multi\nline"\r\ny,z', // a quoted line break; no break at the end
      'a,b,', // a delimiter at the very end
      '"a"', // one quoted field, no break
      '', // nothing
      '\n\n', // two empty lines
    ];
    for (const text of cases) {
      const expected = csvParse(text, ',');
      for (let at = 0; at <= text.length; at++) expect(split([text.slice(0, at), text.slice(at)], ','), `${JSON.stringify(text)} cut at ${at}`).toMatchObject(expected);
    }
    for (const bad of ['a,b"c\n', '"a"b,c\n', '"open\n', 'a,"b"\r\nc,"d"\ne\r\n']) {
      expect(csvParse(bad, ','), bad).toEqual({ fails: true });
      expect(split([bad], ','), bad).toEqual({ fails: true });
    }
  });

  it('a record longer than the limit is left to csv-parse; a long quoted field in small chunks is not scanned again for each', () => {
    expect(() => splitRecords(`a,"${'x'.repeat(100)}"\n`, ',', () => undefined, 50)).toThrow(GiveUp);
    expect(() => splitRecords(`a,${'x'.repeat(100)}\n`, ',', () => undefined, 50)).toThrow(GiveUp);
    const long = 'y'.repeat(4_000_000);
    const text = `id,text\n1,"${long}"\n2,b\n`;
    const records: string[][] = [];
    const splitter = new RecordSplitter(',', (fields) => records.push(fields));
    // 64 KB chunks, as files are read
    for (let i = 0; i < text.length; i += 65536) splitter.push(text.slice(i, i + 65536));
    splitter.end();
    expect(records).toEqual([['id', 'text'], ['1', long], ['2', 'b']]);
    // scanned again only once as much new text has come: at most about twice the text (62 chunks
    // scanned from the record's start each time would be about 31 times)
    expect(splitter.scanned).toBeLessThan(3 * text.length);
  });
});

describe('CSV sources read through the fast splitter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-csv-records-'));
  const files: Record<string, string | Buffer> = {
    // quoted line breaks move the lines of the rows after them; the width error is on line 7
    'multiline.csv': 'id,comment,score\r\n1,"two\r\nlines",5\r\n2,"three\nlines\nhere",4\r\n3,plain,3,extra\r\n',
    'good.csv': '\ufeffid;comment;score\n1;"a ""quoted"" word";5\n\n2;;4\n3;"x;y";\n',
    'latin1.csv': Buffer.from('id,name\n1,caf\xe9\n2,na\xefve\n', 'latin1'),
    'stray-quote.csv': 'id,comment\n1,fine\n2,he said "no"\n',
    'after-quote.csv': 'id,comment\n1,"closed"x\n',
    'unclosed.csv': 'id,comment\n1,"never closed\n2,b\n',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);

  /** What loading gives: the table's rows, notes and line numbers, or the error as shown. */
  async function outcome(name: string, fast: boolean, text = false) {
    csvReader.fast = fast;
    try {
      const path = join(dir, name);
      const table = text ? parseCsv(String(files[name]), { name: 's', path }) : await loadCsv({ name: 's', path });
      return { rows: table.table.objects(), columns: table.columns, notes: table.notes ?? [] };
    } catch (error) {
      if (!(error instanceof CxError)) throw error;
      return { error: error.message, location: error.location, hint: error.hint };
    } finally {
      csvReader.fast = true;
    }
  }

  it('gives the tables, row lines, notes and errors that csv-parse alone gives; malformed text goes to csv-parse', async () => {
    for (const name of Object.keys(files)) {
      for (const text of typeof files[name] === 'string' ? [false, true] : [false]) {
        const before = { ...csvReader };
        const fast = await outcome(name, true, text);
        const used = { splitter: csvReader.splitterReads - before.splitterReads, csvParse: csvReader.csvParseReads - before.csvParseReads };
        expect(fast, `${name}${text ? ' (text)' : ''}`).toEqual(await outcome(name, false, text));
        // well-formed files (a row too wide is the collector's error) are read by the splitter alone;
        // malformed ones again by csv-parse, which words the error (a file not in UTF-8 is read twice,
        // the second time as Windows-1252)
        const malformed = ['stray-quote.csv', 'after-quote.csv', 'unclosed.csv'].includes(name);
        expect(used, name).toEqual({ splitter: name === 'latin1.csv' ? 2 : 1, csvParse: malformed ? 1 : 0 });
      }
    }
    // the lines rows are numbered by (a quoted line break counts) and the width error's line
    expect(await outcome('multiline.csv', true)).toMatchObject({ error: expect.stringContaining('line 7 has 4 fields'), location: { line: 7 } });
    expect(await outcome('stray-quote.csv', true)).toMatchObject({ error: expect.stringContaining('malformed CSV'), location: { line: 3 } });
    const good = await outcome('good.csv', true);
    expect(good).toMatchObject({ rows: [{ id: 1, comment: 'a "quoted" word', score: 5, __row: 2 }, { id: 2, comment: null, score: 4, __row: 4 }, { id: 3, comment: 'x;y', score: null, __row: 5 }] });
    expect(await outcome('latin1.csv', true)).toMatchObject({ rows: [{ name: 'café' }, { name: 'naïve' }] });
  });
});

describe('large CSV files: columns sized from the file', () => {
  it('give the rows of the same text read whole, whether the first 64 KB over- or underestimate the rows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-csv-sized-'));
    const short = (i: number) => `${i},a,${i % 11}`;
    const long = (i: number) => `${i},"${'long text, with commas '.repeat(8)}",${i % 11}`;
    const layouts: Record<string, (i: number) => string> = {
      // short rows first: the estimate is far too high
      'short-then-long.csv': (i) => (i < 8000 ? short(i) : long(i)),
      // long rows first: far too low, the columns grow past it
      'long-then-short.csv': (i) => (i < 400 ? long(i) : short(i)),
    };
    for (const [name, row] of Object.entries(layouts)) {
      const text = `id,text,score\n${Array.from({ length: 20_000 }, (_, i) => row(i)).join('\n')}\n`;
      const path = join(dir, name);
      writeFileSync(path, text);
      const fromFile = await loadCsv({ name: 's', path });
      const fromText = parseCsv(text, { name: 's', path });
      expect(fromFile.rowCount, name).toBe(20_000);
      expect(fromFile.table.numRows()).toBe(20_000);
      expect(fromFile.columns).toEqual(fromText.columns);
      for (const column of ['id', 'text', 'score', '__row']) expect(Array.from(fromFile.table.array(column) as ArrayLike<unknown>), `${name} ${column}`).toEqual(Array.from(fromText.table.array(column) as ArrayLike<unknown>));
    }
  });
});

describeShared('real delimited files as published (../shared/data)', () => {
  it('the splitter gives csv-parse\'s records for every one, or gives up where csv-parse fails', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(csv|tsv|txt)$/i.test(entry.name) && statSync(path).size < 200 * 1024 * 1024) files.push(path);
      }
    };
    walk(sharedDataDir);
    let compared = 0;
    for (const path of files) {
      let text = readFileSync(path, 'utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const delimiter = sniffDelimiter(text.slice(0, 65536), path) ?? ',';
      if (delimiter === 'whitespace') continue;
      const records: string[][] = [];
      let split: string[][] | 'gave up' = records;
      try {
        splitRecords(text, delimiter, (fields) => records.push(fields), 4 * 1024 * 1024);
      } catch (error) {
        if (!(error instanceof GiveUp)) throw error;
        split = 'gave up';
      }
      const expected = csvParse(text, delimiter);
      // compared without building both lists as text (some files have hundreds of thousands of rows)
      if ('fails' in expected) expect(split, path).toBe('gave up');
      else {
        expect(split === 'gave up' ? split : split.length, path).toBe(expected.records.length);
        for (let i = 0; i < expected.records.length; i++) if (JSON.stringify((split as string[][])[i]) !== JSON.stringify(expected.records[i])) expect((split as string[][])[i], `${path} record ${i + 1}`).toEqual(expected.records[i]);
      }
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(15);
  });
});
