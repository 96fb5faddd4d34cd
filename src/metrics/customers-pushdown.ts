/**
 * Churn, retention, cohort retention of subscriptions and survival pushed down to a SQL source. Their sufficient statistics are the customer
 * flows per period — starts per start month, ends per end month — so the database groups the
 * customers by (start month, end month, row status, grouping columns) and returns counts and the
 * latest start and end; the validation is the in-memory one written in SQL (missing id, missing
 * start, end before start, an id on more than one row — `COUNT(*) OVER (PARTITION BY id)`).
 * The cells become a weighted customers table (__sp, __ep, __w) from which `lifecycleFlows` and the
 * shared finaliser compute S, N, L and E exactly as for rows.
 *
 * Survival groups by the start and end instants instead of months (`Resolution`): Kaplan–Meier
 * needs each customer's tenure, and customers with the same dates and grouping values have the
 * same tenure, so the cells' counts are frequency weights (models/kaplan-meier.ts `weights`).
 *
 * Pushed down only when the start and end columns are DATE or TIMESTAMP columns and the metric has
 * no `filter:` (a filter changes which rows count as duplicates); otherwise the rows are read.
 */
import * as aq from 'arquero';
import { ExclusionCounter } from './exclusions.js';
import { CxError } from '../kernel/errors.js';
import { cellValue, isTemporal, type PushdownSource, type SqlRelation } from '../sources/sql.js';
import { customerCellsSql, type CustomerDef, type Resolution } from './customers-pushdown-sql.js';
import { invalidRowHint } from './invalid.js';
import { periodOrdinal, preparedCustomers, requireCustomerColumns, type CustomerExclusion, type PreparedCustomers } from './customers.js';
import type { PrepareContext } from './module.js';
import { periodKey, sourceDimensions } from './pushdown.js';

/** Whether this metric's customers can be counted by SQL. */
export function canPushDownCustomers(sql: SqlRelation, def: CustomerDef): boolean {
  return isTemporal(sql.kind(def.start)) && isTemporal(sql.kind(def.end)) && Object.keys(def.filter ?? {}).length === 0;
}

/** Churn/retention customers counted by the database: a weighted customers table. */
export async function prepareCustomersSql<D extends CustomerDef>(ctx: PrepareContext<D>, source: PushdownSource, resolution: Resolution = 'month', extraColumns: [string, string | undefined][] = []): Promise<PreparedCustomers<D>> {
  const def = ctx.def;
  // no filter columns: a metric with a filter is not pushed down (canPushDownCustomers)
  requireCustomerColumns(ctx, source, extraColumns);
  const g = ctx.granularity;
  const dims = sourceDimensions(ctx, source, extraColumns.map(([, c]) => c));
  const { names, rows } = await source.sql.run(customerCellsSql(source.sql, def, dims, resolution));
  const at = (name: string) => names.indexOf(name);
  const [sy, smo, ey, emo, st, n, ls, le] = ['cx_sy', 'cx_smo', 'cx_ey', 'cx_emo', 'cx_status', 'cx_n', 'cx_last_start', 'cx_last_end'].map(at);
  const dimAt = dims.map((_, i) => at(`cx_dim${i}`));
  const exclusions = new ExclusionCounter();
  const cells: Record<string, unknown[]> = { __sp: [], __ep: [], __w: [] };
  for (const d of dims) cells[d] = [];
  const times: number[] = [];
  const instants: { start: number[]; end: number[] } = { start: [], end: [] };
  let firstInvalid: { status: string; period: string | null } | undefined;
  for (const r of rows) {
    const status = String(r[st]) as CustomerExclusion | 'ok';
    const w = Number(r[n]);
    const startPeriod = periodKey(r[sy], r[smo], g);
    if (status !== 'ok') {
      exclusions.add(startPeriod, status, w);
      if (!firstInvalid || (startPeriod ?? '\uffff') < (firstInvalid.period ?? '\uffff')) firstInvalid = { status, period: startPeriod };
      continue;
    }
    const endPeriod = periodKey(r[ey], r[emo], g);
    cells.__sp.push(periodOrdinal(startPeriod!, g));
    cells.__ep.push(endPeriod === null ? null : periodOrdinal(endPeriod, g));
    cells.__w.push(w);
    dims.forEach((d, i) => cells[d].push(cellValue(r[dimAt[i]])));
    const start = Math.round(Number(r[ls]) * 1000);
    const end = r[le] === null ? NaN : Math.round(Number(r[le]) * 1000);
    times.push(start);
    if (!Number.isNaN(end)) times.push(end);
    instants.start.push(start);
    instants.end.push(end);
  }
  if (firstInvalid && source.onInvalid === 'error') {
    const column = firstInvalid.status === 'missing or invalid start date' ? def.start : firstInvalid.status === 'end before start' ? def.end : def.id;
    throw new CxError('data', `column ${column}: ${firstInvalid.status}${firstInvalid.period ? ` (a customer who started in ${firstInvalid.period})` : ''}`, {
      location: { file: source.file },
      hint: invalidRowHint(ctx.id, source),
    });
  }
  const sorted = Float64Array.from(times).sort();
  return preparedCustomers(ctx, source, aq.table(cells), {
    ...(resolution === 'instant'
      ? { start: Float64Array.from(instants.start), end: Float64Array.from(instants.end), weight: Float64Array.from(cells.__w as number[]) }
      : { start: new Float64Array(0), end: new Float64Array(0) }),
    exclusions,
    times: sorted,
    filterText: null,
    engine: 'sql',
  });
}
