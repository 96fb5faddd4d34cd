/**
 * Key drivers through the pipeline: metrics.json under the score metric, the section (text,
 * chart, table, zh-CN), drivers as numbers or ordinal text with `levels:`, the metric's filter,
 * located config errors; and the flagship, whose survey carries drivers with a planted importance.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, load, modelFor } from '../src/app/pipeline.js';
import { metricsJson } from '../src/render/metrics-json.js';
import { CxError, CxErrors } from '../src/kernel/errors.js';
import { DRIVER_QUESTIONS, plantedShares } from '../examples/acme/drivers.js';
import { csv, makeProject } from './project.js';
import { bruteForceLmg, olsR2 } from './ols.js';

const LEVELS = ['Poor', 'Fair', 'Good', 'Very good', 'Excellent'];
const HEADER = ['id', 'submitted_at', 'region', 'nps_score', 'onboarding', 'support', 'price', 'notes'];

/** 240 answers over 2026-07 … 2026-10 whose score follows the drivers, with gaps and an unmapped label. */
function rows(): (string | number | null)[][] {
  let s = 12345;
  const u = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const out: (string | number | null)[][] = [];
  for (let i = 0; i < 240; i++) {
    const month = 7 + (i % 4);
    const onboarding = 1 + Math.floor(u() * 5);
    const support = 1 + Math.floor(u() * 5);
    const price = Math.floor(u() * 5);
    const score = Math.max(0, Math.min(10, Math.round(0.9 * onboarding + 0.5 * support + 0.3 * price + 2 * u())));
    out.push([
      i + 1,
      `2026-${String(month).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')}T10:00:00Z`,
      i % 3 === 0 ? 'EMEA' : 'APAC',
      i === 5 ? 'abc' : score,
      i % 17 === 0 ? null : onboarding,
      support,
      i % 23 === 0 ? 'N/A' : LEVELS[price],
      'free text',
    ]);
  }
  return out;
}

const SOURCE = `    type: csv
    path: data/responses.csv
    columns: { price: { levels: [${LEVELS.join(', ')}] }, onboarding: { label: Onboarding experience } }`;

const config = (sections: string, extra: { metric?: string; report?: string } = {}) => `report:
  title: T
  period: { granularity: month, current: latest }
  min_sample: 5
${extra.report ?? ''}sources:
  responses:
${SOURCE}
metrics:
  nps: { type: nps, source: responses, score: nps_score, date: submitted_at${extra.metric ?? ''} }
  comments: { type: sentiment, source: responses, text: notes, date: submitted_at }
sections:
${sections}`;

const DRIVERS = '  - { type: drivers, metric: nps, drivers: [onboarding, support, price], periods: 3, resamples: 200 }\n';

function project(text: string): string {
  return makeProject({ 'cxreport.yaml': text, 'data/responses.csv': csv(HEADER, rows()) });
}

/** The complete cases of the fixture the way the analysis should see them (an independent reading). */
function completeCases(keep: (row: (string | number | null)[]) => boolean) {
  const y: number[] = [];
  const X: number[][] = [];
  let incomplete = 0;
  for (const row of rows()) {
    const month = String(row[1]).slice(0, 7);
    if (month < '2026-08' || !keep(row) || typeof row[3] !== 'number') continue;
    const price = LEVELS.indexOf(String(row[6])) + 1;
    if (row[4] === null || price === 0) {
      incomplete++;
      continue;
    }
    y.push(row[3]);
    X.push([row[4] as number, row[5] as number, price]);
  }
  return { y, X, incomplete };
}

async function errorOf(text: string): Promise<CxError> {
  const dir = project(text);
  try {
    await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  } catch (error) {
    if (error instanceof CxErrors) return error.errors[0];
    if (error instanceof CxError) return error;
    throw error;
  }
  throw new Error('expected the build to fail');
}

