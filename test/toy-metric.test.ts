/**
 * Adding a metric type touches one folder and one registry line (docs/architecture.md, "Adding a
 * metric type"): a toy type, defined here as a MetricModule (schema, prepare, compute with
 * makeResult), is registered by one entry in `metricModules` — its schema comes with it, so the
 * config validates it — and a report's kpis section shows it, with its value in metrics.json.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { configSchema, currentConfigSchema } from '../src/app/schema.js';
import { CxErrors } from '../src/kernel/errors.js';
import { parseTimestamp, periodOf } from '../src/kernel/period.js';
import type { MetricModule, Prepared } from '../src/metrics/module.js';
import { metricModules } from '../src/metrics/registry.js';
import { makeResult } from '../src/metrics/result-builders.js';
import { csv, makeProject } from './project.js';

/** The toy type's config: the mean of a numeric column per period. */
const toySchema = z
  .strictObject({
    type: z.literal('toy-mean'),
    source: z.string(),
    date: z.string(),
    value: z.string(),
    label: z.string().optional(),
  })
  .describe('Toy: the mean of a column.');

type ToyDef = z.infer<typeof toySchema>;

interface PreparedToy extends Prepared {
  id: string;
  def: ToyDef;
  /** per period: sum and count of the valid values, and the latest timestamp */
  cells: Map<string, { sum: number; n: number; last: number }>;
}

const toyModule: MetricModule<ToyDef, PreparedToy> = {
  type: 'toy-mean',
  schema: toySchema,
  title: 'Toy mean',
  prepare(ctx) {
    const source = ctx.source('source');
    ctx.requireColumn(source, ctx.def.date, ['date']);
    ctx.requireColumn(source, ctx.def.value, ['value']);
    const dates = source.table.array(ctx.def.date) as ArrayLike<unknown>;
    const values = source.table.array(ctx.def.value) as ArrayLike<unknown>;
    const cells = new Map<string, { sum: number; n: number; last: number }>();
    for (let i = 0; i < dates.length; i++) {
      const ts = parseTimestamp(dates[i]);
      const v = Number(values[i]);
      if (!Number.isFinite(ts) || values[i] === null || values[i] === '' || !Number.isFinite(v)) continue;
      const period = ctx.granularity === 'all' ? 'all' : periodOf(ts, ctx.granularity);
      const cell = cells.get(period) ?? { sum: 0, n: 0, last: -Infinity };
      cells.set(period, { sum: cell.sum + v, n: cell.n + 1, last: Math.max(cell.last, ts) });
    }
    return {
      id: ctx.id,
      def: ctx.def,
      cells,
      latestPeriod: () => [...cells.keys()].sort().at(-1),
      lastTimestamp: (period) => cells.get(period)?.last,
    };
  },
  compute(prepared, ctx) {
    const cell = prepared.cells.get(ctx.period);
    const previous = prepared.cells.get(ctx.previousPeriod);
    const mean = (c: { sum: number; n: number } | undefined) => (c && c.n > 0 ? c.sum / c.n : null);
    const value = mean(cell);
    return makeResult({
      id: prepared.id,
      type: 'toy-mean',
      label: prepared.def.label ?? 'Toy',
      title: 'Toy mean',
      unit: 'score',
      higherIsBetter: true,
      period: ctx.period,
      value,
      n: cell?.n ?? 0,
      method: 'Mean of the value column.',
      minSample: ctx.minSample,
      previous: previous ? { period: ctx.previousPeriod, value: mean(previous), n: previous.n, ci: null } : null,
      delta: value !== null && previous ? value - mean(previous)! : null,
      series: [...prepared.cells.keys()]
        .filter((p) => p <= ctx.period)
        .sort()
        .map((p) => ({ period: p, value: mean(prepared.cells.get(p)), n: prepared.cells.get(p)!.n, ci: null, lowSample: prepared.cells.get(p)!.n < ctx.minSample })),
    });
  },
};

const CONFIG = `report:
  title: Toy
  period: { granularity: month, current: latest }
  min_sample: 2
sources:
  readings: { type: csv, path: readings.csv }
metrics:
  toy: { type: toy-mean, source: readings, date: day, value: reading, label: Toy reading }
sections:
  - { type: kpis, metrics: [toy] }
`;

const DATA = csv(
  ['day', 'reading'],
  [
    ['2026-09-03', 2],
    ['2026-09-20', 4],
    ['2026-10-01', 5],
    ['2026-10-12', 6],
    ['2026-10-30', 10],
    ['2026-10-31', 'n/a'],
  ],
);

describe('a metric type added by one registry entry', () => {
  let result: BuildResult;
  beforeAll(async () => {
    // the one registry line a type needs
    metricModules['toy-mean'] = toyModule;
    const dir = makeProject({ 'cxreport.yaml': CONFIG, 'readings.csv': DATA });
    result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  });
  afterAll(() => {
    delete metricModules['toy-mean'];
  });

  it('is computed, and its value is in metrics.json', () => {
    const json = JSON.parse(result.metrics);
    const m = json.metrics.toy;
    expect(json.period).toBe('2026-10');
    expect(m).toMatchObject({ type: 'toy-mean', label: 'Toy reading', value: 7, n: 3 });
    expect(m.previous).toMatchObject({ period: '2026-09', value: 3, n: 2 });
    expect(m.delta).toBe(4);
  });

  it('is shown by the kpis section', () => {
    const text = result.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    // the KPI card: label, title, value at the score precision, change against the previous period
    expect(text).toContain('Toy reading Toy mean 7.00');
    expect(text).toContain('+4.00 vs September 2026');
  });

  it('is validated by its own schema', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('label: Toy reading', 'colour: blue'), 'readings.csv': DATA });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(CxErrors);
    expect(String(error.message)).toMatch(/colour/);
  });
});

describe('without the registry entry', () => {
  it('the config schema is the one composed from the built-in types', () => {
    expect(currentConfigSchema()).toBe(configSchema);
  });

  it('the type is unknown to the config', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG, 'readings.csv': DATA });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(
      () => null,
      (e) => e,
    );
    expect(error).toBeInstanceOf(CxErrors);
    expect(String(error.message)).toMatch(/toy-mean|type/);
  });
});
