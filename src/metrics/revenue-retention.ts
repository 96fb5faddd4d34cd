/**
 * Net and gross revenue retention from monthly MRR snapshots (one row per customer and month).
 * Per period, between the previous period's snapshot and this period's:
 *   start       = MRR of customers paying in the previous snapshot
 *   expansion   = increases among customers paying in both
 *   contraction = decreases among customers paying in both
 *   churned     = previous MRR of customers no longer paying (absent or 0)
 *   new         = MRR of customers paying now who were not paying before
 *   NRR = (start + expansion − contraction − churned)/start, GRR = (start − contraction − churned)/start.
 * NRR and GRR are ratios of sums over the starting customers, so their 95% interval is a
 * percentile bootstrap over those customers (seeded, deterministic), and the change test a
 * bootstrap that resamples the customers of both periods jointly.
 */
import { ExclusionCounter } from './exclusions.js';
import { rowRejecter } from './invalid.js';
import * as aq from 'arquero';
import { z } from 'zod';
import type { SourceTable } from '../sources/types.js';
import { formatter } from '../kernel/format.js';
import { d3FormatFor, localTranslator, periodLabelIn, unitName, type Locale } from '../kernel/i18n.js';
import { palette } from '../kernel/theme.js';
import { filterTextIn, filteredTable, ordinalPeriod, parseDate, periodOrdinal, timeOrdinal } from './customers.js';
import { describeFilter, filterSchema } from '../kernel/filter.js';
import type { Change, ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { periodOf, plausibleDates, type Granularity } from '../kernel/period.js';
import { groupKey } from './prepare.js';
import { ALPHA, adjustGroups, makeResult } from './result-builders.js';
import { metricFields } from './score/schema.js';
import { quantileSorted } from '../kernel/stats.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    'name.nrr': 'Net revenue retention',
    'name.grr': 'Gross revenue retention',
    test: 'bootstrap over customers of both periods ({resamples} resamples, seed {seed})',
    'test.few': '{test}; not computed with fewer than {min} starting customers in a period',
    method:
      "MRR bridge between the previous {unit}'s snapshot and this {unit}'s (the latest month with data in each {unit}): start = MRR of customers paying in the earlier snapshot; expansion and contraction = increases and decreases among customers paying in both; churned = earlier MRR of customers no longer paying (absent, or MRR 0); new = MRR of customers paying now who were not before (including returning customers). " +
      'NRR = (start + expansion − contraction − churned)/start × 100; GRR = (start − contraction − churned)/start × 100 (at most 100%). The headline value is {measure}; n = customers paying at the start. ' +
      '95% interval: percentile bootstrap over the starting customers ({resamples} resamples with replacement, seeded Mulberry32 generator, seed {seed}; R type-7 quantiles), so it is the same on every build of the same data. ' +
      'Change vs the previous {unit}: the two periods share customers, so the customers of both are resampled jointly and p = 2·(min(#Δ* ≤ 0, #Δ* ≥ 0) + 1)/(B + 1); not tested when either period has fewer than {min} starting customers. ' +
      'Rows with a missing id, a missing or invalid month, a missing, non-numeric or negative MRR, or a customer-month that occurs more than once are excluded (never corrected) and counted. ' +
      'Breakdowns group customers by their value at the earlier snapshot, with Benjamini–Hochberg adjusted p-values. Source: expansion revenue, NRR and GRR (reference/metrics.md).',
    'method.filter': ' Rows limited to {filter}.',
    empty: 'No MRR snapshots for both {period} and the period before it, so there is no MRR bridge.',
    'step.total': 'MRR {period}',
    'step.new': 'New',
    'step.expansion': 'Expansion',
    'step.contraction': 'Contraction',
    'step.churned': 'Churned',
    'axis.mrr': 'MRR',
    'balance.expansion': 'expansion of {expansion} outweighed {lost} contraction and churn',
    'balance.lost': '{lost} contraction and churn outweighed {expansion} expansion',
    'title.none': 'No paying customers in {period}',
    'title.grr': 'GRR {grr} in {period}: {lost} lost to contraction and churn (NRR {nrr})',
    'title.nrr': 'NRR {nrr} in {period}: {balance} (GRR {grr})',
    caption:
      'MRR bridge from the {from} snapshot to {to}: {customers} customers paying at the start, {churned} churned, {new} new. NRR = (start + expansion − contraction − churned) ÷ start; 95% interval by bootstrap over customers.{axis} Source: {source}.',
    'caption.axis': ' The MRR axis starts at {floor}, not at zero, so that the changes are visible.',
    'source.filter': '{source} ({filter})',
    alt: 'Waterfall chart of MRR from {from} to {to}: start {start}, new {new}, expansion {expansion}, contraction {contraction}, churned {churned}, end {end}; NRR {nrr}, GRR {grr}.',
    'table.caption': 'MRR bridge per {unit}, last {count}',
    'table.period': 'Period',
    'table.start': 'Start',
    'table.new': 'New',
    'table.expansion': 'Expansion',
    'table.contraction': 'Contraction',
    'table.churned': 'Churned',
    'table.end': 'End',
    'table.nrr': 'NRR (%)',
    'table.grr': 'GRR (%)',
    'table.footnote': 'Amounts are monthly recurring revenue at the snapshots.',
    'table.trailing': ' Trailing 12 months (customers paying in {period}): NRR {nrr}, GRR {grr}.',
  },
  'zh-CN': {
    'name.nrr': '净收入留存率',
    'name.grr': '总收入留存率',
    test: '两期客户联合重抽样的自助法检验，{resamples}次重抽样，随机种子{seed}',
    'test.few': '{test}；任一期期初付费客户少于{min}位时不计算',
    method:
      '上一{unit}快照与本{unit}快照（各取该{unit}内有数据的最后一个月）之间的 MRR 变动分解：期初 = 较早快照中付费客户的 MRR；扩展与收缩 = 两次快照中均付费的客户的 MRR 增加额与减少额；流失 = 不再付费（缺失或 MRR 为 0）的客户在较早快照中的 MRR；新增 = 本期付费而此前未付费的客户的 MRR（包括回流客户）。' +
      'NRR = (期初 + 扩展 − 收缩 − 流失)/期初 × 100；GRR = (期初 − 收缩 − 流失)/期初 × 100（最高 100%）。核心数值为{measure}；n = 期初付费客户数。' +
      '95% 置信区间：对期初客户进行百分位自助法（bootstrap）重抽样（有放回重抽样{resamples}次，使用带种子的 Mulberry32 生成器，随机种子{seed}；R 第 7 类分位数），因此同一数据每次生成的结果相同。' +
      '与上期相比的变化：两期共享客户，因此对两期的客户联合重抽样，p = 2·(min(#Δ* ≤ 0, #Δ* ≥ 0) + 1)/(B + 1)；任一期期初付费客户少于{min}位时不作检验。' +
      '缺少 id、月份缺失或无效、MRR 缺失、非数字或为负，或同一客户同一月份出现不止一次的行均被排除（从不修正）并计数。' +
      '细分分析按客户在较早快照中的取值分组，p 值经 Benjamini–Hochberg 法校正。来源：扩展收入、NRR 与 GRR（reference/metrics.md）。',
    'method.filter': '仅统计满足{filter}的行。',
    empty: 'MRR 快照未能同时覆盖{period}及其上一期，因此没有 MRR 变动分解。',
    'step.total': '{period} MRR',
    'step.new': '新增',
    'step.expansion': '扩展',
    'step.contraction': '收缩',
    'step.churned': '流失',
    'axis.mrr': 'MRR',
    'balance.expansion': '扩展{expansion}超过收缩与流失合计{lost}',
    'balance.lost': '收缩与流失合计{lost}超过扩展{expansion}',
    'title.none': '{period}没有付费客户',
    'title.grr': '{period} GRR 为{grr}：收缩与流失共损失{lost}（NRR {nrr}）',
    'title.nrr': '{period} NRR 为{nrr}：{balance}（GRR {grr}）',
    caption:
      '从{from}快照到{to}的 MRR 变动分解：期初付费客户{customers}位，流失{churned}位，新增{new}位。NRR = (期初 + 扩展 − 收缩 − 流失) ÷ 期初；95% 置信区间由对客户的自助法重抽样得出。{axis}数据来源：{source}。',
    'caption.axis': 'MRR 坐标轴从{floor}起，而非从零开始，以便看清各项变动。',
    'source.filter': '{source}（{filter}）',
    alt: '{from}至{to} MRR 的瀑布图：期初{start}，新增{new}，扩展{expansion}，收缩{contraction}，流失{churned}，期末{end}；NRR {nrr}，GRR {grr}。',
    'table.caption': '每{unit} MRR 变动分解（最近{count}期）',
    'table.period': '期间',
    'table.start': '期初',
    'table.new': '新增',
    'table.expansion': '扩展',
    'table.contraction': '收缩',
    'table.churned': '流失',
    'table.end': '期末',
    'table.nrr': 'NRR（%）',
    'table.grr': 'GRR（%）',
    'table.footnote': '金额为各快照时点的月度经常性收入（MRR）。',
    'table.trailing': '过去 12 个月（{period}付费的客户）：NRR {nrr}，GRR {grr}。',
  },
} satisfies Record<Locale, Record<string, string>>;

