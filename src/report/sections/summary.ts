/**
 * The executive summary a VP reads in 30 seconds: the KPI cards, then what moved (the top of the
 * highlights scan), which targets are missed, the evidence the report has for why (the weakest
 * group of each missed metric, its strongest driver, the most negative comment theme), what to
 * watch (recent anomalies, adverse changes, misses within noise), and one chart.
 */
import { z } from 'zod';
import type { ScanItem } from '../../metrics/highlights.js';
import { lastPeriods } from '../../kernel/period.js';
import type { MetricResult } from '../../metrics/results.js';
import { trendSpec } from '../charts.js';
import { longLabel, result, seriesPoints, titleOf, type SectionContext } from '../context.js';
import { localTranslator } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { anomalySentence, scanSentence, type LinkedSentence } from './highlight-text.js';
import { buildKpis } from './kpis.js';
import { MESSAGES } from './summary.messages.js';

export const summarySchema = z
  .strictObject({
    type: z.literal('summary'),
    ...sectionFields,
    metrics: z.array(z.string()).min(1).describe('Metrics to show as KPI cards, in order.').meta({ examples: [['nps', 'csat', 'ces', 'churn']] }),
    sparkline_periods: z.number().int().min(2).max(36).default(12).describe('Periods in each card’s sparkline.'),
    top: z.number().int().min(1).max(10).default(3).describe('How many of the scan’s significant changes to state under "What moved".'),
    chart_periods: z.number().int().min(2).max(60).default(12).describe('Periods in the summary’s one chart.'),
  })
  .describe('Executive summary: KPI cards (with a "below target" marker), what moved (the highlights scan), which targets are missed, the evidence for why, what to watch, and one chart.');

export type SummarySection = z.infer<typeof summarySchema>;

const messages = (ctx: SectionContext) => localTranslator(MESSAGES, ctx.locale);
type Messages = ReturnType<typeof messages>;

/** Whether a result misses its target (by its direction); null without a target or value. */
export function missesTarget(r: Pick<MetricResult, 'target' | 'value' | 'higherIsBetter'>): boolean | null {
  if (r.target === null || r.value === null) return null;
  return r.higherIsBetter ? r.value < r.target : r.value > r.target;
}

/** The shortfall as a share of the target's size (for choosing the widest miss). */
const relativeGap = (r: MetricResult) => Math.abs((r.value! - r.target!) / (r.target === 0 ? 1 : r.target!));

