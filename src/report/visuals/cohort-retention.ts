/** Cohort retention's default visual: the retention triangle as a heatmap and as a table. */
import { palette } from '../../kernel/theme.js';
import { formatter } from '../../kernel/format.js';
import { localTranslator, unitName } from '../../kernel/i18n.js';
import type { CalendarGranularity } from '../../kernel/period.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { filterTextIn } from '../../metrics/customers.js';
import type { CohortRow } from '../../metrics/cohort-retention/compute.js';
import { MESSAGES } from '../../metrics/cohort-retention/messages.js';
import type { PreparedCohorts } from '../../metrics/cohort-retention/prepare.js';

/** Heatmap of the triangle (cohort × k, share labels) and the triangle as a table. */
export function cohortVisual(r: MetricResult, pc: PreparedCohorts, ctx: VisualContext): VisualBlock[] {
  const g = pc.granularity as CalendarGranularity; // never `all` (needsPeriods)
  const def = pc.def;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const unit = unitName(locale, g);
  const units = t(`units.${g}`);
  const rows = (r.extra.cohorts ?? []) as CohortRow[];
  if (rows.length === 0) return [{ kind: 'text', paragraphs: [t('empty', { cohorts: def.cohorts, units, period: ctx.periodLabel(ctx.period) })] }];
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const kLabel = (k: number | string) => t(`k.${g}`, { k });
  const cohortLabel = (row: CohortRow) => t('cohortLabel', { cohort: short(row.cohort), n: fmt.count(row.size) });
  const order = rows.map(cohortLabel);
  const values = rows.flatMap((row) => row.retention.map((cell) => ({ cohort: cohortLabel(row), k: kLabel(cell.k), kn: cell.k, share: cell.share, active: cell.active, size: row.size, text: `${Math.round(cell.share)}%` })));
  const ks = Array.from({ length: Math.max(...rows.map((row) => row.retention.length)) }, (_, k) => kLabel(k));
  const x = { field: 'k', type: 'ordinal' as const, sort: ks, title: t(`axis.${g}`), axis: { orient: 'top' as const, labelAngle: 0 } };
  const y = { field: 'cohort', type: 'ordinal' as const, sort: order, title: null, axis: { labelLimit: 220 } };
  // the colour scale spans the data's range (down to the lowest share, rounded down to 5 points), not 0–100,
  // so that cells from 68% to 100% are told apart; white text on the darker half
  const shares = values.map((v) => v.share).filter((v) => Number.isFinite(v));
  const floor = shares.length ? Math.max(0, Math.min(Math.floor(Math.min(...shares) / 5) * 5, 95)) : 0;
  const ceiling = shares.length ? Math.max(floor + 5, Math.min(100, Math.ceil(Math.max(...shares) / 5) * 5)) : 100;
  const dark = floor + 0.55 * (ceiling - floor);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 600 - 110,
    height: { step: 28 },
    data: { values },
    layer: [
      { mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 }, encoding: { x, y, color: { field: 'share', type: 'quantitative', title: t('legend.active'), scale: { domain: [floor, ceiling], range: ['#f3f6fa', palette.primary], clamp: true }, legend: { orient: 'right', format: '.0f', gradientLength: 160 } } } },
      { mark: { type: 'text', fontSize: 11 }, encoding: { x, y, text: { field: 'text' }, color: { condition: { test: `datum.share >= ${dark}`, value: '#ffffff' }, value: palette.ink } } },
    ],
  };
  const at = r.extra.at as number;
  const reached = rows.filter((row) => row.retention[at]);
  const best = reached.length ? reached.reduce((a, b) => (b.retention[at].share > a.retention[at].share ? b : a)) : undefined;
  const worst = reached.length ? reached.reduce((a, b) => (b.retention[at].share < a.retention[at].share ? b : a)) : undefined;
  const pct = (v: number | null | undefined) => fmt.value(v, 'percent');
  const title =
    r.value === null
      ? t(`title.none.${g}`, { at })
      : t(reached.length === 1 ? 'title.average1' : 'title.average', { name: t(`label.${g}`, { at }), value: pct(r.value), count: reached.length }) +
        (best && worst && best !== worst ? t('title.range', { low: pct(worst.retention[at].share), lowCohort: short(worst.cohort), high: pct(best.retention[at].share), highCohort: short(best.cohort) }) : '');
  const total = rows.reduce((a, row) => a + row.size, 0);
  const maxK = ks.length - 1;
  const filterText = filterTextIn(def.filter, locale);
  const source = filterText ? t('source.filter', { source: ctx.sourceLabel?.(pc.source.name) ?? pc.source.name, filter: filterText }) : (ctx.sourceLabel?.(pc.source.name) ?? pc.source.name);
  return [
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-cohorts-${pc.id}`),
        title,
        caption: t('caption', { unit, units, mode: t(pc.mode === 'subscription' ? 'caption.subscription' : 'caption.activity'), count: rows.length, customers: fmt.count(total), source }),
        alt: t('alt', {
          first: short(rows[0].cohort),
          last: short(rows[rows.length - 1].cohort),
          units,
          max: maxK,
          rows: rows.map((row) => t('alt.row', { cohort: short(row.cohort), shares: row.retention.map((c) => `${Math.round(c.share)}%`).join(t('alt.shareSep')) })).join(t('alt.rowSep')),
        }),
        spec: spec as never,
        size: 'wide',
      },
    },
    {
      kind: 'table',
      table: {
        caption: t('table.caption', { units }),
        columns: [{ label: t('table.cohort') }, { label: t('table.customers'), align: 'right' }, ...ks.map((k) => ({ label: k, align: 'right' as const }))],
        rows: rows.map((row) => ({ cells: [ctx.periodLabel(row.cohort), fmt.count(row.size), ...ks.map((_, k) => (row.retention[k] ? fmt.number(row.retention[k].share, 'percent') : ''))], muted: row.size < r.minSample, note: row.size < r.minSample ? t('table.lowN', { min: r.minSample }) : undefined })),
        footnote: t('table.footnote', { k: kLabel('k'), units, unit, min: r.minSample }),
      },
    },
  ];
}
