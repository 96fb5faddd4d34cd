import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datesOf, parseAnyTimestamp, parseIso, parseTimestamp } from './period.js';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('parseTimestamp', () => {
  it('the fast path for common shapes agrees with the general ISO parser (valid and invalid fields)', () => {
    const shape = fc.record({
      y: fc.integer({ min: 0, max: 9999 }),
      m: fc.integer({ min: 0, max: 13 }),
      d: fc.integer({ min: 0, max: 32 }),
      h: fc.integer({ min: 0, max: 25 }),
      mi: fc.integer({ min: 0, max: 61 }),
      s: fc.integer({ min: 0, max: 61 }),
      form: fc.constantFrom('date', 'T', 'TZ', 'space', 'msZ'),
      ms: fc.integer({ min: 0, max: 999 }),
    });
    fc.assert(
      fc.property(shape, ({ y, m, d, h, mi, s, ms, form }) => {
        const date = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        const text = form === 'date' ? date : `${date}${form === 'space' ? ' ' : 'T'}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${form === 'TZ' ? 'Z' : form === 'msZ' ? `.${pad(ms, 3)}Z` : ''}`;
        expect(Object.is(parseAnyTimestamp(text), parseIso(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('known values, by hand', () => {
    expect(parseTimestamp('2026-10-14')).toBe(Date.UTC(2026, 9, 14));
    expect(parseTimestamp('2024-02-29T23:59:59Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
    expect(parseTimestamp('2025-02-29')).toBeNaN();
    expect(parseTimestamp('1900-02-29')).toBeNaN();
    expect(parseTimestamp('2000-02-29 00:00:00')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTimestamp('2026-10-14T10:00:00+02:00')).toBe(Date.UTC(2026, 9, 14, 8));
    expect(parseTimestamp(' 2026-10-14 ')).toBe(Date.UTC(2026, 9, 14));
    expect(parseTimestamp('2026-10-14T10:11:12.345Z')).toBe(Date.UTC(2026, 9, 14, 10, 11, 12, 345));
    expect(parseTimestamp('14/10/2026')).toBeNaN();
  });

  it('datesOf parses a column once and shares the period keys', () => {
    const column = ['2026-10-14', 'soon', '2026-09-30T23:59:59Z'];
    const a = datesOf(column, 'month');
    expect(Array.from(a.ts)).toEqual([Date.UTC(2026, 9, 14), NaN, Date.UTC(2026, 8, 30, 23, 59, 59)]);
    expect(a.period).toEqual(['2026-10', null, '2026-09']);
    expect(datesOf(column, 'month')).toBe(a);
    expect(datesOf(column, 'quarter').period).toEqual(['2026-Q4', null, '2026-Q3']);
  });
});
