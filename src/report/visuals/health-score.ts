/** The default visual of the health-score metric: the score histogram by band, band movements, at-risk and moved-down accounts. */
import { formatter } from '../../kernel/format.js';
import { localTranslator } from '../../kernel/i18n.js';
import { shiftPeriod } from '../../kernel/period.js';
import { precise } from '../../kernel/precision.js';
import { palette } from '../../kernel/theme.js';
import type { accountView } from '../../metrics/health-score/compute.js';
import { MESSAGES } from '../../metrics/health-score/messages.js';
import { BANDS, type Band, type PreparedHealth } from '../../metrics/health-score/types.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';

const BAND_COLOUR: Record<Band, string> = { red: palette.bad, amber: palette.accent, green: palette.good };

export function visualHealth(r: MetricResult, ph: PreparedHealth, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const bandName = (b: Band) => t(`band.${b}`);
  const x = r.extra as any;
  const def = ph.def;
  const periodName = ctx.periodLabel(ctx.period);
  const previousName = ctx.periodLabel(shiftPeriod(ctx.period, -1, ph.granularity));
  const blocks: VisualBlock[] = [];
  const { red, amber, green } = x.bands as Record<Band, { count: number; share: number | null }>;
  if (r.n > 0) {
    const values = (x.histogram as { from: number; to: number; red: number; amber: number; green: number }[]).flatMap((h) => BANDS.filter((b) => h[b] > 0).map((b) => ({ from: h.from, to: h.to, band: bandName(b), count: h[b] })));
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId('chart-health-histogram'),
        title: t('chart.title', { share: fmt.value(red.share, 'percent'), n: fmt.count(r.n), period: periodName, mean: precise(fmt, r).value(r.value, 'score') }),
        caption: t('chart.caption', { red: def.bands.red, amber: def.bands.amber, n: fmt.count(r.n), components: ph.components.length, source: ctx.sourceLabel?.(def.source) ?? def.source }),
        alt: t('chart.alt', { period: periodName, red: fmt.count(red.count), amber: fmt.count(amber.count), green: fmt.count(green.count), mean: precise(fmt, r).value(r.value, 'score') }),
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          width: 600,
          height: 200,
          data: { values },
          layer: [
            {
              mark: { type: 'bar', binSpacing: 1 },
              encoding: {
                x: { field: 'from', type: 'quantitative', bin: { binned: true, step: 5 }, scale: { domain: [0, 100] }, title: t('chart.x'), axis: { tickCount: 10 } },
                x2: { field: 'to' },
                y: { field: 'count', type: 'quantitative', stack: 'zero', title: t('chart.y'), axis: { format: ',d', tickCount: 4 } },
                color: { field: 'band', type: 'nominal', scale: { domain: BANDS.map(bandName), range: BANDS.map((b) => BAND_COLOUR[b]) }, legend: { orient: 'top', title: null, symbolType: 'square' } },
              },
            },
            // red bins are few accounts beside thousands of green ones, too short to see: each is labelled with its count
            {
              transform: [{ filter: { field: 'band', equal: bandName('red') } }, { calculate: '(datum.from + datum.to) / 2', as: 'mid' }],
              mark: { type: 'text', baseline: 'bottom', dy: -3, fontSize: 10, fontWeight: 'bold', color: BAND_COLOUR.red },
              encoding: { x: { field: 'mid', type: 'quantitative' }, y: { field: 'count', type: 'quantitative' }, text: { field: 'count', type: 'quantitative', format: ',d' } },
            },
          ],
        } as any,
        size: 'wide',
      },
    });
  }
  const m = x.movements as { matrix: Record<Band, Record<Band, number>>; entered: Record<Band, number>; left: Record<Band, number>; movedDown: number; movedUp: number };
  blocks.push({
    kind: 'table',
    table: {
      caption: t('moves.caption', { previous: previousName, period: periodName, down: fmt.count(m.movedDown), up: fmt.count(m.movedUp) }),
      columns: [{ label: t('moves.corner', { previous: previousName, period: periodName }) }, ...BANDS.map((b) => ({ label: bandName(b), align: 'right' as const })), { label: t('moves.notNow'), align: 'right' }],
      rows: [
        ...BANDS.map((from) => ({ cells: [bandName(from), ...BANDS.map((to) => fmt.count(m.matrix[from][to])), fmt.count(m.left[from])] })),
        { cells: [t('moves.notBefore'), ...BANDS.map((to) => fmt.count(m.entered[to])), '—'] },
      ],
      footnote: t('moves.footnote'),
    },
  });
  const componentLabels = ph.components.slice(0, 4).map((c) => c.label);
  const accountRows = (list: ReturnType<typeof accountView>[]) =>
    list.map((a) => ({
      cells: [
        a.account,
        fmt.number(a.score, 'ratio'),
        bandName(a.band),
        a.previousScore === null ? '—' : t('accounts.previous', { score: fmt.number(a.previousScore, 'ratio'), band: bandName(a.previousBand!) }),
        ...componentLabels.map((l) => (a.components[l]?.value === null || a.components[l] === undefined ? '—' : String(a.components[l].value))),
      ],
    }));
  const accountColumns = [
    { label: t('accounts.account') },
    { label: t('accounts.score'), align: 'right' as const },
    { label: t('accounts.band') },
    { label: previousName, align: 'right' as const },
    ...componentLabels.map((l) => ({ label: l, align: 'right' as const })),
  ];
  if (x.atRisk.length) {
    blocks.push({
      kind: 'table',
      table: {
        caption: t('atRisk.caption', { count: x.atRisk.length, period: periodName }),
        columns: accountColumns,
        rows: accountRows(x.atRisk),
        footnote: ph.components.length > 4 ? t('atRisk.footnoteFirst', { count: ph.components.length }) : t('atRisk.footnote'),
      },
    });
  }
  if (x.movedDown.length) {
    blocks.push({ kind: 'table', table: { caption: t('movedDown.caption', { previous: previousName }), columns: accountColumns, rows: accountRows(x.movedDown) } });
  }
  if (r.n === 0) blocks.push({ kind: 'text', paragraphs: [t('noAccounts', { period: periodName })] });
  else if (x.paired.n > 1 && x.paired.meanChange !== null) {
    const p = x.paired.p === null ? t('paired.na') : x.paired.p < 0.001 ? 'p < 0.001' : `p = ${x.paired.p.toFixed(3)}`;
    blocks.push({ kind: 'text', paragraphs: [t('paired', { n: fmt.count(x.paired.n), change: fmt.number(x.paired.meanChange, 'score'), ci: fmt.interval(x.paired.ci, 'score'), p })] });
  }
  return blocks;
}
