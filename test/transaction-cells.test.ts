/**
 * Transaction cells (src/metrics/transactions.ts) against a reduction written out plainly: on
 * generated order logs — several grouping values for one customer and day, equal latest times,
 * customers whose ids sort differently as text and as numbers — the cells hold the same sums and
 * come in the documented order (latest time, customer as text, UTC day, grouping values as text),
 * with __cid the customer's rank and __firstOfDay on the first cell of each customer and day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transactionCells, DAY_MS } from '../src/metrics/transactions.js';
import { tableFromColumns } from '../src/sources/columns.js';

interface Row {
  customer: string;
  ts: number;
  amount: number;
  region: string | null;
}

const row = fc.record({
  customer: fc.constantFrom('1', '2', '10', 'b', 'a', ' a', 'é'),
  // a few days, and times that repeat within them
  ts: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 3_600_000, 3_600_000, 43_200_000, DAY_MS - 1)).map(([d, t]) => Date.UTC(2026, 0, 1) + d * DAY_MS + t),
  amount: fc.integer({ min: 0, max: 100 }),
  region: fc.constantFrom('EMEA', 'AMER', 'APAC', null),
});

/** The cells by the definition: one per (customer, UTC day, region), sums and extremes, in the documented order. */
function expected(rows: Row[]) {
  const cells = new Map<string, { customer: string; day: number; region: string | null; first: number; last: number; n: number; amount: number }>();
  for (const r of rows) {
    const customer = r.customer.trim();
    const day = Math.floor(r.ts / DAY_MS);
    const key = JSON.stringify([customer, day, r.region]);
    const c = cells.get(key) ?? { customer, day, region: r.region, first: Infinity, last: -Infinity, n: 0, amount: 0 };
    c.first = Math.min(c.first, r.ts);
    c.last = Math.max(c.last, r.ts);
    c.n++;
    c.amount += r.amount;
    cells.set(key, c);
  }
  const text = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  // grouping values compare as text, a missing one before any text
  const region = (v: string | null) => (v === null ? '\u0000' : v);
  return [...cells.values()].sort((a, b) => a.last - b.last || text(a.customer, b.customer) || a.day - b.day || text(region(a.region), region(b.region)));
}

describe('transaction cells', () => {
  it('hold the sums of their rows and come in the documented total order', () => {
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 120 }), (rows) => {
        const source = tableFromColumns('orders', 'orders.csv', [
          ['customer_id', rows.map((r) => r.customer)],
          ['order_date', rows.map((r) => new Date(r.ts).toISOString())],
          ['amount', rows.map((r) => r.amount)],
          ['region', rows.map((r) => r.region)],
        ]);
        const cells = transactionCells(source, { customer: 'customer_id', date: 'order_date', amount: 'amount' }, { metric: 'm', dims: ['region'] });
        const want = expected(rows);
        const got = cells.valid.objects() as Record<string, unknown>[];
        expect(got.map((c) => [c.__customer, c.__first, c.__ts, c.__n, c.__amount, c.region])).toEqual(want.map((c) => [c.customer, c.first, c.last, c.n, c.amount, c.region]));
        const customers = [...new Set(want.map((c) => c.customer))].sort();
        expect(cells.customers).toBe(customers.length);
        expect(got.map((c) => c.__cid)).toEqual(want.map((c) => customers.indexOf(c.customer)));
        const seen = new Set<string>();
        expect(got.map((c) => c.__firstOfDay)).toEqual(
          want.map((c) => {
            const key = `${c.customer} ${c.day}`;
            const first = !seen.has(key);
            seen.add(key);
            return first ? 1 : 0;
          }),
        );
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });
});
