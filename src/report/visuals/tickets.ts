/** The default visual of the tickets metric: the measure over 12 periods, the table of measures, volume by channel. */
import { formatter } from '../../kernel/format.js';
import { localTranslator, translator } from '../../kernel/i18n.js';
import { shiftPeriod } from '../../kernel/period.js';
import type { Interval } from '../../kernel/stats.js';
import { palette } from '../../kernel/theme.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { ALPHA } from '../../metrics/result-builders.js';
import { cells, durationSummary } from '../../metrics/tickets/cells.js';
import { MESSAGES } from '../../metrics/tickets/messages.js';
import type { PreparedTickets } from '../../metrics/tickets/types.js';

export function visualTickets(r: MetricResult, pt: PreparedTickets, ctx: VisualContext): VisualBlock[] {
  const def = pt.def;
  const measure = def.measure;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const noData = translator(locale)('fmt.noData');
  const x = r.extra as any;
  const short = (k: string) => ctx.periodLabel(k, 'short');
  const periodName = ctx.periodLabel(ctx.period);
  // 12 periods, like the trends
  const points = r.series.slice(-12);
  const isDuration = r.unit === 'duration';
  const byPeriod = isDuration ? cells(pt, undefined, points.map((p) => p.period)) : null;
  // a log axis cannot show 0 h: anything faster than a minute is drawn at one minute
  const FLOOR = 1 / 60;
  const clip = (v: number | null) => (v === null || !isDuration ? v : Math.max(FLOOR, v));
  const values = points
    .filter((p) => p.value !== null)
    .map((p) => {
      const c = byPeriod?.get(p.period);
      const p90 = c ? durationSummary(measure === 'first_response' ? c.fr : c.res).p90 : null;
      return { label: short(p.period), value: clip(p.value), lo: clip(p.ci?.[0] ?? null), hi: clip(p.ci?.[1] ?? null), n: p.n, p90: clip(p90) };
    });
  const order = points.map((p) => short(p.period));
  const lastLabel = JSON.stringify(order[order.length - 1] ?? '');
  const ticks = order.length > 8 ? { values: order.filter((_, i) => (order.length - 1 - i) % 2 === 0) } : {};
  const xEnc = { field: 'label', type: 'ordinal', sort: order, title: null, axis: { labelAngle: 0, labelOverlap: true, ...ticks, labelFontWeight: { condition: { test: `datum.value === ${lastLabel}`, value: 'bold' }, value: 'normal' } } };
  // targets: SLA hours for the duration measures (one per priority when given per priority), the metric's target otherwise
  const slaHours = isDuration ? def.sla[measure === 'first_response' ? 'first_response_hours' : 'resolution_hours'] : null;
  const targets: { value: number; text: string }[] = [];
  if (typeof slaHours === 'number') targets.push({ value: slaHours, text: t('chart.target', { target: t('target.hours', { hours: slaHours }) }) });
  else if (slaHours) {
    const byHours = new Map<number, string[]>();
    // priorities by their display names (the source's `values:` labels of the priority column)
    for (const [priority, hours] of Object.entries(slaHours)) byHours.set(hours, [...(byHours.get(hours) ?? []), ctx.valueLabel?.(def.priority ?? 'priority', priority) ?? priority]);
    for (const [hours, names] of [...byHours].sort((a, b) => a[0] - b[0])) targets.push({ value: hours, text: t('chart.target', { target: t('target.priority', { priority: names.join('/'), hours }) }) });
  } else if (r.target !== null && r.target !== undefined) targets.push({ value: r.target, text: t('chart.target', { target: fmt.value(r.target, r.unit) }) });
  const shown = values.flatMap((v) => [v.lo ?? v.value!, v.hi ?? v.value!, ...(v.p90 !== null ? [v.p90] : [])]);
  const yTitle = isDuration ? t('axis.hoursLog') : r.unit === 'percent' ? t('axis.percent', { label: r.label }) : r.label;
  const y = isDuration
    ? (() => {
        const lo = Math.max(FLOOR, Math.min(...shown, ...targets.map((g) => g.value)) / 1.5);
        const hi = Math.max(...shown, ...targets.map((g) => g.value)) * 1.6;
        const ticks = [1 / 60, 0.25, 0.5, 1, 2, 4, 8, 24, 48, 96, 168, 336, 720].filter((v) => v >= lo && v <= hi);
        return { type: 'quantitative', title: yTitle, scale: { type: 'log', domain: [lo, hi], nice: false }, axis: { values: ticks, format: '~g' } };
      })()
    : { type: 'quantitative', title: yTitle, scale: { zero: r.unit === 'count', nice: true } };
  const layers: any[] = [
    { mark: { type: 'area', color: palette.band, opacity: 0.9 }, encoding: { x: xEnc, y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
    { mark: { type: 'line', color: palette.primary, strokeWidth: 2.5, point: { filled: true, size: 36, color: palette.primary } }, encoding: { x: xEnc, y: { field: 'value', ...y }, tooltip: [{ field: 'label' }, { field: 'value', format: '.2f' }, { field: 'n' }] } },
  ];
  for (const g of targets) {
    layers.push({ data: { values: [g] }, mark: { type: 'rule', color: palette.neutral, strokeDash: [2, 3], strokeWidth: 1 }, encoding: { y: { field: 'value', ...y } } });
    layers.push({ data: { values: [g] }, mark: { type: 'text', color: palette.neutral, align: 'left', baseline: 'bottom', x: 2, dy: -2, fontSize: 9 }, encoding: { y: { field: 'value', ...y }, text: { field: 'text' } } });
  }
  const last = values[values.length - 1];
  // direct labels at the last period instead of a legend: which line is which
  const direct = (field: 'value' | 'p90', text: string, colour: string, dy: number) =>
    last && last[field] !== null ? layers.push({ data: { values: [{ label: last.label, v: last[field], text }] }, mark: { type: 'text', align: 'left', dx: 8, dy, fontSize: 10, fontWeight: 'bold', color: colour }, encoding: { x: xEnc, y: { field: 'v', ...y }, text: { field: 'text' } } }) : 0;
  if (isDuration) {
    layers.push({ mark: { type: 'line', color: palette.accent, strokeDash: [5, 3], strokeWidth: 1.8 }, encoding: { x: xEnc, y: { field: 'p90', ...y } } });
    direct('value', t('chart.median'), palette.primary, 0);
    direct('p90', t('chart.p90'), palette.accent, 0);
    // a p90 well above its usual level is called out with its value
    const p90s = values.map((v) => v.p90).filter((v): v is number => v !== null).sort((a, b) => a - b);
    const typical = p90s.length ? p90s[Math.floor(p90s.length / 2)] : null;
    const peak = values.reduce<(typeof values)[number] | null>((a, v) => (v.p90 !== null && (a === null || v.p90 > a.p90!) ? v : a), null);
    if (peak && typical !== null && peak.p90! >= 2 * typical) layers.push({ data: { values: [{ label: peak.label, v: peak.p90, text: t('chart.peak', { value: fmt.value(peak.p90, 'duration') }) }] }, mark: { type: 'text', align: 'left', baseline: 'middle', dx: 8, fontSize: 10, fontWeight: 'bold', color: palette.accent }, encoding: { x: xEnc, y: { field: 'v', ...y }, text: { field: 'text' } } });
  }
  for (const a of ctx.annotations ?? []) {
    const label = short(a.period);
    if (!order.includes(label)) continue;
    layers.push({ data: { values: [{ label, text: a.label }] }, mark: { type: 'rule', color: palette.ink, strokeDash: [2, 3], opacity: 0.7 }, encoding: { x: xEnc } });
    layers.push({ data: { values: [{ label, text: a.label }] }, mark: { type: 'text', align: 'right', baseline: 'top', dx: -4, y: 2, fontSize: 10, color: palette.ink }, encoding: { x: xEnc, text: { field: 'text' } } });
  }
  const headline = { label: r.label, value: fmt.value(r.value, r.unit), period: periodName };
  const title =
    r.value === null
      ? t('title.noData', { label: r.label, period: periodName })
      : r.previous && r.delta !== null
        ? // a direction only where the test supports one
          t(r.delta === 0 ? 'title.unchanged' : !r.significant ? 'title.noise' : r.delta > 0 ? 'title.up' : 'title.down', {
            ...headline,
            previous: fmt.value(r.previous.value, r.unit),
            verdict: r.significant ? t('significant', { p: fmt.p(r.p) }) : t('notSignificant'),
          })
        : t('title.value', headline);
  const chart = {
    id: ctx.nextId(`chart-tickets-${measure}`),
    title,
    caption: t(isDuration ? 'caption.duration' : 'caption.share', { title: r.title, n: fmt.count(r.n), period: periodName, source: ctx.sourceLabel?.(pt.sourceName) ?? pt.sourceName }) + (r.test ? t('caption.test', { test: r.test }) : ''),
    alt: t('alt', {
      label: r.label,
      items: values
        .map((v) => (isDuration && v.p90 !== null ? t('altItemP90', { period: v.label, value: fmt.value(v.value, r.unit), p90: fmt.value(v.p90, r.unit) }) : t('altItem', { period: v.label, value: fmt.value(v.value, r.unit) })))
        .join(t('altSep')),
    }),
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 600, height: 220, data: { values }, layer: layers } as any,
    size: 'wide' as const,
  };

  const pct = (s: { share: number | null; ci: Interval | null; n: number } | null) => (s && s.share !== null ? [fmt.value(s.share, 'percent'), fmt.interval(s.ci, 'percent'), fmt.count(s.n)] : [noData, '—', s ? fmt.count(s.n) : '—']);
  const dur = (s: { median: number | null; ci: Interval | null; p90: number | null; n: number }) => [
    s.median === null ? noData : t('medianP90', { median: fmt.value(s.median, 'duration'), p90: fmt.value(s.p90, 'duration') }),
    fmt.interval(s.ci, 'duration'),
    fmt.count(s.n),
  ];
  const rows = [
    [t('row.firstResponse'), ...dur(x.firstResponse)],
    [t('row.resolution'), ...dur(x.resolution)],
    [t('row.sla'), ...pct(x.sla.overall)],
    [t('row.firstResponseSla'), ...pct(x.sla.firstResponse)],
    [t('row.resolutionSla'), ...pct(x.sla.resolution)],
    ...(x.reopenRate ? [[t('row.reopenRate'), ...pct(x.reopenRate)]] : []),
    ...(x.csat ? [[t('row.csat', { from: def.csat_scale - 1, to: def.csat_scale }), ...pct(x.csat)]] : []),
    [t('row.created'), fmt.value(x.volume.count, 'count'), fmt.interval(x.volume.ci, 'count'), x.volume.count === null ? '—' : fmt.count(x.volume.count)],
    [t('row.open'), fmt.count(x.open), '—', '—'],
  ];
  const blocks: VisualBlock[] = [
    // granularity all: one value, said in words rather than drawn as a one-point line
    pt.granularity === 'all' ? { kind: 'text', paragraphs: [title] } : { kind: 'chart', chart },
    {
      kind: 'table',
      table: {
        caption: t('measures.caption', { period: periodName }),
        columns: [{ label: t('measures.measure') }, { label: t('measures.value'), align: 'right' }, { label: t('measures.ci'), align: 'right' }, { label: t('measures.n'), align: 'right' }],
        rows: rows.map((cells) => ({ cells })),
        footnote: t('measures.footnote'),
      },
    },
  ];
  if (x.volumeByChannel?.length) {
    const list = x.volumeByChannel as { channel: string; count: number; share: number | null; previous: number | null; delta: number | null; p: number | null }[];
    // granularity all: tickets and share only (no previous period)
    const all = pt.granularity === 'all';
    blocks.push({
      kind: 'table',
      table: {
        caption: t('channels.caption', { period: periodName }),
        columns: [
          { label: t('channels.channel') },
          { label: t('channels.tickets'), align: 'right' },
          { label: t('channels.share'), align: 'right' },
          ...(all ? [] : [{ label: `${ctx.periodLabel(shiftPeriod(ctx.period, -1, pt.granularity))}`, align: 'right' as const }, { label: t('channels.change'), align: 'right' as const }]),
        ],
        rows: list
          .slice(0, 25)
          .map((c) => ({ cells: [ctx.valueLabel?.(pt.def.channel!, c.channel) ?? c.channel, fmt.count(c.count), fmt.value(c.share, 'percent'), ...(all ? [] : [fmt.count(c.previous ?? 0), c.p !== null && c.p < ALPHA ? t('channels.deltaP', { delta: fmt.delta(c.delta, 'count'), p: fmt.p(c.p) }) : fmt.delta(c.delta, 'count')])] })),
        footnote: all ? undefined : t('channels.footnote', { count: list.length }),
      },
    });
  }
  return blocks;
}
