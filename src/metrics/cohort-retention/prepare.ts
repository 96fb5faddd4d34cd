/**
 * Cohorts of customers, from subscriptions (customers.ts, or counted by the database:
 * customers-pushdown.ts) or from an activity log (transaction cells: transactions.ts): each
 * cohort's size and its customers active k periods later, per group of a breakdown column.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ExclusionCounter } from '../exclusions.js';
import { canPushDownCustomers, prepareCustomersSql } from '../customers-pushdown.js';
import { isPushdown } from '../../sources/sql.js';
import { andThen, columnValues, transactionsOf } from '../transactions.js';
import { sourceDimensions } from '../pushdown.js';
import { CxError } from '../../kernel/errors.js';
import type { SourceTable } from '../../sources/types.js';
import { customerCount, groupsOf, parseDate, prepareCustomers, timeIndex, timeOrdinal, type PreparedCustomers } from '../customers.js';
import { describeFilter, type Filter } from '../../kernel/filter.js';
import { prepareFromRows, type Prepared, type PrepareContext } from '../module.js';
import { periodOf, type Granularity } from '../../kernel/period.js';
import { groupKey } from '../prepare.js';
import type { CohortRetentionDef } from './schema.js';

/** One cohort's size and the customers active k periods after it. */
export interface Cohort {
  size: number;
  activeAt(k: number): number;
}

/** cohort ordinal → cohort, per group */
export type CohortMap = Map<number, Cohort>;

export interface PreparedCohorts extends Prepared {
  kind: 'cohorts';
  id: string;
  def: CohortRetentionDef;
  mode: 'subscription' | 'activity';
  granularity: Granularity;
  source: SourceTable;
  exclusions: ExclusionCounter;
  filterText: string | null;
  /** cohorts per group for a breakdown column (undefined = everyone under "all"), memoised */
  cohortsBy(column?: string): Map<string, CohortMap>;
  /** 'sql' when the database counted the customers (customers-pushdown.ts) */
  engine?: 'sql';
}

function configError(ctx: PrepareContext<CohortRetentionDef>, message: string, hint: string): CxError {
  return new CxError('config', `metric "${ctx.id}": ${message}`, { location: ctx.config.yaml.locate(['metrics', ctx.id]), hint });
}

/** Cohorts from subscriptions: size per start period, and how many have ended before k periods. */
function subscriptionCohorts(pc: PreparedCustomers, column?: string): Map<string, CohortMap> {
  const t = pc.table.assign(aq.table({ __g: groupsOf(pc.table, column) }));
  const sizes = t.groupby('__g', '__sp').rollup(customerCount(pc)).objects() as { __g: string; __sp: number; count: number }[];
  // lifetime in periods: a customer ending in period sp + life is active for k ≤ life
  const ended = t
    .filter((d: Record<string, unknown>) => d.__ep !== null)
    .derive({ __life: (d: Record<string, number>) => d.__ep - d.__sp })
    .groupby('__g', '__sp', '__life')
    .rollup(customerCount(pc))
    .objects() as { __g: string; __sp: number; __life: number; count: number }[];
  const lifetimes = new Map<string, [number, number][]>();
  for (const e of ended) {
    const key = `${e.__g}\u0000${e.__sp}`;
    const list = lifetimes.get(key) ?? [];
    list.push([e.__life, e.count]);
    lifetimes.set(key, list);
  }
  const out = new Map<string, CohortMap>();
  for (const s of sizes) {
    const lives = lifetimes.get(`${s.__g}\u0000${s.__sp}`) ?? [];
    const map: CohortMap = out.get(s.__g) ?? new Map();
    map.set(s.__sp, {
      size: s.count,
      activeAt: (k: number) => s.count - lives.reduce((sum, [life, count]) => (life < k ? sum + count : sum), 0),
    });
    out.set(s.__g, map);
  }
  return out;
}

