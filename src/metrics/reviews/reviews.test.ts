/**
 * Reviews through the real pipeline on a tiny fixture worked by hand, the located config error,
 * exclusions, property tests, and the Amazon Alexa reviews (3,150) against an independent count.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CxError } from '../../kernel/errors.js';
import { build, load, type BuildResult } from '../../app/pipeline.js';
import { computeMetrics } from '../index.js';
import { normalCdf, studentTCdf } from '../../kernel/stats.js';
import { MESSAGES, reviews } from './index.js';
import { sameKeys } from '../../kernel/i18n.js';
import { csv, makeProject } from '../../../test/project.js';
import { describeShared, sharedFile } from '../../../test/shared-data.js';
import { metricSectionText } from '../../../test/html-text.js';

const HEADER = ['review_id', 'product', 'rating', 'submitted_at', 'text'];
const OCTOBER = [5, 5, 4, 4, 3, 5, 1, 2, 5, 4];
const SEPTEMBER = [5, 5, 5, 4, 4, 5, 5, 4];

function rows(): (string | number | null)[][] {
  const out: (string | number | null)[][] = [];
  SEPTEMBER.forEach((r, i) => out.push([`S${i}`, i % 2 ? 'Dot' : 'Echo', r, `2026-09-${String(i + 1).padStart(2, '0')}`, 'fine']));
  OCTOBER.forEach((r, i) => out.push([`O${i}`, i < 6 ? 'Echo' : 'Dot', r, `2026-10-${String(i + 1).padStart(2, '0')}T12:00:00Z`, i === 6 ? 'Broke after a week, "useless"' : 'ok']));
  out.push(['X1', 'Echo', 0, '2026-10-20', 'zero']);
  out.push(['X2', 'Echo', '4.5', '2026-10-21', 'half']);
  out.push(['X3', 'Dot', 'five', '2026-10-22', 'word']);
  out.push(['X4', 'Dot', null, '2026-10-23', 'none']);
  out.push(['X5', 'Dot', 5, '31-Jul-18', 'not ISO']);
  return out;
}

const CONFIG = `report:
  title: Reviews
  period: { granularity: month, current: latest }
  min_sample: 5
sources:
  reviews: { type: csv, path: data/reviews.csv }
metrics:
  stars: { type: reviews, source: reviews, rating: rating, date: submitted_at, product: product }
  top2: { type: reviews, source: reviews, rating: rating, date: submitted_at, measure: top2 }
sections:
  - { type: kpis, metrics: [stars, top2] }
  - { type: metric, metric: stars }
  - { type: distribution, metric: stars }
  - { type: breakdown, metric: stars, by: product }
`;

let result: BuildResult;
let json: any;

beforeAll(async () => {
  const dir = makeProject({ 'cxreport.yaml': CONFIG, 'data/reviews.csv': csv(HEADER, rows()) });
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  json = JSON.parse(result.metrics);
});

describe('reviews: mean stars (worked by hand)', () => {
  // October ratings 5,5,4,4,3,5,1,2,5,4: n = 10, Σ = 38, mean 3.8; Σx² = 162;
  // s² = (162 − 38²/10)/9 = 17.6/9 = 1.955556; SE = √(1.955556/10) = 0.442217; t(0.975, 9) = 2.262157;
  // CI = 3.8 ± 1.000361 = [2.799639, 4.800361].
  it('mean and t interval', () => {
    const m = json.metrics.stars;
    expect(m.unit).toBe('score');
    expect(m.value).toBeCloseTo(3.8, 10);
    expect(m.n).toBe(10);
    expect(m.se).toBeCloseTo(0.442217, 5);
    expect(m.ci[0]).toBeCloseTo(2.799639, 5);
    expect(m.ci[1]).toBeCloseTo(4.800361, 5);
  });
  // September 5,5,5,4,4,5,5,4: n = 8, Σ = 37, mean 4.625, Σx² = 173, s² = (173 − 37²/8)/7 = 1.875/7 = 0.267857.
  // Welch: SE² = 1.955556/10 + 0.267857/8 = 0.195556 + 0.033482 = 0.229038; t = (3.8 − 4.625)/0.478579 = −1.723853;
  // df = 0.229038²/(0.195556²/9 + 0.033482²/7) = 0.0524583/0.00440924 = 11.8974.
  it("Welch's t-test for the change", () => {
    const m = json.metrics.stars;
    expect(m.previous.value).toBeCloseTo(4.625, 10);
    expect(m.delta).toBeCloseTo(-0.825, 10);
    expect(m.test).toBe("Welch's t-test");
    expect(m.statistic).toBeCloseTo(-1.723853, 5);
    expect(m.p).toBeCloseTo(2 * studentTCdf(-1.723853, 11.8974), 4);
    expect(m.significant).toBe(false);
  });
  it('distribution of 1–5 stars, top-two share and volume in extra', () => {
    const m = json.metrics.stars;
    // 1★ 1, 2★ 1, 3★ 1, 4★ 3, 5★ 4
    expect(m.distribution.map((d: any) => d.count)).toEqual([1, 1, 1, 3, 4]);
    expect(m.distribution.map((d: any) => d.band)).toEqual(['negative', 'negative', 'neutral', 'positive', 'positive']);
    expect(m.stars.map((s: any) => s.share)).toEqual([10, 10, 10, 30, 40]);
    expect(m.top2).toMatchObject({ count: 7, share: 70 });
    expect(m.previousSummary).toMatchObject({ period: '2026-09', n: 8, mean: 4.625, top2: 100 });
    expect(m.volume).toEqual([{ period: '2026-09', reviews: 8 }, { period: '2026-10', reviews: 10 }]);
    // products in October: Echo 5,5,4,4,3,5 (n 6, mean 26/6); Dot 1,2,5,4 (n 4, mean 3)
    expect(m.products.map((p: any) => [p.product, p.n])).toEqual([['Echo', 6], ['Dot', 4]]);
    expect(m.products[0].mean).toBeCloseTo(26 / 6, 10);
    expect(m.products[1].top2).toBe(50);
  });
  it('breakdown by product sums to the total', () => {
    const groups = json.metrics.stars.breakdowns.product;
    expect(groups.reduce((a: number, g: any) => a + g.n, 0)).toBe(10);
  });
});

describe('reviews: share of 4–5 stars (worked by hand)', () => {
  // 7 of 10 → 70%. Wilson: centre (0.7 + 3.841459/20)/(1 + 0.3841459) = 0.892073/1.384146 = 0.644496;
  // half = 1.959964·√(0.7·0.3/10 + 3.841459/400)/1.384146 = 1.959964·√0.030604/1.384146 = 0.247715 → [39.6781, 89.2211]%.
  // September 8 of 8. Pooled 15/18 = 0.833333; SE = √(0.833333·0.166667·(1/8 + 1/10)) = √0.03125 = 0.176777;
  // z = (0.7 − 1)/0.176777 = −1.697056; p = 2·Φ(−1.697056) = 0.08969.
  it('Wilson interval and z-test', () => {
    const m = json.metrics.top2;
    expect(m.unit).toBe('percent');
    expect(m.value).toBeCloseTo(70, 10);
    expect(m.ci[0]).toBeCloseTo(39.6781, 3);
    expect(m.ci[1]).toBeCloseTo(89.2211, 3);
    expect(m.statistic).toBeCloseTo(-1.697056, 5);
    expect(m.p).toBeCloseTo(2 * normalCdf(-1.697056), 6);
    expect(m.p).toBeCloseTo(0.08969, 4);
  });
});

describe('reviews: exclusions and errors', () => {
  it('counts excluded ratings by reason, never coercing', () => {
    const m = json.metrics.stars;
    expect(m.exclusions).toEqual({ 'out of range': 1, 'not an integer': 1, 'not a number': 1, 'missing score': 1 });
    expect(m.excluded).toBe(4);
    expect(m.excludedAllPeriods['missing or invalid date']).toBe(1);
  });
  it('unknown rating column: located at `rating:` with a hint', async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('rating: rating, date: submitted_at, product', 'rating: ratng, date: submitted_at, product'), 'data/reviews.csv': csv(HEADER, rows()) });
    const error = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }).then(() => null, (e) => e);
    expect(error).toBeInstanceOf(CxError);
    expect(error.message).toBe('metric "stars": column "ratng" not found in source "reviews" (data/reviews.csv)');
    // line 8: "  stars: { type: reviews, source: reviews, rating: " is 51 characters → the value starts at column 52
    expect(`${error.location.file}:${error.location.line}:${error.location.column}`).toBe('cxreport.yaml:8:52');
    expect(error.hint).toMatch(/^did you mean `rating`\?/);
  });
  it('the report shows the star chart, the volume table and the product table', () => {
    expect(result.html).toContain('Reviews per period');
    expect(result.html).toContain('Ratings by product, October 2026');
    expect(result.html).toContain('70.0% of 10 reviews in October 2026 gave 4–5 stars; mean 3.80');
  });
});

describe('reviews: invariants (property)', () => {
  it('shares in [0, 100], mean within the scale, distribution and breakdown counts sum to n', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ rating: fc.constantFrom(1, 2, 3, 4, 5, 0, 6, '', 'x', '3.5'), month: fc.constantFrom('09', '10'), product: fc.constantFrom('A', 'B', '') }), { minLength: 1, maxLength: 80 }),
        async (list) => {
          const data = list.map((r, i) => [`R${i}`, r.product, r.rating, `2026-${r.month}-15`, '']);
          data.push(['anchor', 'A', 5, '2026-10-01', '']);
          const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('current: latest', 'current: "2026-10"'), 'data/reviews.csv': csv(HEADER, data) });
          const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
          const computed = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2026-10');
          const stars = computed.results.get('stars')!;
          const top2 = computed.results.get('top2')!;
          const valid = list.filter((r) => r.month === '10' && [1, 2, 3, 4, 5].includes(r.rating as number)).length + 1;
          expect(stars.n).toBe(valid);
          expect(stars.excluded).toBe(list.filter((r) => r.month === '10').length + 1 - valid);
          expect(stars.distribution.reduce((a, d) => a + d.count, 0)).toBe(stars.n);
          expect(stars.value!).toBeGreaterThanOrEqual(1);
          expect(stars.value!).toBeLessThanOrEqual(5);
          expect(top2.value!).toBeGreaterThanOrEqual(0);
          expect(top2.value!).toBeLessThanOrEqual(100);
          expect(top2.ci![0]).toBeGreaterThanOrEqual(0);
          expect(top2.ci![1]).toBeLessThanOrEqual(100);
          expect(stars.breakdowns.product.reduce((a, g) => a + g.n, 0)).toBe(stars.n);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describeShared('reviews: Amazon Alexa reviews (NikhitaMethwani/Amazon-Alexa-Review-Using-Sentiment-Analysis)', () => {
  it('mean rating and share of 4–5 stars equal an independent computation over the 3,150 reviews', async () => {
    // UTF-8 with BOM, tab-separated, CRLF; dates like 31-Jul-18 (not ISO), converted here to ISO dates.
    const text = readFileSync(sharedFile('reviews', 'amazon_alexa.tsv'), 'utf8').replace(/^\uFEFF/, '');
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    const header = lines[0].split('\t');
    const iRating = header.indexOf('rating');
    const iDate = header.indexOf('date');
    const iVariation = header.indexOf('variation');
    const months: Record<string, string> = { Jan: '01', Feb: '02', Mar: '03', Apr: '04', May: '05', Jun: '06', Jul: '07', Aug: '08', Sep: '09', Oct: '10', Nov: '11', Dec: '12' };
    const data: (string | number)[][] = [];
    let sum = 0;
    let top = 0;
    const stars = [0, 0, 0, 0, 0];
    for (const line of lines.slice(1)) {
      const f = line.split('\t');
      const [d, mon, yy] = f[iDate].split('-');
      const rating = Number(f[iRating]);
      sum += rating;
      if (rating >= 4) top++;
      stars[rating - 1]++;
      data.push([rating, `20${yy}-${months[mon]}-${d.padStart(2, '0')}`, f[iVariation].trim()]);
    }
    expect(data.length).toBe(3150);
    const config = `report:
  title: Alexa
  period: { granularity: year, current: latest }
sources:
  alexa: { type: csv, path: alexa.csv }
metrics:
  mean: { type: reviews, source: alexa, rating: rating, date: date, product: variation }
  top2: { type: reviews, source: alexa, rating: rating, date: date, measure: top2 }
sections:
  - { type: metric, metric: mean }
`;
    const dir = makeProject({ 'cxreport.yaml': config, 'alexa.csv': csv(['rating', 'date', 'variation'], data) });
    const loaded = await load({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    const computed = computeMetrics(loaded.config, loaded.prepared, loaded.sources, '2018');
    const mean = computed.results.get('mean')!;
    const top2 = computed.results.get('top2')!;
    expect(mean.n).toBe(3150);
    expect(mean.excluded).toBe(0);
    expect(mean.value).toBeCloseTo(sum / 3150, 12);
    expect(mean.value).toBeCloseTo(4.463175, 6); // 14,059 stars / 3,150
    expect(top2.value).toBeCloseTo((100 * top) / 3150, 12);
    expect(top2.value).toBeCloseTo(87.015873, 5); // 2,741 of 3,150 (455 four-star + 2,286 five-star)
    expect(mean.distribution.map((d) => d.count)).toEqual(stars);
    expect(stars).toEqual([161, 96, 152, 455, 2286]);
  });
});


describe('reviews in Simplified Chinese (report.locale: zh-CN)', () => {
  let zh: BuildResult;
  let text: string;
  beforeAll(async () => {
    const dir = makeProject({ 'cxreport.yaml': CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n'), 'data/reviews.csv': csv(HEADER, rows()) });
    zh = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = metricSectionText(zh.html);
  });

  it('the message set has the same keys and placeholders in every locale', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
  });

  it('methods, tests and default labels are Chinese; the score engine keeps its English method; the numbers are unchanged', () => {
    const stars = zh.computed.results.get('stars')!;
    const top2 = zh.computed.results.get('top2')!;
    expect(stars.method).toMatch(/^1–5 星量表上有效评分的平均星级。95% 置信区间：x̄ ± t\(0\.975, n−1\)·s\/√n。与上期相比的变化：Welch 不等方差 t 检验。同时报告 1–5 星的分布/);
    expect(top2.method).toMatch(/^在 1–5 星量表的有效评分中，4–5 星评分所占的比例，以百分比表示。/);
    expect(`${stars.method} ${top2.method}`).not.toMatch(/[Rr]atings|interval|Change|reviews/);
    // the score engine's own method (used by the survey sections) stays the English report's text
    expect(reviews.method({ measure: 'mean', scale: 5 } as never)).toBe(result.computed.results.get('stars')!.method);
    const metrics = JSON.parse(zh.metrics).metrics;
    expect(metrics.stars).toMatchObject({ label: '平均评分', test: 'Welch t 检验', value: json.metrics.stars.value, p: json.metrics.stars.p });
    expect(metrics.top2).toMatchObject({ label: '4–5★ 占比', test: '双比例 z 检验（合并比例）', value: json.metrics.top2.value });
  });

  it('the metric section speaks Chinese: chart title, caption, star axis and legend, volume and product tables', () => {
    expect(text).toContain('2026年10月的 10 条评论中，70.0% 给出了 4–5 星；平均 3.80 星');
    expect(text).toMatch(/2026年10月的星级评分（n = 10）；平均值的 t 区间为 [\d.]+ 至 [\d.]+，前两档占比的 Wilson 区间为 [\d.]+ 至 [\d.]+%。数据来源：reviews。/);
    expect(text).toContain('2026年10月星级评分条形图：1 星 1 条，2 星 1 条，3 星 1 条，4 星 3 条，5 星 4 条；最常见的评分为 5 星。');
    expect(text).toContain('星级');
    expect(text).toContain('评论数');
    expect(text).toContain('1–2 星');
    expect(text).toContain('4–5 星');
    expect(text).toContain('各期评论数 期间 评论数 平均评分 95% 置信区间 2026年9月 8');
    expect(text).toContain('2026年10月按 product 划分的评分 product 评论数 平均分 4–5★');
    const english = [' reviews', 'Reviews', 'stars', ' star', 'Stars', 'Mean', 'mean ', 'Period', 'Ratings by', 'Source:', 'Bar chart', 'interval', 'rating', 'October', 'Oct 2026', 'share'];
    expect(english.filter((w) => text.includes(w))).toEqual([]);
  });
});
