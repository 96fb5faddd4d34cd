/** Breakdown: the metric per group of a column, sorted by value, with n, 95% CI, change and BH-adjusted significance. */
import { z } from 'zod';
import { breakdownSpec } from '../charts.js';
import { longLabel, result, titleOf, type SectionContext } from '../context.js';
import { testName } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';

export const breakdownSchema = z
  .strictObject({
    type: z.literal('breakdown'),
    ...sectionFields,
    metric: z.string().describe('Metric to break down.'),
    by: z.string().describe('Column whose values form the groups.').meta({ examples: ['channel', 'region'] }),
    sort: z.enum(['value', 'n', 'name']).default('value').describe('Order of the table rows.'),
    chart_limit: z.number().int().min(1).max(40).default(15).describe('The chart shows at most this many groups (those with the most responses); the table shows all.'),
  })
  .describe('The metric per group of a column, for the current period.');

export type BreakdownSection = z.infer<typeof breakdownSchema>;

export function buildBreakdown(section: BreakdownSection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  const r = result(ctx, section.metric);
  // groups under their display names (`values:` of the column), e.g. email → 邮件
  const rows = (r.breakdowns[section.by] ?? []).filter((g) => g.n > 0).map((g) => ({ ...g, group: ctx.valueLabel?.(section.metric, section.by, g.group) ?? g.group }));
  const sorted = [...rows].sort((a, b) =>
    section.sort === 'n' ? b.n - a.n : section.sort === 'name' ? a.group.localeCompare(b.group) : (b.value ?? -Infinity) - (a.value ?? -Infinity),
  );
  const trusted = sorted.filter((g) => !g.lowSample && g.value !== null);
  const best = trusted[0];
  const worst = trusted[trusted.length - 1];
  const period = longLabel(ctx, ctx.computed.period);
  const higher = r.higherIsBetter;
  const all = ctx.granularity === 'all';
  const by = ctx.columnLabel?.(section.metric, section.by) ?? section.by;
  const byTitle = t('breakdown.title', { label: r.label, by });
  const headline =
    best && worst && best !== worst
      ? t(higher ? 'breakdown.lowFirst' : 'breakdown.highFirst', { label: r.label, by, low: worst.group, lowValue: fmt.value(worst.value, r.unit), high: best.group, highValue: fmt.value(best.value, r.unit) })
      : byTitle;
  const low = rows.filter((g) => g.lowSample);
  const charted = [...rows].filter((g) => g.value !== null).sort((a, b) => b.n - a.n || a.group.localeCompare(b.group)).slice(0, section.chart_limit);
  const limited = charted.length < rows.filter((g) => g.value !== null).length ? t('breakdown.limited', { shown: charted.length, total: rows.length }) : '';
  return {
    type: 'breakdown',
    id: section.id ?? ctx.nextId(`breakdown-${section.metric}-${section.by}`),
    title: section.title ?? byTitle,
    level: 2,
    chart: {
      id: ctx.nextId(`chart-breakdown-${section.metric}`),
      title: headline,
      caption: t('breakdown.caption', { title: titleOf(ctx, r), by, period, min: r.minSample, limited, source: ctx.sourceLabel?.(String(ctx.config.metrics[section.metric].source)) ?? String(ctx.config.metrics[section.metric].source) }),
      alt: t('breakdown.alt', { label: r.label, by, period, items: sorted.map((g) => t('breakdown.altItem', { group: g.group, value: fmt.value(g.value, r.unit), n: g.n })).join(t('sep.items')) }),
      spec: breakdownSpec(
        charted.map((g) => ({ group: g.group, value: g.value!, lo: g.ci?.[0] ?? null, hi: g.ci?.[1] ?? null, n: g.n, lowSample: g.lowSample, label: fmt.number(g.value, r.unit) })),
        { metric: r.label, unit: r.unit, domain: r.domain ?? undefined, minSample: r.minSample, target: r.target, t },
      ),
      size: 'wide',
    },
    table: {
      columns: [
        { label: by },
        { label: r.label, align: 'right' },
        { label: t('common.ci'), align: 'right' },
        { label: t('common.nHeader'), align: 'right' },
        // granularity all: each group against the rest of the data instead of its previous period
        { label: all ? t('breakdown.vsRest') : t('common.changeVs', { period: longLabel(ctx, ctx.computed.previousPeriod) }), align: 'right' },
        { label: t('common.significantQ'), align: 'center' },
      ],
      rows: sorted.map((g) => ({
        cells: [
          g.group,
          fmt.value(g.value, r.unit),
          fmt.interval(g.ci, r.unit),
          fmt.count(g.n),
          fmt.delta(g.delta, r.unit),
          g.pAdjusted === null ? '—' : g.significant ? t('common.yes', { p: fmt.p(g.pAdjusted) }) : t('common.no'),
        ],
        muted: g.lowSample,
        note: g.lowSample ? t('common.lowN', { min: r.minSample }) : undefined,
      })),
      footnote: t(all ? 'breakdown.footnoteRest' : 'breakdown.footnote', { test: testName(t, r.test), count: rows.length, low: low.length ? t('breakdown.footnoteLow', { min: r.minSample }) : '' }),
    },
  };
}
