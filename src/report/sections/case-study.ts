/**
 * Case study: one segment's before/after comparison over named periods, against the rest of the
 * company over the same windows, with the analyst's narrative kept apart from computed findings.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { CxError } from '../../errors.js';
import { describeFilter, filterSchema, type Filter } from '../../metrics/filter.js';
import { periodRange } from '../../metrics/period.js';
import { aggregate, requireColumn, type PreparedMetric } from '../../metrics/prepare.js';
import { change, periodValue, sumPeriods } from '../../metrics/results.js';
import { caseStudySpec } from '../charts.js';
import { longLabel, result, shortLabel, type SectionContext } from '../context.js';
import { formatCount, formatDelta, formatP, formatValue, formatInterval } from '../format.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { renderMarkdown } from './markdown.js';
import { scoreMetric } from './score-only.js';

const windowSchema = z.strictObject({
  label: z.string().optional().describe('Name of the window, e.g. "Before the programme".'),
  from: z.string().describe('First period of the window, e.g. "2025-11".'),
  to: z.string().describe('Last period of the window, e.g. "2026-04".'),
});

export const caseStudySchema = z
  .strictObject({
    type: z.literal('case-study'),
    ...sectionFields,
    title: z.string().describe('Case study title.'),
    segment: filterSchema.describe('The segment studied, e.g. { region: EMEA }.'),
    metrics: z.array(z.string()).min(1).describe('Metrics compared before and after.'),
    before: windowSchema.describe('The window before the change.'),
    after: windowSchema.describe('The window after the change.'),
    narrative: z.string().optional().describe('The analyst’s narrative (Markdown): situation, what was done.'),
    narrative_file: z.string().optional().describe('Markdown file with the narrative, relative to the config.'),
    intervention: z.strictObject({ period: z.string(), label: z.string() }).optional().describe('The intervention, marked on the chart.'),
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

function windowOf(w: z.infer<typeof windowSchema>, fallback: string, ctx: SectionContext): Window {
  return { label: w.label ?? fallback, from: w.from, to: w.to, periods: new Set(periodRange(w.from, w.to, ctx.granularity)) };
}

function compare(pm: PreparedMetric, segment: Filter, invert: boolean, before: Window, after: Window, minSample: number) {
  const cells = aggregate(pm, { where: segment, invert });
  const b = sumPeriods(cells, before.periods);
  const a = sumPeriods(cells, after.periods);
  return { cells, before: periodValue(pm, before.to, b, minSample), after: periodValue(pm, after.to, a, minSample), change: change(pm, before.to, b, a) };
}

export function buildCaseStudy(section: CaseStudySection, ctx: SectionContext): SectionModel {
  const segment = section.segment as Filter;
  const segmentName = Object.values(segment).map((v) => (Array.isArray(v) ? v.join(' + ') : typeof v === 'object' ? describeFilter(segment) : String(v))).join(' · ');
  const before = windowOf(section.before, 'Before', ctx);
  const after = windowOf(section.after, 'After', ctx);
  const windowText = (w: Window) => `${w.label} (${longLabel(ctx, w.from)} – ${longLabel(ctx, w.to)})`;
  const findings: string[] = [];
  const rows: { cells: string[]; muted?: boolean }[] = [];
  const outcomes = section.metrics.map((id) => {
    const pm = scoreMetric(ctx, id, ['metrics', section.metrics.indexOf(id)]);
    for (const column of Object.keys(segment)) requireColumn(pm.source, column, ctx.config, ['sections', ctx.index, 'segment', column], `case study "${section.title}"`);
    const r = result(ctx, id);
    const seg = compare(pm, segment, false, before, after, r.minSample);
    const rest = compare(pm, segment, true, before, after, r.minSample);
    if (seg.before.n === 0 && seg.after.n === 0) {
      throw new CxError('data', `case study "${section.title}": no ${r.label} responses match segment ${describeFilter(segment)} in either window`, {
        location: ctx.config.yaml.locate(['sections', ctx.index, 'segment']),
        hint: 'check the segment values against the data (matching is exact and case-sensitive) and the window periods',
      });
    }
    for (const [name, x] of [[segmentName, seg], ['Rest of company', rest]] as const) {
      rows.push({
        cells: [name === segmentName ? r.label : '', name, `${formatValue(x.before.value, r.unit)} (n = ${formatCount(x.before.n)})`, `${formatValue(x.after.value, r.unit)} (n = ${formatCount(x.after.n)})`, formatDelta(x.change.delta, r.unit), x.change.p === null ? '—' : x.change.significant ? `yes (${formatP(x.change.p)})` : `no (${formatP(x.change.p)})`],
        muted: x.before.lowSample || x.after.lowSample,
      });
    }
    const ci = seg.after.ci ? ` (95% CI ${formatInterval(seg.after.ci, r.unit)})` : '';
    const verb = (seg.change.delta ?? 0) > 0 ? 'rose' : (seg.change.delta ?? 0) < 0 ? 'fell' : 'was unchanged';
    const verdict = (c: typeof seg.change) => (c.p === null ? 'no test possible' : `${c.significant ? 'significant' : 'not significant'}, ${formatP(c.p)}`);
    const size = seg.change.delta ? ` ${formatDelta(Math.abs(seg.change.delta), r.unit).replace(/^\+/, '')}` : '';
    findings.push(
      `${r.label} ${verb}${size} to ${formatValue(seg.after.value, r.unit)}${ci} (${verdict(seg.change)}); the rest of the company moved ${formatDelta(rest.change.delta, r.unit)} (${verdict(rest.change)}).`,
    );
    return { id, pm, r, seg, rest };
  });

  const chartId = section.chart_metric ?? section.metrics[0];
  const focus = outcomes.find((o) => o.id === chartId) ?? outcomes[0];
  const last = ctx.computed.period;
  const span = periodRange(before.from, after.to < last ? after.to : last, ctx.granularity);
  const order = span.map((p) => shortLabel(ctx, p));
  const points = ([[segmentName, focus.seg.cells], ['Rest of company', focus.rest.cells]] as const).flatMap(([name, cells]) =>
    span.map((p) => {
      const stats = cells.find((c) => c.period === p)?.stats;
      const v = stats ? periodValue(focus.pm, p, stats, focus.r.minSample) : null;
      return { series: name, label: shortLabel(ctx, p), value: v?.value ?? null, lo: v?.ci?.[0] ?? null, hi: v?.ci?.[1] ?? null, n: v?.n ?? 0 };
    }),
  );

  let narrative = section.narrative ?? '';
  if (section.narrative_file) {
    try {
      narrative = readFileSync(section.narrative_file, 'utf8');
    } catch {
      throw new CxError('config', `case study "${section.title}": narrative file not found: ${section.narrative_file}`, { location: ctx.config.yaml.locate(['sections', ctx.index, 'narrative_file']), hint: 'paths are relative to the config file' });
    }
  }
  return {
    type: 'case-study',
    id: section.id ?? ctx.nextId('case-study'),
    title: section.title,
    level: 1,
    segmentName,
    windows: `${before.label} vs ${after.label}`,
    segment: `Segment: ${describeFilter(segment)}. ${windowText(before)} vs ${windowText(after)}; comparison group: all other responses.`,
    narrativeHtml: narrative ? renderMarkdown(narrative, ctx, ['sections', ctx.index, section.narrative_file ? 'narrative_file' : 'narrative']) : '',
    chart: {
      id: ctx.nextId('chart-case-study'),
      title: `${segmentName} vs the rest of the company: ${focus.r.label} per ${ctx.granularity}`,
      caption: `${focus.r.title} per ${ctx.granularity} for ${segmentName} (with 95% band) and for all other responses; shaded: the before and after windows. Before/after changes are tested on the pooled windows as independent samples (tests in the methods appendix).`,
      alt: `Line chart of ${focus.r.label} for ${segmentName} and the rest of the company from ${longLabel(ctx, span[0])} to ${longLabel(ctx, span[span.length - 1])}. ${findings[outcomes.indexOf(focus)]}`,
      spec: caseStudySpec(points, {
        metric: focus.r.label,
        unit: focus.r.unit,
        order,
        before: [shortLabel(ctx, before.from), shortLabel(ctx, before.to)],
        after: [shortLabel(ctx, after.from), shortLabel(ctx, after.to)],
        intervention: section.intervention ? { label: shortLabel(ctx, section.intervention.period), text: section.intervention.label } : undefined,
        segmentName,
        domain: focus.pm.type.domain(focus.pm.def),
      }),
      size: 'wide',
    },
    table: {
      columns: [{ label: 'Metric' }, { label: 'Group' }, { label: before.label, align: 'right' }, { label: after.label, align: 'right' }, { label: 'Change', align: 'right' }, { label: 'Significant?', align: 'center' }],
      rows,
    },
    findings,
    caveat:
      (section.caveat ? `${section.caveat} ` : '') +
      'This is an observational before/after comparison: other changes in the same windows can contribute, and the comparison group shows how much the rest of the company moved over the same time.',
  };
}
