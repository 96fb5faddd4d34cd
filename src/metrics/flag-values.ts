/**
 * Flag columns of snapshot data: a column whose value says whether something happened (a churn
 * flag `Churn = Yes`, a survival event `status = 1`). The config names the value or values that
 * mean "happened"; every other non-empty value means "did not happen" (censored, retained); an
 * empty cell is unknown, so the row is excluded and counted. A configured value that matches no
 * row is an error naming the values the column does hold (usually a typo or a different coding).
 */
import { z } from 'zod';
import type { Path } from '../config/yaml-source.js';
import { CxError } from '../kernel/errors.js';
import type { PrepareContext } from './module.js';

const flagValue = z.union([z.string(), z.number(), z.boolean()]);

/** Schema of a `*_value` key: one value or a list of values. */
export function flagValuesSchema(description: string, examples: unknown[]): z.ZodType<FlagValues> {
  return z.union([flagValue, z.array(flagValue).min(1)]).describe(description).meta({ examples }) as never;
}

export type FlagValues = string | number | boolean | (string | number | boolean)[];

/** A cell as text for matching: trimmed, lower case; null when empty. */
function normal(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim();
  return s === '' ? null : s.toLowerCase();
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/**
 * A test of one cell against the configured values: true (a listed value), false (any other
 * non-empty value) or null (empty). Text compares trimmed and case-insensitively ("yes" = "Yes");
 * numbers compare by value ("1" = "1.0" = 1); `true`/`false` compare as the words.
 */
export function flagMatcher(values: FlagValues): (raw: unknown) => boolean | null {
  const list = Array.isArray(values) ? values : [values];
  const texts = new Set(list.map((v) => String(v).trim().toLowerCase()));
  const numbers = new Set(list.filter((v) => typeof v === 'number' || (typeof v === 'string' && NUMBER.test(v))).map(Number));
  return (raw) => {
    const s = normal(raw);
    if (s === null) return null;
    if (texts.has(s)) return true;
    if (numbers.size > 0 && (typeof raw === 'number' || NUMBER.test(s))) return numbers.has(Number(s));
    return false;
  };
}

/** The configured values, for messages: `"Yes"`, `1 or 2`. */
export function describeFlagValues(values: FlagValues): string {
  const list = Array.isArray(values) ? values : [values];
  return list.map((v) => (typeof v === 'string' ? `"${v}"` : String(v))).join(' or ');
}

/** The distinct non-empty values of a column with their counts, most frequent first (at most `limit`). */
export function distinctValues(cells: ArrayLike<unknown>, limit = 10): { values: { value: string; count: number }[]; more: number } {
  const counts = new Map<string, number>();
  for (let i = 0; i < cells.length; i++) {
    const raw = cells[i];
    if (raw === null || raw === undefined || String(raw).trim() === '') continue;
    const s = String(raw).trim();
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const sorted = [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
  return { values: sorted.slice(0, limit), more: Math.max(0, sorted.length - limit) };
}

/**
 * Throws a located error unless at least one cell matches the configured values: the message
 * names the column and the hint lists the values it holds (with counts).
 */
export function requireMatch(ctx: PrepareContext<unknown>, cells: ArrayLike<unknown>, column: string, values: FlagValues, key: Path, sourceName: string): void {
  const matches = flagMatcher(values);
  for (let i = 0; i < cells.length; i++) if (matches(cells[i]) === true) return;
  const { values: held, more } = distinctValues(cells);
  const list = held.map((v) => `"${v.value}" (${v.count} ${v.count === 1 ? 'row' : 'rows'})`).join(', ');
  throw new CxError('config', `metric "${ctx.id}": ${String(key[key.length - 1])} ${describeFlagValues(values)} matches no row of column "${column}" in source "${sourceName}"`, {
    location: ctx.config.yaml.locate(['metrics', ctx.id, ...key]),
    hint: held.length === 0 ? `column "${column}" is empty in every row` : `column "${column}" holds ${list}${more > 0 ? ` and ${more} more` : ''}; set ${String(key[key.length - 1])} to the value(s) that mean the event happened`,
  });
}
