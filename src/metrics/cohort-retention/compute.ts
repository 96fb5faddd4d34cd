/**
 * Cohort retention: customers grouped by the period of their first activity (signup, or first
 * row of an activity log); the share of each cohort active k periods later, k = 0, 1, 2, … — the
 * retention triangle. The headline value is the pooled k = `at` retention of the cohorts shown
 * that have reached k = `at` (Wilson interval), compared with the previous period by a pooled
 * z-test that counts cohorts shared by both windows once.
 *
 * Two inputs:
 * - subscriptions (`start`, `end`): one row per customer; active in a period when the
 *   subscription overlaps it (start before the period ends, no end or end on/after its start);
 * - an activity log (`date`): any number of rows per customer; active in a period with at least
 *   one row in it.
 */
import { localTranslator, unitName, type Locale } from '../../kernel/i18n.js';
import { filterTextIn, ordinalPeriod, periodOrdinal } from '../customers.js';
import type { Change, ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import type { CalendarGranularity, Granularity } from '../../kernel/period.js';
import { ALPHA, adjustGroups, makeResult, proportion } from '../result-builders.js';
import { twoSidedP } from '../../kernel/stats.js';
import { MESSAGES } from './messages.js';
import type { CohortMap, PreparedCohorts } from './prepare.js';
import type { CohortRetentionDef } from './schema.js';

/** Cohorts (with customers) in the window of period ordinal p: the `cohorts` latest that reached k = at. */
function windowOf(map: CohortMap | undefined, p: number, def: CohortRetentionDef): number[] {
  const out: number[] = [];
  if (!map) return out;
  for (let c = p - def.cohorts + 1; c <= p - def.at; c++) if ((map.get(c)?.size ?? 0) > 0) out.push(c);
  return out;
}

function pooled(map: CohortMap | undefined, cohorts: number[], k: number): { x: number; n: number } {
  let x = 0;
  let n = 0;
  for (const c of cohorts) {
    const cohort = map!.get(c)!;
    x += cohort.activeAt(k);
    n += cohort.size;
  }
  return { x, n };
}

/**
 * Change between the pooled shares of two windows of cohorts that may share cohorts:
 * D = x₂/n₂ − x₁/n₁ = Σ_c a_c·x_c with a_c = [c ∈ W₂]/n₂ − [c ∈ W₁]/n₁; under H₀ (one retention
 * probability p) the cohorts are independent binomials, so Var D = p(1 − p)·Σ_c a_c²·n_c, with p
 * pooled over the union of the windows. With disjoint windows this is the usual pooled z-test.
 */
export function overlapZTest(prev: { cohort: number; x: number; n: number }[], cur: { cohort: number; x: number; n: number }[]): { z: number | null; p: number | null } {
  const n1 = prev.reduce((a, c) => a + c.n, 0);
  const n2 = cur.reduce((a, c) => a + c.n, 0);
  if (n1 === 0 || n2 === 0) return { z: null, p: null };
  const union = new Map<number, { x: number; n: number; a: number }>();
  for (const c of prev) union.set(c.cohort, { x: c.x, n: c.n, a: -1 / n1 });
  for (const c of cur) {
    const u = union.get(c.cohort);
    if (u) u.a += 1 / n2;
    else union.set(c.cohort, { x: c.x, n: c.n, a: 1 / n2 });
  }
  let x = 0;
  let n = 0;
  let w = 0;
  let d = 0;
  for (const u of union.values()) {
    x += u.x;
    n += u.n;
    w += u.a * u.a * u.n;
    d += u.a * u.x;
  }
  const p = x / n;
  const variance = p * (1 - p) * w;
  if (!(variance > 0)) return { z: null, p: null };
  const z = d / Math.sqrt(variance);
  return { z, p: twoSidedP(z) };
}

interface WindowValue {
  value: PeriodValue;
  cells: { cohort: number; x: number; n: number }[];
}

function windowValue(map: CohortMap | undefined, p: number, def: CohortRetentionDef, g: Granularity, minSample: number): WindowValue {
  const cohorts = windowOf(map, p, def);
  const cells = cohorts.map((c) => ({ cohort: c, x: map!.get(c)!.activeAt(def.at), n: map!.get(c)!.size }));
  const { x, n } = pooled(map, cohorts, def.at);
  return { value: proportion(ordinalPeriod(p, g), x, n, minSample), cells };
}

function changeOf(prev: WindowValue, cur: WindowValue, test: string): Change {
  const t = overlapZTest(prev.cells, cur.cells);
  const previous = prev.value.value === null ? null : { period: prev.value.period, value: prev.value.value, n: prev.value.n, ci: prev.value.ci };
  const delta = previous && cur.value.value !== null ? cur.value.value - previous.value! : null;
  return { previous, delta, test, statistic: t.z, p: t.p, significant: t.p !== null && t.p < ALPHA };
}

function method(pc: PreparedCohorts, locale: Locale): string {
  const def = pc.def;
  const g = pc.granularity as CalendarGranularity; // never `all` (needsPeriods)
  const t = localTranslator(MESSAGES, locale);
  const unit = unitName(locale, g);
  const units = t(`units.${g}`);
  const input = pc.mode === 'subscription' ? t('method.subscription', { unit, units, column: def.start! }) : t('method.activity', { unit, units, column: def.date! });
  const filterText = filterTextIn(def.filter, locale);
  return (
    input +
    t('method.rest', { cohorts: def.cohorts, unit, at: def.at, firstRow: pc.mode === 'activity' ? t('method.firstRow') : '' }) +
    (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

export interface CohortRow {
  cohort: string;
  size: number;
  retention: { k: number; active: number; share: number }[];
}

function triangle(map: CohortMap | undefined, p: number, def: CohortRetentionDef, g: Granularity): CohortRow[] {
  const rows: CohortRow[] = [];
  if (!map) return rows;
  for (let c = p - def.cohorts + 1; c <= p; c++) {
    const cohort = map.get(c);
    if (!cohort || cohort.size === 0) continue;
    const retention = [];
    for (let k = 0; k <= p - c; k++) {
      const active = cohort.activeAt(k);
      retention.push({ k, active, share: (100 * active) / cohort.size });
    }
    rows.push({ cohort: ordinalPeriod(c, g), size: cohort.size, retention });
  }
  return rows;
}

export function computeCohorts(pc: PreparedCohorts, ctx: ComputeContext): MetricResult {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const test = tr('test');
  const g = ctx.granularity as CalendarGranularity; // never `all` (needsPeriods)
  const cur = periodOrdinal(ctx.period, g);
  const all = pc.cohortsBy().get('all');
  const minSample = ctx.minSample;
  const now = windowValue(all, cur, def, g, minSample);
  const before = windowValue(all, cur - 1, def, g, minSample);
  const change = changeOf(before, now, test);

  const firstCohort = all && all.size ? Math.min(...all.keys()) : undefined;
  const from = firstCohort === undefined ? cur : Math.min(firstCohort + def.at, cur);
  const series: PeriodValue[] = [];
  for (let p = from; p <= cur; p++) series.push(windowValue(all, p, def, g, minSample).value);

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const groups = pc.cohortsBy(column);
    const rows: GroupResult[] = [...groups.keys()].sort().map((group) => {
      const gc = windowValue(groups.get(group), cur, def, g, minSample);
      const gp = windowValue(groups.get(group), cur - 1, def, g, minSample);
      const ch = changeOf(gp, gc, test);
      return { group, ...gc.value, previous: ch.previous && { period: ctx.previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  const cohorts = triangle(all, cur, def, g);
  const average = [];
  for (let k = 0; k < def.cohorts; k++) {
    let active = 0;
    let size = 0;
    let count = 0;
    for (const row of cohorts) {
      const cell = row.retention[k];
      if (!cell) continue;
      active += cell.active;
      size += row.size;
      count++;
    }
    if (count === 0) break;
    average.push({ k, cohorts: count, size, active, share: (100 * active) / size });
  }
  const v = now.value;
  return makeResult({
    id: pc.id,
    type: 'cohort-retention',
    label: def.label ?? tr(`label.${g}`, { at: def.at }),
    title: tr('title'),
    unit: 'percent',
    higherIsBetter: true,
    domain: [0, 100],
    target: def.target ?? null,
    minSample,
    ...v,
    period: ctx.period,
    se: v.value !== null ? 100 * Math.sqrt(((v.value / 100) * (1 - v.value / 100)) / v.n) : null,
    ...change,
    ...pc.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pc, locale),
    extra: {
      mode: pc.mode,
      at: def.at,
      window: now.cells.map((c) => ordinalPeriod(c.cohort, g)),
      cohorts,
      averageByK: average,
    },
  });
}
