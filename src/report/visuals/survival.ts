/** The default visual of survival: the Kaplan–Meier curve (one per segment) with its band, and the table of the share still customers at chosen tenures. */
import { formatter } from '../../kernel/format.js';
import { localTranslator } from '../../kernel/i18n.js';
import { palette } from '../../kernel/theme.js';
import { filterTextIn } from '../../metrics/customers.js';
import { describeFlagValues } from '../../metrics/flag-values.js';
import type { MedianSurvival } from '../../kernel/models/kaplan-meier.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { MESSAGES } from '../../metrics/survival/messages.js';
import type { PreparedSurvival } from '../../metrics/survival/prepare.js';
import { amount } from '../../metrics/survival/compute.js';

// ---------------------------------------------------------------------------------------------
// Visual
// ---------------------------------------------------------------------------------------------

const COLOURS = [palette.primary, palette.accent, '#56b4e9', palette.good, palette.bad, '#cc79a7', palette.neutral, '#b8a100'];

interface CurveRow {
  time: number;
  survival: number;
  lower: number | null;
  upper: number | null;
  atRisk: number;
  events: number;
  censored: number;
}

interface Segment {
  group: string;
  n: number;
  events: number;
  value: number | null;
  median: MedianSurvival;
  curve: CurveRow[];
  /** longest observed tenure (event or censoring) */
  followUp: number | null;
}

function fmtTime(t: number | null): string {
  return t === null ? '—' : Number.isInteger(t) ? String(t) : t.toFixed(1);
}

/** Ŝ at t from curve rows (percent); null beyond the last observation. */
function readAt(curve: CurveRow[], followUp: number | null, t: number): number | null {
  if (followUp === null || t > followUp && !(curve.length && curve[curve.length - 1].survival === 0)) return null;
  let s = 100;
  for (const row of curve) {
    if (row.time <= t) s = row.survival;
    else break;
  }
  return s;
}

