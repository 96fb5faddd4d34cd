/**
 * Customer health score: per account and period, a weighted mean of component signals (usage,
 * seats, open tickets, NPS, days overdue, …), each normalised to 0–100 with a configurable
 * direction. Bounds come from the config or from the data's 5th–95th percentiles (values outside
 * are clipped). Missing components are re-weighted over the present ones; an account with fewer
 * than half of its components present is excluded and counted. Bands: red < red-threshold ≤ amber
 * < amber-threshold ≤ green. The value is the mean score (t interval, Welch's t-test for the change);
 * the share of red accounts, band counts, band movements since the previous period and the
 * at-risk accounts come with it.
 */
import * as aq from 'arquero';
import { formatter } from '../../kernel/format.js';
import { localTranslator, type Locale } from '../../kernel/i18n.js';
import { historyRange } from '../../kernel/period.js';
import { meanEstimate, studentTCdf, twoProportionZTest, welchTTest, wilsonInterval, type Interval } from '../../kernel/stats.js';
import type { ComputeContext, GroupResult, MetricResult, PeriodValue } from '../module.js';
import { groupKey } from '../prepare.js';
import { adjustGroups, ALPHA, exclusionFields, makeResult } from '../result-builders.js';
import { MESSAGES, type Translate } from './messages.js';
import type { HealthScoreDef } from './schema.js';
import { BANDS, type AccountScore, type Band, type ComponentBounds, type PreparedHealth } from './types.js';

interface Cell {
  n: number;
  sum: number;
  sumSq: number;
  red: number;
}

const emptyCell = (): Cell => ({ n: 0, sum: 0, sumSq: 0, red: 0 });

function cellsOf(ph: PreparedHealth, by?: string): Map<string, Cell> {
  let rows = ph.table;
  const keys = ['__period'];
  if (by) {
    rows = rows.derive({ __group: aq.escape((d: Record<string, unknown>) => groupKey(d[by])) as never });
    keys.push('__group');
  }
  const out = new Map<string, Cell>();
  for (const o of rows.groupby(...keys).rollup({ n: aq.op.count(), sum: 'd => op.sum(d.__score)', sumSq: 'd => op.sum(d.__score * d.__score)', red: 'd => op.sum(d.__red)' } as never).objects() as Record<string, unknown>[]) {
    out.set(by ? `${o.__period}\u0000${o.__group}` : String(o.__period), { n: Number(o.n), sum: Number(o.sum ?? 0), sumSq: Number(o.sumSq ?? 0), red: Number(o.red ?? 0) });
  }
  return out;
}

function meanValue(period: string, c: Cell, minSample: number): PeriodValue & { se: number | null } {
  if (c.n === 0) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  const e = meanEstimate(c.n, c.sum, c.sumSq);
  return { period, value: e.mean, n: c.n, ci: Number.isFinite(e.ci[0]) ? [Math.max(0, e.ci[0]), Math.min(100, e.ci[1])] : null, lowSample: c.n < minSample, se: Number.isFinite(e.se) ? e.se : null };
}

const TEST = MESSAGES.en.test;

