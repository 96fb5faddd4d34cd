/**
 * Comment sentiment through the real pipeline on a tiny fixture worked by hand (AFINN-165 word
 * scores written out), the located config error, exclusions, themes, property tests and the UCI
 * Sentiment Labelled Sentences (Kotzias et al., KDD 2015) as an independent accuracy check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CxError } from '../../kernel/errors.js';
import { build, load, type BuildResult } from '../../app/pipeline.js';
import { computeMetrics } from '../index.js';
import { normalCdf } from '../../kernel/stats.js';
import { scoreComment } from './afinn.js';
import { findThemes, stopWordSet, themeTerms } from './themes.js';
import { MESSAGES } from './messages.js';
import { sameKeys } from '../../kernel/i18n.js';
import { csv, makeProject } from '../../../test/project.js';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['id', 'submitted_at', 'channel', 'comment'];

// AFINN-165 scores (sentiment package), comparative = score / tokens:
const OCTOBER: [string, string][] = [
  ['email', 'Great service, very helpful staff'], // great 3 + helpful 2 = 5 / 5 tokens = 1.0 → positive
  ['chat', 'Love the new app'], // love 3 / 4 = 0.75 → positive
  ['email', 'The delivery was late and the support was terrible'], // support 2 − terrible 3 = −1 / 9 = −0.111 → negative
  ['chat', 'Not good at all'], // "not" flips good (3) → −3 / 4 = −0.75 → negative
  ['email', 'It arrived on Tuesday'], // no AFINN words → 0 → neutral
  ['chat', 'Great support, quick answer'], // great 3 + support 2 = 5 / 4 = 1.25 → positive
  ['email', 'Billing was confusing and frustrating'], // confusing −2 + frustrating −2 = −4 / 5 = −0.8 → negative
  ['chat', 'Okay I guess'], // 0 → neutral
  ['email', 'Support team was great'], // 5 / 4 = 1.25 → positive
  ['chat', 'Quick delivery, great support team'], // 5 / 5 = 1.0 → positive
];
const SEPTEMBER = [
  'Billing was confusing and frustrating', // negative
  'Not good at all', // negative
  'The delivery was late and the support was terrible', // negative
  "I don't like the new billing page", // "don't" flips like (2) → −2 / 7 → negative
  'Delivery on time', // neutral
  'It arrived on Tuesday', // neutral
  'Love the new app', // positive
  'Billing page is fine', // fine 2 / 4 = 0.5 → positive
];

function rows(): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  SEPTEMBER.forEach((t, i) => out.push([`S${i}`, `2026-09-${String(i + 1).padStart(2, '0')}T10:00:00Z`, i % 2 ? 'chat' : 'email', t]));
  OCTOBER.forEach(([ch, t], i) => out.push([`O${i}`, `2026-10-${String(i + 1).padStart(2, '0')}T10:00:00Z`, ch, t]));
  out.push(['X1', '2026-10-20T10:00:00Z', 'email', '   ']);
  out.push(['X2', '20/10/2026', 'email', 'Great stuff']);
  return out;
}

const CONFIG = `report:
  title: Sentiment
  period: { granularity: month, current: latest }
  min_sample: 5
sources:
  responses: { type: csv, path: data/responses.csv }
metrics:
  sentiment: { type: sentiment, source: responses, text: comment, date: submitted_at, group: channel, themes: { min_count: 2 } }
sections:
  - { type: kpis, metrics: [sentiment] }
  - { type: metric, metric: sentiment }
  - { type: breakdown, metric: sentiment, by: channel }
`;

let result: BuildResult;
let json: any;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/responses.csv': csv(HEADER, rows()) });
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
});

describe('sentiment: per-comment scores', () => {
  it('AFINN-165 comparative scores and negation handling', () => {
    expect(scoreComment('Great service, very helpful staff')).toEqual({ score: 5, comparative: 1, label: 'positive' });
    expect(scoreComment('Not good at all')).toEqual({ score: -3, comparative: -0.75, label: 'negative' });
    expect(scoreComment('It arrived on Tuesday').label).toBe('neutral');
    expect(scoreComment('The delivery was late and the support was terrible').comparative).toBeCloseTo(-1 / 9, 12);
    // thresholds are configurable: −0.111 is neutral when negative needs < −0.2
    expect(scoreComment('The delivery was late and the support was terrible', { positive: 0.2, negative: -0.2 }).label).toBe('neutral');
  });
});

describe('sentiment: net sentiment (worked by hand)', () => {
  // October: positive 1, 2, 6, 9, 10 (5); negative 3, 4, 7 (3); neutral 5, 8 (2); n = 10.
  // Net = 100·(0.5 − 0.3) = 20 points. Variance 0.5 + 0.3 − 0.2² = 0.76; SE = 100·√(0.76/10) = 27.568098;
  // CI = 20 ± 1.959964·27.568098 = [−34.032480, 74.032480].
  it('value, trinomial SE and interval', () => {
    const m = json.metrics.sentiment;
    expect(m.unit).toBe('points');
    expect(m.value).toBeCloseTo(20, 10);
    expect(m.n).toBe(10);
    expect(m.se).toBeCloseTo(27.568098, 5);
    expect(m.ci[0]).toBeCloseTo(-34.03248, 4);
    expect(m.ci[1]).toBeCloseTo(74.03248, 4);
  });
  // Shares with Wilson: positive 5/10 → centre (0.5 + 0.192073)/1.384146 = 0.5, half = 1.959964·√(0.025 + 0.0096037)/1.384146
  // = 1.959964·0.186021/1.384146 = 0.263407 → [23.6593, 76.3407]%.
  it('shares with Wilson intervals', () => {
    const s = json.metrics.sentiment.shares;
    expect(s.positive.count).toBe(5);
    expect(s.neutral.count).toBe(2);
    expect(s.negative.count).toBe(3);
    expect(s.positive.share).toBe(50);
    expect(s.positive.ci[0]).toBeCloseTo(23.6593, 3);
    expect(s.positive.ci[1]).toBeCloseTo(76.3407, 3);
  });
  // September: positive 2, neutral 2, negative 4 → −25; variance 0.25 + 0.5 − 0.0625 = 0.6875, SE = 29.315098.
  // z = 45/√(27.568098² + 29.315098²) = 45/40.241380 = 1.118252; p = 0.26346.
  it('change: z-test on two net scores', () => {
    const m = json.metrics.sentiment;
    expect(m.previous.value).toBeCloseTo(-25, 10);
    expect(m.delta).toBeCloseTo(45, 10);
    expect(m.statistic).toBeCloseTo(1.118252, 5);
    expect(m.p).toBeCloseTo(2 * (1 - normalCdf(1.118252)), 5);
    expect(m.significant).toBe(false);
  });
  // Channel, October: email comments 1 (+), 3 (−), 5 (0), 7 (−), 9 (+) → net 0; chat 2 (+), 4 (−), 6 (+), 8 (0), 10 (+) → net 40.
  it('groups and breakdowns by channel, n summing to the total', () => {
    const m = json.metrics.sentiment;
    const groups = Object.fromEntries(m.groups.map((g: any) => [g.group, g]));
    expect(groups.email.net).toBeCloseTo(0, 10);
    expect(groups.chat.net).toBeCloseTo(40, 10);
    expect(m.breakdowns.channel.reduce((a: number, g: any) => a + g.n, 0)).toBe(10);
  });
});

describe('sentiment: themes', () => {
  // Keyphrases (noun phrases; "great", "quick" are adjectives, "service" and "app" vague alone): support in 3, 6, 9, 10 (4);
  // delivery in 3, 10; "support team" in 9, 10 — half of support's comments and sharing its word: merged into "support";
  // staff, Tuesday, billing, "quick answer", "quick delivery" in one comment each (min_count 2).
  it('counts keyphrases once per comment, deterministic order', () => {
    const themes = json.metrics.sentiment.themes;
    expect(themes.map((t: any) => [t.theme, t.mentions])).toEqual([
      ['support', 4],
      ['delivery', 2],
    ]);
    // "support": comments 3 (−), 6, 9, 10 (+) → net 100·(3 − 1)/4 = 50; examples by strength, then length:
    // 9 and 6 (1.25; 9 is shorter), then 10 (1.0).
    const support = themes[0];
    expect(support).toMatchObject({ positive: 3, negative: 1, neutral: 0, net: 50, share: 40 });
    expect(support.examples.map((e: any) => e.text)).toEqual(['Support team was great', 'Great support, quick answer', 'Quick delivery, great support team']);
  });
  it('stop words and extra stop words are left out', () => {
    // tokens: we don't like the acme app billing page ("like" is a filler stop word, "acme" an extra one)
    // → kept: app, billing, page; adjacent kept pairs: app billing, billing page
    expect([...themeTerms("We don't like the Acme app's billing page", stopWordSet(['Acme']))]).toEqual(['app', 'app billing', 'billing', 'billing page', 'page']);
    const themes = findThemes(
      [
        { text: 'Acme support', label: 'positive', comparative: 1 },
        { text: 'Acme support', label: 'positive', comparative: 1 },
      ],
      { top: 5, minCount: 2, examples: 3, stopWords: ['Acme'] },
    );
    expect(themes.map((t) => t.theme)).toEqual(['support']);
    expect(themes[0].examples).toHaveLength(1); // duplicate quotes appear once
  });
});

describe('sentiment: exclusions and errors', () => {
  it('empty comments and undated rows are excluded and counted', () => {
    const m = json.metrics.sentiment;
    expect(m.exclusions).toEqual({ 'missing text': 1 });
    expect(m.excludedAllPeriods).toEqual({ 'missing text': 1, 'missing or invalid date': 1 });
  });
  it('unknown text column: located with a hint', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('text: comment', 'text: coment'), 'data/responses.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('metric "sentiment": column "coment" not found in source "responses" (data/responses.csv)');
    // line 8: "  sentiment: { type: sentiment, source: responses, text: " is 57 characters → column 58
    expect(`${error.location.file}:${error.location.line}:${error.location.column}`).toBe('cxreport.yaml:8:58');
    expect(error.hint).toMatch(/^did you mean `comment`\?/);
  });
  it('source on_invalid: error rejects the empty comment (data row 19, line 20 of the file) with its location', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('path: data/responses.csv }', 'path: data/responses.csv, on_invalid: error }'), 'data/responses.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('empty — missing text');
    expect(error.location).toMatchObject({ file: 'data/responses.csv', row: 20, field: 'comment' });
  });
  it('renders the chart, the themes table and the group table; method names the lexicon and package', () => {
    expect(result.html).toContain('What comments talk about in October 2026');
    expect(result.html).toContain('Sentiment by channel, October 2026');
    expect(json.metrics.sentiment.package).toMatch(/^sentiment@5\./);
    expect(result.computed.results.get('sentiment')!.method).toMatch(/AFINN-165.*`sentiment` npm package/);
  });
});

describe('sentiment: invariants (property)', () => {
  const words = ['great', 'terrible', 'support', 'slow', 'not', 'good', 'billing', 'love', 'hate', 'app', 'fine', ''];
  it('shares in [0, 100] summing to 100, net in [−100, 100], breakdown n sums to n, themes bounded', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ words: fc.array(fc.constantFrom(...words), { maxLength: 8 }), month: fc.constantFrom('09', '10'), channel: fc.constantFrom('a', 'b', '') }), { minLength: 1, maxLength: 60 }),
        async (list) => {
          const data = list.map((r, i) => [`R${i}`, `2026-${r.month}-10T00:00:00Z`, r.channel, r.words.join(' ')]);
          data.push(['anchor', '2026-10-01T00:00:00Z', 'a', 'great']);
          const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('current: latest', 'current: "2026-10"'), 'data/responses.csv': csv(HEADER, data) });
          const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
          const r = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2026-10').results.get('sentiment')!;
          const x = r.extra as any;
          const sum = x.shares.positive.share + x.shares.neutral.share + x.shares.negative.share;
          expect(sum).toBeCloseTo(100, 9);
          for (const k of ['positive', 'neutral', 'negative']) {
            expect(x.shares[k].share).toBeGreaterThanOrEqual(0);
            expect(x.shares[k].share).toBeLessThanOrEqual(100);
          }
          expect(r.value!).toBeGreaterThanOrEqual(-100);
          expect(r.value!).toBeLessThanOrEqual(100);
          expect(r.ci![0]).toBeGreaterThanOrEqual(-100);
          expect(r.ci![1]).toBeLessThanOrEqual(100);
          const october = list.filter((l) => l.month === '10');
          expect(r.n + r.excluded).toBe(october.length + 1);
          expect(r.excluded).toBe(october.filter((l) => l.words.join(' ').trim() === '').length);
          expect(r.breakdowns.channel.reduce((a, g) => a + g.n, 0)).toBe(r.n);
          for (const t of x.themes) {
            expect(t.mentions).toBeGreaterThanOrEqual(2);
            expect(t.mentions).toBeLessThanOrEqual(r.n);
            expect(t.positive + t.neutral + t.negative).toBe(t.mentions);
            expect(t.examples.length).toBeLessThanOrEqual(3);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});

describeShared('sentiment: UCI Sentiment Labelled Sentences (Kotzias et al., KDD 2015)', () => {
  // Each file: 500 positive (1) and 500 negative (0) sentences, `sentence<TAB>label`, split on the last tab.
  // Through the pipeline with group = the label, the per-group counts are the confusion matrix.
  // Accuracy is reported two ways: among sentences the lexicon gives a polarity (documented lower bound 0.80),
  // and over all 1,000 with "neutral" counted wrong (AFINN finds no opinion word in 25–30% of them).
  async function confusion(file: string) {
    const lines = readFileSync(sharedFile('sentiment', file), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const data = lines.map((l, i) => {
      const tab = l.lastIndexOf('\t');
      return [`U${i}`, '2015-01-01', l.slice(tab + 1).trim(), l.slice(0, tab)];
    });
    const config = CONFIG.replace('data/responses.csv', 'uci.csv').replace('group: channel, themes: { min_count: 2 }', 'group: channel');
    const dir = makeProject({ 'cxreport.yaml': config, 'uci.csv': csv(HEADER, data) });
    const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const r = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2015-01').results.get('sentiment')!;
    const groups = Object.fromEntries((r.extra as any).groups.map((g: any) => [g.group, g]));
    const pos = groups['1'];
    const neg = groups['0'];
    const c = { tp: pos.positive.count, posNeutral: pos.neutral.count, fn: pos.negative.count, fp: neg.positive.count, negNeutral: neg.neutral.count, tn: neg.negative.count };
    const polar = c.tp + c.fn + c.fp + c.tn;
    return { n: r.n, c, accuracyPolar: (c.tp + c.tn) / polar, accuracyAll: (c.tp + c.tn) / lines.length, coverage: polar / lines.length };
  }
  it('yelp: accuracy 0.852 among polar sentences (≥ 0.80), 0.599 overall', async () => {
    const r = await confusion('uci_yelp_labelled.txt');
    expect(r.n).toBe(1000);
    expect(r.c).toEqual({ tp: 393, posNeutral: 92, fn: 15, fp: 89, negNeutral: 205, tn: 206 });
    expect(r.accuracyPolar).toBeGreaterThanOrEqual(0.8);
    expect(r.accuracyPolar).toBeCloseTo(599 / 703, 10);
    expect(r.accuracyAll).toBeCloseTo(0.599, 10);
  });
  it('amazon: accuracy 0.863 among polar sentences (≥ 0.80), 0.622 overall', async () => {
    const r = await confusion('uci_amazon_cells_labelled.txt');
    expect(r.n).toBe(1000);
    expect(r.c).toEqual({ tp: 390, posNeutral: 97, fn: 13, fp: 86, negNeutral: 182, tn: 232 });
    expect(r.accuracyPolar).toBeGreaterThanOrEqual(0.8);
    expect(r.accuracyPolar).toBeCloseTo(622 / 721, 10);
  });
  it('imdb: accuracy 0.860 among polar sentences (≥ 0.80), 0.641 overall', async () => {
    const r = await confusion('uci_imdb_labelled.txt');
    expect(r.c).toEqual({ tp: 354, posNeutral: 118, fn: 28, fp: 76, negNeutral: 137, tn: 287 });
    expect(r.accuracyPolar).toBeGreaterThanOrEqual(0.8);
    expect(r.accuracyAll).toBeCloseTo(0.641, 10);
  });
});


describe('sentiment in Simplified Chinese (report.locale: zh-CN)', () => {
  let zh: BuildResult;
  let text: string;
  beforeAll(async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n'), 'data/responses.csv': csv(HEADER, rows()) });
    zh = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = metricSectionText(zh.html);
  });

  it('the message set has the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('method, test and default label are Chinese; the numbers and themes are unchanged', () => {
    const r = zh.computed.results.get('sentiment')!;
    expect(r.method).toMatch(/^每条评论通过 `sentiment` npm 包（v[\d.]+）使用 AFINN-165 词表（Nielsen 2011）评分/);
    expect(r.method).toContain('将评论归为正面（> 0.05）、负面（< -0.05）或中性');
    expect(r.method).not.toMatch(/comment|Themes|interval|Change/);
    const m = JSON.parse(zh.metrics).metrics.sentiment;
    expect(m).toMatchObject({ label: '净情感值', test: '两个净情感值之差的 z 检验（三项分布标准误）', value: json.metrics.sentiment.value, p: json.metrics.sentiment.p });
    expect(m.themes).toEqual(json.metrics.sentiment.themes);
  });

  it('the metric section speaks Chinese: chart, legend, themes and group tables', () => {
    expect(text).toContain('2026年10月净情感值为 +20.0：正面 50.0%，中性 20.0%，负面 30.0%');
    expect(text).toContain('各期被归为正面、中性和负面的评论占比（AFINN-165 词典，得分阈值 -0.05 / 0.05）；2026年10月评论数 n = 10。数据来源：responses。');
    expect(text).toContain('各期评论情感堆积条形图：2026年9月正面 25.0%，负面 50.0%（n = 8）；2026年10月正面 50.0%，负面 30.0%（n = 10）。');
    expect(text).toContain('评论占比（%）');
    expect(text).toContain('2026年10月评论谈论的主题 主题 评论数 占比 净情感值 客户原话');
    expect(text).toContain('主题为至少出现在 2 条评论中的短语');
    expect(text).toContain('2026年10月按 channel 划分的情感 channel 评论数 正面 中性 负面 净值');
    const english = ['Positive', 'Neutral', 'Negative', 'positive', 'negative', 'neutral', 'Net sentiment', 'Comments', 'comments', 'Theme', 'Example', 'Source:', 'Frequent', 'Sentiment by', 'Stacked', 'October', 'Oct 2026'];
    expect(english.filter((w) => text.includes(w))).toEqual([]);
  });
});
