/** Survival: one period's Kaplan–Meier curve, value at the horizon, median, breakdowns and segments with their log-rank tests, and the method text. */
import { localTranslator, type Locale } from '../../kernel/i18n.js';
import { filterTextIn, groupsOf, nextPeriodStart, ordinalPeriod, periodOrdinal } from '../customers.js';
import { describeFlagValues } from '../flag-values.js';
import { kaplanMeier, medianSurvival, type ConfType, type KaplanMeierCurve, type MedianSurvival } from '../../kernel/models/kaplan-meier.js';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { historyRange, type Granularity } from '../../kernel/period.js';
import { adjustGroups, ALPHA, makeResult } from '../result-builders.js';
import { MESSAGES } from './messages.js';
import type { SurvivalConfig, TimeUnit } from './schema.js';
import type { PreparedDurations, PreparedSurvival } from './prepare.js';
import { logRankTest } from '../../kernel/models/log-rank.js';

const DAY = 86_400_000;
const MONTH_DAYS = 365.25 / 12;
/** Length of a unit in days (the date form's tenure). */
const UNIT_DAYS: Record<TimeUnit, number> = { day: 1, week: 7, month: MONTH_DAYS, year: 365.25 };

/**
 * Tenures (in units) and event flags of the customers who started before `periodEnd`, with the
 * number of customers each stands for (1 per row; a database cell's count: customers-pushdown.ts).
 */
export function tenures(start: Float64Array, end: Float64Array, periodEnd: number, unit: TimeUnit, rows?: number[], weight?: Float64Array): { times: number[]; events: (0 | 1)[]; weights: number[] } {
  const scale = UNIT_DAYS[unit] * DAY;
  const times: number[] = [];
  const events: (0 | 1)[] = [];
  const weights: number[] = [];
  const visit = (i: number) => {
    if (!(start[i] < periodEnd)) return;
    const left = end[i] < periodEnd; // NaN (active) compares false
    times.push(((left ? end[i] : periodEnd) - start[i]) / scale);
    events.push(left ? 1 : 0);
    weights.push(weight ? weight[i] : 1);
  };
  if (rows) rows.forEach(visit);
  else for (let i = 0; i < start.length; i++) visit(i);
  return { times, events, weights };
}

