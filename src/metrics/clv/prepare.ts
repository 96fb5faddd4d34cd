/** CLV: the orders (and, for `method: simple`, the customers) validated into transaction cells, with each period's model made on demand and cached. */
import { rowRejecter } from '../invalid.js';
import type { Config } from '../../config/load.js';
import { CxError } from '../../kernel/errors.js';
import { isPushdown, loadRows } from '../../sources/sql.js';
import type { SourceTable } from '../../sources/types.js';
import { transactionSummarizer, type Transaction, type TransactionSummary } from '../../kernel/models/rfm.js';
import type { Filter } from '../../kernel/filter.js';
import type { Prepared, PrepareContext } from '../module.js';
import { groupKey } from '../prepare.js';
import { parseTimestamp, type Granularity } from '../../kernel/period.js';
import { isoDay, periodEnd, seriesPeriods, timeBounds } from '../repeat-purchase/windows.js';
import { columnValues, DAY_MS, transactionsOf, type TransactionCells } from '../transactions.js';
import { sortKeys } from '../exclusions.js';
import { sourceDimensions } from '../pushdown.js';
import type { ClvDef } from './schema.js';
import { cachedFits, cachedModel, evaluatePeriod, fitKey, fitsFor, knownFits, orderDigests, periodData, type BgnbdPeriod, type PeriodData, type PeriodFits } from './model.js';
import { FitChain, type FitStart } from './fit-chain.js';
import { simplePeriod, type SimplePeriod } from './simple.js';

export interface PreparedClv extends Prepared {
  kind: 'clv';
  id: string;
  def: ClvDef;
  granularity: Granularity;
  /** the orders as transaction cells (customer × UTC day × grouping values) */
  rows: TransactionCells;
  /** 'sql' when the database made the cells */
  engine: 'memory' | 'sql';
  /** customer-source exclusions (simple method), keyed "customers: …" */
  customerExclusions: Record<string, number>;
  /** the BG/NBD model of a period (cached) */
  bgnbd(period: string): BgnbdPeriod;
  /** the simple CLV of a period (cached) */
  simple(period: string): SimplePeriod;
  /** each customer's value of `column` on their latest valid row before `end` */
  latestValues(column: string, end: number): Map<string, string>;
}

function configError(config: Config, path: (string | number)[], message: string, hint?: string): CxError {
  return new CxError('config', message, { location: config.yaml.locate(path), hint });
}

/** A month key "2026-10" as its first day, else an ISO 8601 date/timestamp (NaN when neither). */
export function parseDateOrMonth(raw: unknown): number {
  if (typeof raw === 'string') {
    const m = /^\s*(\d{4})-(0[1-9]|1[0-2])\s*$/.exec(raw);
    if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, 1);
  }
  return parseTimestamp(raw);
}

export function prepare(ctx: PrepareContext<ClvDef>): PreparedClv | Promise<PreparedClv> {
  const def = ctx.def;
  const path = (...key: (string | number)[]) => ['metrics', ctx.id, ...key];
  const source = ctx.source('source');
  ctx.requireColumn(source, def.customer, ['customer']);
  ctx.requireColumn(source, def.date, ['date']);
  ctx.requireColumn(source, def.amount, ['amount']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);

  let customersSource: SourceTable | undefined;
  if (def.method === 'simple') {
    if (def.customers === undefined && def.churn_rate === undefined)
      throw configError(ctx.config, path('method'), `metric "${ctx.id}": method simple needs a churn rate: give \`customers\` (a source with signup and cancel dates) or \`churn_rate\``, 'e.g. customers: customers, or churn_rate: 0.02');
    if (def.customers !== undefined && def.churn_rate !== undefined)
      throw configError(ctx.config, path('churn_rate'), `metric "${ctx.id}": give either \`customers\` or \`churn_rate\`, not both`, 'remove one of the two keys');
    if (def.customers !== undefined) {
      customersSource = ctx.source('customers');
      ctx.requireColumn(customersSource, def.signup, ['signup']);
      ctx.requireColumn(customersSource, def.cancel, ['cancel']);
    }
  } else {
    if (def.customers !== undefined) throw configError(ctx.config, path('customers'), `metric "${ctx.id}": \`customers\` is only used with method: simple`, 'remove it, or set method: simple');
    if (def.churn_rate !== undefined) throw configError(ctx.config, path('churn_rate'), `metric "${ctx.id}": \`churn_rate\` is only used with method: simple`, 'remove it, or set method: simple');
  }

  const cells = transactionsOf(
    source,
    { customer: def.customer, date: def.date, amount: def.amount },
    { filter: def.filter as Filter | undefined, parseDate: def.method === 'simple' ? parseDateOrMonth : parseTimestamp, metric: ctx.id, dims: sourceDimensions(ctx, source) },
  );
  // the customers of the simple method are read as rows (a SQL source's once)
  const customers = customersSource && isPushdown(customersSource) ? loadRows(customersSource) : customersSource;
  if (cells instanceof Promise || customers instanceof Promise) return Promise.all([cells, customers]).then(([rows, c]) => prepareCells(ctx, rows, c));
  return prepareCells(ctx, cells, customers);
}

