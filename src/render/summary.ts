/** A short Markdown summary of a report's headline numbers, e.g. for a CI job summary. */
import type { ComputedMetrics } from '../metrics/index.js';
import { formatDelta, formatInterval, formatP, formatValue } from '../report/format.js';
import type { ReportModel } from '../report/model.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown with one table row per metric: value, interval, change, significance, n. */
export function summaryMarkdown(model: ReportModel, computed: ComputedMetrics): string {
  const lines = [
    `### ${cell(model.title)} — ${model.period.label}`,
    '',
    `| Metric | Value | 95% CI | Change vs ${model.previousPeriod.label} | Significant | n |`,
    '|---|---:|---:|---:|:---:|---:|',
  ];
  for (const r of computed.results.values()) {
    const sig = r.p === null ? '—' : r.significant ? `yes (${formatP(r.p)})` : 'no';
    lines.push(`| ${cell(r.label)} | ${formatValue(r.value, r.unit)} | ${formatInterval(r.ci, r.unit)} | ${formatDelta(r.delta, r.unit)} | ${sig} | ${r.n.toLocaleString('en-US')}${r.lowSample ? ' (low)' : ''} |`);
  }
  return `${lines.join('\n')}\n`;
}
