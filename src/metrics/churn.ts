/**
 * Customer churn and customer retention (CRR) from a customers table with one row per customer:
 * an id, the date the customer started and the date they left (empty while active).
 *
 * For a period with start ps and end pe:
 *   S = customers active at ps (start < ps, and no end or end ≥ ps)
 *   N = customers who started in [ps, pe)
 *   L = customers of S whose end falls in [ps, pe)
 *   E = customers active at pe (start < pe, and no end or end ≥ pe)
 * Churn = L/S; CRR = retained/S with retained = S − L (= E − N when no customer both starts and
 * leaves within the period; see docs/metrics/retention.md). Both are binomial shares of S: Wilson
 * 95% interval, pooled two-proportion z-test against the previous period.
 *
 * The customer-table preparation shared with cohort retention and survival is in customers.ts.
 */
import * as aq from 'arquero';
import { z } from 'zod';
import { type CalendarGranularity } from '../kernel/period.js';
import { filterSchema } from '../kernel/filter.js';
import { prepareFromRows } from './module.js';
import type { ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { canPushDownCustomers, prepareCustomersSql } from './customers-pushdown.js';
import { isPushdown } from '../sources/sql.js';
import { customerCount, customerFields, filterTextIn, groupsOf, ordinalPeriod, periodOrdinal, prepareCustomers, type PreparedCustomers } from './customers.js';
import { adjustGroups, makeResult, proportion, proportionChange } from './result-builders.js';
import { metricFields } from './score-schema.js';
import { checkLifecycleForm, computeFlags, prepareFlags, type FlagDef, type PreparedFlags } from './churn-flag.js';
import { flagValuesSchema } from './flag-values.js';
import { trendSpec } from '../report/charts.js';
import { formatter } from '../kernel/format.js';
import { localTranslator, translator, unitName, type Locale } from '../kernel/i18n.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    'label.churn': 'Churn',
    'label.retention': 'Retention',
    'title.churn': 'Customer churn rate',
    'title.retention': 'Customer retention rate',
    test: 'two-proportion z-test (pooled)',
    'method.base':
      'S = customers active at the start of the period (started before it and not ended before it), N = customers who started during it, L = customers of S whose end date falls in it, E = customers active at its end.',
    'method.churn': ' Churn rate = L/S × 100 (lower is better). A customer who starts and leaves within the same period counts as new, not as churned.',
    'method.retention':
      ' Customer retention rate (CRR) = (E − N)/S × 100. E − N = S − L − newLost: a customer who starts and leaves within the same period (newLost) lowers CRR although they were never part of S, so CRR can be below 100 − churn; the retention of the customers present at the start, (S − L)/S, is reported beside it as retainedOfStart.',
    'method.rest':
      ' 95% interval: Wilson score interval for a binomial share of S. Change vs the previous period: two-sided pooled two-proportion z-test. ' +
      'Rows with a missing id, a missing or invalid start date, an invalid end date, an end before the start, or an id that occurs more than once are excluded (never corrected) and counted under the period of their start date. ' +
      'Breakdowns group customers by their value of the column, with Benjamini–Hochberg adjusted p-values. Source: churn = customers lost / customers at the period start; CRR = (E − N)/S × 100 (reference/metrics.md).',
    'method.filter': ' Customers limited to {filter}.',
    'units.month': 'months',
    'units.quarter': 'quarters',
    'units.year': 'years',
    'title.empty': '{name}: no customers at the start of {period}',
    'title.unchanged': '{name} unchanged at {value} in {period}',
    'title.rose': '{name} rose to {value} in {period}, from {previous} in {previousPeriod}{verdict}',
    'title.fell': '{name} fell to {value} in {period}, from {previous} in {previousPeriod}{verdict}',
    'title.notSignificant': ' (not significant)',
    'title.noise': '{name} {value} in {period}, against {previous} in {previousPeriod} — within noise',
    'title.value': '{name} {value} in {period}',
    caption: '{title} per {unit}, with 95% Wilson intervals. n = {n} customers at the start of {period}. {definition} Source: {source}.',
    'caption.churn': 'Churn = customers lost ÷ customers at the period start.',
    'caption.retention': 'Retention = customers at the start still active at the end ÷ customers at the start.',
    'source.filter': '{source} ({filter})',
    alt: 'Line chart of {label} per {unit} for {count} {units} from {first} ({firstValue}) to {last} ({lastValue}); lowest {low} in {lowPeriod}, highest {high} in {highPeriod}.',
    'table.caption': 'Customers per {unit}, last {count}',
    'table.period': 'Period',
    'table.atStart': 'At start',
    'table.new': 'New',
    'table.lost': 'Lost',
    'table.atEnd': 'At end',
    'table.rate': '{name} (%)',
    'table.ci': '95% CI',
    'table.lowN': 'n < {min}',
    'table.footnote': 'At start = active when the {unit} began; lost = of those, ended during the {unit}; new customers who also left in the same {unit} ({n} in {period}) are in New but not in Lost.',
  },
  'zh-CN': {
    'label.churn': '流失率',
    'label.retention': '留存率',
    'title.churn': '客户流失率',
    'title.retention': '客户留存率',
    test: '双比例 z 检验（合并比例）',
    'method.base': 'S = 期初活跃客户数（在本期开始前加入且未在本期开始前离开），N = 本期新增客户数，L = S 中结束日期落在本期内的客户数，E = 期末活跃客户数。',
    'method.churn': '流失率 = L/S × 100（越低越好）。同一期内加入又离开的客户计为新增客户，不计为流失。',
    'method.retention':
      '客户留存率（CRR）= (E − N)/S × 100。E − N = S − L − newLost：同一期内加入又离开的客户（newLost）虽从未计入 S，却会拉低 CRR，因此 CRR 可能低于 100 − 流失率；期初客户的留存比例 (S − L)/S 作为 retainedOfStart 一并报告。',
    'method.rest':
      '95% 置信区间：S 的二项比例的 Wilson 得分区间。与上期相比的变化：采用合并比例的双侧双比例 z 检验。' +
      '缺少 id、开始日期缺失或无效、结束日期无效、结束日期早于开始日期，或 id 出现不止一次的行均被排除（从不修正），并计入其开始日期所在的期间。' +
      '细分分析按客户在该列上的取值分组，p 值经 Benjamini–Hochberg 法校正。来源：流失率 = 流失客户数 / 期初客户数；CRR = (E − N)/S × 100（reference/metrics.md）。',
    'method.filter': '客户范围限于{filter}。',
    'units.month': '个月',
    'units.quarter': '个季度',
    'units.year': '年',
    'title.empty': '{name}：{period}期初没有客户',
    'title.unchanged': '{period}{name}持平，为{value}',
    'title.rose': '{period}{name}上升至{value}，{previousPeriod}为{previous}{verdict}',
    'title.fell': '{period}{name}下降至{value}，{previousPeriod}为{previous}{verdict}',
    'title.notSignificant': '（不显著）',
    'title.noise': '{period}{name}为{value}，{previousPeriod}为{previous}，差异在随机波动范围内',
    'title.value': '{period}{name}为{value}',
    caption: '每{unit}的{title}，含 95% Wilson 置信区间。{period}期初客户数 n = {n}。{definition}数据来源：{source}。',
    'caption.churn': '流失率 = 流失客户数 ÷ 期初客户数。',
    'caption.retention': '留存率 = 期初客户中期末仍活跃的客户数 ÷ 期初客户数。',
    'source.filter': '{source}（{filter}）',
    alt: '每{unit}{label}的折线图，共{count}{units}，从{first}（{firstValue}）到{last}（{lastValue}）；最低为{lowPeriod}的{low}，最高为{highPeriod}的{high}。',
    'table.caption': '每{unit}客户数（最近{count}期）',
    'table.period': '期间',
    'table.atStart': '期初',
    'table.new': '新增',
    'table.lost': '流失',
    'table.atEnd': '期末',
    'table.rate': '{name}（%）',
    'table.ci': '95% 置信区间',
    'table.lowN': 'n < {min}',
    'table.footnote': '期初 = 该{unit}开始时活跃的客户；流失 = 其中在该{unit}内离开的客户；同一{unit}内加入又离开的新客户（{period}共{n}位）计入新增，但不计入流失。',
  },
} satisfies Record<Locale, Record<string, string>>;