const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('drivers section and metrics.json', () => {
  let json: any;
  let model: any;
  beforeAll(async () => {
    const dir = project(config(DRIVERS));
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    json = JSON.parse(result.metrics);
    model = result.model;
  });

  it('writes the analysis under the score metric: periods, complete cases, R², shares with intervals, r and weights', () => {
    const d = json.metrics.nps.drivers;
    const { y, X, incomplete } = completeCases(() => true);
    expect(d.periods).toEqual({ from: '2026-08', to: '2026-10', count: 3 });
    expect(d.n).toBe(y.length);
    expect(d.incomplete).toBe(incomplete);
    expect(d.r2).toBeCloseTo(olsR2(y, X, [0, 1, 2]), 10);
    const brute = bruteForceLmg(y, X);
    for (const [j, column] of ['onboarding', 'support', 'price'].entries()) {
      const item = d.items.find((i: { column: string }) => i.column === column);
      expect(item.share).toBeCloseTo((100 * brute[j]) / d.r2, 8);
      expect(item.ci[0]).toBeLessThanOrEqual(item.share);
      expect(item.ci[1]).toBeGreaterThanOrEqual(item.share);
      expect(item.mean).toBeCloseTo(X.reduce((s, r) => s + r[j], 0) / X.length, 10);
    }
    expect(d.items.map((i: { share: number }) => i.share)).toEqual([...d.items.map((i: { share: number }) => i.share)].sort((a, b) => b - a));
    expect(d.items.reduce((s: number, i: { share: number }) => s + i.share, 0)).toBeCloseTo(100, 10);
    expect(d.items.reduce((s: number, i: { weight: number }) => s + i.weight, 0)).toBeCloseTo(d.r2, 10);
    expect(d.items.find((i: { column: string }) => i.column === 'price').scale).toEqual([1, 5]);
    expect(d.bootstrap).toEqual({ resamples: 200, valid: 200, seed: 1, interval: 'percentile', generator: 'mulberry32' });
    expect(d.method).toMatch(/Shapley decomposition of R² \(LMG/);
  });

  it('shows a sentence per top driver, the importance/performance chart and the table, with column labels', () => {
    const section = model.sections.find((s: { id: string }) => s.id === 'drivers-nps');
    expect(section.type).toBe('metric');
    expect(section.title).toBe('What drives NPS');
    expect(section.headline).toMatch(/^The 3 drivers together explain \d+\.\d% of the variation in NPS answers \(R², \d+ complete answers, August 2026 to October 2026\)\.$/);
    // the first driver's sentence leads into the chart (kept on its page); the others follow the chart, then the table
    const [text, chart, more] = section.blocks;
    const table = section.blocks.find((b: { kind: string }) => b.kind === 'table');
    expect(more.kind).toBe('text');
    expect(more.paragraphs[0]).toMatch(/ explains \d+% \(\d+–\d+%\) of the explained variation in NPS\.$/);
    expect(text.paragraphs).toHaveLength(1);
    expect(text.paragraphs[0]).toMatch(/^Onboarding experience explains \d+% \(\d+–\d+%\) of the explained variation in NPS\.$/);
    expect(chart.chart.spec.layer.length).toBeGreaterThan(5);
    expect(chart.chart.caption).toContain('Source: responses');
    expect(table.table.rows.map((r: { cells: string[] }) => r.cells[0])).toContain('Onboarding experience');
    expect(table.table.columns.map((c: { label: string }) => c.label)).toEqual(['Driver', 'Share of R²', '95% CI', 'Relative weight', 'r', 'Mean']);
  });

  it('honours the metric’s filter', async () => {
    const dir = project(config(DRIVERS, { metric: ', filter: { region: EMEA }' }));
    const d = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics.nps.drivers;
    const { y, X } = completeCases((row) => row[2] === 'EMEA');
    expect(d.n).toBe(y.length);
    expect(d.r2).toBeCloseTo(olsR2(y, X, [0, 1, 2]), 10);
  });

  it('writes its text in Chinese with report.locale zh-CN', async () => {
    const dir = project(config(DRIVERS, { report: '  locale: zh-CN\n' }));
    const result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const section = result.model.sections.find((s) => s.id === 'drivers-nps') as any;
    expect(section.title).toBe('NPS 的驱动因素');
    expect(section.blocks[0].paragraphs[0]).toMatch(/^Onboarding experience 解释了 NPS 已解释变异的 \d+%（\d+–\d+%）。$/);
    expect(JSON.parse(result.metrics).metrics.nps.drivers.method).toContain('Shapley 分解');
  });

  it('explains a reviews rating too, beside the reviews metric’s own extras', async () => {
    const text = config(`${DRIVERS}  - { type: drivers, metric: stars, drivers: [onboarding, price] }\n`).replace('  comments:', '  stars: { type: reviews, source: responses, rating: support, date: submitted_at }\n  comments:');
    const dir = project(text);
    const stars = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics.stars;
    expect(stars.measure).toBe('mean');
    expect(stars.drivers.items.map((i: { column: string }) => i.column).sort()).toEqual(['onboarding', 'price']);
    expect(stars.drivers.items.reduce((s: number, i: { share: number }) => s + i.share, 0)).toBeCloseTo(100, 10);
  });

  it('pools all data with granularity all', async () => {
    const dir = project(config(DRIVERS, { report: '' }).replace('granularity: month, current: latest', 'granularity: all'));
    const d = JSON.parse((await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir })).metrics).metrics.nps.drivers;
    expect(d.periods).toEqual({ from: 'all', to: 'all', count: 1 });
    expect(d.n).toBeGreaterThan(completeCases(() => true).y.length);
  });
});

