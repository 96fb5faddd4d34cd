/**
 * Issue 21 item 1 on the flagship (cxreport.yaml): the executive summary names every missed target
 * with its value and target, says "below target" on the cards that miss theirs, and states what
 * moved from the highlights scan. Read back from the printed PDF with poppler's pdftotext, the
 * numbers compared with metrics.json. Skipped, with the reason, without a browser or poppler.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatter } from '../src/kernel/format.js';
import { pageTexts, pdfSkipReason, repoRoot, runMain, squash, testEnv } from './pdf-fixtures.js';

const fmt = formatter('en');

describe.skipIf(pdfSkipReason !== null)(`the flagship's executive summary in the PDF${pdfSkipReason ? ` (skipped: ${pdfSkipReason})` : ''}`, () => {
  let pages: string[];
  let summary: string;
  let html: string;
  let metrics: Record<string, any>;
  let highlights: any;
  let summaryPage: string;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'cx-summary-'));
    const run = await runMain(['build', 'cxreport.yaml', '--out', out, '--quiet'], { cwd: repoRoot, env: testEnv() });
    expect(run.code, run.stderr).toBe(0);
    pages = pageTexts(join(out, 'report.pdf'));
    html = await readFile(join(out, 'report.html'), 'utf8');
    const json = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    metrics = json.metrics;
    highlights = json.highlights;
    // the summary, in reading order (two-column blocks read one after the other): from its heading to the next section's
    const first = pages.findIndex((p) => /^\s*Executive summary\s*$/m.test(p));
    const end = pages.findIndex((p, i) => i >= first && /^\s*What stands out\s*$/m.test(p));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-f', String(first + 1), '-l', String(end + 1), join(out, 'report.pdf'), '-'], { encoding: 'utf8' });
    summary = squash(text.split(/^\s*What stands out\s*$/m)[0]);
    summaryPage = squash(pages[first]);
  }, 300_000);

  it("shows each metric's description on its cards (escaped), and leaves it off the printed summary's cards to keep one page", () => {
    expect(html).toContain('<p class="kpi-desc">How likely customers are to recommend Acme Cloud (0–10).</p>');
    expect(html).toContain('<p class="kpi-desc">&quot;Acme made it easy to handle my issue&quot; (1–7, 7 &#x3D; very easy).</p>');
    expect(summaryPage).not.toContain(squash('How likely customers are to recommend'));
    expect(pages.some((p) => squash(p).includes(squash('Share of the customers at the')))).toBe(true);
  });

  it('is one printed page: the six cards, the four blocks and the chart with its caption on the page of its heading', () => {
    for (const label of ['NPS', 'CSAT', 'CES', 'Churn', 'NRR', 'Health score']) expect(summaryPage).toContain(squash(label));
    for (const block of ['What moved', 'Below target', 'Where the report finds why', 'What to watch']) expect(summaryPage).toContain(squash(block));
    expect(summaryPage).toContain(squash('SLA attainment over the last 12 months, against its target'));
    expect(summaryPage).toContain(squash('Chosen because it moved significantly and misses its target.'));
    // at most three sentences to watch
    const watch = /<h3>What to watch<\/h3>[^]*?<\/ul>/.exec(html)![0];
    expect((watch.match(/<li\b/g) ?? []).length).toBeGreaterThan(0);
    expect((watch.match(/<li\b/g) ?? []).length).toBeLessThanOrEqual(3);
  });

  it('names every missed target with its value and target (NPS 29.1 vs 30, CSAT 73.1 vs 75, NRR 99.7 vs 100, SLA 67.1 vs 85)', () => {
    expect(summary).toContain(squash('Below target'));
    const missed = ['sla', 'csat', 'nps', 'nrr'];
    for (const id of missed) {
      const r = metrics[id];
      expect(r.value < r.target, id).toBe(true);
      const line = `${r.label} ${fmt.value(r.value, r.unit)} vs target ${fmt.value(r.target, r.unit)}: ${fmt.delta(r.target - r.value, r.unit).replace(/^\+/, '')} short`;
      expect(summary, line).toContain(squash(line));
    }
    expect(summary).toContain(squash('NPS +29.1 vs target +30.0: 0.9 pts short'));
    expect(summary).toContain(squash('SLA attainment 67.1% vs target 85.0%: 17.9 pts short; the whole 95% interval (63.7 to 70.3%) is below target.'));
    // a met target is not listed: churn 1.8% against a ceiling of 2%
    expect(metrics.churn.value).toBeLessThan(metrics.churn.target);
    expect(summary).not.toMatch(/Churn \S+ vs target/);
  });

  it('marks the cards that miss their target "below target", and only those', () => {
    const cards = pages.find((p) => /^\s*Executive summary\s*$/m.test(p))!;
    // NPS, CSAT and NRR miss theirs; churn meets its ceiling (✓); CES and health have none
    // the marker is set in capitals (CSS), the block title and sentences are not
    expect(cards.match(/BELOW TARGET/g) ?? []).toHaveLength(3);
    for (const id of ['nps', 'csat', 'nrr']) expect(html).toMatch(new RegExp(`id="kpi-${id}"[\\s\\S]*?<strong class="kpi-below">below target</strong>[\\s\\S]*?</article>`));
    const churn = html.slice(html.indexOf('id="kpi-churn"'), html.indexOf('</article>', html.indexOf('id="kpi-churn"')));
    expect(churn).not.toContain('kpi-below');
    expect(churn).toContain('✓');
  });

  it('says what moved from the highlights scan: SLA attainment +13.0 pts, significant after adjusting across the scan', () => {
    const sla = highlights.items.find((i: any) => i.metric === 'sla' && i.dimension === null);
    expect(sla.significant).toBe(true);
    expect(sla.pAdjusted).toBeLessThan(0.001);
    expect(summary).toContain(squash('What moved'));
    expect(summary).toContain(squash(`SLA attainment rose ${fmt.delta(sla.delta, 'percent').replace(/^\+/, '')} to ${fmt.value(sla.value, 'percent')} since September 2026 (adjusted p < 0.001).`));
    expect(summary).toContain(squash('Where the report finds why'));
    expect(summary).toContain(squash('SLA attainment is lowest for email (Channel): 52.6%'));
    expect(summary).toContain(squash('What to watch'));
  });
});