/** Ŝ(t) with its Greenwood se and band, as R's summary(fit, times = t); null beyond the last observation. */
export function survivalAt(curve: KaplanMeierCurve, t: number): { survival: number; se: number; lower: number; upper: number } | null {
  let step = null;
  for (const s of curve.steps) {
    if (s.time <= t) step = s;
    else break;
  }
  if (t > curve.lastTime && !(step && step.survival === 0)) return null;
  if (!step) return { survival: 1, se: 0, lower: 1, upper: 1 };
  return { survival: step.survival, se: step.se, lower: step.lower, upper: step.upper };
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

const finite = (x: number) => (Number.isFinite(x) ? x : null);

interface Fit {
  curve: KaplanMeierCurve | null;
  n: number;
  at: ReturnType<typeof survivalAt>;
  median: MedianSurvival;
}

function fit(times: number[], events: (0 | 1)[], weights: number[], def: SurvivalConfig): Fit {
  if (times.length === 0) return { curve: null, n: 0, at: null, median: { median: null, lower: null, upper: null } };
  const curve = kaplanMeier(times, events, { confType: def.conf_type as ConfType, weights });
  return { curve, n: curve.n, at: survivalAt(curve, def.horizon), median: medianSurvival(curve) };
}

function valueOf(period: string, f: Fit, minSample: number): PeriodValue {
  const s = f.at;
  const ci: [number, number] | null = s && Number.isFinite(s.lower) && Number.isFinite(s.upper) ? [100 * s.lower, 100 * s.upper] : null;
  return { period, value: s ? 100 * s.survival : null, n: f.n, ci, lowSample: f.n < minSample };
}

function curveRows(curve: KaplanMeierCurve | null) {
  return (curve?.steps ?? []).map((s) => ({ time: s.time, atRisk: s.atRisk, events: s.events, censored: s.censored, survival: 100 * s.survival, lower: finite(100 * s.lower), upper: finite(100 * s.upper) }));
}

/** "12 months", "1 day" (singular in English when `time` is 1 and `singular` is set). */
export function amount(t: (key: keyof (typeof MESSAGES)['en'], vars?: Record<string, string | number>) => string, def: SurvivalConfig, time: number | string, singular = false): string {
  return t(singular && time === 1 ? `amount1.${def.unit}` : `amount.${def.unit}`, { time });
}

function method(pc: PreparedSurvival, locale: Locale): string {
  const def = pc.def;
  const t = localTranslator(MESSAGES, locale);
  const filterText = filterTextIn(def.filter, locale);
  // the segment column under its display name (`label:` in the source's `columns:`, or a survey's question text), as the report shows it
  const by = def.by === undefined ? undefined : (pc.source.labels?.[def.by] ?? def.by);
  if (pc.kind === 'durations') {
    const all = pc.granularity === 'all';
    return (
      t('method.durations', {
        duration: def.duration!,
        units: t(`units.${def.unit}`),
        event: def.event!,
        values: describeFlagValues(def.event_value!),
        horizon: amount(t, def, def.horizon, true),
        confType: def.conf_type,
        periods: all ? t('method.durationsAll') : t('method.durationsPeriods', { date: def.date! }),
        segments: by ? t('method.segments', { by }) : '',
        id: def.id !== undefined ? t('method.durationsId') : '',
        date: !all && def.date !== undefined ? t('method.durationsDate', { date: def.date }) : '',
      }) + (filterText ? t('method.filter', { filter: filterText }) : '')
    );
  }
  return (
    t('method', {
      tenureUnit: t(`method.tenure.${def.unit}`),
      horizon: amount(t, def, def.horizon, true),
      confType: def.conf_type,
      test: t('test'),
      segments: by ? t('method.segments', { by }) : '',
    }) +
    (pc.granularity === 'all' ? t('method.allDates') : '') +
    (filterText ? t('method.filter', { filter: filterText }) : '')
  );
}

/** Rows (indices into the prepared arrays) per group of a column. */
function rowsBy(pc: Pick<PreparedSurvival, 'table' | 'cache'>, column: string): Map<string, number[]> {
  const key = `rows:${column}`;
  const cached = pc.cache.get(key) as Map<string, number[]> | undefined;
  if (cached) return cached;
  const groups = groupsOf(pc.table, column);
  const out = new Map<string, number[]>();
  groups.forEach((g, i) => {
    const list = out.get(g) ?? [];
    list.push(i);
    out.set(g, list);
  });
  const sorted = new Map([...out.entries()].sort(([a], [b]) => a.localeCompare(b)));
  pc.cache.set(key, sorted);
  return sorted;
}

function periodEndOf(ordinal: number, g: Granularity): number {
  return nextPeriodStart(ordinalPeriod(ordinal, g), g);
}

/** A fit with the observations it was made from (for log-rank tests). */
type FitWith = Fit & { t: { times: number[]; events: (0 | 1)[]; weights: number[] } };

/** Log-rank test of two fits (e.g. a group against the rest, a period against the previous one); null when either is empty or there is no event. */
function twoSampleLogRank(a: FitWith, b: FitWith): { statistic: number; p: number } | null {
  if (a.n === 0 || b.n === 0) return null;
  const lr = logRankTest([...a.t.times, ...b.t.times], [...a.t.events, ...b.t.events], [...a.t.times.map(() => 0), ...b.t.times.map(() => 1)], 2, [...a.t.weights, ...b.t.weights]);
  return lr && Number.isFinite(lr.p) ? { statistic: lr.statistic, p: lr.p } : null;
}

/** A breakdown group compared with the rest of the rows (granularity all): values, difference and log-rank p. */
function groupVsRest(group: string, period: string, mine: FitWith, rest: FitWith, minSample: number): GroupResult {
  const v = valueOf(period, mine, minSample);
  const other = valueOf(period, rest, minSample);
  const lr = twoSampleLogRank(rest, mine);
  return { group, ...v, previous: null, rest: rest.n > 0 ? { value: other.value, n: other.n } : null, delta: v.value !== null && other.value !== null ? v.value - other.value : null, p: lr?.p ?? null, pAdjusted: null, significant: false };
}

/** Segments by `by` (one curve each) and the log-rank test across them, from fits of the current period. */
function segmentsOf(fits: { group: string; f: FitWith }[], period: string, minSample: number, tr: (key: 'logRank') => string): { segments: unknown[]; logRank: unknown } {
  const segments = fits.map(({ group, f }) => {
    const v = valueOf(period, f, minSample);
    return { group, n: f.n, events: f.curve?.totalEvents ?? 0, value: v.value, ci: v.ci, lowSample: v.lowSample, median: f.median, followUp: f.curve?.lastTime ?? null, curve: curveRows(f.curve) };
  });
  let logRank: unknown = null;
  if (fits.length >= 2) {
    const times = fits.flatMap((s) => s.f.t.times);
    const events = fits.flatMap((s) => s.f.t.events);
    const labels = fits.flatMap((s, j) => s.f.t.times.map(() => j));
    const lr = logRankTest(times, events, labels, fits.length, fits.flatMap((s) => s.f.t.weights));
    if (lr) logRank = { test: tr('logRank'), statistic: lr.statistic, df: lr.df, p: lr.p, groups: fits.map((s, j) => ({ group: s.group, observed: lr.observed[j], expected: lr.expected[j] })) };
  }
  return { segments, logRank };
}

/** The fields every survival result shares, whichever form (dates or durations) it was computed from. */
function survivalHeader(id: string, def: PreparedSurvival['def'], tr: (key: keyof (typeof MESSAGES)['en'], vars?: Record<string, string | number>) => string, minSample: number) {
  return {
    id,
    type: 'survival',
    label: def.label ?? tr(`label.${def.unit}`, { horizon: def.horizon }),
    title: tr('title'),
    unit: 'percent' as const,
    higherIsBetter: true,
    domain: [0, 100] as [number, number],
    target: def.target ?? null,
    minSample,
  };
}

export function computeSurvival(pc: PreparedSurvival, ctx: ComputeContext): MetricResult {
  if (pc.kind === 'durations') return computeDurations(pc, ctx);
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const g = ctx.granularity;
  const all = g === 'all';
  const cur = periodOrdinal(ctx.period, g);
  const minSample = ctx.minSample;
  // granularity all: one period, whose customers still active are censored at the last date in the data
  const lastTime = pc.times.length ? pc.times[pc.times.length - 1] : NaN;
  const censorAt = (p: number) => (!all ? periodEndOf(p, g) : p === 0 && Number.isFinite(lastTime) ? lastTime + 1 : -Infinity);
  // Fits are memoised per period and group (a multi-period build reuses the series' curves).
  const fitAt = (p: number, rows?: number[], key = ''): FitWith => {
    const memo = `km:${p}:${key}`;
    const cached = pc.cache.get(memo) as FitWith | undefined;
    if (cached) return cached;
    const t = tenures(pc.start, pc.end, censorAt(p), def.unit, rows, pc.weight);
    const out = { ...fit(t.times, t.events, t.weights, def), t };
    pc.cache.set(memo, out);
    return out;
  };
  const now = fitAt(cur);
  const before = fitAt(cur - 1);
  const head = valueOf(ctx.period, now, minSample);
  const prev = valueOf(ctx.previousPeriod, before, minSample);

  const firstStart = pc.start.length ? (pc.table.array('__sp') as number[]).reduce((a, b) => Math.min(a, b), Infinity) : cur;
  const from = Math.min(firstStart, cur);
  const series: PeriodValue[] = [];
  // each period is a Kaplan–Meier fit of every customer: only for the periods the report shows
  for (let p = from; p <= cur; p++) {
    if (p === cur) series.push(head);
    else if (p === cur - 1) series.push(prev);
    else if (!ctx.displayed || ctx.displayed.has(ordinalPeriod(p, g))) series.push(valueOf(ordinalPeriod(p, g), fitAt(p), minSample));
  }

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const groups = [...rowsBy(pc, column)];
    const rows: GroupResult[] = groups.map(([group, idx]) => {
      if (all) {
        const others = groups.filter(([o]) => o !== group).flatMap(([, i]) => i);
        return groupVsRest(group, ctx.period, fitAt(cur, idx, `${column}\u0000${group}`), fitAt(cur, others, `${column}\u0000${group}\u0000rest`), minSample);
      }
      const gc = valueOf(ctx.period, fitAt(cur, idx, `${column}\u0000${group}`), minSample);
      const gp = valueOf(ctx.previousPeriod, fitAt(cur - 1, idx, `${column}\u0000${group}`), minSample);
      return { group, ...gc, previous: gp.n > 0 ? { period: ctx.previousPeriod, value: gp.value, n: gp.n } : null, delta: gc.value !== null && gp.value !== null ? gc.value - gp.value : null, p: null, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  let segments: unknown[] | null = null;
  let logRank: unknown = null;
  if (def.by) {
    const fits = [...rowsBy(pc, def.by)].map(([group, idx]) => ({ group, f: fitAt(cur, idx, `${def.by}\u0000${group}`) })).filter((s) => s.f.n > 0);
    ({ segments, logRank } = segmentsOf(fits, ctx.period, minSample, tr));
  }

  const periodEnd = censorAt(cur);
  return makeResult({
    ...survivalHeader(pc.id, def, tr, minSample),
    ...head,
    se: now.at ? 100 * now.at.se : null,
    previous: prev.n > 0 ? { period: ctx.previousPeriod, value: prev.value, n: prev.n, ci: prev.ci } : null,
    delta: head.value !== null && prev.value !== null ? head.value - prev.value : null,
    // granularity all: breakdown groups are tested against the rest by the log-rank test
    test: all ? tr('logRank') : tr('test'),
    statistic: null,
    p: null,
    significant: false,
    ...pc.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pc, locale),
    extra: {
      tenureUnit: def.unit,
      horizon: def.horizon,
      confType: def.conf_type,
      censoredAt: Number.isFinite(periodEnd) ? new Date(periodEnd).toISOString() : null,
      events: now.curve?.totalEvents ?? 0,
      censored: now.n - (now.curve?.totalEvents ?? 0),
      median: now.median,
      followUp: now.curve?.lastTime ?? null,
      curve: curveRows(now.curve),
      segments,
      logRank,
    },
  });
}

/**
 * The durations form: each period's curve from its own rows (granularity all: every row), a
 * period compared with the previous one and breakdown groups with their previous period (or, with
 * granularity all, with the other rows) by the log-rank test, segments by `by` with the log-rank
 * test across them.
 */
function computeDurations(pd: PreparedDurations, ctx: ComputeContext): MetricResult {
  const def = pd.def;
  const locale = ctx.locale ?? 'en';
  const tr = localTranslator(MESSAGES, locale);
  const all = ctx.granularity === 'all';
  const minSample = ctx.minSample;
  const rowsIn = (period: string, within?: number[]): number[] => (within ?? pd.period.map((_, i) => i)).filter((i) => pd.period[i] === period);
  const fitRows = (rows: number[], key: string): FitWith => {
    const memo = `km:${key}`;
    const cached = pd.cache.get(memo) as FitWith | undefined;
    if (cached) return cached;
    const t = { times: rows.map((i) => pd.times[i]), events: rows.map((i) => pd.events[i]), weights: rows.map(() => 1) };
    const out = { ...fit(t.times, t.events, t.weights, def), t };
    pd.cache.set(memo, out);
    return out;
  };
  const fitPeriod = (period: string) => fitRows(rowsIn(period), period);
  const now = fitPeriod(ctx.period);
  const before = fitPeriod(ctx.previousPeriod);
  const head = valueOf(ctx.period, now, minSample);
  const prev = valueOf(ctx.previousPeriod, before, minSample);
  const change = all ? null : twoSampleLogRank(before, now);

  const first = pd.firstPeriod !== undefined && pd.firstPeriod <= ctx.period ? pd.firstPeriod : ctx.period;
  // each period is a Kaplan–Meier fit: only for the periods the report shows
  const series: PeriodValue[] = historyRange(first, ctx.period, ctx.granularity)
    .filter((p) => p === ctx.period || p === ctx.previousPeriod || !ctx.displayed || ctx.displayed.has(p))
    .map((p) => (p === ctx.period ? head : p === ctx.previousPeriod ? prev : valueOf(p, fitPeriod(p), minSample)));

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const groups = [...rowsBy(pd, column)];
    const rows: GroupResult[] = groups.map(([group, idx]) => {
      const key = `${column}\u0000${group}`;
      const mine = fitRows(rowsIn(ctx.period, idx), `${ctx.period}\u0000${key}`);
      if (all) {
        const others = rowsIn(ctx.period, groups.filter(([o]) => o !== group).flatMap(([, i]) => i));
        return groupVsRest(group, ctx.period, mine, fitRows(others, `${ctx.period}\u0000${key}\u0000rest`), minSample);
      }
      const earlier = fitRows(rowsIn(ctx.previousPeriod, idx), `${ctx.previousPeriod}\u0000${key}`);
      const gc = valueOf(ctx.period, mine, minSample);
      const gp = valueOf(ctx.previousPeriod, earlier, minSample);
      const lr = twoSampleLogRank(earlier, mine);
      return { group, ...gc, previous: gp.n > 0 ? { period: ctx.previousPeriod, value: gp.value, n: gp.n } : null, delta: gc.value !== null && gp.value !== null ? gc.value - gp.value : null, p: lr?.p ?? null, pAdjusted: null, significant: false };
    });
    breakdowns[column] = adjustGroups(rows.filter((r) => r.n > 0 || (r.previous?.n ?? 0) > 0));
  }

  let segments: unknown[] | null = null;
  let logRank: unknown = null;
  if (def.by) {
    const fits = [...rowsBy(pd, def.by)].map(([group, idx]) => ({ group, f: fitRows(rowsIn(ctx.period, idx), `${ctx.period}\u0000${def.by}\u0000${group}`) })).filter((s) => s.f.n > 0);
    ({ segments, logRank } = segmentsOf(fits, ctx.period, minSample, tr));
  }

  return makeResult({
    ...survivalHeader(pd.id, def, tr, minSample),
    ...head,
    se: now.at ? 100 * now.at.se : null,
    previous: prev.n > 0 ? { period: ctx.previousPeriod, value: prev.value, n: prev.n, ci: prev.ci } : null,
    delta: head.value !== null && prev.value !== null ? head.value - prev.value : null,
    test: all ? tr('logRank') : tr('test.durations'),
    statistic: change?.statistic ?? null,
    p: change?.p ?? null,
    significant: change !== null && change.p < ALPHA,
    ...pd.exclusions.summary(ctx.period),
    series,
    breakdowns,
    method: method(pd, locale),
    extra: {
      form: 'durations',
      duration: def.duration,
      event: def.event,
      eventValues: Array.isArray(def.event_value) ? def.event_value : [def.event_value],
      tenureUnit: def.unit,
      horizon: def.horizon,
      confType: def.conf_type,
      censoredAt: null,
      events: now.curve?.totalEvents ?? 0,
      censored: now.n - (now.curve?.totalEvents ?? 0),
      median: now.median,
      followUp: now.curve?.lastTime ?? null,
      curve: curveRows(now.curve),
      segments,
      logRank,
    },
  });
}
