/**
 * A line under a KPI card for what a CFO looks for beside the monthly value: net and gross revenue
 * retention over the trailing 12 months ("Trailing 12 months: NRR 103.8% · GRR 89.9%"), from the revenue-
 * retention result's own trailing-12-month bridge (customers paying 12 months ago, followed to now).
 */
import type { MetricResult } from '../../metrics/results.js';
import type { SectionContext } from '../context.js';
import { localTranslator } from '../../kernel/i18n.js';
import { MESSAGES } from './kpi-notes.messages.js';

/** The note under a metric's card, or undefined. */
export function cardNote(ctx: SectionContext, r: MetricResult): string | undefined {
  if (r.type !== 'revenue-retention') return undefined;
  const t12 = r.extra.trailing12 as { nrr: number | null; grr: number | null } | null | undefined;
  if (!t12 || t12.nrr === null || t12.grr === null) return undefined;
  // the NRR card names both; a GRR card its own (beside an NRR card it would repeat it)
  const key = (r.extra.measure as string | undefined) === 'grr' ? 'trailing12Grr' : 'trailing12';
  return localTranslator(MESSAGES, ctx.locale)(key, { nrr: ctx.fmt.value(t12.nrr, 'percent'), grr: ctx.fmt.value(t12.grr, 'percent') });
}
