/**
 * Dates as people export them. A date column may declare its format (`format: "%m/%d/%y %H:%M"`,
 * strftime-style); without one, a column that is not ISO 8601 is checked as a whole against the
 * common shapes and read with the one shape that fits every value. Values are rewritten to ISO
 * 8601 text (a calendar date "2018-07-31", a wall-clock time "2018-07-31T14:05:00" that
 * `timezone:` then places, or an instant "…Z" where the value had a zone), so every metric keeps
 * reading one form. A value that does not fit is left as written: the metrics count it as an
 * invalid date. Nothing here guesses: month/day against day/month is never decided by preference.
 *
 * Two-digit years (`%y`) follow POSIX strptime: 69–99 are 1969–1999, 00–68 are 2000–2068.
 */
import { CxError } from '../kernel/errors.js';
import { daysFromCivil } from '../kernel/period.js';

/** A compiled format: the ISO 8601 text of a value, or null when the value does not fit. */
export type DateReader = (value: string) => string | null;

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_BY_NAME = new Map<string, number>();
MONTHS.forEach((m, i) => {
  MONTH_BY_NAME.set(m, i + 1);
  MONTH_BY_NAME.set(m.slice(0, 3), i + 1);
});
MONTH_BY_NAME.set('sept', 9);

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const isLeap = (y: number) => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

