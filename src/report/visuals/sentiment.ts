/** The default visual of the sentiment metric: shares per period, the themes, sentiment by group. */
import { formatter } from '../../kernel/format.js';
import { localTranslator } from '../../kernel/i18n.js';
import { palette, toneColour } from '../../kernel/theme.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import type { shares } from '../../metrics/sentiment/compute.js';
import { MESSAGES } from '../../metrics/sentiment/messages.js';
import type { PreparedSentiment } from '../../metrics/sentiment/prepare.js';
import type { Theme } from '../../metrics/sentiment/themes.js';
import { scorerLabel } from '../../metrics/text/method.js';
import { textBlocks, type TextExtra } from './text.js';

export function visualSentiment(r: MetricResult, ps: PreparedSentiment, ctx: VisualContext): VisualBlock[] {
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const x = r.extra as { shares: ReturnType<typeof shares>; shareSeries: { period: string; n: number; positive: number | null; neutral: number | null; negative: number | null }[]; groups: ({ group: string; n: number; net: number | null } & ReturnType<typeof shares>)[] | null; themes: Theme[] };
  const periodName = ctx.periodLabel(ctx.period);
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const recent = x.shareSeries.slice(-12).filter((s) => s.n > 0);
  const order = recent.map((s) => short(s.period));
  const tones = [
    { key: 'positive', label: t('positive'), colour: toneColour.good },
    { key: 'neutral', label: t('neutral'), colour: palette.muted },
    { key: 'negative', label: t('negative'), colour: toneColour.bad },
  ] as const;
  const values = recent.flatMap((s) => tones.map((tone, i) => ({ label: short(s.period), tone: tone.label, order: i, share: s[tone.key] ?? 0, n: s.n })));
  const pct = (v: number | null) => fmt.value(v, 'percent');
  const blocks: VisualBlock[] = [];
  if (r.n > 0) {
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId('chart-sentiment'),
        title: t('chart.title', { value: fmt.value(r.value, 'points'), period: periodName, positive: pct(x.shares.positive.share), neutral: pct(x.shares.neutral.share), negative: pct(x.shares.negative.share) }),
        caption: t('chart.caption', { scorer: scorerLabel(ps.def, t), negative: ps.def.thresholds.negative, positive: ps.def.thresholds.positive, n: fmt.count(r.n), period: periodName, source: ctx.sourceLabel?.(ps.def.source) ?? ps.def.source }),
        alt: t('chart.alt', { items: recent.map((s) => t('chart.altItem', { period: short(s.period), positive: pct(s.positive), negative: pct(s.negative), n: s.n })).join(t('chart.altSep')) }),
        spec: {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          width: 600,
          height: 200,
          data: { values },
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'label', type: 'ordinal', sort: order, title: null, axis: { labelAngle: 0, labelOverlap: true } },
            y: { field: 'share', type: 'quantitative', stack: 'zero', title: t('chart.axis'), scale: { domain: [0, 100] }, axis: { format: '.0f' } },
            color: { field: 'tone', type: 'nominal', scale: { domain: tones.map((tone) => tone.label), range: tones.map((tone) => tone.colour) }, legend: { orient: 'top', title: null, symbolType: 'square' } },
            order: { field: 'order', type: 'quantitative' },
            tooltip: [{ field: 'label' }, { field: 'tone' }, { field: 'share', format: '.1f' }, { field: 'n' }],
          },
        } as any,
        size: 'wide',
      },
    });
  }
  blocks.push(...textBlocks(x as unknown as TextExtra, ps.def, ctx, t, r.n));
  if (x.groups && x.groups.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        caption: t('groups.caption', { column: ctx.columnLabel?.(ps.def.group!) ?? ps.def.group!, period: periodName }),
        columns: [
          { label: ctx.columnLabel?.(ps.def.group!) ?? ps.def.group! },
          { label: t('themes.comments'), align: 'right' },
          { label: t('positive'), align: 'right' },
          { label: t('neutral'), align: 'right' },
          { label: t('negative'), align: 'right' },
          { label: t('themes.net'), align: 'right' },
        ],
        rows: x.groups
          .slice(0, 25)
          .map((g) => ({ cells: [ctx.valueLabel?.(ps.def.group!, g.group) ?? g.group, fmt.count(g.n), pct(g.positive.share), pct(g.neutral.share), pct(g.negative.share), fmt.value(g.net, 'points')], muted: g.n < r.minSample, note: g.n < r.minSample ? t('groups.low', { min: r.minSample }) : undefined })),
        footnote: x.groups.length > 25 ? t('groups.footnote', { count: x.groups.length - 25 }) : undefined,
      },
    });
  }
  if (r.n === 0) blocks.push({ kind: 'text', paragraphs: [t('noComments', { period: periodName })] });
  return blocks;
}
