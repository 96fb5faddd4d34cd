/** The default visual of CLV: the inputs of the simple method as a table; for BG/NBD, the share of expected value by customer decile and the top accounts. */
import { formatter } from '../../kernel/format.js';
import { localTranslator, translator, type Locale } from '../../kernel/i18n.js';
import { palette } from '../../kernel/theme.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { dayIn } from '../../metrics/repeat-purchase/windows.js';
import { MESSAGES, type Translate } from '../../metrics/clv/messages.js';
import type { PreparedClv } from '../../metrics/clv/prepare.js';

// ---------------------------------------------------------------------------------------------
// visual
// ---------------------------------------------------------------------------------------------

export function visual(result: MetricResult, prepared: PreparedClv, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  return prepared.def.method === 'simple' ? visualSimple(result, prepared, ctx, t, locale) : visualBgnbd(result, prepared, ctx, t, locale);
}

function visualSimple(result: MetricResult, prepared: PreparedClv, ctx: VisualContext, t: Translate, locale: Locale): VisualBlock[] {
  const e = result.extra as { margin: number; accounts: number; revenue: number; arpa: number | null; churnRate: number | null; churnSource: string; customersAtStart: number | null; customersLost: number | null; expectedLifetimePeriods: number | null; note: string | null };
  const fmt = formatter(locale);
  const report = translator(locale);
  const unit = report(`unit.${prepared.granularity}`);
  const churnDetail = e.churnSource === 'churn_rate' ? t('simple.fixed') : t('simple.lost', { lost: fmt.count(e.customersLost ?? 0), atStart: fmt.count(e.customersAtStart ?? 0) });
  const rows = [
    { cells: [t('simple.arpa', { unit }), fmt.value(e.arpa, 'currency'), t('simple.accounts', { accounts: fmt.count(e.accounts), revenue: fmt.value(e.revenue, 'currency') })] },
    { cells: [t('simple.margin'), fmt.value(100 * e.margin, 'percent'), t('simple.fromConfig')] },
    { cells: [t('simple.churn', { unit }), e.churnRate === null ? '—' : fmt.value(100 * e.churnRate, 'percent'), churnDetail] },
    { cells: [t('simple.lifetime'), e.expectedLifetimePeriods === null ? '—' : report(`count.${prepared.granularity}`, { count: fmt.number(e.expectedLifetimePeriods, 'count') }), t('simple.lifetimeFormula')] },
    { cells: [t('simple.clv'), fmt.value(result.value, 'currency'), result.ci ? t('simple.ci', { ci: fmt.interval(result.ci, 'currency') }) : ''] },
  ];
  const footnote = prepared.def.customers ? t('simple.sources', { source: ctx.sourceLabel?.(prepared.def.source) ?? prepared.def.source, customers: ctx.sourceLabel?.(prepared.def.customers) ?? prepared.def.customers }) : t('simple.source', { source: ctx.sourceLabel?.(prepared.def.source) ?? prepared.def.source });
  const blocks: VisualBlock[] = [
    {
      kind: 'table',
      table: { caption: t('simple.caption', { period: ctx.periodLabel(ctx.period) }), columns: [{ label: t('simple.input') }, { label: t('simple.value'), align: 'right' }, { label: t('simple.detail') }], rows, footnote },
    },
  ];
  if (e.note) blocks.push({ kind: 'text', paragraphs: [t('note', { note: e.note })] });
  return blocks;
}