describe('drivers: located config errors', () => {
  it('unknown metric: did you mean', async () => {
    const text = config('  - { type: drivers, metric: npss, drivers: [onboarding, support] }\n');
    const e = await errorOf(text);
    expect(e.message).toBe('section 1 (drivers) refers to metric "npss", which is not defined');
    expect(e.hint).toMatch(/^did you mean `nps`\?/);
    expect(e.location?.line).toBe(lineOf(text, 'npss'));
  });
  it('not a score metric', async () => {
    const e = await errorOf(config('  - { type: drivers, metric: comments, drivers: [onboarding, support] }\n'));
    expect(e.message).toBe('section 1 (drivers) needs a survey-score metric; "comments" is a sentiment metric');
    expect(e.hint).toBe('score metrics here: nps');
  });
  it('unknown driver column: did you mean, at the list item', async () => {
    const text = config('  - type: drivers\n    metric: nps\n    drivers:\n      - onboarding\n      - suport\n');
    const e = await errorOf(text);
    expect(e.message).toMatch(/^section 1 \(drivers\): column "suport" not found in source "responses"/);
    expect(e.hint).toMatch(/^did you mean `support`\?/);
    expect(e.location?.line).toBe(lineOf(text, '- suport'));
  });
  it('fewer than 2 drivers, more than 12, or one twice', async () => {
    expect((await errorOf(config('  - { type: drivers, metric: nps, drivers: [onboarding] }\n'))).message).toMatch(/at least 2 drivers/);
    const thirteen = Array.from({ length: 13 }, (_, i) => `d${i}`).join(', ');
    expect((await errorOf(config(`  - { type: drivers, metric: nps, drivers: [${thirteen}] }\n`))).message).toMatch(/at most 12 drivers: the exact decomposition evaluates all 2\^p subsets/);
    expect((await errorOf(config('  - { type: drivers, metric: nps, drivers: [support, support] }\n'))).message).toMatch(/each driver may be listed once/);
  });
  it('the score itself as a driver', async () => {
    const e = await errorOf(config('  - { type: drivers, metric: nps, drivers: [onboarding, nps_score] }\n'));
    expect(e.message).toBe('section 1 (drivers): "nps_score" is the score of metric "nps" itself, not a driver of it');
  });
  it('a text driver without levels', async () => {
    const e = await errorOf(config('  - { type: drivers, metric: nps, drivers: [onboarding, notes] }\n'));
    expect(e.message).toBe('section 1 (drivers): driver "notes" holds text ("free text"…), not numbers');
    expect(e.hint).toMatch(/levels:/);
  });
  it('too few complete answers, with the missing counts', async () => {
    const text = config('  - { type: drivers, metric: nps, drivers: [onboarding, support, price], periods: 1 }\n', { report: '' }).replace('min_sample: 5', 'min_sample: 100');
    const e = await errorOf(text);
    expect(e.message).toMatch(/^section 1 \(drivers\): only \d+ complete answers .* in 2026-10–2026-10; an analysis of 3 drivers needs at least 100/);
    expect(e.hint).toMatch(/onboarding \d+.*pool more periods \(periods: 2\)/);
    expect(e.location?.line).toBe(lineOf(text, 'periods: 1'));
  });
  it('a second, different analysis of the same metric', async () => {
    const e = await errorOf(config(`${DRIVERS}  - { type: drivers, metric: nps, drivers: [onboarding, support] }\n`));
    expect(e.message).toMatch(/^section 2 \(drivers\): metric "nps" already has a drivers analysis \(section 1\)/);
  });
  it('the preview shows a failing drivers section in place and builds the rest', async () => {
    const { loadConfig } = await import('../src/app/config.js');
    const { loadSources } = await import('../src/sources/index.js');
    const { prepareAll, computeMetrics } = await import('../src/metrics/index.js');
    const { buildReport } = await import('../src/report/build.js');
    const dir = project(config('  - { type: kpis, metrics: [nps] }\n  - { type: drivers, metric: nps, drivers: [onboarding, suport] }\n'));
    const cfg = await loadConfig(join(dir, 'cxreport.yaml'), { env: {}, cwd: dir, lenient: true });
    const sources = await loadSources(cfg);
    const prepared = await prepareAll(cfg, sources, new Map());
    const computed = computeMetrics(cfg, prepared, sources, '2026-10');
    const model = buildReport(cfg, sources, computed, { lenient: true });
    expect(model.sections[0].type).toBe('kpis');
    expect(model.sections[1].type).toBe('error');
    expect((model.sections[1] as any).errors[0].message).toMatch(/column "suport" not found/);
  });
});