function change(previousPeriod: string, prev: Cell, cur: Cell, minSample: number, test = TEST) {
  const a = meanValue(previousPeriod, prev, minSample);
  const b = meanValue('', cur, minSample);
  if (a.value === null || b.value === null) return { previous: a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: null, test, statistic: null, p: null, significant: false };
  const ea = meanEstimate(prev.n, prev.sum, prev.sumSq);
  const eb = meanEstimate(cur.n, cur.sum, cur.sumSq);
  const t = welchTTest({ n: ea.n, mean: ea.mean, variance: ea.variance }, { n: eb.n, mean: eb.mean, variance: eb.variance });
  const p = Number.isFinite(t.p) ? t.p : null;
  return { previous: { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: b.value - a.value, test, statistic: Number.isFinite(t.t) ? t.t : null, p, significant: p !== null && p < ALPHA };
}

const round = (v: number, digits = 6) => Math.round(v * 10 ** digits) / 10 ** digits;

export function accountView(a: AccountScore, before: AccountScore | undefined, ph: PreparedHealth) {
  return {
    account: a.account,
    score: a.score,
    band: a.band,
    previousScore: before?.score ?? null,
    previousBand: before?.band ?? null,
    change: before ? a.score - before.score : null,
    components: Object.fromEntries(ph.components.map((c, j) => [c.label, { value: a.values[j], score: a.scores[j] === null ? null : round(a.scores[j]!) }])),
  };
}

const BAND_RANK: Record<Band, number> = { red: 0, amber: 1, green: 2 };

function methodText(def: HealthScoreDef, components: ComponentBounds[], t: Translate, locale: Locale): string {
  const fmt = formatter(locale);
  const parts = components.map((c) =>
    t('method.component', {
      label: c.label,
      weight: c.weight,
      direction: t(`direction.${c.direction}`),
      bounds: c.min === null || c.max === null ? t('method.noBounds') : t('method.range', { min: fmt.number(c.min, 'ratio'), max: fmt.number(c.max, 'ratio') }),
      source: t(`bounds.${c.bounds}`),
    }),
  );
  return t('method', { components: parts.join(t('method.componentSep')), red: def.bands.red, amber: def.bands.amber });
}

export function computeHealth(ph: PreparedHealth, ctx: ComputeContext): MetricResult {
  const def = ph.def;
  const { period, previousPeriod, minSample } = ctx;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const cells = cellsOf(ph);
  const cur = cells.get(period) ?? emptyCell();
  const prev = cells.get(previousPeriod) ?? emptyCell();
  const head = meanValue(period, cur, minSample);
  const first = ph.firstPeriod !== undefined && ph.firstPeriod <= period ? ph.firstPeriod : period;
  const series = historyRange(first, period, ph.granularity).map((p) => {
    const { se: _se, ...v } = meanValue(p, cells.get(p) ?? emptyCell(), minSample);
    return v;
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const grouped = cellsOf(ph, column);
    const groups = [...new Set([...grouped.keys()].filter((k) => k.startsWith(`${period}\u0000`) || k.startsWith(`${previousPeriod}\u0000`)).map((k) => k.split('\u0000')[1]))].sort();
    breakdowns[column] = adjustGroups(
      groups.map((group) => {
        const gc = grouped.get(`${period}\u0000${group}`) ?? emptyCell();
        const gp = grouped.get(`${previousPeriod}\u0000${group}`) ?? emptyCell();
        const { se: _se, ...v } = meanValue(period, gc, minSample);
        const ch = change(previousPeriod, gp, gc, minSample);
        return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
      }),
    );
  }

  const now = ph.byPeriod.get(period) ?? new Map<string, AccountScore>();
  const before = ph.byPeriod.get(previousPeriod) ?? new Map<string, AccountScore>();
  const accounts = [...now.values()];
  const bandCounts = Object.fromEntries(BANDS.map((b) => [b, 0])) as Record<Band, number>;
  for (const a of accounts) bandCounts[a.band]++;
  const bandShares = Object.fromEntries(
    BANDS.map((b) => {
      const w = wilsonInterval(bandCounts[b], accounts.length);
      return [b, { count: bandCounts[b], share: accounts.length ? (100 * bandCounts[b]) / accounts.length : null, ci: accounts.length ? ([100 * w[0], 100 * w[1]] as Interval) : null }];
    }),
  );
  const redTest = twoProportionZTest(prev.red, prev.n, cur.red, cur.n);

  // Band movements since the previous period.
  const zero = () => Object.fromEntries(BANDS.map((b) => [b, 0])) as Record<Band, number>;
  const matrix = Object.fromEntries(BANDS.map((b) => [b, zero()])) as Record<Band, Record<Band, number>>;
  const entered = zero();
  const left = zero();
  const diffs: number[] = [];
  for (const a of accounts) {
    const b = before.get(a.account);
    if (b) {
      matrix[b.band][a.band]++;
      diffs.push(a.score - b.score);
    } else entered[a.band]++;
  }
  for (const b of before.values()) if (!now.has(b.account)) left[b.band]++;
  let movedUp = 0;
  let movedDown = 0;
  for (const from of BANDS) for (const to of BANDS) (BAND_RANK[to] > BAND_RANK[from] ? (movedUp += matrix[from][to]) : BAND_RANK[to] < BAND_RANK[from] ? (movedDown += matrix[from][to]) : 0);

  let paired: { n: number; meanChange: number | null; ci: Interval | null; t: number | null; p: number | null } = { n: diffs.length, meanChange: null, ci: null, t: null, p: null };
  if (diffs.length > 0) {
    const e = meanEstimate(diffs.length, diffs.reduce((s, d) => s + d, 0), diffs.reduce((s, d) => s + d * d, 0));
    const t = e.se > 0 ? e.mean / e.se : NaN;
    const p = Number.isFinite(t) ? Math.min(1, 2 * studentTCdf(-Math.abs(t), diffs.length - 1)) : NaN;
    paired = { n: diffs.length, meanChange: e.mean, ci: Number.isFinite(e.ci[0]) ? e.ci : null, t: Number.isFinite(t) ? t : null, p: Number.isFinite(p) ? p : null };
  }

  // The headline change: the same accounts are scored in both periods, so the change is the mean
  // change per paired account, tested by the paired t-test (one quantity and one verdict everywhere);
  // Welch's test of the two means only when fewer than two accounts are paired.
  const unpaired = change(previousPeriod, prev, cur, minSample, t('test'));
  const headlineChange =
    unpaired.previous && paired.n > 1 && paired.meanChange !== null && paired.p !== null
      ? { ...unpaired, delta: paired.meanChange, test: t('test.paired', { n: formatter(locale).count(paired.n) }), statistic: paired.t, p: paired.p, significant: paired.p < ALPHA }
      : unpaired;

  const byAccount = (x: AccountScore, y: AccountScore) => (x.account < y.account ? -1 : x.account > y.account ? 1 : 0);
  const atRisk = [...accounts].sort((x, y) => x.score - y.score || byAccount(x, y)).slice(0, def.top).map((a) => accountView(a, before.get(a.account), ph));
  const downs = accounts
    .filter((a) => {
      const b = before.get(a.account);
      return b !== undefined && BAND_RANK[a.band] < BAND_RANK[b.band];
    })
    .sort((x, y) => x.score - before.get(x.account)!.score - (y.score - before.get(y.account)!.score) || byAccount(x, y))
    .slice(0, def.top)
    .map((a) => accountView(a, before.get(a.account), ph));

  const histogram: { from: number; to: number; red: number; amber: number; green: number }[] = [];
  for (let lo = 0; lo < 100; lo += 5) histogram.push({ from: lo, to: lo + 5, red: 0, amber: 0, green: 0 });
  for (const a of accounts) histogram[Math.min(19, Math.floor(a.score / 5))][a.band]++;

  const componentSummary = ph.components.map((c, j) => {
    let present = 0;
    let rawSum = 0;
    let scoreSum = 0;
    for (const a of accounts) {
      if (a.values[j] === null) continue;
      present++;
      rawSum += a.values[j]!;
      scoreSum += a.scores[j]!;
    }
    return { column: c.column, label: c.label, weight: c.weight, direction: c.direction, min: c.min, max: c.max, bounds: c.bounds, present, meanValue: present ? rawSum / present : null, meanScore: present ? scoreSum / present : null };
  });

  return makeResult({
    id: ph.id,
    type: 'health-score',
    label: def.label ?? t('label'),
    title: t('title'),
    unit: 'score',
    higherIsBetter: true,
    ...head,
    minSample,
    target: def.target ?? null,
    domain: [0, 100],
    ...headlineChange,
    // reasons in text order: the rows' order (a database's is arbitrary) must not show in the output
    ...exclusionFields(ph.exclusions, period, 'by reason'),
    series,
    breakdowns,
    method: methodText(def, ph.components, t, locale),
    extra: {
      thresholds: { red: def.bands.red, amber: def.bands.amber },
      shareRed: { ...bandShares.red, n: accounts.length, previous: prev.n ? (100 * prev.red) / prev.n : null, z: Number.isFinite(redTest.z) ? redTest.z : null, p: Number.isFinite(redTest.p) ? redTest.p : null },
      bands: bandShares,
      movements: { matrix, entered, left, movedUp, movedDown, stayed: BANDS.reduce((s, b) => s + matrix[b][b], 0) },
      paired,
      atRisk,
      movedDown: downs,
      histogram,
      components: componentSummary,
      componentIssues: Object.fromEntries(Object.entries(ph.componentIssues.get(period) ?? {}).sort(([a], [b]) => a.localeCompare(b))),
    },
  });
}
