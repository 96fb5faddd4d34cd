/**
 * report.locale: the message catalogues, period/date/number formats per locale, and the test
 * fixture built in Simplified Chinese (HTML, charts, methods appendix, summary, notebook and the
 * printed PDF). English output is covered byte for byte by the other suites.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csat, type CsatDef } from '../src/metrics/score/csat.js';
import { ces, type CesDef } from '../src/metrics/score/ces.js';
import { nps, type NpsDef } from '../src/metrics/score/nps.js';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { renderNotebook } from '../src/render/notebook.js';
import { readOutline } from '../src/render/pdf-document.js';
import { summaryMarkdown } from '../src/render/summary.js';
import { formatter } from '../src/kernel/format.js';
import { catalogues, dayLabelIn, LOCALES, metricMethod, periodLabelIn, placeholders, translator } from '../src/kernel/i18n.js';
import { pageTexts, pdfInfo, pdfSkipReason, runMain, tempDir, testEnv } from './pdf-fixtures.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

const zh = translator('zh-CN');
const en = translator('en');

describe('message catalogues', () => {
  it('every locale has exactly the keys of the English catalogue', () => {
    const keys = Object.keys(catalogues.en).sort();
    for (const locale of LOCALES) expect(Object.keys(catalogues[locale]).sort(), locale).toEqual(keys);
  });

  it('each message has the same placeholders in every locale', () => {
    const differ: string[] = [];
    for (const [key, message] of Object.entries(catalogues.en)) {
      for (const locale of LOCALES) {
        const other = (catalogues[locale] as Record<string, string>)[key];
        if (JSON.stringify(placeholders(other)) !== JSON.stringify(placeholders(message))) differ.push(`${locale} ${key}: ${placeholders(other)} vs ${placeholders(message)}`);
      }
    }
    expect(differ).toEqual([]);
  });

  it('no Chinese message is left in English or empty (bar numeric/symbolic ones)', () => {
    const same = Object.entries(catalogues['zh-CN']).filter(([key, m]) => m === (catalogues.en as Record<string, string>)[key] && /[A-Za-z]{3,}/.test(m.replace(/\{\w+\}/g, '')));
    expect(same.map(([k]) => k)).toEqual([]);
  });

  it('t fills placeholders, refuses a missing one, and spaces Han from Latin text at the seams only', () => {
    expect(en('kpis.target', { value: '+25.0' })).toBe('Target +25.0');
    expect(() => en('kpis.target')).toThrow(/needs \{value\}/);
    expect(zh('trend.rose', { label: 'NPS', period: '2026年10月' })).toBe('NPS 在 2026年10月上升');
    // a Chinese label gets no space; values are never changed inside
    expect(zh('trend.rose', { label: '满意度', period: '2026年10月' })).toBe('满意度在 2026年10月上升');
    expect(zh('distribution.title', { period: '2026年10月', label: 'CSAT' })).toBe('2026年10月 CSAT 回答分布');
    expect(zh('breakdown.title', { label: 'NPS', by: '区域A组' })).toBe('按区域A组划分的 NPS');
  });
});

describe('dates and numbers per locale', () => {
  it('period labels: zh-CN via Intl, English unchanged', () => {
    expect(periodLabelIn('zh-CN', '2026-10', 'month')).toBe('2026年10月');
    expect(periodLabelIn('zh-CN', '2026-10', 'month', 'short')).toBe('2026年10月'); // four-digit years on axes too (issue 21)
    expect(periodLabelIn('zh-CN', '2026-Q4', 'quarter')).toBe('2026年第4季度');
    expect(periodLabelIn('zh-CN', '2026', 'year')).toBe('2026年');
    expect(periodLabelIn('en', '2026-10', 'month')).toBe('October 2026');
    expect(periodLabelIn('en', '2026-10', 'month', 'short')).toBe('Oct 2026');
    expect(periodLabelIn('en', '2026-Q4', 'quarter')).toBe('Q4 2026');
    expect(dayLabelIn('zh-CN', Date.UTC(2026, 9, 31))).toBe('2026年10月31日');
    expect(dayLabelIn('en', Date.UTC(2026, 9, 31))).toBe('31 October 2026');
  });

  it('numbers: d3-format locale, unit words in Chinese; English as before', () => {
    const z = formatter('zh-CN');
    const e = formatter('en');
    // amounts keep the data's currency symbol (not converted, so not relabelled as yuan)
    // money by magnitude (whole dollars from $100, $k from $10,000, $M from $1,000,000)
    expect(z.value(1204.5, 'currency')).toBe('$1,205');
    expect(e.value(1204.5, 'currency')).toBe('$1,205');
    expect(z.delta(-1204.5, 'currency')).toBe('−$1,205');
    expect(z.delta(2.34, 'points')).toBe('+2.3 分');
    expect(z.delta(-2.34, 'percent')).toBe('−2.3 个百分点');
    expect(e.delta(2.34, 'percent')).toBe('+2.3 pts');
    expect(z.value(2.25, 'duration')).toBe('2 小时 15 分钟');
    expect(z.value(76, 'duration')).toBe('3 天 4 小时');
    expect(e.value(2.25, 'duration')).toBe('2 h 15 min');
    expect(z.interval([27, 35.4], 'percent')).toBe('27.0 至 35.4%');
    expect(z.value(null, 'points')).toBe('无数据');
    expect(z.count(1180)).toBe('1,180');
    expect(z.p(0.0342)).toBe('p = 0.03');
  });

  it('the English catalogue copies of the NPS/CSAT/CES method paragraphs match the modules', () => {
    const fill = (key: 'method.nps' | 'method.csat' | 'method.ces', vars = {}) => en(key, vars);
    expect(fill('method.nps')).toBe(nps.method({ type: 'nps' } as NpsDef));
    expect(fill('method.csat', { scale: 5, satisfied: [4, 5].join(en('method.csat.or')) })).toBe(csat.method({ type: 'csat', scale: 5 } as CsatDef));
    expect(fill('method.ces', { scale: 7, direction: en('method.ces.easier') })).toBe(ces.method({ type: 'ces', scale: 7, direction: 'higher-is-easier' } as CesDef));
    expect(fill('method.ces', { scale: 5, direction: en('method.ces.harder') })).toBe(ces.method({ type: 'ces', scale: 5, direction: 'higher-is-harder' } as CesDef));
    // outside English the report layer translates by metric type; unknown types keep the module's text
    expect(metricMethod(zh, 'csat', { scale: 7, satisfied: [6, 7] }, 'x')).toContain('1–7 分量表');
    expect(metricMethod(zh, 'csat', { scale: 7, satisfied: [6, 7] }, 'x')).toContain('6 或 7 分');
    expect(metricMethod(zh, 'churn', {}, 'English churn method.')).toBe('English churn method.');
    expect(metricMethod(en, 'nps', {}, 'module text')).toBe('module text');
  });
});

/** The test fixture with `report.locale: zh-CN`. */
const ZH_CONFIG = SURVEY_CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n');

