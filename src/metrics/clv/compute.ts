/** CLV: one period's result (headline, series, breakdowns, method text and the method's details) from the prepared periods. */
import { localTranslator, type Locale, type Vars } from '../../kernel/i18n.js';
import type { FitSummary } from '../../kernel/models/boxed-fit.js';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { groupKey } from '../prepare.js';
import { periodStart } from '../../kernel/period.js';
import { periodEnd, seriesPeriods, timeBounds } from '../repeat-purchase/windows.js';
import { columnValues, tallyExclusions } from '../transactions.js';
import { sortKeys } from '../exclusions.js';
import { adjustGroups, makeResult } from '../result-builders.js';
import { MESSAGES, type Note, type Translate } from './messages.js';
import type { ClvDef } from './schema.js';
import type { BgnbdPeriod, CustomerValue } from './model.js';
import { accountRevenue, type SimplePeriod } from './simple.js';
import type { PreparedClv } from './prepare.js';

/** The notes of a period in the report's locale, or null when there are none. */
function noteText(notes: Note[], t: Translate): string | null {
  if (notes.length === 0) return null;
  const fill = (n: Note): Vars => ({ ...n.vars, ...Object.fromEntries(Object.entries(n.lists ?? {}).map(([k, list]) => [k, list.join(t('note.listSep'))])) });
  return notes.map((n) => t(n.key, fill(n))).join(t('note.sep'));
}

// ---------------------------------------------------------------------------------------------
// compute
// ---------------------------------------------------------------------------------------------

function bgnbdMethod(def: ClvDef, t: Translate): string {
  return t('method.bgnbd', { margin: def.margin, months: def.horizon_months, discount: 100 * def.discount_rate });
}

function simpleMethod(def: ClvDef, t: Translate): string {
  const churn = def.churn_rate !== undefined ? t('method.fixedChurn', { rate: 100 * def.churn_rate }) : t('method.customersChurn');
  return t('method.simple', { margin: def.margin, churn, churnSe: def.churn_rate !== undefined ? '' : t('method.churnSe') });
}

type ClvComputeContext = Pick<ComputeContext, 'period' | 'previousPeriod' | 'breakdowns' | 'minSample' | 'displayed'> & { locale?: Locale };

export function compute(prepared: PreparedClv, ctx: ClvComputeContext): MetricResult {
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
  return prepared.def.method === 'simple' ? computeSimple(prepared, ctx, t) : computeBgnbd(prepared, ctx, t);
}

function common(prepared: PreparedClv, minSample: number, t: Translate) {
  const { def } = prepared;
  return {
    id: prepared.id,
    type: 'clv',
    label: def.label ?? (def.method === 'simple' ? t('label.simple') : t('label.bgnbd', { months: def.horizon_months })),
    title: t(def.method === 'simple' ? 'title.simple' : 'title.bgnbd'),
    unit: 'currency' as const,
    higherIsBetter: true,
    domain: null,
    target: def.target ?? null,
    minSample,
  };
}

function groupRows(current: Map<string, { sum: number; n: number }>, previous: Map<string, { sum: number; n: number }>, period: string, previousPeriod: string, minSample: number, scale = 1): GroupResult[] {
  const names = [...new Set([...current.keys(), ...previous.keys()])].sort();
  return adjustGroups(
    names.map((group) => {
      const c = current.get(group);
      const p = previous.get(group);
      const value = c && c.n > 0 ? (scale * c.sum) / c.n : null;
      const prevValue = p && p.n > 0 ? (scale * p.sum) / p.n : null;
      return {
        group,
        period,
        value,
        n: c?.n ?? 0,
        ci: null,
        lowSample: (c?.n ?? 0) < minSample,
        previous: p ? { period: previousPeriod, value: prevValue, n: p.n } : null,
        delta: value !== null && prevValue !== null ? value - prevValue : null,
        p: null,
        pAdjusted: null,
        significant: false,
      };
    }),
  );
}

