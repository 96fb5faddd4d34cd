/** Revenue retention: the per-customer MRR pairs of two snapshots, the MRR bridge rolled up from them (per group), NRR and GRR, and the starting customers' contributions the bootstrap resamples. */
import * as aq from 'arquero';
import { groupKey } from '../prepare.js';
import type { PreparedRevenue } from './prepare.js';

// ---------------------------------------------------------------------------------------------
// The MRR bridge between two snapshots
// ---------------------------------------------------------------------------------------------

export interface Bridge {
  start: number;
  new: number;
  expansion: number;
  contraction: number;
  churned: number;
  end: number;
  customers: { atStart: number; new: number; expanded: number; contracted: number; churned: number; atEnd: number };
}

/** Per-customer MRR at the two snapshots (paying customers at either), with the group of each. */
export interface Pairs {
  customer: Int32Array;
  a: Float64Array;
  b: Float64Array;
  group: string[];
}

export function pairs(pr: PreparedRevenue, m0: number, m1: number, column?: string): Pairs {
  const key = `pairs:${m0}:${m1}:${column ?? ''}`;
  const cached = pr.cache.get(key) as Pairs | undefined;
  if (cached) return cached;
  const s0 = pr.snapshots.get(m0)!;
  const s1 = pr.snapshots.get(m1)!;
  const values = column ? (pr.table.array(column) as ArrayLike<unknown>) : undefined;
  const at = new Map<number, { a: number; b: number; row: number; rowAfter: number }>();
  s0.customer.forEach((c, j) => at.set(c, { a: s0.mrr[j], b: 0, row: s0.row[j], rowAfter: -1 }));
  s1.customer.forEach((c, j) => {
    const e = at.get(c);
    if (e) {
      e.b = s1.mrr[j];
      e.rowAfter = s1.row[j];
    } else at.set(c, { a: 0, b: s1.mrr[j], row: -1, rowAfter: s1.row[j] });
  });
  const entries = [...at.entries()].filter(([, e]) => e.a > 0 || e.b > 0).sort(([x], [y]) => x - y);
  // A customer's group is their value at the earlier snapshot (or the later one for new customers).
  const out: Pairs = {
    customer: Int32Array.from(entries, ([c]) => c),
    a: Float64Array.from(entries, ([, e]) => e.a),
    b: Float64Array.from(entries, ([, e]) => e.b),
    group: entries.map(([, e]) => (values ? groupKey(values[e.a > 0 ? e.row : e.rowAfter]) : 'all')),
  };
  pr.cache.set(key, out);
  return out;
}

export const EMPTY_BRIDGE: Bridge = { start: 0, new: 0, expansion: 0, contraction: 0, churned: 0, end: 0, customers: { atStart: 0, new: 0, expanded: 0, contracted: 0, churned: 0, atEnd: 0 } };

/** The bridges of each pairs object (pairs are cached, so a period's bridges are rolled up once). */
const bridgesOf = new WeakMap<Pairs, Map<string, Bridge>>();

/** The bridge per group, rolled up with Arquero from the per-customer pairs. */
export function bridges(p: Pairs): Map<string, Bridge> {
  const hit = bridgesOf.get(p);
  if (hit) return hit;
  const out = rollUp(p);
  bridgesOf.set(p, out);
  return out;
}

function rollUp(p: Pairs): Map<string, Bridge> {
  const t = aq.table({ g: p.group, a: p.a, b: p.b });
  const rows = t
    .derive({
      kept: (d: Record<string, number>) => (d.a > 0 && d.b > 0 ? 1 : 0),
    })
    .groupby('g')
    .rollup({
      start: 'd => op.sum(d.a)',
      end: 'd => op.sum(d.b)',
      expansion: 'd => op.sum(d.kept && d.b > d.a ? d.b - d.a : 0)',
      contraction: 'd => op.sum(d.kept && d.a > d.b ? d.a - d.b : 0)',
      churned: 'd => op.sum(d.a > 0 && d.b === 0 ? d.a : 0)',
      new: 'd => op.sum(d.a === 0 && d.b > 0 ? d.b : 0)',
      nStart: 'd => op.sum(d.a > 0 ? 1 : 0)',
      nEnd: 'd => op.sum(d.b > 0 ? 1 : 0)',
      nNew: 'd => op.sum(d.a === 0 && d.b > 0 ? 1 : 0)',
      nExpanded: 'd => op.sum(d.kept && d.b > d.a ? 1 : 0)',
      nContracted: 'd => op.sum(d.kept && d.a > d.b ? 1 : 0)',
      nChurned: 'd => op.sum(d.a > 0 && d.b === 0 ? 1 : 0)',
    })
    .objects() as Record<string, number | string>[];
  const out = new Map<string, Bridge>();
  for (const r of rows) {
    // sums of decimal amounts carry float noise (6171987.3800003305): round to a millionth
    const num = (k: string) => Math.round(Number(r[k]) * 1e6) / 1e6;
    out.set(String(r.g), {
      start: num('start'),
      new: num('new'),
      expansion: num('expansion'),
      contraction: num('contraction'),
      churned: num('churned'),
      end: num('end'),
      customers: { atStart: num('nStart'), new: num('nNew'), expanded: num('nExpanded'), contracted: num('nContracted'), churned: num('nChurned'), atEnd: num('nEnd') },
    });
  }
  return out;
}

export const nrrOf = (b: Bridge) => (b.start > 0 ? (100 * (b.start + b.expansion - b.contraction - b.churned)) / b.start : null);
export const grrOf = (b: Bridge) => (b.start > 0 ? (100 * (b.start - b.contraction - b.churned)) / b.start : null);

/** Starting customers' MRR (den) and what they keep (num: current MRR for NRR, capped at start for GRR). */
export function contributions(p: Pairs, measure: 'nrr' | 'grr', group?: string): { customer: Int32Array; num: Float64Array; den: Float64Array } {
  const idx: number[] = [];
  for (let i = 0; i < p.a.length; i++) if (p.a[i] > 0 && (group === undefined || p.group[i] === group)) idx.push(i);
  return {
    customer: Int32Array.from(idx, (i) => p.customer[i]),
    den: Float64Array.from(idx, (i) => p.a[i]),
    num: Float64Array.from(idx, (i) => (measure === 'nrr' ? p.b[i] : Math.min(p.a[i], p.b[i]))),
  };
}
