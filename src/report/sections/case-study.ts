/**
 * Case study: one segment's before/after comparison over named periods, against the rest of the
 * company over the same windows, with the analyst's narrative kept apart from computed findings.
 */
import { displayPath, readUserFile } from '../../kernel/user-files.js';
import { z } from 'zod';
import { CxError } from '../../kernel/errors.js';
import { describeFilter, filterSchema, type Filter } from '../../kernel/filter.js';
import { periodRange } from '../../kernel/period.js';
import { aggregate, requireColumn, type PreparedMetric } from '../../metrics/prepare.js';
import { change, periodValue, sumPeriods } from '../../metrics/results.js';
import { caseStudySpec } from '../charts.js';
import { longLabel, result, shortLabel, titleOf, type SectionContext } from '../context.js';
import { describeFilterIn } from '../../kernel/i18n.js';
import { displayFilter } from '../labels.js';
import type { SectionModel } from '../model.js';
import { periodKeySchema, sectionFields } from './common.js';
import { renderMarkdown } from './markdown.js';
import { scoreMetric } from './score-only.js';
import { caseStudyDid, type CaseDid } from './case-study-did.js';

const windowSchema = z.strictObject({
  label: z.string().optional().describe('Name of the window, e.g. "Before the programme".'),
  from: periodKeySchema.describe('First period of the window, e.g. "2025-11".'),
  to: periodKeySchema.describe('Last period of the window, e.g. "2026-04"; not before `from`.'),
});

export const caseStudySchema = z
  .strictObject({
    type: z.literal('case-study'),
    ...sectionFields,
    title: z.string().describe('Case study title.'),
    segment: filterSchema.describe('The segment studied, e.g. { region: EMEA }.'),
    metrics: z.array(z.string()).min(1).describe('Metrics compared before and after.'),
    before: windowSchema.describe('The window before the change.'),
    after: windowSchema.describe('The window after the change: it starts after the `before` window ends (the two are compared as independent samples).'),
    narrative: z.string().optional().describe('The analyst’s narrative (Markdown): situation, what was done.'),
    narrative_file: z.string().optional().describe('Markdown file with the narrative, relative to the config.'),
    intervention: z
      .strictObject({ period: periodKeySchema.describe('Period key the intervention started in, e.g. "2026-05".'), label: z.string().describe('Short name drawn beside the marker.').meta({ examples: ['New onboarding programme'] }) })
      .optional()
      .describe('The intervention, marked on the chart.'),
    chart_metric: z.string().optional().describe('Metric plotted over time (default: the first of `metrics`).'),
    caveat: z.string().optional().describe('Caveat shown under the findings; a default one about observational comparisons is always shown.'),
  })
  .describe('A one-page case study of a segment: narrative, before/after comparison with intervals and tests, and a chart.');

export type CaseStudySection = z.infer<typeof caseStudySchema>;

interface Window {
  label: string;
  periods: Set<string>;
  from: string;
  to: string;
}

/** A window's periods up to the report's period: a report never looks at data after its own period. */
function windowOf(w: z.infer<typeof windowSchema>, fallback: string, ctx: SectionContext): Window {
  const upToNow = periodRange(w.from, w.to, ctx.granularity).filter((p) => p <= ctx.computed.period);
  return { label: w.label ?? fallback, from: w.from, to: w.to, periods: new Set(upToNow) };
}

function compare(pm: PreparedMetric, segment: Filter, invert: boolean, before: Window, after: Window, minSample: number) {
  const cells = aggregate(pm, { where: segment, invert });
  const b = sumPeriods(cells, before.periods);
  const a = sumPeriods(cells, after.periods);
  return { cells, before: periodValue(pm, before.to, b, minSample), after: periodValue(pm, after.to, a, minSample), change: change(pm, before.to, b, a) };
}