export const revenueRetentionSchema = z
  .strictObject({
    type: z.literal('revenue-retention'),
    source: z.string().describe('Name of the source (under `sources:`) holding monthly MRR snapshots: one row per customer and month.').meta({ examples: ['mrr'] }),
    id: z.string().describe('Column holding the customer id.').meta({ examples: ['customer_id'] }),
    month: z.string().describe('Column holding the snapshot month, "YYYY-MM" (or an ISO date within the month).').meta({ examples: ['month'] }),
    mrr: z.string().describe('Column holding the monthly recurring revenue of the customer in that month (≥ 0; 0 or absent = not paying).').meta({ examples: ['mrr'] }),
    measure: z.enum(['nrr', 'grr']).default('nrr').describe('Headline value: net revenue retention (with expansion) or gross revenue retention (without expansion, at most 100%).'),
    resamples: z.number().int().min(100).max(10000).default(500).describe('Bootstrap resamples for the 95% interval and the change test.'),
    seed: z.number().int().min(0).default(1).describe('Seed of the bootstrap’s random number generator (the same data and seed give the same interval).'),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Revenue retention (NRR/GRR) from monthly MRR snapshots, with the MRR bridge: start, new, expansion, contraction, churned, end.');

export type RevenueRetentionDef = z.infer<typeof revenueRetentionSchema>;

/** One month's snapshot: paying customers (index), their MRR and source row. */
interface Snapshot {
  month: number;
  customer: Int32Array;
  mrr: Float64Array;
  row: Int32Array;
}

export interface PreparedRevenue extends Prepared {
  kind: 'revenue';
  id: string;
  def: RevenueRetentionDef;
  granularity: Granularity;
  source: SourceTable;
  exclusions: ExclusionCounter;
  filterText: string | null;
  customers: number;
  /** snapshots by month ordinal (year·12 + month − 1) */
  snapshots: Map<number, Snapshot>;
  /** the source rows (after the filter), for group columns */
  table: import('arquero').ColumnTable;
  /** per-customer pairs of two snapshots, shared by every metric on the same rows and columns (see `sharedPreparations`) */
  cache: Map<string, unknown>;
  /** the measures of the metrics sharing these rows, by "resamples:seed": bootstrapped together */
  measures: Map<string, Set<'nrr' | 'grr'>>;
}

/** What the metrics on the same rows and columns share: everything `prepareRevenue` derives from them. */
type SharedRevenue = Pick<PreparedRevenue, 'exclusions' | 'customers' | 'snapshots' | 'table' | 'cache' | 'measures' | 'latestPeriod' | 'lastTimestamp'>;

/**
 * One preparation per source rows (the table object, so also per SQL source read into memory
 * once) and id, month and MRR columns, filter and granularity: an NRR and a GRR metric on the
 * same snapshots validate them once and share their pairs and bootstraps. Weakly held: gone with
 * the source; a preview rebuild of unchanged data (same source objects) reuses it.
 */
const sharedPreparations = new WeakMap<object, Map<string, SharedRevenue>>();

const monthKey = (m: number) => ordinalPeriod(m, 'month');
const monthStart = (m: number) => Date.UTC(Math.floor(m / 12), m % 12, 1);

/** A month cell as a month ordinal: "2026-10" or an ISO date/timestamp within the month. */
export function monthOrdinal(raw: unknown): number {
  if (typeof raw !== 'string') return NaN;
  const s = raw.trim();
  const m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? Number(m[1]) * 12 + month - 1 : NaN;
  }
  const t = parseDate(s);
  return Number.isFinite(t) ? timeOrdinal(t, 'month') : NaN;
}

function mrrOf(raw: unknown): number | 'missing MRR' | 'MRR not a number' | 'negative MRR' {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return 'missing MRR';
  const v = typeof raw === 'number' ? raw : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(raw)) ? Number(raw) : NaN;
  if (!Number.isFinite(v)) return 'MRR not a number';
  if (v < 0) return 'negative MRR';
  return v;
}

