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

export const MESSAGES = {
  en: {
    row: 'Difference ({segment} − rest)',
    finding: 'Difference-in-differences for {label}: {segment}’s change minus the rest of the company’s is {estimate} (95% CI {ci}; {verdict}).',
    findingNoTest: 'Difference-in-differences for {label}: {segment}’s change minus the rest of the company’s is {estimate} (no interval: a window has no estimate of its error).',
    significant: 'significant, {p}',
    notSignificant: 'not significant, {p}',
    holds: 'Parallel trends: in the {k} {units} before {from}, the gap between {segment} and the rest moved {slope} per {unit} ({p}), consistent with the assumption.',
    fails: 'Parallel-trends check failed for {label}: in the {k} {units} before {from}, {segment} was already {direction} the rest of the company by {size} per {unit} ({p}; slopes {segSlope} vs {restSlope}). The difference-in-differences of {estimate} therefore also carries that earlier drift, and is not the programme’s effect alone.',
    gaining: 'gaining on',
    losing: 'losing ground to',
    unchecked: 'Parallel trends for {label} could not be checked: the before window has fewer than 3 {units} with data for both groups.',
  },
  'zh-CN': {
    row: '差异（{segment} − 其余部分）',
    finding: '{label}的双重差分：{segment}的变化减去公司其余部分的变化为 {estimate}（95% 置信区间 {ci}；{verdict}）。',
    findingNoTest: '{label}的双重差分：{segment}的变化减去公司其余部分的变化为 {estimate}（某一窗口没有误差估计，无法给出区间）。',
    significant: '显著，{p}',
    notSignificant: '不显著，{p}',
    holds: '平行趋势：在{from}之前的 {k} 个{units}内，{segment}与其余部分的差距每{unit}变化 {slope}（{p}），符合该假设。',
    fails: '{label}的平行趋势检验未通过：在{from}之前的 {k} 个{units}内，{segment}相对公司其余部分已每{unit}{direction} {size}（{p}；斜率 {segSlope} 对 {restSlope}）。因此 {estimate} 的双重差分也包含了此前的趋势差异，并不只是该项目本身的效果。',
    gaining: '追近',
    losing: '落后',
    unchecked: '无法检验{label}的平行趋势：干预前窗口中两组均有数据的{units}少于 3 个。',
  },
};

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
