/**
 * The text-insight blocks of a `sentiment` metric section (themes, emerging themes, what one group
 * says that the other does not) and the scorer's wording in the methods text. Every comment and
 * phrase stays plain text in the model: the templates escape it.
 */
import { formatter } from '../../kernel/format.js';
import type { Vars } from '../../kernel/i18n.js';
import type { VisualBlock, VisualContext } from '../module.js';
import type { TextInsights } from './insights.js';
import type { ScoringDef } from './scoring.js';
import { UCI_ACCURACY } from './scorers.js';
import { WINK_VERSIONS } from './nlp.js';

/** Message keys added to the sentiment module's catalogue (spread at its end). */
export const TEXT_MESSAGES = {
  en: {
    'scoring.afinn':
      'Each comment is scored with the AFINN-165 word list (Nielsen 2011) through the `sentiment` npm package (v{version}), whose negation handling flips a word\'s score after "not", "don\'t", "isn\'t" and similar; the comparative score (sum of word scores / number of tokens) classifies a comment as positive (> {positive}), negative (< {negative}) or neutral. On the UCI labelled sentences (Kotzias et al. 2015; 1,000 each, positive when the score is above 0) this scorer is right for {amazon} of the Amazon, {imdb} of the IMDb and {yelp} of the Yelp sentences; `scorer: wink` does better.',
    'scoring.wink':
      'Each comment is scored with wink-nlp (v{nlp}) and its English model wink-eng-lite-web-model (v{model}): a sentiment lexicon with negation and emphasis handling, averaged over the sentences, from −1 to +1; a score above {positive} is positive, below {negative} negative, else neutral. On the UCI labelled sentences (Kotzias et al. 2015; 1,000 each, positive when the score is above 0) it is right for {amazon} of the Amazon, {imdb} of the IMDb and {yelp} of the Yelp sentences (the AFINN lexicon: {afinnAmazon}, {afinnImdb}, {afinnYelp}).',
    'scoring.column': 'Sentiment is taken from the column {column}, scored by the platform that collected the comments ({range}, rescaled to −1…+1); a score above {positive} is positive, below {negative} negative, else neutral; missing or out-of-range scores are excluded and counted.',
    'scoring.range': 'values {min} to {max}',
    'scoring.levels': '{k} levels, lowest first',
    'scorer.afinn': 'AFINN-165 lexicon',
    'scorer.wink': 'wink-nlp sentiment',
    'scorer.column': 'platform score in {column}',
    'text.method.themes':
      'Themes: noun phrases found by wink-nlp\'s part-of-speech tagger (runs of adjectives and nouns ending in a noun, at most three words, keyed by lemma) without stop words, filler ("thanks", "lot") and evaluative words ("great", "better"); counted once per comment, ranked by comments, near-duplicates merged; quotes chosen deterministically (strongest sentiment first, then shortest). Emerging themes: two-proportion z-test of each phrase\'s share of comments against the previous period, Benjamini–Hochberg across every phrase tested, share up at adjusted p < 0.05. Contrast of two groups: weighted log-odds ratio with an informative Dirichlet prior from all comments of the period (or of the pooled periods, contrast.periods) and its z-score (Monroe, Colaresi & Quinn 2008, eq. 22–24).',
    'text.themes.caption': 'What comments talk about in {period}',
    'text.themes.theme': 'Theme',
    'text.themes.comments': 'Comments',
    'text.themes.share': 'Share',
    'text.themes.net': 'Net sentiment',
    'text.themes.quotes': 'In their words',
    'text.themes.emerging': 'emerging',
    'text.quote': '“{text}”',
    'text.quoteSep': ' ',
    'text.themes.footnote':
      'Themes are phrases in at least {min} comments (share of the {n} comments of {period}); net sentiment = % positive − % negative of those comments. “emerging”: share up significantly since {previous}. Quotes: the sentence of a comment that mentions the theme, verbatim.',
    'text.emerging.caption': 'Emerging themes: share of comments up significantly since {previous}',
    'text.emerging.previous': '{period}',
    'text.emerging.change': 'Change (points)',
    'text.emerging.p': 'Adjusted p',
    'text.emerging.example': 'Example',
    'text.emerging.footnote': 'Two-proportion z-test per phrase ({tested} phrases in at least {min} comments tested; {nPrevious} comments in {previous}, {nCurrent} in {period}), p-values adjusted by Benjamini–Hochberg across all of them.',
    'text.emerging.none': 'No theme’s share of comments rose significantly since {previous} ({tested} phrases tested; Benjamini–Hochberg, adjusted p < 0.05).',
    'text.emerging.noPrevious': 'No comments in {previous} to compare themes with.',
    'text.contrast.caption': 'What {a} say that {b} don’t, {period}',
    'text.contrast.phrase': 'Phrase',
    'text.contrast.z': 'z',
    'text.contrast.footnote':
      'Comments mentioning the phrase in each group ({na} comments from {a}, {nb} from {b}). z, for the group in the title: weighted log-odds ratio with an informative Dirichlet prior from all {n} comments of {period}, over its standard error (Monroe, Colaresi & Quinn 2008); |z| ≥ {zMin} shown.',
    'text.contrast.none': 'No phrase is said significantly more by {a} than by {b} in {period} (|z| ≥ {zMin}).',
    'text.contrast.span': '{from} to {to}',
    'text.contrast.example': 'As {group} put it',
  },
  'zh-CN': {
    'scoring.afinn':
      '每条评论通过 `sentiment` npm 包（v{version}）使用 AFINN-165 词表（Nielsen 2011）评分，该包的否定处理会在“not”“don\'t”“isn\'t”等词之后反转词的分值；归一化得分（comparative，即词分值之和 / 词元数）将评论归为正面（> {positive}）、负面（< {negative}）或中性。在 UCI 标注句子数据（Kotzias 等 2015；每个文件 1,000 句，得分大于 0 判为正面）上，此评分器对 Amazon、IMDb 和 Yelp 句子的准确率分别为 {amazon}、{imdb} 和 {yelp}；`scorer: wink` 更准确。',
    'scoring.wink':
      '每条评论通过 wink-nlp（v{nlp}）及其英文模型 wink-eng-lite-web-model（v{model}）评分：带否定和强调处理的情感词典，按句平均，取值 −1 至 +1；得分高于 {positive} 为正面，低于 {negative} 为负面，否则为中性。在 UCI 标注句子数据（Kotzias 等 2015；每个文件 1,000 句，得分大于 0 判为正面）上，其对 Amazon、IMDb 和 Yelp 句子的准确率分别为 {amazon}、{imdb} 和 {yelp}（AFINN 词典：{afinnAmazon}、{afinnImdb}、{afinnYelp}）。',
    'scoring.column': '情感取自列 {column}，由收集评论的平台评分（{range}，线性换算到 −1…+1）；得分高于 {positive} 为正面，低于 {negative} 为负面，否则为中性；缺失或超出范围的得分会被排除并计数。',
    'scoring.range': '取值 {min} 至 {max}',
    'scoring.levels': '{k} 个等级，从低到高',
    'scorer.afinn': 'AFINN-165 词典',
    'scorer.wink': 'wink-nlp 情感评分',
    'scorer.column': '{column} 列中的平台评分',
    'text.method.themes':
      '主题：由 wink-nlp 词性标注找出的名词短语（以名词结尾的形容词和名词序列，最多三个词，按词元归并），去除停用词、填充词（如“thanks”“lot”）和评价词（如“great”“better”）；每条评论只计一次，按评论数排序并合并近似重复项；按确定性规则选取引语（情感最强烈者优先，其次是最短者）。新兴主题：对每个短语在本期与上期评论中的占比做双比例 z 检验，对所有检验的短语做 Benjamini–Hochberg 校正，占比上升且校正后 p < 0.05。两组对比：以本期（或 contrast.periods 合并的各期）全部评论为信息性 Dirichlet 先验的加权对数优势比及其 z 值（Monroe、Colaresi 与 Quinn 2008，式 22–24）。',
    'text.themes.caption': '{period}评论谈论的主题',
    'text.themes.theme': '主题',
    'text.themes.comments': '评论数',
    'text.themes.share': '占比',
    'text.themes.net': '净情感值',
    'text.themes.quotes': '客户原话',
    'text.themes.emerging': '新兴',
    'text.quote': '“{text}”',
    'text.quoteSep': ' ',
    'text.themes.footnote': '主题为至少出现在{min}条评论中的短语（占{period} {n} 条评论的比例）；净情感值 = 这些评论中正面占比 − 负面占比。“新兴”：自{previous}以来占比显著上升。引语为评论中提及该主题的原句。',
    'text.emerging.caption': '新兴主题：自{previous}以来评论占比显著上升',
    'text.emerging.previous': '{period}',
    'text.emerging.change': '变化（百分点）',
    'text.emerging.p': '校正后 p',
    'text.emerging.example': '示例',
    'text.emerging.footnote': '对每个短语做双比例 z 检验（检验了至少出现在{min}条评论中的{tested}个短语；{previous}评论 {nPrevious} 条，{period} {nCurrent} 条），p 值经 Benjamini–Hochberg 校正。',
    'text.emerging.none': '自{previous}以来，没有主题的评论占比显著上升（检验了{tested}个短语；Benjamini–Hochberg 校正后 p < 0.05）。',
    'text.emerging.noPrevious': '{previous}没有可供比较主题的评论。',
    'text.contrast.caption': '{period}：{a}提到而{b}很少提到的内容',
    'text.contrast.phrase': '短语',
    'text.contrast.z': 'z',
    'text.contrast.footnote': '各组中提及该短语的评论数（{a} {na} 条评论，{b} {nb} 条）。z（以标题中的组为正方向）：以{period}全部 {n} 条评论为信息性 Dirichlet 先验的加权对数优势比除以其标准误（Monroe、Colaresi 与 Quinn 2008）；仅显示 |z| ≥ {zMin}。',
    'text.contrast.none': '{period}没有短语被{a}显著多于{b}地提及（|z| ≥ {zMin}）。',
    'text.contrast.span': '{from}至{to}',
    'text.contrast.example': '{group}的原话',
  },
};

