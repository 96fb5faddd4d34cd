/**
 * Issue 21, items 2, 3, 4 and 7 on the flagship report (cxreport.yaml at the repo root, data from
 * examples/acme/): one CLV on the card with a name that says what it is, one health-score verdict
 * (the paired test, the same number everywhere), a readable support-times chart, and the chart
 * details (cohort colour scale, survival legend, red health bins, the review-rating chart, current
 * month labelled, 12 churn periods with the price-rise annotation, SLA target lines, column labels).
 *
 * The flagship's metrics and sections that these items touch are built once, from the flagship's
 * own definitions (so a change to cxreport.yaml shows here), with the slow metrics left out.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { build, type BuildResult } from '../src/app/pipeline.js';
import { MESSAGES as CLV_MESSAGES } from '../src/metrics/clv/messages.js';

const root = join(import.meta.dirname, '..');
const METRICS = ['churn', 'cohorts', 'survival', 'clv_simple', 'clv', 'first_response', 'sla', 'review_rating', 'health'];

let result: BuildResult;
let metrics: Record<string, any>;
let flagship: any;

/** Every chart spec of the sections on one metric (by section type), in order. */
function specs(type: string, metric: string): any[] {
  const out: any[] = [];
  for (const s of result.model.sections as any[]) {
    const blocks = s.type === type && String(s.id).startsWith(`${type}-${metric.replace(/_/g, '-')}`) ? [...(s.chart ? [{ kind: 'chart', chart: s.chart }] : []), ...(s.blocks ?? [])] : [];
    for (const b of blocks) if (b.kind === 'chart') out.push(b.chart);
  }
  return out;
}
/** Every layer of a spec, flattened. */
const layers = (spec: any): any[] => (spec.layer ? spec.layer.flatMap(layers) : [spec]);

