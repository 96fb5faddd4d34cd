/**
 * Sentiment of free-text comments: each comment is scored with the AFINN-165 lexicon through the
 * maintained `sentiment` npm package (with its negation handling), normalised per token
 * (comparative score) and classified positive / neutral / negative by configurable thresholds.
 * The value is net sentiment (share positive − share negative, in points) with the NPS-style
 * trinomial standard error; shares per period and group use the Wilson interval. Frequent themes
 * (keywords and bigrams after stop-word removal) come with counts and example quotes.
 */
import * as aq from 'arquero';
import { localTranslator } from '../../kernel/i18n.js';
import { historyRange } from '../../kernel/period.js';
import { npsChangeTest, npsEstimate, wilsonInterval, type Interval } from '../../kernel/stats.js';
import type { GroupResult, MetricModule, MetricResult, PeriodValue } from '../module.js';
import { groupKey } from '../prepare.js';
import { adjustGroups, ALPHA, exclusionFields, makeResult } from '../result-builders.js';
import { textInsights } from '../text/insights.js';
import { scaleOf, scorerExtra } from '../text/scoring.js';
import { scoringMethod } from '../text/method.js';
import { PACKAGE_VERSION } from './afinn.js';
import { MESSAGES, type Translate } from './messages.js';
import type { PreparedSentiment } from './prepare.js';
import type { SentimentDef } from './schema.js';

interface Counts {
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  sumComparative: number;
}

const emptyCounts = (): Counts => ({ n: 0, positive: 0, neutral: 0, negative: 0, sumComparative: 0 });

/** Counts per period (and group of `by`) by an Arquero rollup. */
function countCells(ps: PreparedSentiment, by?: string): Map<string, Counts> {
  let rows = ps.table;
  const keys = ['__period'];
  if (by) {
    rows = rows.derive({ __group: aq.escape((d: Record<string, unknown>) => groupKey(d[by])) as never });
    keys.push('__group');
  }
  const out = new Map<string, Counts>();
  const rolled = rows.groupby(...keys).rollup({ n: 'd => op.sum(d.__w)', positive: 'd => op.sum(d.__pos)', neutral: 'd => op.sum(d.__neu)', negative: 'd => op.sum(d.__neg)', sumComparative: 'd => op.sum(d.__cmpW)' } as never);
  for (const o of rolled.objects() as Record<string, unknown>[]) {
    out.set(by ? `${o.__period}\u0000${o.__group}` : String(o.__period), { n: Number(o.n), positive: Number(o.positive ?? 0), neutral: Number(o.neutral ?? 0), negative: Number(o.negative ?? 0), sumComparative: Number(o.sumComparative ?? 0) });
  }
  return out;
}

function net(period: string, c: Counts, minSample: number): PeriodValue & { se: number | null } {
  if (c.n === 0) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  const e = npsEstimate(c.positive, c.neutral, c.negative);
  return { period, value: e.value, n: c.n, ci: e.ci, lowSample: c.n < minSample, se: e.se };
}

const TEST = MESSAGES.en.test;

