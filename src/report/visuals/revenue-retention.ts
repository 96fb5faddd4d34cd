/** The default visual of revenue retention: the MRR bridge as a waterfall, and the last 6 periods' bridges as a table. */
import { formatter } from '../../kernel/format.js';
import { d3FormatFor, localTranslator, periodLabelIn, unitName } from '../../kernel/i18n.js';
import { palette } from '../../kernel/theme.js';
import { filterTextIn } from '../../metrics/customers.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { MESSAGES } from '../../metrics/revenue-retention/messages.js';
import type { PreparedRevenue } from '../../metrics/revenue-retention/prepare.js';
import type { BridgeRecord } from '../../metrics/revenue-retention/compute.js';

// ---------------------------------------------------------------------------------------------
// Visual: the bridge as a waterfall, and the last 6 periods' bridges as a table
// ---------------------------------------------------------------------------------------------

export function revenueVisual(r: MetricResult, pr: PreparedRevenue, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const money = d3FormatFor(locale)('$,.0f');
  const signedMoney = (x: number) => (x >= 0 ? `+${money(x)}` : `−${money(-x)}`);
  const ratio = (v: number | null | undefined) => fmt.value(v, 'ratio');
  const bridge = r.extra.bridge as BridgeRecord | null;
  if (!bridge) return [{ kind: 'text', paragraphs: [t('empty', { period: ctx.periodLabel(ctx.period) })] }];
  const g = pr.granularity;
  // snapshots are months whatever the report's granularity
  const fromLabel = periodLabelIn(locale, bridge.from, 'month', 'short');
  const toLabel = periodLabelIn(locale, bridge.to, 'month', 'short');
  let level = bridge.start;
  const step = (name: string, amount: number, kind: 'Increase' | 'Decrease') => {
    const from = level;
    level += amount;
    return { step: name, y: from, y2: level, amount, kind, label: signedMoney(amount) };
  };
  const values = [
    { step: t('step.total', { period: fromLabel }), y: 0, y2: bridge.start, amount: bridge.start, kind: 'Total', label: money(bridge.start) },
    step(t('step.new'), bridge.new, 'Increase'),
    step(t('step.expansion'), bridge.expansion, 'Increase'),
    step(t('step.contraction'), -bridge.contraction, 'Decrease'),
    step(t('step.churned'), -bridge.churned, 'Decrease'),
    { step: t('step.total', { period: toLabel }), y: 0, y2: bridge.end, amount: bridge.end, kind: 'Total', label: money(bridge.end) },
  ].map((d) => ({ ...d, top: Math.max(d.y, d.y2) }));
  const order = values.map((d) => d.step);
  // The changes are small next to the totals: the axis starts near the lowest level (not at zero)
  // so that they stay visible; the total bars are clipped at the bottom and the caption says so.
  const levels = values.flatMap((d) => (d.kind === 'Total' ? [d.y2] : [d.y, d.y2]));
  const lowest = Math.min(...levels);
  const highest = Math.max(...levels);
  const pad = Math.max(highest - lowest, 0.002 * highest) * 0.6;
  const floor = lowest - 2 * pad > 0.25 * highest ? lowest - 2 * pad : 0;
  const x = { field: 'step', type: 'nominal' as const, sort: order, title: null, axis: { labelAngle: 0 } };
  const yScale = { type: 'quantitative' as const, title: t('axis.mrr'), axis: { format: '$,.0f', tickCount: 5 }, scale: floor > 0 ? { domain: [floor, highest + pad], zero: false, nice: false } : { zero: true, nice: true } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600,
    height: 240,
    data: { values },
    layer: [
      { mark: { type: 'bar', width: { band: 0.6 }, clip: true }, encoding: { x, y: { field: 'y', ...yScale }, y2: { field: 'y2' }, color: { field: 'kind', type: 'nominal', scale: { domain: ['Total', 'Increase', 'Decrease'], range: [palette.primary, palette.good, palette.bad] }, legend: null } } },
      { mark: { type: 'text', dy: -6, fontSize: 10, color: palette.ink }, encoding: { x, y: { field: 'top', type: 'quantitative' }, text: { field: 'label' } } },
    ],
  };
  const nrr = bridge.nrr;
  const grr = bridge.grr;
  const lostTotal = bridge.contraction + bridge.churned;
  const balance = bridge.expansion >= lostTotal ? t('balance.expansion', { expansion: money(bridge.expansion), lost: money(lostTotal) }) : t('balance.lost', { lost: money(lostTotal), expansion: money(bridge.expansion) });
  const now = ctx.periodLabel(ctx.period);
  const title =
    nrr === null
      ? t('title.none', { period: fromLabel })
      : pr.def.measure === 'grr'
        ? t('title.grr', { grr: ratio(grr), period: now, lost: money(lostTotal), nrr: ratio(nrr) })
        : t('title.nrr', { nrr: ratio(nrr), period: now, balance, grr: ratio(grr) });
  const bridgesList = (r.extra.bridges ?? []) as BridgeRecord[];
  const trailing = r.extra.trailing12 as { from: string; nrr: number | null; grr: number | null } | null;
  const filterText = filterTextIn(pr.def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pr.source.name) ?? pr.source.name, filter: filterText }) : (ctx.sourceLabel?.(pr.source.name) ?? pr.source.name);
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-mrr-bridge-${pr.id}`),
        title,
        caption: t('caption', {
          from: fromLabel,
          to: toLabel,
          customers: fmt.count(bridge.customers.atStart),
          churned: fmt.count(bridge.customers.churned),
          new: fmt.count(bridge.customers.new),
          axis: floor > 0 ? t('caption.axis', { floor: money(floor) }) : '',
          source,
        }),
        alt: t('alt', {
          from: fromLabel,
          to: toLabel,
          start: money(bridge.start),
          new: signedMoney(bridge.new),
          expansion: signedMoney(bridge.expansion),
          contraction: signedMoney(-bridge.contraction),
          churned: signedMoney(-bridge.churned),
          end: money(bridge.end),
          nrr: ratio(nrr),
          grr: ratio(grr),
        }),
        spec: spec as never,
        size: 'wide',
      },
    },
    {
      kind: 'table',
      table: {
        caption: t('table.caption', { unit: unitName(locale, g), count: bridgesList.length }),
        columns: [
          { label: t('table.period') },
          { label: t('table.start'), align: 'right' },
          { label: t('table.new'), align: 'right' },
          { label: t('table.expansion'), align: 'right' },
          { label: t('table.contraction'), align: 'right' },
          { label: t('table.churned'), align: 'right' },
          { label: t('table.end'), align: 'right' },
          { label: t('table.nrr'), align: 'right' },
          { label: t('table.grr'), align: 'right' },
        ],
        rows: [...bridgesList].reverse().map((b) => ({
          cells: [ctx.periodLabel(b.period), money(b.start), money(b.new), money(b.expansion), money(b.contraction), money(b.churned), money(b.end), fmt.number(b.nrr, 'ratio'), fmt.number(b.grr, 'ratio')],
        })),
        footnote: t('table.footnote') + (trailing ? t('table.trailing', { period: periodLabelIn(locale, trailing.from, 'month', 'long'), nrr: ratio(trailing.nrr), grr: ratio(trailing.grr) }) : ''),
      },
    },
  ];
}