beforeAll(async () => {
  flagship = parse(readFileSync(join(root, 'cxreport.yaml'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'cx-flagship-'));
  const config = structuredClone(flagship);
  delete config.report.logo;
  for (const s of Object.values<any>(config.sources)) s.path = join(root, s.path);
  config.metrics = Object.fromEntries(METRICS.map((id) => [id, flagship.metrics[id]]));
  const keep = (s: any) => (s.metric && METRICS.includes(s.metric)) || (s.type === 'kpis' && s.metrics.every((m: string) => METRICS.includes(m)));
  config.sections = [{ type: 'kpis', metrics: ['churn', 'clv_simple', 'health'] }, ...flagship.sections.filter((s: any) => keep(s) && s.type !== 'kpis')];
  writeFileSync(join(dir, 'cxreport.yaml'), stringify(config));
  result = await build({ configPath: join(dir, 'cxreport.yaml'), env: { SOURCE_DATE_EPOCH: '1790000000' }, cwd: dir });
  metrics = JSON.parse(result.metrics).metrics;
}, 300_000);

describe('2. one CLV', () => {
  it('the value-at-a-glance card shows the subscription lifetime value, and the two values have different names', () => {
    const card = flagship.sections.find((s: any) => s.type === 'kpis' && s.title === 'Retention and value at a glance');
    expect(card.metrics).toContain('clv_simple');
    expect(card.metrics).not.toContain('clv');
    expect(metrics.clv_simple.label).toBe('Subscription lifetime value');
    expect(metrics.clv.label).toBe('Add-on value (next 12 months)');
    // the card's number is the subscription value from metrics.json
    // (by magnitude, issue 21 item 6: $52,880.09 → $52.9k)
    expect(result.html).toContain(`$${(metrics.clv_simple.value / 1000).toPrecision(3)}k`);
  });
  it('without labels in the config, the two methods still have different default names', () => {
    expect(CLV_MESSAGES.en['label.simple']).not.toBe(CLV_MESSAGES.en['label.bgnbd']);
    expect(CLV_MESSAGES['zh-CN']['label.simple']).not.toBe(CLV_MESSAGES['zh-CN']['label.bgnbd']);
  });
});

describe('3. one health-score verdict', () => {
  it('the headline change is the paired mean change with the paired test: the same number and p as the paired paragraph', () => {
    const h = metrics.health;
    expect(h.delta).toBe(h.paired.meanChange);
    expect(h.p).toBe(h.paired.p);
    expect(h.statistic).toBe(h.paired.t);
    expect(h.test).toMatch(/^paired t-test over the [\d,]+ accounts scored in both periods$/);
    expect(h.significant).toBe(h.paired.p < 0.05);
    // the flagship: −0.19, p = 0.002 (the independent-samples test said −0.14, p = 0.58)
    expect(h.delta).toBeCloseTo(-0.19436, 4);
    expect(h.p).toBeLessThan(0.01);
  });
  it('the card, the section and the paired paragraph say the same change', () => {
    const text = result.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    // the level to the decimal its interval supports (82.45, CI 82.09–82.81 → 82.5), the change as the paired paragraph
    expect(text).toContain('Health score fell 0.19 to 82.5');
    expect(text).toContain('health changed by −0.19 points on average');
    expect(text).not.toMatch(/Health score fell 0\.14/);
  });
});

describe('4. support-times chart', () => {
  let spec: any;
  beforeAll(() => {
    spec = specs('metric', 'first_response')[0].spec;
  });
  it('a log hours axis, 12 periods, median and p90 labelled directly', () => {
    const all = layers(spec);
    const y = all.find((l) => l.mark?.type === 'line').encoding.y;
    expect(y.scale.type).toBe('log');
    expect(y.title).toBe('Hours (log scale)');
    expect(spec.data.values).toHaveLength(12);
    const texts = all.filter((l) => l.mark?.type === 'text').flatMap((l) => l.data?.values ?? []).map((v: any) => v.text);
    expect(texts).toContain('Median');
    expect(texts).toContain('90th percentile');
  });
  it('the SLA targets of the config as lines, the p90 peak and the planted August backlog annotated', () => {
    const texts = layers(spec).flatMap((l) => l.data?.values ?? []).map((v: any) => v.text).filter(Boolean);
    expect(texts).toEqual(expect.arrayContaining(['Target urgent 1 h', 'Target high 4 h', 'Target normal 8 h', 'Target low 24 h', 'Two agents left; routing fault']));
    expect(texts.some((t: string) => /^p90 peak /.test(t))).toBe(true);
    const peak = spec.layer.find((l: any) => /^p90 peak/.test(l.data?.values?.[0]?.text ?? ''));
    expect(peak.data.values[0].label).toBe(spec.data.values.reduce((a: any, b: any) => (b.p90 > a.p90 ? b : a)).label);
  });
});

describe('7. chart details', () => {
  it('cohort heatmap: the colour scale spans the data (not 0–100), and is bigger', () => {
    const spec = specs('metric', 'cohorts')[0].spec;
    const rect = spec.layer.find((l: any) => l.mark.type === 'rect');
    const shares = spec.data.values.map((v: any) => v.share);
    const [lo, hi] = rect.encoding.color.scale.domain;
    expect(lo).toBeGreaterThan(0);
    expect(lo).toBeLessThanOrEqual(Math.min(...shares));
    expect(Math.min(...shares) - lo).toBeLessThan(5);
    expect(hi).toBeGreaterThanOrEqual(Math.max(...shares));
    expect(spec.height.step).toBeGreaterThanOrEqual(26);
  });
  it('survival legend: stroke swatches at full opacity, titled by the column label', () => {
    const spec = specs('metric', 'survival')[0].spec;
    const line = spec.layer.find((l: any) => l.mark.type === 'line');
    expect(line.encoding.color.legend).toMatchObject({ symbolType: 'stroke', symbolOpacity: 1, title: 'Plan' });
    const band = spec.layer.find((l: any) => l.mark.type === 'area');
    expect(band.encoding.color.legend).toEqual(line.encoding.color.legend);
  });
  it('health histogram: red bins labelled with their counts', () => {
    const spec = specs('metric', 'health')[0].spec;
    const label = spec.layer.find((l: any) => l.mark.type === 'text');
    expect(label.transform[0].filter).toEqual({ field: 'band', equal: 'Red' });
    expect(label.mark.color).toBe(spec.layer[0].encoding.color.scale.range[0]);
  });
  it('review ratings: the recovery as a chart over the same periods as the table, its title telling the low', () => {
    const chart = specs('metric', 'review_rating').find((c) => c.id.includes('reviews-trend'));
    expect(chart.spec.data.values).toHaveLength(13);
    expect(chart.title).toMatch(/^Mean rating 3\.94 in October 2026, back from a low of 3\.40 in September 2026/);
  });
  it('trends label the current month (bold axis label, value next to the last point)', () => {
    const spec = specs('metric', 'churn')[0].spec;
    const line = spec.layer.find((l: any) => l.mark.type === 'line');
    expect(line.encoding.x.axis.labelFontWeight.condition.value).toBe('bold');
    // the current month is among the axis labels shown (every other one, counted back from it)
    expect(line.encoding.x.axis.values).toContain(spec.data.values[spec.data.values.length - 1].label);
    const last = spec.data.values[spec.data.values.length - 1];
    expect(spec.layer.some((l: any) => l.mark.type === 'text' && l.data?.values?.[0]?.label === last.label && l.data.values[0].text === '1.8%')).toBe(true);
  });
  it('churn: 12 periods like the others, the February price rise annotated', () => {
    const spec = specs('metric', 'churn')[0].spec;
    expect(spec.data.values).toHaveLength(12);
    const notes = spec.layer.flatMap((l: any) => l.data?.values ?? []).map((v: any) => v.text);
    expect(notes).toContain('Starter/Pro prices +10%');
  });
  it('SLA by channel: the target line at 85', () => {
    const spec = specs('breakdown', 'sla')[0].spec;
    const rule = spec.layer.find((l: any) => l.mark.type === 'rule' && l.data?.values?.[0]?.target !== undefined);
    expect(rule.data.values[0].target).toBe(85);
    expect(metrics.sla.target).toBe(85);
  });
  it('tables show column labels, not raw names', () => {
    const text = result.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('Churn by Plan');
    expect(text).toMatch(/Ratings by Product, October 2026|Ratings by product/);
    expect(result.html).not.toMatch(/<th[^>]*>\s*(plan|channel|product)\s*<\/th>/);
  });
});