describe('the flagship: planted key drivers are recovered', () => {
  let d: any;
  beforeAll(async () => {
    const root = resolve(import.meta.dirname, '..');
    const loaded = await load({ configPath: join(root, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: root });
    const built = modelFor(loaded);
    d = JSON.parse(metricsJson(built.computed, built.model)).metrics.nps.drivers;
  }, 120_000);

  it('pools the 12 months to October 2026 on complete cases', () => {
    expect(d.periods).toEqual({ from: '2025-11', to: '2026-10', count: 12 });
    const table = parse(readFileSync(resolve(import.meta.dirname, '../examples/acme/data/responses.csv')), { columns: true }) as Record<string, string>[];
    const pooled = table.filter((r) => r.submitted_at >= '2025-11' && r.submitted_at < '2026-11' && /^(10|\d)$/.test(r.nps_score));
    const complete = pooled.filter((r) => DRIVER_QUESTIONS.every((q) => r[q.column] !== ''));
    expect(d.n).toBe(complete.length);
    expect(d.incomplete).toBe(pooled.length - complete.length);
  });

  it('recovers the planted order of importance', () => {
    const planted = plantedShares().sort((a, b) => b.share - a.share).map((p) => p.column);
    expect(d.items.map((i: { column: string }) => i.column)).toEqual(planted);
  });

  it('each planted share lies within its 95% bootstrap interval', () => {
    for (const p of plantedShares()) {
      const item = d.items.find((i: { column: string }) => i.column === p.column);
      expect(item.ci[0], `${p.column}: planted ${p.share.toFixed(2)}% vs [${item.ci[0].toFixed(2)}, ${item.ci[1].toFixed(2)}]`).toBeLessThanOrEqual(p.share);
      expect(item.ci[1], `${p.column}: planted ${p.share.toFixed(2)}%`).toBeGreaterThanOrEqual(p.share);
    }
  });
});
