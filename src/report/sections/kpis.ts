/** KPI cards: value, 95% CI, change with arrow coloured by what is good for the metric, n, target, sparkline. */
import { z } from 'zod';
import { lastPeriods } from '../../kernel/period.js';
import { sparklineSpec } from '../charts.js';
import { longLabel, result, seriesPoints, titleOf, type SectionContext } from '../context.js';
import type { KpiCard, SectionModel } from '../model.js';
import { changeSentence, sectionFields, toneOf } from './common.js';
import { precise } from '../../kernel/precision.js';
import { cardNote } from './kpi-notes.js';

export const kpisSchema = z
  .strictObject({
    type: z.literal('kpis'),
    ...sectionFields,
    metrics: z.array(z.string()).min(1).describe('Metrics to show as cards, in order.').meta({ examples: [['nps', 'csat', 'ces']] }),
    sparkline_periods: z.number().int().min(2).max(36).default(12).describe('Periods in each card’s sparkline.'),
  })
  .describe('Executive summary: one KPI card per metric, and sentences on what changed significantly.');

export type KpisSection = z.infer<typeof kpisSchema>;

export function buildKpis(section: KpisSection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  // granularity all: one period over all data, nothing to compare with (an empty label hides the change line)
  const all = ctx.granularity === 'all';
  const previousLabel = all ? '' : longLabel(ctx, ctx.computed.previousPeriod);
  const cards: KpiCard[] = section.metrics.map((id) => {
    const r = result(ctx, id);
    const keys = new Set(lastPeriods(ctx.computed.period, section.sparkline_periods, ctx.granularity));
    const spark = seriesPoints(ctx, r.series.filter((p) => keys.has(p.period)), r.unit);
    const direction = r.delta === null ? 'none' : r.delta > 0 ? 'up' : r.delta < 0 ? 'down' : 'flat';
    const met = r.target !== null && r.value !== null ? (r.higherIsBetter ? r.value >= r.target : r.value <= r.target) : undefined;
    return {
      id,
      label: r.label,
      title: titleOf(ctx, r),
      value: precise(fmt, r).value(r.value, r.unit),
      scaleNote: r.type === 'ces' ? `/ ${(ctx.config.metrics[id] as { scale?: number }).scale ?? ''}` : undefined,
      ci: r.ci ? t('common.ciValue', { ci: precise(fmt, r).interval(r.ci, r.unit) }) : t('kpis.noInterval'),
      delta: precise(fmt, r).delta(r.delta, r.unit),
      note: cardNote(ctx, r),
      previousLabel,
      direction,
      tone: toneOf(r, r.delta, r.significant),
      significant: r.significant,
      pText: fmt.p(r.p),
      n: t('common.n', { n: fmt.count(r.n) }),
      lowSample: r.lowSample,
      target: r.target !== null ? t('kpis.target', { value: fmt.value(r.target, r.unit) }) : undefined,
      targetMet: met,
      targetMissed: met === false,
      description: ctx.config.metrics[id].description as string | undefined,
      sparkline:
        spark.filter((p) => p.value !== null).length >= 2
          ? { id: ctx.nextId(`spark-${id}`), title: t('kpis.sparkTitle', { label: r.label, count: spark.length }), caption: '', alt: t('kpis.sparkAlt', { label: r.label, count: spark.length }), spec: sparklineSpec(spark), size: 'small' }
          : undefined,
    };
  });
  if (all) {
    // the headline values, without a word about change
    const sentences = section.metrics.map((id) => {
      const r = result(ctx, id);
      if (r.value === null) return t('change.noData', { label: r.label });
      return t('kpis.allValue', { label: r.label, value: fmt.value(r.value, r.unit), ci: r.ci ? t('change.ci', { ci: fmt.interval(r.ci, r.unit) }) : '', n: fmt.count(r.n) });
    });
    return { type: 'kpis', id: section.id ?? ctx.nextId('summary'), title: section.title ?? t('kpis.title'), level: 1, cards, sentences, sentencesTitle: t('kpis.headlines') };
  }
  const changed = section.metrics.map((id) => result(ctx, id)).filter((r) => r.significant);
  const sentences = changed.length > 0 ? changed.map((r) => changeSentence(r, previousLabel, t, fmt)) : [t('kpis.noChange', { previous: previousLabel })];
  return { type: 'kpis', id: section.id ?? ctx.nextId('summary'), title: section.title ?? t('kpis.title'), level: 1, cards, sentences };
}
