/**
 * Finalises sufficient statistics into what readers and machines see: value, n, 95% interval,
 * previous period, delta, change test, significance, low-sample flag, exclusions, series,
 * breakdowns (with Benjamini–Hochberg adjusted significance across groups) and distribution.
 */
import type { Change, GroupResult, MetricResult, PeriodValue } from './module.js';
import { adjustGroups, ALPHA, exclusionFields, makeResult } from './result-builders.js';
import { aggregate, exclusions, scoreCounts, type PreparedMetric } from './prepare.js';
import { historyRange, shiftPeriod } from '../kernel/period.js';
import { addStats, emptyStats, type Stats } from '../kernel/types.js';

export type { Change, GroupResult, MetricResult, PeriodValue } from './module.js';

const SHORT: Record<string, string> = { nps: 'NPS', csat: 'CSAT', ces: 'CES' };

/** Estimate and low-sample flag for one cell. */
export function periodValue(pm: PreparedMetric, period: string, stats: Stats, minSample: number): PeriodValue {
  const e = pm.type.finalise(stats, pm.def);
  return { period, value: e.value, n: e.n, ci: e.ci, lowSample: e.n < minSample };
}

/** The change from `previous` to `current` statistics with its test. */
export function change(pm: PreparedMetric, previousPeriod: string, previous: Stats, current: Stats): Change {
  const a = pm.type.finalise(previous, pm.def);
  const b = pm.type.finalise(current, pm.def);
  const t = pm.type.compare(previous, current, pm.def);
  const delta = a.value !== null && b.value !== null ? b.value - a.value : null;
  return {
    previous: previous.n > 0 ? { period: previousPeriod, value: a.value, n: a.n, ci: a.ci } : null,
    delta,
    test: t.test,
    statistic: t.statistic,
    p: t.p,
    significant: t.p !== null && t.p < ALPHA,
  };
}

/** The statistics of `all` without those of `part` (a group's complement: sufficient statistics subtract). */
function withoutStats(all: Stats, part: Stats): Stats {
  const counts: Record<string, number> = { ...all.counts };
  for (const [k, v] of Object.entries(part.counts)) counts[k] = (counts[k] ?? 0) - v;
  return { n: all.n - part.n, sum: all.sum - part.sum, sumSq: all.sumSq - part.sumSq, counts };
}

/** Sums the statistics of cells whose period is in `periods`. */
export function sumPeriods(cells: { period: string; stats: Stats }[], periods: Set<string>): Stats {
  return cells.filter((c) => periods.has(c.period)).reduce((acc, c) => addStats(acc, c.stats), emptyStats());
}

/** Computes the full result of a prepared metric for the current period. */
export function metricResult(pm: PreparedMetric, current: string, options: { breakdowns: string[]; minSample: number }): MetricResult {
  const { def, type } = pm;
  const minSample = def.min_sample ?? options.minSample;
  const previousPeriod = shiftPeriod(current, -1, pm.granularity);
  const overall = aggregate(pm);
  const byPeriod = new Map(overall.map((c) => [c.period, c.stats]));
  const cur = byPeriod.get(current) ?? emptyStats();
  const prev = byPeriod.get(previousPeriod) ?? emptyStats();
  const head = periodValue(pm, current, cur, minSample);
  const estimate = type.finalise(cur, def);

  const first = overall.length > 0 ? overall[0].period : current;
  const series = (first <= current ? historyRange(first, current, pm.granularity) : [current]).map((p) => periodValue(pm, p, byPeriod.get(p) ?? emptyStats(), minSample));

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of options.breakdowns) {
    const cells = aggregate(pm, { by: [column] });
    const groups = [...new Set(cells.map((c) => c.groups[0]))].sort();
    const rows = groups.map((group) => {
      const mine = cells.filter((c) => c.groups[0] === group);
      const gc = mine.find((c) => c.period === current)?.stats ?? emptyStats();
      if (pm.granularity === 'all') {
        // one period over all data: the group against every other answer
        const rest = withoutStats(cur, gc);
        const ch = change(pm, 'rest', rest, gc);
        return { group, ...periodValue(pm, current, gc, minSample), previous: null, rest: ch.previous && { value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
      }
      const gp = mine.find((c) => c.period === previousPeriod)?.stats ?? emptyStats();
      const ch = change(pm, previousPeriod, gp, gc);
      return { group, ...periodValue(pm, current, gc, minSample), previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
    }).filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0);
    breakdowns[column] = adjustGroups(rows);
  }


  const rules = type.rules(def);
  const bands = type.bands(def);
  const distribution: MetricResult['distribution'] = [];
  if (rules.integer) {
    const counts = scoreCounts(pm, current);
    for (let s = rules.min; s <= rules.max; s++) {
      const count = counts.get(s) ?? 0;
      distribution.push({ score: s, count, share: cur.n > 0 ? count / cur.n : 0, band: bands.find((b) => s >= b.min && s <= b.max)?.name ?? null });
    }
  }

  return makeResult({
    id: pm.id,
    type: def.type,
    label: def.label ?? SHORT[def.type] ?? pm.id,
    title: type.title,
    unit: type.unit(def),
    higherIsBetter: type.higherIsBetter(def),
    domain: type.domain(def),
    target: def.target ?? null,
    ...head,
    se: estimate.se ?? null,
    minSample,
    ...change(pm, previousPeriod, prev, cur),
    ...exclusionFields(exclusions(pm), current),
    series,
    breakdowns,
    distribution,
    method: type.method(def),
    extra: {},
  });
}