function prepareCells(ctx: PrepareContext<ClvDef>, rows: TransactionCells, customersSource: SourceTable | undefined): PreparedClv {
  const def = ctx.def;
  const granularity = ctx.granularity;
  const bounds = timeBounds(rows.valid, granularity);

  // Customers (simple, churn): valid signup, optional cancel not before signup.
  const signups: number[] = [];
  const cancels: number[] = [];
  const customerExclusions: Record<string, number> = {};
  if (customersSource) {
    const s = customersSource.table.array(def.signup) as ArrayLike<unknown>;
    const c = customersSource.table.array(def.cancel) as ArrayLike<unknown>;
    const count = (reason: string) => (customerExclusions[`customers: ${reason}`] = (customerExclusions[`customers: ${reason}`] ?? 0) + 1);
    const reject = rowRejecter(customersSource, customersSource.table, ctx.id);
    for (let i = 0; i < s.length; i++) {
      const signup = parseTimestamp(s[i]);
      const empty = c[i] === null || c[i] === undefined || String(c[i]).trim() === '';
      const cancel = empty ? Infinity : parseTimestamp(c[i]);
      if (!Number.isFinite(signup)) (reject(i, def.signup, s[i], 'missing or invalid signup date (ISO 8601 expected)'), count('missing or invalid signup date'));
      else if (Number.isNaN(cancel)) (reject(i, def.cancel, c[i], 'invalid cancel date (ISO 8601 or empty expected)'), count('invalid cancel date'));
      else if (cancel < signup) (reject(i, def.cancel, c[i], `cancel before signup (${String(s[i])})`), count('cancel before signup'));
      else {
        signups.push(signup);
        cancels.push(cancel);
      }
    }
  }

  // Per customer, valid rows in time order (for latest values and transactions).
  const validCustomers = columnValues<string>(rows.valid, '__customer');
  const validTs = columnValues<number>(rows.valid, '__ts');
  const validAmount = columnValues<number>(rows.valid, '__amount');

  const latestCache = new Map<string, Map<string, string>>();
  const latestValues = (column: string, end: number): Map<string, string> => {
    const key = `${column}\u0000${end}`;
    const hit = latestCache.get(key);
    if (hit) return hit;
    const values = columnValues(rows.valid, column);
    const out = new Map<string, string>();
    // rows are in time order: the last row seen before `end` wins
    for (let i = 0; i < validTs.length && validTs[i] < end; i++) out.set(validCustomers[i], groupKey(values[i]));
    latestCache.set(key, out);
    return out;
  };

  let transactions: Transaction[] | undefined;
  const orders = (): Transaction[] => {
    if (!transactions) {
      transactions = [];
      for (let i = 0; i < validTs.length; i++) transactions.push({ customerId: validCustomers[i], date: new Date(validTs[i]), amount: validAmount[i] });
    }
    return transactions;
  };
  // per-customer summaries at any calibration end, from one read of the orders (in time order)
  let summarizer: ((calibrationEnd: string) => TransactionSummary[]) | undefined;
  const summaries = (calibrationEnd: string) => (summarizer ??= transactionSummarizer(orders(), 7))(calibrationEnd);

  // Periods are fitted in order from the first with data, each starting from the previous
  // period's optimum: a period's result does not depend on which periods were asked for first.
  // So every period up to the one asked for is fitted (its optimum is the next one's start), but
  // only the periods asked for are evaluated per customer (P(alive), expected purchases and
  // value): compute asks for the periods the report shows. The fits are also kept across builds
  // by the digest of their input (fitCache below), so a preview rebuild of unchanged data refits
  // nothing.
  const hasData = (end: number) => bounds.lastBefore(end) !== undefined;
  const ordersBefore = orderDigests(validCustomers, validTs, validAmount);
  const fits = new Map<string, PeriodFits | null>();
  const fitKeys = new Map<string, string>();
  const bgCache = new Map<string, BgnbdPeriod>();
  // The chain from the first period not fitted yet (nor kept from an earlier build) to the latest,
  // fitted in a worker thread while the other metrics are prepared and computed (fit-chain.ts).
  let chain: { periods: Map<string, number>; fits: FitChain } | undefined;
  const prefit = () => {
    if (bounds.first === undefined || bounds.last === undefined) return;
    const periods = seriesPeriods(bounds.first, bounds.last, granularity);
    let start: FitStart;
    for (let i = 0; i < periods.length; i++) {
      const end = periodEnd(periods[i], granularity);
      const known = knownFits(fitKey(ordersBefore(end), isoDay(end - DAY_MS), start));
      if (known === undefined) {
        const steps = periods.slice(i).map((p) => periodData(p, granularity, summaries, hasData).fit ?? null);
        const fits = FitChain.start(steps, start);
        if (fits) chain = { periods: new Map(periods.slice(i).map((p, k) => [p, k])), fits };
        return;
      }
      if (known) start = { bg: known.bg.params, gg: known.gg.params };
    }
  };
  const bgnbd = (period: string): BgnbdPeriod => {
    const hit = bgCache.get(period);
    if (hit) return hit;
    let start: FitStart;
    let data: PeriodData | undefined;
    for (const p of seriesPeriods(bounds.first, period, granularity)) {
      let f = fits.get(p);
      if (f === undefined) {
        const end = periodEnd(p, granularity);
        const from = start;
        const key = fitKey(ordersBefore(end), isoDay(end - DAY_MS), from);
        f = cachedFits(key, () => {
          // made by the worker (from the same start), else here
          const step = chain?.periods.get(p);
          const made = step !== undefined ? chain!.fits.take(step, from) : undefined;
          if (made !== undefined) return made;
          const d = periodData(p, granularity, summaries, hasData);
          if (p === period) data = d;
          return d.fit ? fitsFor(d.fit, from) : null;
        });
        fits.set(p, f);
        fitKeys.set(p, key);
      }
      if (f) start = { bg: f.bg.params, gg: f.gg.params };
    }
    // the model evaluated per customer, also kept across builds (same fits, margin, horizon and discount)
    const key = `${fitKeys.get(period)}|${period}|${def.margin}|${def.horizon_months}|${def.discount_rate}`;
    const model = cachedModel(key, () => evaluatePeriod(data ?? periodData(period, granularity, summaries, hasData), fits.get(period) ?? null, def));
    bgCache.set(period, model);
    return model;
  };

  const simpleCache = new Map<string, SimplePeriod>();
  const simple = (period: string): SimplePeriod => {
    const hit = simpleCache.get(period);
    if (hit) return hit;
    const result = simplePeriod(period, def, granularity, rows, signups, cancels);
    simpleCache.set(period, result);
    return result;
  };

  if (def.method === 'bgnbd') prefit();
  return {
    kind: 'clv',
    id: ctx.id,
    def,
    granularity,
    rows,
    engine: rows.engine,
    customerExclusions: sortKeys(customerExclusions),
    bgnbd,
    simple,
    latestValues,
    latestPeriod: () => bounds.last,
    lastTimestamp: (period) => bounds.lastBefore(periodEnd(period, granularity)),
  };
}
