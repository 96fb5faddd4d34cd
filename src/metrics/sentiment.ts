/**
 * Sentiment of free-text comments: each comment is scored with the AFINN-165 lexicon through the
 * maintained `sentiment` npm package (with its negation handling), normalised per token
 * (comparative score) and classified positive / neutral / negative by configurable thresholds.
 * The value is net sentiment (share positive − share negative, in points) with the NPS-style
 * trinomial standard error; shares per period and group use the Wilson interval. Frequent themes
 * (keywords and bigrams after stop-word removal) come with counts and example quotes.
 */
import { ExclusionCounter } from './exclusions.js';
import { invalidRowHint, rowRejecter } from './invalid.js';
import { CxError } from '../kernel/errors.js';
import { cellValue, ident, isPushdown, isTemporal, loadRows, type PushdownSource, type SqlRelation } from '../sources/sql.js';
import type { SourceTable } from '../sources/types.js';
import { periodKey, sourceDimensions } from './pushdown.js';
import { createRequire } from 'node:module';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import Sentiment from 'sentiment';
import { z } from 'zod';
import { formatter } from '../kernel/format.js';
import { localTranslator, type Locale, type Vars } from '../kernel/i18n.js';
import { palette, toneColour } from '../kernel/theme.js';
import { compileFilter, filterSchema, type Filter } from '../kernel/filter.js';
import type { GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, PrepareContext, VisualBlock, VisualContext } from './module.js';
import { historyRange, parseTimestamp, periodOf, type Granularity } from '../kernel/period.js';
import { groupKey } from './prepare.js';
import { lastTimestampOf, latestPeriodOf } from './timeline.js';
import { adjustGroups, ALPHA, makeResult, exclusionFields } from './result-builders.js';
import { metricFields } from './score/schema.js';
import { npsChangeTest, npsEstimate, wilsonInterval, type Interval } from '../kernel/stats.js';
import { textInsights } from './text/insights.js';
import { TEXT_MESSAGES } from './text/messages.js';
import { scoringMethod, scorerLabel } from './text/method.js';
import { textBlocks, type TextExtra } from './text/visual.js';
import { checkScoring, commentScorer, scaleOf, scorerExtra, scoringDimensions } from './text/scoring.js';
import { contrastSchema, scoreSchema, scorerSchema } from './text/schema.js';

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

type Translate = (key: keyof (typeof MESSAGES)['en'], vars?: Vars) => string;

