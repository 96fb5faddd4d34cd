/** Methods appendix: a lookup table of the metrics, then definitions, sample sizes, exclusions and why, tests, data sources. */
import type { SourceTable } from '../../sources/types.js';
import { longLabel, methodOf, titleOf, type SectionContext } from '../context.js';
import { exclusionReason, localTranslator } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import { cleanMethod, glanceRows, metricHeadings, modelFit, plainWords, sourceDataThrough, throughLabel } from './methods-glance.js';
import { MESSAGES } from './methods-glance.messages.js';
import { methodsNotes } from './highlight-text.js';

export function buildMethods(ctx: SectionContext, sources: Map<string, SourceTable>): SectionModel {
  const { t, fmt } = ctx;
  const tl = localTranslator(MESSAGES, ctx.locale);
  const period = longLabel(ctx, ctx.computed.period);
  const reasons = (counts: Record<string, number>) => {
    const list = Object.entries(counts).map(([k, v]) => t('methods.reason', { count: fmt.count(v), reason: exclusionReason(t, k) }));
    return list.length ? list.join(t('sep.list')) : t('methods.none');
  };
  const results = [...ctx.computed.results.values()];
  const headings = metricHeadings(ctx, (r) => titleOf(ctx, r));
  const through = sourceDataThrough(ctx);
  const nLine = (r: (typeof results)[number]) =>
    Object.keys(r.exclusions).length === 0 && Object.keys(r.excludedAllPeriods).length === 0
      ? tl('nLineNone', { n: fmt.count(r.n), period })
      : tl('nLine', { n: fmt.count(r.n), period, reasons: reasons(r.exclusions), all: reasons(r.excludedAllPeriods) });
  // metrics whose method reads the same (two sentiment metrics on different sources) are described once
  const groups: { ids: string[]; method: string }[] = [];
  for (const r of results) {
    const fit = modelFit(r, ctx.locale, period);
    const method = [cleanMethod(methodOf(ctx, r), ctx.locale), fit].filter(Boolean).join(ctx.locale === 'zh-CN' ? '' : ' ');
    const same = groups.find((g) => g.method === method);
    if (same) same.ids.push(r.id);
    else groups.push({ ids: [r.id], method });
  }
  const metrics = groups.map(({ ids, method }) => {
    const r = ctx.computed.results.get(ids[0])!;
    const heading = ids.map((id) => headings.get(id)!).reduce((a, b) => tl('sameMethod', { a, b }));
    return {
      label: r.label,
      title: titleOf(ctx, r),
      method,
      n: t('methods.valid', { n: fmt.count(r.n), period }),
      excluded: t('methods.excluded', { period, reasons: reasons(r.exclusions), all: reasons(r.excludedAllPeriods) }),
      heading,
      // one line per metric: named when the method covers several
      nLines: ids.map((id) => {
        const line = nLine(ctx.computed.results.get(id)!);
        return ids.length > 1 ? t('sep.pair', { key: headings.get(id)!, value: line }) : line;
      }),
    };
  });
  const rows = glanceRows(ctx, metricHeadings(ctx, null), through);
  return {
    type: 'methods',
    id: 'methods',
    title: t('methods.title'),
    level: 1,
    glance: {
      title: tl('glanceTitle'),
      note: tl('glanceNote', { period }),
      table: {
        columns: [{ label: tl('colMetric') }, { label: tl('colDefinition') }, { label: tl('colFormula') }, { label: tl('colN'), align: 'right' }, { label: tl('colTest') }, { label: tl('colSource') }],
        rows: rows.map((g) => ({ cells: [g.metric, g.definition, g.formula, g.n, g.test, g.source] })),
      },
    },
    detailTitle: tl('detailTitle'),
    metrics,
    sources: [...sources.values()].map((s) => ({
      // the source's label with its key in sources: beside it (the key is what the config names)
      name: ctx.sourceLabel && ctx.sourceLabel(s.name) !== s.name ? `${ctx.sourceLabel(s.name)}${ctx.locale === 'zh-CN' ? `（${s.name}）` : ` (${s.name})`}` : s.name,
      file: s.file,
      rows: fmt.count(s.rowCount),
      columns: s.columns.map((c) => t('methods.column', { name: c.name, type: t.maybe(`coltype.${c.type}`) ?? c.type })).join(t('sep.list')),
      through: throughLabel(ctx, through, s.name),
    })),
    sourcesThroughLabel: tl('colRefreshed'),
    notes: [
      t('methods.note1'),
      t(ctx.granularity === 'all' ? 'methods.note2All' : 'methods.note2'),
      t('methods.note3', { min: ctx.config.report.min_sample }),
      // how invalid rows are excluded, once for every metric (the modules' own wording of it is left out above)
      tl('exclusionNote'),
      ctx.granularity === 'all' ? t('methods.note5All') : t('methods.note5', { units: t(`units.${ctx.granularity}`) }),
      // what the loaders decided about the files (detected formats, generated names…) and heavy exclusions
      ...[...sources.values()].flatMap((s) => (s.notes ?? []).map((n) => `${s.name}: ${n}`)),
      ...(ctx.computed.warnings ?? []),
      // key-driver analyses (drivers sections) state their method here too
      ...results.flatMap((r) => {
        const method = (r.extra.drivers as { method?: string } | undefined)?.method;
        return method ? [`${r.label}: ${plainWords(method, ctx.locale)}`] : [];
      }),
      ...methodsNotes(ctx),
    ],
  };
}
