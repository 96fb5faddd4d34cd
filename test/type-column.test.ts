/**
 * Column typing (src/sources/columns.ts `typeColumn`) against its rule written plainly: empty
 * cells (blank text, null, NaN) become null; a column whose every other cell is a plain decimal
 * number (after trimming) or a number becomes numeric, each cell converted with Number; any other
 * column keeps its cells as written. Checked on generated columns with few and with many distinct
 * texts (the typing remembers what each distinct text is while there are few), typed in place
 * and into a new array.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NUMBER, typeColumn } from '../src/sources/columns.js';

function reference(cells: unknown[]): { values: unknown[]; type: string } {
  const empty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '') || (typeof v === 'number' && Number.isNaN(v));
  const kept = cells.filter((v) => !empty(v));
  if (kept.length === 0) return { values: cells.map(() => null), type: 'empty' };
  const numeric = kept.every((v) => typeof v === 'number' || (typeof v === 'string' && NUMBER.test(v.trim())));
  return { values: cells.map((v) => (empty(v) ? null : numeric ? Number(v) : v)), type: numeric ? 'number' : 'string' };
}

const cell = fc.oneof(
  fc.constantFrom<unknown>('', ' ', '\t', null, NaN, '7', ' 7 ', '007', '1e3', '-2.5', '.5', '5.', '+1', '1,5', 'n/a', 'x', '\u00a07', 0, -0, 3.25),
  fc.integer({ min: -5000, max: 5000 }).map(String),
  fc.string({ maxLength: 4 }),
);

describe('typeColumn', () => {
  it('types a column as its rule says, in place or not, with few or many distinct texts', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 60 }), fc.boolean(), fc.boolean(), (cells, inPlace, many) => {
        // many distinct texts first: past 4096 of them the typing stops remembering them
        const column = many ? [...Array.from({ length: 4100 }, (_, i) => String(i)), ...cells] : [...cells];
        const want = reference(column);
        const got = typeColumn(inPlace ? column : [...column], undefined, inPlace);
        expect(got.type).toBe(want.type);
        expect(got.values).toEqual(want.values);
        if (inPlace) expect(got.values).toBe(column);
      }),
      { seed: 20261207, numRuns: 400 },
    );
  });
});
