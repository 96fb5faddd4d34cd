/**
 * Cohort retention: customers grouped by the period of their first activity (signup, or first
 * row of an activity log); the share of each cohort active k periods later, k = 0, 1, 2, … — the
 * retention triangle. The headline value is the pooled k = `at` retention of the cohorts shown
 * that have reached k = `at` (Wilson interval), compared with the previous period by a pooled
 * z-test that counts cohorts shared by both windows once.
 *
 * Two inputs:
 * - subscriptions (`start`, `end`): one row per customer; active in a period when the
 *   subscription overlaps it (start before the period ends, no end or end on/after its start);
 * - an activity log (`date`): any number of rows per customer; active in a period with at least
 *   one row in it.
 */
import { ExclusionCounter } from './exclusions.js';
import { canPushDownCustomers, prepareCustomersSql } from './customers-pushdown.js';
import { isPushdown } from '../sources/sql.js';
import { andThen, columnValues, transactionsOf } from './transactions.js';
import { sourceDimensions } from './pushdown.js';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { z } from 'zod';
import { CxError } from '../kernel/errors.js';
import type { SourceTable } from '../sources/types.js';
import { palette } from '../kernel/theme.js';
import { formatter } from '../kernel/format.js';
import { localTranslator, unitName, type Locale } from '../kernel/i18n.js';
import {
  customerCount,
  customerFields,
  filterTextIn,
  groupsOf,
  ordinalPeriod,
  parseDate,
  periodOrdinal,
  prepareCustomers,
  timeIndex,
  timeOrdinal,
  type PreparedCustomers,
} from './customers.js';
import { describeFilter, filterSchema, type Filter } from '../kernel/filter.js';
import { prepareFromRows } from './module.js';
import type { Change, ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { periodOf, type CalendarGranularity, type Granularity } from '../kernel/period.js';
import { groupKey } from './prepare.js';
import { ALPHA, adjustGroups, makeResult, proportion } from './result-builders.js';
import { metricFields } from './score/schema.js';
import { twoSidedP } from '../kernel/stats.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    title: 'Cohort retention',
    'label.month': 'Month-{at} retention',
    'label.quarter': 'Quarter-{at} retention',
    'label.year': 'Year-{at} retention',
    test: 'pooled two-proportion z-test, cohorts shared by both windows counted once',
    'units.month': 'months',
    'units.quarter': 'quarters',
    'units.year': 'years',
    'method.subscription':
      'Customers are grouped into cohorts by the {unit} of their start date (`{column}`); a customer counts as active k {units} later when their subscription overlaps that {unit} (started before it ends, and no end date or an end date on or after its first day), so k = 0 is always 100%. Rows with a missing id, a missing or invalid start date, an invalid end date, an end before the start, or a repeated id are excluded and counted.',
    'method.activity':
      'Customers are grouped into cohorts by the {unit} of their first row in the activity log (`{column}`); a customer counts as active k {units} later when they have at least one row in that {unit}, so k = 0 is 100%. Rows with a missing id or a missing or invalid date are excluded and counted.',
    'method.rest':
      ' The triangle shows the {cohorts} most recent cohorts up to the current {unit}; share = active ÷ cohort size. ' +
      'Headline value: retention at k = {at}, pooled over the shown cohorts that have reached it (Σ active ÷ Σ size, i.e. a size-weighted average), with a Wilson 95% interval. ' +
      'Change vs the previous {unit}: the two windows share most cohorts, so the pooled z-test counts each cohort once: D = Σ a_c·x_c with a_c = [c in current window]/n₂ − [c in previous window]/n₁, Var D = p(1 − p)·Σ a_c²·n_c under one common retention probability p. ' +
      'Breakdowns group customers by their value of the column{firstRow}, with Benjamini–Hochberg adjusted p-values. Source: cohort retention as a triangle/heatmap (reference/metrics.md).',
    'method.firstRow': ' on their first row',
    'method.filter': ' Rows limited to {filter}.',
    empty: 'No cohorts with customers in the {cohorts} {units} up to {period}.',
    cohortLabel: '{cohort} (n = {n})',
    'k.month': 'M{k}',
    'k.quarter': 'Q{k}',
    'k.year': 'Y{k}',
    'axis.month': 'Months since joining',
    'axis.quarter': 'Quarters since joining',
    'axis.year': 'Years since joining',
    'legend.active': 'Active (%)',
    'title.none.month': 'No cohort has reached month {at} yet',
    'title.none.quarter': 'No cohort has reached quarter {at} yet',
    'title.none.year': 'No cohort has reached year {at} yet',
    'title.average': '{name} averages {value} over {count} cohorts',
    'title.average1': '{name} averages {value} over {count} cohort',
    'title.range': ': from {low} ({lowCohort}) to {high} ({highCohort})',
    caption: "Share of each {unit}'s new customers active k {units} later ({mode}). {count} cohorts, {customers} customers. Source: {source}.",
    'caption.subscription': 'subscription overlapping the period',
    'caption.activity': 'at least one activity in the period',
    'source.filter': '{source} ({filter})',
    alt: 'Heatmap of retention by cohort (rows, {first} to {last}) and {units} since joining (columns, 0 to {max}). {rows}.',
    'alt.row': '{cohort}: {shares}',
    'alt.shareSep': ', ',
    'alt.rowSep': '; ',
    'table.caption': 'Retention triangle: share active (%) k {units} after joining',
    'table.cohort': 'Cohort',
    'table.customers': 'Customers',
    'table.lowN': 'n < {min}',
    'table.footnote': "{k} = k {units} after the cohort's first {unit}. Blank cells have not happened yet. Cohorts with fewer than {min} customers are greyed.",
  },
  'zh-CN': {
    title: '同期群留存',
    'label.month': '第{at}个月留存率',
    'label.quarter': '第{at}个季度留存率',
    'label.year': '第{at}年留存率',
    test: '合并比例的双比例 z 检验，两个窗口共有的同期群只计一次',
    'units.month': '个月',
    'units.quarter': '个季度',
    'units.year': '年',
    'method.subscription':
      '客户按开始日期（`{column}`）所在{unit}划分为同期群；若客户的订阅与加入 k {units}后的那一期有重叠（在该期结束前开始，且没有结束日期或结束日期不早于该期第一天），即计为 k {units}后仍活跃，因此 k = 0 时始终为 100%。缺少 id、开始日期缺失或无效、结束日期无效、结束日期早于开始日期或 id 重复的行均被排除并计数。',
    'method.activity':
      '客户按其在活动日志（`{column}`）中第一条记录所在{unit}划分为同期群；若客户在加入 k {units}后的那一期至少有一条记录，即计为 k {units}后仍活跃，因此 k = 0 时为 100%。缺少 id 或日期缺失或无效的行均被排除并计数。',
    'method.rest':
      '留存三角显示截至当前{unit}最近的{cohorts}个同期群；占比 = 活跃客户数 ÷ 同期群规模。' +
      '核心数值：k = {at}时的留存率，按已到达该时点的所示同期群合并计算（Σ 活跃 ÷ Σ 规模，即按规模加权的平均值），并给出 Wilson 95% 置信区间。' +
      '与上期相比的变化：两个窗口共有大部分同期群，因此合并 z 检验对每个同期群只计一次：D = Σ a_c·x_c，其中 a_c = [c 属于当前窗口]/n₂ − [c 属于上期窗口]/n₁；在共同留存概率 p 的假设下，Var D = p(1 − p)·Σ a_c²·n_c。' +
      '细分分析按客户在该列上的取值{firstRow}分组，p 值经 Benjamini–Hochberg 法校正。来源：以三角表/热力图呈现的同期群留存（reference/metrics.md）。',
    'method.firstRow': '（以其第一条记录为准）',
    'method.filter': '仅统计满足{filter}的行。',
    empty: '截至{period}的{cohorts}{units}内没有含客户的同期群。',
    cohortLabel: '{cohort}（n = {n}）',
    'k.month': '{k}',
    'k.quarter': '{k}',
    'k.year': '{k}',
    'axis.month': '加入后的月数',
    'axis.quarter': '加入后的季度数',
    'axis.year': '加入后的年数',
    'legend.active': '活跃（%）',
    'title.none.month': '尚无同期群满{at}个月',
    'title.none.quarter': '尚无同期群满{at}个季度',
    'title.none.year': '尚无同期群满{at}年',
    'title.average': '{count}个同期群的{name}平均为{value}',
    'title.average1': '{count}个同期群的{name}平均为{value}',
    'title.range': '：从{low}（{lowCohort}）到{high}（{highCohort}）',
    caption: '每{unit}新客户在 k {units}后仍活跃的比例（{mode}）。共{count}个同期群、{customers}位客户。数据来源：{source}。',
    'caption.subscription': '订阅与该期有重叠',
    'caption.activity': '该期内至少有一次活动',
    'source.filter': '{source}（{filter}）',
    alt: '按同期群（行，{first}至{last}）和加入后的时长（列，0 至{max}{units}）展示的留存率热力图。{rows}。',
    'alt.row': '{cohort}：{shares}',
    'alt.shareSep': '、',
    'alt.rowSep': '；',
    'table.caption': '留存三角：加入 k {units}后仍活跃的比例（%）',
    'table.cohort': '同期群',
    'table.customers': '客户数',
    'table.lowN': 'n < {min}',
    'table.footnote': '列 {k} = 同期群首{unit}之后 k {units}。空白单元格表示尚未到达该时点。客户少于{min}位的同期群以灰色显示。',
  },
} satisfies Record<Locale, Record<string, string>>;

