/**
 * Repeat purchase rate: of the customers who bought at least once in a window (365 days by
 * default) ending at the period end, the share who bought more than once. Every order row is
 * validated once (customer, date, amount); invalid rows are excluded and counted by reason. Per
 * period the rows of the window are rolled up per customer (Arquero), then into the two counts
 * the rate needs, so any grouping is the same two sums. Wilson interval; pooled two-proportion
 * z-test against the previous period's window.
 *
 * The order-row validation and the "customer's latest value" lookup are shared with the CLV
 * metric (clv.ts, through windows.ts).
 */
import type { Vars, Locale } from '../../kernel/i18n.js';
import { localTranslator } from '../../kernel/i18n.js';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { adjustGroups, makeResult, proportion, proportionChange } from '../result-builders.js';
import { DAY_MS, tallyExclusions } from '../transactions.js';
import { MESSAGES } from './messages.js';
import type { PreparedRepeat, WindowStats } from './prepare.js';
import type { RepeatPurchaseDef } from './schema.js';
import { isoDay, seriesPeriods, timeBounds } from './windows.js';

export const DISTRIBUTION_BUCKETS: { label: string; min: number; max: number }[] = [
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

function overall(stats: WindowStats): { x: number; n: number } {
  let x = 0;
  let n = 0;
  for (const g of stats.groups.values()) {
    x += g.x;
    n += g.n;
  }
  return { x, n };
}

export function compute(prepared: PreparedRepeat, ctx: Pick<ComputeContext, 'period' | 'previousPeriod' | 'breakdowns' | 'minSample'> & { locale?: Locale }): MetricResult {
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
