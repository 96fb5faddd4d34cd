/**
 * The fast record splitter (src/sources/csv-records.ts) against csv-parse with the options csv.ts
 * gives it: on generated text — quotes, doubled quotes, every kind of line break, mixed ones,
 * empty lines, non-ASCII text — cut into chunks at random places, the splitter gives exactly
 * csv-parse's records, or gives up exactly where csv-parse fails.
 */
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { GiveUp, RecordSplitter, splitRecords } from '../src/sources/csv-records.js';

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