export function buildSummary(section: SummarySection, ctx: SectionContext): SectionModel {
  const t = messages(ctx);
  const { fmt } = ctx;
  const kpis = buildKpis({ type: 'kpis', metrics: section.metrics, sparkline_periods: section.sparkline_periods, id: section.id ?? 'executive-summary', title: section.title }, ctx);
  if (kpis.type !== 'kpis') throw new Error('buildKpis returned a different section');
  const scan = ctx.computed.highlights;
  const previous = longLabel(ctx, ctx.computed.previousPeriod);
  const results = [...ctx.computed.results.values()];
  const significant = (scan?.items ?? []).filter((i) => i.significant);

  // what moved
  const top = significant.slice(0, section.top);
  const moved: LinkedSentence[] = top.map((i) => scanSentence(ctx, i, 'short'));

  // below target: every metric of the report with a target it misses, widest miss first
  const missed = results.filter((r) => missesTarget(r) === true).sort((a, b) => relativeGap(b) - relativeGap(a));
  const missedSentences: LinkedSentence[] = missed.map((r) => {
    const gap = fmt.delta(Math.abs(r.value! - r.target!), r.unit).replace(/^\+/, '');
    const vars = { label: r.label, value: fmt.value(r.value, r.unit), target: fmt.value(r.target, r.unit), gap, ci: r.ci ? fmt.interval(r.ci, r.unit) : '' };
    const clear = r.ci && (r.higherIsBetter ? r.ci[1] < r.target! : r.ci[0] > r.target!);
    return { text: t(!r.ci ? 'missedPlain' : clear ? 'missedClear' : 'missedNoise', vars), tone: 'bad', metric: r.id, dimension: null };
  });

  // why: for the missed and the adverse movers, what the report itself shows
  const why: LinkedSentence[] = [];
  const adverse = significant.filter((i) => isAdverse(ctx, i));
  const concerned = [...new Set([...missed.map((r) => r.id), ...adverse.map((i) => i.metric)])];
  for (const id of concerned) {
    const r = result(ctx, id);
    const weakest = weakestGroup(ctx, r, t);
    if (weakest) why.push(weakest);
    const driver = topDriver(ctx, r, t);
    if (driver) why.push(driver);
  }
  const theme = worstTheme(ctx, concerned, t);
  if (theme) why.push(theme);

  // what to watch: anomalies of the last three periods, adverse significant changes not stated above
  const recent = new Set(lastPeriods(ctx.computed.period, 3, ctx.granularity));
  const watch: LinkedSentence[] = [
    ...(scan?.anomalies ?? []).filter((a) => recent.has(a.period)).sort((a, b) => (a.period < b.period ? 1 : -1)).map((a) => anomalySentence(ctx, a)),
    ...adverse.filter((i) => !top.includes(i)).slice(0, 3).map((i) => scanSentence(ctx, i, 'short')),
  ].slice(0, WATCH_MAX);

  const blocks = [
    { title: t('moved'), items: moved, empty: !scan ? t('notScanned') : moved.length === 0 ? t('movedNone', { previous, tests: scan.items.length }) : undefined },
    { title: t('missed'), items: missedSentences, empty: missedSentences.length === 0 ? t('missedNone') : undefined },
    { title: t('why'), items: why, empty: why.length === 0 ? t('whyNone') : undefined },
    { title: t('watch'), items: watch, empty: watch.length === 0 ? t('watchNone', { count: ctx.t(`count.${ctx.granularity}`, { count: 3 }) }) : undefined },
  ];
  return { type: 'summary', id: kpis.id, title: kpis.title, level: 1, cards: kpis.cards, blocks, chart: summaryChart(ctx, section, top, missed, t) };
}

/** At most this many sentences under "What to watch" (the newest anomalies first): the summary is one page. */
const WATCH_MAX = 3;

/** A significant change for the worse for its metric. */
function isAdverse(ctx: SectionContext, i: ScanItem): boolean {
  const r = result(ctx, i.metric);
  return i.delta !== null && i.delta !== 0 && i.delta > 0 !== r.higherIsBetter;
}

/** The group of any breakdown (shown or scanned) whose whole interval lies on the bad side of the metric's value, worst first. */
function weakestGroup(ctx: SectionContext, r: MetricResult, t: Messages): LinkedSentence | null {
  if (r.value === null) return null;
  const scanned = (ctx.computed.highlights?.items ?? []).filter((i) => i.metric === r.id && i.dimension !== null);
  const candidates = scanned.filter((i) => i.ci && i.value !== null && i.n >= r.minSample && (r.higherIsBetter ? i.ci[1] < r.value! : i.ci[0] > r.value!));
  if (candidates.length === 0) return null;
  const worst = candidates.sort((a, b) => (r.higherIsBetter ? a.value! - b.value! : b.value! - a.value!))[0];
  return {
    text: t('whyGroup', { label: r.label, group: worst.group!, dimension: ctx.columnLabel?.(r.id, worst.dimension!) ?? worst.dimension!, value: ctx.fmt.value(worst.value, r.unit), ci: ctx.fmt.interval(worst.ci, r.unit), n: ctx.fmt.count(worst.n), overall: ctx.fmt.value(r.value, r.unit) }),
    tone: 'bad',
    metric: r.id,
    dimension: worst.dimension,
  };
}

interface DriversExtra {
  items: { column: string; share: number; ci: [number, number] | null; mean?: number; scale?: [number, number] }[];
}