function computeBgnbd(prepared: PreparedClv, ctx: ClvComputeContext, t: Translate): MetricResult {
  const { def, granularity } = prepared;
  const minSample = def.min_sample ?? ctx.minSample;
  const bounds = timeBounds(prepared.rows.valid, granularity);
  // only the periods the report shows (each one's model is evaluated per customer), in ascending
  // order, so that each period's customer summaries are made once, while fitting up to it
  const shown = ctx.displayed;
  const series: PeriodValue[] = seriesPeriods(bounds.first, ctx.period, granularity)
    .filter((period) => !shown || shown.has(period))
    .map((period) => {
      const m = prepared.bgnbd(period);
      return { period, value: m.mean, n: m.values ? m.customers : 0, ci: null, lowSample: (m.values ? m.customers : 0) < minSample };
    });
  const prev = prepared.bgnbd(ctx.previousPeriod);
  const cur = prepared.bgnbd(ctx.period);

  const breakdowns: Record<string, GroupResult[]> = {};
  const sums = (model: BgnbdPeriod, column: string) => {
    const out = new Map<string, { sum: number; n: number }>();
    if (!model.values) return out;
    const latest = prepared.latestValues(column, periodEnd(model.period, granularity));
    for (const v of model.values) {
      const g = latest.get(v.customer) ?? '(missing)';
      const cell = out.get(g) ?? { sum: 0, n: 0 };
      cell.sum += v.expectedClv;
      cell.n += 1;
      out.set(g, cell);
    }
    return out;
  };
  for (const column of ctx.breakdowns) breakdowns[column] = groupRows(sums(cur, column), sums(prev, column), ctx.period, ctx.previousPeriod, minSample);

  const end = periodEnd(ctx.period, granularity);
  const exclusions = tallyExclusions(prepared.rows.excluded, (t) => t < end);
  const n = cur.values ? cur.customers : 0;
  const values = cur.values ?? [];
  const ranked = [...values].sort((a, b) => b.expectedClv - a.expectedClv || (a.customer < b.customer ? -1 : a.customer > b.customer ? 1 : 0));
  const deciles = cur.total !== null && ranked.length > 0 ? decileRows(ranked, cur.total) : [];
  const pAliveBins = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, customers: 0 }));
  for (const v of values) pAliveBins[Math.min(9, Math.floor(v.pAlive * 10))].customers += 1;

  const fitted = (f: FitSummary<object> | null) => (f ? { converged: f.converged, iterations: f.iterations, atBound: f.atBound } : null);
  return makeResult({
    ...common(prepared, minSample, t),
    period: ctx.period,
    value: cur.mean,
    n,
    ci: null,
    lowSample: n < minSample,
    previous: prev.mean !== null ? { period: ctx.previousPeriod, value: prev.mean, n: prev.customers, ci: null } : null,
    delta: cur.mean !== null && prev.mean !== null ? cur.mean - prev.mean : null,
    test: t('test.bgnbd'),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods: tallyExclusions(prepared.rows.excluded, () => true, true),
    series,
    breakdowns,
    method: bgnbdMethod(def, t),
    extra: {
      clvMethod: 'bgnbd',
      calibrationEnd: cur.calibrationEnd,
      timeUnit: 'weeks',
      horizonMonths: def.horizon_months,
      discountRate: def.discount_rate,
      margin: def.margin,
      customers: cur.customers,
      repeatCustomers: cur.repeatCustomers,
      notModelled: cur.notModelled,
      bgnbd: cur.bgnbd ? { r: cur.bgnbd.params.r, alpha: cur.bgnbd.params.alpha, a: cur.bgnbd.params.a, b: cur.bgnbd.params.b, logLikelihood: cur.bgnbd.logLikelihood, ...fitted(cur.bgnbd) } : null,
      gammaGamma: cur.gammaGamma
        ? { p: cur.gammaGamma.params.p, q: cur.gammaGamma.params.q, gamma: cur.gammaGamma.params.gamma, logLikelihood: cur.gammaGamma.logLikelihood, customers: cur.gammaGamma.customers, ...fitted(cur.gammaGamma) }
        : null,
      totalExpectedValue: cur.total,
      meanExpectedValue: cur.mean,
      expectedActiveCustomers: cur.expectedActive,
      meanExpectedValuePerActiveCustomer: cur.total !== null && cur.expectedActive ? cur.total / cur.expectedActive : null,
      expectedPurchases: cur.expectedPurchases,
      deciles,
      pAliveDistribution: pAliveBins,
      topAccounts: ranked.slice(0, def.top).map((v) => ({ customer: v.customer, x: v.x, recency: v.recency, T: v.T, pAlive: v.pAlive, expectedPurchases: v.expectedPurchases, expectedClv: v.expectedClv })),
      note: noteText(cur.notes, t),
    },
  });
}

