/** A short Markdown summary of a report's headline numbers, e.g. for a CI job summary. */
import type { ComputedMetrics } from '../metrics/index.js';
import { formatter } from '../kernel/format.js';
import { asLocale, translator } from '../kernel/i18n.js';
import type { ReportModel } from '../report/model.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Markdown with one table row per metric: value, interval, change, significance, n (in the report's locale). */
export function summaryMarkdown(model: ReportModel, computed: ComputedMetrics): string {
  const locale = asLocale(model.lang);
  const t = translator(locale);
  const fmt = formatter(locale);
  if (computed.period === 'all') {
    // one period over all data: no change to report
    const rows = [...computed.results.values()].map((r) => `| ${cell(r.label)} | ${fmt.value(r.value, r.unit)} | ${fmt.interval(r.ci, r.unit)} | ${fmt.count(r.n)}${r.lowSample ? t('summary.low') : ''} |`);
    return `${[`### ${cell(model.title)} — ${model.period.label}`, '', `| ${t('summary.metric')} | ${t('summary.value')} | ${t('common.ci')} | ${t('common.nHeader')} |`, '|---|---:|---:|---:|', ...rows].join('\n')}\n`;
  }
  const lines = [
    `### ${cell(model.title)} — ${model.period.label}`,
    '',
    `| ${t('summary.metric')} | ${t('summary.value')} | ${t('common.ci')} | ${cell(t('common.changeVs', { period: model.previousPeriod.label }))} | ${t('summary.significant')} | ${t('common.nHeader')} |`,
    '|---|---:|---:|---:|:---:|---:|',
  ];
  for (const r of computed.results.values()) {
    const sig = r.p === null ? '—' : r.significant ? t('common.yes', { p: fmt.p(r.p) }) : t('common.no');
    lines.push(`| ${cell(r.label)} | ${fmt.value(r.value, r.unit)} | ${fmt.interval(r.ci, r.unit)} | ${fmt.delta(r.delta, r.unit)} | ${sig} | ${fmt.count(r.n)}${r.lowSample ? t('summary.low') : ''} |`);
  }
  return `${lines.join('\n')}\n`;
}
