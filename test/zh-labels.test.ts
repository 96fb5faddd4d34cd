/**
 * Issue 21 item 9, a report in Simplified Chinese that names data as the reader knows it:
 * `label:` of a source and `values:` of a column (schema, located errors, where they show), no-break
 * spaces inside values, four-digit years, and the printed PDF — text extracted whole, no Type 3
 * fonts, no line broken inside "p < 0.001" or a number and its unit.
 */
import { execFileSync } from 'node:child_process';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { fontCss, fontResponse, FONT_ORIGIN, parseUnicodeRange, withFonts, facesFor } from '../src/render/cjk-font.js';
import { keepValuesTogether, keepValuesTogetherInHtml } from '../src/render/keep-together.js';
import { periodLabelIn } from '../src/kernel/i18n.js';
import { pageTexts, pdfSkipReason, runMain, tempDir, testEnv } from './pdf-fixtures.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

const NBSP = '\u00a0';

/** The survey fixture in zh-CN with its source and columns labelled in Chinese. */
const LABELLED = SURVEY_CONFIG.replace('  min_sample: 5\n', '  min_sample: 5\n  locale: zh-CN\n').replace(
  '  responses: { type: csv, path: data/responses.csv }\n',
  '  responses: { type: csv, path: data/responses.csv, label: 调查回复, columns: { channel: { label: 渠道, values: { email: 邮件, phone: 电话 } }, region: { label: 区域, values: { EMEA: 欧洲、中东和非洲, APAC: 亚太 } } } }\n',
);

