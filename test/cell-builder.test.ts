/**
 * The score metrics' cells (src/metrics/cells.ts) against their definition written as text keys:
 * one cell per period, status, score and grouping values, where a grouping value is a number (0
 * and -0 alike, every NaN alike), else its text (`true` and "true" alike), or missing (null and
 * undefined alike); cells in the order first seen, with the sums of their rows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CellBuilder } from '../src/metrics/cells.js';

const textKey = (v: unknown) => (v === null || v === undefined ? 'missing' : typeof v === 'number' ? `number ${Number.isNaN(v) ? 'NaN' : String(v === 0 ? 0 : v)}` : `text ${String(v)}`);

const dimValue = fc.constantFrom<unknown>(null, undefined, 0, -0, 1, '1', NaN, 'NaN', true, 'true', 'EMEA', 'emea', '');

describe('score cells', () => {
  it('group rows by period, status, score and grouping values as defined, in the order first seen', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ period: fc.constantFrom<string | null>('2026-01', '2026-02', null), status: fc.constantFrom('ok', 'missing score'), value: fc.constantFrom<number | null>(null, 0, 7, 10), ts: fc.integer({ min: 0, max: 100 }), dims: fc.tuple(dimValue, dimValue) }), { maxLength: 80 }),
        (rows) => {
          const builder = new CellBuilder([{ name: 'high', test: (v) => v >= 9 }], ['a', 'b']);
          const want = new Map<string, { period: string | null; status: string; value: number | null; w: number; sum: number; high: number; ts: number; a: unknown; b: unknown }>();
          for (const r of rows) {
            const value = r.status === 'ok' ? r.value : null;
            builder.add(r.period, r.status, value, r.ts, 1, r.dims);
            const key = JSON.stringify([r.period, r.status, value, ...r.dims.map(textKey)]);
            const cell = want.get(key) ?? { period: r.period, status: r.status, value, w: 0, sum: 0, high: 0, ts: -Infinity, a: r.dims[0] ?? null, b: r.dims[1] ?? null };
            cell.w++;
            cell.sum += value ?? 0;
            cell.high += value !== null && value >= 9 ? 1 : 0;
            cell.ts = Math.max(cell.ts, r.ts);
            want.set(key, cell);
          }
          const got = builder.table().objects() as Record<string, unknown>[];
          expect(got.map((c) => [c.__period, c.__status, c.__value, c.__w, c.__sum, c.__i_high, c.__ts, c.a, c.b])).toEqual([...want.values()].map((c) => [c.period, c.status, c.value, c.w, c.sum, c.high, c.ts, c.a, c.b]));
        },
      ),
      { seed: 20261207, numRuns: 500 },
    );
  });
});
