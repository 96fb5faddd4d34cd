/**
 * Compute only what the report shows (issue 17): model fits and bootstraps are made for the
 * periods a section displays, and their numbers are exactly (toBe) those of the full series that
 * was computed before — pinned here as the flagship's metrics.json values of the previous code,
 * and checked against the full-series path (`displayed` unset) on the same data. Also: the CLV
 * fits are reused across builds by input digest, and NRR and GRR share one preparation of their
 * source and one set of bootstrap draws.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/app/config.js';
import { fitCacheStats } from '../src/metrics/clv/model.js';
import { fitChainStats } from '../src/metrics/clv/fit-chain.js';
import { setDiskCache } from '../src/kernel/disk-cache.js';
import { displayedPeriods } from '../src/metrics/index.js';
import type { MetricResult, PeriodValue } from '../src/metrics/module.js';
import { lastPeriods } from '../src/kernel/period.js';
import { metricModule } from '../src/metrics/registry.js';
import { bootstrapRatio, bootstrapRatioPair, mulberry32 } from '../src/kernel/bootstrap.js';
import { load, modelFor, type Loaded } from '../src/app/pipeline.js';

const root = resolve(import.meta.dirname, '..');
const data = join(root, 'examples', 'acme', 'data');

/** The flagship's metrics of these types, shown by one KPI section (12-month sparklines) and a metric section. */
const CONFIG = `report:
  title: Displayed periods
  period: { granularity: month, current: "2026-10" }
  min_sample: 30
sources:
  orders: { type: csv, path: ${JSON.stringify(join(data, 'orders.csv'))} }
  mrr: { type: csv, path: ${JSON.stringify(join(data, 'mrr.csv'))} }
  customers: { type: csv, path: ${JSON.stringify(join(data, 'customers.csv'))} }
metrics:
  clv: { type: clv, method: bgnbd, source: orders, date: order_date, amount: amount, margin: 0.8, horizon_months: 12, discount_rate: 0.10, top: 10 }
  nrr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr, target: 100 }
  grr: { type: revenue-retention, source: mrr, id: customer_id, month: month, mrr: mrr, measure: grr }
  survival: { type: survival, source: customers, id: customer_id, start: signup_date, end: cancel_date, horizon: 12, by: plan }
sections:
  - { type: kpis, metrics: [clv, nrr, grr] }
  - { type: metric, metric: survival }
`;

/**
 * The flagship's metrics.json before this change (every month since the first order, 34 CLV fits
 * and 21 bootstraps per measure), at the periods the report shows: value and interval.
 */
const BEFORE: Record<string, Record<string, [number, [number, number] | null]>> = {
  clv: {
    '2025-11': [462.9265442624766, null],
    '2026-03': [379.29419983490254, null],
    '2026-09': [340.2824618028653, null],
    '2026-10': [333.3681650204088, null],
  },
  nrr: {
    '2025-11': [100.1209169072263, [99.60497847407076, 100.61255279952526]],
    '2026-03': [99.74220997962533, [98.9332314173117, 100.40687955934621]],
    '2026-09': [100.06657609168529, [99.58625502863349, 100.49924188359505]],
    '2026-10': [99.72022787901423, [99.18074160169118, 100.21436859951342]],
  },
  grr: {
    '2025-11': [99.10436661797503, [98.70105761776792, 99.44110313982864]],
    '2026-03': [98.58325755704614, [97.91711145051195, 99.19630851123257]],
    '2026-09': [98.92254839652186, [98.52963674913806, 99.25163931582873]],
    '2026-10': [98.71110057260033, [98.20984625945145, 99.15595594230281]],
  },
  survival: {
    '2026-09': [74.13076945361472, [73.06513717180498, 75.21194365054282]],
    '2026-10': [74.02511112535095, [72.97517583573409, 75.09015243012648]],
  },
};

