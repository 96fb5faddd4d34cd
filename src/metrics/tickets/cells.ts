/** Sufficient statistics of the tickets per cell (period × group), and the duration summary of a cell. */
import * as aq from 'arquero';
import { quantileInterval } from '../../kernel/stats-exact.js';
import { quantileSorted, type Interval } from '../../kernel/stats.js';
import { groupKey } from '../prepare.js';
import type { PreparedTickets, TicketCell } from './types.js';

export const emptyCell = (): TicketCell => ({ volume: 0, open: 0, awaiting: 0, fr: new Float64Array(0), res: new Float64Array(0), frMet: 0, frN: 0, resMet: 0, resN: 0, slaMet: 0, slaN: 0, reopened: 0, reopenN: 0, csatSat: 0, csatN: 0 });

const ROLLUP = {
  volume: 'd => op.sum(d.__w)',
  open: 'd => op.sum(d.__open)',
  awaiting: 'd => op.sum(d.__awaiting)',
  fr: 'd => op.array_agg(d.__fr)',
  frW: 'd => op.array_agg(d.__frW)',
  res: 'd => op.array_agg(d.__res)',
  resW: 'd => op.array_agg(d.__resW)',
  frMet: 'd => op.sum(d.__frMet)',
  frN: 'd => op.sum(d.__frN)',
  resMet: 'd => op.sum(d.__resMet)',
  resN: 'd => op.sum(d.__resN)',
  slaMet: 'd => op.sum(d.__slaMet)',
  slaN: 'd => op.sum(d.__slaN)',
  reopened: 'd => op.sum(d.__reopened)',
  reopenN: 'd => op.sum(d.__reopenN)',
  csatSat: 'd => op.sum(d.__csatSat)',
  csatN: 'd => op.sum(d.__csatN)',
};

/** Durations repeated by their weights (tickets per record), ascending. */
function repeated(values: number[] | undefined, weights: number[] | undefined): Float64Array {
  const out: number[] = [];
  (values ?? []).forEach((v, i) => {
    for (let k = 0; k < (weights?.[i] ?? 1); k++) out.push(v);
  });
  return Float64Array.from(out).sort();
}

function toCell(o: Record<string, unknown>): TicketCell {
  const num = (k: string) => Number(o[k] ?? 0) || 0;
  const sorted = (k: string) => repeated(o[k] as number[] | undefined, o[`${k}W`] as number[] | undefined);
  return { volume: num('volume'), open: num('open'), awaiting: num('awaiting'), fr: sorted('fr'), res: sorted('res'), frMet: num('frMet'), frN: num('frN'), resMet: num('resMet'), resN: num('resN'), slaMet: num('slaMet'), slaN: num('slaN'), reopened: num('reopened'), reopenN: num('reopenN'), csatSat: num('csatSat'), csatN: num('csatN') };
}

/** Cells per period (and per value of `by`), optionally only for some periods. */
export function cells(pt: PreparedTickets, by?: string, periods?: string[]): Map<string, TicketCell> {
  let rows = pt.table;
  if (periods) rows = rows.params({ periods }).filter('(d, $) => op.includes($.periods, d.__period)');
  const keys: string[] = ['__period'];
  if (by) {
    rows = rows.derive({ __group: aq.escape((d: Record<string, unknown>) => groupKey(d[by])) as never });
    keys.push('__group');
  }
  const out = new Map<string, TicketCell>();
  for (const o of rows.groupby(...keys).rollup(ROLLUP as never).objects() as Record<string, unknown>[]) {
    out.set(by ? `${o.__period}\u0000${o.__group}` : String(o.__period), toCell(o));
  }
  return out;
}

/** Several cells as one (sums added, durations merged in order): the rest of a breakdown. */
export function mergeCells(list: TicketCell[]): TicketCell {
  const out = emptyCell();
  const numeric = ['volume', 'open', 'awaiting', 'frMet', 'frN', 'resMet', 'resN', 'slaMet', 'slaN', 'reopened', 'reopenN', 'csatSat', 'csatN'] as const;
  for (const c of list) for (const k of numeric) out[k] += c[k];
  out.fr = Float64Array.from(list.flatMap((c) => [...c.fr])).sort();
  out.res = Float64Array.from(list.flatMap((c) => [...c.res])).sort();
  return out;
}

const finite = (v: number) => (Number.isFinite(v) ? v : null);

/** Median, p90 and their order-statistic intervals of a sorted duration sample (hours). */
export function durationSummary(sorted: Float64Array): { n: number; median: number | null; ci: Interval | null; p90: number | null; p90Ci: Interval | null } {
  return {
    n: sorted.length,
    median: sorted.length ? finite(quantileSorted(sorted, 0.5)) : null,
    ci: quantileInterval(sorted, 0.5),
    p90: sorted.length ? finite(quantileSorted(sorted, 0.9)) : null,
    p90Ci: quantileInterval(sorted, 0.9),
  };
}
