/**
 * The text-insight blocks of a `sentiment` metric section (themes, emerging themes, what one group
 * says that the other does not). Every comment and phrase stays plain text in the model: the
 * templates escape it. (A visual: it moves to src/report/visuals/ with the sentiment visual that
 * draws it.)
 */
import { formatter } from '../../kernel/format.js';
import type { Vars } from '../../kernel/i18n.js';
import type { VisualBlock, VisualContext } from '../../metrics/module.js';
import type { TextInsights } from '../../metrics/text/insights.js';

type T = (key: any, vars?: Vars) => string;

/** What visual reads of the metric's `extra`. */
export type TextExtra = TextInsights & { shares: unknown };

const QUOTES_SHOWN = 2;

/** An adjusted p-value in a table cell: three decimals, "< 0.001" below. */
const pValue = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));

/** The themes table, the emerging themes (table or a sentence) and the contrast tables. */
export function textBlocks(x: TextExtra, def: { themes: { min_count: number; top: number } }, ctx: VisualContext, t: T, n: number): VisualBlock[] {
  const fmt = formatter(ctx.locale ?? 'en');
  const period = ctx.periodLabel(ctx.period);
  const blocks: VisualBlock[] = [];
  const quoteList = (examples: { text: string }[], k: number) => examples.slice(0, k).map((e) => t('text.quote', { text: e.text })).join(t('text.quoteSep'));
  const previous = x.emerging ? ctx.periodLabel(x.emerging.previousPeriod) : '';
  if (x.themes.length > 0) {
    blocks.push({
      kind: 'table',
      table: {
        caption: t('text.themes.caption', { period }),
        columns: [
          { label: t('text.themes.theme') },
          { label: t('text.themes.comments'), align: 'right' },
          { label: t('text.themes.share'), align: 'right' },
          { label: t('text.themes.net'), align: 'right' },
          { label: t('text.themes.quotes') },
        ],
        rows: x.themes.map((theme) => ({
          cells: [theme.theme, fmt.count(theme.mentions), fmt.value(theme.share, 'percent'), fmt.value(theme.net, 'points'), quoteList(theme.examples, QUOTES_SHOWN)],
          note: theme.emerging ? t('text.themes.emerging') : undefined,
        })),
        footnote: t('text.themes.footnote', { min: def.themes.min_count, n: fmt.count(n), period, previous: previous || '—' }),
      },
    });
  }
  const e = x.emerging;
  if (e && def.themes.top > 0 && e.nCurrent > 0) {
    if (e.nPrevious === 0) blocks.push({ kind: 'text', paragraphs: [t('text.emerging.noPrevious', { previous })] });
    else if (e.items.length === 0) blocks.push({ kind: 'text', paragraphs: [t('text.emerging.none', { previous, tested: e.tested })] });
    else
      blocks.push({
        kind: 'table',
        table: {
          caption: t('text.emerging.caption', { previous }),
          columns: [
            { label: t('text.themes.theme') },
            { label: t('text.emerging.previous', { period: ctx.periodLabel(e.previousPeriod, 'short') }), align: 'right' },
            { label: t('text.emerging.previous', { period: ctx.periodLabel(ctx.period, 'short') }), align: 'right' },
            { label: t('text.emerging.change'), align: 'right' },
            { label: t('text.emerging.p'), align: 'right' },
            { label: t('text.emerging.example') },
          ],
          rows: e.items.map((item) => ({
            cells: [item.theme, fmt.value(item.previous.share, 'percent'), fmt.value(item.current.share, 'percent'), fmt.value(item.delta, 'points'), pValue(item.pAdjusted), quoteList(item.examples, 1)],
          })),
          footnote: t('text.emerging.footnote', { tested: e.tested, min: def.themes.min_count, nPrevious: fmt.count(e.nPrevious), nCurrent: fmt.count(e.nCurrent), previous, period }),
        },
      });
  }
  const c = x.contrast;
  if (c && c.comments.all > 0) {
    const span = c.periods.length > 1 ? t('text.contrast.span', { from: ctx.periodLabel(c.periods[0]), to: period }) : period;
    const sides = [
      { list: c.a, a: c.labels.a, b: c.labels.b },
      { list: c.b, a: c.labels.b, b: c.labels.a },
    ];
    for (const side of sides) {
      if (side.list.length === 0) {
        blocks.push({ kind: 'text', paragraphs: [t('text.contrast.none', { a: side.a, b: side.b, zMin: fmt.number(c.zMin, 'score'), period: span })] });
        continue;
      }
      const own = side.list === c.a ? 'a' : 'b';
      blocks.push({
        kind: 'table',
        table: {
          caption: t('text.contrast.caption', { a: side.a, b: side.b, period: span }),
          columns: [{ label: t('text.contrast.phrase') }, { label: c.labels.a, align: 'right' }, { label: c.labels.b, align: 'right' }, { label: t('text.contrast.z'), align: 'right' }, { label: t('text.contrast.example', { group: side.a }) }],
          rows: side.list.map((p) => ({ cells: [p.theme, fmt.count(p.a), fmt.count(p.b), fmt.number(own === 'a' ? p.z : -p.z, 'score'), p.example ? t('text.quote', { text: p.example }) : ''] })),
          footnote: side === sides[sides.length - 1] || sides[1].list.length === 0 ? t('text.contrast.footnote', { a: c.labels.a, b: c.labels.b, na: fmt.count(c.comments.a), nb: fmt.count(c.comments.b), n: fmt.count(c.comments.all), zMin: fmt.number(c.zMin, 'score'), period: span }) : undefined,
        },
      });
    }
  }
  return blocks;
}
