/**
 * The default visual of churn and retention: the rate per period (a trend with its band) and a
 * table of the customer counts — from customers' dates (lifecycleVisual) or from a flag (flagVisual).
 */
import { trendSpec } from '../charts.js';
import { formatter } from '../../kernel/format.js';
import { localTranslator, translator, unitName } from '../../kernel/i18n.js';
import type { CalendarGranularity } from '../../kernel/period.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { filterTextIn, ordinalPeriod, periodOrdinal, type PreparedCustomers } from '../../metrics/customers.js';
import { describeFlagValues } from '../../metrics/flag-values.js';
import { proportion } from '../../metrics/result-builders.js';
import { countsOver, lifecycleFlows, successes, type Kind, type LifecycleCounts } from '../../metrics/churn/compute.js';
import { flagCounts } from '../../metrics/churn/flag.js';
import { FLAG_MESSAGES, MESSAGES } from '../../metrics/churn/messages.js';
import type { PreparedFlags } from '../../metrics/churn/prepare.js';
import type { ChurnDef, RetentionDef } from '../../metrics/churn/schema.js';

export type { PreparedFlags } from '../../metrics/churn/prepare.js';

/** Trend chart of the rate with its band, and a table of the customer counts of the last 12 periods. */
export function lifecycleVisual(kind: Kind, r: MetricResult, pc: PreparedCustomers<ChurnDef | RetentionDef>, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const g = pc.granularity as CalendarGranularity; // the date form is never `all` (checkLifecycleForm)
  const cur = periodOrdinal(ctx.period, g);
  // the last 12 periods, like the trends and the table below
  const keep = r.series.filter((s) => periodOrdinal(s.period, g) > cur - 12);
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const points = keep.map((s) => ({ label: short(s.period), value: s.value, lo: s.ci?.[0] ?? null, hi: s.ci?.[1] ?? null, n: s.n, lowSample: s.lowSample }));
  const withData = keep.filter((s) => s.value !== null);
  const now = ctx.periodLabel(ctx.period);
  const name = t(kind === 'churn' ? 'label.churn' : 'label.retention');
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  let title = t('title.empty', { name, period: now });
  if (r.value !== null) {
    if (r.previous && r.delta !== null) {
      const same = pct(r.previous.value) === pct(r.value);
      title = same
        ? t('title.unchanged', { name, value: pct(r.value), period: now })
        : // a direction only where the test supports one
          t(!r.significant ? 'title.noise' : r.delta > 0 ? 'title.rose' : 'title.fell', { name, value: pct(r.value), period: now, previous: pct(r.previous.value), previousPeriod: ctx.periodLabel(r.previous.period), verdict: r.significant ? '' : t('title.notSignificant') });
    } else title = t('title.value', { name, value: pct(r.value), period: now });
  }
  const filterText = filterTextIn(pc.def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pc.source.name) ?? pc.source.name, filter: filterText }) : (ctx.sourceLabel?.(pc.source.name) ?? pc.source.name);
  const cust = r.extra.customers as LifecycleCounts;
  const blocks: VisualBlock[] = [];
  if (withData.length > 0) {
    const lo = withData.reduce((a, b) => (b.value! < a.value! ? b : a));
    const hi = withData.reduce((a, b) => (b.value! > a.value! ? b : a));
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${kind}-${pc.id}`),
        title,
        caption: t('caption', { title: r.title, unit: unitName(locale, g), n: fmt.count(cust.atStart), period: now, definition: t(kind === 'churn' ? 'caption.churn' : 'caption.retention'), source }),
        alt: t('alt', {
          label: r.label,
          unit: unitName(locale, g),
          count: withData.length,
          units: t(`units.${g}`),
          first: ctx.periodLabel(withData[0].period),
          firstValue: pct(withData[0].value),
          last: ctx.periodLabel(withData[withData.length - 1].period),
          lastValue: pct(withData[withData.length - 1].value),
          low: pct(lo.value),
          lowPeriod: ctx.periodLabel(lo.period),
          high: pct(hi.value),
          highPeriod: ctx.periodLabel(hi.period),
        }),
        spec: trendSpec(points, { metric: r.label, unit: 'percent', target: r.target, domain: [0, 100], annotations: (ctx.annotations ?? []).map((a) => ({ label: short(a.period), text: a.label })), t: translator(locale) }),
        size: 'wide',
      },
    });
  }
  const flows = lifecycleFlows(pc);
  const last = Math.max(cur - 11, periodOrdinal(r.series[0]?.period ?? ctx.period, g));
  const counts = countsOver(flows.get('all'), last, cur);
  blocks.push({
    kind: 'table',
    table: {
      caption: t('table.caption', { unit: unitName(locale, g), count: counts.length }),
      columns: [
        { label: t('table.period') },
        { label: t('table.atStart'), align: 'right' },
        { label: t('table.new'), align: 'right' },
        { label: t('table.lost'), align: 'right' },
        { label: t('table.atEnd'), align: 'right' },
        { label: t('table.rate', { name }), align: 'right' },
        { label: t('table.ci'), align: 'right' },
      ],
      rows: counts
        .map((k, i) => {
          const key = ordinalPeriod(last + i, g);
          const v = proportion(key, successes(kind, k), k.atStart, r.minSample);
          return { cells: [ctx.periodLabel(key), fmt.count(k.atStart), fmt.count(k.new), fmt.count(k.lost), fmt.count(k.atEnd), fmt.number(v.value, 'percent'), fmt.interval(v.ci, 'percent')], muted: v.lowSample, note: v.lowSample ? t('table.lowN', { min: r.minSample }) : undefined };
        })
        .reverse(),
      footnote: t('table.footnote', { unit: unitName(locale, g), n: fmt.count(cust.newLost), period: now }),
    },
  });
  return blocks;
}

/** The default visual: the rate per period (a trend with its band) where there are periods, and a table of the counts. */
export function flagVisual(kind: Kind, r: MetricResult, pf: PreparedFlags, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(FLAG_MESSAGES, locale);
  const fmt = formatter(locale);
  const def = pf.def;
  const all = pf.granularity === 'all';
  const name = r.label;
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  const now = ctx.periodLabel(ctx.period);
  const x = r.extra as { customers: number; churned: number; retained: number };
  const verb = t(kind === 'churn' ? 'verb.churn' : 'verb.retention');
  const blocks: VisualBlock[] = [];
  let title: string;
  if (r.value === null) title = t('title.empty', { name, period: now });
  else if (all) title = t('title.all', { name, value: pct(r.value), x: fmt.count(kind === 'churn' ? x.churned : x.retained), n: fmt.count(x.customers), verb });
  else if (r.previous && r.delta !== null) title = t('title.change', { name, value: pct(r.value), period: now, previous: pct(r.previous.value), previousPeriod: ctx.periodLabel(r.previous.period), verdict: r.significant ? '' : t('title.notSignificant') });
  else title = t('title.value', { name, value: pct(r.value), period: now });
  const series = r.series.slice(-24);
  const withData = series.filter((s) => s.value !== null);
  if (!all && withData.length >= 2) {
    const short = (key: string) => ctx.periodLabel(key, 'short');
    const unit = translator(locale)(`unit.${pf.granularity}`);
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${kind}-${pf.id}`),
        title,
        caption: t('caption', { title: r.title, unit, n: fmt.count(r.n), period: now, source: pf.sourceName }),
        alt: t('alt', { label: r.label, unit, count: withData.length, last: ctx.periodLabel(withData[withData.length - 1].period), lastValue: pct(withData[withData.length - 1].value) }),
        spec: trendSpec(
          series.map((s) => ({ label: short(s.period), value: s.value, lo: s.ci?.[0] ?? null, hi: s.ci?.[1] ?? null, n: s.n, lowSample: s.lowSample })),
          { metric: r.label, unit: 'percent', target: r.target, domain: [0, 100], t: translator(locale) },
        ),
        size: 'wide',
      },
    });
  } else blocks.push({ kind: 'text', paragraphs: [title] });
  const counts = flagCounts(pf);
  const rows = (all ? [ctx.period] : series.slice(-12).map((s) => s.period)).reverse().map((p) => {
    const c = counts.get(p) ?? { x: 0, n: 0 };
    const v = proportion(p, kind === 'churn' ? c.x : c.n - c.x, c.n, r.minSample);
    return {
      cells: [ctx.periodLabel(p), fmt.count(c.n), fmt.count(kind === 'churn' ? c.x : c.n - c.x), fmt.number(v.value, 'percent'), fmt.interval(v.ci, 'percent')],
      muted: v.lowSample,
      note: v.lowSample ? t('table.lowN', { min: r.minSample }) : undefined,
    };
  });
  blocks.push({
    kind: 'table',
    table: {
      caption: t('table.caption', { name }),
      columns: [
        { label: t('table.period') },
        { label: t('table.customers'), align: 'right' },
        { label: t('table.flagged', { verb: t(kind === 'churn' ? 'head.churn' : 'head.retention') }), align: 'right' },
        { label: t('table.rate', { name }), align: 'right' },
        { label: t('table.ci'), align: 'right' },
      ],
      rows,
      footnote: t(kind === 'churn' ? 'table.footnote' : 'table.footnoteRetention', { name, column: def.churned!, values: describeFlagValues(def.churned_value!) }),
    },
  });
  return blocks;
}