export const cohortRetentionSchema = z
  .strictObject({
    type: z.literal('cohort-retention'),
    source: customerFields.source.describe('Name of the source (under `sources:`): a customers table (with `start`/`end`) or an activity log such as orders (with `date`).').meta({ examples: ['customers', 'orders'] }),
    id: z.string().describe('Column holding the customer id: once per customer with `start`/`end`; any number of rows per customer with `date`.').meta({ examples: ['customer_id'] }),
    start: z.string().optional().describe('Subscriptions: column holding the date the customer started (defines the cohort). Give `end` too; do not give `date`.').meta({ examples: ['signup_date'] }),
    end: z.string().optional().describe('Subscriptions: column holding the date the customer left; empty while active.').meta({ examples: ['cancel_date'] }),
    date: z.string().optional().describe('Activity log: column holding each activity’s date; the cohort is the period of a customer’s first row, and a customer is active in any period with a row. Do not give `start`/`end`.').meta({ examples: ['order_date'] }),
    cohorts: z.number().int().min(2).max(24).default(12).describe('Number of most recent cohorts shown in the triangle (up to and including the current period).'),
    at: z.number().int().min(1).max(23).default(3).describe('The headline value is the retention k = `at` periods after joining, pooled over the shown cohorts that have reached it; must be below `cohorts`.').meta({ examples: [3, 6] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Cohort retention: share of each signup (or first-activity) cohort still active k periods later, as a triangle and heatmap.');

export type CohortRetentionDef = z.infer<typeof cohortRetentionSchema>;

/** One cohort's size and the customers active k periods after it. */
interface Cohort {
  size: number;
  activeAt(k: number): number;
}

/** cohort ordinal → cohort, per group */
type CohortMap = Map<number, Cohort>;

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
function prepareCohortsAnywhere(ctx: PrepareContext<CohortRetentionDef>): PreparedCohorts | Promise<PreparedCohorts> {
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

// ---------------------------------------------------------------------------------------------
// Finalising: the pooled k = at share of a window of cohorts, and the overlap-aware change test
// ---------------------------------------------------------------------------------------------

/** Cohorts (with customers) in the window of period ordinal p: the `cohorts` latest that reached k = at. */
function windowOf(map: CohortMap | undefined, p: number, def: CohortRetentionDef): number[] {
  const out: number[] = [];
  if (!map) return out;
  for (let c = p - def.cohorts + 1; c <= p - def.at; c++) if ((map.get(c)?.size ?? 0) > 0) out.push(c);
  return out;
}

function pooled(map: CohortMap | undefined, cohorts: number[], k: number): { x: number; n: number } {
  let x = 0;
  let n = 0;
  for (const c of cohorts) {
    const cohort = map!.get(c)!;
    x += cohort.activeAt(k);
    n += cohort.size;
  }
  return { x, n };
}

/**
 * Change between the pooled shares of two windows of cohorts that may share cohorts:
 * D = x₂/n₂ − x₁/n₁ = Σ_c a_c·x_c with a_c = [c ∈ W₂]/n₂ − [c ∈ W₁]/n₁; under H₀ (one retention
 * probability p) the cohorts are independent binomials, so Var D = p(1 − p)·Σ_c a_c²·n_c, with p
 * pooled over the union of the windows. With disjoint windows this is the usual pooled z-test.
 */
export function overlapZTest(prev: { cohort: number; x: number; n: number }[], cur: { cohort: number; x: number; n: number }[]): { z: number | null; p: number | null } {
  const n1 = prev.reduce((a, c) => a + c.n, 0);
  const n2 = cur.reduce((a, c) => a + c.n, 0);
  if (n1 === 0 || n2 === 0) return { z: null, p: null };
  const union = new Map<number, { x: number; n: number; a: number }>();
  for (const c of prev) union.set(c.cohort, { x: c.x, n: c.n, a: -1 / n1 });
  for (const c of cur) {
    const u = union.get(c.cohort);
    if (u) u.a += 1 / n2;
    else union.set(c.cohort, { x: c.x, n: c.n, a: 1 / n2 });
  }
  let x = 0;
  let n = 0;
  let w = 0;
  let d = 0;
  for (const u of union.values()) {
    x += u.x;
    n += u.n;
    w += u.a * u.a * u.n;
    d += u.a * u.x;
  }
  const p = x / n;
  const variance = p * (1 - p) * w;
  if (!(variance > 0)) return { z: null, p: null };
  const z = d / Math.sqrt(variance);
  return { z, p: twoSidedP(z) };
}

interface WindowValue {
  value: PeriodValue;
  cells: { cohort: number; x: number; n: number }[];
}

function windowValue(map: CohortMap | undefined, p: number, def: CohortRetentionDef, g: Granularity, minSample: number): WindowValue {
  const cohorts = windowOf(map, p, def);
  const cells = cohorts.map((c) => ({ cohort: c, x: map!.get(c)!.activeAt(def.at), n: map!.get(c)!.size }));
  const { x, n } = pooled(map, cohorts, def.at);
  return { value: proportion(ordinalPeriod(p, g), x, n, minSample), cells };
}

function changeOf(prev: WindowValue, cur: WindowValue, test: string): Change {
  const t = overlapZTest(prev.cells, cur.cells);
  const previous = prev.value.value === null ? null : { period: prev.value.period, value: prev.value.value, n: prev.value.n, ci: prev.value.ci };
  const delta = previous && cur.value.value !== null ? cur.value.value - previous.value! : null;
  return { previous, delta, test, statistic: t.z, p: t.p, significant: t.p !== null && t.p < ALPHA };
}

function method(pc: PreparedCohorts, locale: Locale): string {
  const def = pc.def;
  const g = pc.granularity as CalendarGranularity; // never `all` (needsPeriods)
  const t = localTranslator(MESSAGES, locale);
  const unit = unitName(locale, g);
  const units = t(`units.${g}`);
  const input = pc.mode === 'subscription' ? t('method.subscription', { unit, units, column: def.start! }) : t('method.activity', { unit, units, column: def.date! });
  const filterText = filterTextIn(def.filter, locale);
  return (
    input +
    t('method.rest', { cohorts: def.cohorts, unit, at: def.at, firstRow: pc.mode === 'activity' ? t('method.firstRow') : '' }) +
    (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

export interface CohortRow {
  cohort: string;
  size: number;
  retention: { k: number; active: number; share: number }[];
}

function triangle(map: CohortMap | undefined, p: number, def: CohortRetentionDef, g: Granularity): CohortRow[] {
  const rows: CohortRow[] = [];
  if (!map) return rows;
  for (let c = p - def.cohorts + 1; c <= p; c++) {
    const cohort = map.get(c);
    if (!cohort || cohort.size === 0) continue;
    const retention = [];
    for (let k = 0; k <= p - c; k++) {
      const active = cohort.activeAt(k);
      retention.push({ k, active, share: (100 * active) / cohort.size });
    }
    rows.push({ cohort: ordinalPeriod(c, g), size: cohort.size, retention });
  }
  return rows;
}

function computeCohorts(pc: PreparedCohorts, ctx: ComputeContext): MetricResult {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const test = tr('test');
  const g = ctx.granularity as CalendarGranularity; // never `all` (needsPeriods)
  const cur = periodOrdinal(ctx.period, g);
  const all = pc.cohortsBy().get('all');
  const minSample = ctx.minSample;
  const now = windowValue(all, cur, def, g, minSample);
  const before = windowValue(all, cur - 1, def, g, minSample);
  const change = changeOf(before, now, test);

  const firstCohort = all && all.size ? Math.min(...all.keys()) : undefined;
  const from = firstCohort === undefined ? cur : Math.min(firstCohort + def.at, cur);
  const series: PeriodValue[] = [];
  for (let p = from; p <= cur; p++) series.push(windowValue(all, p, def, g, minSample).value);

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const groups = pc.cohortsBy(column);
    const rows: GroupResult[] = [...groups.keys()].sort().map((group) => {
      const gc = windowValue(groups.get(group), cur, def, g, minSample);
      const gp = windowValue(groups.get(group), cur - 1, def, g, minSample);
      const ch = changeOf(gp, gc, test);
      return { group, ...gc.value, previous: ch.previous && { period: ctx.previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  const cohorts = triangle(all, cur, def, g);
  const average = [];
  for (let k = 0; k < def.cohorts; k++) {
    let active = 0;
    let size = 0;
    let count = 0;
    for (const row of cohorts) {
      const cell = row.retention[k];
      if (!cell) continue;
      active += cell.active;
      size += row.size;
      count++;
    }
    if (count === 0) break;
    average.push({ k, cohorts: count, size, active, share: (100 * active) / size });
  }
  const v = now.value;
  return makeResult({
    id: pc.id,
    type: 'cohort-retention',
    label: def.label ?? tr(`label.${g}`, { at: def.at }),
    title: tr('title'),
    unit: 'percent',
    higherIsBetter: true,
    domain: [0, 100],
    target: def.target ?? null,
    minSample,
    ...v,
    period: ctx.period,
    se: v.value !== null ? 100 * Math.sqrt(((v.value / 100) * (1 - v.value / 100)) / v.n) : null,
    ...change,
    ...pc.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pc, locale),
    extra: {
      mode: pc.mode,
      at: def.at,
      window: now.cells.map((c) => ordinalPeriod(c.cohort, g)),
      cohorts,
      averageByK: average,
    },
  });
}

/** Heatmap of the triangle (cohort × k, share labels) and the triangle as a table. */
export function cohortVisual(r: MetricResult, pc: PreparedCohorts, ctx: VisualContext): VisualBlock[] {
  const g = pc.granularity as CalendarGranularity; // never `all` (needsPeriods)
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const unit = unitName(locale, g);
  const units = t(`units.${g}`);
  const rows = (r.extra.cohorts ?? []) as CohortRow[];
  if (rows.length === 0) return [{ kind: 'text', paragraphs: [t('empty', { cohorts: def.cohorts, units, period: ctx.periodLabel(ctx.period) })] }];
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const kLabel = (k: number | string) => t(`k.${g}`, { k });
  const cohortLabel = (row: CohortRow) => t('cohortLabel', { cohort: short(row.cohort), n: fmt.count(row.size) });
  const order = rows.map(cohortLabel);
  const values = rows.flatMap((row) => row.retention.map((cell) => ({ cohort: cohortLabel(row), k: kLabel(cell.k), kn: cell.k, share: cell.share, active: cell.active, size: row.size, text: `${Math.round(cell.share)}%` })));
  const ks = Array.from({ length: Math.max(...rows.map((row) => row.retention.length)) }, (_, k) => kLabel(k));
  const x = { field: 'k', type: 'ordinal' as const, sort: ks, title: t(`axis.${g}`), axis: { orient: 'top' as const, labelAngle: 0 } };
  const y = { field: 'cohort', type: 'ordinal' as const, sort: order, title: null, axis: { labelLimit: 220 } };
  // the colour scale spans the data's range (down to the lowest share, rounded down to 5 points), not 0–100,
  // so that cells from 68% to 100% are told apart; white text on the darker half
  const shares = values.map((v) => v.share).filter((v) => Number.isFinite(v));
  const floor = shares.length ? Math.max(0, Math.min(Math.floor(Math.min(...shares) / 5) * 5, 95)) : 0;
  const ceiling = shares.length ? Math.max(floor + 5, Math.min(100, Math.ceil(Math.max(...shares) / 5) * 5)) : 100;
  const dark = floor + 0.55 * (ceiling - floor);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600 - 110,
    height: { step: 28 },
    data: { values },
    layer: [
      { mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 }, encoding: { x, y, color: { field: 'share', type: 'quantitative', title: t('legend.active'), scale: { domain: [floor, ceiling], range: ['#f3f6fa', palette.primary], clamp: true }, legend: { orient: 'right', format: '.0f', gradientLength: 160 } } } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { x, y, text: { field: 'text' }, color: { condition: { test: `datum.share >= ${dark}`, value: '#ffffff' }, value: palette.ink } } },
    ],
  };
  const at = r.extra.at as number;
  const reached = rows.filter((row) => row.retention[at]);
  const best = reached.length ? reached.reduce((a, b) => (b.retention[at].share > a.retention[at].share ? b : a)) : undefined;
  const worst = reached.length ? reached.reduce((a, b) => (b.retention[at].share < a.retention[at].share ? b : a)) : undefined;
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  const title =
    r.value === null
      ? t(`title.none.${g}`, { at })
      : t(reached.length === 1 ? 'title.average1' : 'title.average', { name: t(`label.${g}`, { at }), value: pct(r.value), count: reached.length }) +
        (best && worst && best !== worst ? t('title.range', { low: pct(worst.retention[at].share), lowCohort: short(worst.cohort), high: pct(best.retention[at].share), highCohort: short(best.cohort) }) : '');
  const total = rows.reduce((a, row) => a + row.size, 0);
  const maxK = ks.length - 1;
  const filterText = filterTextIn(def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pc.source.name) ?? pc.source.name, filter: filterText }) : (ctx.sourceLabel?.(pc.source.name) ?? pc.source.name);
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-cohorts-${pc.id}`),
        title,
        caption: t('caption', { unit, units, mode: t(pc.mode === 'subscription' ? 'caption.subscription' : 'caption.activity'), count: rows.length, customers: fmt.count(total), source }),
        alt: t('alt', {
          first: short(rows[0].cohort),
          last: short(rows[rows.length - 1].cohort),
          units,
          max: maxK,
          rows: rows.map((row) => t('alt.row', { cohort: short(row.cohort), shares: row.retention.map((c) => `${Math.round(c.share)}%`).join(t('alt.shareSep')) })).join(t('alt.rowSep')),
        }),
        spec: spec as never,
        size: 'wide',
      },
    },
    {
      kind: 'table',
      table: {
        caption: t('table.caption', { units }),
        columns: [{ label: t('table.cohort') }, { label: t('table.customers'), align: 'right' }, ...ks.map((k) => ({ label: k, align: 'right' as const }))],
        rows: rows.map((row) => ({ cells: [ctx.periodLabel(row.cohort), fmt.count(row.size), ...ks.map((_, k) => (row.retention[k] ? fmt.number(row.retention[k].share, 'percent') : ''))], muted: row.size < r.minSample, note: row.size < r.minSample ? t('table.lowN', { min: r.minSample }) : undefined })),
        footnote: t('table.footnote', { k: kLabel('k'), units, unit, min: r.minSample }),
      },
    },
  ];
}

export const cohortRetentionModule: MetricModule<CohortRetentionDef, PreparedCohorts> = {
  type: 'cohort-retention',
  schema: cohortRetentionSchema,
  title: 'Cohort retention',
  pushdown: true,
  prepare: prepareCohortsAnywhere,
  needsPeriods: 'customers are grouped into cohorts by the period they started in',
  compute: computeCohorts,
};