// ---------------------------------------------------------------------------------------------
// Churn and retention
// ---------------------------------------------------------------------------------------------

/**
 * Churn and retention come in two forms: dates (`id`, `start`, `end`: customers active at a
 * period's start, lost during it) and a flag (`churned`, `churned_value`: snapshot data such as
 * IBM's Telco file, see churn-flag.ts). `checkLifecycleForm` tells them apart and rejects a mix.
 */
const lifecycleFields = {
  source: customerFields.source,
  id: z.string().optional().describe('Column holding the customer id; an id that occurs on more than one row is excluded (all its rows) and counted. Required by the date form, optional with `churned`.').meta({ examples: ['customer_id', 'customerID'] }),
  start: z.string().optional().describe('Date form: column holding the date the customer started (signup), ISO 8601 (e.g. 2026-01-15). Not with `churned`.').meta({ examples: ['signup_date'] }),
  end: z.string().optional().describe('Date form: column holding the date the customer left (cancellation), ISO 8601; empty while the customer is active. Not with `churned`.').meta({ examples: ['cancel_date'] }),
  churned: z
    .string()
    .optional()
    .describe('Flag form (snapshot data without dates): column whose value says whether the customer left; the share of customers whose value is one of `churned_value` among those with a non-empty value. Instead of `start`/`end`.')
    .meta({ examples: ['Churn', 'churned'] }),
  churned_value: flagValuesSchema(
    'Flag form: the value, or list of values, of the `churned` column that mean the customer left (text compares case-insensitively, numbers by value); every other non-empty value means still a customer, an empty cell is excluded and counted.',
    ['Yes', 1, [true, 'yes']],
  ).optional(),
  date: z
    .string()
    .optional()
    .describe('Flag form: column whose date (ISO 8601) assigns each customer to a period — needed with granularity month, quarter or year, optional with granularity all.')
    .meta({ examples: ['snapshot_date', 'signup_date'] }),
  ...metricFields,
  filter: filterSchema.optional(),
};

