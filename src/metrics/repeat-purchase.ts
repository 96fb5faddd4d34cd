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
import type { ColumnTable } from 'arquero';
import { z } from 'zod';
import { trendSpec } from '../report/charts.js';
import { formatter } from '../kernel/format.js';
import { dayLabelIn, localTranslator, translator, type Locale, type Vars } from '../kernel/i18n.js';
import { filterSchema, type Filter } from '../kernel/filter.js';
import { andThen, columnValues, DAY_MS, perCustomer, tallyExclusions, transactionsOf, type TransactionCells } from './transactions.js';
import { sourceDimensions } from './pushdown.js';
import type { ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { groupKey } from './prepare.js';
import { historyRange, periodOf, periodStart, shiftPeriod, type Granularity } from '../kernel/period.js';
import { adjustGroups, makeResult, proportion, proportionChange } from './result-builders.js';
import { metricFields } from './score/schema.js';
import type { SourceTable } from '../sources/types.js';


/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    label: 'Repeat purchase rate',
    title: 'Repeat purchase rate',
    method:
      'Repeat purchase rate = customers with more than one purchase in the {days} days ending at the period end ÷ customers with at least one purchase in that window, × 100; purchases are counted as {counted}. ' +
      'The 95% interval is the Wilson score interval. The change is tested against the window ending at the previous period end with the two-proportion z-test (pooled p); consecutive windows overlap and share customers, which the test treats as independent samples, so it is conservative when the windows are positively correlated. ' +
      'Rows with a missing or invalid date (ISO 8601), a missing customer id{amount} are excluded and counted by reason, never coerced; the exclusions shown for a period are those dated inside its window. ' +
      'Breakdowns use each customer’s value on their latest purchase in the window; groups are tested in the same way and adjusted by Benjamini–Hochberg. Definition: repeat purchase rate over a window (cxreport metrics reference, "Retention and value").',
    'method.days': 'purchase days (several orders on one calendar day count once)',
    'method.orders': 'purchases (each valid row is one)',
    'method.amount': ', or a missing, non-numeric or negative amount',
    test: 'two-proportion z-test (pooled)',
    window: '{days}-day window to {end}',
    'change.up': ', up {size} on {previous} ({verdict})',
    'change.down': ', down {size} on {previous} ({verdict})',
    'change.unchanged': ', unchanged on {previous} ({verdict})',
    'change.noise': ', against {previous}: within noise ({verdict})',
    significant: 'significant, {p}',
    notSignificant: 'not significant',
    'title.noData': '{label}: no purchases in the {window}',
    'title.value': '{value} of buying customers bought more than once in the {window}{change}',
    sentence: '{text}.',
    caption: '{title} per {unit}, each over the {days} days ending at the period end, with 95% Wilson intervals. n = {n} customers with a purchase in the current window. Source: {source}.',
    alt: 'Line chart of the {days}-day repeat purchase rate: {items}.',
    altItem: '{period} {value} (n = {n})',
    altSep: '; ',
    'table.caption': 'Customers by number of purchases, {from} to {to}',
    'table.purchaseDays': 'Purchase days',
    'table.purchases': 'Purchases',
    'table.customers': 'Customers',
    'table.share': 'Share',
    'table.orMore': '{min} or more',
    'table.footnote': '{repeat} of {customers} customers bought more than once.',
  },
  'zh-CN': {
    label: '复购率',
    title: '复购率',
    method:
      '复购率 = 截至期末的{days}天内购买超过一次的客户数 ÷ 该窗口内至少购买一次的客户数 × 100，购买次数{counted}。' +
      '95% 置信区间为 Wilson 得分区间。变化与截至上期期末的窗口比较，采用双比例 z 检验（合并比例）；相邻窗口相互重叠、共享客户，而检验将其视为独立样本，因此当窗口正相关时检验偏保守。' +
      '日期缺失或无效（ISO 8601）、缺少客户 ID{amount}的行会被排除并按原因计数，从不强制转换；某期显示的排除行数为日期落在该期窗口内的行。' +
      '细分分析使用每位客户在窗口内最近一次购买时的取值；各组以同样方式检验，并经 Benjamini–Hochberg 校正。定义：窗口期复购率（cxreport 指标参考，“留存与价值”）。',
    'method.days': '按购买日计（同一天的多笔订单只计一次）',
    'method.orders': '按订单计（每个有效行计为一次）',
    'method.amount': '，或金额缺失、非数字或为负',
    test: '双比例 z 检验（合并比例）',
    window: '截至{end}的{days}天窗口',
    'change.up': '，较{previous}上升{size}（{verdict}）',
    'change.down': '，较{previous}下降{size}（{verdict}）',
    'change.unchanged': '，与{previous}持平（{verdict}）',
    'change.noise': '，与{previous}的差异在随机波动范围内（{verdict}）',
    significant: '显著，{p}',
    notSignificant: '不显著',
    'title.noData': '{label}：{window}内没有购买',
    'title.value': '{window}内，{value}的购买客户购买了不止一次{change}',
    sentence: '{text}。',
    caption: '每{unit}的{title}，每个点均按截至期末的{days}天计算，含 95% Wilson 置信区间。n = {n}，即当前窗口内有购买的客户数。数据来源：{source}。',
    alt: '{days}天复购率折线图：{items}。',
    altItem: '{period} {value}（n = {n}）',
    altSep: '；',
    'table.caption': '{from}至{to}按购买次数划分的客户',
    'table.purchaseDays': '购买天数',
    'table.purchases': '购买次数',
    'table.customers': '客户数',
    'table.share': '占比',
    'table.orMore': '{min}及以上',
    'table.footnote': '{customers}位客户中有{repeat}位购买了不止一次。',
  },
} satisfies Record<Locale, Record<string, string>>;