/** ISO text of an instant (ms since the epoch, UTC), with a four-digit year. */
function isoInstant(ms: number, withZ: boolean, dateOnly = false): string | null {
  if (!Number.isFinite(ms)) return null;
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  // civil_from_days
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) return null;
  const date = `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
  if (dateOnly) return date;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const mi = Math.floor(rest / 60_000);
  rest -= mi * 60_000;
  const s = Math.floor(rest / 1000);
  const frac = Math.round(rest - s * 1000);
  return `${date}T${pad(h)}:${pad(mi)}:${pad(s)}${frac ? `.${pad(frac, 3)}` : withZ ? '.000' : ''}${withZ ? 'Z' : ''}`;
}

interface Fields {
  y?: number;
  m?: number;
  d?: number;
  H?: number;
  M?: number;
  S?: number;
  ms?: number;
  pm?: boolean;
  zone?: number;
}

type Part = { re: string; set?: (f: Fields, text: string) => boolean };

const DIRECTIVES: Record<string, Part> = {
  Y: { re: '(\\d{4})', set: (f, t) => ((f.y = Number(t)), true) },
  y: { re: '(\\d{2})', set: (f, t) => ((f.y = Number(t) + (Number(t) < 69 ? 2000 : 1900)), true) },
  m: { re: '(\\d{1,2})', set: (f, t) => ((f.m = Number(t)), true) },
  d: { re: '(\\d{1,2})', set: (f, t) => ((f.d = Number(t)), true) },
  b: { re: '([A-Za-z]{3,4}\\.?)', set: (f, t) => ((f.m = MONTH_BY_NAME.get(t.replace('.', '').toLowerCase())), f.m !== undefined) },
  B: { re: '([A-Za-z]{3,9})', set: (f, t) => ((f.m = MONTH_BY_NAME.get(t.toLowerCase())), f.m !== undefined) },
  H: { re: '(\\d{1,2})', set: (f, t) => ((f.H = Number(t)), true) },
  I: { re: '(\\d{1,2})', set: (f, t) => ((f.H = Number(t)), Number(t) >= 1 && Number(t) <= 12) },
  p: { re: '([AaPp]\\.?[Mm]\\.?)', set: (f, t) => ((f.pm = /^p/i.test(t)), true) },
  M: { re: '(\\d{2})', set: (f, t) => ((f.M = Number(t)), true) },
  S: { re: '(\\d{2})', set: (f, t) => ((f.S = Number(t)), true) },
  f: { re: '(\\d{1,9})', set: (f, t) => ((f.ms = Math.round(Number(`0.${t}`) * 1000)), true) },
  z: {
    re: '(Z|[+-]\\d{2}:?\\d{2})',
    set: (f, t) => {
      if (t === 'Z') return (f.zone = 0), true;
      const digits = t.slice(1).replace(':', '');
      f.zone = (t[0] === '-' ? -1 : 1) * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
      return true;
    },
  },
};

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `format` is one this module can read; the message says why not. */
export function formatProblem(format: string): string | undefined {
  if (format === 'excel' || format === '%s') return undefined;
  let dates = 0;
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    const c = format[++i];
    if (c === '%') continue;
    if (c === undefined) return 'the format ends with a lone "%"';
    if (!(c in DIRECTIVES)) return `"%${c}" is not a directive cxreport reads (use %Y %y %m %d %b %B %H %I %p %M %S %f %z, or "%s" / "excel" alone)`;
    if ('YymdbB'.includes(c)) dates++;
  }
  if (!/%[Yy]/.test(format) || !/%[mbB]/.test(format) || !/%d/.test(format)) return 'a date format needs a year (%Y or %y), a month (%m, %b or %B) and a day (%d)';
  return dates > 3 ? 'the format names a date part twice' : undefined;
}

const readers = new Map<string, DateReader>();

/** Compiles a strftime-style format (see formatProblem for what is read) into a reader. */
export function compileFormat(format: string): DateReader {
  const cached = readers.get(format);
  if (cached) return cached;
  let reader: DateReader;
  if (format === '%s') {
    reader = (v) => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? isoInstant(Number(v.trim()) * 1000, true) : null);
  } else if (format === 'excel') {
    // Excel serial days, 1900 system: day 1 is 1900-01-01, day 60 the 29 February 1900 that never was
    reader = (v) => {
      const t = v.trim();
      if (!/^\d+(\.\d+)?$/.test(t)) return null;
      const serial = Number(t);
      if (serial < 61 || serial > 2_958_465) return null;
      const ms = Math.round((serial - 25569) * 86_400_000);
      return isoInstant(ms, false, Number.isInteger(serial));
    };
  } else {
    const problem = formatProblem(format);
    if (problem) throw new Error(problem);
    const setters: ((f: Fields, t: string) => boolean)[] = [];
    let re = '^\\s*';
    for (let i = 0; i < format.length; i++) {
      const c = format[i];
      if (c === '%') {
        const d = format[++i];
        if (d === '%') re += '%';
        else {
          // directives written side by side ("%Y%m%d") have fixed widths
          const adjacent = format[i + 1] === '%' || (i >= 2 && /[a-zA-Z]/.test(format[i - 2]) && format[i - 3] === '%');
          re += adjacent && 'mdHIMS'.includes(d) ? '(\\d{2})' : DIRECTIVES[d].re;
          setters.push(DIRECTIVES[d].set!);
        }
      } else if (/\s/.test(c)) re += '\\s+';
      else if (c === ',') re += ',?';
      else re += escapeRe(c);
    }
    const pattern = new RegExp(`${re}\\s*$`, 'i');
    const hasTime = /%[HI]/.test(format);
    reader = (v) => {
      const match = pattern.exec(v);
      if (!match) return null;
      const f: Fields = {};
      for (let k = 0; k < setters.length; k++) if (!setters[k](f, match[k + 1])) return null;
      const { y = NaN, m = NaN, d = NaN } = f;
      if (!(m >= 1 && m <= 12) || !(d >= 1) || d > (m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1])) return null;
      if (!hasTime && f.zone === undefined) return `${pad(y, 4)}-${pad(m)}-${pad(d)}`;
      let h = f.H ?? 0;
      if (f.pm !== undefined) h = (h % 12) + (f.pm ? 12 : 0);
      const mi = f.M ?? 0;
      const s = f.S ?? 0;
      if (h > 23 || mi > 59 || s > 59) return null;
      const wall = daysFromCivil(y, m, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + s * 1000 + (f.ms ?? 0);
      if (f.zone !== undefined) return isoInstant(wall - f.zone * 60_000, true);
      return isoInstant(wall, false);
    };
  }
  readers.set(format, reader);
  return reader;
}

/** The shapes tried on a column without a declared format, most specific first. */
const TIMES = ['', ' %H:%M', ' %H:%M:%S', ' %H:%M:%S.%f', ' %I:%M %p', ' %I:%M:%S %p', 'T%H:%M:%S', 'T%H:%M'];
function candidates(): string[] {
  const out: string[] = [];
  for (const sep of ['/', '.', '-']) {
    for (const year of ['%Y', '%y']) {
      for (const order of [`%m${sep}%d${sep}${year}`, `%d${sep}%m${sep}${year}`]) for (const t of TIMES) out.push(order + t);
    }
  }
  for (const t of TIMES) {
    for (const sep of ['/', '.']) out.push(`%Y${sep}%m${sep}%d${t}`);
    out.push(`%Y%m%d${t}`);
    for (const sep of ['-', ' ']) for (const year of ['%y', '%Y']) for (const mon of ['%b', '%B']) out.push(`%d${sep}${mon}${sep}${year}${t}`);
    for (const mon of ['%b', '%B']) out.push(`${mon} %d, %Y${t}`, `${mon} %d %Y${t}`);
  }
  return out;
}
const CANDIDATES = candidates();

/** What a column's values are, as dates. */
export type DateShape =
  | { kind: 'iso' }
  | { kind: 'format'; format: string; example: [string, string] }
  | { kind: 'ambiguous'; formats: string[]; examples: string[] }
  | { kind: 'none' };

/** The shape of a column of text dates: ISO, the one format every value fits, several that disagree, or none. */
export function detectDateShape(values: Iterable<string>, isIso: (v: string) => boolean): DateShape {
  const distinct: string[] = [];
  const seen = new Set<string>();
  let allIso = true;
  for (const raw of values) {
    const v = raw.trim();
    if (v === '' || seen.has(v)) continue;
    seen.add(v);
    distinct.push(v);
    if (allIso && !isIso(v)) allIso = false;
  }
  if (distinct.length === 0) return { kind: 'none' };
  if (allIso) return { kind: 'iso' };
  // quick pass on a sample, then the survivors on every distinct value
  const sample = distinct.length > 500 ? distinct.filter((_, i) => i % Math.ceil(distinct.length / 500) === 0) : distinct;
  const survivors = CANDIDATES.filter((f) => sample.every((v) => compileFormat(f)(v) !== null)).filter((f) => distinct.every((v) => compileFormat(f)(v) !== null));
  if (survivors.length === 0) return { kind: 'none' };
  // formats that read every value the same way are one reading
  const readings: string[] = [];
  for (const f of survivors) {
    const read = compileFormat(f);
    if (!readings.some((g) => distinct.every((v) => compileFormat(g)(v) === read(v)))) readings.push(f);
  }
  if (readings.length === 1) return { kind: 'format', format: readings[0], example: [distinct[0], compileFormat(readings[0])(distinct[0])!] };
  // examples that read differently under the first two readings
  const [a, b] = readings;
  const differ = distinct.filter((v) => compileFormat(a)(v) !== compileFormat(b)(v));
  return { kind: 'ambiguous', formats: readings, examples: (differ.length ? differ : distinct).slice(0, 3) };
}

/** A located error for a date column whose month/day order the values cannot decide. */
export function ambiguousDates(source: string, file: string, column: string, shape: { formats: string[]; examples: string[] }, line?: number): CxError {
  const [first, second] = shape.formats;
  const describe = (f: string) => f.replace(/%m/g, 'month').replace(/%d/g, 'day').replace(/%[Yy]/g, 'year').replace(/[ T]%[HI].*$/, '');
  return new CxError('data', `source "${source}": column "${column}" holds dates like ${shape.examples.map((e) => JSON.stringify(e)).join(', ')}, which read as ${describe(first)} or as ${describe(second)}; cxreport does not guess`, {
    location: { file, line },
    hint: `declare the format under this source: columns: { ${JSON.stringify(column)}: { type: date, format: "${first}" } } (or "${second}")`,
  });
}

/** Text of a shape for messages and the methods appendix: "%d-%b-%y (31-Jul-18 → 2018-07-31)". */
export function describeShape(format: string, example: [string, string]): string {
  return `${format} (${example[0]} → ${example[1]})`;
}
