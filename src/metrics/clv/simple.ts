/** CLV `method: simple`: ARPA × margin ÷ churn rate of one period, with its delta-method interval. */
import { periodStart, type Granularity } from '../../kernel/period.js';
import { periodEnd } from '../repeat-purchase/windows.js';
import { columnValues, perCustomer, type TransactionCells } from '../transactions.js';
import { meanEstimate, wilsonInterval, Z95, type Interval } from '../../kernel/stats.js';
import type { Note } from './messages.js';
import type { ClvDef } from './schema.js';

export interface SimplePeriod {
  period: string;
  /** paying accounts (revenue > 0 in the period) */
  accounts: number;
  revenue: number;
  arpa: number | null;
  arpaSe: number | null;
  arpaCi: Interval | null;
  churn: { rate: number | null; atStart: number | null; lost: number | null; ci: Interval | null };
  value: number | null;
  ci: Interval | null;
  se: number | null;
  notes: Note[];
}

// ---------------------------------------------------------------------------------------------
// simple: ARPA × margin ÷ churn
// ---------------------------------------------------------------------------------------------

/** Revenue per paying account in [start, end), with the position of each account's latest cell (for breakdowns). */
export function accountRevenue(rows: TransactionCells, start: number, end: number): { customer: string[]; revenue: number[]; last: number[] } {
  const { customers, k, last } = perCustomer(rows, start, end, 'amount');
  const names = columnValues<string>(rows.valid, '__customer');
  const paying = customers.filter((c) => k[c] > 0);
  return { customer: paying.map((c) => names[last[c]]), revenue: paying.map((c) => k[c]), last: paying.map((c) => last[c]) };
}

function churnOf(def: ClvDef, start: number, end: number, signups: number[], cancels: number[]): SimplePeriod['churn'] {
  if (def.churn_rate !== undefined) return { rate: def.churn_rate, atStart: null, lost: null, ci: null };
  let atStart = 0;
  let lost = 0;
  for (let i = 0; i < signups.length; i++) {
    if (signups[i] < start && cancels[i] >= start) {
      atStart++;
      if (cancels[i] < end) lost++;
    }
  }
  return { rate: atStart > 0 ? lost / atStart : null, atStart, lost, ci: atStart > 0 ? wilsonInterval(lost, atStart) : null };
}

/** CLV = ARPA × margin ÷ churn with its delta-method log-scale interval (when defined). */
function simpleValue(def: ClvDef, arpa: { mean: number; se: number } | null, churn: SimplePeriod['churn']): { value: number | null; ci: Interval | null; se: number | null; notes: Note[] } {
  if (arpa === null) return { value: null, ci: null, se: null, notes: [{ key: 'note.noPaying' }] };
  if (churn.rate === null) return { value: null, ci: null, se: null, notes: [{ key: 'note.noActive' }] };
  if (churn.rate === 0) return { value: null, ci: null, se: null, notes: [{ key: 'note.noChurn' }] };
  const value = (arpa.mean * def.margin) / churn.rate;
  const relArpa = Number.isFinite(arpa.se) && arpa.mean > 0 ? arpa.se / arpa.mean : NaN;
  const relChurn = churn.atStart === null ? 0 : Math.sqrt((1 - churn.rate) / (churn.rate * churn.atStart));
  const seLog = Math.sqrt(relArpa * relArpa + relChurn * relChurn);
  if (!Number.isFinite(seLog)) return { value, ci: null, se: null, notes: [] };
  return { value, ci: [value * Math.exp(-Z95 * seLog), value * Math.exp(Z95 * seLog)], se: value * seLog, notes: [] };
}

export function simplePeriod(period: string, def: ClvDef, granularity: Granularity, rows: TransactionCells, signups: number[], cancels: number[]): SimplePeriod {
  const end = periodEnd(period, granularity);
  const periodStartMs = periodStart(period, granularity);
  const acc = accountRevenue(rows, periodStartMs, end);
  let sum = 0;
  let sumSq = 0;
  for (const r of acc.revenue) {
    sum += r;
    sumSq += r * r;
  }
  const n = acc.revenue.length;
  const est = meanEstimate(n, sum, sumSq);
  const arpa = n > 0 ? { mean: est.mean, se: est.se } : null;
  const churn = churnOf(def, periodStartMs, end, signups, cancels);
  const v = simpleValue(def, arpa, churn);
  return {
    period,
    accounts: n,
    revenue: sum,
    arpa: arpa ? arpa.mean : null,
    arpaSe: arpa && Number.isFinite(arpa.se) ? arpa.se : null,
    arpaCi: n >= 2 && Number.isFinite(est.ci[0]) ? est.ci : null,
    churn,
    ...v,
  };
}