/** Customers ranked by expected value, in ten equal groups (decile 1 = highest), with each group's share of the total. */
function decileRows(ranked: CustomerValue[], total: number): { decile: number; customers: number; totalValue: number; meanValue: number; percentOfTotal: number | null }[] {
  const n = ranked.length;
  const out = [];
  for (let d = 1; d <= 10; d++) {
    const from = Math.floor((n * (d - 1)) / 10);
    const to = Math.floor((n * d) / 10);
    let sum = 0;
    for (let i = from; i < to; i++) sum += ranked[i].expectedClv;
    out.push({ decile: d, customers: to - from, totalValue: sum, meanValue: to > from ? sum / (to - from) : 0, percentOfTotal: total > 0 ? (100 * sum) / total : null });
  }
  return out;
}

function computeSimple(prepared: PreparedClv, ctx: ClvComputeContext, t: Translate): MetricResult {
  const { def, granularity, rows } = prepared;
  const minSample = def.min_sample ?? ctx.minSample;
  const bounds = timeBounds(rows.valid, granularity);
  const cur = prepared.simple(ctx.period);
  const prev = prepared.simple(ctx.previousPeriod);
  const series: PeriodValue[] = seriesPeriods(bounds.first, ctx.period, granularity).map((period) => {
    const s = prepared.simple(period);
    return { period, value: s.value, n: s.value === null ? 0 : s.accounts, ci: s.ci, lowSample: s.accounts < minSample };
  });

  // Breakdowns: mean per-account value (revenue × margin ÷ company churn) by the account's latest value in the period.
  const breakdowns: Record<string, GroupResult[]> = {};
  const sums = (s: SimplePeriod, column: string) => {
    const out = new Map<string, { sum: number; n: number }>();
    if (s.churn.rate === null || s.churn.rate === 0) return out;
    const acc = accountRevenue(rows, periodStart(s.period, granularity), periodEnd(s.period, granularity));
    const values = columnValues(rows.valid, column);
    acc.revenue.forEach((revenue, i) => {
      const g = groupKey(values[acc.last[i]]);
      const cell = out.get(g) ?? { sum: 0, n: 0 };
      cell.sum += revenue;
      cell.n += 1;
      out.set(g, cell);
    });
    return out;
  };
  const scale = (s: SimplePeriod) => (s.churn.rate ? def.margin / s.churn.rate : 0);
  for (const column of ctx.breakdowns) {
    const c = sums(cur, column);
    const p = sums(prev, column);
    // scale each side by its own period's margin ÷ churn
    const scaled = (m: Map<string, { sum: number; n: number }>, k: number) => new Map([...m].map(([g, v]) => [g, { sum: v.sum * k, n: v.n }]));
    breakdowns[column] = groupRows(scaled(c, scale(cur)), scaled(p, scale(prev)), ctx.period, ctx.previousPeriod, minSample);
  }

  const start = periodStart(ctx.period, granularity);
  const end = periodEnd(ctx.period, granularity);
  const exclusions = sortKeys({ ...tallyExclusions(rows.excluded, (t) => t >= start && t < end), ...prepared.customerExclusions });
  const excludedAllPeriods = sortKeys({ ...tallyExclusions(rows.excluded, () => true, true), ...prepared.customerExclusions });
  return makeResult({
    ...common(prepared, minSample, t),
    period: ctx.period,
    value: cur.value,
    n: cur.value === null ? 0 : cur.accounts,
    ci: cur.ci,
    se: cur.se,
    lowSample: cur.accounts < minSample,
    previous: prev.value !== null ? { period: ctx.previousPeriod, value: prev.value, n: prev.accounts, ci: prev.ci } : null,
    delta: cur.value !== null && prev.value !== null ? cur.value - prev.value : null,
    test: t('test.simple'),
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods,
    series,
    breakdowns,
    method: simpleMethod(def, t),
    extra: {
      clvMethod: 'simple',
      margin: def.margin,
      accounts: cur.accounts,
      revenue: cur.revenue,
      arpa: cur.arpa,
      arpaCi: cur.arpaCi,
      churnSource: def.churn_rate !== undefined ? 'churn_rate' : 'customers',
      churnRate: cur.churn.rate,
      churnCi: cur.churn.ci,
      customersAtStart: cur.churn.atStart,
      customersLost: cur.churn.lost,
      expectedLifetimePeriods: cur.churn.rate ? 1 / cur.churn.rate : null,
      note: noteText(cur.notes, t),
    },
  });
}