export const sentimentSchema = z
  .strictObject({
    type: z.literal('sentiment'),
    source: z.string().describe('Name of the source (under `sources:`) holding the comments.').meta({ examples: ['responses', 'reviews'] }),
    text: z.string().describe('Column with the comment text; empty comments are excluded and counted.').meta({ examples: ['comment'] }),
    date: z.string().describe('Column with the comment timestamp (ISO 8601); assigns each comment to a period.').meta({ examples: ['submitted_at'] }),
    group: z.string().optional().describe('Column to report sentiment shares by (e.g. channel, product).').meta({ examples: ['channel'] }),
    thresholds: z
      .strictObject({
        positive: z.number().default(0.05).describe('A comment is positive when its comparative score (AFINN sum / number of tokens) is above this.'),
        negative: z.number().default(-0.05).describe('A comment is negative when its comparative score is below this.'),
      })
      .prefault({})
      .describe('Classification thresholds on the comparative score; between them a comment is neutral.')
      .meta({ examples: [{ positive: 0.05, negative: -0.05 }] }),
    themes: z
      .strictObject({
        top: z.number().int().min(0).max(50).default(10).describe('How many themes to report.'),
        min_count: z.number().int().min(1).default(3).describe('A theme (phrase) must appear in at least this many comments of the period.'),
        examples: z.number().int().min(0).max(5).default(3).describe('Example quotes per theme.'),
        stop_words: z.array(z.string()).default([]).describe('Extra words to ignore in themes (e.g. the company or product name).'),
        emerging: z.number().int().min(0).max(20).default(5).describe('How many emerging themes to report: phrases whose share of comments rose significantly against the previous period (BH-adjusted); 0 for none.'),
      })
      .prefault({})
      .describe('Frequent themes: keyphrases (noun phrases found by wink-nlp, without stop words and filler), with counts, net sentiment, example quotes and emerging themes.')
      .meta({ examples: [{ top: 10, min_count: 3, stop_words: ['acme'] }] }),
    scorer: scorerSchema.optional(),
    score: scoreSchema.optional(),
    contrast: contrastSchema.optional(),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Comment sentiment: lexicon scores (AFINN-165, or wink-nlp with `scorer: wink`, or a platform\'s own `score:` column) classified positive / neutral / negative; net sentiment, shares, themes, emerging themes and an optional contrast of two groups.');

export type SentimentDef = z.infer<typeof sentimentSchema>;

const analyser = new Sentiment();
const PACKAGE_VERSION = (() => {
  try {
    return String((createRequire(import.meta.url)('sentiment/package.json') as { version: string }).version);
  } catch {
    return '5';
  }
})();

export type SentimentClass = 'positive' | 'neutral' | 'negative';

/** AFINN-165 score of one comment (sentiment package, negation handling), its comparative score and class. */
export function scoreComment(text: string, thresholds: { positive: number; negative: number } = { positive: 0.05, negative: -0.05 }): { score: number; comparative: number; label: SentimentClass } {
  const r = analyser.analyze(text);
  const comparative = Number.isFinite(r.comparative) ? r.comparative : 0;
  const label: SentimentClass = comparative > thresholds.positive ? 'positive' : comparative < thresholds.negative ? 'negative' : 'neutral';
  return { score: r.score, comparative, label };
}

// ---------------------------------------------------------------------------------------------
// Themes
// ---------------------------------------------------------------------------------------------

/** English stop words (function words, pronouns, auxiliaries, negators and filler) left out of themes. */
const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are aren\'t as at be because been before being below between both but by can can\'t cannot could couldn\'t ' +
    'did didn\'t do does doesn\'t doing don\'t down during each even ever every few for from further get gets getting got had hadn\'t has hasn\'t have haven\'t having he he\'d ' +
    'he\'ll he\'s her here here\'s hers herself him himself his how how\'s however i i\'d i\'ll i\'m i\'ve if in into is isn\'t it it\'s its itself just let\'s like made make ' +
    'many may me might more most much must mustn\'t my myself never no nor not now of off on once one only or other ought our ours ourselves out over own quite rather ' +
    'really said same say says see seem seems shan\'t she she\'d she\'ll she\'s should shouldn\'t since so some still such than that that\'s the their theirs them themselves ' +
    'then there there\'s these they they\'d they\'ll they\'re they\'ve thing things this those though through thus to too under until up upon us use used using very via ' +
    'was wasn\'t way we we\'d we\'ll we\'re we\'ve well were weren\'t what what\'s when when\'s where where\'s whether which while who who\'s whom why why\'s will with ' +
    'within without won\'t would wouldn\'t yet you you\'d you\'ll you\'re you\'ve your yours yourself yourselves im ive dont cant didnt doesnt isnt wasnt wont also got ' +
    'etc lot lots bit back went go going gone come came still always already another around anything something everything nothing anyone someone everyone ' +
    'two three first last new old able since though although ok okay yes yeah ' +
    'took take takes taking taken day days week weeks month months year years today yesterday ago ' +
    'mostly honestly finally actually maybe usually often sometimes across end won put seem seemed'
  ).split(/\s+/),
);

/** The stop words used for themes, plus `extra` (case-insensitive). */
export function stopWordSet(extra: Iterable<string> = []): Set<string> {
  return new Set([...STOP_WORDS, ...[...extra].map((w) => w.toLowerCase())]);
}

