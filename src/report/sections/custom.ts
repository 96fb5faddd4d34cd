/**
 * Custom sections and charts: a user partial rendered with the computed metrics (`custom`), and a
 * user Vega-Lite spec file fed with a metric's table (`chart`).
 */
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { suggestion } from '../../kernel/suggest.js';
import { CxError } from '../../kernel/errors.js';
import { displayPath, readUserFile } from '../../kernel/user-files.js';
import { lastPeriods } from '../../kernel/period.js';
import { loadVega, singleLineTitles } from '../charts.js';
import { DEFAULT_TEMPLATES, partialNames } from '../templates.js';
import { result, seriesPoints, titleOf, type SectionContext } from '../context.js';
import type { SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { interpolationContext } from './markdown.js';

export const customSchema = z
  .strictObject({
    type: z.literal('custom'),
    ...sectionFields,
    partial: z.string().regex(/^[\w-]+$/).describe('Name of a partial in your templates folder (partials/<name>.hbs).').meta({ examples: ['nps-callout'] }),
    data: z.record(z.string(), z.unknown()).optional().describe('Extra values passed to the partial as `data`.'),
  })
  .describe('A section rendered by your own Handlebars partial, with `metrics` (formatted values), `period`, `previous`, `report` and `data`.');

export const chartSchema = z
  .strictObject({
    type: z.literal('chart'),
    ...sectionFields,
    spec: z.string().describe('Vega-Lite spec file (JSON), relative to this config; its data is replaced by the metric table.').meta({ examples: ['charts/nps-area.vl.json'] }),
    metric: z.string().describe('Metric whose table feeds the chart.'),
    data: z.enum(['series', 'breakdown', 'distribution']).default('series').describe('series: one row per period (period, label, value, lo, hi, n); breakdown: one row per group (needs `by`); distribution: one row per answer.'),
    by: z.string().optional().describe('Column for `data: breakdown`.'),
    periods: z.number().int().min(1).max(120).default(12).describe('Periods in `data: series`.'),
    caption: z.string().optional().describe('Caption under the chart (source, n, method).'),
  })
  .refine((s) => s.data !== 'breakdown' || s.by !== undefined, { message: '`data: breakdown` needs `by: <column>`', path: ['by'] })
  .describe('A chart from your own Vega-Lite spec, fed with a metric’s table.');

export type CustomSection = z.infer<typeof customSchema>;
export type ChartSection = z.infer<typeof chartSchema>;

export function buildCustom(section: CustomSection, ctx: SectionContext, templatesDir?: string): SectionModel {
  const available = [...new Set([...(templatesDir ? partialNames(templatesDir) : []), ...partialNames(DEFAULT_TEMPLATES)])];
  if (!available.includes(section.partial)) {
    throw new CxError('config', `section ${ctx.index + 1} (custom): no partial "${section.partial}"`, {
      location: ctx.config.yaml.locate(['sections', ctx.index, 'partial']),
      hint: templatesDir
        ? `create ${join(templatesDir, 'partials', `${section.partial}.hbs`)}; ${suggestion(section.partial, available, 'partials')}`
        : 'create templates/partials/<name>.hbs beside cxreport.yaml (or set `templates:`)',
    });
  }
  return {
    type: 'custom',
    id: section.id ?? ctx.nextId(section.partial),
    title: section.title ?? '',
    level: 2,
    partial: section.partial,
    context: { ...interpolationContext(ctx), data: section.data ?? {} },
  };
}

let drawable: ((spec: TopLevelSpec) => void) | undefined;

/**
 * Loads Vega and Vega-Lite (about 0.25 s) for the checks of chart sections' specs, when the config
 * has a chart section: a report without one never loads them (a chart drawn before is read back
 * from the cache, render/charts.ts). Called where a config is read (app/config.ts, the notebook).
 */
export async function loadChartChecks(config: { sections: readonly { type: string }[] }): Promise<void> {
  if (drawable || !config.sections.some((s) => s.type === 'chart')) return;
  const [vega, vegaLite] = await loadVega();
  drawable ??= (spec) => void vega.parse(vegaLite.compile(spec).spec);
}

/**
 * The analyst's spec must compile (Vega-Lite) and parse (Vega): an unknown mark, a malformed
 * expression or a wrong type is a located config error here, not a failure while rendering.
 */
function checkSpec(spec: Record<string, unknown>, section: ChartSection, ctx: SectionContext): void {
  if (!drawable) throw new Error('chart sections are checked with Vega, which is loaded by loadChartChecks(config) after reading the config');
  try {
    drawable(singleLineTitles(spec) as unknown as TopLevelSpec);
  } catch (error) {
    throw new CxError('config', `section ${ctx.index + 1} (chart): ${displayPath(ctx.config.dir, section.spec)} cannot be drawn: ${String((error as Error).message ?? error).split('\n')[0].slice(0, 300)}`, {
      location: ctx.config.yaml.locate(['sections', ctx.index, 'spec']),
      hint: 'check the spec in the Vega-Lite editor (https://vega.github.io/editor/); its data is replaced by the metric table',
    });
  }
}

export function buildChart(section: ChartSection, ctx: SectionContext): SectionModel {
  const at = (key: string) => ctx.config.yaml.locate(['sections', ctx.index, key]);
  const text = readUserFile(section.spec, { what: `section ${ctx.index + 1} (chart): spec`, shown: displayPath(ctx.config.dir, section.spec), location: at('spec') }, 'utf8');
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(text);
  } catch (error) {
    throw new CxError('config', `section ${ctx.index + 1} (chart): ${section.spec} is not valid JSON: ${(error as Error).message}`, { location: at('spec') });
  }
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new CxError('config', `section ${ctx.index + 1} (chart): ${displayPath(ctx.config.dir, section.spec)} is not a Vega-Lite spec (a JSON object with mark and encoding)`, { location: at('spec'), hint: 'see https://vega.github.io/vega-lite/docs/spec.html' });
  }
  const r = result(ctx, section.metric);
  let values: Record<string, unknown>[];
  if (section.data === 'series') {
    const keys = new Set(lastPeriods(ctx.computed.period, section.periods, ctx.granularity));
    const series = r.series.filter((p) => keys.has(p.period));
    values = seriesPoints(ctx, series).map((p, i) => ({ period: series[i].period, ...p }));
  } else if (section.data === 'breakdown') {
    values = (r.breakdowns[section.by!] ?? []).map((g) => ({ group: g.group, value: g.value, lo: g.ci?.[0] ?? null, hi: g.ci?.[1] ?? null, n: g.n, lowSample: g.lowSample, delta: g.delta, significant: g.significant }));
  } else {
    values = r.distribution.map((d) => ({ ...d }));
  }
  const title = section.title ?? (typeof spec.title === 'string' ? spec.title : `${r.label}`);
  const { title: _ignored, ...rest } = spec;
  checkSpec({ ...rest, data: { values } }, section, ctx);
  return {
    type: 'chart',
    id: section.id ?? ctx.nextId(`chart-${section.metric}`),
    title,
    level: 2,
    chart: {
      id: ctx.nextId(`custom-chart-${section.metric}`),
      title,
      caption: section.caption ?? ctx.t('chart.caption', { title: titleOf(ctx, r), rows: values.length, data: section.data, type: ctx.config.metrics[section.metric].type, metric: section.metric }),
      alt: ctx.t('chart.alt', { title, label: r.label, data: section.data, rows: values.length }),
      spec: { ...rest, data: { values } } as TopLevelSpec,
      size: 'wide',
    },
  };
}
