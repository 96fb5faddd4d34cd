/**
 * Customer lifetime value, two ways.
 *
 * `method: simple` — ARPA × gross margin ÷ churn rate per period: ARPA from a revenue (or MRR)
 * source, churn either from a customers source (lost during the period ÷ active at its start) or
 * a fixed `churn_rate`. Approximate interval by the delta method on the log scale.
 *
 * `method: bgnbd` — BG/NBD (Fader, Hardie & Lee 2005) for the purchase process and Gamma-Gamma
 * (Fader & Hardie 2013) for spend, fitted by maximum likelihood on every order up to the period
 * end (the calibration period), per customer (x, t_x, T) in weeks from `summarizeTransactions`
 * (`transactionSummarizer`: the same for every period from one read of the orders).
 * Reports the fitted parameters and log-likelihoods, P(alive), expected purchases and discounted
 * expected value per customer over a horizon, their total and mean, and the top accounts. No
 * interval is given for the model estimate (none is derived), and changes are not tested.
 *
 * The fits are the models' boxed fits in kernel/models (`fitBgNbdFast`, `fitGammaGammaFast`:
 * maximum likelihood inside a search box, kernel/models/boxed-fit.ts), whose objectives are
 * grouped by distinct x, T and t_x so that a fit per period stays fast; the log-likelihoods
 * reported are the models' own. Files: schema.ts (config), messages.ts (text), prepare.ts (orders
 * and customers into cells, periods on demand), model.ts (bgnbd: one period's fits, cached, and
 * the model per customer), simple.ts (ARPA × margin ÷ churn), compute.ts (the period's result);
 * the default visual is report/visuals/clv.ts.
 */
import type { MetricModule } from '../module.js';
import { compute } from './compute.js';
import { prepare, type PreparedClv } from './prepare.js';
import { clvSchema, type ClvDef } from './schema.js';

export { clvSchema, type ClvDef } from './schema.js';
export type { PreparedClv } from './prepare.js';

export const clvModule: MetricModule<ClvDef, PreparedClv> = {
  type: 'clv',
  schema: clvSchema,
  title: 'Customer lifetime value',
  pushdown: true,
  prepare,
  needsPeriods: 'the models are fitted on the purchases up to the end of the report period',
  compute,
};