/** Visible text of an HTML document (styles and tags removed, entities decoded, whitespace — no-break spaces too — collapsed). */
function visibleText(html: string): string {
  return html
    .replace(/<style[^>]*>[\s\S]*?<\/style>/g, ' ')
    .replace(/<\/?span\b[^>]*>/g, '') // inline: no word break (zh-CN values sit in no-wrap spans)
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

describe('labels: schema and located errors', () => {
  it.each([
    ['a value label that is not text', "columns: { channel: { values: { email: 3 } } }", /cxreport\.yaml:6:\d+: config error: sources\.responses\.columns\.channel[^\n]*values\.email/],
    ['an empty value label', "columns: { channel: { values: { email: '' } } }", /cxreport\.yaml:6:\d+: config error: sources\.responses\.columns\.channel[^\n]*values\.email/],
    ['an empty source label', "label: ''", /cxreport\.yaml:6:\d+: config error: sources\.responses\.label/],
    ['values as a list', 'columns: { channel: { values: [邮件, 电话] } }', /cxreport\.yaml:6:\d+: config error: sources\.responses\.columns\.channel[^\n]*values/],
  ])('%s is a located config error', async (_, extra, message) => {
    const dir = surveyProject(SURVEY_CONFIG.replace('  responses: { type: csv, path: data/responses.csv }\n', `  responses: { type: csv, path: data/responses.csv, ${extra} }\n`));
    const run = await runMain(['validate'], { cwd: dir, env: testEnv() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    await rm(dir, { recursive: true, force: true });
  });

  it('a labelled config validates', async () => {
    const dir = surveyProject(LABELLED);
    const run = await runMain(['validate'], { cwd: dir, env: testEnv() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    await rm(dir, { recursive: true, force: true });
  });
});

describe('no-break spaces inside values (zh-CN)', () => {
  it.each([
    ['变化显著（p < 0.001）。', `变化显著（p${NBSP}<${NBSP}0.001）。`],
    ['（p &lt; 0.001）', `（p${NBSP}&lt;${NBSP}0.001）`],
    ['是（p = 0.04）', `是（p${NBSP}=${NBSP}0.04）`],
    ['n &#x3D; 1,189', `n${NBSP}&#x3D;${NBSP}1,189`],
    ['上升 65.0 个百分点，达到', `上升 65.0${NBSP}个百分点，达到`],
    ['中位数 1 小时 5 分钟', `中位数 1${NBSP}小时${NBSP}5${NBSP}分钟`],
    ['2 天 3 小时', `2${NBSP}天${NBSP}3${NBSP}小时`],
    ['−1.2 分 较', `−1.2${NBSP}分 较`],
    ['共 12 个同期群', `共 12${NBSP}个同期群`],
  ])('%s', (text, expected) => expect(keepValuesTogether(text)).toBe(expected));

  it('keeps dates whole in HTML', () => {
    expect(keepValuesTogetherInHtml('<p>截至 2026年10月31日，2025年11月至 2026年第4季度</p>')).toBe(
      '<p>截至 <span style="white-space:nowrap">2026年10月31日</span>，<span style="white-space:nowrap">2025年11月</span>至 <span style="white-space:nowrap">2026年第4季度</span></p>',
    );
  });

  it('leaves words, dates and ranges alone', () => {
    for (const text of ['2026年10月 上升', 'NPS 在 2026年10月上升', '95% 置信区间 59.6 至 98.2%', 'Acme Cloud 客户']) expect(keepValuesTogether(text)).toBe(text);
  });

  it('in HTML: values in spans that do not wrap; tags, attributes, styles, titles and SVG untouched', () => {
    const nw = (v: string) => `<span style="white-space:nowrap">${v}</span>`;
    const html = '<title>p = 0.5</title><p title="p = 0.5 个">变化（p = 0.5），用时 1 小时 5 分钟</p><style>a { width: 5 分 }</style><svg><text>1 小时 5 分钟</text></svg><td>65.0 个百分点</td>';
    expect(keepValuesTogetherInHtml(html)).toBe(
      `<title>p = 0.5</title><p title="p = 0.5 个">变化（${nw(`p${NBSP}=${NBSP}0.5`)}），用时 ${nw(`1${NBSP}小时${NBSP}5${NBSP}分钟`)}</p><style>a { width: 5 分 }</style><svg><text>1 小时 5 分钟</text></svg><td>${nw(`65.0${NBSP}个百分点`)}</td>`,
    );
  });

  it('four-digit years on axes', () => {
    expect(periodLabelIn('zh-CN', '2025-11', 'month', 'short')).toBe('2025年11月');
    expect(periodLabelIn('zh-CN', '2026-Q4', 'quarter', 'short')).toBe('2026年第4季度');
  });
});

describe('the CJK print font (src/render/cjk-font.ts)', () => {
  it('reads the package: regular and bold faces with unicode ranges, covering common characters', () => {
    expect(parseUnicodeRange('U+4e00-4e0f,U+3000, U+30??')).toEqual([[0x4e00, 0x4e0f], [0x3000, 0x3000], [0x3000, 0x30ff]]);
    const faces = facesFor('客户体验报告 2026年10月 第页，共');
    expect(new Set(faces.map((f) => f.weight))).toEqual(new Set([400, 700]));
    // every CJK character of the text lies in some face, and each listed face covers one of them
    for (const ch of '客户体验报告年月第页共，') expect(faces.some((f) => f.ranges.some(([lo, hi]) => ch.codePointAt(0)! >= lo && ch.codePointAt(0)! <= hi)), ch).toBe(true);
    expect(facesFor('Latin only 2026')).toEqual([]);
  });

  it('answers only its own origin and only files the package lists', () => {
    const face = facesFor('年')[0]!;
    const bytes = fontResponse(`${FONT_ORIGIN}${face.file}`);
    expect(bytes?.subarray(0, 4).toString('latin1')).toBe('wOF2');
    expect(fontResponse(`${FONT_ORIGIN}../../package.json`)).toBeNull();
    expect(fontResponse(`https://example.com/${face.file}`)).toBeNull();
    expect(fontResponse(`${FONT_ORIGIN}${face.file.replace('.woff2', '.woff')}`)).toBeNull();
  });

  it('the print page gets the faces and its CSP lets only that origin in for fonts', () => {
    const html = `<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:"></head><body>x</body></html>`;
    const out = withFonts(html, '测试公司 第 页，共 页');
    expect(out).toContain(`font-src data: ${FONT_ORIGIN}"`);
    expect(out).toContain("default-src 'none'");
    expect(out).toContain(fontCss());
    expect(out).toMatch(/font-family:'Noto Sans CJK SC'[^}]*src:url\(data:font\/woff2;base64,/);
    expect(out).toMatch(/<div aria-hidden="true"[^>]*>[^<]*测[^<]*<\/div><\/body>/);
  });
});

describe('a zh-CN report with labelled data (HTML)', () => {
  let result: BuildResult;
  let text: string;
  let dir: string;
  beforeAll(async () => {
    dir = surveyProject(LABELLED);
    result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    text = visibleText(result.html);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('titles, bars, table rows, verbatims and the case study use the labels', () => {
    expect(result.model.toc.map((t) => t.title)).toContain('按渠道划分的 CSAT');
    expect(text).toContain('按渠道划分的 CSAT：电话最低，为 80.0%；邮件最高，为 100.0%');
    const svgs = [...result.html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]).join('\n');
    expect(svgs).toMatch(/>邮件<\/text>/);
    expect(svgs).toMatch(/>电话<\/text>/);
    expect(text).toMatch(/NPS \d+ · (欧洲、中东和非洲|亚太) · 2026-10-\d\d/);
    expect(text).toContain('细分群体：区域 = 欧洲、中东和非洲');
    expect(text).toContain('数据来源：调查回复。');
  });

  it('no raw column key, value or source name in the generated text before the methods appendix', () => {
    // the appendix's data dictionary lists the file's own column names on purpose
    const body = text.slice(0, text.lastIndexOf('方法附录'));
    const user = ['Test report', 'Notes', 'EMEA study', 'We changed', 'Love it', 'Support was slow', 'unhelpful', 'Great in September', 'August note', '<script>alert(1)</script>'];
    let generated = body;
    for (const u of user) generated = generated.replaceAll(u, '');
    for (const raw of ['channel', 'region', 'responses', 'email', 'phone', 'EMEA', 'APAC']) expect(generated, raw).not.toContain(raw);
  });

  it('filters and segments still match the data’s own values', () => {
    const cs = result.model.sections.find((s) => s.type === 'case-study') as { rows?: unknown } | undefined;
    expect(cs).toBeDefined();
    // the EMEA segment found its responses (the case study's table has a value for it, not "no data")
    expect(text).toMatch(/NPS 为 [+−]\d+\.\d（95% 置信区间/);
  });
});

describe.skipIf(pdfSkipReason !== null)(`the printed zh-CN PDF${pdfSkipReason ? ` (skipped: ${pdfSkipReason})` : ''}`, () => {
  let out: string;
  let project: string;
  let lines: string[];
  let pages: string[];
  /** sentences whose values land at every position of a line (offsets of 0–39 characters) */
  const SENTENCES = Array.from({ length: 40 }, (_, i) => `${'测'.repeat(i)}变化显著（p < 0.001），平均用时 1 小时 5 分钟，上升 65.0 个百分点，截至 2026年10月31日共 1,189 条回复。`);

  beforeAll(async () => {
    const config = LABELLED.replace('  - type: markdown\n    title: Notes\n    text: "NPS is **{{metrics.nps.value}}** (n = {{metrics.nps.n}}) in {{period.label}}."\n', `  - type: markdown\n    title: Notes\n    text: "${SENTENCES.join('')}"\n`);
    expect(config).toContain(SENTENCES[0]);
    project = surveyProject(config.replace('  title: Test report\n', '  title: 客户体验月报\n  organisation: 测试公司\n'));
    out = await tempDir('cxreport-zh-labels-pdf-');
    const run = await runMain(['build', '--out', out, '--format', 'pdf', '-q'], { cwd: project, env: testEnv({ SOURCE_DATE_EPOCH: '1793491200' }) });
    expect(run.code, run.stderr).toBe(0);
    pages = pageTexts(join(out, 'report.pdf'));
    lines = pages.flatMap((p) => p.split('\n').map((l) => l.replace(/\u00a0/g, ' ').trim()));
  });
  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
    await rm(project, { recursive: true, force: true });
  });

  it('embeds fonts as CID/TrueType subsets: no Type 3 font at all', () => {
    const fonts = execFileSync('pdffonts', [join(out, 'report.pdf')], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.filter((f) => /Type 3/.test(f))).toEqual([]);
    expect(fonts.some((f) => /NotoSansSC\S*\s+CID TrueType/.test(f))).toBe(true);
  });

  it('pdftotext extracts "2026年10月" whole, the Chinese header and footer, and the labels', () => {
    const all = pages.join('\n');
    expect(all.split('2026年10月').length - 1).toBeGreaterThan(5);
    expect(all).toContain('客户体验月报');
    // the footer counts physical pages: the first body page is page 2, after the cover
    expect(all).toMatch(/第\s?2\s?页，共\s?\d+\s?页/);
    expect(all).toContain('按渠道划分的 CSAT');
    expect(all).toContain('数据来源：调查回复');
    expect(all).not.toMatch(/按 ?channel ?划分|数据来源：responses/);
  });

  it('no line breaks inside "p < 0.001", a duration or a number and its unit', async () => {
    // every sentence's values are there, whole, once each
    const joined = lines.join('\n');
    expect(joined.split('p < 0.001').length - 1).toBeGreaterThanOrEqual(SENTENCES.length);
    expect(joined.split('1 小时 5 分钟').length - 1).toBeGreaterThanOrEqual(SENTENCES.length);
    expect(joined.split('65.0 个百分点').length - 1).toBeGreaterThanOrEqual(SENTENCES.length);
    expect(joined.split('2026年10月31日').length - 1).toBeGreaterThanOrEqual(SENTENCES.length);
    // and no visual line ends inside one of them
    const broken: string[] = [];
    for (let i = 0; i + 1 < lines.length; i++) {
      const [a, b] = [lines[i]!, lines[i + 1]!];
      if (/^[\d\s.,+\u2212-]+$/.test(a)) continue; // a chart's tick labels above its axis title, not running text
      if (/\bp\s*[<=]?$/.test(a) && /^[<=]?\s*\d/.test(b)) broken.push(`${a} ⏎ ${b}`);
      if (/\d$/.test(a) && /^(小时|分钟|个百分点|条|分)/.test(b)) broken.push(`${a} ⏎ ${b}`);
      if (/小时$/.test(a) && /^\d+\s*分钟/.test(b)) broken.push(`${a} ⏎ ${b}`);
      // Chinese also breaks between ideographs: inside a unit
      if (/\d\s*(小|分|个|个百|个百分)$/.test(a) && /^(时|钟|百分点|分点|点)/.test(b)) broken.push(`${a} ⏎ ${b}`);
      // and inside a date
      if (/\d{4}(年(\d{1,2}(月(\d{1,2})?)?)?)?$/.test(a) && /^(年|\d{1,2}月|月|\d{1,2}日|日)/.test(b)) broken.push(`${a} ⏎ ${b}`);
    }
    expect(broken).toEqual([]);
    expect((await stat(join(out, 'report.pdf'))).size).toBeGreaterThan(10_000);
  });
});