function prepareRevenue(ctx: PrepareContext<RevenueRetentionDef>): PreparedRevenue {
  const def = ctx.def;
  const g = ctx.granularity;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.id, ['id']);
  ctx.requireColumn(source, def.month, ['month']);
  ctx.requireColumn(source, def.mrr, ['mrr']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  // (the plausible date range decides which ISO dates are read: report.date_range)
  const key = JSON.stringify([def.id, def.month, def.mrr, def.filter ?? null, g, plausibleDates().label]);
  const byKey = sharedPreparations.get(source.table) ?? new Map<string, SharedRevenue>();
  sharedPreparations.set(source.table, byKey);
  let shared = byKey.get(key);
  if (!shared) {
    // not kept when it throws (on_invalid: error): each metric then fails with its own name
    shared = prepareShared(source, def, g, ctx.id);
    byKey.set(key, shared);
  }
  const together = `${def.resamples}:${def.seed}`;
  shared.measures.set(together, (shared.measures.get(together) ?? new Set()).add(def.measure));
  return { kind: 'revenue', id: ctx.id, def, granularity: g, source, filterText: def.filter ? describeFilter(def.filter) : null, ...shared };
}

/** Validates the snapshots of a source once for every metric on the same columns (`metric` names the first, for on_invalid: error). */
function prepareShared(source: SourceTable, def: RevenueRetentionDef, g: Granularity, metric: string): SharedRevenue {
  const table = filteredTable(source, def.filter);
  const n = table.numRows();
  const ids = table.array(def.id) as ArrayLike<unknown>;
  const months = table.array(def.month) as ArrayLike<unknown>;
  const values = table.array(def.mrr) as ArrayLike<unknown>;
  const exclusions = new ExclusionCounter();
  const period = (m: number) => (Number.isFinite(m) ? periodOf(monthStart(m), g) : null);

  const id: string[] = new Array(n);
  const month = new Float64Array(n);
  const mrr = new Float64Array(n);
  const reason: (string | null)[] = new Array(n).fill(null);
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    id[i] = ids[i] === null || ids[i] === undefined ? '' : String(ids[i]).trim();
    month[i] = monthOrdinal(months[i]);
    const v = mrrOf(values[i]);
    if (id[i] === '') reason[i] = 'missing id';
    else if (!Number.isFinite(month[i])) reason[i] = 'missing or invalid month';
    else if (typeof v === 'string') reason[i] = v;
    else mrr[i] = v;
    if (id[i] !== '' && Number.isFinite(month[i])) {
      const key = `${id[i]}\u0000${month[i]}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  const customerIndex = new Map<string, number>();
  const byMonth = new Map<number, { customer: number[]; mrr: number[]; row: number[] }>();
  const reject = rowRejecter(source, table, metric);
  for (let i = 0; i < n; i++) {
    if (reason[i] === null && (seen.get(`${id[i]}\u0000${month[i]}`) ?? 0) > 1) reason[i] = 'duplicate customer-month';
    if (reason[i] === 'missing id' || reason[i] === 'duplicate customer-month') reject(i, def.id, ids[i], reason[i]!);
    else if (reason[i] === 'missing or invalid month') reject(i, def.month, months[i], 'missing or invalid month (YYYY-MM or an ISO date expected)');
    else if (reason[i] !== null) reject(i, def.mrr, values[i], reason[i]!);
    if (reason[i] !== null) {
      exclusions.add(period(month[i]), reason[i]!);
      continue;
    }
    let c = customerIndex.get(id[i]);
    if (c === undefined) customerIndex.set(id[i], (c = customerIndex.size));
    const entry = byMonth.get(month[i]) ?? { customer: [], mrr: [], row: [] };
    entry.customer.push(c);
    entry.mrr.push(mrr[i]);
    entry.row.push(i);
    byMonth.set(month[i], entry);
  }
  // customers are numbered in the text order of their ids, so that the bootstrap (which visits
  // customers in this order) gives the same interval whatever order the rows come in — a database
  // returns them in no particular order
  const names = [...customerIndex.keys()];
  const rank = new Int32Array(names.length);
  names
    .map((_, c) => c)
    .sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0))
    .forEach((c, r) => (rank[c] = r));
  const snapshots = new Map<number, Snapshot>();
  for (const m of [...byMonth.keys()].sort((a, b) => a - b)) {
    const e = byMonth.get(m)!;
    snapshots.set(m, { month: m, customer: Int32Array.from(e.customer, (c) => rank[c]), mrr: Float64Array.from(e.mrr), row: Int32Array.from(e.row) });
  }
  const monthsSorted = [...snapshots.keys()];
  return {
    exclusions,
    customers: customerIndex.size,
    snapshots,
    table,
    cache: new Map(),
    measures: new Map(),
    latestPeriod: () => (monthsSorted.length ? periodOf(monthStart(monthsSorted[monthsSorted.length - 1]), g) : undefined),
    lastTimestamp(p) {
      const last = snapshotMonth({ snapshots } as PreparedRevenue, periodOrdinal(p, g), g, true);
      return last === undefined ? undefined : monthStart(last + 1) - 1;
    },
  };
}

/** The snapshot month of report period ordinal p: its latest month with data (or, `upTo`, the latest at or before it). */
function snapshotMonth(pr: Pick<PreparedRevenue, 'snapshots'>, p: number, g: Granularity, upTo = false): number | undefined {
  let best: number | undefined;
  for (const m of pr.snapshots.keys()) {
    const q = timeOrdinal(monthStart(m), g);
    if ((upTo ? q <= p : q === p) && (best === undefined || m > best)) best = m;
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// The MRR bridge between two snapshots
// ---------------------------------------------------------------------------------------------

export interface Bridge {
  start: number;
  new: number;
  expansion: number;
  contraction: number;
  churned: number;
  end: number;
  customers: { atStart: number; new: number; expanded: number; contracted: number; churned: number; atEnd: number };
}

/** Per-customer MRR at the two snapshots (paying customers at either), with the group of each. */
interface Pairs {
  customer: Int32Array;
  a: Float64Array;
  b: Float64Array;
  group: string[];
}

function pairs(pr: PreparedRevenue, m0: number, m1: number, column?: string): Pairs {
  const key = `pairs:${m0}:${m1}:${column ?? ''}`;
  const cached = pr.cache.get(key) as Pairs | undefined;
  if (cached) return cached;
  const s0 = pr.snapshots.get(m0)!;
  const s1 = pr.snapshots.get(m1)!;
  const values = column ? (pr.table.array(column) as ArrayLike<unknown>) : undefined;
  const at = new Map<number, { a: number; b: number; row: number; rowAfter: number }>();
  s0.customer.forEach((c, j) => at.set(c, { a: s0.mrr[j], b: 0, row: s0.row[j], rowAfter: -1 }));
  s1.customer.forEach((c, j) => {
    const e = at.get(c);
    if (e) {
      e.b = s1.mrr[j];
      e.rowAfter = s1.row[j];
    } else at.set(c, { a: 0, b: s1.mrr[j], row: -1, rowAfter: s1.row[j] });
  });
  const entries = [...at.entries()].filter(([, e]) => e.a > 0 || e.b > 0).sort(([x], [y]) => x - y);
  // A customer's group is their value at the earlier snapshot (or the later one for new customers).
  const out: Pairs = {
    customer: Int32Array.from(entries, ([c]) => c),
    a: Float64Array.from(entries, ([, e]) => e.a),
    b: Float64Array.from(entries, ([, e]) => e.b),
    group: entries.map(([, e]) => (values ? groupKey(values[e.a > 0 ? e.row : e.rowAfter]) : 'all')),
  };
  pr.cache.set(key, out);
  return out;
}

const EMPTY_BRIDGE: Bridge = { start: 0, new: 0, expansion: 0, contraction: 0, churned: 0, end: 0, customers: { atStart: 0, new: 0, expanded: 0, contracted: 0, churned: 0, atEnd: 0 } };

/** The bridges of each pairs object (pairs are cached, so a period's bridges are rolled up once). */
const bridgesOf = new WeakMap<Pairs, Map<string, Bridge>>();

/** The bridge per group, rolled up with Arquero from the per-customer pairs. */
function bridges(p: Pairs): Map<string, Bridge> {
  const hit = bridgesOf.get(p);
  if (hit) return hit;
  const out = rollUp(p);
  bridgesOf.set(p, out);
  return out;
}

function rollUp(p: Pairs): Map<string, Bridge> {
  const t = aq.table({ g: p.group, a: p.a, b: p.b });
  const rows = t
    .derive({
      kept: (d: Record<string, number>) => (d.a > 0 && d.b > 0 ? 1 : 0),
    })
    .groupby('g')
    .rollup({
      start: 'd => op.sum(d.a)',
      end: 'd => op.sum(d.b)',
      expansion: 'd => op.sum(d.kept && d.b > d.a ? d.b - d.a : 0)',
      contraction: 'd => op.sum(d.kept && d.a > d.b ? d.a - d.b : 0)',
      churned: 'd => op.sum(d.a > 0 && d.b === 0 ? d.a : 0)',
      new: 'd => op.sum(d.a === 0 && d.b > 0 ? d.b : 0)',
      nStart: 'd => op.sum(d.a > 0 ? 1 : 0)',
      nEnd: 'd => op.sum(d.b > 0 ? 1 : 0)',
      nNew: 'd => op.sum(d.a === 0 && d.b > 0 ? 1 : 0)',
      nExpanded: 'd => op.sum(d.kept && d.b > d.a ? 1 : 0)',
      nContracted: 'd => op.sum(d.kept && d.a > d.b ? 1 : 0)',
      nChurned: 'd => op.sum(d.a > 0 && d.b === 0 ? 1 : 0)',
    })
    .objects() as Record<string, number | string>[];
  const out = new Map<string, Bridge>();
  for (const r of rows) {
    // sums of decimal amounts carry float noise (6171987.3800003305): round to a millionth
    const num = (k: string) => Math.round(Number(r[k]) * 1e6) / 1e6;
    out.set(String(r.g), {
      start: num('start'),
      new: num('new'),
      expansion: num('expansion'),
      contraction: num('contraction'),
      churned: num('churned'),
      end: num('end'),
      customers: { atStart: num('nStart'), new: num('nNew'), expanded: num('nExpanded'), contracted: num('nContracted'), churned: num('nChurned'), atEnd: num('nEnd') },
    });
  }
  return out;
}

const nrrOf = (b: Bridge) => (b.start > 0 ? (100 * (b.start + b.expansion - b.contraction - b.churned)) / b.start : null);
const grrOf = (b: Bridge) => (b.start > 0 ? (100 * (b.start - b.contraction - b.churned)) / b.start : null);

// ---------------------------------------------------------------------------------------------
// Bootstrap
// ---------------------------------------------------------------------------------------------

/** Mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starting customers' MRR (den) and what they keep (num: current MRR for NRR, capped at start for GRR). */
function contributions(p: Pairs, measure: 'nrr' | 'grr', group?: string): { customer: Int32Array; num: Float64Array; den: Float64Array } {
  const idx: number[] = [];
  for (let i = 0; i < p.a.length; i++) if (p.a[i] > 0 && (group === undefined || p.group[i] === group)) idx.push(i);
  return {
    customer: Int32Array.from(idx, (i) => p.customer[i]),
    den: Float64Array.from(idx, (i) => p.a[i]),
    num: Float64Array.from(idx, (i) => (measure === 'nrr' ? p.b[i] : Math.min(p.a[i], p.b[i]))),
  };
}

/** Percentile bootstrap of Σnum/Σden over customers: 95% interval and standard error, in percent. */
export function bootstrapRatio(num: Float64Array, den: Float64Array, resamples: number, seed: number): { ci: [number, number]; se: number } | null {
  const n = den.length;
  if (n === 0) return null;
  const rng = mulberry32(seed);
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const k = (rng() * n) | 0;
      s += num[k];
      d += den[k];
    }
    out[b] = (100 * s) / d;
  }
  return percentileInterval(out, resamples);
}

/** The 95% percentile interval and standard error of bootstrap replicates (sorted in place). */
function percentileInterval(out: Float64Array, resamples: number): { ci: [number, number]; se: number } {
  out.sort();
  const mean = out.reduce((a, b) => a + b, 0) / resamples;
  const se = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / (resamples - 1));
  return { ci: [quantileSorted(out, 0.025), quantileSorted(out, 0.975)], se };
}

/**
 * `bootstrapRatio` of two numerators over the same denominators (NRR and GRR of the same starting
 * customers) from one set of draws: the same seed draws the same customers in the same order, so
 * each result is exactly what `bootstrapRatio` gives for its numerator alone.
 */
export function bootstrapRatioPair(numA: Float64Array, numB: Float64Array, den: Float64Array, resamples: number, seed: number): [{ ci: [number, number]; se: number }, { ci: [number, number]; se: number }] | null {
  const n = den.length;
  if (n === 0) return null;
  const rng = mulberry32(seed);
  const outA = new Float64Array(resamples);
  const outB = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sa = 0;
    let sb = 0;
    let d = 0;
    for (let j = 0; j < n; j++) {
      const k = (rng() * n) | 0;
      sa += numA[k];
      sb += numB[k];
      d += den[k];
    }
    outA[b] = (100 * sa) / d;
    outB[b] = (100 * sb) / d;
  }
  return [percentileInterval(outA, resamples), percentileInterval(outB, resamples)];
}

/**
 * Bootstrap test of the change between two periods' ratios whose starting customers overlap:
 * customers of either period are resampled jointly, so a customer in both keeps both
 * contributions. Two-sided p = 2·(min(#d* ≤ 0, #d* ≥ 0) + 1)/(B + 1), capped at 1.
 */
export function bootstrapChange(
  prev: { customer: Int32Array; num: Float64Array; den: Float64Array },
  cur: { customer: Int32Array; num: Float64Array; den: Float64Array },
  resamples: number,
  seed: number,
): { statistic: number | null; p: number | null } {
  if (prev.den.length === 0 || cur.den.length === 0) return { statistic: null, p: null };
  const index = new Map<number, number>();
  const rows: number[][] = [];
  const add = (c: number, k: number, num: number, den: number) => {
    let i = index.get(c);
    if (i === undefined) {
      index.set(c, (i = rows.length));
      rows.push([0, 0, 0, 0]);
    }
    rows[i][k] = num;
    rows[i][k + 1] = den;
  };
  prev.customer.forEach((c, j) => add(c, 0, prev.num[j], prev.den[j]));
  cur.customer.forEach((c, j) => add(c, 2, cur.num[j], cur.den[j]));
  const n = rows.length;
  const flat = Float64Array.from(rows.flat());
  const rng = mulberry32(seed ^ 0x5bd1e995);
  const diffs: number[] = [];
  for (let b = 0; b < resamples; b++) {
    let n1 = 0;
    let d1 = 0;
    let n2 = 0;
    let d2 = 0;
    for (let j = 0; j < n; j++) {
      const k = ((rng() * n) | 0) * 4;
      n1 += flat[k];
      d1 += flat[k + 1];
      n2 += flat[k + 2];
      d2 += flat[k + 3];
    }
    if (d1 > 0 && d2 > 0) diffs.push((100 * n2) / d2 - (100 * n1) / d1);
  }
  if (diffs.length < 2) return { statistic: null, p: null };
  const sum = (x: Float64Array) => x.reduce((a, b) => a + b, 0);
  const observed = (100 * sum(cur.num)) / sum(cur.den) - (100 * sum(prev.num)) / sum(prev.den);
  const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (diffs.length - 1));
  const below = diffs.filter((d) => d <= 0).length;
  const above = diffs.filter((d) => d >= 0).length;
  const p = Math.min(1, (2 * (Math.min(below, above) + 1)) / (diffs.length + 1));
  return { statistic: sd > 0 ? observed / sd : null, p };
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

interface PeriodBridge {
  period: string;
  from: number;
  to: number;
  pairs: Pairs;
}

function periodBridge(pr: PreparedRevenue, p: number, column?: string): PeriodBridge | null {
  const g = pr.granularity;
  const m1 = snapshotMonth(pr, p, g);
  const m0 = snapshotMonth(pr, p - 1, g);
  if (m1 === undefined || m0 === undefined) return null;
  return { period: ordinalPeriod(p, g), from: m0, to: m1, pairs: pairs(pr, m0, m1, column) };
}

/** Bootstrap intervals per pairs object, then "resamples:seed:group", then measure. */
const bootstraps = new WeakMap<Pairs, Map<string, Map<string, ReturnType<typeof bootstrapRatio>>>>();

function estimate(pr: PreparedRevenue, pb: PeriodBridge | null, period: string, minSample: number, group?: string): { value: PeriodValue; se: number | null; bridge: Bridge } {
  const def = pr.def;
  if (!pb) return { value: { period, value: null, n: 0, ci: null, lowSample: true }, se: null, bridge: EMPTY_BRIDGE };
  const bridge = bridges(pb.pairs).get(group ?? 'all') ?? EMPTY_BRIDGE;
  const v = def.measure === 'nrr' ? nrrOf(bridge) : grrOf(bridge);
  // per pairs object (period and breakdown column, shared by the metrics on the same rows), group,
  // resamples and seed: the measures of every metric sharing the rows are bootstrapped together
  const byKey = bootstraps.get(pb.pairs) ?? new Map<string, Map<string, ReturnType<typeof bootstrapRatio>>>();
  bootstraps.set(pb.pairs, byKey);
  const together = `${def.resamples}:${def.seed}`;
  const key = `${together}:${group ?? ''}`;
  const done = byKey.get(key) ?? new Map<string, ReturnType<typeof bootstrapRatio>>();
  byKey.set(key, done);
  if (!done.has(def.measure)) {
    const measures = pr.measures.get(together);
    if (measures?.has('nrr') && measures.has('grr') && !done.has('nrr') && !done.has('grr')) {
      const nrr = contributions(pb.pairs, 'nrr', group);
      const grr = contributions(pb.pairs, 'grr', group);
      const both = bootstrapRatioPair(nrr.num, grr.num, nrr.den, def.resamples, def.seed);
      done.set('nrr', both?.[0] ?? null);
      done.set('grr', both?.[1] ?? null);
    } else {
      const c = contributions(pb.pairs, def.measure, group);
      done.set(def.measure, bootstrapRatio(c.num, c.den, def.resamples, def.seed));
    }
  }
  const boot = done.get(def.measure);
  const n = bridge.customers.atStart;
  return { value: { period, value: v, n, ci: v === null ? null : (boot?.ci ?? null), lowSample: n < minSample }, se: v === null ? null : (boot?.se ?? null), bridge };
}

/** Fewest starting customers per period for the bootstrap change test. */
export const MIN_TEST = 10;

function changeOf(pr: PreparedRevenue, locale: Locale, prev: PeriodBridge | null, cur: PeriodBridge | null, a: PeriodValue, b: PeriodValue, group?: string): Change {
  const def = pr.def;
  const tr = localTranslator(MESSAGES, locale);
  const test = tr('test', { resamples: def.resamples, seed: def.seed });
  const previous = a.value === null ? null : { period: a.period, value: a.value, n: a.n, ci: a.ci };
  if (!prev || !cur || a.value === null || b.value === null) return { previous, delta: null, test, statistic: null, p: null, significant: false };
  // A bootstrap of a handful of customers cannot represent the sampling distribution: no test.
  if (a.n < MIN_TEST || b.n < MIN_TEST) return { previous, delta: b.value - a.value, test: tr('test.few', { test, min: MIN_TEST }), statistic: null, p: null, significant: false };
  const t = bootstrapChange(contributions(prev.pairs, def.measure, group), contributions(cur.pairs, def.measure, group), def.resamples, def.seed);
  return { previous, delta: b.value - a.value, test, statistic: t.statistic, p: t.p, significant: t.p !== null && t.p < ALPHA };
}

function method(pr: PreparedRevenue, locale: Locale): string {
  const def = pr.def;
  const t = localTranslator(MESSAGES, locale);
  const filterText = filterTextIn(def.filter, locale);
  return (
    t('method', { unit: unitName(locale, pr.granularity), measure: def.measure === 'nrr' ? 'NRR' : 'GRR', resamples: def.resamples, seed: def.seed, min: MIN_TEST }) +
    (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

function bridgeRecord(pb: PeriodBridge, b: Bridge) {
  return { period: pb.period, from: monthKey(pb.from), to: monthKey(pb.to), start: b.start, new: b.new, expansion: b.expansion, contraction: b.contraction, churned: b.churned, end: b.end, nrr: nrrOf(b), grr: grrOf(b), customers: b.customers };
}

function computeRevenue(pr: PreparedRevenue, ctx: ComputeContext): MetricResult {
  const def = pr.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const g = ctx.granularity;
  const cur = periodOrdinal(ctx.period, g);
  const minSample = ctx.minSample;
  const pbCur = periodBridge(pr, cur);
  const pbPrev = periodBridge(pr, cur - 1);
  const now = estimate(pr, pbCur, ctx.period, minSample);
  const before = estimate(pr, pbPrev, ctx.previousPeriod, minSample);
  const change = changeOf(pr, locale, pbPrev, pbCur, before.value, now.value);

  const months = [...pr.snapshots.keys()];
  const first = months.length ? timeOrdinal(monthStart(months[0]), g) + 1 : cur;
  const series: PeriodValue[] = [];
  // each period's interval is a bootstrap: only for the periods the report shows
  for (let p = Math.min(first, cur); p <= cur; p++) {
    const key = ordinalPeriod(p, g);
    if (p === cur) series.push(now.value);
    else if (!ctx.displayed || ctx.displayed.has(key)) series.push(estimate(pr, periodBridge(pr, p), key, minSample).value);
  }

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const c = periodBridge(pr, cur, column);
    const b = periodBridge(pr, cur - 1, column);
    const groups = [...new Set([...(c?.pairs.group ?? []), ...(b?.pairs.group ?? [])])].sort();
    const rows: GroupResult[] = groups.map((group) => {
      const gc = estimate(pr, c, ctx.period, minSample, group);
      const gp = estimate(pr, b, ctx.previousPeriod, minSample, group);
      const ch = changeOf(pr, locale, b, c, gp.value, gc.value, group);
      return { group, ...gc.value, previous: gp.value.n > 0 ? { period: ctx.previousPeriod, value: gp.value.value, n: gp.value.n } : null, delta: ch.delta, p: ch.p, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  const recent = [];
  for (let p = cur - 5; p <= cur; p++) {
    const pb = periodBridge(pr, p);
    if (pb) recent.push(bridgeRecord(pb, bridges(pb.pairs).get('all') ?? EMPTY_BRIDGE));
  }
  let trailing12: unknown = null;
  if (pbCur && pr.snapshots.has(pbCur.to - 12)) {
    const b = bridges(pairs(pr, pbCur.to - 12, pbCur.to)).get('all') ?? EMPTY_BRIDGE;
    trailing12 = { from: monthKey(pbCur.to - 12), to: monthKey(pbCur.to), start: b.start, retained: b.start + b.expansion - b.contraction - b.churned, nrr: nrrOf(b), grr: grrOf(b), customers: b.customers.atStart };
  }

  return makeResult({
    id: pr.id,
    type: 'revenue-retention',
    label: def.label ?? (def.measure === 'nrr' ? 'NRR' : 'GRR'),
    title: tr(def.measure === 'nrr' ? 'name.nrr' : 'name.grr'),
    unit: 'ratio',
    higherIsBetter: true,
    domain: def.measure === 'grr' ? [0, 100] : null,
    target: def.target ?? null,
    minSample,
    ...now.value,
    se: now.se,
    ...change,
    ...pr.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pr, locale),
    extra: {
      measure: def.measure,
      nrr: nrrOf(now.bridge),
      grr: grrOf(now.bridge),
      bridge: pbCur ? bridgeRecord(pbCur, now.bridge) : null,
      bridges: recent,
      trailing12,
      bootstrap: { resamples: def.resamples, seed: def.seed, interval: 'percentile', generator: 'mulberry32' },
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Visual: the bridge as a waterfall, and the last 6 periods' bridges as a table
// ---------------------------------------------------------------------------------------------

export function revenueVisual(r: MetricResult, pr: PreparedRevenue, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const money = d3FormatFor(locale)('$,.0f');
  const signedMoney = (x: number) => (x >= 0 ? `+${money(x)}` : `−${money(-x)}`);
  const ratio = (v: number | null | undefined) => fmt.value(v, 'ratio');
  const bridge = r.extra.bridge as ReturnType<typeof bridgeRecord> | null;
  if (!bridge) return [{ kind: 'text', paragraphs: [t('empty', { period: ctx.periodLabel(ctx.period) })] }];
  const g = pr.granularity;
  // snapshots are months whatever the report's granularity
  const fromLabel = periodLabelIn(locale, bridge.from, 'month', 'short');
  const toLabel = periodLabelIn(locale, bridge.to, 'month', 'short');
  let level = bridge.start;
  const step = (name: string, amount: number, kind: 'Increase' | 'Decrease') => {
    const from = level;
    level += amount;
    return { step: name, y: from, y2: level, amount, kind, label: signedMoney(amount) };
  };
  const values = [
    { step: t('step.total', { period: fromLabel }), y: 0, y2: bridge.start, amount: bridge.start, kind: 'Total', label: money(bridge.start) },
    step(t('step.new'), bridge.new, 'Increase'),
    step(t('step.expansion'), bridge.expansion, 'Increase'),
    step(t('step.contraction'), -bridge.contraction, 'Decrease'),
    step(t('step.churned'), -bridge.churned, 'Decrease'),
    { step: t('step.total', { period: toLabel }), y: 0, y2: bridge.end, amount: bridge.end, kind: 'Total', label: money(bridge.end) },
  ].map((d) => ({ ...d, top: Math.max(d.y, d.y2) }));
  const order = values.map((d) => d.step);
  // The changes are small next to the totals: the axis starts near the lowest level (not at zero)
  // so that they stay visible; the total bars are clipped at the bottom and the caption says so.
  const levels = values.flatMap((d) => (d.kind === 'Total' ? [d.y2] : [d.y, d.y2]));
  const lowest = Math.min(...levels);
  const highest = Math.max(...levels);
  const pad = Math.max(highest - lowest, 0.002 * highest) * 0.6;
  const floor = lowest - 2 * pad > 0.25 * highest ? lowest - 2 * pad : 0;
  const x = { field: 'step', type: 'nominal' as const, sort: order, title: null, axis: { labelAngle: 0 } };
  const yScale = { type: 'quantitative' as const, title: t('axis.mrr'), axis: { format: '$,.0f', tickCount: 5 }, scale: floor > 0 ? { domain: [floor, highest + pad], zero: false, nice: false } : { zero: true, nice: true } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600,
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'bar', width: { band: 0.6 }, clip: true }, encoding: { x, y: { field: 'y', ...yScale }, y2: { field: 'y2' }, color: { field: 'kind', type: 'nominal', scale: { domain: ['Total', 'Increase', 'Decrease'], range: [palette.primary, palette.good, palette.bad] }, legend: null } } },
      { mark: { type: 'text', dy: -6, fontSize: 10, color: palette.ink }, encoding: { x, y: { field: 'top', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
  const nrr = bridge.nrr;
  const grr = bridge.grr;
  const lostTotal = bridge.contraction + bridge.churned;
  const balance = bridge.expansion >= lostTotal ? t('balance.expansion', { expansion: money(bridge.expansion), lost: money(lostTotal) }) : t('balance.lost', { lost: money(lostTotal), expansion: money(bridge.expansion) });
  const now = ctx.periodLabel(ctx.period);
  const title =
    nrr === null
      ? t('title.none', { period: fromLabel })
      : pr.def.measure === 'grr'
        ? t('title.grr', { grr: ratio(grr), period: now, lost: money(lostTotal), nrr: ratio(nrr) })
        : t('title.nrr', { nrr: ratio(nrr), period: now, balance, grr: ratio(grr) });
  const bridgesList = (r.extra.bridges ?? []) as ReturnType<typeof bridgeRecord>[];
  const trailing = r.extra.trailing12 as { from: string; nrr: number | null; grr: number | null } | null;
  const filterText = filterTextIn(pr.def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pr.source.name) ?? pr.source.name, filter: filterText }) : (ctx.sourceLabel?.(pr.source.name) ?? pr.source.name);
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-mrr-bridge-${pr.id}`),
        title,
        caption: t('caption', {
          from: fromLabel,
          to: toLabel,
          customers: fmt.count(bridge.customers.atStart),
          churned: fmt.count(bridge.customers.churned),
          new: fmt.count(bridge.customers.new),
          axis: floor > 0 ? t('caption.axis', { floor: money(floor) }) : '',
          source,
        }),
        alt: t('alt', {
          from: fromLabel,
          to: toLabel,
          start: money(bridge.start),
          new: signedMoney(bridge.new),
          expansion: signedMoney(bridge.expansion),
          contraction: signedMoney(-bridge.contraction),
          churned: signedMoney(-bridge.churned),
          end: money(bridge.end),
          nrr: ratio(nrr),
          grr: ratio(grr),
        }),
        spec: spec as never,
        size: 'wide',
      },
    },
    {
      kind: 'table',
      table: {
        caption: t('table.caption', { unit: unitName(locale, g), count: bridgesList.length }),
        columns: [
          { label: t('table.period') },
          { label: t('table.start'), align: 'right' },
          { label: t('table.new'), align: 'right' },
          { label: t('table.expansion'), align: 'right' },
          { label: t('table.contraction'), align: 'right' },
          { label: t('table.churned'), align: 'right' },
          { label: t('table.end'), align: 'right' },
          { label: t('table.nrr'), align: 'right' },
          { label: t('table.grr'), align: 'right' },
        ],
        rows: [...bridgesList].reverse().map((b) => ({
          cells: [ctx.periodLabel(b.period), money(b.start), money(b.new), money(b.expansion), money(b.contraction), money(b.churned), money(b.end), fmt.number(b.nrr, 'ratio'), fmt.number(b.grr, 'ratio')],
        })),
        footnote: t('table.footnote') + (trailing ? t('table.trailing', { period: periodLabelIn(locale, trailing.from, 'month', 'long'), nrr: ratio(trailing.nrr), grr: ratio(trailing.grr) }) : ''),
      },
    },
  ];
}

export const revenueRetentionModule: MetricModule<RevenueRetentionDef, PreparedRevenue> = {
  type: 'revenue-retention',
  schema: revenueRetentionSchema,
  title: 'Revenue retention (NRR/GRR)',
  prepare: prepareRevenue,
  needsPeriods: 'revenue at the end of a period is compared with the same customers’ revenue at its start',
  compute: computeRevenue,
};