function change(previousPeriod: string, prev: Counts, cur: Counts, minSample: number, test = TEST) {
  const a = net(previousPeriod, prev, minSample);
  const b = net('', cur, minSample);
  if (a.value === null || b.value === null) return { previous: a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: null, test, statistic: null, p: null, significant: false };
  const t = a.se !== null && b.se !== null ? npsChangeTest({ value: a.value, se: a.se }, { value: b.value, se: b.se }) : { z: NaN, p: NaN };
  const p = Number.isFinite(t.p) ? t.p : null;
  return { previous: { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: b.value - a.value, test, statistic: Number.isFinite(t.z) ? t.z : null, p, significant: p !== null && p < ALPHA };
}

export function shares(c: Counts) {
  const one = (x: number) => {
    const w = wilsonInterval(x, c.n);
    return { count: x, share: c.n > 0 ? (100 * x) / c.n : null, ci: c.n > 0 ? ([100 * w[0], 100 * w[1]] as Interval) : null };
  };
  return { positive: one(c.positive), neutral: one(c.neutral), negative: one(c.negative) };
}

function methodText(def: SentimentDef, t: Translate, levels?: number): string {
  return t('method', { scoring: scoringMethod(def, t, PACKAGE_VERSION, levels), themes: t('text.method.themes'), positive: def.thresholds.positive, negative: def.thresholds.negative });
}

export function computeSentiment(ps: PreparedSentiment, ctx: Parameters<MetricModule['compute']>[1]): MetricResult {
  const def = ps.def;
  const { period, previousPeriod, minSample } = ctx;
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
  const byPeriod = countCells(ps);
  const cur = byPeriod.get(period) ?? emptyCounts();
  const prev = byPeriod.get(previousPeriod) ?? emptyCounts();
  const head = net(period, cur, minSample);
  const first = ps.firstPeriod !== undefined && ps.firstPeriod <= period ? ps.firstPeriod : period;
  const periods = historyRange(first, period, ps.granularity);
  const series = periods.map((p) => {
    const { se: _se, ...v } = net(p, byPeriod.get(p) ?? emptyCounts(), minSample);
    return v;
  });

  const breakdownOf = (column: string): GroupResult[] => {
    const cells = countCells(ps, column);
    const groups = [...new Set([...cells.keys()].filter((k) => k.startsWith(`${period}\u0000`) || k.startsWith(`${previousPeriod}\u0000`)).map((k) => k.split('\u0000')[1]))].sort();
    return adjustGroups(
      groups
        .map((group) => {
          const gc = cells.get(`${period}\u0000${group}`) ?? emptyCounts();
          const gp = cells.get(`${previousPeriod}\u0000${group}`) ?? emptyCounts();
          const { se: _se, ...v } = net(period, gc, minSample);
          const ch = change(previousPeriod, gp, gc, minSample);
          return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
        })
        .filter((g) => g.n > 0 || (g.previous?.n ?? 0) > 0),
    );
  };
  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) breakdowns[column] = breakdownOf(column);

  let groups: unknown = null;
  if (def.group) {
    const cells = countCells(ps, def.group);
    groups = [...cells.entries()]
      .filter(([k]) => k.startsWith(`${period}\u0000`))
      .map(([k, c]) => ({ group: k.split('\u0000')[1], n: c.n, net: net(period, c, minSample).value, ...shares(c) }))
      .sort((a, b) => b.n - a.n || a.group.localeCompare(b.group));
  }

  const text = textInsights(ps.table, period, previousPeriod, { top: def.themes.top, minCount: def.themes.min_count, examples: def.themes.examples, stopWords: def.themes.stop_words, emerging: def.themes.emerging, contrast: def.contrast }, periods);

  return makeResult({
    id: ps.id,
    type: 'sentiment',
    label: def.label ?? t('label'),
    title: t('title'),
    unit: 'points',
    higherIsBetter: true,
    ...head,
    minSample,
    target: def.target ?? null,
    domain: [-100, 100],
    ...change(previousPeriod, prev, cur, minSample, t('test')),
    ...exclusionFields(ps.exclusions, period),
    series,
    breakdowns,
    method: methodText(def, t, scaleOf({ config: ctx.config, def })?.levels),
    extra: {
      ...scorerExtra(def, PACKAGE_VERSION, scaleOf({ config: ctx.config, def })),
      thresholds: { positive: def.thresholds.positive, negative: def.thresholds.negative },
      shares: shares(cur),
      meanComparative: cur.n > 0 ? cur.sumComparative / cur.n : null,
      shareSeries: periods.map((p) => {
        const c = byPeriod.get(p) ?? emptyCounts();
        const s = shares(c);
        return { period: p, n: c.n, positive: s.positive.share, neutral: s.neutral.share, negative: s.negative.share };
      }),
      groups,
      ...text,
    },
  });
}
