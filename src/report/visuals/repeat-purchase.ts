/** The repeat purchase rate's default visual: the rate per period in its window, and the customers by number of purchases. */
import { trendSpec } from '../charts.js';
import { formatter } from '../../kernel/format.js';
import { localTranslator, translator } from '../../kernel/i18n.js';
import type { MetricResult, VisualBlock, VisualContext } from '../../metrics/module.js';
import { DISTRIBUTION_BUCKETS } from '../../metrics/repeat-purchase/compute.js';
import { MESSAGES } from '../../metrics/repeat-purchase/messages.js';
import type { PreparedRepeat } from '../../metrics/repeat-purchase/prepare.js';
import { dayIn } from '../../metrics/repeat-purchase/windows.js';

export function visual(result: MetricResult, prepared: PreparedRepeat, ctx: VisualContext): VisualBlock[] {
  const { granularity, def } = prepared;
  const locale = ctx.locale ?? 'en';
  const t = localTranslator(MESSAGES, locale);
  const fmt = formatter(locale);
  const extra = result.extra as { windowStart: string; windowEnd: string; customers: number; repeatCustomers: number; purchaseDistribution: { purchases: string; customers: number; percent: number | null }[] };
  const short = (key: string) => ctx.periodLabel(key, 'short');
  const points = result.series.slice(-12).map((p) => ({ label: short(p.period), value: p.value, lo: p.ci?.[0] ?? null, hi: p.ci?.[1] ?? null, n: p.n, lowSample: p.lowSample }));
  const windowText = t('window', { days: def.window_days, end: dayIn(locale, extra.windowEnd) });
  const change =
    result.delta === null || result.previous === null
      ? ''
      : // a direction only where the test supports one
        t(result.delta === 0 ? 'change.unchanged' : !result.significant ? 'change.noise' : result.delta > 0 ? 'change.up' : 'change.down', {
          size: fmt.delta(Math.abs(result.delta), 'percent').replace(/^\+/, ''),
          previous: ctx.periodLabel(result.previous.period),
          verdict: result.significant ? t('significant', { p: fmt.p(result.p) }) : t('notSignificant'),
        });
  const title = result.value === null ? t('title.noData', { label: result.label, window: windowText }) : t('title.value', { value: fmt.value(result.value, 'percent'), window: windowText, change });
  const blocks: VisualBlock[] = [];
  if (points.some((p) => p.value !== null)) {
    blocks.push({
      kind: 'chart',
      chart: {
        id: ctx.nextId(`chart-${prepared.id}`),
        title,
        caption: t('caption', { title: result.title, unit: translator(locale)(`unit.${granularity}`), days: def.window_days, n: fmt.count(result.n), source: ctx.sourceLabel?.(def.source) ?? def.source }),
        alt: t('alt', {
          days: def.window_days,
          items: points
            .filter((p) => p.value !== null)
            .map((p) => t('altItem', { period: p.label, value: fmt.value(p.value, 'percent'), n: fmt.count(p.n) }))
            .join(t('altSep')),
        }),
        spec: trendSpec(points, { metric: result.label, unit: 'percent', target: result.target, domain: [0, 100], t: translator(locale) }),
        size: 'wide',
      },
    });
  } else {
    blocks.push({ kind: 'text', paragraphs: [t('sentence', { text: title })] });
  }
  blocks.push({
    kind: 'table',
    table: {
      caption: t('table.caption', { from: dayIn(locale, extra.windowStart), to: dayIn(locale, extra.windowEnd) }),
      columns: [{ label: t(def.purchases === 'days' ? 'table.purchaseDays' : 'table.purchases') }, { label: t('table.customers'), align: 'right' }, { label: t('table.share'), align: 'right' }],
      rows: extra.purchaseDistribution.map((d, i) => {
        const bucket = DISTRIBUTION_BUCKETS[i];
        const label = bucket && bucket.label === d.purchases && bucket.max === Infinity ? t('table.orMore', { min: bucket.min }) : d.purchases;
        return { cells: [label, fmt.count(d.customers), d.percent === null ? '—' : fmt.value(d.percent, 'percent')] };
      }),
      footnote: t('table.footnote', { repeat: fmt.count(extra.repeatCustomers), customers: fmt.count(extra.customers) }),
    },
  });
  return blocks;
}
