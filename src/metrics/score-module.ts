/**
 * A MetricModule for any score type (NPS, CSAT, CES, reviews): prepare validates scores (in
 * memory, or in the database for a pushdown source: see pushdown.ts), compute finalises statistics.
 */
import type { Config } from '../config/load.js';
import type { CxError } from '../kernel/errors.js';
import { tableFromColumns } from '../sources/columns.js';
import { ident, isPushdown, loadRows, type PushdownSource } from '../sources/sql.js';
import { canPushDown, dimensionsOf, pushDownCells, sourceDimensions } from './pushdown.js';
import { computeDrivers, prepareDrivers, type PreparedDrivers } from './drivers.js';
import type { QuoteNeed } from '../config/plan.js';
import { prepareMetric, latestPeriod, requireColumn, scoreDate, type PreparedMetric } from './prepare.js';
import { metricResult } from './results.js';
import type { MetricModule } from './module.js';
import { lastTimestampOf } from './timeline.js';
import type { ScoreDef, ScoreType } from '../kernel/types.js';

export interface PreparedScore extends PreparedMetric {
  kind: 'score';
  /** the key-drivers analysis of a `drivers` section naming this metric (drivers.ts) */
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

/** Validated cells computed by the database, and the commented rows verbatims sections quote. */
async function preparePushedDown(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, config: Config): Promise<PreparedMetric> {
  const what = `metric "${id}"`;
  requireColumn(source, def.score, config, ['metrics', id, 'score'], what);
  requireColumn(source, scoreDate(id, def, config)!, config, ['metrics', id, 'date'], what);
  for (const column of Object.keys(def.filter ?? {})) requireColumn(source, column, config, ['metrics', id, 'filter', column], what);
  const dims = sourceDimensions({ config, id, def }, source);
  const granularity = config.report.period.granularity;
  const cells = await pushDownCells(id, def, type, source, dims, granularity);
  const pm: PreparedMetric = { id, def, type, source, granularity, table: cells.table, engine: 'sql', rows: cells.table.filter(() => false), indicatorNames: cells.indicatorNames };
  const quoted = await commentedRows(id, def, type, source, config);
  return quoted ? { ...pm, rows: quoted.rows } : pm;
}

/** Rows with a comment in any text column a verbatims section of this metric quotes, validated in memory. */
async function commentedRows(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, config: Config): Promise<PreparedMetric | undefined> {
  const sections = quotes(config, id);
  const has = (c: unknown): c is string => typeof c === 'string' && source.columns.some((x) => x.name === c);
  const texts = [...new Set(sections.map((s) => s.text).filter(has))];
  if (texts.length === 0) return undefined;
  const wanted = new Set([def.date!, def.score, ...texts, ...Object.keys(def.filter ?? {})]);
  for (const s of sections) {
    for (const c of s.attribute) if (has(c)) wanted.add(c);
    for (const c of s.filter) if (has(c)) wanted.add(c);
  }
  const columns = [...wanted];
  const nonEmpty = texts.map((t) => `NULLIF(TRIM(CAST(${ident(t)} AS VARCHAR)), '') IS NOT NULL`).join(' OR ');
  const { names, rows } = await source.sql.run(`SELECT ${columns.map(ident).join(', ')} FROM ${source.sql.from()} WHERE ${nonEmpty}`);
  const table = tableFromColumns(source.name, source.file, names.map((n, i) => [n, rows.map((r) => r[i])]));
  return prepareMetric(id, def, type, { ...table, onInvalid: 'exclude' }, config, { keepRows: true });
}

/** What the verbatims sections quoting this metric's answers need (the plan). */
function quotes(config: Config, id: string): QuoteNeed[] {
  return config.plan.metrics.get(id)?.quotes ?? [];
}