/** Activity log rows, validated: __id, __o (period ordinal) and __ts, plus the source columns. */
interface ActivityLog {
  table: ColumnTable;
  exclusions: ExclusionCounter;
  /** latest timestamp of each cell, ascending (for "data through") */
  times: Float64Array;
  engine: 'memory' | 'sql';
}

/**
 * The activity log as transaction cells (transactions.ts: customer × UTC day × grouping values, by
 * the database on a SQL source): what cohorts need is each customer's active periods and the
 * grouping values of their earliest cell. Rows without an id or a valid date are excluded.
 */
function prepareActivity(ctx: PrepareContext<CohortRetentionDef>, source: SourceTable): ActivityLog | Promise<ActivityLog> {
  const def = ctx.def;
  const g = ctx.granularity;
  const cells = transactionsOf(source, { customer: def.id, date: def.date! }, { filter: def.filter as Filter | undefined, parseDate, metric: ctx.id, dims: sourceDimensions(ctx, source), missingCustomer: 'missing id', customerFirst: true });
  return andThen(cells, (c) => {
    const exclusions = new ExclusionCounter();
    c.excluded.status.forEach((reason, i) => exclusions.add(Number.isFinite(c.excluded.ts[i]) ? periodOf(c.excluded.ts[i], g) : null, reason, c.excluded.n[i]));
    const first = columnValues<number>(c.valid, '__first');
    const table = c.valid.assign(aq.table({ __id: columnValues(c.valid, '__customer'), __ts: first, __o: Float64Array.from(first, (t) => timeOrdinal(t, g)) }));
    return { table, exclusions, times: Float64Array.from(columnValues<number>(c.valid, '__ts')), engine: c.engine };
  });
}

/** Cohorts from an activity log: first period per customer; distinct active customers per (cohort, k). */
function activityCohorts(log: ActivityLog, column?: string): Map<string, CohortMap> {
  // Each customer's group is their value of the column on their first (earliest) row.
  const firstRow = new Map<string, number>();
  const ids = columnValues<string>(log.table, '__id');
  const ts = columnValues<number>(log.table, '__ts');
  for (let i = 0; i < ids.length; i++) {
    const j = firstRow.get(ids[i]);
    if (j === undefined || ts[i] < ts[j]) firstRow.set(ids[i], i);
  }
  const values = column ? columnValues(log.table, column) : undefined;
  const ords = columnValues<number>(log.table, '__o');
  const customers = aq.table({
    __id: [...firstRow.keys()],
    __c: [...firstRow.values()].map((i) => ords[i]),
    __g: [...firstRow.values()].map((i) => (values ? groupKey(values[i]) : 'all')),
  });
  const cells = log.table
    .select('__id', '__o')
    .dedupe()
    .join(customers, '__id')
    .derive({ __k: (d: Record<string, number>) => d.__o - d.__c })
    .groupby('__g', '__c', '__k')
    .count()
    .objects() as { __g: string; __c: number; __k: number; count: number }[];
  const out = new Map<string, CohortMap>();
  const active = new Map<string, Map<number, Map<number, number>>>();
  for (const cell of cells) {
    const byCohort = active.get(cell.__g) ?? new Map<number, Map<number, number>>();
    const byK = byCohort.get(cell.__c) ?? new Map<number, number>();
    byK.set(cell.__k, cell.count);
    byCohort.set(cell.__c, byK);
    active.set(cell.__g, byCohort);
  }
  for (const [group, byCohort] of active) {
    const map: CohortMap = new Map();
    for (const [c, byK] of byCohort) map.set(c, { size: byK.get(0) ?? 0, activeAt: (k) => byK.get(k) ?? 0 });
    out.set(group, map);
  }
  return out;
}

function memo<T>(f: (column?: string) => T): (column?: string) => T {
  const cache = new Map<string, T>();
  return (column) => {
    const key = column ?? '\u0000all';
    if (!cache.has(key)) cache.set(key, f(column));
    return cache.get(key)!;
  };
}

/**
 * Subscriptions on a pushdown source are counted by the database (customers-pushdown.ts: start ×
 * end month cells are all cohorts need); an activity log on one is read into memory.
 */
