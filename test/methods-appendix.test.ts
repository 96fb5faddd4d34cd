/**
 * The methods appendix model (issue 21 item 8) and display precision (item 6), without a browser:
 * the flagship's model built in-process in English and in Chinese, and the formatters on numbers
 * worked by hand. The printed PDF is checked in test/flagship-print.test.ts.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { load, modelFor, type Loaded } from '../src/app/pipeline.js';
import { formatter } from '../src/kernel/format.js';
import { sameKeys } from '../src/kernel/i18n.js';
import type { SectionModel } from '../src/report/model.js';
import { precise, scoreDecimals } from '../src/kernel/precision.js';
import { MESSAGES as CARD_MESSAGES } from '../src/report/sections/kpi-notes.messages.js';
import { cleanMethod, shortTest } from '../src/report/sections/methods-glance.js';
import { MESSAGES } from '../src/report/sections/methods-glance.messages.js';
import { repoRoot } from './pdf-fixtures.js';

type Methods = Extract<SectionModel, { type: 'methods' }>;

describe('money by magnitude and scores to their interval (worked by hand)', () => {
  const f = formatter('en');
  it('money: $k and $M with three significant digits from $10,000, whole dollars from $100', () => {
    // 1,765,517.80 / 10^6 = 1.7655… → 1.77; 42,986.63 / 10^3 = 42.98… → 43.0; 65,050.55 → 65.1
    expect(f.value(1_765_517.8, 'currency')).toBe('$1.77M');
    expect(f.interval([42_986.63, 65_050.55], 'currency')).toBe('$43.0k to $65.1k');
    expect(f.value(52_880.09, 'currency')).toBe('$52.9k');
    expect(f.value(1_213.32, 'currency')).toBe('$1,213');
    expect(f.value(333.37, 'currency')).toBe('$333');
    expect(f.value(6.91, 'currency')).toBe('$6.91');
    expect(f.delta(3_998.84, 'currency')).toBe('+$3,999');
    expect(f.delta(-6.91, 'currency')).toBe('−$6.91');
    // rounding that crosses a unit moves to the next one: 999,950 → 1.00M, 9,999.6 → 10.0k
    expect(f.value(999_950, 'currency')).toBe('$1.00M');
    expect(f.value(9_999.6, 'currency')).toBe('$10.0k');
    // the bare number for tables and charts keeps the cents
    expect(f.number(52_880.09, 'currency')).toBe('52,880.09');
  });

  it('a score gets the decimals whose step is at most half its interval’s half-width', () => {
    expect(scoreDecimals([82.09, 82.81])).toBe(1); // half-width 0.36: 0.1 ≤ 0.18 < 1
    expect(scoreDecimals([5.13, 5.28])).toBe(2); // 0.075: 0.01 ≤ 0.0375 < 0.1
    expect(scoreDecimals([25, 96])).toBe(0);
    expect(scoreDecimals(null)).toBe(2);
    const health = precise(f, { unit: 'score', ci: [82.09, 82.81] });
    // the change keeps two decimals: its own interval (−0.32 to −0.07) supports them
    expect([health.value(82.45, 'score'), health.interval([82.09, 82.81], 'score'), health.delta(-0.19, 'score')]).toEqual(['82.5', '82.1 to 82.8', '−0.19']);
    // other units are untouched
    expect(precise(f, { unit: 'points', ci: [20, 40] }).value(29.14, 'points')).toBe('+29.1');
  });
});

describe('the appendix text, cleaned', () => {
  it('drops exclusion boilerplate and internal references; names formulas and citations for what they are', () => {
    const en = cleanMethod(
      'Churn rate = L/S × 100. Rows with a missing id are excluded (never corrected) and counted. Breakdowns group customers by their value of the column, with Benjamini–Hochberg adjusted p-values. Source: churn = customers lost / customers at the period start (reference/metrics.md).',
      'en',
    );
    expect(en).toBe('Churn rate = L/S × 100. Formula: churn = customers lost / customers at the period start.');
    expect(cleanMethod('Estimate. Source: Kaplan–Meier with Greenwood variance (reference/metrics.md; Kaplan & Meier 1958).', 'en')).toBe('Estimate. Reference: Kaplan & Meier 1958.');
    expect(cleanMethod('Value. Source: expansion revenue, NRR and GRR (reference/metrics.md).', 'en')).toBe('Value.');
    expect(cleanMethod('Interval (500 resamples, seeded Mulberry32 generator, seed 1). Customers by `signup_date`.', 'en')).toBe('Interval (500 resamples, a fixed random seed). Customers by signup_date.');
    expect(cleanMethod('x。来源：流失率 = 流失客户数 / 期初客户数（reference/metrics.md）。', 'zh-CN')).toBe('x。公式：流失率 = 流失客户数 / 期初客户数。');
  });

  it('short test names for the lookup table', () => {
    expect(shortTest("Mood's median test (two-proportion z-test on the share above the pooled median)", 'en')).toBe('Mood’s median test');
    expect(shortTest('bootstrap over customers of both periods (500 resamples, seed 1)', 'en')).toBe('bootstrap over customers');
    expect(shortTest('not tested: consecutive periods share most accounts', 'en')).toBe('not tested');
    expect(shortTest('paired t-test over the 5,027 accounts scored in both periods', 'zh-CN')).toBe('配对 t 检验');
    // a zh-CN build's own wording
    expect(shortTest('两期客户联合重抽样的自助法检验，500 次重抽样，随机种子 1', 'zh-CN')).toBe('对客户自助法重抽样');
    expect(shortTest('相邻期间共享大部分账户和客户，属于相关样本，对变化做独立样本检验并不成立，因此不作检验', 'zh-CN')).toBe('不检验');
    expect(shortTest('Mood 中位数检验（对高于合并中位数的比例做双比例 z 检验）', 'zh-CN')).toBe('Mood 中位数检验');
  });

  it('its messages have the same keys and placeholders in English and Chinese', () => {
    expect(sameKeys(MESSAGES)).toEqual([]);
    expect(sameKeys(CARD_MESSAGES)).toEqual([]);
  });
});

describe('the flagship appendix model, in English and in Chinese', () => {
  let loaded: Loaded;
  const byLocale: Record<string, Methods> = {};

  beforeAll(async () => {
    loaded = await load({ configPath: resolve(repoRoot, 'cxreport.yaml'), cwd: repoRoot, env: {} });
    for (const locale of ['en', 'zh-CN'] as const) {
      const config = { ...loaded.config, report: { ...loaded.config.report, locale } };
      const { model } = modelFor({ ...loaded, config });
      byLocale[locale] = model.sections.find((s) => s.type === 'methods') as Methods;
    }
  }, 120_000);

  it('has one lookup row per metric, with n and a data-through date from the data', () => {
    const m = byLocale.en;
    const results = Object.keys(loaded.config.metrics);
    expect(m.glance!.table.rows).toHaveLength(results.length);
    for (const row of m.glance!.table.rows) {
      expect(row.cells).toHaveLength(6);
      expect(row.cells.every((c) => c !== '' && c !== undefined)).toBe(true);
      expect(row.cells[3]).toMatch(/^\d{1,3}(,\d{3})*$/);
      expect(row.cells[5]).toMatch(/^\w+ · \d{1,2} \w{3} \d{4}$/);
    }
    expect(m.sources.every((s) => s.through && s.through !== '—')).toBe(true);
  });

  for (const locale of ['en', 'zh-CN']) {
    it(`${locale}: unique headings, no internal words, the exclusion wording once`, () => {
      const m = byLocale[locale];
      const headings = m.metrics.map((x) => x.heading);
      expect(new Set(headings).size).toBe(headings.length);
      for (const h of headings) expect(h, h).not.toMatch(/^(.+) — \1$/);
      const text = [...m.metrics.flatMap((x) => [x.heading, x.method, ...(x.nLines ?? [])]), ...m.notes, ...m.glance!.table.rows.flatMap((r) => r.cells)].join('\n');
      for (const word of ['reference/metrics.md', 'retainedOfStart', '`', 'Mulberry32', 'cxreport metrics reference', 'cxreport 指标参考', 'seed 1', '随机种子 1']) expect(text, word).not.toContain(word);
      // the lookup table's test column is a short name, not the module's whole sentence
      for (const row of m.glance!.table.rows) expect(row.cells[4].length, row.cells[4]).toBeLessThanOrEqual(40);
      expect(text).not.toMatch(/(Source|来源)[:：][^.。]*=/);
      // once, in the notes
      const once = locale === 'en' ? /excluded, never corrected/g : /均被排除、从不修正/g;
      expect(text.match(once)).toHaveLength(1);
      const boilerplate = locale === 'en' ? /(Rows|Orders) with [^.]* are excluded/ : /的行均被排除（从不修正）并计数/;
      expect(text).not.toMatch(boilerplate);
      // the two sentiment metrics share one description, each with its own n
      const sentiment = m.metrics.find((x) => (x.nLines ?? []).length === 2);
      expect(sentiment?.nLines?.join(' ')).toMatch(/5,206/);
    });
  }
});