export const churnSchema = z
  .strictObject({ type: z.literal('churn'), ...lifecycleFields })
  .describe('Customer churn rate: customers lost during the period as a percentage of the customers active at its start (dates: `id`, `start`, `end`), or the share of customers flagged as lost (a flag: `churned`, `churned_value`; works with granularity all). Wilson 95% interval, pooled two-proportion z-test.');

export const retentionSchema = z
  .strictObject({ type: z.literal('retention'), ...lifecycleFields })
  .describe('Customer retention rate (CRR): customers active at the start of the period who are still active at its end, as a percentage (dates), or the share of customers not flagged as lost (a flag: `churned`, `churned_value`). Wilson 95% interval, pooled two-proportion z-test.');

export type ChurnDef = z.infer<typeof churnSchema>;
export type RetentionDef = z.infer<typeof retentionSchema>;

/** Customer counts of one period. */
export interface LifecycleCounts {
  /** active at the period start */
  atStart: number;
  /** started during the period */
  new: number;
  /** of those active at the start, left during the period */
  lost: number;
  /** started and left within the period (new, never at a period start) */
  newLost: number;
  /** active at the period end */
  atEnd: number;
}

const ZERO: LifecycleCounts = { atStart: 0, new: 0, lost: 0, newLost: 0, atEnd: 0 };

/** Per-group flows (starts, ends) per period ordinal, from which any period's counts follow. */
interface Flows {
  /** customers per start ordinal */
  starts: Map<number, number>;
  /** customers leaving per end ordinal, split by whether they also started in that period */
  ends: Map<number, { lost: number; newLost: number }>;
}

/**
 * Starts and ends per period (and group), rolled up with Arquero: these small additive tables are
 * the sufficient statistics from which S, N, L and E of any period are finalised.
 */
