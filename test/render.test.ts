/** The HTML report: every section type, real values, escaping of customer text, self-contained. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { decodeEntities } from './html-text.js';
import { csv, HOSTILE_COMMENT, makeProject, SURVEY_CONFIG, SURVEY_HEADER, surveyProject, surveyRows } from './project.js';

let result: BuildResult;
let html: string;

beforeAll(async () => {
  const dir = surveyProject();
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
  html = result.html;
});

/** Text of the element with this id attribute, tags stripped, whitespace collapsed. */
function sectionText(type: string): string {
  const start = html.indexOf(`data-section-type="${type}"`);
  expect(start, `section ${type} is rendered`).toBeGreaterThan(-1);
  const end = html.indexOf('</section>', start);
  return decodeEntities(html.slice(start, end).replace(/<svg[\s\S]*?<\/svg>/g, ' ').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
}

describe('sections', () => {
  it('renders every section type, in config order, and the methods appendix last', () => {
    const order = [...html.matchAll(/data-section-type="([a-z-]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(['kpis', 'trend', 'breakdown', 'distribution', 'verbatims', 'markdown', 'case-study', 'methods']);
  });

  it('KPI cards show value, interval, change, significance and n', () => {
    const text = sectionText('kpis');
    expect(text).toContain('+20.0');
    expect(text).toContain('95% CI −34.0 to +74.0');
    expect(text).toContain('+45.0 pts vs September 2026');
    expect(text).toContain('90.0%');
    expect(text).toContain('95% CI 59.6 to 98.2%');
    // CES 5.70 with a 95% CI of 4.99 to 6.41: a half-width of 0.71 supports one decimal (precision.ts)
    expect(text).toContain('5.7 / 7');
    expect(text).toContain('95% CI 5.0 to 6.4');
    expect(text).toContain('n = 10');
    expect(text).toContain('Target +25.0');
    // CSAT and CES changed significantly, NPS did not: only they get a sentence.
    expect(text).toContain('CSAT rose 65.0 pts to 90.0% (95% CI 59.6 to 98.2%, n = 10) since September 2026; the change is significant (p = 0.005).');
    expect(text).not.toMatch(/NPS rose/);
    expect((html.match(/class="sig"/g) ?? []).length).toBe(2);
  });

  it('trend carries a headline from the data and the per-period table', () => {
    const text = sectionText('trend');
    // +45.0 with n = 10 is not significant: the headline states no direction (issue 18)
    expect(text).toContain('NPS was 45.0 pts higher than in September — within noise');
    expect(text).toMatch(/September 2026 −25\.0 −[\d.]+ to \+[\d.]+ 8/);
  });

  it('breakdown lists each group with n and CI', () => {
    const text = sectionText('breakdown');
    expect(text).toMatch(/email 100\.0% [\d.]+ to 100\.0% 5/);
    expect(text).toMatch(/phone 80\.0% [\d.]+ to [\d.]+% 5/);
    expect(text).toContain('Benjamini–Hochberg');
  });

  it('distribution states the detractor share', () => {
    expect(sectionText('distribution')).toContain('30.0% of October 2026 respondents are detractors');
  });

  it('verbatims quote only current-period detractors, attributed by segment and date', () => {
    const text = sectionText('verbatims');
    expect(text).toContain('2 of 2 comments from detractors in October 2026');
    expect(text).toContain('NPS 3 · APAC · 2026-10-10');
    expect(text).not.toContain('Love it');
  });

  it('markdown interpolates formatted values', () => {
    expect(html).toContain('NPS is <strong>+20.0</strong> (n = 10) in October 2026.');
  });

  it('case study compares the segment before/after against the rest', () => {
    const text = sectionText('case-study');
    expect(text).toContain('We changed onboarding .');
    // EMEA: September 10,9,8,6,5,4 (NPS 2/6 − 3/6 → −16.7); October 10,9,7,0 (NPS 2/4 − 1/4 → +25.0)
    expect(text).toMatch(/NPS was \+25\.0 \(95% CI −[\d.]+ to \+[\d.]+\), 41\.7 pts higher than before \(not significant, p = [\d.]+\)/);
    expect(text).toContain('Rest of company');
    expect(text).toContain('Caveat.');
  });

  it('methods appendix lists definitions, exclusions and sources', () => {
    const text = sectionText('methods');
    expect(text).toContain('Wilson score interval');
    expect(text).toContain("Welch's t-test");
    expect(text).toContain('Excluded in October 2026: 1 missing score, 1 not a number, 1 not an integer, 1 out of range');
    // the lookup table comes first, and the exclusion wording is said once, in the notes
    expect(text.indexOf('The metrics at a glance')).toBeLessThan(text.indexOf('Each metric in detail'));
    expect(text.match(/are excluded, never corrected/g)).toHaveLength(1);
    // the data source's path may wrap after a slash, never inside a name
    expect(html).toContain('<td class="mono path">data/<wbr>responses.csv</td>');
  });
});

describe('customer text is escaped everywhere', () => {
  it('a <script> comment appears as text, never as markup', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Support was slow &amp; &quot;unhelpful&quot;');
  });

  it('markup in group names is escaped inside the SVG charts and tables', async () => {
    const rows = surveyRows().map((r, i) => (i === 12 ? r.map((v, j) => (j === 2 ? '<img src=x onerror=alert(1)>' : v)) : r));
    const dir = makeProject({ 'cxreport.yaml': SURVEY_CONFIG, 'data/responses.csv': csv(SURVEY_HEADER, rows) });
    const hostile = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    expect(hostile.html).not.toMatch(/<img src=x/);
    expect(hostile.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('self-contained output', () => {
  it('has no script and references nothing outside the file', () => {
    expect(html).not.toMatch(/<script|<link|@import|<iframe/i);
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//i);
    const urls = [...html.matchAll(/url\(([^)]*)\)/g)].map((m) => m[1]);
    expect(urls.every((u) => u.startsWith('#'))).toBe(true);
    expect(html).toContain("Content-Security-Policy");
  });

  it('charts are inline SVG with generated alternative text', () => {
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(7);
    expect(html).toMatch(/aria-label="Line chart of NPS for 3 months from August 2026 \(\+100\.0\) to October 2026 \(\+20\.0\)/);
  });

  it('is byte-identical when built twice from the same input', async () => {
    const dir = surveyProject();
    const again = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir });
    expect(again.html).toBe(html);
    expect(again.metrics).toBe(result.metrics);
  });
});

describe('case study and the report period', () => {
  it('never uses data after the report period: a window not reached yet is said so', async () => {
    const dir = surveyProject();
    const september = await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir, period: '2026-09' });
    const start = september.html.indexOf('data-section-type="case-study"');
    const text = september.html.slice(start, september.html.indexOf('</section>', start)).replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('window lies after September 2026: there is no before/after comparison in this report yet.');
    // the October answers of EMEA (n = 4) must not appear in a September report
    expect(text).toMatch(/no data \(n &#x3D; 0\)|no data \(n = 0\)/);
    expect(text).not.toContain('+25.0');
  });
});