/** Lower-case word tokens of a comment (letters, digits, inner apostrophes). */
export function themeTokens(text: string): string[] {
  return (text.toLowerCase().replace(/[’‘]/g, "'").match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? []).map((t) => t.replace(/'s$/, ''));
}

/** Keywords and adjacent bigrams of a comment after stop-word removal (each once). */
export function themeTerms(text: string, stop: Set<string>): Set<string> {
  const tokens = themeTokens(text);
  const keep = tokens.map((t) => t.length >= 3 && !/^\d+$/.test(t) && !stop.has(t));
  const terms = new Set<string>();
  tokens.forEach((t, i) => {
    if (!keep[i]) return;
    terms.add(t);
    if (i + 1 < tokens.length && keep[i + 1] && tokens[i + 1] !== t) terms.add(`${t} ${tokens[i + 1]}`);
  });
  return terms;
}

export interface Theme {
  theme: string;
  kind: 'keyword' | 'bigram';
  mentions: number;
  /** share of the period's comments mentioning it, % */
  share: number;
  positive: number;
  neutral: number;
  negative: number;
  /** net sentiment of the mentioning comments, points */
  net: number;
  examples: { text: string; sentiment: SentimentClass; comparative: number }[];
}

const MAX_QUOTE = 280;

/** Frequent themes of a set of comments, deterministic: by mentions, then bigrams first, then alphabetically. */
export function findThemes(comments: { text: string; label: SentimentClass; comparative: number; weight?: number }[], options: { top: number; minCount: number; examples: number; stopWords: string[] }): Theme[] {
  if (options.top === 0) return [];
  // a comment may stand for several identical ones (comment cells): it counts `weight` times
  const weight = (i: number) => comments[i].weight ?? 1;
  const count = (list: number[]) => list.reduce((sum, i) => sum + weight(i), 0);
  const total = comments.reduce((sum, _, i) => sum + weight(i), 0);
  const stop = stopWordSet(options.stopWords);
  const mentions = new Map<string, number[]>();
  comments.forEach((c, i) => {
    for (const term of themeTerms(c.text, stop)) {
      const list = mentions.get(term);
      if (list) list.push(i);
      else mentions.set(term, [i]);
    }
  });
  const candidates = [...mentions.entries()].filter(([, list]) => count(list) >= options.minCount);
  const isBigram = (t: string) => t.includes(' ');
  candidates.sort(([a, la], [b, lb]) => count(lb) - count(la) || Number(isBigram(b)) - Number(isBigram(a)) || (a < b ? -1 : a > b ? 1 : 0));
  // A keyword that only ever appears inside one chosen bigram adds nothing: skip it.
  const chosen: [string, number[]][] = [];
  for (const [term, list] of candidates) {
    if (chosen.length >= options.top) break;
    if (!isBigram(term) && chosen.some(([t, l]) => isBigram(t) && t.split(' ').includes(term) && count(l) === count(list))) continue;
    chosen.push([term, list]);
  }
  // Bigrams ranked after their keywords can subsume them too: drop such keywords.
  const final = chosen.filter(([term, list]) => isBigram(term) || !chosen.some(([t, l]) => isBigram(t) && t.split(' ').includes(term) && count(l) === count(list)));
  return final.map(([term, list]) => {
    const counts = { positive: 0, neutral: 0, negative: 0 };
    for (const i of list) counts[comments[i].label] += weight(i);
    const examples: Theme['examples'] = [];
    const seen = new Set<string>();
    const ordered = [...list].sort((a, b) => {
      const ca = comments[a];
      const cb = comments[b];
      const fitA = ca.text.length <= MAX_QUOTE ? 0 : 1;
      const fitB = cb.text.length <= MAX_QUOTE ? 0 : 1;
      return fitA - fitB || Math.abs(cb.comparative) - Math.abs(ca.comparative) || ca.text.length - cb.text.length || a - b;
    });
    for (const i of ordered) {
      if (examples.length >= options.examples) break;
      const text = comments[i].text.trim().replace(/\s+/g, ' ');
      if (seen.has(text)) continue;
      seen.add(text);
      examples.push({ text: text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 1)}…` : text, sentiment: comments[i].label, comparative: comments[i].comparative });
    }
    const mentions = count(list);
    return { theme: term, kind: isBigram(term) ? 'bigram' : 'keyword', mentions, share: (100 * mentions) / total, ...counts, net: (100 * (counts.positive - counts.negative)) / mentions, examples };
  });
}

// ---------------------------------------------------------------------------------------------
// Prepare
// ---------------------------------------------------------------------------------------------

export interface PreparedSentiment extends Prepared {
  kind: 'sentiment';
  id: string;
  def: SentimentDef;
  granularity: Granularity;
  /**
   * valid comment cells (comment-cells order): the grouping columns plus __period, __ts, __w
   * (comments), __text, __cmp (comparative score), __cmpW (× __w), __class, __pos/__neu/__neg (× __w)
   */
  table: ColumnTable;
  firstPeriod: string | undefined;
  exclusions: Map<string, Record<string, number>>;
  /** 'sql' when the database grouped the comments */
  engine: 'memory' | 'sql';
}

/**
 * Comment cells: what the metric uses of its rows is, per period, each distinct comment text with
 * its grouping values — how many rows carry it and the latest timestamp. In memory the rows are
 * reduced to these cells; on a SQL source the database groups them (`commentCellsSql`). Both are
 * then validated, scored and ordered the same way, so the engines agree (themes count each cell
 * as often as it occurs).
 */
interface CommentCells {
  period: (string | null)[];
  ts: number[];
  text: unknown[];
  /** grouping values, one array per column of `dims` */
  values: unknown[][];
  weight: number[];
}

function newCells(dims: string[]): CommentCells {
  return { period: [], ts: [], text: [], values: dims.map(() => []), weight: [] };
}

/** Text of a cell value for keys and ordering (null apart from any text). */
const keyOf = (v: unknown) => (v === null || v === undefined ? '\u0000' : String(v));

/** In memory: rows (after the filter) into comment cells; `on_invalid: error` names the file row. */
function rowCells(ctx: PrepareContext<SentimentDef>, source: SourceTable, dims: string[]): CommentCells {
  const def = ctx.def;
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const n = table.numRows();
  const texts = table.array(def.text) as ArrayLike<unknown>;
  const dates = table.array(def.date) as ArrayLike<unknown>;
  const columns = dims.map((d) => table.array(d) as ArrayLike<unknown>);
  const reject = rowRejecter(source, table, ctx.id);
  const cells = newCells(dims);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = parseTimestamp(dates[i]);
    // granularity all: every text belongs to the one period, dated or not
    const period = ctx.granularity === 'all' ? 'all' : Number.isFinite(t) ? periodOf(t, ctx.granularity) : null;
    if (period === null) reject(i, def.date, dates[i], 'missing or invalid date (ISO 8601 expected)');
    else if (isBlank(texts[i])) reject(i, def.text, texts[i], 'missing text');
    const key = [period ?? '', keyOf(texts[i]), ...columns.map((c) => keyOf(c[i]))].join('\u0001');
    const at = index.get(key);
    if (at !== undefined) {
      cells.weight[at]++;
      if (t > cells.ts[at]) cells.ts[at] = t;
      continue;
    }
    index.set(key, cells.period.length);
    cells.period.push(period);
    cells.ts.push(t);
    cells.text.push(texts[i]);
    columns.forEach((c, j) => cells.values[j].push(c[i]));
    cells.weight.push(1);
  }
  return cells;
}

const isBlank = (raw: unknown) => raw === null || raw === undefined || String(raw).trim() === '';

/** Whether the database can group the comments: the date column is a DATE or TIMESTAMP. */
export function canPushDownComments(sql: SqlRelation, def: SentimentDef): boolean {
  return isTemporal(sql.kind(def.date));
}

/** The generated statement: rows grouped by period (year and month), the raw text and the grouping columns, with the count and latest timestamp. */
export function commentCellsSql(sql: SqlRelation, def: SentimentDef, dims: string[]): string {
  const d = ident(def.date);
  const inner = [`DATE_TRUNC('month', ${d}) AS cx_period`, `${d} AS cx_date`, `${ident(def.text)} AS cx_text`, ...dims.map((c, i) => `${ident(c)} AS cx_dim${i}`)];
  const keys = ['cx_period', 'cx_text', ...dims.map((_, i) => `cx_dim${i}`)];
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  return [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, ${keys.slice(1).join(', ')}, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_date)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (SELECT ${inner.join(', ')} FROM ${sql.from()}${fence}) AS cx_rows`,
    `GROUP BY ${keys.join(', ')}`,
  ].join('\n');
}

/** On a SQL source: the comment cells from the database (filtered by the metric's filter on their grouping values). */
async function databaseCells(ctx: PrepareContext<SentimentDef>, source: PushdownSource, dims: string[]): Promise<CommentCells> {
  const def = ctx.def;
  const { names, rows } = await source.sql.run(commentCellsSql(source.sql, def, dims));
  const at = (name: string) => names.indexOf(name);
  const [y, m, text, n, ep] = ['cx_year', 'cx_month', 'cx_text', 'cx_n', 'cx_epoch'].map(at);
  const dimAt = dims.map((_, i) => at(`cx_dim${i}`));
  const keep = def.filter ? compileFilter(def.filter as Filter) : null;
  const cells = newCells(dims);
  for (const r of rows) {
    const values = dimAt.map((k) => cellValue(r[k]));
    if (keep && !keep((column) => values[dims.indexOf(column)])) continue;
    cells.period.push(periodKey(r[y], r[m], ctx.granularity));
    cells.ts.push(r[ep] === null ? NaN : Math.round(Number(r[ep]) * 1000));
    cells.text.push(cellValue(r[text]));
    values.forEach((v, j) => cells.values[j].push(v));
    cells.weight.push(Number(r[n]));
  }
  const bad = cells.period.findIndex((p, i) => p === null || isBlank(cells.text[i]));
  if (bad >= 0 && source.onInvalid === 'error') {
    const undated = cells.period[bad] === null;
    throw new CxError('data', `column ${undated ? def.date : def.text}: ${undated ? 'missing or invalid date (a DATE or TIMESTAMP value expected)' : `missing text (a comment of ${cells.period[bad]})`}`, { location: { file: source.file }, hint: invalidRowHint(ctx.id, source) });
  }
  return cells;
}

function prepareSentiment(ctx: PrepareContext<SentimentDef>): PreparedSentiment | Promise<PreparedSentiment> {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.text, ['text']);
  ctx.requireColumn(source, def.date, ['date']);
  if (def.group !== undefined) ctx.requireColumn(source, def.group, ['group']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  checkScoring(ctx, source);
  const dims = sourceDimensions(ctx, source, [def.group, ...scoringDimensions(def)]).filter((c) => c !== def.text);
  if (!isPushdown(source)) return scoreCells(ctx, dims, rowCells(ctx, source, dims), 'memory');
  // granularity all keeps undated texts (one period over all data), which the database cells leave out
  if (ctx.granularity !== 'all' && canPushDownComments(source.sql, def)) return databaseCells(ctx, source, dims).then((cells) => scoreCells(ctx, dims, cells, 'sql'));
  return loadRows(source).then((rows) => scoreCells(ctx, dims, rowCells(ctx, rows, dims), 'memory'));
}

/** Validates and scores the cells (each distinct text once), in a fixed order: period, text, grouping values. */
function scoreCells(ctx: PrepareContext<SentimentDef>, dims: string[], cells: CommentCells, engine: 'memory' | 'sql'): PreparedSentiment {
  const def = ctx.def;
  const order = cells.period.map((_, i) => i);
  const sortKey = order.map((i) => [cells.period[i] ?? '\uffff', keyOf(cells.text[i]), ...cells.values.map((v) => keyOf(v[i]))].join('\u0001'));
  order.sort((a, b) => (sortKey[a] < sortKey[b] ? -1 : sortKey[a] > sortKey[b] ? 1 : 0));
  const excluded = new ExclusionCounter();
  const exclusions = excluded.byPeriod;
  const keep: number[] = [];
  let firstPeriod: string | undefined;
  const scored = new Map<string, ReturnType<typeof scoreComment>>();
  const scorer = commentScorer(ctx, dims, scoreComment);
  const out = { text: [] as string[], cmp: [] as number[], cls: [] as string[], pos: [] as number[], neu: [] as number[], neg: [] as number[] };
  const weight = (k: number) => cells.weight[keep[k]];
  for (const i of order) {
    const p = cells.period[i];
    const w = cells.weight[i];
    if (p === null) {
      excluded.add('undated', 'missing or invalid date', w);
      continue;
    }
    const s = isBlank(cells.text[i]) ? '' : String(cells.text[i]).trim();
    if (s === '') {
      excluded.add(p, 'missing text', w);
      continue;
    }
    let r = scorer.column ? scorer.score(s, cells.values, i) : scored.get(s);
    if (r === null) {
      excluded.add(p, 'missing or invalid score', w);
      continue;
    }
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
    if (!r) scored.set(s, (r = scorer.score(s, cells.values, i)!));
    keep.push(i);
    out.text.push(s);
    out.cmp.push(r.comparative);
    out.cls.push(r.label);
    out.pos.push(r.label === 'positive' ? w : 0);
    out.neu.push(r.label === 'neutral' ? w : 0);
    out.neg.push(r.label === 'negative' ? w : 0);
  }
  const columns: Record<string, ArrayLike<unknown>> = {
    __period: keep.map((i) => cells.period[i]),
    __ts: Float64Array.from(keep, (i) => cells.ts[i]),
    __w: Float64Array.from(keep, (i) => cells.weight[i]),
    __text: out.text,
    __cmp: Float64Array.from(out.cmp),
    __cmpW: Float64Array.from(out.cmp, (c, k) => c * weight(k)),
    __class: out.cls,
    __pos: Float64Array.from(out.pos),
    __neu: Float64Array.from(out.neu),
    __neg: Float64Array.from(out.neg),
  };
  dims.forEach((d, j) => (columns[d] = keep.map((i) => cells.values[j][i])));
  const valid = aq.table(columns);
  const granularity = ctx.granularity;
  return {
    kind: 'sentiment',
    id: ctx.id,
    def,
    granularity,
    table: valid,
    firstPeriod,
    exclusions,
    engine,
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, granularity),
  };
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

interface Counts {
  n: number;
  positive: number;
  neutral: number;
  negative: number;
  sumComparative: number;
}

const emptyCounts = (): Counts => ({ n: 0, positive: 0, neutral: 0, negative: 0, sumComparative: 0 });

/** Counts per period (and group of `by`) by an Arquero rollup. */
function countCells(ps: PreparedSentiment, by?: string): Map<string, Counts> {
  let rows = ps.table;
  const keys = ['__period'];
  if (by) {
    rows = rows.derive({ __group: aq.escape((d: Record<string, unknown>) => groupKey(d[by])) as never });
    keys.push('__group');
  }
  const out = new Map<string, Counts>();
  const rolled = rows.groupby(...keys).rollup({ n: 'd => op.sum(d.__w)', positive: 'd => op.sum(d.__pos)', neutral: 'd => op.sum(d.__neu)', negative: 'd => op.sum(d.__neg)', sumComparative: 'd => op.sum(d.__cmpW)' } as never);
  for (const o of rolled.objects() as Record<string, unknown>[]) {
    out.set(by ? `${o.__period}\u0000${o.__group}` : String(o.__period), { n: Number(o.n), positive: Number(o.positive ?? 0), neutral: Number(o.neutral ?? 0), negative: Number(o.negative ?? 0), sumComparative: Number(o.sumComparative ?? 0) });
  }
  return out;
}

function net(period: string, c: Counts, minSample: number): PeriodValue & { se: number | null } {
  if (c.n === 0) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  const e = npsEstimate(c.positive, c.neutral, c.negative);
  return { period, value: e.value, n: c.n, ci: e.ci, lowSample: c.n < minSample, se: e.se };
}

const TEST = MESSAGES.en.test;

function change(previousPeriod: string, prev: Counts, cur: Counts, minSample: number, test = TEST) {
  const a = net(previousPeriod, prev, minSample);
  const b = net('', cur, minSample);
  if (a.value === null || b.value === null) return { previous: a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: null, test, statistic: null, p: null, significant: false };
  const t = a.se !== null && b.se !== null ? npsChangeTest({ value: a.value, se: a.se }, { value: b.value, se: b.se }) : { z: NaN, p: NaN };
  const p = Number.isFinite(t.p) ? t.p : null;
  return { previous: { period: previousPeriod, value: a.value, n: a.n, ci: a.ci }, delta: b.value - a.value, test, statistic: Number.isFinite(t.z) ? t.z : null, p, significant: p !== null && p < ALPHA };
}

function shares(c: Counts) {
  const one = (x: number) => {
    const w = wilsonInterval(x, c.n);
    return { count: x, share: c.n > 0 ? (100 * x) / c.n : null, ci: c.n > 0 ? ([100 * w[0], 100 * w[1]] as Interval) : null };
  };
  return { positive: one(c.positive), neutral: one(c.neutral), negative: one(c.negative) };
}

function methodText(def: SentimentDef, t: Translate, levels?: number): string {
  return t('method', { scoring: scoringMethod(def, t, PACKAGE_VERSION, levels), themes: t('text.method.themes'), positive: def.thresholds.positive, negative: def.thresholds.negative });
}

function computeSentiment(ps: PreparedSentiment, ctx: Parameters<MetricModule['compute']>[1]): MetricResult {
  const def = ps.def;
  const { period, previousPeriod, minSample } = ctx;
  const t = localTranslator(MESSAGES, ctx.locale ?? 'en');
  const byPeriod = countCells(ps);
  const cur = byPeriod.get(period) ?? emptyCounts();
  const prev = byPeriod.get(previousPeriod) ?? emptyCounts();
  const head = net(period, cur, minSample);
  const first = ps.firstPeriod !== undefined && ps.firstPeriod <= period ? ps.firstPeriod : period;
  const periods = historyRange(first, period, ps.granularity);
  const series = periods.map((p) => {
    const { se: _se, ...v } = net(p, byPeriod.get(p) ?? emptyCounts(), minSample);
    return v;
  });

  const breakdownOf = (column: string): GroupResult[] => {
    const cells = countCells(ps, column);
    const groups = [...new Set([...cells.keys()].filter((k) => k.startsWith(`${period}\u0000`) || k.startsWith(`${previousPeriod}\u0000`)).map((k) => k.split('\u0000')[1]))].sort();
    return adjustGroups(
      groups
        .map((group) => {
          const gc = cells.get(`${period}\u0000${group}`) ?? emptyCounts();
          const gp = cells.get(`${previousPeriod}\u0000${group}`) ?? emptyCounts();
          const { se: _se, ...v } = net(period, gc, minSample);
          const ch = change(previousPeriod, gp, gc, minSample);
          return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
        })
        .filter((g) => g.n > 0 || (g.previous?.n ?? 0) > 0),
    );
  };
  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) breakdowns[column] = breakdownOf(column);

  let groups: unknown = null;
  if (def.group) {
    const cells = countCells(ps, def.group);
    groups = [...cells.entries()]
      .filter(([k]) => k.startsWith(`${period}\u0000`))
      .map(([k, c]) => ({ group: k.split('\u0000')[1], n: c.n, net: net(period, c, minSample).value, ...shares(c) }))
      .sort((a, b) => b.n - a.n || a.group.localeCompare(b.group));
  }

  const text = textInsights(ps.table, period, previousPeriod, { top: def.themes.top, minCount: def.themes.min_count, examples: def.themes.examples, stopWords: def.themes.stop_words, emerging: def.themes.emerging, contrast: def.contrast }, periods);

  return makeResult({
    id: ps.id,
    type: 'sentiment',
    label: def.label ?? t('label'),
    title: t('title'),
    unit: 'points',
    higherIsBetter: true,
    ...head,
    minSample,
    target: def.target ?? null,
    domain: [-100, 100],
    ...change(previousPeriod, prev, cur, minSample, t('test')),
    ...exclusionFields(ps.exclusions, period),
    series,
    breakdowns,
    method: methodText(def, t, scaleOf({ config: ctx.config, def })?.levels),
    extra: {
      ...scorerExtra(def, PACKAGE_VERSION, scaleOf({ config: ctx.config, def })),
      thresholds: { positive: def.thresholds.positive, negative: def.thresholds.negative },
      shares: shares(cur),
      meanComparative: cur.n > 0 ? cur.sumComparative / cur.n : null,
      shareSeries: periods.map((p) => {
        const c = byPeriod.get(p) ?? emptyCounts();
        const s = shares(c);
        return { period: p, n: c.n, positive: s.positive.share, neutral: s.neutral.share, negative: s.negative.share };
      }),
      groups,
      ...text,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Visual
// ---------------------------------------------------------------------------------------------

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

export const sentimentModule: MetricModule<SentimentDef, PreparedSentiment> = {
  type: 'sentiment',
  schema: sentimentSchema,
  title: 'Comment sentiment',
  pushdown: true,
  prepare: prepareSentiment,
  compute: computeSentiment,
};