export function lifecycleFlows(pc: PreparedCustomers, column?: string): Map<string, Flows> {
  const key = `flows:${column ?? ''}`;
  const cached = pc.cache.get(key) as Map<string, Flows> | undefined;
  if (cached) return cached;
  const t = pc.table.assign(aq.table({ __g: groupsOf(pc.table, column) }));
  const count = customerCount(pc);
  const starts = t.groupby('__g', '__sp').rollup(count).objects() as { __g: string; __sp: number; count: number }[];
  const ends = t
    .filter((d: Record<string, unknown>) => d.__ep !== null)
    .derive({ __same: (d: Record<string, unknown>) => d.__sp === d.__ep })
    .groupby('__g', '__ep', '__same')
    .rollup(count)
    .objects() as { __g: string; __ep: number; __same: boolean; count: number }[];
  const out = new Map<string, Flows>();
  const of = (g: string) => {
    let f = out.get(g);
    if (!f) out.set(g, (f = { starts: new Map(), ends: new Map() }));
    return f;
  };
  for (const s of starts) of(s.__g).starts.set(s.__sp, s.count);
  for (const e of ends) {
    const f = of(e.__g);
    const entry = f.ends.get(e.__ep) ?? { lost: 0, newLost: 0 };
    if (e.__same) entry.newLost += e.count;
    else entry.lost += e.count;
    f.ends.set(e.__ep, entry);
  }
  pc.cache.set(key, out);
  return out;
}

/** Counts of every period ordinal from `from` to `to` (inclusive) for one group's flows. */
export function countsOver(flows: Flows | undefined, from: number, to: number): LifecycleCounts[] {
  const out: LifecycleCounts[] = [];
  if (!flows) {
    for (let p = from; p <= to; p++) out.push({ ...ZERO });
    return out;
  }
  // S(p) = customers started before p − customers ended before p (an end before p implies a start before p).
  let startedBefore = 0;
  let endedBefore = 0;
  for (const [o, c] of flows.starts) if (o < from) startedBefore += c;
  for (const [o, e] of flows.ends) if (o < from) endedBefore += e.lost + e.newLost;
  for (let p = from; p <= to; p++) {
    const atStart = startedBefore - endedBefore;
    const n = flows.starts.get(p) ?? 0;
    const e = flows.ends.get(p) ?? { lost: 0, newLost: 0 };
    out.push({ atStart, new: n, lost: e.lost, newLost: e.newLost, atEnd: atStart - e.lost + n - e.newLost });
    startedBefore += n;
    endedBefore += e.lost + e.newLost;
  }
  return out;
}

type Kind = 'churn' | 'retention';

/** The share a kind reports: churned (L) or retained (S − L) of S. */
/** Churn counts L; CRR counts E − N, as defined (Kumar & Reinartz; reference/metrics.md). E − N = S − L − newLost ≥ 0 unless data are inconsistent. */
const successes = (kind: Kind, c: LifecycleCounts) => (kind === 'churn' ? c.lost : Math.max(0, c.atEnd - c.new));

function firstStart(flows: Map<string, Flows>): number | undefined {
  let min = Infinity;
  for (const f of flows.values()) for (const o of f.starts.keys()) min = Math.min(min, o);
  return Number.isFinite(min) ? min : undefined;
}


function lifecycleMethod(kind: Kind, pc: PreparedCustomers<ChurnDef | RetentionDef>, locale: Locale): string {
  const t = localTranslator(MESSAGES, locale);
  const filterText = filterTextIn(pc.def.filter, locale);
  const filter = filterText ? t('method.filter', { filter: filterText }) : '';
  return `${t('method.base')}${t(kind === 'churn' ? 'method.churn' : 'method.retention')}${t('method.rest')}${filter}`;
}