/** A day 'YYYY-MM-DD' for a reader: unchanged in English, "2026年10月31日" in Chinese. */
export function dayIn(locale: Locale, iso: string): string {
  return locale === 'en' ? iso : dayLabelIn(locale, Date.parse(`${iso}T00:00:00Z`));
}

// ---------------------------------------------------------------------------------------------
// Shared with clv.ts (order rows become transaction cells: transactions.ts)
// ---------------------------------------------------------------------------------------------

/** Latest valid timestamp strictly before `end`, and the period of the latest valid row. */
export function timeBounds(valid: ColumnTable, granularity: Granularity): { first: string | undefined; last: string | undefined; lastBefore(end: number): number | undefined } {
  const ts = columnValues<number>(valid, '__ts');
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
  return first !== undefined && first <= current ? historyRange(first, current, granularity) : [current];
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
  /** the orders as transaction cells (customer × UTC day × grouping values) */
  rows: TransactionCells;
  /** 'sql' when the database made the cells */
  engine: 'memory' | 'sql';
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

type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;

function method(def: RepeatPurchaseDef, t: Translate): string {
  return t('method', { days: def.window_days, counted: t(def.purchases === 'days' ? 'method.days' : 'method.orders'), amount: def.amount ? t('method.amount') : '' });
}

function prepare(ctx: PrepareContext<RepeatPurchaseDef>): PreparedRepeat | Promise<PreparedRepeat> {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.customer, ['customer']);
  ctx.requireColumn(source, def.date, ['date']);
  if (def.amount) ctx.requireColumn(source, def.amount, ['amount']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const cells = transactionsOf(source, { customer: def.customer, date: def.date, amount: def.amount }, { filter: def.filter as Filter | undefined, metric: ctx.id, dims: sourceDimensions(ctx, source) });
  return andThen(cells, (rows) => prepareCells(ctx, source, rows));
}

function prepareCells(ctx: PrepareContext<RepeatPurchaseDef>, source: SourceTable, rows: TransactionCells): PreparedRepeat {
  const def = ctx.def;
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
    const { customers, k, last } = perCustomer(rows, start, end, def.purchases === 'days' ? 'days' : 'rows');
    const groups = new Map<string, { x: number; n: number }>();
    const byCount = new Map<number, number>();
    let purchases = 0;
    const values = column ? columnValues(rows.valid, column) : null;
    for (const c of customers) {
      const g = values ? groupKey(values[last[c]]) : '';
      const cell = groups.get(g) ?? { x: 0, n: 0 };
      cell.n += 1;
      if (k[c] > 1) cell.x += 1;
      groups.set(g, cell);
      purchases += k[c];
      byCount.set(k[c], (byCount.get(k[c]) ?? 0) + 1);
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
    engine: rows.engine,
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

function compute(prepared: PreparedRepeat, ctx: Pick<ComputeContext, 'period' | 'previousPeriod' | 'breakdowns' | 'minSample'> & { locale?: Locale }): MetricResult {
  const { def, granularity } = prepared;
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
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
  const exclusions = tallyExclusions(prepared.rows.excluded, (t) => t >= start && t < end);
  const excludedAllPeriods = tallyExclusions(prepared.rows.excluded, () => true, true);
  const distribution = DISTRIBUTION_BUCKETS.map((b) => {
    let customers = 0;
    for (const [k, count] of cur.byCount) if (k >= b.min && k <= b.max) customers += count;
    return { purchases: b.label, customers, percent: c.n > 0 ? (100 * customers) / c.n : null };
  });

  return makeResult({
    id: prepared.id,
    type: 'repeat-purchase-rate',
    label: def.label ?? t('label'),
    title: t('title'),
    unit: 'percent',
    higherIsBetter: true,
    domain: [0, 100],
    target: def.target ?? null,
    minSample,
    ...head,
    se: c.n > 0 ? 100 * Math.sqrt(((c.x / c.n) * (1 - c.x / c.n)) / c.n) : null,
    ...proportionChange(previousPeriod, p, c, minSample),
    test: t('test'),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods,
    series,
    breakdowns,
    method: method(def, t),
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

export function visual(result: MetricResult, prepared: PreparedRepeat, ctx: VisualContext): VisualBlock[] {
  const { granularity, def } = prepared;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const extra = result.extra as { windowStart: string; windowEnd: string; customers: number; repeatCustomers: number; purchaseDistribution: { purchases: string; customers: number; percent: number | null }[] };
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const points = result.series.slice(-12).map((p) => ({ label: short(p.period), value: p.value, lo: p.ci?.[0] ?? null, hi: p.ci?.[1] ?? null, n: p.n, lowSample: p.lowSample }));
  const windowText = t('window', { days: def.window_days, end: dayIn(locale, extra.windowEnd) });
  const change =
    result.delta === null || result.previous === null
      ? ''
      : // a direction only where the test supports one
        t(result.delta === 0 ? 'change.unchanged' : !result.significant ? 'change.noise' : result.delta > 0 ? 'change.up' : 'change.down', {
          size: fmt.delta(Math.abs(result.delta), 'percent').replace(/^\+/, ''),
          previous: ctx.periodLabel(result.previous.period),
          verdict: result.significant ? t('significant', { p: fmt.p(result.p) }) : t('notSignificant'),
        });
  const title = result.value === null ? t('title.noData', { label: result.label, window: windowText }) : t('title.value', { value: fmt.value(result.value, 'percent'), window: windowText, change });
  const blocks: VisualBlock[] = [];
  if (points.some((p) => p.value !== null)) {
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${prepared.id}`),
        title,
        caption: t('caption', { title: result.title, unit: translator(locale)(`unit.${granularity}`), days: def.window_days, n: fmt.count(result.n), source: ctx.sourceLabel?.(def.source) ?? def.source }),
        alt: t('alt', {
          days: def.window_days,
          items: points
            .filter((p) => p.value !== null)
            .map((p) => t('altItem', { period: p.label, value: fmt.value(p.value, 'percent'), n: fmt.count(p.n) }))
            .join(t('altSep')),
        }),
        spec: trendSpec(points, { metric: result.label, unit: 'percent', target: result.target, domain: [0, 100], t: translator(locale) }),
        size: 'wide',
      },
    });
  } else {
    blocks.push({ kind: 'text', paragraphs: [t('sentence', { text: title })] });
  }
  blocks.push({
    kind: 'table',
    table: {
      caption: t('table.caption', { from: dayIn(locale, extra.windowStart), to: dayIn(locale, extra.windowEnd) }),
      columns: [{ label: t(def.purchases === 'days' ? 'table.purchaseDays' : 'table.purchases') }, { label: t('table.customers'), align: 'right' }, { label: t('table.share'), align: 'right' }],
      rows: extra.purchaseDistribution.map((d, i) => {
        const bucket = DISTRIBUTION_BUCKETS[i];
        const label = bucket && bucket.label === d.purchases && bucket.max === Infinity ? t('table.orMore', { min: bucket.min }) : d.purchases;
        return { cells: [label, fmt.count(d.customers), d.percent === null ? '—' : fmt.value(d.percent, 'percent')] };
      }),
      footnote: t('table.footnote', { repeat: fmt.count(extra.repeatCustomers), customers: fmt.count(extra.customers) }),
    },
  });
  return blocks;
}

export const repeatPurchaseRateModule: MetricModule<RepeatPurchaseDef, PreparedRepeat> = {
  type: 'repeat-purchase-rate',
  schema: repeatPurchaseRateSchema,
  title: 'Repeat purchase rate',
  pushdown: true,
  prepare,
  needsPeriods: 'repeat purchases are counted in a window after each first purchase, per period',
  compute,
};
