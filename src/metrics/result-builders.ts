/**
 * Building blocks for metric results shared by the metric modules: a result with every common
 * field defaulted, proportions (Wilson interval, pooled two-proportion test), and
 * Benjamini–Hochberg significance across the groups of a breakdown.
 */
import type { Change, GroupResult, MetricResult, PeriodValue } from './module.js';
import { benjaminiHochberg, twoProportionZTest, wilsonInterval } from '../kernel/stats.js';

export const ALPHA = 0.05;

/** A complete MetricResult from the fields a module knows; everything else empty/neutral. */
export function makeResult(fields: Pick<MetricResult, 'id' | 'type' | 'label' | 'title' | 'unit' | 'higherIsBetter' | 'period' | 'value' | 'n' | 'method' | 'minSample'> & Partial<MetricResult>): MetricResult {
  return {
    ci: null,
    lowSample: fields.n < fields.minSample,
    previous: null,
    delta: null,
    test: '',
    statistic: null,
    p: null,
    significant: false,
    target: null,
    se: null,
    domain: null,
    excluded: 0,
    exclusions: {},
    excludedAllPeriods: {},
    series: [],
    breakdowns: {},
    distribution: [],
    extra: {},
    ...fields,
  };
}

/** A share x/n as a percentage with its Wilson 95% interval. */
export function proportion(period: string, x: number, n: number, minSample: number): PeriodValue {
  if (n === 0) return { period, value: null, n: 0, ci: null, lowSample: true };
  const [lo, hi] = wilsonInterval(x, n);
  return { period, value: (100 * x) / n, n, ci: [100 * lo, 100 * hi], lowSample: n < minSample };
}

/** The change between two shares, tested with the pooled two-proportion z-test. */
export function proportionChange(previousPeriod: string, prev: { x: number; n: number }, cur: { x: number; n: number }, minSample: number): Change {
  const a = proportion(previousPeriod, prev.x, prev.n, minSample);
  const b = proportion('', cur.x, cur.n, minSample);
  const test = 'two-proportion z-test (pooled)';
  if (a.value === null || b.value === null) return { previous: a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: null, test, statistic: null, p: null, significant: false };
  const t = twoProportionZTest(prev.x, prev.n, cur.x, cur.n);
  const p = Number.isFinite(t.p) ? t.p : null;
  return { previous: { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: b.value - a.value, test, statistic: Number.isFinite(t.z) ? t.z : null, p, significant: p !== null && p < ALPHA };
}

/** Exclusion counts added up over periods (reason → rows). */
export function totalExclusions(perPeriod: Iterable<Record<string, number>>): Record<string, number> {
  const all: Record<string, number> = {};
  for (const entry of perPeriod) for (const [reason, n] of Object.entries(entry)) all[reason] = (all[reason] ?? 0) + n;
  return all;
}

/** The counts with the reasons in text order, whatever order the rows came in. */
export function byReason(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `excluded`, `exclusions` (this period) and `excludedAllPeriods` of a result, from exclusion counts per period. */
export function exclusionFields(perPeriod: Map<string, Record<string, number>>, period: string, order: 'as counted' | 'by reason' = 'as counted'): Pick<MetricResult, 'excluded' | 'exclusions' | 'excludedAllPeriods'> {
  const exclusions = perPeriod.get(period) ?? {};
  const ordered = order === 'by reason' ? byReason : <T>(x: T) => x;
  return { excluded: Object.values(exclusions).reduce((a, b) => a + b, 0), exclusions: ordered(exclusions), excludedAllPeriods: ordered(totalExclusions(perPeriod.values())) };
}

/** Sets pAdjusted (Benjamini–Hochberg) and significant on the groups of one breakdown, in place. */
export function adjustGroups(groups: GroupResult[]): GroupResult[] {
  const tested = groups.filter((g) => g.p !== null);
  const adjusted = benjaminiHochberg(tested.map((g) => g.p as number));
  tested.forEach((g, i) => {
    g.pAdjusted = adjusted[i];
    g.significant = adjusted[i] < ALPHA;
  });
  return groups;
}
