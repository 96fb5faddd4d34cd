/**
 * Churn and retention from a flag (snapshot data, e.g. IBM's Telco file: one row per customer and
 * a `Churn` column of Yes/No): the share of customers whose flag column holds one of the
 * `churned_value`s, out of the customers with a non-empty flag — a binomial share with the Wilson
 * 95% interval. Retention is its complement. With granularity `all` every row counts, dated or
 * not, and each breakdown group is tested against the rest of the customers (pooled two-proportion
 * z-test, Benjamini–Hochberg across the groups); with calendar periods a `date:` column assigns each
 * customer to a period, and a period is compared with the previous one by the same test.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ExclusionCounter } from './exclusions.js';
import { CxError } from '../kernel/errors.js';
import { trendSpec } from '../report/charts.js';
import { formatter } from '../kernel/format.js';
import { describeFilterIn, localTranslator, translator, type Locale } from '../kernel/i18n.js';
import { compileFilter, describeFilter, type Filter } from '../kernel/filter.js';
import { describeFlagValues, flagMatcher, requireMatch, type FlagValues } from './flag-values.js';
import { rowRejecter } from './invalid.js';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { ALL_PERIOD, parseTimestamp, periodOf, periodRange, type Granularity } from '../kernel/period.js';
import { groupKey } from './prepare.js';
import { adjustGroups, exclusionFields, makeResult, proportion, proportionChange } from './result-builders.js';
import { lastTimestampOf, latestPeriodOf } from './timeline.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    'label.churn': 'Churn',
    'label.retention': 'Retention',
    'title.churn': 'Customer churn rate',
    'title.retention': 'Customer retention rate',
    test: 'two-proportion z-test (pooled)',
    'method.churn': 'Churn rate = customers whose {column} is {values} ÷ customers with a non-empty {column} × 100 (lower is better).',
    'method.retention': 'Retention rate = customers whose {column} is not {values} ÷ customers with a non-empty {column} × 100.',
    'method.all': ' All customers form one period (granularity all), with or without a date; there is no previous period and no change test.',
    'method.periods': ' Customers are assigned to the period of their {date} (UTC); a period is compared with the previous one by the two-sided pooled two-proportion z-test.',
    'method.rest':
      ' 95% interval: Wilson score interval for a binomial share. Rows with an empty {column}{id}{date} are excluded (never corrected) and counted. Breakdowns group customers by their value of the column; {groupTest}, with Benjamini–Hochberg adjusted p-values.',
    'method.id': ', a missing id or an id that occurs more than once',
    'method.date': ', or a missing or invalid {date}',
    'method.groupAll': 'each group is tested against all other customers (pooled two-proportion z-test)',
    'method.groupPeriods': 'each group’s change against its own previous period is tested',
    'method.filter': ' Customers limited to {filter}.',
    'title.all': '{name} {value} over all data: {x} of {n} customers {verb}',
    'verb.churn': 'left',
    'verb.retention': 'stayed',
    'title.value': '{name} {value} in {period}',
    'title.change': '{name} {value} in {period}, {previous} in {previousPeriod}{verdict}',
    'title.notSignificant': ' (not significant)',
    'title.empty': '{name}: no customers in {period}',
    caption: '{title} per {unit}, with 95% Wilson intervals. n = {n} customers in {period}. Source: {source}.',
    alt: 'Line chart of {label} per {unit} for {count} periods, ending at {lastValue} in {last}.',
    'table.caption': 'Customers and {name}',
    'table.period': 'Period',
    'table.customers': 'Customers',
    'table.flagged': '{verb}',
    'table.rate': '{name} (%)',
    'table.ci': '95% CI',
    'table.lowN': 'n < {min}',
    'table.footnote': '{name} = customers whose {column} is {values} ÷ customers with a non-empty {column}.',
    'table.footnoteRetention': '{name} = customers whose {column} is not {values} ÷ customers with a non-empty {column}.',
    'head.churn': 'Churned',
    'head.retention': 'Retained',
  },
  'zh-CN': {
    'label.churn': '流失率',
    'label.retention': '留存率',
    'title.churn': '客户流失率',
    'title.retention': '客户留存率',
    test: '双比例 z 检验（合并比例）',
    'method.churn': '流失率 = {column}为{values}的客户数 ÷ {column}非空的客户数 × 100（越低越好）。',
    'method.retention': '留存率 = {column}不为{values}的客户数 ÷ {column}非空的客户数 × 100。',
    'method.all': '全部客户作为一个期间（granularity all），无论有无日期；没有上一期，也没有变化检验。',
    'method.periods': '客户按其{date}（UTC）归入各期；每期与上一期用合并比例的双侧双比例 z 检验比较。',
    'method.rest': '95% 置信区间：二项比例的 Wilson 得分区间。{column}为空{id}{date}的行均被排除（从不修正）并计数。细分分析按客户在该列上的取值分组；{groupTest}，p 值经 Benjamini–Hochberg 法校正。',
    'method.id': '、缺少 id 或 id 出现不止一次',
    'method.date': '、{date}缺失或无效',
    'method.groupAll': '每组与其余所有客户比较（合并比例的双比例 z 检验）',
    'method.groupPeriods': '检验每组相对其自身上一期的变化',
    'method.filter': '客户范围限于{filter}。',
    'title.all': '全部数据的{name}为{value}：{n}位客户中有{x}位{verb}',
    'verb.churn': '已流失',
    'verb.retention': '仍留存',
    'title.value': '{period}{name}为{value}',
    'title.change': '{period}{name}为{value}，{previousPeriod}为{previous}{verdict}',
    'title.notSignificant': '（不显著）',
    'title.empty': '{name}：{period}没有客户',
    caption: '每{unit}的{title}，含 95% Wilson 置信区间。{period}客户数 n = {n}。数据来源：{source}。',
    alt: '每{unit}{label}的折线图，共{count}期，最近一期{last}为{lastValue}。',
    'table.caption': '客户数与{name}',
    'table.period': '期间',
    'table.customers': '客户',
    'table.flagged': '{verb}',
    'table.rate': '{name}（%）',
    'table.ci': '95% 置信区间',
    'table.lowN': 'n < {min}',
    'table.footnote': '{name} = {column}为{values}的客户数 ÷ {column}非空的客户数。',
    'table.footnoteRetention': '{name} = {column}不为{values}的客户数 ÷ {column}非空的客户数。',
    'head.churn': '已流失',
    'head.retention': '仍留存',
  },
} satisfies Record<Locale, Record<string, string>>;

/** The config keys of the flag form (churn and retention). */
export interface FlagDef {
  source: string;
  id?: string;
  start?: string;
  end?: string;
  churned?: string;
  churned_value?: FlagValues;
  date?: string;
  label?: string;
  target?: number;
  filter?: Record<string, unknown>;
}

