/**
 * The default visual of each metric type (for `type: metric` sections): a function from the
 * period's result and the metric's prepared rows to the blocks (charts, tables, notes) drawn.
 * Visuals live in the report layer, beside the charts they draw; a metric type without one here
 * gets the headline sentence only. Adding a visual touches its file and one line here.
 */
import type { MetricResult, Prepared, VisualBlock, VisualContext } from '../../metrics/module.js';
import { flagVisual, lifecycleVisual, type PreparedFlags } from './churn.js';
import { visual as clvVisual } from './clv.js';
import { cohortVisual } from './cohort-retention.js';
import { visualHealth } from './health-score.js';
import { visual as repeatVisual } from './repeat-purchase.js';
import { revenueVisual } from './revenue-retention.js';
import { visualReviews } from './reviews.js';
import { visualSentiment } from './sentiment.js';
import { survivalVisual } from './survival.js';
import { visualTickets } from './tickets.js';

export type MetricVisual = (result: MetricResult, prepared: any, ctx: VisualContext) => VisualBlock[];

/** churn and retention: from yes/no flags, or from customers' activity */
const lifecycle =
  (kind: 'churn' | 'retention'): MetricVisual =>
  (result, prepared: Prepared & { kind?: string }, ctx) =>
    prepared.kind === 'flags' ? flagVisual(kind, result, prepared as unknown as PreparedFlags, ctx) : lifecycleVisual(kind, result, prepared as never, ctx);

export const metricVisuals: Record<string, MetricVisual> = {
  churn: lifecycle('churn'),
  retention: lifecycle('retention'),
  'cohort-retention': cohortVisual,
  survival: survivalVisual,
  'repeat-purchase-rate': repeatVisual,
  clv: clvVisual,
  'revenue-retention': revenueVisual,
  tickets: visualTickets,
  reviews: visualReviews,
  sentiment: visualSentiment,
  'health-score': visualHealth,
};
