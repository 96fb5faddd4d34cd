/** Methods appendix: definitions, sample sizes, exclusions and why, tests, data sources. */
import type { SourceTable } from '../../sources/types.js';
import { longLabel, methodOf, titleOf, type SectionContext } from '../context.js';
import { exclusionReason } from '../i18n.js';
import type { SectionModel } from '../model.js';
import { methodsNotes } from './highlight-text.js';

export function buildMethods(ctx: SectionContext, sources: Map<string, SourceTable>): SectionModel {
  const { t, fmt } = ctx;
  const period = longLabel(ctx, ctx.computed.period);
  const reasons = (counts: Record<string, number>) => {
    const list = Object.entries(counts).map(([k, v]) => t('methods.reason', { count: v, reason: exclusionReason(t, k) }));
    return list.length ? list.join(t('sep.list')) : t('methods.none');
  };
  const metrics = [...ctx.computed.results.values()].map((r) => ({
    label: r.label,
    title: titleOf(ctx, r),
    method: methodOf(ctx, r),
    n: t('methods.valid', { n: fmt.count(r.n), period }),
    excluded: t('methods.excluded', { period, reasons: reasons(r.exclusions), all: reasons(r.excludedAllPeriods) }),
  }));
  return {
    type: 'methods',
    id: 'methods',
    title: t('methods.title'),
    level: 1,
    metrics,
    sources: [...sources.values()].map((s) => ({
      name: s.name,
      file: s.file,
      rows: fmt.count(s.rowCount),
      columns: s.columns.map((c) => t('methods.column', { name: c.name, type: t.maybe(`coltype.${c.type}`) ?? c.type })).join(t('sep.list')),
    })),
    notes: [
      t('methods.note1'),
      t(ctx.granularity === 'all' ? 'methods.note2All' : 'methods.note2'),
      t('methods.note3', { min: ctx.config.report.min_sample }),
      t('methods.note4'),
      ctx.granularity === 'all' ? t('methods.note5All') : t('methods.note5', { units: t(`units.${ctx.granularity}`) }),
      // what the loaders decided about the files (detected formats, generated names…) and heavy exclusions
      ...[...sources.values()].flatMap((s) => (s.notes ?? []).map((n) => `${s.name}: ${n}`)),
      ...(ctx.computed.warnings ?? []),
      // key-driver analyses (drivers sections) state their method here too
      ...[...ctx.computed.results.values()].flatMap((r) => {
        const method = (r.extra.drivers as { method?: string } | undefined)?.method;
        return method ? [`${r.label}: ${method}`] : [];
      }),
      ...methodsNotes(ctx),
    ],
  };
}