/** The driver with the largest share of R², from a drivers section's analysis of this metric. */
function topDriver(ctx: SectionContext, r: MetricResult, t: Messages): LinkedSentence | null {
  const d = r.extra.drivers as DriversExtra | undefined;
  const best = d?.items?.slice().sort((a, b) => b.share - a.share)[0];
  if (!best) return null;
  const pct = (v: number) => ctx.fmt.value(v, 'percent');
  return {
    text: t('whyDriver', { label: r.label, driver: ctx.columnLabel?.(r.id, best.column) ?? best.column, share: pct(best.share), ci: best.ci ? ctx.fmt.interval(best.ci, 'percent') : '—', mean: typeof best.mean === 'number' ? `${ctx.fmt.value(best.mean, 'score')}${best.scale ? ` / ${best.scale[1]}` : ''}` : '—' }),
    tone: 'neutral',
    metric: r.id,
    dimension: 'drivers',
  };
}

interface ThemeExtra {
  theme: string;
  mentions: number;
  share: number;
  net: number;
}

/** The theme with the lowest net sentiment (at least 5% of comments) of a sentiment metric on the source of a concerned metric. */
function worstTheme(ctx: SectionContext, concerned: string[], t: Messages): LinkedSentence | null {
  const sourceOf = (id: string) => (ctx.config.metrics[id] as { source?: string } | undefined)?.source;
  const sources = new Set(concerned.map(sourceOf));
  for (const r of ctx.computed.results.values()) {
    if (r.type !== 'sentiment' || !sources.has(sourceOf(r.id))) continue;
    // only a theme customers speak of negatively on balance is evidence of a problem
    const themes = ((r.extra.themes as ThemeExtra[] | undefined) ?? []).filter((th) => th.share >= 5 && Number.isFinite(th.net) && th.net < 0);
    const worst = themes.sort((a, b) => a.net - b.net)[0];
    if (worst) {
      return { text: t('whyTheme', { source: r.label, theme: worst.theme, mentions: ctx.fmt.count(worst.mentions), net: ctx.fmt.value(worst.net, 'points') }), tone: 'neutral', metric: r.id, dimension: null };
    }
  }
  return null;
}

/** One chart: the metric that moved and misses its target, else the top mover, else the widest miss, else the first card. */
function summaryChart(ctx: SectionContext, section: SummarySection, top: ScanItem[], missed: MetricResult[], t: Messages) {
  if (ctx.granularity === 'all') return null;
  const both = top.find((i) => missed.some((r) => r.id === i.metric));
  const [id, reason] = both
    ? [both.metric, 'reasonMovedMissed' as const]
    : top[0]
      ? [top[0].metric, 'reasonMoved' as const]
      : missed[0]
        ? [missed[0].id, 'reasonMissed' as const]
        : [section.metrics[0], 'reasonFirst' as const];
  const r = result(ctx, id);
  const keys = new Set(lastPeriods(ctx.computed.period, section.chart_periods, ctx.granularity));
  const flagged = new Set((ctx.computed.highlights?.anomalies ?? []).filter((a) => a.metric === id).map((a) => a.period));
  const series = r.series.filter((p) => keys.has(p.period));
  const points = seriesPoints(ctx, series, r.unit).map((p, i) => ({ ...p, anomaly: flagged.has(series[i].period) }));
  if (points.filter((p) => p.value !== null).length < 2) return null;
  const count = ctx.t(`count.${ctx.granularity}`, { count: series.length });
  const unit = ctx.t(`unit.${ctx.granularity}`);
  return {
    id: ctx.nextId(`chart-summary-${id}`),
    title: t(r.target !== null ? 'chartTitle' : 'chartTitleNoTarget', { label: r.label, count }),
    caption: t('chartCaption', { title: titleOf(ctx, r), unit, target: r.target !== null ? t('chartTarget') : '', reason: t(reason) }),
    alt: t(r.target !== null ? 'chartTitle' : 'chartTitleNoTarget', { label: r.label, count }),
    spec: trendSpec(points, { metric: r.label, unit: r.unit, target: r.target, domain: r.domain ?? undefined, t: ctx.t }),
    size: 'wide' as const,
  };
}
