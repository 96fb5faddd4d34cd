/** The highlights scan: Benjamini–Hochberg across the whole scan, the effect × volume ranking, anomaly flags and the dimension rule, against hand computations. */
import { describe, expect, it } from 'vitest';
import { isLowCardinality } from './dimensions.js';
import { anomalyFlags, effectSize, predictionInterval, scanHighlights } from './highlights.js';
import type { GroupResult, MetricResult, PeriodValue } from './module.js';
import { makeResult } from './result-builders.js';

const metric = (id: string, p: number | null, extra: Partial<MetricResult> = {}): MetricResult =>
  makeResult({ id, type: 'csat', label: id.toUpperCase(), title: id, unit: 'percent', higherIsBetter: true, period: '2026-10', value: 50, n: 100, method: '', minSample: 30, ci: [40, 60], delta: 5, p, previous: { period: '2026-09', value: 45, n: 90, ci: null }, ...extra });

const group = (name: string, p: number | null, n = 25, delta = 5): GroupResult => ({ group: name, period: '2026-10', value: 50, n, ci: [40, 60], lowSample: false, previous: { period: '2026-09', value: 50 - delta, n }, delta, p, pAdjusted: null, significant: false });

describe('Benjamini–Hochberg across the whole scan (hand example)', () => {
  // five tests over two metrics and one dimension: p = 0.01, 0.04 (overall), 0.03, 0.20, 0.001 (groups)
  // sorted: 0.001, 0.01, 0.03, 0.04, 0.20; p·m/k = 0.005, 0.025, 0.05, 0.05, 0.20; running minimum from the top:
  // 0.20, 0.05, 0.05, 0.025, 0.005 → significant (< 0.05): only 0.001 and 0.01
  const scan = scanHighlights(
    [metric('a', 0.01), metric('b', 0.04)],
    new Map([['a', { channel: [group('email', 0.03), group('phone', 0.2)] }], ['b', { channel: [group('chat', 0.001), group('web', null)] }]]),
    new Map([['a', ['channel']], ['b', ['channel']]]),
    'declared',
  );
  const byP = new Map(scan.items.map((i) => [i.p, i]));

  it('adjusts the five tested p-values together (an untested group is left out of m)', () => {
    expect(scan.items).toHaveLength(5);
    expect(byP.get(0.001)!.pAdjusted).toBeCloseTo(0.005, 12);
    expect(byP.get(0.01)!.pAdjusted).toBeCloseTo(0.025, 12);
    expect(byP.get(0.03)!.pAdjusted).toBeCloseTo(0.05, 12);
    expect(byP.get(0.04)!.pAdjusted).toBeCloseTo(0.05, 12);
    expect(byP.get(0.2)!.pAdjusted).toBeCloseTo(0.2, 12);
    expect(scan.items.filter((i) => i.significant).map((i) => i.p).sort()).toEqual([0.001, 0.01]);
  });

  it('is not the per-breakdown adjustment: within metric a alone, 0.03 of two groups would be 0.06; across the scan it is 0.05', () => {
    expect(byP.get(0.03)!.pAdjusted).not.toBeCloseTo(0.06, 3);
  });

  it('ranks significant tests by effect × volume: the overall change (volume 1) before a group holding 25% of the answers', () => {
    // σ̂ = √100 · (60 − 40) / (2 · 1.959964) = 51.02135; effect = 5 / 51.02135 = 0.0979990
    const sigma = (10 * 20) / (2 * 1.959964);
    expect(effectSize(5, [40, 60], 100)).toBeCloseTo(5 / sigma, 10);
    const [first, second] = scan.items;
    expect([first.metric, first.dimension, first.p]).toEqual(['a', null, 0.01]);
    expect(first.score).toBeCloseTo(0.097999, 5);
    // the chat group: n = 25 of 100 (volume 0.25), σ̂ = √25 · 20 / 3.919928 = 25.51067, effect 0.195998
    expect([second.metric, second.group]).toEqual(['b', 'chat']);
    expect(second.volume).toBe(0.25);
    expect(second.effect).toBeCloseTo(5 / ((5 * 20) / (2 * 1.959964)), 10);
    expect(second.score).toBeCloseTo(0.0489995, 6);
    // the non-significant ones follow
    expect(scan.items.slice(2).every((i) => !i.significant)).toBe(true);
  });
});

