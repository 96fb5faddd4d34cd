/** A MetricModule for any score type (NPS, CSAT, CES): prepare validates scores, compute finalises statistics. */
import { prepareMetric, latestPeriod, type PreparedMetric } from './prepare.js';
import { metricResult } from './results.js';
import type { MetricModule } from './module.js';
import { lastTimestampOf } from './timeline.js';
import type { ScoreType } from './types.js';

export interface PreparedScore extends PreparedMetric {
  kind: 'score';
  latestPeriod(): string | undefined;
  lastTimestamp(period: string): number | undefined;
}

/** Whether a prepared metric is a score metric (for score-only sections: distribution, verbatims, case study). */
export function isScore(prepared: unknown): prepared is PreparedScore {
  return typeof prepared === 'object' && prepared !== null && (prepared as { kind?: string }).kind === 'score';
}

export function scoreModule<D extends { type: string }>(type: ScoreType<D>): MetricModule<D, PreparedScore> {
  return {
    type: type.type,
    schema: type.schema,
    title: type.title,
    prepare(ctx) {
      const def = ctx.def as never;
      const source = ctx.source('source');
      const pm = prepareMetric(ctx.id, def, type, source, ctx.config);
      let latest: string | undefined | null = null;
      return {
        ...pm,
        kind: 'score',
        latestPeriod: () => (latest === null ? (latest = latestPeriod(pm)) : latest),
        // "data through" counts every dated answer, also one whose score is excluded
        lastTimestamp: lastTimestampOf(pm.table, pm.granularity),
      };
    },
    compute(prepared, ctx) {
      return metricResult(prepared, ctx.period, { breakdowns: ctx.breakdowns, minSample: ctx.minSample });
    },
  };
}
