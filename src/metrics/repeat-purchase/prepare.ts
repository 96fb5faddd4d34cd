/** The repeat purchase rate's orders: validated into transaction cells, with per-window counts on demand (cached). */
import type { Filter } from '../../kernel/filter.js';
import type { Granularity } from '../../kernel/period.js';
import type { SourceTable } from '../../sources/types.js';
import type { Prepared, PrepareContext } from '../module.js';
import { groupKey } from '../prepare.js';
import { sourceDimensions } from '../pushdown.js';
import { andThen, columnValues, DAY_MS, perCustomer, transactionsOf, type TransactionCells } from '../transactions.js';
import type { RepeatPurchaseDef } from './schema.js';
import { periodEnd, timeBounds } from './windows.js';

export interface PreparedRepeat extends Prepared {
  kind: 'repeat-purchase-rate';
  id: string;
  def: RepeatPurchaseDef;
  source: SourceTable;
  granularity: Granularity;
  /** the orders as transaction cells (customer × UTC day × grouping values) */
  rows: TransactionCells;
  /** 'sql' when the database made the cells */
  engine: 'memory' | 'sql';
  /** window [start, end) for a period, in UTC ms */
  window(period: string): [number, number];
  /** counts for the window of `period`, optionally per group of `column` (customer's latest value in the window) */
  windowStats(period: string, column?: string): WindowStats;
}

/** Per-window counts: customers with ≥ 1 purchase (n), with ≥ 2 (x), purchases, and customers by purchase count. */
export interface WindowStats {
  groups: Map<string, { x: number; n: number }>;
  purchases: number;
  /** customers by number of purchases in the window */
  byCount: Map<number, number>;
}

export function prepare(ctx: PrepareContext<RepeatPurchaseDef>): PreparedRepeat | Promise<PreparedRepeat> {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.customer, ['customer']);
  ctx.requireColumn(source, def.date, ['date']);
  if (def.amount) ctx.requireColumn(source, def.amount, ['amount']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const cells = transactionsOf(source, { customer: def.customer, date: def.date, amount: def.amount }, { filter: def.filter as Filter | undefined, metric: ctx.id, dims: sourceDimensions(ctx, source) });
  return andThen(cells, (rows) => prepareCells(ctx, source, rows));
}

function prepareCells(ctx: PrepareContext<RepeatPurchaseDef>, source: SourceTable, rows: TransactionCells): PreparedRepeat {
  const def = ctx.def;
  const granularity = ctx.granularity;
  const bounds = timeBounds(rows.valid, granularity);
  const windowMs = def.window_days * DAY_MS;
  const window = (period: string): [number, number] => {
    const end = periodEnd(period, granularity);
    return [end - windowMs, end];
  };
  const cache = new Map<string, WindowStats>();
  const windowStats = (period: string, column?: string): WindowStats => {
    const key = `${period}\u0000${column ?? ''}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const [start, end] = window(period);
    const { customers, k, last } = perCustomer(rows, start, end, def.purchases === 'days' ? 'days' : 'rows');
    const groups = new Map<string, { x: number; n: number }>();
    const byCount = new Map<number, number>();
    let purchases = 0;
    const values = column ? columnValues(rows.valid, column) : null;
    for (const c of customers) {
      const g = values ? groupKey(values[last[c]]) : '';
      const cell = groups.get(g) ?? { x: 0, n: 0 };
      cell.n += 1;
      if (k[c] > 1) cell.x += 1;
      groups.set(g, cell);
      purchases += k[c];
      byCount.set(k[c], (byCount.get(k[c]) ?? 0) + 1);
    }
    const stats = { groups, purchases, byCount };
    cache.set(key, stats);
    return stats;
  };
  return {
    kind: 'repeat-purchase-rate',
    id: ctx.id,
    def,
    source,
    granularity,
    rows,
    engine: rows.engine,
    window,
    windowStats,
    latestPeriod: () => bounds.last,
    lastTimestamp: (period) => bounds.lastBefore(periodEnd(period, granularity)),
  };
}