export type FlagExclusion = 'missing churned flag' | 'missing id' | 'duplicate id' | 'missing or invalid date';

/** Valid customers (one row each) with their flag and period. */
export interface PreparedFlags<D extends FlagDef = FlagDef> extends Prepared {
  kind: 'flags';
  id: string;
  def: D;
  granularity: Granularity;
  sourceName: string;
  /** valid rows: the source's columns plus __churned (1 = a churned value), __period and __ts */
  table: ColumnTable;
  /** excluded rows per period ("undated" without a valid date) and reason */
  exclusions: Map<string, Record<string, number>>;
  firstPeriod: string | undefined;
  filterText: string | null;
  cache: Map<string, unknown>;
}

const isEmpty = (raw: unknown) => raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');

/** Whether a customers metric's config uses the flag form. */
export function isFlagForm(def: { churned?: string }): boolean {
  return def.churned !== undefined;
}

/**
 * Checks which form a churn/retention config uses: the flag form (`churned`, `churned_value`,
 * optional `id` and `date`) or the date form (`id`, `start`, `end`). Mixing them, or giving
 * neither completely, is a located config error naming the keys.
 */
export function checkLifecycleForm(ctx: PrepareContext<FlagDef>): 'flag' | 'dates' {
  const def = ctx.def;
  const at = (key: string) => ctx.config.yaml.locate(['metrics', ctx.id, key], { key: true });
  const here = ctx.config.yaml.locate(['metrics', ctx.id], { key: true });
  if (def.churned !== undefined) {
    const mixed = (['start', 'end'] as const).find((k) => def[k] !== undefined);
    if (mixed) {
      throw new CxError('config', `metric "${ctx.id}": \`${mixed}\` belongs to the date form (start/end dates), but the metric uses the flag form (\`churned\`)`, {
        location: at(mixed),
        hint: 'use either `churned:` + `churned_value:` (a flag column) or `id:` + `start:` + `end:` (dates), not both',
      });
    }
    if (def.churned_value === undefined) {
      throw new CxError('config', `metric "${ctx.id}": \`churned: ${def.churned}\` needs \`churned_value\`, the value(s) of that column that mean the customer left`, { location: at('churned'), hint: 'add e.g. `churned_value: "Yes"` (or a list: `[Yes, "1"]`)' });
    }
    if (ctx.granularity !== 'all' && def.date === undefined) {
      throw new CxError('config', `metric "${ctx.id}": the flag form (\`churned\`) needs a \`date:\` column to assign customers to ${ctx.granularity}s`, {
        location: at('churned'),
        hint: 'add `date: <column>` (e.g. the snapshot or signup date), or set report.period.granularity: all to compute it once over all data',
      });
    }
    return 'flag';
  }
  if (def.churned_value !== undefined) throw new CxError('config', `metric "${ctx.id}": \`churned_value\` needs \`churned\`, the column holding the churn flag`, { location: at('churned_value'), hint: 'add `churned: <column>` (e.g. `churned: Churn`)' });
  if (def.date !== undefined) throw new CxError('config', `metric "${ctx.id}": \`date\` belongs to the flag form (\`churned\`); the date form uses \`start\` and \`end\``, { location: at('date'), hint: 'remove `date:`, or use the flag form: `churned:` + `churned_value:`' });
  const missing = (['id', 'start', 'end'] as const).filter((k) => def[k] === undefined);
  if (missing.length > 0) {
    throw new CxError('config', `metric "${ctx.id}": missing ${missing.map((k) => `\`${k}\``).join(', ')}: give the date form (id, start, end) or the flag form (churned, churned_value)`, {
      location: here,
      hint: 'dates: `id: customer_id, start: signup_date, end: cancel_date`; a flag: `churned: Churn, churned_value: "Yes"`',
    });
  }
  if (ctx.granularity === 'all') {
    throw new CxError('config', `metric "${ctx.id}": the date form (start/end) counts customers active at the start of a period, which granularity all does not have`, {
      location: at('start'),
      hint: 'use the flag form (`churned:` + `churned_value:`), or set report.period.granularity to month, quarter or year',
    });
  }
  return 'dates';
}

/** Validates the rows of the flag form: flag (empty = excluded), optional id (missing/duplicate), date (periods only). */
export function prepareFlags<D extends FlagDef>(ctx: PrepareContext<D>, extraColumns: [string, string | undefined][] = []): PreparedFlags<D> {
  const def = ctx.def;
  const source = ctx.source('source');
  const column = def.churned!;
  ctx.requireColumn(source, column, ['churned']);
  if (def.id !== undefined) ctx.requireColumn(source, def.id, ['id']);
  if (def.date !== undefined) ctx.requireColumn(source, def.date, ['date']);
  for (const c of Object.keys(def.filter ?? {})) ctx.requireColumn(source, c, ['filter', c]);
  for (const [key, c] of extraColumns) if (c !== undefined) ctx.requireColumn(source, c, [key]);
  const g = ctx.granularity;
  let table = source.table;
  if (def.filter && Object.keys(def.filter).length > 0) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const n = table.numRows();
  const flags = table.array(column) as ArrayLike<unknown>;
  requireMatch(ctx as PrepareContext<unknown>, flags, column, def.churned_value!, ['churned_value'], source.name);
  const matches = flagMatcher(def.churned_value!);
  const ids = def.id !== undefined ? (table.array(def.id) as ArrayLike<unknown>) : null;
  const dates = def.date !== undefined ? (table.array(def.date) as ArrayLike<unknown>) : null;
  const reject = rowRejecter(source, table, ctx.id);
  const seen = new Map<string, number>();
  if (ids) {
    for (let i = 0; i < n; i++) {
      if (isEmpty(ids[i])) continue;
      const k = String(ids[i]).trim();
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  }
  const excluded = new ExclusionCounter();
  const exclusions = excluded.byPeriod;
  const keep: number[] = [];
  const flag: number[] = [];
  const period: string[] = [];
  const ts: number[] = [];
  let firstPeriod: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = dates ? parseTimestamp(dates[i]) : NaN;
    // granularity all: every row is in the one period, dated or not
    const p = g === 'all' ? ALL_PERIOD : Number.isFinite(t) ? periodOf(t, g) : null;
    if (p === null) {
      reject(i, def.date!, dates![i], 'missing or invalid date (ISO 8601 expected)');
      excluded.add(null, 'missing or invalid date');
      continue;
    }
    if (ids && isEmpty(ids[i])) {
      reject(i, def.id!, ids[i], 'missing id');
      excluded.add(p, 'missing id');
      continue;
    }
    if (ids && (seen.get(String(ids[i]).trim()) ?? 0) > 1) {
      reject(i, def.id!, ids[i], `duplicate id (${seen.get(String(ids[i]).trim())} rows)`);
      excluded.add(p, 'duplicate id');
      continue;
    }
    const m = matches(flags[i]);
    if (m === null) {
      reject(i, column, flags[i], `missing churned flag (expected ${describeFlagValues(def.churned_value!)} or another value)`);
      excluded.add(p, 'missing churned flag');
      continue;
    }
    keep.push(i);
    flag.push(m ? 1 : 0);
    period.push(p);
    ts.push(t);
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
  }
  const valid = table.reify(keep).assign(aq.table({ __churned: flag, __period: period, __ts: Float64Array.from(ts) }));
  return {
    kind: 'flags',
    id: ctx.id,
    def,
    granularity: g,
    sourceName: source.name,
    table: valid,
    exclusions,
    firstPeriod,
    filterText: def.filter ? describeFilter(def.filter as Filter) : null,
    cache: new Map(),
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, g),
  };
}

/** Churned (x) and customers (n) per period, or per period and group of a column (key `period\u0000group`). */
export function flagCounts(pf: PreparedFlags, column?: string): Map<string, { x: number; n: number }> {
  const key = `counts:${column ?? ''}`;
  const cached = pf.cache.get(key) as Map<string, { x: number; n: number }> | undefined;
  if (cached) return cached;
  const periods = pf.table.array('__period') as ArrayLike<string>;
  const churned = pf.table.array('__churned') as ArrayLike<number>;
  const groups = column ? (pf.table.array(column) as ArrayLike<unknown>) : null;
  const out = new Map<string, { x: number; n: number }>();
  for (let i = 0; i < periods.length; i++) {
    const k = groups ? `${periods[i]}\u0000${groupKey(groups[i])}` : periods[i];
    const c = out.get(k) ?? { x: 0, n: 0 };
    c.x += churned[i];
    c.n += 1;
    out.set(k, c);
  }
  pf.cache.set(key, out);
  return out;
}

type Kind = 'churn' | 'retention';

/** The share a kind reports: churned or retained customers. */
const successes = (kind: Kind, c: { x: number; n: number }) => (kind === 'churn' ? c.x : c.n - c.x);

function flagMethod(kind: Kind, pf: PreparedFlags, locale: Locale): string {
  const t = localTranslator(MESSAGES, locale);
  const def = pf.def;
  const all = pf.granularity === 'all';
  const values = describeFlagValues(def.churned_value!);
  const filterText = def.filter ? describeFilterIn(translator(locale), def.filter as Filter) || null : null;
  return (
    t(kind === 'churn' ? 'method.churn' : 'method.retention', { column: def.churned!, values }) +
    (all ? t('method.all') : t('method.periods', { date: def.date! })) +
    t('method.rest', {
      column: def.churned!,
      id: def.id !== undefined ? t('method.id') : '',
      date: !all && def.date !== undefined ? t('method.date', { date: def.date }) : '',
      groupTest: t(all ? 'method.groupAll' : 'method.groupPeriods'),
    }) +
    (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

/** Computes churn or retention from the flag form for one period. */
export function computeFlags(kind: Kind, pf: PreparedFlags, ctx: ComputeContext): MetricResult {
  const def = pf.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const all = ctx.granularity === 'all';
  const { period, previousPeriod, minSample } = ctx;
  const byPeriod = flagCounts(pf);
  const zero = { x: 0, n: 0 };
  const cur = byPeriod.get(period) ?? zero;
  const prev = byPeriod.get(previousPeriod) ?? zero;
  const head = proportion(period, successes(kind, cur), cur.n, minSample);
  const change = proportionChange(previousPeriod, { x: successes(kind, prev), n: prev.n }, { x: successes(kind, cur), n: cur.n }, minSample);
  const first = pf.firstPeriod !== undefined && pf.firstPeriod <= period ? pf.firstPeriod : period;
  const series: PeriodValue[] = periodRange(first, period, pf.granularity).map((p) => {
    const c = byPeriod.get(p) ?? zero;
    return proportion(p, successes(kind, c), c.n, minSample);
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const grouped = flagCounts(pf, column);
    const groups = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))].sort();
    const rows: GroupResult[] = groups.map((group) => {
      const gc = grouped.get(`${period}\u0000${group}`) ?? zero;
      const v = proportion(period, successes(kind, gc), gc.n, minSample);
      if (all) {
        // one period: the group against every other customer
        const rest = { x: successes(kind, cur) - successes(kind, gc), n: cur.n - gc.n };
        const ch = proportionChange('rest', rest, { x: successes(kind, gc), n: gc.n }, minSample);
        return { group, ...v, previous: null, rest: { value: ch.previous?.value ?? null, n: rest.n }, delta: ch.delta, p: ch.p, pAdjusted: null, significant: false };
      }
      const gp = grouped.get(`${previousPeriod}\u0000${group}`) ?? zero;
      const ch = proportionChange(previousPeriod, { x: successes(kind, gp), n: gp.n }, { x: successes(kind, gc), n: gc.n }, minSample);
      return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  const share = head.value === null ? null : head.value / 100;
  const se = share === null ? null : 100 * Math.sqrt((share * (1 - share)) / cur.n);
  // granularity all: every exclusion, dated or not, belongs to the one period
  const merged = all ? mergeAll(pf.exclusions) : pf.exclusions;
  return makeResult({
    id: pf.id,
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
    ...exclusionFields(merged, period, 'by reason'),
    series,
    breakdowns,
    method: flagMethod(kind, pf, locale),
    extra: {
      form: 'flag',
      flag: { column: def.churned, values: Array.isArray(def.churned_value) ? def.churned_value : [def.churned_value] },
      customers: cur.n,
      churned: cur.x,
      retained: cur.n - cur.x,
      previousCustomers: all ? null : prev.n,
    },
  });
}

/** Exclusions of granularity all: every entry (the undated rows' too) under "all". */
function mergeAll(perPeriod: Map<string, Record<string, number>>): Map<string, Record<string, number>> {
  const total: Record<string, number> = {};
  for (const entry of perPeriod.values()) for (const [k, v] of Object.entries(entry)) total[k] = (total[k] ?? 0) + v;
  return new Map([[ALL_PERIOD, total]]);
}

/** The default visual: the rate per period (a trend with its band) where there are periods, and a table of the counts. */
export function flagVisual(kind: Kind, r: MetricResult, pf: PreparedFlags, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const def = pf.def;
  const all = pf.granularity === 'all';
  const name = r.label;
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  const now = ctx.periodLabel(ctx.period);
  const x = r.extra as { customers: number; churned: number; retained: number };
  const verb = t(kind === 'churn' ? 'verb.churn' : 'verb.retention');
  const blocks: VisualBlock[] = [];
  let title: string;
  if (r.value === null) title = t('title.empty', { name, period: now });
  else if (all) title = t('title.all', { name, value: pct(r.value), x: fmt.count(kind === 'churn' ? x.churned : x.retained), n: fmt.count(x.customers), verb });
  else if (r.previous && r.delta !== null) title = t('title.change', { name, value: pct(r.value), period: now, previous: pct(r.previous.value), previousPeriod: ctx.periodLabel(r.previous.period), verdict: r.significant ? '' : t('title.notSignificant') });
  else title = t('title.value', { name, value: pct(r.value), period: now });
  const series = r.series.slice(-24);
  const withData = series.filter((s) => s.value !== null);
  if (!all && withData.length >= 2) {
    const short = (key: string) => ctx.periodLabel(key, 'short');
    const unit = translator(locale)(`unit.${pf.granularity}`);
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${kind}-${pf.id}`),
        title,
        caption: t('caption', { title: r.title, unit, n: fmt.count(r.n), period: now, source: pf.sourceName }),
        alt: t('alt', { label: r.label, unit, count: withData.length, last: ctx.periodLabel(withData[withData.length - 1].period), lastValue: pct(withData[withData.length - 1].value) }),
        spec: trendSpec(
          series.map((s) => ({ label: short(s.period), value: s.value, lo: s.ci?.[0] ?? null, hi: s.ci?.[1] ?? null, n: s.n, lowSample: s.lowSample })),
          { metric: r.label, unit: 'percent', target: r.target, domain: [0, 100], t: translator(locale) },
        ),
        size: 'wide',
      },
    });
  } else blocks.push({ kind: 'text', paragraphs: [title] });
  const counts = flagCounts(pf);
  const rows = (all ? [ctx.period] : series.slice(-12).map((s) => s.period)).reverse().map((p) => {
    const c = counts.get(p) ?? { x: 0, n: 0 };
    const v = proportion(p, kind === 'churn' ? c.x : c.n - c.x, c.n, r.minSample);
    return {
      cells: [ctx.periodLabel(p), fmt.count(c.n), fmt.count(kind === 'churn' ? c.x : c.n - c.x), fmt.number(v.value, 'percent'), fmt.interval(v.ci, 'percent')],
      muted: v.lowSample,
      note: v.lowSample ? t('table.lowN', { min: r.minSample }) : undefined,
    };
  });
  blocks.push({
    kind: 'table',
    table: {
      caption: t('table.caption', { name }),
      columns: [
        { label: t('table.period') },
        { label: t('table.customers'), align: 'right' },
        { label: t('table.flagged', { verb: t(kind === 'churn' ? 'head.churn' : 'head.retention') }), align: 'right' },
        { label: t('table.rate', { name }), align: 'right' },
        { label: t('table.ci'), align: 'right' },
      ],
      rows,
      footnote: t(kind === 'churn' ? 'table.footnote' : 'table.footnoteRetention', { name, column: def.churned!, values: describeFlagValues(def.churned_value!) }),
    },
  });
  return blocks;
}