type T = (key: any, vars?: Vars) => string;

const pct3 = (v: number) => v.toFixed(3);

/** The scoring sentence of the methods text for the metric's scorer. */
export function scoringMethod(def: ScoringDef, t: T, afinnVersion: string, levels?: number): string {
  const th = { positive: def.thresholds.positive, negative: def.thresholds.negative };
  if (def.score !== undefined) {
    const column = typeof def.score === 'string' ? def.score : def.score.column;
    const range = typeof def.score !== 'string' ? t('scoring.range', { min: def.score.min, max: def.score.max }) : levels ? t('scoring.levels', { k: levels }) : t('scoring.range', { min: -1, max: 1 });
    return t('scoring.column', { column, range, ...th });
  }
  const a = UCI_ACCURACY.afinn;
  if (def.scorer === 'wink') {
    const w = UCI_ACCURACY.wink;
    return t('scoring.wink', { nlp: WINK_VERSIONS.nlp, model: WINK_VERSIONS.model, amazon: pct3(w.amazon), imdb: pct3(w.imdb), yelp: pct3(w.yelp), afinnAmazon: pct3(a.amazon), afinnImdb: pct3(a.imdb), afinnYelp: pct3(a.yelp), ...th });
  }
  return t('scoring.afinn', { version: afinnVersion, amazon: pct3(a.amazon), imdb: pct3(a.imdb), yelp: pct3(a.yelp), ...th });
}

/** The scorer's short name for chart captions. */
export function scorerLabel(def: ScoringDef, t: T): string {
  if (def.score !== undefined) return t('scorer.column', { column: typeof def.score === 'string' ? def.score : def.score.column });
  return t(def.scorer === 'wink' ? 'scorer.wink' : 'scorer.afinn');
}

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