describe('anomaly flags: a value outside the 95% prediction interval of its trailing periods', () => {
  const series = (values: (number | null)[]): PeriodValue[] => values.map((value, i) => ({ period: `2026-${String(i + 1).padStart(2, '0')}`, value, n: 100, ci: null, lowSample: false }));

  it('computes mean ± t(0.975, n−1)·s·√(1 + 1/n) by hand', () => {
    // 50, 51, 49, 50, 52, 50: mean 50.3333, s² = 5.3333/5 = 1.066667, t(0.975, 5) = 2.570582
    const { mean, sd, interval } = predictionInterval([50, 51, 49, 50, 52, 50]);
    expect(mean).toBeCloseTo(50.333333, 6);
    expect(sd).toBeCloseTo(Math.sqrt(1.0666667), 6);
    const half = 2.570582 * Math.sqrt(1.0666667) * Math.sqrt(1 + 1 / 6);
    expect(interval[0]).toBeCloseTo(50.333333 - half, 4);
    expect(interval[1]).toBeCloseTo(50.333333 + half, 4);
    expect(half).toBeCloseTo(2.8676, 3);
  });

  it('flags a planted outlier, with its interval and direction', () => {
    const flags = anomalyFlags('m', series([50, 51, 49, 50, 52, 50, 80]));
    expect(flags).toHaveLength(1);
    expect(flags[0]).toMatchObject({ metric: 'm', period: '2026-07', value: 80, direction: 'above', window: 6 });
    expect(flags[0].interval[1]).toBeCloseTo(53.2009, 3);
  });

  it('flags nothing on a flat series nor on ordinary noise', () => {
    expect(anomalyFlags('m', series([50, 50, 50, 50, 50, 50, 50, 50]))).toEqual([]);
    expect(anomalyFlags('m', series([50, 51, 49, 50, 52, 50, 51, 49]))).toEqual([]);
  });

  it('needs at least 4 earlier values, uses at most the 6 before, and skips missing and low-sample periods', () => {
    expect(anomalyFlags('m', series([50, 51, 49, 90]))).toEqual([]);
    expect(anomalyFlags('m', series([50, 51, 49, 50, 90]))).toHaveLength(1);
    // the first value (1000) is outside the window of six for the last point
    expect(anomalyFlags('m', series([1000, 50, 51, 49, 50, 52, 50, 80])).map((f) => f.period)).toEqual(['2026-08']);
    const low = series([50, 51, 49, 50, 52, 50, 80]);
    low[6].lowSample = true;
    expect(anomalyFlags('m', low)).toEqual([]);
    expect(anomalyFlags('m', series([50, null, 51, 49, 50, 90]))).toHaveLength(1);
  });
});

describe('the detection rule for dimensions', () => {
  it('takes text columns with 2 to 12 values filled in at least half of the rows', () => {
    expect(isLowCardinality(['email', 'phone', 'chat', 'email'], 4, 4)).toBe(true);
    expect(isLowCardinality(['email', 'email'], 2, 2)).toBe(false); // one value
    expect(isLowCardinality(Array.from({ length: 13 }, (_, i) => `v${i}`), 13, 13)).toBe(false); // 13 values
    expect(isLowCardinality(Array.from({ length: 12 }, (_, i) => `v${i}`), 12, 12)).toBe(true);
    expect(isLowCardinality(['Love it', '', '', '', 'Slow'], 2, 5)).toBe(false); // mostly empty: free text
  });

  it('leaves out dates, period keys and numbers written as text', () => {
    expect(isLowCardinality(['2026-01', '2026-02', '2026-03'], 3, 3)).toBe(false);
    expect(isLowCardinality(['4', '5', '3', 'n/a'], 4, 4)).toBe(false);
  });
});
