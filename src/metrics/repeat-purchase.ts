/**
 * Repeat purchase rate: of the customers who bought at least once in a window (365 days by
 * default) ending at the period end, the share who bought more than once. Every order row is
 * validated once (customer, date, amount); invalid rows are excluded and counted by reason. Per
 * period the rows of the window are rolled up per customer (Arquero), then into the two counts
 * the rate needs, so any grouping is the same two sums. Wilson interval; pooled two-proportion
 * z-test against the previous period's window.
 *
 * The order-row validation and the "customer's latest value" lookup are shared with the CLV
 * metric (clv.ts).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { z } from 'zod';
import { trendSpec } from '../report/charts.js';
import { formatCount, formatDelta, formatP, formatValue } from '../report/format.js';
import { compileFilter, filterSchema, type Filter } from './filter.js';
import type { GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock } from './module.js';
import { groupKey } from './prepare.js';
import { parseTimestamp, periodLabel, periodOf, periodRange, periodStart, shiftPeriod, type Granularity } from './period.js';
import { adjustGroups, makeResult, proportion, proportionChange } from './result-builders.js';
import { metricFields } from './score-schema.js';
import type { SourceTable } from '../sources/types.js';

export const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Shared with clv.ts: order rows, validated once
// ---------------------------------------------------------------------------------------------

/** Why a row is left out. Rows are never coerced: each invalid row is counted under one reason. */
export type RowReason =
  | 'missing or invalid date'
  | 'missing customer'
  | 'missing amount'
  | 'amount not a number'
  | 'negative amount';

export interface ValidatedRows {
  /** the source table after the metric's filter, with __customer, __ts, __day (UTC day number), __status, __row and __amount */
  table: ColumnTable;
  /** valid rows only, in (date, file order) order, with __ord = position in this table */
  valid: ColumnTable;
  /** for each row of `table`: 'ok' or the reason it is excluded */
  status: string[];
  /** for each row of `table`: timestamp (ms), NaN when the date is invalid */
  ts: Float64Array;
}

const DECIMAL = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

/** A numeric cell as a number, or the reason it is not one. */
export function amountOf(raw: unknown): number | 'missing amount' | 'amount not a number' {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return 'missing amount';
  const v = typeof raw === 'number' ? raw : typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(v) ? v : 'amount not a number';
}

/** A customer id as trimmed text, or null when missing. */
export function customerOf(raw: unknown): string | null {
  if (raw === null || raw === undefined) return null;
  const s = String(raw).trim();
  return s === '' ? null : s;
}

/**
 * Validates rows of a transactions-like source: a customer id, a timestamp and optionally an
 * amount (missing, non-numeric or negative → excluded; zero is a valid amount). Rows failing the filter
 * are out of scope (not exclusions). The first failing check gives the row's reason: date,
 * then customer, then amount.
 */