function visualBgnbd(result: MetricResult, prepared: PreparedClv, ctx: VisualContext, t: Translate, locale: Locale): VisualBlock[] {
  const { def } = prepared;
  const fmt = formatter(locale);
  const e = result.extra as {
    calibrationEnd: string;
    customers: number;
    repeatCustomers: number;
    bgnbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number } | null;
    gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number } | null;
    totalExpectedValue: number | null;
    expectedActiveCustomers: number | null;
    deciles: { decile: number; customers: number; totalValue: number; meanValue: number; percentOfTotal: number | null }[];
    topAccounts: { customer: string; x: number; recency: number; T: number; pAlive: number; expectedPurchases: number; expectedClv: number }[];
    note: string | null;
  };
  const blocks: VisualBlock[] = [];
  if (result.value === null) {
    const period = ctx.periodLabel(ctx.period);
    blocks.push({ kind: 'text', paragraphs: [e.note ? t('bgnbd.noModelNote', { period, note: e.note }) : t('bgnbd.noModel', { period })] });
    return blocks;
  }
  const top = e.deciles[0];
  const topShare = top?.percentOfTotal ?? null;
  const months = def.horizon_months;
  const total = fmt.value(e.totalExpectedValue, 'currency');
  const title = topShare !== null ? t('bgnbd.titleTop', { share: fmt.value(topShare, 'percent'), total, months }) : t('bgnbd.titleTotal', { months, total });
  const data = e.deciles.map((d) => ({ decile: `D${d.decile}`, percent: d.percentOfTotal ?? 0, mean: d.meanValue, label: `${fmt.number(d.percentOfTotal, 'percent')}%`, customers: d.customers }));
  blocks.push({
    kind: 'chart',
    chart: {
      id: ctx.nextId(`chart-${prepared.id}-deciles`),
      title,
      caption: t('bgnbd.caption', { months, margin: def.margin, discount: 100 * def.discount_rate, n: fmt.count(e.customers), end: dayIn(locale, e.calibrationEnd), source: ctx.sourceLabel?.(def.source) ?? def.source }),
      alt: t('bgnbd.alt', { items: data.map((d) => t('bgnbd.altItem', { decile: d.decile, share: d.label, mean: fmt.value(d.mean, 'currency'), customers: fmt.count(d.customers) })).join(t('bgnbd.altSep')) }),
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 600,
        height: 200,
        data: { values: data },
        layer: [
          {
            mark: { type: 'bar', color: palette.primary, width: { band: 0.75 } },
            encoding: {
              x: { field: 'decile', type: 'ordinal', sort: data.map((d) => d.decile), title: t('bgnbd.axisDecile'), axis: { labelAngle: 0 } },
              y: { field: 'percent', type: 'quantitative', title: t('bgnbd.axisShare'), axis: { format: '.0f', tickCount: 5 } },
            },
          },
          { mark: { type: 'text', dy: -6, fontSize: 10, color: palette.ink }, encoding: { x: { field: 'decile', type: 'ordinal', sort: data.map((d) => d.decile) }, y: { field: 'percent', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      } as never,
      size: 'wide',
    },
  });
  blocks.push({
    kind: 'table',
    table: {
      caption: t('bgnbd.tableCaption', { count: e.topAccounts.length, months }),
      columns: [
        { label: t('bgnbd.customer') },
        { label: t('bgnbd.repeat'), align: 'right' },
        { label: t('bgnbd.recency'), align: 'right' },
        { label: t('bgnbd.age'), align: 'right' },
        { label: t('bgnbd.pAlive'), align: 'right' },
        { label: t('bgnbd.expectedPurchases', { months }), align: 'right' },
        { label: t('bgnbd.expectedClv'), align: 'right' },
      ],
      rows: e.topAccounts.map((a) => ({
        cells: [a.customer, fmt.count(a.x), fmt.number(a.recency, 'percent'), fmt.number(a.T, 'percent'), fmt.value(100 * a.pAlive, 'percent'), fmt.number(a.expectedPurchases, 'score'), fmt.value(a.expectedClv, 'currency')],
      })),
      footnote: t('bgnbd.footnote'),
    },
  });
  const bg = e.bgnbd!;
  const gg = e.gammaGamma!;
  const f = (v: number) => (Math.abs(v) >= 1000 || Math.abs(v) < 0.001 ? v.toExponential(3) : v.toPrecision(4)).replace('-', '−');
  blocks.push({
    kind: 'text',
    paragraphs: [
      t('bgnbd.fitted', {
        customers: fmt.count(e.customers),
        repeat: fmt.count(e.repeatCustomers),
        end: dayIn(locale, e.calibrationEnd),
        r: f(bg.r),
        alpha: f(bg.alpha),
        a: f(bg.a),
        b: f(bg.b),
        ll: bg.logLikelihood.toFixed(1).replace('-', '−'),
        p: f(gg.p),
        q: f(gg.q),
        gamma: f(gg.gamma),
        active: fmt.count(Math.round(e.expectedActiveCustomers ?? 0)),
      }),
      e.note ? t('bgnbd.estimatesNote', { note: e.note }) : t('bgnbd.estimates'),
    ],
  });
  return blocks;
}