export function survivalVisual(r: MetricResult, pc: PreparedSurvival, ctx: VisualContext): VisualBlock[] {
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  // segments under their display names (`values:` of the `by` column)
  const segmentsRaw = (r.extra.segments as Segment[] | null)?.map((s) => ({ ...s, group: ctx.valueLabel?.(def.by!, s.group) ?? s.group })) ?? null;
  const segments: Segment[] = segmentsRaw ?? [{ group: t('allCustomers'), n: r.n, events: r.extra.events as number, value: r.value, median: r.extra.median as MedianSurvival, curve: r.extra.curve as CurveRow[], followUp: r.extra.followUp as number | null }];
  if (segments.every((s) => s.n === 0)) return [{ kind: 'text', paragraphs: [t('empty', { period: ctx.periodLabel(ctx.period) })] }];
  const units = t(`units.${def.unit}`);
  const horizonText = amount(t, def, def.horizon, true);
  const charted = [...segments].sort((a, b) => b.n - a.n || a.group.localeCompare(b.group)).slice(0, COLOURS.length);
  const names = charted.map((s) => s.group).sort((a, b) => a.localeCompare(b));
  const values = charted.flatMap((s) => {
    const points = [{ segment: s.group, time: 0, survival: 100, lower: 100, upper: 100 }, ...s.curve.map((c) => ({ segment: s.group, time: c.time, survival: c.survival, lower: c.lower, upper: c.upper }))];
    const last = points[points.length - 1];
    if (s.followUp !== null && s.followUp > last.time) points.push({ ...last, time: s.followUp });
    return points;
  });
  const colour = { field: 'segment', type: 'nominal' as const, scale: { domain: names, range: COLOURS.slice(0, names.length) }, legend: segmentsRaw ? { orient: 'top' as const, title: ctx.columnLabel?.(def.by!) ?? def.by } : null };
  const x = { field: 'time', type: 'quantitative' as const, title: t('axis.tenure', { units }), scale: { zero: true, nice: true } };
  const lineLegend = { ...colour, legend: colour.legend && { ...colour.legend, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 } };
  const y = { type: 'quantitative' as const, title: t('axis.survival'), scale: { domain: [0, 100] }, axis: { format: '.0f', tickCount: 5 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600,
    height: 240,
    data: { values },
    layer: [
      // the legend belongs to the lines: its swatches are the line colours, not the pale bands
      // (one legend shared by both layers, drawn as opaque strokes; a legend: null on the band would drop it altogether)
      { mark: { type: 'area', interpolate: 'step-after', opacity: 0.18 }, encoding: { x, y: { field: 'lower', ...y }, y2: { field: 'upper' }, color: lineLegend } },
      { mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 }, encoding: { x, y: { field: 'survival', ...y }, color: lineLegend } },
      { data: { values: [{ time: def.horizon }] }, mark: { type: 'rule', color: palette.neutral, strokeDash: [4, 3] }, encoding: { x: { field: 'time', type: 'quantitative' } } },
      { data: { values: [{ time: def.horizon, label: horizonText }] }, mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, y: 4, fontSize: 10, color: palette.neutral }, encoding: { x: { field: 'time', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
  const medianText = (m: MedianSurvival) => (m.median === null ? t('notReached') : amount(t, def, fmtTime(m.median)));
  let title: string;
  const valued = segments.filter((s) => s.value !== null);
  if (segmentsRaw && valued.length >= 2) {
    const lo = valued.reduce((a, b) => (b.value! < a.value! ? b : a));
    const hi = valued.reduce((a, b) => (b.value! > a.value! ? b : a));
    const lr = r.extra.logRank as { p: number } | null;
    title = t('title.range', { name: t(`label.${def.unit}`, { horizon: def.horizon }), low: pct(lo.value), lowGroup: lo.group, high: pct(hi.value), highGroup: hi.group, logRank: lr ? t('title.logRank', { p: fmt.p(lr.p) }) : '' });
  } else if (r.value !== null) {
    const m = r.extra.median as MedianSurvival;
    title = t('title.value', { value: pct(r.value), horizon: horizonText, median: medianText(m) });
  } else title = t('title.none', { horizon: horizonText });
  const marks = [...new Set([def.horizon / 4, def.horizon / 2, def.horizon, def.horizon * 2].map((t) => Math.round(t * 10) / 10))];
  const total = segments.reduce((a, s) => a + s.n, 0);
  const events = segments.reduce((a, s) => a + s.events, 0);
  const limited = charted.length < segments.length ? t('limited', { shown: charted.length, total: segments.length }) : '';
  const filterText = filterTextIn(def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pc.source.name) ?? pc.source.name, filter: filterText }) : (ctx.sourceLabel?.(pc.source.name) ?? pc.source.name);
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-survival-${pc.id}`),
        title,
        caption:
          pc.kind === 'durations'
            ? t('caption.durations', { confType: def.conf_type, duration: def.duration!, units, event: def.event!, values: describeFlagValues(def.event_value!), period: ctx.periodLabel(ctx.period), n: fmt.count(total), left: fmt.count(events), limited, source })
            : t('caption', { confType: def.conf_type, period: ctx.periodLabel(ctx.period), n: fmt.count(total), left: fmt.count(events), limited, source }),
        alt: t('alt', {
          units,
          perSegment: segmentsRaw ? t('alt.perSegment', { by: ctx.columnLabel?.(def.by!) ?? def.by! }) : '',
          items: segments
            .map((s) =>
              t('alt.item', {
                group: s.group,
                marks: marks.map((m) => t('alt.mark', { time: amount(t, def, fmtTime(m)), value: pct(readAt(s.curve, s.followUp, m)) })).join(t('alt.markSep')),
                median: medianText(s.median),
              }),
            )
            .join(t('alt.itemSep')),
        }),
        spec: spec as never,
        size: 'wide',
      },
    },
    {
      kind: 'table',
      table: {
        caption: segmentsRaw ? t('table.captionBy', { by: ctx.columnLabel?.(def.by!) ?? def.by! }) : t('table.caption'),
        columns: [
          { label: segmentsRaw ? (ctx.columnLabel?.(def.by!) ?? def.by!) : t('table.customers') },
          { label: t('table.n'), align: 'right' },
          { label: t('table.left'), align: 'right' },
          ...marks.map((m) => ({ label: amount(t, def, fmtTime(m)), align: 'right' as const })),
          { label: t('table.median', { units }), align: 'right' },
          { label: t('table.ci'), align: 'right' },
        ],
        rows: segments
          .map((s) => ({
            cells: [s.group, fmt.count(s.n), fmt.count(s.events), ...marks.map((m) => fmt.number(readAt(s.curve, s.followUp, m), 'percent')), fmtTime(s.median.median), t('table.range', { from: fmtTime(s.median.lower), to: s.median.upper === null ? t('notReached') : fmtTime(s.median.upper) })],
            muted: s.n < r.minSample,
            note: s.n < r.minSample ? t('table.lowN', { min: r.minSample }) : undefined,
          }))
          .slice(0, 25),
        footnote: t('table.footnote') + (segmentsRaw && segments.length > 25 ? t('table.first', { count: segments.length }) : ''),
      },
    },
  ];
}
