/** What a build leaves beside the reports: manifest.json (paths and SHA-256) and, for batches, an index page. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Handlebars from 'handlebars';
import { DEFAULT_TEMPLATES } from '../render/html.js';
import { formatter } from '../kernel/format.js';
import { translator, type Locale } from '../kernel/i18n.js';
import type { MetricResult } from '../metrics/module.js';

export interface BuiltReport {
  period: string;
  periodLabel: string;
  segment?: string;
  title: string;
  dir: string;
  files: { path: string; bytes: number; sha256: string }[];
  results: MetricResult[];
}

export function sha256(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** manifest.json text: every output file of the build, relative to `root`, with size and SHA-256. */
export function manifest(root: string, config: string, reports: BuiltReport[]): string {
  const outputs = reports.map((r) => ({
    period: r.period,
    ...(r.segment !== undefined ? { segment: r.segment } : {}),
    title: r.title,
    files: r.files.map((f) => ({ path: relative(root, f.path), bytes: f.bytes, sha256: f.sha256 })),
  }));
  return `${JSON.stringify({ tool: 'cxreport', manifestVersion: 1, config, outputs }, null, 2)}\n`;
}

/** index.html linking every report of a batch, with the headline values, in the report's locale. */
export function indexPage(root: string, title: string, config: string, reports: BuiltReport[], locale: Locale = 'en'): string {
  const t = translator(locale);
  const fmt = formatter(locale);
  const template = Handlebars.compile(readFileSync(join(DEFAULT_TEMPLATES, 'index.hbs'), 'utf8'));
  const metricLabels = reports[0]?.results.map((r) => r.label) ?? [];
  const link = (r: BuiltReport, name: string) => {
    const f = r.files.find((x) => x.path.endsWith(name));
    return f ? relative(root, f.path) : undefined;
  };
  return template({
    lang: locale,
    title,
    built: t('index.built', { count: reports.length, config }),
    labels: { period: t('index.period'), segment: t('index.segment'), report: t('index.report') },
    segmented: reports.some((r) => r.segment !== undefined),
    metricLabels,
    entries: reports.map((r) => ({
      periodLabel: r.periodLabel,
      segment: r.segment,
      html: link(r, 'report.html'),
      pdf: link(r, 'report.pdf'),
      metrics: link(r, 'metrics.json'),
      values: r.results.map((m) => fmt.value(m.value, m.unit)),
    })),
  });
}
