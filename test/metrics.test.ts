/**
 * NPS, CSAT and CES through the whole pipeline on a small data set whose numbers are worked by
 * hand below (arithmetic written out), including one interval and one significance test each.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { normalCdf, studentTCdf } from '../src/kernel/stats.js';
import { surveyProject } from './project.js';

let result: BuildResult;
let json: any;

beforeAll(async () => {
  const dir = surveyProject();
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
});

describe('period', () => {
  it('reports on the latest period with data, compared with the one before', () => {
    expect(json.period).toBe('2026-10');
    expect(json.previousPeriod).toBe('2026-09');
  });
});

describe('NPS (worked by hand)', () => {
  // October: 10,10,9,9,9 promoters (5); 8,7 passives (2); 6,3,0 detractors (3); n = 10.
  // NPS = 100·(5/10 − 3/10) = 20.
  // Per-answer variance P + D − (P − D)² = 0.5 + 0.3 − 0.2² = 0.76; SE = 100·√(0.76/10) = 27.568098.
  // CI = 20 ± 1.959964·27.568098 = 20 ± 54.032480 → [−34.032480, 74.032480].
  // September: 10,9 promoters (2); 8,7 passives (2); 6,5,4,2 detractors (4); n = 8 → NPS = −25.
  // Variance 0.25 + 0.5 − (−0.25)² = 0.6875; SE = 100·√(0.6875/8) = 29.315098.
  // z = (20 − (−25)) / √(27.568098² + 29.315098²) = 45 / 40.241380 = 1.118252; p = 2·(1 − Φ(1.118252)) = 0.26346.
  it('value, n, interval', () => {
    const nps = json.metrics.nps;
    expect(nps.value).toBeCloseTo(20, 10);
    expect(nps.n).toBe(10);
    expect(nps.se).toBeCloseTo(27.568098, 5);
    expect(nps.ci[0]).toBeCloseTo(-34.03248, 4);
    expect(nps.ci[1]).toBeCloseTo(74.03248, 4);
  });
  it('previous period, delta and a z-test that is not significant', () => {
    const nps = json.metrics.nps;
    expect(nps.previous).toMatchObject({ period: '2026-09', n: 8 });
    expect(nps.previous.value).toBeCloseTo(-25, 10);
    expect(nps.delta).toBeCloseTo(45, 10);
    expect(nps.statistic).toBeCloseTo(1.118252, 5);
    expect(nps.p).toBeCloseTo(2 * (1 - normalCdf(1.118252)), 5);
    expect(nps.p).toBeCloseTo(0.26346, 4);
    expect(nps.significant).toBe(false);
  });
  it('counts every excluded row by reason, never coercing', () => {
    // October invalid rows: one empty, one 11, one 7.5, one "abc"; the undatable row has no period.
    expect(json.metrics.nps.exclusions).toEqual({ 'missing score': 1, 'out of range': 1, 'not an integer': 1, 'not a number': 1 });
    expect(json.metrics.nps.excluded).toBe(4);
    expect(json.metrics.nps.excludedAllPeriods['missing or invalid date']).toBe(1);
  });
  it('low-sample flag follows min_sample (5 here; the one August answer is low-sample)', () => {
    expect(json.metrics.nps.lowSample).toBe(false);
    const august = json.metrics.nps.series.find((p: any) => p.period === '2026-08');
    expect(august).toMatchObject({ n: 1, lowSample: true, value: 100 });
  });
  it('distribution counts answers 0–10 with their band', () => {
    const d = json.metrics.nps.distribution;
    expect(d).toHaveLength(11);
    expect(d.find((x: any) => x.score === 9)).toEqual({ score: 9, count: 3, band: 'promoters' });
    expect(d.find((x: any) => x.score === 6)).toEqual({ score: 6, count: 1, band: 'detractors' });
    expect(d.reduce((a: number, x: any) => a + x.count, 0)).toBe(10);
  });
});

describe('CSAT (worked by hand)', () => {
  // October: 5,5,4,4,5,4,4,5,4 satisfied, one 2 → 9 of 10 = 90%.
  // Wilson (z² = 3.841459): centre = (0.9 + 3.841459/20)/(1 + 3.841459/10) = 1.0920730/1.3841459 = 0.7889866;
  // half-width = 1.959964·√(0.9·0.1/10 + 3.841459/400)/1.3841459 = 1.959964·0.1363974/1.3841459 = 0.1931381
  // → [0.5958485, 0.9821247] → [59.58485%, 98.21247%].
  // September: 4 and 5 satisfied → 2 of 8 = 25%. Pooled p = 11/18 = 0.6111111;
  // SE = √(0.6111111·0.3888889·(1/8 + 1/10)) = √(0.2376543·0.225) = 0.2312407;
  // z = (0.9 − 0.25)/0.2312407 = 2.810923; p = 2·(1 − Φ(2.810923)) = 0.004940 → significant.
  it('value and Wilson interval', () => {
    const c = json.metrics.csat;
    expect(c.value).toBeCloseTo(90, 10);
    expect(c.n).toBe(10);
    expect(c.ci[0]).toBeCloseTo(59.58485, 3);
    expect(c.ci[1]).toBeCloseTo(98.21247, 3);
  });
  it('two-proportion z-test: significant', () => {
    const c = json.metrics.csat;
    expect(c.previous.value).toBeCloseTo(25, 10);
    expect(c.delta).toBeCloseTo(65, 10);
    expect(c.statistic).toBeCloseTo(2.810923, 5);
    expect(c.p).toBeCloseTo(0.00494, 4);
    expect(c.significant).toBe(true);
  });
  it('excludes 0 (out of range on 1–5), 4.5 and n/a', () => {
    expect(json.metrics.csat.exclusions).toEqual({ 'missing score': 1, 'out of range': 1, 'not an integer': 1, 'not a number': 1 });
  });
});

describe('CES (worked by hand)', () => {
  // October: 7,6,6,5,5,4,7,6,5,6 → mean 5.7; squared deviations sum to 8.1 → s² = 0.9; SE = √(0.9/10) = 0.3;
  // t(0.975, 9) = 2.262157 → CI 5.7 ± 0.678647 = [5.021353, 6.378647].
  // September: 3,4,2,5,3,4,3,4 → mean 3.5; squared deviations 6 → s² = 6/7 = 0.857143.
  // Welch: SE² = 0.9/10 + 0.857143/8 = 0.09 + 0.107143 = 0.197143; t = 2.2/√0.197143 = 4.954857;
  // df = 0.197143² / (0.09²/9 + 0.107143²/7) = 0.0388653/0.0025399 = 15.30176.
  it('mean and t interval', () => {
    const c = json.metrics.ces;
    expect(c.value).toBeCloseTo(5.7, 10);
    expect(c.ci[0]).toBeCloseTo(5.021353, 5);
    expect(c.ci[1]).toBeCloseTo(6.378647, 5);
  });
  it("Welch's t-test: significant", () => {
    const c = json.metrics.ces;
    expect(c.previous.value).toBeCloseTo(3.5, 10);
    expect(c.statistic).toBeCloseTo(4.954857, 4);
    const p = 2 * (1 - studentTCdf(4.954857, 15.30176));
    expect(c.p).toBeCloseTo(p, 6);
    expect(c.p).toBeLessThan(0.001);
    expect(c.significant).toBe(true);
  });
});

describe('breakdowns', () => {
  it('carry value, n, CI and change per group; group counts sum to the total', () => {
    const groups = json.metrics.csat.breakdowns.channel;
    expect(groups.map((g: any) => g.group)).toEqual(['email', 'phone']);
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(json.metrics.csat.n);
    // email rows in October are indices 0,2,4,6,8 → csat 5,4,5,4,4: all satisfied
    const email = groups.find((g: any) => g.group === 'email');
    expect(email).toMatchObject({ n: 5, value: 100, lowSample: false });
    expect(email.ci).toHaveLength(2);
    expect(email.previous).toMatchObject({ period: '2026-09', n: 4 });
    expect(typeof email.pAdjusted).toBe('number');
  });
  it('only the columns named in breakdown sections are broken down', () => {
    expect(Object.keys(json.metrics.csat.breakdowns)).toEqual(['channel']);
    expect(json.metrics.nps.breakdowns).toEqual({});
  });
});
