/** Methods appendix: definitions, sample sizes, exclusions and why, tests, data sources. */
import type { SourceTable } from '../../sources/types.js';
import { longLabel, type SectionContext } from '../context.js';
import { formatCount } from '../format.js';
import type { SectionModel } from '../model.js';

export function buildMethods(ctx: SectionContext, sources: Map<string, SourceTable>): SectionModel {
  const period = longLabel(ctx, ctx.computed.period);
  const metrics = [...ctx.computed.results.values()].map((r) => {
    const reasons = Object.entries(r.exclusions).map(([k, v]) => `${v} ${k}`);
    const all = Object.entries(r.excludedAllPeriods).map(([k, v]) => `${v} ${k}`);
    return {
      label: r.label,
      title: r.title,
      method: r.method,
      n: `${formatCount(r.n)} valid responses in ${period}`,
      excluded: `${period}: ${reasons.length ? reasons.join(', ') : 'none'} excluded. All periods: ${all.length ? all.join(', ') : 'none'}.`,
    };
  });
  return {
    type: 'methods',
    id: 'methods',
    title: 'Methods appendix',
    level: 1,
    metrics,
    sources: [...sources.values()].map((s) => ({ name: s.name, file: s.file, rows: formatCount(s.rowCount), columns: s.columns.map((c) => `${c.name} (${c.type})`).join(', ') })),
    notes: [
      'All intervals are two-sided 95% intervals (z = 1.959964, or Student t for means). A change is called significant when its two-sided p-value is below 0.05.',
      'Breakdowns test each group’s change against its own previous period; p-values are adjusted across the groups of a breakdown with the Benjamini–Hochberg procedure (false discovery rate 5%).',
      `Cells with fewer than ${ctx.config.report.min_sample} valid responses are flagged (greyed, "n < ${ctx.config.report.min_sample}") and should be read with caution.`,
      'Missing, non-numeric, non-integer and out-of-range scores, and rows without a valid date, are excluded and counted above; they are never coerced to a valid value.',
      `Responses are assigned to ${ctx.granularity}s by their timestamp in UTC.`,
    ],
  };
}
