/**
 * "What stands out": the top changes of the highlights scan as sentences linked to their sections,
 * the recent anomalies of every metric's series, and the table of every significant test.
 */
import { z } from 'zod';
import { lastPeriods } from '../../kernel/period.js';
import { longLabel, result, type SectionContext } from '../context.js';
import { localTranslator } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { anomalyNote, anomalySentence, scanNote, scanSentence } from './highlight-text.js';
import { MESSAGES } from './highlights.messages.js';

export const highlightsSchema = z
  .strictObject({
    type: z.literal('highlights'),
    ...sectionFields,
    top: z.number().int().min(1).max(20).default(5).describe('How many of the significant changes to state, best ranked first.'),
    anomaly_periods: z.number().int().min(1).max(36).default(3).describe('Anomalies are listed for this many periods up to the current one.'),
  })
  .describe('What stands out: every metric × every dimension (report.dimensions) tested for a change since the previous period, Benjamini–Hochberg adjusted across the scan, the top changes ranked by effect size × volume; and anomalies of every series.');

export type HighlightsSection = z.infer<typeof highlightsSchema>;

export function buildHighlights(section: HighlightsSection, ctx: SectionContext): SectionModel {
  const t = localTranslator(MESSAGES, ctx.locale);
  const { fmt } = ctx;
  const scan = ctx.computed.highlights;
  const previousLabel = ctx.granularity === 'all' ? '' : longLabel(ctx, ctx.computed.previousPeriod);
  const significant = (scan?.items ?? []).filter((i) => i.significant);
  const recent = new Set(lastPeriods(ctx.computed.period, section.anomaly_periods, ctx.granularity));
  const anomalies = (scan?.anomalies ?? []).filter((a) => recent.has(a.period)).sort((a, b) => (a.period < b.period ? 1 : a.period > b.period ? -1 : 0));
  const rows = significant.map((i) => {
    const r = result(ctx, i.metric);
    return {
      cells: [
        r.label,
        i.dimension ? `${ctx.columnLabel?.(i.metric, i.dimension) ?? i.dimension}: ${i.group}` : t('all'),
        fmt.value(i.value, r.unit),
        fmt.delta(i.delta, r.unit),
        fmt.p(i.pAdjusted),
        i.score === null ? '—' : i.score.toFixed(2),
      ],
    };
  });
  return {
    type: 'highlights',
    id: section.id ?? ctx.nextId('what-stands-out'),
    title: section.title ?? t('title'),
    level: 1,
    changesTitle: t('changes', { previous: previousLabel }),
    items: significant.slice(0, section.top).map((i) => scanSentence(ctx, i)),
    empty: !scan ? t('notScanned') : significant.length === 0 ? t('none', { previous: previousLabel, tests: scan.items.length }) : undefined,
    note: scanNote(ctx),
    anomaliesTitle: t('anomalies'),
    anomalies: anomalies.map((a) => anomalySentence(ctx, a)),
    noAnomalies: anomalies.length === 0 ? t('noAnomalies', { count: ctx.t(`count.${ctx.granularity}`, { count: section.anomaly_periods }) }) : undefined,
    anomalyNote: anomalyNote(ctx),
    table: {
      caption: t('tableCaption'),
      columns: [{ label: t('colMetric') }, { label: t('colGroup') }, { label: t('colValue'), align: 'right' }, { label: t('colChange'), align: 'right' }, { label: t('colP'), align: 'right' }, { label: t('colScore'), align: 'right' }],
      rows,
    },
  };
}