/** Visible text of an HTML document: styles and tags removed, entities decoded, whitespace collapsed. */
function visibleText(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<\/?span\b[^>]*>/g, '') // inline: no word break (zh-CN values sit in no-wrap spans)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** English words of the built-in text that must not be left in a Chinese report. */
const ENGLISH_BUILT_IN = [
  'Executive summary', 'What changed', 'significant', 'Target', 'Methods appendix', 'Metric definitions', 'Statistical notes', 'Data sources',
  'Contents', 'Customer experience report', 'Data through', 'Generated', 'Period', 'compared with', 'Case study', 'Analyst narrative', 'Measured effect',
  'Caveat', 'Rest of company', 'Before', 'After', 'Change', 'Responses', 'Answer', 'Detractors', 'Promoters', 'Passives', 'comments from', 'sampled at random',
  'valid responses', 'excluded', 'Source:', 'trend', ' by channel', 'answers in', 'Page', 'rose', 'fell', 'no data', ' pts', ' to ', 'vs ', 'built by',
  'Net Promoter Score', 'Customer Satisfaction', 'Customer Effort Score', 'interval', 'points', 'Values per period', 'low sample',
];

describe('a report in Simplified Chinese (report.locale: zh-CN)', () => {
  let result: BuildResult;
  let text: string;

  beforeAll(async () => {
    const dir = surveyProject(ZH_CONFIG);
    result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = visibleText(result.html);
  });

  it('defaults to English, and zh-CN is the html lang and the model lang', async () => {
    const dir = surveyProject();
    const english = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    expect(english.config.report.locale).toBe('en');
    expect(english.html).toContain('<html lang="en">');
    expect(result.model.lang).toBe('zh-CN');
    expect(result.html).toContain('<html lang="zh-CN">');
  });

  it('cover, contents and section titles are Chinese; periods read 2026年10月', () => {
    expect(result.model.period.label).toBe('2026年10月');
    expect(result.model.dataThrough).toBe('2026年10月23日');
    expect(text).toContain('客户体验报告');
    expect(text).toContain('报告期 2026年10月（对比 2026年9月）');
    expect(text).toContain('数据截至 2026年10月23日');
    expect(result.model.toc.map((t) => t.title)).toEqual([
      '执行摘要',
      'NPS 趋势',
      '按 channel 划分的 CSAT',
      '2026年10月 NPS 回答分布',
      '贬损者的反馈（2026年10月）',
      'Notes', // the user's own title
      'EMEA study', // the user's own title
      '方法附录',
    ]);
    expect(text).toContain('目录');
  });

  it('KPI cards and the change sentence are Chinese', () => {
    expect(text).toContain('NPS 净推荐值');
    expect(text).toContain('95% 置信区间 −34.0 至 +74.0');
    expect(text).toContain('+45.0 分 较 2026年9月 不显著');
    expect(text).toContain('+65.0 个百分点 较 2026年9月 显著');
    expect(text).toContain('n = 10 · 目标 +25.0');
    expect(text).toContain('主要变化');
    expect(text).toContain('CSAT 较 2026年9月上升 65.0 个百分点，达到 90.0%（95% 置信区间 59.6 至 98.2%，n = 10）；变化显著（p = 0.005）。');
  });

  it('charts carry Chinese axis titles, legend, target and before/after labels inside the SVG', () => {
    const svgs = [...result.html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]).join('\n');
    expect(svgs).toContain('NPS（分）');
    expect(svgs).toContain('CSAT（%）');
    expect(svgs).toContain('目标 25');
    expect(svgs).toContain('26年10月');
    expect(svgs).toContain('分值');
    expect(svgs).toContain('回复数');
    expect(svgs).toContain('贬损者（0–6）');
    expect(svgs).toContain('公司其余部分');
    expect(svgs).toContain('干预前');
    for (const word of ['Target', 'Answer', 'Responses', 'Rest of company', 'Before', 'After', '(points)', 'Oct 2026', 'X-axis']) expect(svgs, word).not.toContain(word);
  });

  it('trend, breakdown, distribution, verbatims and case study speak Chinese', () => {
    // NPS +45.0 is not significant with n = 10: no direction word (issue 18)
    expect(text).toContain('NPS 比 9月高 45.0 分，在随机波动范围内');
    expect(text).toContain('每月的净推荐值，含 95% 置信区间带。');
    expect(text).toContain('按 channel 划分的 CSAT：phone 最低，为 80.0%；email 最高，为 100.0%');
    expect(text).toContain('是（p = 0.04）');
    expect(text).toContain('p 值经 Benjamini–Hochberg 法在 2 个组之间校正');
    expect(text).toContain('2026年10月有 30.0% 的受访者属于“贬损者”');
    expect(text).toContain('贬损者（0–6）：30.0% · 被动者（7–8）：20.0% · 推荐者（9–10）：50.0%');
    expect(text).toContain('从 2026年10月贬损者的 2 条评论中随机抽取 2 条（随机种子 1）；按原文照录，仅标注细分群体和日期。');
    expect(text).toContain('案例研究');
    expect(text).toContain('细分群体：region = EMEA。干预前（2026年9月—2026年9月）与干预后（2026年10月—2026年10月）对比；对照组：其他所有回复。');
    expect(text).toMatch(/NPS 为 \+25\.0（95% 置信区间 [^）]+），比之前高 41\.7 分，不显著（p = 0\.45）；公司其余部分同期变化 \+66\.7 分/);
    // the analyst's own Markdown interpolates the localised period
    expect(text).toContain('NPS is +20.0 (n = 10) in 2026年10月.');
  });

  it('the methods appendix: Chinese method paragraphs, exclusions and statistical notes', () => {
    expect(text).toContain('方法附录');
    expect(text).toContain('NPS — 净推荐值');
    expect(text).toContain('推荐者（9–10 分）占比减去贬损者（0–6 分）占比');
    expect(text).toContain('回答为 4 或 5 分（即“满意”）的比例');
    expect(text).toContain('（分值越高表示越省力）');
    expect(text).toMatch(/2026年10月 ?n = 10。2026年10月排除：缺少分值 1 条，非数字 1 条，非整数 1 条，超出范围 1 条；/);
    expect(text).toContain('所有期间：缺少分值 1 条，非数字 1 条，非整数 1 条，超出范围 1 条，日期缺失或无效 1 条。');
    // the lookup table first, and the exclusion wording once, in the notes
    expect(text).toContain('指标一览');
    expect(text.match(/均被排除、从不修正/g)).toHaveLength(1);
    expect(text).toContain('有效回复少于 5 条的单元格会被标记（灰色显示，“n < 5”），解读时请谨慎。');
    expect(text).toContain('回复按其时间戳（UTC）归入各月份。');
    expect(text).toContain('submitted_at（文本）');
  });

  it('leaves no English built-in text in the page, its attributes or its charts', () => {
    const userText = ['Test report', 'Notes', 'EMEA study', 'We changed', 'Great in September', 'August note', 'Love it', 'Support was slow', 'unhelpful'];
    let visible = text;
    for (const u of userText) visible = visible.replaceAll(u, '');
    const attributes = [...result.html.matchAll(/(?:alt|aria-label|title|content)="([^"]*)"/g)].map((m) => m[1]).join(' | ');
    const left = ENGLISH_BUILT_IN.filter((w) => visible.includes(w) || attributes.includes(w.trim()));
    expect(left).toEqual([]);
  });

  it('the Markdown summary and the notebook title cell are Chinese', async () => {
    const summary = summaryMarkdown(result.model, result.computed);
    expect(summary).toContain('| 指标 | 数值 | 95% 置信区间 | 较 2026年9月变化 | 是否显著 | 样本量 |');
    expect(summary).toContain('| CSAT | 90.0% | 59.6 至 98.2% | +65.0 个百分点 | 是（p = 0.005） | 10 |');
    const notebook = JSON.parse(await renderNotebook(result.model, result.config));
    expect(notebook.cells[0].source.join('')).toContain('2026年10月 · 数据截至 2026年10月23日。下方每个单元格');
    expect(notebook.cells.at(-1).source.join('')).toBe('# 方法附录：由 cxreport 根据上述指标生成');
  });
});