describe('displayedPeriods: what the sections show of each metric', () => {
  it('current and previous, plus each trend, sparkline and series chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cxreport-displayed-'));
    writeFileSync(join(dir, 'spec.json'), '{"mark": "line"}');
    writeFileSync(
      join(dir, 'cxreport.yaml'),
      `report: { title: T, period: { granularity: month, current: "2026-10" } }
sources: { r: { type: csv, path: r.csv } }
metrics:
  a: { type: nps, source: r, score: s, date: d }
  b: { type: nps, source: r, score: s, date: d }
  c: { type: nps, source: r, score: s, date: d }
sections:
  - { type: kpis, metrics: [a, b], sparkline_periods: 3 }
  - { type: trend, metric: b, periods: 5 }
  - { type: chart, metric: c, spec: spec.json, periods: 4 }
  - { type: chart, metric: a, spec: spec.json, data: distribution }
`,
    );
    writeFileSync(join(dir, 'r.csv'), 's,d\n9,2026-10-01\n');
    const config = await loadConfig(join(dir, 'cxreport.yaml'), { env: {} });
    const shown = displayedPeriods(config, '2026-10', '2026-09');
    expect([...shown.get('a')!].sort()).toEqual(['2026-08', '2026-09', '2026-10']);
    expect([...shown.get('b')!].sort()).toEqual(lastPeriods('2026-10', 5, 'month'));
    expect([...shown.get('c')!].sort()).toEqual(lastPeriods('2026-10', 4, 'month'));
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('the flagship: fits and bootstraps for the displayed periods only, bit-identical', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cxreport-displayed-'));
  let loaded: Loaded;
  let results: Map<string, MetricResult>;
  let missesFirstBuild = 0;
  let takenFirstBuild = 0;
  beforeAll(async () => {
    writeFileSync(join(dir, 'cxreport.yaml'), CONFIG);
    // nothing kept from other builds on disk: every fit is made here, in the worker thread (fit-chain.ts)
    setDiskCache(null);
    const misses = fitCacheStats.misses;
    const taken = fitChainStats.taken;
    loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {} });
    results = modelFor(loaded).computed.results;
    missesFirstBuild = fitCacheStats.misses - misses;
    takenFirstBuild = fitChainStats.taken - taken;
  }, 120_000);
  afterAll(() => {
    setDiskCache(undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  const at = (series: PeriodValue[], period: string) => series.find((p) => p.period === period);

  it('each series holds the displayed periods: the 12 months of the sparklines; survival (a metric section) the current and previous', () => {
    const twelve = lastPeriods('2026-10', 12, 'month');
    for (const id of ['clv', 'nrr', 'grr']) expect(results.get(id)!.series.map((p) => p.period)).toEqual(twelve);
    expect(results.get('survival')!.series.map((p) => p.period)).toEqual(['2026-09', '2026-10']);
  });

  it('the values and intervals of the displayed periods are those of the previous code, to the bit', () => {
    for (const [id, periods] of Object.entries(BEFORE)) {
      const r = results.get(id)!;
      for (const [period, [value, ci]] of Object.entries(periods)) {
        const point = at(r.series, period)!;
        expect(point.value, `${id} ${period}`).toBe(value);
        expect(point.ci?.[0] ?? null, `${id} ${period} lower`).toBe(ci?.[0] ?? null);
        expect(point.ci?.[1] ?? null, `${id} ${period} upper`).toBe(ci?.[1] ?? null);
      }
      expect(r.value).toBe(periods['2026-10'][0]);
      expect(r.previous?.value).toBe(periods['2026-09'][0]);
    }
  });

  it('the full-series path (every period, as before) gives the same numbers for every displayed period', () => {
    const { config } = loaded;
    for (const id of ['clv', 'nrr', 'grr', 'survival']) {
      const shown = results.get(id)!;
      const full = metricModule(config.metrics[id].type).compute(loaded.prepared.get(id)!, { locale: 'en', period: '2026-10', previousPeriod: '2026-09', granularity: 'month', breakdowns: [], minSample: 30, config });
      expect(full.series.length, id).toBeGreaterThan(shown.series.length);
      for (const point of shown.series) expect(at(full.series, point.period), `${id} ${point.period}`).toStrictEqual(point);
      expect(full.value).toBe(shown.value);
      expect(full.ci).toStrictEqual(shown.ci);
      expect(full.p).toBe(shown.p);
      expect(full.extra).toStrictEqual(shown.extra);
    }
  });

  it('CLV: every month up to the report period is still fitted (each fit starts from the previous optimum), and a rebuild of the same data reuses the fits', async () => {
    // 2024-01 (the first month with enough customers) to 2026-10
    expect(missesFirstBuild).toBe(34);
    // all 34 made in the worker thread while the other metrics were prepared and computed, and the
    // values above, made from them, are the previous code's to the bit
    expect(takenFirstBuild).toBe(34);
    const before = { ...fitCacheStats };
    const again = modelFor(await load({ configPath: join(dir, 'cxreport.yaml'), env: {} })).computed.results.get('clv')!;
    expect(fitCacheStats.misses).toBe(before.misses);
    expect(fitCacheStats.hits - before.hits).toBe(34);
    expect(again.series).toStrictEqual(results.get('clv')!.series);
    expect(again.extra).toStrictEqual(results.get('clv')!.extra);
  }, 120_000);

  it('NRR and GRR share one preparation of the MRR source', () => {
    const nrr = loaded.prepared.get('nrr') as unknown as { snapshots: unknown; cache: unknown };
    const grr = loaded.prepared.get('grr') as unknown as { snapshots: unknown; cache: unknown };
    expect(nrr.snapshots).toBe(grr.snapshots);
    expect(nrr.cache).toBe(grr.cache);
  });
});

describe('bootstrapRatioPair: two numerators from one set of draws', () => {
  it('gives exactly what bootstrapRatio gives for each numerator alone', () => {
    const rng = mulberry32(42);
    for (const n of [1, 2, 17, 300]) {
      const den = Float64Array.from({ length: n }, () => 1 + Math.floor(rng() * 5000) / 100);
      const a = Float64Array.from(den, (d) => d * (0.5 + rng()));
      const b = Float64Array.from(den, (d, i) => Math.min(d, a[i]));
      const pair = bootstrapRatioPair(a, b, den, 500, 7)!;
      expect(pair[0]).toStrictEqual(bootstrapRatio(a, den, 500, 7));
      expect(pair[1]).toStrictEqual(bootstrapRatio(b, den, 500, 7));
    }
    expect(bootstrapRatioPair(new Float64Array(0), new Float64Array(0), new Float64Array(0), 500, 1)).toBeNull();
  });
});
