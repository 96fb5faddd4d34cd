/**
 * Empty is loud. A metric with no valid value in the report period because its rows were
 * excluded (or because none of its rows was ever valid), or a period in which no metric has any
 * data, stops the build: the top exclusion reason, its count, example values with their file
 * lines, and the fix. `allow_empty: true` on a metric opts out. A metric that excludes more than
 * half of its source's rows gives a warning naming the reason (build output, `--json`, methods
 * appendix).
 */
import type { Config } from '../config/load.js';
import { CxError } from '../kernel/errors.js';
import { ROW } from '../sources/columns.js';
import { DATE_KEYS } from '../sources/index.js';
import type { SourceTable } from '../sources/types.js';
import type { MetricResult, Prepared } from './module.js';
import { parseTimestamp } from '../kernel/period.js';
import { scoreOf } from './prepare.js';
import { isScore } from './score/index.js';


interface Example {
  value: unknown;
  line: number | undefined;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const top = (counts: Record<string, number>): [string, number] | undefined => Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0];
const shown = (v: unknown) => (v === null || v === undefined || (typeof v === 'string' && v.trim() === '') ? '(empty)' : JSON.stringify(v));

/** The column a reason is about, and a test that a value fails for that reason. */
function culprit(reason: string, def: Record<string, unknown>, prepared: Prepared | undefined): { column: string; fails: (v: unknown) => boolean } | undefined {
  if (/date/.test(reason)) {
    const key = DATE_KEYS.find((k) => typeof def[k] === 'string');
    return key ? { column: def[key] as string, fails: (v) => !(v instanceof Date) && !Number.isFinite(parseTimestamp(v)) } : undefined;
  }
  if (typeof def.score === 'string' && isScore(prepared)) {
    const rules = prepared.type.rules(prepared.def);
    const base = reason.replace(/ \(.*$/, '');
    return { column: def.score, fails: (v) => scoreOf(v, rules) === base };
  }
  return undefined;
}

/** Up to three rows of the source whose `column` fails, with their lines. */
function examples(source: SourceTable | undefined, column: string, fails: (v: unknown) => boolean): Example[] {
  if (!source || !source.table || !source.table.columnNames().includes(column)) return [];
  const values = source.table.array(column) as ArrayLike<unknown>;
  const rows = source.table.columnNames().includes(ROW) ? (source.table.array(ROW) as ArrayLike<number>) : undefined;
  const out: Example[] = [];
  for (let i = 0; i < values.length && out.length < 3; i++) if (fails(values[i])) out.push({ value: values[i], line: rows?.[i] });
  return out;
}

/** What to change for a reason. */
function fixFor(reason: string, column: string | undefined, found: Example[], def: Record<string, unknown>): string {
  const col = column ? JSON.stringify(column) : 'the column';
  if (/date/.test(reason)) return `declare how the dates are written under the source: columns: { ${col}: { type: date, format: "%m/%d/%Y" } } (strftime-style; see docs/your-data.md)`;
  if (/not a number/.test(reason)) {
    const texts = found.map((e) => e.value).filter((v) => typeof v === 'string');
    return texts.length ? `the answers are text: map them to scores with levels: under the source, e.g. columns: { ${col}: { levels: [${texts.slice(0, 2).map((t) => JSON.stringify(t)).join(', ')}, …] } } (lowest first)` : `check the ${col} column holds numbers`;
  }
  if (/out of range/.test(reason)) return def.type === 'csat' ? 'the answers use another scale: set scale: on the metric to the survey’s top score (e.g. scale: 10)' : `check the ${col} column's scale, or filter the rows out with filter:`;
  if (/missing/.test(reason)) return `check that ${col} holds values in this period`;
  return 'fix the values, or set allow_empty: true on the metric to build an empty card';
}

function sourceOf(def: Record<string, unknown>, sources: Map<string, SourceTable>): SourceTable | undefined {
  return typeof def.source === 'string' ? sources.get(def.source) : undefined;
}

/** Throws when a metric is empty for want of valid rows; returns the warnings about heavy exclusion. */
export function checkCoverage(config: Config, sources: Map<string, SourceTable>, prepared: Map<string, Prepared>, results: Map<string, MetricResult>, period: string): string[] {
  const warnings: string[] = [];
  const defs = config.metrics as Record<string, Record<string, unknown>>;
  const empties: { id: string; error: CxError }[] = [];
  for (const [id, result] of results) {
    const def = defs[id];
    if (!def) continue;
    const source = sourceOf(def, sources);
    const everything = total(result.excludedAllPeriods);
    // a module that explains its empty value (a model that could not be evaluated) says so in the report
    const explained = typeof (result.extra as { note?: unknown } | undefined)?.note === 'string';
    if (result.n === 0 && def.allow_empty !== true && !explained) {
      const current = total(result.exclusions);
      const neverValid = prepared.get(id)?.latestPeriod() === undefined;
      if (current > 0 || (neverValid && everything > 0)) {
        const [reason, count] = top(current > 0 ? result.exclusions : result.excludedAllPeriods)!;
        const cause = culprit(reason, def, prepared.get(id));
        const found = cause ? examples(source, cause.column, cause.fails) : [];
        const where = found.length ? `; e.g. ${found.map((e) => `${e.value === undefined ? '' : shown(e.value)}${e.line !== undefined ? ` (${source?.file ?? 'line'}:${e.line})` : ''}`).join(', ')}` : '';
        empties.push({
          id,
          error: new CxError('data', `metric "${id}" has no valid value in ${period}: ${count} row${count === 1 ? '' : 's'} excluded as "${reason}"${cause ? ` in column "${cause.column}"` : ''}${where}`, {
            location: config.yaml.locate(['metrics', id]),
            hint: `${fixFor(reason, cause?.column, found, def)}; or set allow_empty: true on the metric to accept an empty card`,
          }),
        });
        continue;
      }
    }
    // heavy exclusion over the whole source
    const rows = source?.rowCount ?? 0;
    if (rows > 0 && everything > rows / 2) {
      const [reason, count] = top(result.excludedAllPeriods)!;
      warnings.push(`metric "${id}": ${everything} of ${rows} rows of source "${source!.name}" are excluded (${Math.round((everything / rows) * 100)}%), most as "${reason}" (${count})`);
    }
  }
  if (empties.length) throw empties[0].error;
  // a period with no data at all
  if (results.size > 0 && [...results.values()].every((r) => r.n === 0) && [...results.keys()].every((id) => defs[id]?.allow_empty !== true)) {
    const latest = [...prepared.values()].map((p) => p.latestPeriod()).filter((p): p is string => p !== undefined).sort();
    // a model that could not be evaluated says why in its note
    const notes = [...results].map(([id, r]) => [id, (r.extra as { note?: unknown } | undefined)?.note] as const).filter((x): x is readonly [string, string] => typeof x[1] === 'string');
    if (notes.length) {
      throw new CxError('data', `no metric has a value in ${period}: ${notes.map(([id, note]) => `metric "${id}": ${note}`).join('; ')}`, {
        location: config.yaml.locate(['metrics', notes[0][0]]),
        hint: 'check the rows the metric reads (a filter: can leave out rows the model cannot use), or set allow_empty: true on the metric to accept an empty card',
      });
    }
    throw new CxError('data', `no metric has any data in ${period}`, {
      location: { file: config.yaml.file },
      hint: latest.length ? `the data runs up to ${latest[latest.length - 1]}: choose a period with data (--period or report.period.current), or leave current: latest` : 'check that the date columns hold dates',
    });
  }
  return warnings;
}
