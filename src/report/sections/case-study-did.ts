/**
 * The case study's difference-in-differences (metrics/did.ts) for one metric: the table row, the
 * finding, the parallel-trends check (said in the narrative box when it fails) and the numbers
 * for metrics.json.
 */
import { differenceInDifferences, parallelTrends, type DidResult, type ParallelTrends, type WindowEstimate } from '../../metrics/did.js';
import type { PreparedMetric } from '../../metrics/prepare.js';
import { periodValue, sumPeriods } from '../../metrics/results.js';
import type { MetricResult } from '../../metrics/results.js';
import type { Stats } from '../../kernel/types.js';
import { longLabel, type SectionContext } from '../context.js';
import { localTranslator } from '../../kernel/i18n.js';
import { MESSAGES } from './case-study-did.messages.js';

export interface CaseDid {
  metric: string;
  segment: { before: WindowEstimate; after: WindowEstimate };
  rest: { before: WindowEstimate; after: WindowEstimate };
  did: DidResult;
  parallelTrends: ParallelTrends | null;
}

interface Window {
  periods: Set<string>;
}

function estimate(pm: PreparedMetric, stats: Stats): WindowEstimate {
  const e = pm.type.finalise(stats, pm.def);
  // a type without a standard error has no test (never one guessed from an interval of another shape)
  return { value: e.value, se: e.se !== undefined && e.se !== null && Number.isFinite(e.se) ? e.se : null, n: e.n };
}

/** The DiD of one case-study metric from the segment's and the rest's cells. */
export function caseStudyDid(
  ctx: SectionContext,
  pm: PreparedMetric,
  r: MetricResult,
  cells: { segment: { period: string; stats: Stats }[]; rest: { period: string; stats: Stats }[] },
  before: Window,
  after: { periods: Set<string>; from: string },
  segmentName: string,
): { json: CaseDid; row: string[]; finding: string; trends: string; failed: string | null } {
  const t = localTranslator(MESSAGES, ctx.locale);
  const { fmt } = ctx;
  const seg = { before: estimate(pm, sumPeriods(cells.segment, before.periods)), after: estimate(pm, sumPeriods(cells.segment, after.periods)) };
  const rest = { before: estimate(pm, sumPeriods(cells.rest, before.periods)), after: estimate(pm, sumPeriods(cells.rest, after.periods)) };
  const did = differenceInDifferences(seg.before, seg.after, rest.before, rest.after);
  const periods = [...before.periods].sort();
  const valueIn = (list: { period: string; stats: Stats }[], p: string) => {
    const stats = list.find((c) => c.period === p)?.stats;
    return stats ? periodValue(pm, p, stats, r.minSample).value : null;
  };
  const trends = parallelTrends(periods.map((p) => valueIn(cells.segment, p)), periods.map((p) => valueIn(cells.rest, p)));
  const estimateText = fmt.delta(did.estimate, r.unit);
  const verdict = did.p === null ? '' : t(did.significant ? 'significant' : 'notSignificant', { p: fmt.p(did.p) });
  const finding = did.ci ? t('finding', { label: r.label, segment: segmentName, estimate: estimateText, ci: fmt.interval(did.ci, r.unit), verdict }) : t('findingNoTest', { label: r.label, segment: segmentName, estimate: estimateText });
  const unit = ctx.t(`unit.${ctx.granularity}`);
  const units = ctx.t(`units.${ctx.granularity}`);
  // the window the trends are checked in ends where the after window starts
  const from = longLabel(ctx, after.from);
  let trendsText: string;
  let failed: string | null = null;
  if (!trends) trendsText = t('unchecked', { label: r.label, units });
  else {
    const vars = { label: r.label, segment: segmentName, slope: fmt.delta(trends.slopeGap, r.unit), unit, units, k: trends.periods, p: fmt.p(trends.p), from, estimate: estimateText };
    if (trends.holds) trendsText = t('holds', vars);
    else {
      failed = t('fails', { ...vars, direction: t(trends.slopeGap > 0 ? 'gaining' : 'losing'), size: fmt.delta(Math.abs(trends.slopeGap), r.unit).replace(/^\+/, ''), segSlope: fmt.delta(trends.slopeSegment, r.unit), restSlope: fmt.delta(trends.slopeRest, r.unit) });
      trendsText = failed;
    }
  }
  const row = [
    '',
    t('row', { segment: segmentName }),
    '',
    '',
    estimateText,
    did.p === null ? '—' : did.significant ? ctx.t('common.yes', { p: fmt.p(did.p) }) : ctx.t('common.noP', { p: fmt.p(did.p) }),
  ];
  return { json: { metric: r.id, segment: seg, rest, did, parallelTrends: trends }, row, finding, trends: trendsText, failed };
}
