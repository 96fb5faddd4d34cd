/**
 * Row filters shared by metrics, verbatims and case-study segments:
 * `{ region: EMEA }`, `{ channel: [chat, email] }`, `{ nps_score: { min: 0, max: 6 } }`.
 * All conditions must hold.
 */
import { z } from 'zod';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const filterSchema = z
  .record(
    z.string(),
    z.union([
      scalar,
      z.array(scalar).min(1),
      z.strictObject({
        min: z.number().optional().describe('Smallest value kept (inclusive).').meta({ examples: [0] }),
        max: z.number().optional().describe('Largest value kept (inclusive).').meta({ examples: [6] }),
      }),
    ]),
  )
  .describe('Row filter: column → value, list of values, or { min, max } range; all conditions must hold.')
  .meta({ examples: [{ region: 'EMEA' }, { channel: ['chat', 'email'], nps_score: { min: 0, max: 6 } }] });

export type Filter = z.infer<typeof filterSchema>;

/** Cell value as the filter compares it: numbers as numbers, everything else as trimmed text. */
function same(cell: unknown, wanted: string | number | boolean): boolean {
  if (cell === null || cell === undefined) return false;
  if (typeof wanted === 'number') return Number(cell) === wanted && String(cell).trim() !== '';
  return String(cell).trim() === String(wanted);
}

/** A predicate over a row-getter for one filter; undefined filter accepts everything. */
export function compileFilter(filter: Filter | undefined): (get: (column: string) => unknown) => boolean {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  const tests = Object.entries(filter).map(([column, condition]) => {
    if (Array.isArray(condition)) return (get: (c: string) => unknown) => condition.some((v) => same(get(column), v));
    if (typeof condition === 'object') {
      const { min = -Infinity, max = Infinity } = condition;
      return (get: (c: string) => unknown) => {
        const raw = get(column);
        if (raw === null || raw === undefined || String(raw).trim() === '') return false;
        const v = Number(raw);
        return Number.isFinite(v) && v >= min && v <= max;
      };
    }
    return (get: (c: string) => unknown) => same(get(column), condition);
  });
  return (get) => tests.every((t) => t(get));
}


/** Short human description: "region = EMEA, channel in (chat, email)". */
export function describeFilter(filter: Filter | undefined): string {
  if (!filter) return 'all rows';
  return Object.entries(filter)
    .map(([column, c]) => {
      if (Array.isArray(c)) return `${column} in (${c.join(', ')})`;
      if (typeof c === 'object') return [c.min !== undefined ? `${column} ≥ ${c.min}` : '', c.max !== undefined ? `${column} ≤ ${c.max}` : ''].filter(Boolean).join(' and ');
      return `${column} = ${c}`;
    })
    .join(', ');
}
