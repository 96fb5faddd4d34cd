/**
 * Transaction log → RFM summary, checked against an independently produced summary of the same
 * customers: BTYD's CDNOW event log (cran/BTYD data/cdnowElog.csv) summarised here must match
 * lifetimes' cdnow_customers_summary(_with_transactions).csv (CamDavidsonPilon/lifetimes), which
 * were built by other people from the same 1/10th CDNOW sample with a 39-week calibration period
 * ending 1997-09-30. The lifetimes files give t_x, T and zbar to 2 decimals, so "match" means
 * equal x and differences within half a unit in the last printed place.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { collapseRfm, summarizeTransactions, transactionSummarizer, type TransactionSummary } from './rfm.js';

const ROUNDING = 0.005 + 1e-9;

describeShared('summarizeTransactions on the CDNOW event log', () => {
  type ElogRow = { sampleid: string; date: string; sales: string };
  type Reference = { ID: number; x: number; t_x: number; T: number; zbar: number };
  type PlainReference = { ID: number; frequency: number; recency: number; T: number };
  // Loaded in a hook, not at collection, so that a skipped suite never touches the files.
  let elog: ElogRow[] = [];
  let reference: Reference[] = [];
  let plainReference: PlainReference[] = [];
  let summary: TransactionSummary[] = [];
  let byId = new Map<string, TransactionSummary>();
  beforeAll(() => {
    elog = parse(readFileSync(sharedFile('cdnow', 'BTYD_cdnowElog.csv'), 'utf8'), { columns: true }) as ElogRow[];
    reference = parse(readFileSync(sharedFile('cdnow', 'lifetimes_cdnow_customers_summary_with_transactions.csv'), 'utf8'), {
      columns: true,
      cast: true,
    }) as Reference[];
    plainReference = parse(readFileSync(sharedFile('cdnow', 'lifetimes_cdnow_customers_summary.csv'), 'utf8'), {
      columns: true,
      cast: true,
    }) as PlainReference[];
    summary = summarizeTransactions(
      elog.map((row) => ({ customerId: row.sampleid, date: row.date, amount: Number(row.sales) })),
      { calibrationEnd: '1997-09-30', periodDays: 7 },
    );
    byId = new Map(summary.map((s) => [s.customerId, s]));
  });

  it('has the 6,919 events of 2,357 customers', () => {
    expect(elog).toHaveLength(6919);
    expect(summary).toHaveLength(2357);
  });

  it('matches every customer of lifetimes’ summary (x exactly; tx, T, zbar to the printed 2 decimals)', () => {
    const mismatches: string[] = [];
    for (const ref of reference) {
      const ours = byId.get(String(ref.ID));
      if (!ours) {
        mismatches.push(`${ref.ID}: missing`);
        continue;
      }
      if (ours.x !== ref.x || Math.abs(ours.tx - ref.t_x) > ROUNDING || Math.abs(ours.T - ref.T) > ROUNDING || Math.abs(ours.zbar - ref.zbar) > ROUNDING) {
        mismatches.push(`${ref.ID}: ours ${JSON.stringify(ours)} vs ${JSON.stringify(ref)}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The two lifetimes files agree on (x, tx, T) with each other as well.
    for (const ref of plainReference) {
      const ours = byId.get(String(ref.ID))!;
      expect(ours.x).toBe(ref.frequency);
      expect(Math.abs(ours.tx - ref.recency)).toBeLessThanOrEqual(ROUNDING);
    }
  });

  it('merges same-day purchases, as BTYD and lifetimes do (177 customer-days have several rows)', () => {
    const perDay = new Map<string, number>();
    for (const row of elog) perDay.set(`${row.sampleid}|${row.date}`, (perDay.get(`${row.sampleid}|${row.date}`) ?? 0) + 1);
    expect([...perDay.values()].filter((count) => count > 1)).toHaveLength(177);
  });
});

describe('summarizeTransactions', () => {
  it('works a small log by hand', () => {
    const rows = [
      { customerId: 'A', date: '2024-01-01', amount: 10 },
      { customerId: 'A', date: '2024-01-01', amount: 5 }, // same day: merged with the first purchase
      { customerId: 'A', date: '2024-01-15', amount: 20 },
      { customerId: 'A', date: '2024-01-29', amount: 4 },
      { customerId: 'A', date: '2024-01-29', amount: 6 }, // same day: one repeat purchase of 10
      { customerId: 'A', date: '2024-03-01', amount: 99 }, // after the calibration end: ignored
      { customerId: 'B', date: new Date(Date.UTC(2024, 1, 5)), amount: 7 },
      { customerId: 'C', date: '20240301', amount: 1 }, // first purchase after the end: left out
    ];
    const out = summarizeTransactions(rows, { calibrationEnd: '2024-02-12' });
    expect(out).toEqual([
      // first 01-01, repeats on 01-15 and 01-29: x = 2, tx = 28/7 = 4 weeks, T = 42/7 = 6 weeks, zbar = (20 + 10)/2
      { customerId: 'A', x: 2, tx: 4, T: 6, zbar: 15, firstPurchase: '2024-01-01' },
      { customerId: 'B', x: 0, tx: 0, T: 1, zbar: 0, firstPurchase: '2024-02-05' },
    ]);
    expect(summarizeTransactions(rows, { calibrationEnd: '2024-02-12', periodDays: 1 })[0]).toMatchObject({ tx: 28, T: 42 });
  });

  it('rejects malformed dates and options', () => {
    expect(() => summarizeTransactions([{ customerId: 1, date: '1997-02-30' }], { calibrationEnd: '1997-09-30' })).toThrow(RangeError);
    expect(() => summarizeTransactions([{ customerId: 1, date: '30/09/1997' }], { calibrationEnd: '1997-09-30' })).toThrow(RangeError);
    expect(() => summarizeTransactions([], { calibrationEnd: '1997-09-30', periodDays: 0 })).toThrow(RangeError);
  });
});

describe('collapseRfm', () => {
  it('merges identical histories and adds their weights', () => {
    const collapsed = collapseRfm([
      { x: 0, tx: 0, T: 10 },
      { x: 1, tx: 4, T: 10 },
      { x: 0, tx: 0, T: 10 },
      { x: 1, tx: 4, T: 10 },
      { x: 1, tx: 5, T: 10 },
    ]);
    expect(Array.from(collapsed.x)).toEqual([0, 1, 1]);
    expect(Array.from(collapsed.weight)).toEqual([2, 2, 1]);
    expect(collapsed.n).toBe(5);
  });

  it('validates rows', () => {
    expect(() => collapseRfm([{ x: -1, tx: 0, T: 1 }])).toThrow(RangeError);
    expect(() => collapseRfm([{ x: 1, tx: 2, T: 1 }])).toThrow(RangeError);
    expect(() => collapseRfm({ x: [1], tx: [1, 2], T: [3] })).toThrow(RangeError);
    expect(() => collapseRfm({ x: [1], tx: [1], T: [3], weight: [-1] })).toThrow(RangeError);
  });
});

describe('transactionSummarizer', () => {
  /** A seeded log in time order: several rows on some days, decimal amounts (whose sums depend on their order), zeros. */
  function log(seed: number, n: number): { customerId: string; date: Date; amount: number }[] {
    let a = seed >>> 0;
    const next = () => {
      a = (a + 0x6d2b79f5) | 0;
      let t = Math.imul(a ^ (a >>> 15), 1 | a);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const start = Date.UTC(2024, 0, 1);
    const times = Array.from({ length: n }, () => start + Math.floor(next() * 400 * 86_400_000)).sort((x, y) => x - y);
    return times.map((t) => ({ customerId: `C${Math.floor(next() ** 2 * n * 0.2)}`, date: new Date(t), amount: next() < 0.05 ? 0 : Math.round(next() * 10_000) / 100 + 0.1 }));
  }

  it('gives exactly what summarizeTransactions gives, at every calibration end', () => {
    for (const seed of [1, 2, 3]) {
      const rows = log(seed, 3000);
      const summarize = transactionSummarizer(rows, 7);
      for (const end of ['2023-12-31', '2024-01-01', '2024-01-15', '2024-03-31', '2024-06-30', '2024-12-31', '2025-02-04', '2026-01-01']) {
        expect(summarize(end)).toStrictEqual(summarizeTransactions(rows, { calibrationEnd: end, periodDays: 7 }));
      }
      expect(transactionSummarizer(rows, 1)('2024-08-31')).toStrictEqual(summarizeTransactions(rows, { calibrationEnd: '2024-08-31', periodDays: 1 }));
    }
  });

  it('needs the rows in date order', () => {
    expect(() => transactionSummarizer([{ customerId: 1, date: '2024-01-02' }, { customerId: 2, date: '2024-01-01' }])).toThrow(RangeError);
  });
});