export function prepareCohortsAnywhere(ctx: PrepareContext<CohortRetentionDef>): PreparedCohorts | Promise<PreparedCohorts> {
  const source = ctx.source('source');
  if (!isPushdown(source)) return prepareCohorts(ctx);
  const def = ctx.def;
  const subscription = { ...def, start: def.start ?? '', end: def.end ?? '' };
  if (def.date === undefined && def.start !== undefined && def.end !== undefined && canPushDownCustomers(source.sql, subscription)) {
    return prepareCohorts(ctx, () => prepareCustomersSql(ctx as unknown as PrepareContext<typeof subscription>, source));
  }
  if (def.date !== undefined) return prepareCohorts(ctx); // an activity log: transaction cells (transactions.ts)
  return prepareFromRows(ctx, source, (c: PrepareContext<CohortRetentionDef>) => prepareCohorts(c));
}

function prepareCohorts(ctx: PrepareContext<CohortRetentionDef>): PreparedCohorts | Promise<PreparedCohorts>;
function prepareCohorts(ctx: PrepareContext<CohortRetentionDef>, counted: () => Promise<PreparedCustomers>): Promise<PreparedCohorts>;
function prepareCohorts(ctx: PrepareContext<CohortRetentionDef>, counted?: () => Promise<PreparedCustomers>): PreparedCohorts | Promise<PreparedCohorts> {
  const def = ctx.def;
  const hasDate = def.date !== undefined;
  const hasSub = def.start !== undefined || def.end !== undefined;
  if (hasDate && hasSub) throw configError(ctx, 'give either `start`/`end` (subscriptions) or `date` (activity log), not both', 'remove `date:` for a customers table, or `start:`/`end:` for an activity log');
  if (!hasDate && !hasSub) throw configError(ctx, 'cohort-retention needs `start` and `end` (subscriptions) or `date` (activity log)', 'e.g. `start: signup_date, end: cancel_date`, or `date: order_date`');
  if (hasSub && (def.start === undefined || def.end === undefined)) throw configError(ctx, `missing \`${def.start === undefined ? 'start' : 'end'}\`: subscriptions need both a start and an end column`, 'add `end: cancel_date` (empty cells mean still active)');
  if (def.at >= def.cohorts) throw new CxError('config', `metric "${ctx.id}": at (${def.at}) must be below cohorts (${def.cohorts})`, { location: ctx.config.yaml.locate(['metrics', ctx.id, ctx.config.yaml.textOf(['metrics', ctx.id, 'at']) !== undefined ? 'at' : 'cohorts']), hint: `use at ≤ ${def.cohorts - 1}, or show more cohorts` });
  const base = { kind: 'cohorts' as const, id: ctx.id, def, granularity: ctx.granularity, filterText: def.filter ? describeFilter(def.filter) : null };
  if (hasSub) {
    const fromCustomers = (pc: PreparedCustomers): PreparedCohorts => ({ ...base, mode: 'subscription', source: pc.source, exclusions: pc.exclusions, cohortsBy: memo((column) => subscriptionCohorts(pc, column)), latestPeriod: pc.latestPeriod, lastTimestamp: pc.lastTimestamp, ...(pc.engine ? { engine: pc.engine } : {}) });
    if (counted) return counted().then(fromCustomers);
    return fromCustomers(prepareCustomers(ctx as unknown as PrepareContext<{ id: string; start: string; end: string; filter?: CohortRetentionDef['filter'] }>));
  }
  const source = ctx.source('source');
  ctx.requireColumn(source, def.id, ['id']);
  ctx.requireColumn(source, def.date!, ['date']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  return andThen(prepareActivity(ctx, source), (log): PreparedCohorts => ({ ...base, mode: 'activity', source, exclusions: log.exclusions, cohortsBy: memo((column) => activityCohorts(log, column)), ...timeIndex(log.times, ctx.granularity), ...(log.engine === 'sql' ? { engine: 'sql' as const } : {}) }));
}
