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
 * The customer-table preparation shared with cohort retention and survival is in customers.ts; the
 * flag form (snapshot data) is in flag.ts.
 */
import * as aq from 'arquero';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { customerCount, filterTextIn, groupsOf, ordinalPeriod, periodOrdinal, type PreparedCustomers } from '../customers.js';
import { rateHeader } from './header.js';
import { adjustGroups, makeResult, proportion, proportionChange } from '../result-builders.js';
import { localTranslator, type Locale } from '../../kernel/i18n.js';
import { MESSAGES } from './messages.js';
import type { ChurnDef, RetentionDef } from './schema.js';

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

export const ZERO: LifecycleCounts = { atStart: 0, new: 0, lost: 0, newLost: 0, atEnd: 0 };

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

export type Kind = 'churn' | 'retention';

/** The share a kind reports: churned (L) or retained (S − L) of S. */
/** Churn counts L; CRR counts E − N, as defined (Kumar & Reinartz; reference/metrics.md). E − N = S − L − newLost ≥ 0 unless data are inconsistent. */
export const successes = (kind: Kind, c: LifecycleCounts) => (kind === 'churn' ? c.lost : Math.max(0, c.atEnd - c.new));

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
export function computeLifecycle(kind: Kind, pc: PreparedCustomers<ChurnDef | RetentionDef>, ctx: ComputeContext): MetricResult {
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
    ...rateHeader(kind, pc.id, def, t),
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