export function buildCaseStudy(section: CaseStudySection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  const segment = section.segment as Filter;
  // the segment in words, with its columns' labels and values' display names (matching uses `segment`)
  const first = section.metrics[0] ?? '';
  const shown = displayFilter(segment, (c) => ctx.columnLabel?.(first, c) ?? c, (c, v) => ctx.valueLabel?.(first, c, v) ?? v);
  const segmentName = Object.values(shown).map((v) => (Array.isArray(v) ? v.join(' + ') : typeof v === 'object' ? describeFilterIn(t, shown) : String(v))).join(' · ');
  const rest = t('case.rest');
  const before = windowOf(section.before, t('case.before'), ctx);
  const after = windowOf(section.after, t('case.after'), ctx);
  const windowText = (w: Window) => t('case.window', { label: w.label, from: longLabel(ctx, w.from), to: longLabel(ctx, w.to) });
  const findings: string[] = [];
  const rows: { cells: string[]; muted?: boolean }[] = [];
  const unreached = [before, after].find((w) => w.periods.size === 0);
  const dids: CaseDid[] = [];
  const checks: string[] = [];
  const outcomes = section.metrics.map((id) => {
    const pm = scoreMetric(ctx, id, ['metrics', section.metrics.indexOf(id)]);
    for (const column of Object.keys(segment)) requireColumn(pm.source, column, ctx.config, ['sections', ctx.index, 'segment', column], `case study "${section.title}"`);
    const r = result(ctx, id);
    const seg = compare(pm, segment, false, before, after, r.minSample);
    const others = compare(pm, segment, true, before, after, r.minSample);
    if (!unreached && seg.before.n === 0 && seg.after.n === 0) {
      throw new CxError('data', `case study "${section.title}": no ${r.label} responses match segment ${describeFilter(segment)} in either window`, {
        location: ctx.config.yaml.locate(['sections', ctx.index, 'segment']),
        hint: 'check the segment values against the data (matching is exact and case-sensitive) and the window periods',
      });
    }
    for (const [name, x] of [[segmentName, seg], [rest, others]] as const) {
      rows.push({
        cells: [
          x === seg ? r.label : '',
          name,
          t('case.cell', { value: fmt.value(x.before.value, r.unit), n: fmt.count(x.before.n) }),
          t('case.cell', { value: fmt.value(x.after.value, r.unit), n: fmt.count(x.after.n) }),
          fmt.delta(x.change.delta, r.unit),
          x.change.p === null ? '—' : x.change.significant ? t('common.yes', { p: fmt.p(x.change.p) }) : t('common.noP', { p: fmt.p(x.change.p) }),
        ],
        muted: x.before.lowSample || x.after.lowSample,
      });
    }
    const ci = seg.after.ci ? t('case.ci', { ci: fmt.interval(seg.after.ci, r.unit) }) : '';
    const delta = seg.change.delta ?? 0;
    const verdict = (c: typeof seg.change) => (c.p === null ? t('case.noTest') : t(c.significant ? 'case.significant' : 'case.notSignificant', { p: fmt.p(c.p) }));
    const size = delta ? fmt.delta(Math.abs(delta), r.unit).replace(/^\+/, '') : '';
    if (!unreached) findings.push(
      // a direction ("rose") only for a change its test calls significant
      t(delta === 0 ? 'case.unchanged' : seg.change.significant ? (delta > 0 ? 'case.rose' : 'case.fell') : delta > 0 ? 'case.higher' : 'case.lower', { label: r.label, size, value: fmt.value(seg.after.value, r.unit), ci, verdict: verdict(seg.change), restDelta: fmt.delta(others.change.delta, r.unit), restVerdict: verdict(others.change) }),
    );
    if (!unreached) {
      // the segment's change net of the rest's, and whether the two moved in parallel before
      const did = caseStudyDid(ctx, pm, r, { segment: seg.cells, rest: others.cells }, before, after, segmentName);
      rows.push({ cells: did.row });
      findings.push(`${did.finding}${ctx.locale === 'en' ? ' ' : ''}${did.trends}`);
      if (did.failed) checks.push(did.failed);
      dids.push(did.json);
    }
    return { id, pm, r, seg, rest: others };
  });

  const chartId = section.chart_metric ?? section.metrics[0];
  const focus = outcomes.find((o) => o.id === chartId) ?? outcomes[0];
  if (unreached) findings.push(t('case.notReached', { window: windowText(unreached), period: longLabel(ctx, ctx.computed.period) }));
  const last = ctx.computed.period;
  const span = before.from <= last ? periodRange(before.from, after.to < last ? after.to : last, ctx.granularity) : [];
  const order = span.map((p) => shortLabel(ctx, p));
  const points = ([[segmentName, focus.seg.cells], [rest, focus.rest.cells]] as const).flatMap(([name, cells]) =>
    span.map((p) => {
      const stats = cells.find((c) => c.period === p)?.stats;
      const v = stats ? periodValue(focus.pm, p, stats, focus.r.minSample) : null;
      const unit = focus.r.unit;
      const tip = `${name} · ${t('chart.tip', { label: longLabel(ctx, p), value: ctx.fmt.value(v?.value ?? null, unit), ci: v?.ci ? t('change.ci', { ci: ctx.fmt.interval(v.ci, unit) }) : '', n: ctx.fmt.count(v?.n ?? 0) })}`;
      return { series: name, label: shortLabel(ctx, p), value: v?.value ?? null, lo: v?.ci?.[0] ?? null, hi: v?.ci?.[1] ?? null, n: v?.n ?? 0, tip };
    }),
  );

  let narrative = section.narrative ?? '';
  if (section.narrative_file) {
    narrative = readUserFile(section.narrative_file, { what: `case study "${section.title}": narrative_file`, shown: displayPath(ctx.config.dir, section.narrative_file), location: ctx.config.yaml.locate(['sections', ctx.index, 'narrative_file']) }, 'utf8');
  }
  return {
    type: 'case-study',
    id: section.id ?? ctx.nextId('case-study'),
    title: section.title,
    level: 1,
    segmentName,
    windows: t('case.windows', { before: before.label, after: after.label }),
    segment: t('case.segment', { filter: describeFilterIn(t, shown), before: windowText(before), after: windowText(after) }),
    narrativeHtml: narrative ? renderMarkdown(narrative, ctx, ['sections', ctx.index, section.narrative_file ? 'narrative_file' : 'narrative']) : '',
    chart: span.length === 0 ? null : {
      id: ctx.nextId('chart-case-study'),
      title: t('case.chartTitle', { segment: segmentName, label: focus.r.label, unit: t(`unit.${ctx.granularity}`) }),
      caption: t('case.caption', { title: titleOf(ctx, focus.r), unit: t(`unit.${ctx.granularity}`), segment: segmentName }),
      alt: t('case.alt', { label: focus.r.label, segment: segmentName, from: longLabel(ctx, span[0]), to: longLabel(ctx, span[span.length - 1]), finding: findings[outcomes.indexOf(focus)] }),
      spec: caseStudySpec(points, {
        metric: focus.r.label,
        unit: focus.r.unit,
        order,
        before: [shortLabel(ctx, before.from), shortLabel(ctx, before.to)],
        after: [shortLabel(ctx, after.from), shortLabel(ctx, after.to)],
        intervention: section.intervention ? { label: shortLabel(ctx, section.intervention.period), text: section.intervention.label } : undefined,
        segmentName,
        domain: focus.pm.type.domain(focus.pm.def),
        t,
      }),
      size: 'wide',
    },
    table: {
      columns: [{ label: t('common.metric') }, { label: t('case.group') }, { label: before.label, align: 'right' }, { label: after.label, align: 'right' }, { label: t('common.change'), align: 'right' }, { label: t('common.significantQ'), align: 'center' }],
      rows,
    },
    findings,
    checks,
    did: dids.length > 0 ? { windows: { before: [...before.periods].sort(), after: [...after.periods].sort() }, metrics: dids } : undefined,
    caveat:
      (section.caveat ? `${section.caveat}${ctx.locale === 'en' ? ' ' : ''}` : '') + t('case.caveat'),
  };
}
