import type { Locale, Vars } from '../../kernel/i18n.js';
import { TEXT_MESSAGES } from '../text/messages.js';

/** The module's text in each report locale (see localTranslator in kernel/i18n.ts). */
export const MESSAGES = {
  en: {
    label: 'Net sentiment',
    title: 'Comment sentiment (net)',
    test: 'z-test for the difference of two net sentiment scores (trinomial SE)',
    method:
      '{scoring} ' +
      'Net sentiment = % positive − % negative, in points (−100 to +100); standard error from the trinomial variance 100·√((P + N − (P − N)²)/n) as for NPS, Wald 95% interval; shares with Wilson intervals. ' +
      'Change vs the previous period: two-sided z-test on the difference of two independent net scores. Empty comments and rows without a valid ISO 8601 date are excluded and counted. ' +
      '{themes} A lexicon method misses sarcasm and domain terms; read the quotes.',
    positive: 'Positive',
    neutral: 'Neutral',
    negative: 'Negative',
    'chart.title': 'Net sentiment {value} in {period}: {positive} positive, {neutral} neutral, {negative} negative',
    'chart.caption':
      'Share of comments classified positive, neutral and negative per period ({scorer}, score thresholds {negative} / {positive}); n = {n} comments in {period}. Source: {source}.',
    'chart.alt': 'Stacked bar chart of comment sentiment by period: {items}.',
    'chart.altItem': '{period} {positive} positive, {negative} negative (n = {n})',
    'chart.altSep': '; ',
    'chart.axis': 'Comments (%)',
    'themes.caption': 'Frequent themes in {period}',
    'themes.theme': 'Theme',
    'themes.comments': 'Comments',
    'themes.net': 'Net',
    'themes.example': 'Example',
    'themes.quote': '“{text}”',
    'themes.footnote': 'Keywords and bigrams after stop-word removal, counted once per comment (at least {min} comments); the example is the most strongly worded comment that mentions the theme.',
    'groups.caption': 'Sentiment by {column}, {period}',
    'groups.low': 'n < {min}',
    'groups.footnote': '{count} smaller groups not shown.',
    noComments: 'No comments in {period}.',
    ...TEXT_MESSAGES.en,
  },
  'zh-CN': {
    label: '净情感值',
    title: '评论情感（净值）',
    test: '两个净情感值之差的 z 检验（三项分布标准误）',
    method:
      '{scoring}' +
      '净情感值 = 正面占比 − 负面占比，以分为单位（−100 至 +100）；标准误与 NPS 一样取自三项分布方差 100·√((P + N − (P − N)²)/n)，采用 Wald 95% 置信区间；各类占比采用 Wilson 区间。' +
      '与上期相比的变化：对两个独立净情感值之差进行双侧 z 检验。空评论和没有有效 ISO 8601 日期的行会被排除并计数。' +
      '{themes}词典方法无法识别反讽和领域术语；请结合引语阅读。',
    positive: '正面',
    neutral: '中性',
    negative: '负面',
    'chart.title': '{period}净情感值为{value}：正面{positive}，中性{neutral}，负面{negative}',
    'chart.caption': '各期被归为正面、中性和负面的评论占比（{scorer}，得分阈值 {negative} / {positive}）；{period}评论数 n = {n}。数据来源：{source}。',
    'chart.alt': '各期评论情感堆积条形图：{items}。',
    'chart.altItem': '{period}正面{positive}，负面{negative}（n = {n}）',
    'chart.altSep': '；',
    'chart.axis': '评论占比（%）',
    'themes.caption': '{period}高频主题',
    'themes.theme': '主题',
    'themes.comments': '评论数',
    'themes.net': '净值',
    'themes.example': '示例',
    'themes.quote': '“{text}”',
    'themes.footnote': '去除停用词后的关键词和二元词组，每条评论只计一次（至少出现在{min}条评论中）；示例为提及该主题、措辞最强烈的评论。',
    'groups.caption': '{period}按{column}划分的情感',
    'groups.low': 'n < {min}',
    'groups.footnote': '另有{count}个较小的组未显示。',
    noComments: '{period}没有评论。',
    ...TEXT_MESSAGES['zh-CN'],
  },
} satisfies Record<Locale, Record<string, string>>;

export type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;