describe.skipIf(pdfSkipReason !== null)(`the printed PDF in Chinese${pdfSkipReason ? ` (skipped: ${pdfSkipReason})` : ''}`, () => {
  let out: string;
  let pages: string[];
  let info: Record<string, string>;
  let bytes: Uint8Array;
  const dirs: string[] = [];

  beforeAll(async () => {
    const project = surveyProject(ZH_CONFIG.replace('  title: Test report\n', '  title: 客户体验月报\n  organisation: 测试公司\n'));
    out = await tempDir('cxreport-locale-pdf-');
    dirs.push(project, out);
    const run = await runMain(['build', '--out', out, '--format', 'pdf', '-q'], { cwd: project, env: testEnv({ SOURCE_DATE_EPOCH: '1793491200' }) });
    expect(run.code, run.stderr).toBe(0);
    pages = pageTexts(join(out, 'report.pdf'));
    info = pdfInfo(join(out, 'report.pdf'));
    bytes = await readFile(join(out, 'report.pdf'));
  });
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('the cover shows the Chinese title, 2026年10月 and the Chinese labels; no running footer', () => {
    expect(pages[0]).toContain('客户体验月报');
    expect(pages[0]).toContain('2026年10月');
    expect(pages[0]).toContain('客户体验报告');
    expect(pages[0]).toContain('数据截至');
    expect(pages[0]).not.toMatch(/第\s*\d+\s*页/);
  });

  it('every body page has the footer "第 X 页，共 Y 页" and the running header', () => {
    const n = Number(info.Pages);
    expect(n).toBeGreaterThan(3);
    // pdftotext may drop the spaces around the numbers ("第1页，共5页")
    const footers = pages.slice(1).map((p) => /第\s*(\d+)\s*页，共\s*(\d+)\s*页\s*$/.exec(p.trimEnd()));
    footers.forEach((m, i) => {
      expect(m, `page ${i + 2}`).not.toBeNull();
      // physical page numbers: the cover is page 1
      expect([Number(m![1]), Number(m![2])]).toEqual([i + 2, n]);
    });
    // -raw keeps the header on one line (-layout splits the CJK and Latin runs of the small header)
    const raw = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', '-f', '2', '-l', '2', join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    expect(raw).toContain('客户体验月报 2026年10月');
    expect(raw).toMatch(/测试公司 第 ?2 ?页，共 ?\d+ ?页/);
    expect(pages[1]).toContain('测试公司');
    expect(pages.join('\n')).not.toMatch(/Page \d+ of \d+/);
  });

  it('extracts as Chinese text: contents, KPI sentence and methods appendix', () => {
    const all = pages.join('\n').replace(/[ \t]+/g, ' ');
    expect(all).toContain('目录');
    expect(all).toContain('执行摘要');
    expect(all).toContain('主要变化');
    expect(all).toContain('方法附录');
    expect(all).toContain('统计说明');
    expect(all).not.toContain('Executive summary');
    expect(all).not.toContain('Methods appendix');
  });

  it('metadata: Chinese title and subject, /Lang zh-CN, bookmarks 封面 and 目录', async () => {
    expect(info.Title).toBe('客户体验月报 — 2026年10月');
    expect(info.Subject).toBe('测试公司 2026年10月客户体验报告');
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.catalog.lookup(PDFName.of('Lang'), PDFString).decodeText()).toBe('zh-CN');
    const titles = (await readOutline(bytes)).map((o) => o.title);
    expect(titles.slice(0, 3)).toEqual(['封面', '目录', '执行摘要']);
    expect(titles).toContain('方法附录');
  });
});
