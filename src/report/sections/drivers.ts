/**
 * Key drivers: which questions go together with a high or low answer to a score metric (NPS,
 * CSAT, CES, reviews), over the periods pooled up to the report period. The numbers come from
 * the metric layer (metrics/drivers/: LMG shares of R² with bootstrap intervals, Johnson's
 * relative weights, r), which also writes them to metrics.json under the metric as `drivers`;
 * this section shows them: one sentence per top driver, an importance/performance chart and a
 * table.
 */
import { z } from 'zod';
import { CxError } from '../../kernel/errors.js';
import { computeDrivers, MAX_DRIVERS, type DriverItem } from '../../metrics/drivers/index.js';
import { driversSpec, type DriverPoint } from '../charts.js';
import { longLabel, result, titleOf, type SectionContext } from '../context.js';
import { d3FormatFor, localTranslator } from '../../kernel/i18n.js';
import type { SectionModel } from '../model.js';
import type { VisualBlock } from '../../metrics/module.js';
import { sectionFields } from './common.js';
import { scoreMetric } from './score-only.js';
import { MESSAGES } from './drivers.messages.js';


export const driversSchema = z
  .strictObject({
    type: z.literal('drivers'),
    ...sectionFields,
    metric: z.string().describe('The score metric (nps, csat, ces or reviews) whose individual answers the drivers explain; its source, date, filter and score are used.').meta({ examples: ['nps'] }),
    drivers: z
      .array(z.string())
      .min(2, 'at least 2 drivers: relative importance compares drivers with each other')
      .max(MAX_DRIVERS, `at most ${MAX_DRIVERS} drivers: the exact decomposition evaluates all 2^p subsets (4,096 at 12); group related questions or split the analysis`)
      .refine((d) => new Set(d).size === d.length, { message: 'each driver may be listed once' })
      .describe('Columns of the metric’s source that may explain the score: numbers (e.g. 1–5 or 0–10 ratings), or ordinal text mapped to 1…k with `levels:` under the source’s `columns:`. 2 to 12.')
      .meta({ examples: [['onboarding', 'support', 'reliability', 'value', 'ease']] }),
    periods: z.number().int().min(1).max(240).default(12).describe('Periods pooled, ending with the report period (granularity all: all data).'),
    resamples: z.number().int().min(100).max(10000).default(500).describe('Bootstrap resamples of the answers for the 95% intervals of the shares.'),
    seed: z.number().int().min(0).default(1).describe('Seed of the bootstrap’s random number generator (the same data and seed give the same intervals).'),
    top: z.number().int().min(1).max(MAX_DRIVERS).default(3).describe('Number of drivers, largest share first, described in a sentence.'),
  })
  .describe('Key drivers of a score metric: each driver’s share of the explained variation (LMG, Shapley decomposition of R²) with bootstrap intervals, Johnson’s relative weights and r, an importance/performance chart and a sentence per top driver.');

export type DriversSection = z.infer<typeof driversSchema>;