export function validateRows(
  source: SourceTable,
  columns: { customer: string; date: string; amount?: string },
  options: { filter?: Filter; parseDate?: (raw: unknown) => number } = {},
): ValidatedRows {
  let table = source.table;
  if (options.filter && Object.keys(options.filter).length > 0) {
    const keep = compileFilter(options.filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const parse = options.parseDate ?? parseTimestamp;
  const n = table.numRows();
  const customers = table.array(columns.customer) as ArrayLike<unknown>;
  const dates = table.array(columns.date) as ArrayLike<unknown>;
  const amounts = columns.amount ? (table.array(columns.amount) as ArrayLike<unknown>) : null;
  const status: string[] = new Array(n);
  const ts = new Float64Array(n);
  const customer: (string | null)[] = new Array(n);
  const amount = new Float64Array(n);
  const row = new Float64Array(n);
  const day = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    row[i] = i;
    const t = parse(dates[i]);
    ts[i] = t;
    day[i] = Math.floor(t / DAY_MS);
    customer[i] = customerOf(customers[i]);
    let reason: string = 'ok';
    if (!Number.isFinite(t)) reason = 'missing or invalid date';
    else if (customer[i] === null) reason = 'missing customer';
    else if (amounts) {
      const a = amountOf(amounts[i]);
      if (typeof a === 'string') reason = a;
      else if (a < 0) reason = 'negative amount';
      else amount[i] = a;
    }
    status[i] = reason;
  }
  const derived = aq.table({ __customer: customer, __ts: ts, __day: day, __status: status, __row: row, __amount: amount });
  const all = table.assign(derived);
  const valid = all
    .filter((d: Record<string, unknown>) => d.__status === 'ok')
    .orderby('__ts', '__row')
    .reify();
  const ord = new Float64Array(valid.numRows());
  for (let i = 0; i < ord.length; i++) ord[i] = i;
  return { table: all, valid: valid.assign(aq.table({ __ord: ord })), status, ts };
}

/** Excluded rows by reason, over rows whose timestamp satisfies `inScope` (undated rows: only when `undated`). */
export function tallyExclusions(rows: Pick<ValidatedRows, 'status' | 'ts'>, inScope: (t: number) => boolean, undated = false): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < rows.status.length; i++) {
    const s = rows.status[i];
    if (s === 'ok') continue;
    const t = rows.ts[i];
    if (Number.isFinite(t) ? !inScope(t) : !undated) continue;
    out[s] = (out[s] ?? 0) + 1;
  }
  return sortKeys(out);
}

/** The same record with keys in sorted order (deterministic JSON). */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Latest valid timestamp strictly before `end`, and the period of the latest valid row. */
export function timeBounds(valid: ColumnTable, granularity: Granularity): { first: string | undefined; last: string | undefined; lastBefore(end: number): number | undefined } {
  const ts = valid.array('__ts') as Float64Array;
  const n = ts.length;
  return {
    first: n > 0 ? periodOf(ts[0], granularity) : undefined,
    last: n > 0 ? periodOf(ts[n - 1], granularity) : undefined,
    lastBefore(end) {
      // valid rows are sorted by timestamp: binary search for the last one < end
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ts[mid] < end) lo = mid + 1;
        else hi = mid;
      }
      return lo > 0 ? ts[lo - 1] : undefined;
    },
  };
}

/** First instant after the period (its exclusive end), in UTC ms. */
export function periodEnd(period: string, granularity: Granularity): number {
  return periodStart(shiftPeriod(period, 1, granularity), granularity);
}

/** 'YYYY-MM-DD' of a UTC timestamp. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Periods from the first with data to `current` (just `current` when there is no earlier data). */
export function seriesPeriods(first: string | undefined, current: string, granularity: Granularity): string[] {
  return first !== undefined && first <= current ? periodRange(first, current, granularity) : [current];
}

// ---------------------------------------------------------------------------------------------
// Repeat purchase rate
// ---------------------------------------------------------------------------------------------

