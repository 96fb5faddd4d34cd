/**
 * The one way metric modules count excluded rows: per period key (the row's own period, or
 * "undated" when it has no valid date) and reason. A prepared metric keeps `byPeriod`; a result
 * takes its `excluded`, `exclusions` and `excludedAllPeriods` from `summary(period)`.
 */
import { ALL_PERIOD } from '../kernel/period.js';
import type { MetricResult } from './module.js';
import { totalExclusions } from './result-builders.js';

/** Excluded rows per period key ("undated" when the row has no valid date) and reason. */
export class ExclusionCounter {
  /** `byPeriod`: counts to add to (a new map unless counting continues in one kept elsewhere) */
  constructor(readonly byPeriod = new Map<string, Record<string, number>>()) {}

  add(period: string | null, reason: string, count = 1): void {
    const key = period ?? 'undated';
    const entry = this.byPeriod.get(key) ?? {};
    entry[reason] = (entry[reason] ?? 0) + count;
    this.byPeriod.set(key, entry);
  }

  /** `excluded`, `exclusions` (current period) and `excludedAllPeriods` of a result. */
  summary(period: string): Pick<MetricResult, 'excluded' | 'exclusions' | 'excludedAllPeriods'> {
    // granularity all: every exclusion, dated or not, belongs to the one period
    const current = sortKeys(period === ALL_PERIOD ? totalExclusions(this.byPeriod.values()) : (this.byPeriod.get(period) ?? {}));
    return { excluded: Object.values(current).reduce((a, b) => a + b, 0), exclusions: current, excludedAllPeriods: sortKeys(totalExclusions(this.byPeriod.values())) };
  }
}

/**
 * An exclusion record with its keys (reasons) in sorted order, for deterministic JSON. The order is
 * localeCompare's, which sorts letters regardless of case ('MRR not a number' among the other m's).
 */
export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