/** Computes churn or retention for one period. */
function computeLifecycle(kind: Kind, pc: PreparedCustomers<ChurnDef | RetentionDef>, ctx: ComputeContext): MetricResult {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const g = ctx.granularity;
  const cur = periodOrdinal(ctx.period, g);
  const flows = lifecycleFlows(pc);
  const first = firstStart(flows);
  // the first period with customers at its start is the one after the first start
  const from = first === undefined ? cur : Math.min(first + 1, cur);
  const counts = countsOver(flows.get('all'), Math.min(from, cur - 1), cur);
  const at = (o: number) => counts[o - Math.min(from, cur - 1)] ?? ZERO;
  const c = at(cur);
  const p = at(cur - 1);
  const minSample = ctx.minSample;
  const head = proportion(ctx.period, successes(kind, c), c.atStart, minSample);
  const change = proportionChange(ctx.previousPeriod, { x: successes(kind, p), n: p.atStart }, { x: successes(kind, c), n: c.atStart }, minSample);
  const series: PeriodValue[] = [];
  for (let o = from; o <= cur; o++) {
    const k = at(o);
    series.push(proportion(ordinalPeriod(o, g), successes(kind, k), k.atStart, minSample));
  }

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const byGroup = lifecycleFlows(pc, column);
    const rows: GroupResult[] = [...byGroup.keys()].sort().map((group) => {
      const [gp, gc] = countsOver(byGroup.get(group), cur - 1, cur);
      const v = proportion(ctx.period, successes(kind, gc), gc.atStart, minSample);
      const ch = proportionChange(ctx.previousPeriod, { x: successes(kind, gp), n: gp.atStart }, { x: successes(kind, gc), n: gc.atStart }, minSample);
      return { group, ...v, previous: ch.previous && { period: ctx.previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  const se = c.atStart > 0 ? 100 * Math.sqrt(((head.value! / 100) * (1 - head.value! / 100)) / c.atStart) : null;
  return makeResult({
    id: pc.id,
    type: kind,
    label: def.label ?? t(kind === 'churn' ? 'label.churn' : 'label.retention'),
    title: t(kind === 'churn' ? 'title.churn' : 'title.retention'),
    unit: 'percent',
    higherIsBetter: kind === 'retention',
    domain: [0, 100],
    target: def.target ?? null,
    minSample,
    ...head,
    se,
    ...change,
    test: t('test'),
    ...pc.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: lifecycleMethod(kind, pc, locale),
    extra: {
      customers: { ...c },
      previousCustomers: { ...p },
      ...(kind === 'retention' ? { retained: Math.max(0, c.atEnd - c.new), retainedOfStart: c.atStart > 0 ? (100 * (c.atStart - c.lost)) / c.atStart : null } : {}),
    },
  });
}

/** Trend chart of the rate with its band, and a table of the customer counts of the last 12 periods. */
export function lifecycleVisual(kind: Kind, r: MetricResult, pc: PreparedCustomers<ChurnDef | RetentionDef>, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const g = pc.granularity as CalendarGranularity; // the date form is never `all` (checkLifecycleForm)
  const cur = periodOrdinal(ctx.period, g);
  // the last 12 periods, like the trends and the table below
  const keep = r.series.filter((s) => periodOrdinal(s.period, g) > cur - 12);
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const points = keep.map((s) => ({ label: short(s.period), value: s.value, lo: s.ci?.[0] ?? null, hi: s.ci?.[1] ?? null, n: s.n, lowSample: s.lowSample }));
  const withData = keep.filter((s) => s.value !== null);
  const now = ctx.periodLabel(ctx.period);
  const name = t(kind === 'churn' ? 'label.churn' : 'label.retention');
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  let title = t('title.empty', { name, period: now });
  if (r.value !== null) {
    if (r.previous && r.delta !== null) {
      const same = pct(r.previous.value) === pct(r.value);
      title = same
        ? t('title.unchanged', { name, value: pct(r.value), period: now })
        : // a direction only where the test supports one
          t(!r.significant ? 'title.noise' : r.delta > 0 ? 'title.rose' : 'title.fell', { name, value: pct(r.value), period: now, previous: pct(r.previous.value), previousPeriod: ctx.periodLabel(r.previous.period), verdict: r.significant ? '' : t('title.notSignificant') });
    } else title = t('title.value', { name, value: pct(r.value), period: now });
  }
  const filterText = filterTextIn(pc.def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pc.source.name) ?? pc.source.name, filter: filterText }) : (ctx.sourceLabel?.(pc.source.name) ?? pc.source.name);
  const cust = r.extra.customers as LifecycleCounts;
  const blocks: VisualBlock[] = [];
  if (withData.length > 0) {
    const lo = withData.reduce((a, b) => (b.value! < a.value! ? b : a));
    const hi = withData.reduce((a, b) => (b.value! > a.value! ? b : a));
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${kind}-${pc.id}`),
        title,
        caption: t('caption', { title: r.title, unit: unitName(locale, g), n: fmt.count(cust.atStart), period: now, definition: t(kind === 'churn' ? 'caption.churn' : 'caption.retention'), source }),
        alt: t('alt', {
          label: r.label,
          unit: unitName(locale, g),
          count: withData.length,
          units: t(`units.${g}`),
          first: ctx.periodLabel(withData[0].period),
          firstValue: pct(withData[0].value),
          last: ctx.periodLabel(withData[withData.length - 1].period),
          lastValue: pct(withData[withData.length - 1].value),
          low: pct(lo.value),
          lowPeriod: ctx.periodLabel(lo.period),
          high: pct(hi.value),
          highPeriod: ctx.periodLabel(hi.period),
        }),
        spec: trendSpec(points, { metric: r.label, unit: 'percent', target: r.target, domain: [0, 100], annotations: (ctx.annotations ?? []).map((a) => ({ label: short(a.period), text: a.label })), t: translator(locale) }),
        size: 'wide',
      },
    });
  }
  const flows = lifecycleFlows(pc);
  const last = Math.max(cur - 11, periodOrdinal(r.series[0]?.period ?? ctx.period, g));
  const counts = countsOver(flows.get('all'), last, cur);
  blocks.push({
    kind: 'table',
    table: {
      caption: t('table.caption', { unit: unitName(locale, g), count: counts.length }),
      columns: [
        { label: t('table.period') },
        { label: t('table.atStart'), align: 'right' },
        { label: t('table.new'), align: 'right' },
        { label: t('table.lost'), align: 'right' },
        { label: t('table.atEnd'), align: 'right' },
        { label: t('table.rate', { name }), align: 'right' },
        { label: t('table.ci'), align: 'right' },
      ],
      rows: counts
        .map((k, i) => {
          const key = ordinalPeriod(last + i, g);
          const v = proportion(key, successes(kind, k), k.atStart, r.minSample);
          return { cells: [ctx.periodLabel(key), fmt.count(k.atStart), fmt.count(k.new), fmt.count(k.lost), fmt.count(k.atEnd), fmt.number(v.value, 'percent'), fmt.interval(v.ci, 'percent')], muted: v.lowSample, note: v.lowSample ? t('table.lowN', { min: r.minSample }) : undefined };
        })
        .reverse(),
      footnote: t('table.footnote', { unit: unitName(locale, g), n: fmt.count(cust.newLost), period: now }),
    },
  });
  return blocks;
}

/**
 * Churn and retention count customers in the database when their source is a pushdown source
 * (customers-pushdown.ts), and from rows otherwise.
 */
function prepareLifecycle<D extends ChurnDef | RetentionDef>(ctx: PrepareContext<D>): PreparedLifecycle<D> | Promise<PreparedLifecycle<D>> {
  const source = ctx.source('source');
  if (checkLifecycleForm(ctx) === 'flag') return isPushdown(source) ? prepareFromRows(ctx, source, (c) => prepareFlags(c)) : prepareFlags(ctx);
  // the date form: id, start and end are all given (checkLifecycleForm)
  const dated = ctx as unknown as PrepareContext<D & { id: string; start: string; end: string }>;
  if (!isPushdown(source)) return prepareCustomers(dated);
  if (canPushDownCustomers(source.sql, dated.def)) return prepareCustomersSql(dated, source);
  return prepareFromRows(dated, source, prepareCustomers);
}

/** A churn or retention metric's rows: customers with dates, or customers with a flag. */
type PreparedLifecycle<D> = PreparedCustomers<D> | PreparedFlags<D & FlagDef>;

export const churnModule: MetricModule<ChurnDef, PreparedLifecycle<ChurnDef>> = {
  type: 'churn',
  schema: churnSchema,
  title: 'Customer churn rate',
  pushdown: true,
  prepare: prepareLifecycle,
  compute: (prepared, ctx) => (prepared.kind === 'flags' ? computeFlags('churn', prepared, ctx) : computeLifecycle('churn', prepared, ctx)),
};

export const retentionModule: MetricModule<RetentionDef, PreparedLifecycle<RetentionDef>> = {
  type: 'retention',
  schema: retentionSchema,
  title: 'Customer retention rate',
  pushdown: true,
  prepare: prepareLifecycle,
  compute: (prepared, ctx) => (prepared.kind === 'flags' ? computeFlags('retention', prepared, ctx) : computeLifecycle('retention', prepared, ctx)),
};
