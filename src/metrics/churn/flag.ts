/**
 * Churn and retention from a flag (snapshot data, e.g. IBM's Telco file: one row per customer and
 * a `Churn` column of Yes/No): the share of customers whose flag column holds one of the
 * `churned_value`s, out of the customers with a non-empty flag — a binomial share with the Wilson
 * 95% interval. Retention is its complement. With granularity `all` every row counts, dated or
 * not, and each breakdown group is tested against the rest of the customers (pooled two-proportion
 * z-test, Benjamini–Hochberg across the groups); with calendar periods a `date:` column assigns each
 * customer to a period, and a period is compared with the previous one by the same test.
 */
import { describeFilterIn, localTranslator, translator, type Locale } from '../../kernel/i18n.js';
import type { Filter } from '../../kernel/filter.js';
import { describeFlagValues } from '../flag-values.js';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { ALL_PERIOD, periodRange } from '../../kernel/period.js';
import { groupKey } from '../prepare.js';
import { rateHeader } from './header.js';
import { adjustGroups, exclusionFields, makeResult, proportion, proportionChange } from '../result-builders.js';
import { FLAG_MESSAGES as MESSAGES } from './messages.js';
import type { PreparedFlags } from './prepare.js';

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
    ...rateHeader(kind, pf.id, def, t),
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
