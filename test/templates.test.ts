/** Themes and templates: brand colours and fonts, partial overrides, custom sections and charts. */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../src/app/pipeline.js';
import { SURVEY_CONFIG, surveyProject } from './project.js';

async function buildWith(extraConfig: string, files: Record<string, string> = {}, sections = '') {
  const config = SURVEY_CONFIG.replace('sections:\n', `sections:\n${sections}`) + extraConfig;
  const dir = surveyProject(config);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return { dir, result: await build({ configPath: join(dir, 'cxreport.yaml'), env: {}, cwd: dir }) };
}

describe('theme', () => {
  it('brand colours reach the CSS and the charts; the font reaches both', async () => {
    const { result } = await buildWith('theme:\n  colors: { primary: "#7a1f5c", bad: "#aa0000" }\n  font: "Inter, sans-serif"\n');
    expect(result.html).toContain('--primary: #7a1f5c');
    expect(result.html).toContain('--font: Inter, sans-serif');
    // the trend line is drawn in the primary colour, no longer in the default blue
    expect(result.html).toContain('stroke="#7a1f5c"');
    expect(result.html).not.toContain('stroke="#1f4e79"');
    expect(result.html).toMatch(/font-family="Inter, sans-serif/);
  });

  it('a bad colour is a located config error', async () => {
    await expect(buildWith('theme:\n  colors: { primary: blue }\n')).rejects.toThrow(/a hex colour like "#1f4e79"/);
  });
});

describe('templates folder', () => {
  it('partials override the defaults by name and style.css is added last', async () => {
    const { result } = await buildWith('', {
      'templates/partials/distribution.hbs': '<section id="{{id}}" data-section-type="distribution"><p class="mine">Our own distribution: {{summary}}</p></section>',
      'templates/style.css': '.mine { color: hotpink; }',
    });
    expect(result.html).toContain('<p class="mine">Our own distribution: Detractors (0–6): 30.0%');
    expect(result.html.indexOf('.mine { color: hotpink; }')).toBeGreaterThan(result.html.indexOf('--primary:'));
  });

  it('custom sections render a user partial with the computed metrics', async () => {
    const { result } = await buildWith('', { 'templates/partials/callout.hbs': '<p class="callout">NPS {{metrics.nps.value}} (n = {{metrics.nps.n}}) — {{data.owner}} — {{metrics.nps.raw.n}}</p>' }, '  - { type: custom, partial: callout, title: Callout, data: { owner: "<CX team>" } }\n');
    expect(result.html).toContain('<p class="callout">NPS +20.0 (n = 10) — &lt;CX team&gt; — 10</p>');
    expect(result.html).toMatch(/data-section-type="custom"/);
  });

  it('an unknown partial is a located error listing the partials', async () => {
    await expect(buildWith('', { 'templates/partials/callout.hbs': 'x' }, '  - { type: custom, partial: calout }\n')).rejects.toThrow(/no partial "calout"/);
  });

  it('custom charts: a Vega-Lite spec file fed with a metric table', async () => {
    const spec = { mark: 'bar', encoding: { x: { field: 'group', type: 'nominal' }, y: { field: 'value', type: 'quantitative' } } };
    const { result } = await buildWith('', { 'charts/bars.vl.json': JSON.stringify(spec) }, '  - { type: chart, spec: charts/bars.vl.json, metric: csat, data: breakdown, by: region, title: CSAT by region }\n');
    const section = result.model.sections.find((s) => s.type === 'chart');
    expect(section?.type === 'chart' && (section.chart.spec as any).data.values.map((v: any) => v.group)).toEqual(['APAC', 'EMEA']);
    expect(result.html).toContain('CSAT by region');
    expect(result.html).toMatch(/<svg[^>]*>[\s\S]*APAC[\s\S]*<\/svg>/);
  });
});
