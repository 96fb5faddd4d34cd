/**
 * Calling a metric module directly, without a config file: the source and the parsed def go in,
 * the result for one period comes out (property tests of the catalogue modules).
 */
import type { MetricModule, MetricResult, Prepared, PrepareContext } from '../src/metrics/module.js';
import { shiftPeriod } from '../src/kernel/period.js';
import { planOf } from '../src/config/plan.js';
import type { SourceTable } from '../src/sources/types.js';

/** A config whose only sections are breakdowns of metric "m" by `breakdowns`, with its plan (what prepare reads of it). */
const fakeConfig = (breakdowns: string[]) => {
  const metrics = { m: { type: 'm', source: 's' } };
  const sections = breakdowns.map((by) => ({ type: 'breakdown', metric: 'm', by }));
  return { yaml: { locate: () => ({ file: 'cxreport.yaml' }) }, metrics, sections, plan: planOf({ metrics, sections }) } as never;
};

/** Prepares `module` on an in-memory source (prepare is synchronous there) and computes `period` (monthly, min_sample 30). */
export function computeDirect(module: MetricModule, source: SourceTable, def: unknown, period: string, breakdowns: string[] = []): MetricResult {
  const config = fakeConfig(breakdowns);
  const ctx: PrepareContext<unknown> = {
    id: 'm',
    def,
    config,
    sources: new Map([[source.name, source]]),
    granularity: 'month',
    source: () => source,
    requireColumn: (s, column) => {
      if (!s.columns.some((c) => c.name === column)) throw new Error(`no column ${column}`);
    },
  };
  const prepared = module.prepare(ctx) as Prepared;
  return module.compute(prepared, { period, previousPeriod: shiftPeriod(period, -1, 'month'), granularity: 'month', breakdowns, minSample: 30, config } as never);
}