export const repeatPurchaseRateSchema = z
  .strictObject({
    type: z.literal('repeat-purchase-rate').describe('Share of buying customers who bought more than once in a rolling window.'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per order or purchase.').meta({ examples: ['orders'] }),
    customer: z.string().default('customer_id').describe('Column holding the customer (account) id.').meta({ examples: ['customer_id'] }),
    date: z.string().describe('Column holding the purchase date or timestamp (ISO 8601, e.g. 2026-10-14).').meta({ examples: ['order_date'] }),
    amount: z
      .string()
      .optional()
      .describe('Optional column holding the order amount; when given, rows with a missing, non-numeric or negative amount are excluded and counted (zero is allowed).')
      .meta({ examples: ['amount'] }),
    window_days: z
      .number()
      .int()
      .min(1)
      .max(3660)
      .default(365)
      .describe('Length of the window, in days, ending at the end of each reporting period.')
      .meta({ examples: [365, 180, 90] }),
    purchases: z
      .enum(['orders', 'days'])
      .default('orders')
      .describe('What counts as one purchase: each valid row (`orders`), or each calendar day with a purchase (`days`, as BTYD and lifetimes count; several orders on one day count once).'),
    filter: filterSchema.optional(),
    ...metricFields,
  })
  .describe('Repeat purchase rate: customers with more than one purchase in the window ÷ customers with any purchase in it, as a percentage.');

export type RepeatPurchaseDef = z.infer<typeof repeatPurchaseRateSchema>;

export interface PreparedRepeat extends Prepared {
  kind: 'repeat-purchase-rate';
  id: string;
  def: RepeatPurchaseDef;
  source: SourceTable;
  granularity: Granularity;
  rows: ValidatedRows;
  /** window [start, end) for a period, in UTC ms */
  window(period: string): [number, number];
  /** counts for the window of `period`, optionally per group of `column` (customer's latest value in the window) */
  windowStats(period: string, column?: string): WindowStats;
}

/** Per-window counts: customers with ≥ 1 purchase (n), with ≥ 2 (x), purchases, and customers by purchase count. */
export interface WindowStats {
  groups: Map<string, { x: number; n: number }>;
  purchases: number;
  /** customers by number of purchases in the window */
  byCount: Map<number, number>;
}

const DISTRIBUTION_BUCKETS: { label: string; min: number; max: number }[] = [
  { label: '1', min: 1, max: 1 },
  { label: '2', min: 2, max: 2 },
  { label: '3', min: 3, max: 3 },
  { label: '4', min: 4, max: 4 },
  { label: '5–9', min: 5, max: 9 },
  { label: '10 or more', min: 10, max: Infinity },
];

function method(def: RepeatPurchaseDef): string {
  const unit = def.purchases === 'days' ? 'purchase days (several orders on one calendar day count once)' : 'purchases (each valid row is one)';
  return (
    `Repeat purchase rate = customers with more than one purchase in the ${def.window_days} days ending at the period end ÷ customers with at least one purchase in that window, × 100; purchases are counted as ${unit}. ` +
    'The 95% interval is the Wilson score interval. The change is tested against the window ending at the previous period end with the two-proportion z-test (pooled p); consecutive windows overlap and share customers, which the test treats as independent samples, so it is conservative when the windows are positively correlated. ' +
    `Rows with a missing or invalid date (ISO 8601), a missing customer id${def.amount ? ', or a missing, non-numeric or negative amount' : ''} are excluded and counted by reason, never coerced; the exclusions shown for a period are those dated inside its window. ` +
    'Breakdowns use each customer’s value on their latest purchase in the window; groups are tested in the same way and adjusted by Benjamini–Hochberg. Definition: repeat purchase rate over a window (cxreport metrics reference, "Retention and value").'
  );
}

function prepare(ctx: PrepareContext<RepeatPurchaseDef>): PreparedRepeat {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.customer, ['customer']);
  ctx.requireColumn(source, def.date, ['date']);
  if (def.amount) ctx.requireColumn(source, def.amount, ['amount']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const rows = validateRows(source, { customer: def.customer, date: def.date, amount: def.amount }, { filter: def.filter as Filter | undefined });
  const granularity = ctx.granularity;
  const bounds = timeBounds(rows.valid, granularity);
  const windowMs = def.window_days * DAY_MS;
  const window = (period: string): [number, number] => {
    const end = periodEnd(period, granularity);
    return [end - windowMs, end];
  };
  const cache = new Map<string, WindowStats>();
  const windowStats = (period: string, column?: string): WindowStats => {
    const key = `${period}\u0000${column ?? ''}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const [start, end] = window(period);
    const inWindow = rows.valid.params({ start, end }).filter((d: Record<string, number>, $: { start: number; end: number }) => d.__ts >= $.start && d.__ts < $.end);
    const count = def.purchases === 'days' ? 'd => op.distinct(d.__day)' : 'd => op.count()';
    const perCustomer = inWindow.groupby('__customer').rollup({ k: count, last: 'd => op.max(d.__ord)' } as never);
    const k = perCustomer.array('k') as ArrayLike<number>;
    const groups = new Map<string, { x: number; n: number }>();
    const byCount = new Map<number, number>();
    let purchases = 0;
    const values = column ? (rows.valid.array(column) as ArrayLike<unknown>) : null;
    const last = perCustomer.array('last') as ArrayLike<number>;
    for (let i = 0; i < k.length; i++) {
      const g = values ? groupKey(values[last[i]]) : '';
      const cell = groups.get(g) ?? { x: 0, n: 0 };
      cell.n += 1;
      if (k[i] > 1) cell.x += 1;
      groups.set(g, cell);
      purchases += k[i];
      byCount.set(k[i], (byCount.get(k[i]) ?? 0) + 1);
    }
    const stats = { groups, purchases, byCount };
    cache.set(key, stats);
    return stats;
  };
  return {
    kind: 'repeat-purchase-rate',
    id: ctx.id,
    def,
    source,
    granularity,
    rows,
    window,
    windowStats,
    latestPeriod: () => bounds.last,
    lastTimestamp: (period) => bounds.lastBefore(periodEnd(period, granularity)),
  };
}

function overall(stats: WindowStats): { x: number; n: number } {
  let x = 0;
  let n = 0;
  for (const g of stats.groups.values()) {
    x += g.x;
    n += g.n;
  }
  return { x, n };
}

function compute(prepared: PreparedRepeat, ctx: { period: string; previousPeriod: string; breakdowns: string[]; minSample: number }): MetricResult {
  const { def, granularity } = prepared;
  const minSample = def.min_sample ?? ctx.minSample;
  const current = ctx.period;
  const previousPeriod = ctx.previousPeriod;
  const bounds = timeBounds(prepared.rows.valid, granularity);

  const cur = prepared.windowStats(current);
  const prev = prepared.windowStats(previousPeriod);
  const c = overall(cur);
  const p = overall(prev);
  const head = proportion(current, c.x, c.n, minSample);
  const series: PeriodValue[] = seriesPeriods(bounds.first, current, granularity).map((period) => {
    const s = overall(prepared.windowStats(period));
    return proportion(period, s.x, s.n, minSample);
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const gc = prepared.windowStats(current, column).groups;
    const gp = prepared.windowStats(previousPeriod, column).groups;
    const names = [...new Set([...gc.keys(), ...gp.keys()])].sort();
    breakdowns[column] = adjustGroups(
      names.map((group) => {
        const a = gp.get(group) ?? { x: 0, n: 0 };
        const b = gc.get(group) ?? { x: 0, n: 0 };
        const ch = proportionChange(previousPeriod, a, b, minSample);
        return {
          group,
          ...proportion(current, b.x, b.n, minSample),
          previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n },
          delta: ch.delta,
          p: ch.p,
          pAdjusted: null,
          significant: false,
        };
      }),
    );
  }

  const [start, end] = prepared.window(current);
  const exclusions = tallyExclusions(prepared.rows, (t) => t >= start && t < end);
  const excludedAllPeriods = tallyExclusions(prepared.rows, () => true, true);
  const distribution = DISTRIBUTION_BUCKETS.map((b) => {
    let customers = 0;
    for (const [k, count] of cur.byCount) if (k >= b.min && k <= b.max) customers += count;
    return { purchases: b.label, customers, percent: c.n > 0 ? (100 * customers) / c.n : null };
  });

  return makeResult({
    id: prepared.id,
    type: 'repeat-purchase-rate',
    label: def.label ?? 'Repeat purchase rate',
    title: 'Repeat purchase rate',
    unit: 'percent',
    higherIsBetter: true,
    domain: [0, 100],
    target: def.target ?? null,
    minSample,
    ...head,
    se: c.n > 0 ? 100 * Math.sqrt(((c.x / c.n) * (1 - c.x / c.n)) / c.n) : null,
    ...proportionChange(previousPeriod, p, c, minSample),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods,
    series,
    breakdowns,
    method: method(def),
    extra: {
      windowDays: def.window_days,
      windowStart: isoDay(start),
      windowEnd: isoDay(end - DAY_MS),
      purchasesCountedAs: def.purchases,
      customers: c.n,
      repeatCustomers: c.x,
      purchases: cur.purchases,
      purchasesPerCustomer: c.n > 0 ? cur.purchases / c.n : null,
      purchaseDistribution: distribution,
    },
  });
}

function visual(result: MetricResult, prepared: PreparedRepeat, ctx: { period: string; periodLabel(key: string): string; nextId(prefix: string): string }): VisualBlock[] {
  const { granularity, def } = prepared;
  const extra = result.extra as { windowStart: string; windowEnd: string; customers: number; repeatCustomers: number; purchaseDistribution: { purchases: string; customers: number; percent: number | null }[] };
  const short = (key: string) => periodLabel(key, granularity, 'short');
  const points = result.series.slice(-12).map((p) => ({ label: short(p.period), value: p.value, lo: p.ci?.[0] ?? null, hi: p.ci?.[1] ?? null, n: p.n, lowSample: p.lowSample }));
  const windowText = `${def.window_days}-day window to ${extra.windowEnd}`;
  const change =
    result.delta === null || result.previous === null
      ? ''
      : `, ${result.delta > 0 ? 'up' : result.delta < 0 ? 'down' : 'unchanged'}${result.delta !== 0 ? ` ${formatDelta(Math.abs(result.delta), 'percent').replace(/^\+/, '')}` : ''} on ${ctx.periodLabel(result.previous.period)} (${result.significant ? `significant, ${formatP(result.p)}` : 'not significant'})`;
  const title =
    result.value === null
      ? `${result.label}: no purchases in the ${windowText}`
      : `${formatValue(result.value, 'percent')} of buying customers bought more than once in the ${windowText}${change}`;
  const blocks: VisualBlock[] = [];
  if (points.some((p) => p.value !== null)) {
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${prepared.id}`),
        title,
        caption: `${result.title} per ${granularity}, each over the ${def.window_days} days ending at the period end, with 95% Wilson intervals. n = ${formatCount(result.n)} customers with a purchase in the current window. Source: ${def.source}.`,
        alt: `Line chart of the ${def.window_days}-day repeat purchase rate: ${points
          .filter((p) => p.value !== null)
          .map((p) => `${p.label} ${formatValue(p.value, 'percent')} (n = ${formatCount(p.n)})`)
          .join('; ')}.`,
        spec: trendSpec(points, { metric: result.label, unit: 'percent', target: result.target, domain: [0, 100] }),
        size: 'wide',
      },
    });
  } else {
    blocks.push({ kind: 'text', paragraphs: [title + '.'] });
  }
  blocks.push({
    kind: 'table',
    table: {
      caption: `Customers by number of purchases, ${extra.windowStart} to ${extra.windowEnd}`,
      columns: [{ label: def.purchases === 'days' ? 'Purchase days' : 'Purchases' }, { label: 'Customers', align: 'right' }, { label: 'Share', align: 'right' }],
      rows: extra.purchaseDistribution.map((d) => ({ cells: [d.purchases, formatCount(d.customers), d.percent === null ? '—' : formatValue(d.percent, 'percent')] })),
      footnote: `${formatCount(extra.repeatCustomers)} of ${formatCount(extra.customers)} customers bought more than once.`,
    },
  });
  return blocks;
}

export const repeatPurchaseRateModule: MetricModule<RepeatPurchaseDef, PreparedRepeat> = {
  type: 'repeat-purchase-rate',
  schema: repeatPurchaseRateSchema,
  title: 'Repeat purchase rate',
  prepare,
  compute,
  visual,
};