export function buildDrivers(section: DriversSection, ctx: SectionContext): SectionModel {
  const r = result(ctx, section.metric);
  const pm = scoreMetric(ctx, section.metric, ['metric']);
  const problem = pm.driverProblems?.get(ctx.index);
  if (problem) throw problem;
  const pd = pm.drivers;
  if (!pd || !pd.sections.includes(ctx.index)) throw new Error(`drivers of metric ${section.metric} were not prepared for section ${ctx.index + 1}`);
  const tl = localTranslator(MESSAGES, ctx.locale);
  const format = d3FormatFor(ctx.locale);
  const pct0 = (v: number) => `${format('.0f')(v)}%`;
  const pct1 = (v: number) => `${format('.1f')(v)}%`;
  const num0 = format('.0f');
  const num1 = format('.1f');
  const num2 = (v: number) => format('.2f')(v).replace(/^-/, '−');
  const { result: d, problem: failure } = computeDrivers(pd, ctx.computed.period, { granularity: ctx.granularity, minSample: r.minSample, locale: ctx.locale, label: r.label });
  if (failure) throw new CxError('data', failure.message, { location: ctx.config.yaml.locate(failure.path), hint: failure.hint });
  const label = (column: string) => ctx.columnLabel?.(section.metric, column) ?? column;
  const list = (names: string[]) => (names.length === 2 ? tl('list2', { a: names[0], b: names[1] }) : names.join(tl('listSep')));
  const scope = ctx.granularity === 'all' ? tl('scopeAll') : tl('scope', { from: longLabel(ctx, d.periods.from), to: longLabel(ctx, d.periods.to) });
  const p = d.items.length;
  const r2 = d.r2 ?? 0;

  // performance on a common axis: the mean itself when the drivers share a scale (each spans at
  // least three quarters of their joint range: answers rarely reach every end), else % of its own scale
  const joint: [number, number] = [Math.min(...d.items.map((i) => i.scale[0])), Math.max(...d.items.map((i) => i.scale[1]))];
  const sameScale = d.items.every((i) => i.scale[1] - i.scale[0] >= 0.75 * (joint[1] - joint[0]));
  const performance = (i: DriverItem) => (sameScale ? i.mean : i.scale[1] > i.scale[0] ? (100 * (i.mean - i.scale[0])) / (i.scale[1] - i.scale[0]) : 50);
  const xMid = d.items.reduce((s, i) => s + performance(i), 0) / p;
  const yMid = 100 / p;
  const quadrant = (i: DriverItem): DriverPoint['quadrant'] => (i.share >= yMid ? (performance(i) < xMid ? 'concentrate' : 'keep') : performance(i) < xMid ? 'low' : 'overkill');
  const concentrate = d.items.filter((i) => quadrant(i) === 'concentrate').map((i) => label(i.column));

  const paragraphs: string[] = [];
  // a sentence starts with a capital, also when the driver is a column name such as "onboarding"
  const initial = (text: string) => (ctx.locale === 'en' ? text.charAt(0).toUpperCase() + text.slice(1) : text);
  for (const item of d.items.slice(0, section.top)) {
    paragraphs.push(
      item.ci
        ? tl('sentence', { driver: initial(label(item.column)), share: pct0(item.share), lo: num0(item.ci[0]), hi: pct0(item.ci[1]), label: r.label })
        : tl('sentenceNoCi', { driver: initial(label(item.column)), share: pct0(item.share), label: r.label }),
    );
  }
  const [first, second] = d.items;
  if (first?.ci && second?.ci && second.ci[1] >= first.ci[0]) paragraphs.push(tl('overlap', { a: label(first.column), b: label(second.column) }));
  if (concentrate.length) paragraphs.push(tl(concentrate.length === 1 ? 'concentrateOne' : 'concentrateMany', { drivers: list(concentrate) }));
  const notes: string[] = [];
  if (d.incomplete > 0) notes.push(tl('incomplete', { count: ctx.fmt.count(d.incomplete) }));
  notes.push(tl('caution', { label: r.label }));

  const chartTitle = () => {
    const top = initial(label(first.column));
    const others = concentrate.filter((c) => c !== label(first.column));
    if (quadrant(first) === 'concentrate' && others.length === 0) return tl('chartTitleTop', { driver: top, label: r.label });
    if (others.length) return tl('chartTitle', { driver: top, label: r.label, drivers: list(concentrate) });
    return tl('chartTitleNone', { driver: top, label: r.label });
  };
  const points: DriverPoint[] = d.items.map((i) => ({ label: label(i.column), x: performance(i), share: i.share, lo: i.ci?.[0] ?? null, hi: i.ci?.[1] ?? null, quadrant: quadrant(i) }));
  const sourceKey = String((ctx.config.metrics[section.metric] as { source?: unknown }).source);
  const source = ctx.sourceLabel?.(sourceKey) ?? sourceKey;
  // the first sentence leads into the chart (and stays on its page); the per-driver sentences follow it
  const blocks: VisualBlock[] = [
    { kind: 'text', paragraphs: paragraphs.slice(0, 1) },
    {
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-drivers-${section.metric}`),
        title: chartTitle(),
        caption: tl('caption', { label: r.label, normalised: sameScale ? '' : tl('normalised'), count: p, n: ctx.fmt.count(d.n), scope, source }),
        alt: tl('alt', { count: p, label: r.label, items: d.items.map((i) => tl('altItem', { driver: label(i.column), share: pct0(i.share), mean: sameScale ? num2(i.mean) : pct0(performance(i)) })).join(tl('listSep')) }),
        spec: driversSpec(points, {
          xTitle: sameScale ? tl('axisMean') : tl('axisMeanPct'),
          yTitle: tl('axisShare'),
          xMid,
          yMid,
          quadrants: { concentrate: tl('qConcentrate'), keep: tl('qKeep'), low: tl('qLow'), overkill: tl('qOverkill') },
          xFormat: sameScale ? '.1f' : '.0f',
        }),
        size: 'wide',
      },
    },
    ...(paragraphs.length > 1 ? [{ kind: 'text' as const, paragraphs: paragraphs.slice(1) }] : []),
    {
      kind: 'table',
      table: {
        columns: [
          { label: tl('colDriver') },
          { label: tl('colShare'), align: 'right' },
          { label: tl('colCi'), align: 'right' },
          { label: tl('colWeight'), align: 'right' },
          { label: tl('colR'), align: 'right' },
          { label: tl('colMean'), align: 'right' },
        ],
        rows: d.items.map((i) => ({
          cells: [label(i.column), pct1(i.share), i.ci ? `${num1(i.ci[0])}–${pct1(i.ci[1])}` : '—', pct1(r2 > 0 ? (100 * i.weight) / r2 : 0), num2(i.r), num2(i.mean)],
        })),
        footnote: tl('footnote', {
          count: p,
          r2: num2(r2),
          resamples: ctx.fmt.count(d.bootstrap.resamples),
          seed: d.bootstrap.seed,
          label: r.label,
          scales: sameScale ? `${num0(joint[0])}–${num0(joint[1])}` : [...new Set(d.items.map((i) => `${num0(i.scale[0])}–${num0(i.scale[1])}`))].join(tl('listSep')),
        }),
      },
    },
    { kind: 'text', paragraphs: notes },
  ];
  return {
    type: 'metric',
    id: section.id ?? ctx.nextId(`drivers-${section.metric}`),
    title: section.title ?? tl('title', { label: r.label }),
    level: 2,
    headline: tl('headline', { count: p, r2: pct1(100 * r2), label: r.label, n: ctx.fmt.count(d.n), scope }),
    sentence: '',
    blocks,
    method: `${titleOf(ctx, r)}: ${d.method}`,
  };
}
