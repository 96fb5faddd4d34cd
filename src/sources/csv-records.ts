/**
 * Delimited text split into records, the records csv-parse gives with cxreport's options
 * (csv.ts parserOptions: RFC 4180 quotes, `""` for a quote inside a quoted field, the record
 * delimiter taken from the first line break outside quotes — \r\n, \n or \r — and every later one
 * only that; no trimming, comments or column checks), about five times faster: csv-parse looks
 * at every byte through several calls and builds each field in a buffer it decodes again, which
 * made it the largest single cost of loading a file (measured in docs/benchmarks.md).
 *
 * Only well-formed text is split here. At anything csv-parse rejects — a quote inside an unquoted
 * field, text after a closing quote, a quote left open at the end — or a record too long to be
 * sure of csv-parse's byte limit, the splitter gives up (throws GiveUp) and the caller reads the
 * file again with csv-parse, which decides and words the error. test/csv-records.test.ts checks,
 * on generated text cut into chunks at random, that the records are csv-parse's and that the
 * splitter gives up exactly where csv-parse fails.
 */

/** Thrown where csv-parse decides (malformed text, a very long record): read the text with it instead. */
export class GiveUp extends Error {
  constructor(why: string) {
    super(`the fast CSV reader leaves this text to csv-parse: ${why}`);
  }
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Incomplete: the buffer ends inside the record (more text is needed to finish it). */
const MORE = -1;

/**
 * Receives text in chunks and calls `onRecord` with each record's fields, and whether a field
 * holds a line break (the caller counts physical lines).
 */
export class RecordSplitter {
  private rest = '';
  private pending: string[] = [];
  private pendingLength = 0;
  /** '' until the first line break outside quotes shows which one ends records */
  private rd = '';
  private readonly delimiter: number;
  /** characters handed to the scanner so far (text scanned again counts again) */
  scanned = 0;

  constructor(
    delimiter: string,
    private readonly onRecord: (fields: string[], lineBreaks: boolean) => void,
    /** records longer than this many characters are left to csv-parse (its limit is in bytes) */
    private readonly maxRecordChars = Number.POSITIVE_INFINITY,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\r' || delimiter === '\n') throw new Error(`RecordSplitter: unsupported delimiter ${JSON.stringify(delimiter)}`);
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** The next chunk of text. */
  push(chunk: string): void {
    if (chunk === '') return;
    this.pending.push(chunk);
    this.pendingLength += chunk.length;
    // a long record in progress is scanned again only once as much new text has come (linear overall)
    if (this.pendingLength < this.rest.length) return;
    this.split(false);
  }

  /** The end of the text. */
  end(): void {
    this.split(true);
    this.rest = '';
  }

  private split(final: boolean): void {
    const buf = this.rest + this.pending.join('');
    this.scanned += buf.length;
    this.pending = [];
    this.pendingLength = 0;
    let i = 0;
    const n = buf.length;
    while (i < n) {
      const next = this.record(buf, i, final);
      if (next === MORE) break;
      i = next;
    }
    this.rest = i >= n ? '' : buf.slice(i);
    if (final && this.rest !== '') throw new GiveUp('the text ends inside a record');
  }

  /** Splits the record starting at `start`; returns where the next one starts, or MORE. */
  private record(buf: string, start: number, final: boolean): number {
    const n = buf.length;
    const d = this.delimiter;
    const fields: string[] = [];
    let breaks = false;
    let i = start;
    for (;;) {
      if (i - start > this.maxRecordChars) throw new GiveUp('a very long record');
      if (i >= n) {
        // the text ends where a field would start: after a delimiter, one empty field ends the record
        if (!final) return MORE;
        if (fields.length === 0) return n;
        fields.push('');
        this.onRecord(fields, breaks);
        return n;
      }
      if (buf.charCodeAt(i) === QUOTE) {
        // a quoted field: up to the quote not followed by another ("" is one quote)
        let value = '';
        let from = i + 1;
        let close: number;
        for (;;) {
          const q = buf.indexOf('"', from);
          if (q < 0) {
            if (!final) return MORE;
            throw new GiveUp('a quote is not closed');
          }
          if (q + 1 >= n && !final) return MORE;
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          value += buf.slice(from, q);
          close = q;
          break;
        }
        if (!breaks && (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0)) breaks = true;
        fields.push(value);
        const after = close + 1;
        if (after - start > this.maxRecordChars) throw new GiveUp('a very long record');
        if (after >= n) {
          // final here (otherwise MORE above)
          this.onRecord(fields, breaks);
          return n;
        }
        const c = buf.charCodeAt(after);
        if (c === d) {
          i = after + 1;
          continue;
        }
        if (c === CR || c === LF) {
          const ends = this.recordDelimiterAt(buf, after, final);
          if (ends === MORE) return MORE;
          if (ends > 0) {
            this.onRecord(fields, breaks);
            return after + ends;
          }
        }
        throw new GiveUp('text after a closing quote');
      }
      // an unquoted field: up to the delimiter or the record delimiter
      let j = i;
      for (;;) {
        let c = 0;
        while (j < n) {
          c = buf.charCodeAt(j);
          if (c === d || c === QUOTE || c === CR || c === LF) break;
          j++;
        }
        if (j - start > this.maxRecordChars) throw new GiveUp('a very long record');
        if (j >= n) {
          if (!final) return MORE;
          fields.push(buf.slice(i, n));
          this.onRecord(fields, breaks);
          return n;
        }
        if (c === d) {
          fields.push(buf.slice(i, j));
          i = j + 1;
          break;
        }
        if (c === QUOTE) throw new GiveUp('a quote inside an unquoted field');
        // a line break
        const ends = this.recordDelimiterAt(buf, j, final);
        if (ends === MORE) return MORE;
        if (ends > 0) {
          fields.push(buf.slice(i, j));
          this.onRecord(fields, breaks);
          return j + ends;
        }
        // a line break that is not the record delimiter is text of the field (as csv-parse has it)
        breaks = true;
        j++;
      }
    }
  }

  /**
   * The length of the record delimiter at `at` (a CR or LF outside quotes), 0 when this line break
   * is not the record delimiter, or MORE when the next character is needed to tell. The first
   * one decides the record delimiter for the rest of the text (\r\n before \n before \r).
   */
  private recordDelimiterAt(buf: string, at: number, final: boolean): number {
    const c = buf.charCodeAt(at);
    const lfNext = at + 1 < buf.length ? buf.charCodeAt(at + 1) === LF : null;
    if (this.rd === '') {
      if (c === CR && lfNext === null && !final) return MORE;
      this.rd = c === LF ? '\n' : lfNext ? '\r\n' : '\r';
    }
    if (this.rd === '\n') return c === LF ? 1 : 0;
    if (this.rd === '\r') return c === CR ? 1 : 0;
    // \r\n
    if (c !== CR) return 0;
    if (lfNext === null) return final ? 0 : MORE;
    return lfNext ? 2 : 0;
  }
}

/** The records of a whole text (final), or GiveUp. */
export function splitRecords(text: string, delimiter: string, onRecord: (fields: string[], lineBreaks: boolean) => void, maxRecordChars?: number): void {
  const splitter = new RecordSplitter(delimiter, onRecord, maxRecordChars);
  splitter.push(text);
  splitter.end();
}
