/**
 * A MetricModule for any score type (NPS, CSAT, CES, reviews): prepare validates scores (in
 * memory, or in the database for a pushdown source: see ../pushdown.ts and prepare.ts), compute
 * finalises statistics. Each type's definition is a file here (nps.ts, csat.ts, ces.ts); their
 * shared config keys are in schema.ts.
 */
import type { CxError } from '../../kernel/errors.js';
import { isPushdown, loadRows } from '../../sources/sql.js';
import { canPushDown, dimensionsOf } from '../pushdown.js';
import { computeDrivers, prepareDrivers, type PreparedDrivers } from '../drivers/index.js';
import { prepareMetric, latestPeriod, type PreparedMetric } from '../prepare.js';
import { metricResult } from '../results.js';
import type { MetricModule } from '../module.js';
import { lastTimestampOf } from '../timeline.js';
import type { ScoreDef, ScoreType } from '../../kernel/types.js';
import { preparePushedDown, quotes } from './prepare.js';

export { nps, npsSchema, type NpsDef } from './nps.js';
export { csat, csatSchema, type CsatDef } from './csat.js';
export { ces, cesSchema, type CesDef } from './ces.js';

export interface PreparedScore extends PreparedMetric {
  kind: 'score';
  /** the key-drivers analysis of a `drivers` section naming this metric (../drivers/) */
  drivers?: PreparedDrivers;
  /** preview only: drivers sections whose analysis could not be prepared, by section index */
  driverProblems?: Map<number, CxError>;
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
    pushdown: true,
    async prepare(ctx) {
      const def = ctx.def as never as ScoreDef;
      const source = ctx.source('source');
      let pm: PreparedMetric;
      const driven = ctx.config.plan.metrics.get(ctx.id)?.drivers ?? [];
      let drivers: PreparedDrivers | undefined;
      const driverProblems = new Map<number, CxError>();
      // granularity all keeps undated answers, which the database cells leave out: rows in memory
      if (isPushdown(source) && ctx.granularity !== 'all' && canPushDown(source.sql, def)) {
        pm = await preparePushedDown(ctx.id, def, type, source, ctx.config);
        // key drivers read the answers with their driver columns (the source's projected rows)
        if (driven.length) drivers = prepareDrivers(ctx.id, prepareMetric(ctx.id, def, type, await loadRows(source), ctx.config, { keepRows: true }), ctx.config, driven, driverProblems);
      } else {
        const rows = isPushdown(source) ? await loadRows(source) : source;
        pm = prepareMetric(ctx.id, def, type, rows, ctx.config, { dims: dimensionsOf(ctx.config, ctx.id, def), keepRows: quotes(ctx.config, ctx.id).length > 0 || driven.length > 0 });
        if (driven.length) drivers = prepareDrivers(ctx.id, pm, ctx.config, driven, driverProblems);
      }
      let latest: string | undefined | null = null;
      return {
        ...pm,
        kind: 'score',
        drivers,
        driverProblems,
        latestPeriod: () => (latest === null ? (latest = latestPeriod(pm)) : latest),
        // "data through" counts every dated answer, also one whose score is excluded
        lastTimestamp: lastTimestampOf(pm.table, pm.granularity),
      };
    },
    compute(prepared, ctx) {
      const r = metricResult(prepared, ctx.period, { breakdowns: ctx.breakdowns, minSample: ctx.minSample });
      if (prepared.drivers) {
        const { result } = computeDrivers(prepared.drivers, ctx.period, { granularity: ctx.granularity, minSample: r.minSample, locale: ctx.locale ?? 'en', label: r.label });
        r.extra = { ...r.extra, drivers: result };
      }
      return r;
    },
  };
}
