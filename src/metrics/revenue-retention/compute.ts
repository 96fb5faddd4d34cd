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
import { localTranslator, unitName, type Locale } from '../../kernel/i18n.js';
import { filterTextIn, ordinalPeriod, periodOrdinal, timeOrdinal } from '../customers.js';
import type { Change, ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { ALPHA, adjustGroups, makeResult } from '../result-builders.js';
import { MESSAGES } from './messages.js';
import { monthKey, monthStart, snapshotMonth, type PreparedRevenue } from './prepare.js';
import { bridges, contributions, EMPTY_BRIDGE, grrOf, nrrOf, pairs, type Bridge, type Pairs } from './bridge.js';
import { bootstrapChange, bootstrapRatio, bootstrapRatioPair } from '../../kernel/bootstrap.js';

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

/** A period's bridge as written in metrics.json (`extra.bridge`, `extra.bridges`). */
export type BridgeRecord = ReturnType<typeof bridgeRecord>;

function bridgeRecord(pb: PeriodBridge, b: Bridge) {
  return { period: pb.period, from: monthKey(pb.from), to: monthKey(pb.to), start: b.start, new: b.new, expansion: b.expansion, contraction: b.contraction, churned: b.churned, end: b.end, nrr: nrrOf(b), grr: grrOf(b), customers: b.customers };
}

export function computeRevenue(pr: PreparedRevenue, ctx: ComputeContext): MetricResult {
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
