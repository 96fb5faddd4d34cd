/**
 * Validating churn and retention rows: the form a config uses (`checkLifecycleForm`), the flag
 * form's rows (one valid customer each, with flag and period), and the date form's customers
 * (customers.ts, or counted in the database by customers-pushdown.ts).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ExclusionCounter } from '../exclusions.js';
import { CxError } from '../../kernel/errors.js';
import { compileFilter, describeFilter, type Filter } from '../../kernel/filter.js';
import { describeFlagValues, flagMatcher, requireMatch, type FlagValues } from '../flag-values.js';
import { rowRejecter } from '../invalid.js';
import { prepareFromRows, type Prepared, type PrepareContext } from '../module.js';
import { ALL_PERIOD, parseTimestamp, periodOf, type Granularity } from '../../kernel/period.js';
import { lastTimestampOf, latestPeriodOf } from '../timeline.js';
import { canPushDownCustomers, prepareCustomersSql } from '../customers-pushdown.js';
import { isPushdown } from '../../sources/sql.js';
import { prepareCustomers, type PreparedCustomers } from '../customers.js';
import type { ChurnDef, RetentionDef } from './schema.js';

/** The config keys of the flag form (churn and retention). */
export interface FlagDef {
  source: string;
  id?: string;
  start?: string;
  end?: string;
  churned?: string;
  churned_value?: FlagValues;
  date?: string;
  label?: string;
  target?: number;
  filter?: Record<string, unknown>;
}

export type FlagExclusion = 'missing churned flag' | 'missing id' | 'duplicate id' | 'missing or invalid date';

/** Valid customers (one row each) with their flag and period. */
export interface PreparedFlags<D extends FlagDef = FlagDef> extends Prepared {
  kind: 'flags';
  id: string;
  def: D;
  granularity: Granularity;
  sourceName: string;
  /** valid rows: the source's columns plus __churned (1 = a churned value), __period and __ts */
  table: ColumnTable;
  /** excluded rows per period ("undated" without a valid date) and reason */
  exclusions: Map<string, Record<string, number>>;
  firstPeriod: string | undefined;
  filterText: string | null;
  cache: Map<string, unknown>;
}

const isEmpty = (raw: unknown) => raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');

/** Whether a customers metric's config uses the flag form. */
export function isFlagForm(def: { churned?: string }): boolean {
  return def.churned !== undefined;
}

/**
 * Checks which form a churn/retention config uses: the flag form (`churned`, `churned_value`,
 * optional `id` and `date`) or the date form (`id`, `start`, `end`). Mixing them, or giving
 * neither completely, is a located config error naming the keys.
 */
export function checkLifecycleForm(ctx: PrepareContext<FlagDef>): 'flag' | 'dates' {
  const def = ctx.def;
  const at = (key: string) => ctx.config.yaml.locate(['metrics', ctx.id, key], { key: true });
  const here = ctx.config.yaml.locate(['metrics', ctx.id], { key: true });
  if (def.churned !== undefined) {
    const mixed = (['start', 'end'] as const).find((k) => def[k] !== undefined);
    if (mixed) {
      throw new CxError('config', `metric "${ctx.id}": \`${mixed}\` belongs to the date form (start/end dates), but the metric uses the flag form (\`churned\`)`, {
        location: at(mixed),
        hint: 'use either `churned:` + `churned_value:` (a flag column) or `id:` + `start:` + `end:` (dates), not both',
      });
    }
    if (def.churned_value === undefined) {
      throw new CxError('config', `metric "${ctx.id}": \`churned: ${def.churned}\` needs \`churned_value\`, the value(s) of that column that mean the customer left`, { location: at('churned'), hint: 'add e.g. `churned_value: "Yes"` (or a list: `[Yes, "1"]`)' });
    }
    if (ctx.granularity !== 'all' && def.date === undefined) {
      throw new CxError('config', `metric "${ctx.id}": the flag form (\`churned\`) needs a \`date:\` column to assign customers to ${ctx.granularity}s`, {
        location: at('churned'),
        hint: 'add `date: <column>` (e.g. the snapshot or signup date), or set report.period.granularity: all to compute it once over all data',
      });
    }
    return 'flag';
  }
  if (def.churned_value !== undefined) throw new CxError('config', `metric "${ctx.id}": \`churned_value\` needs \`churned\`, the column holding the churn flag`, { location: at('churned_value'), hint: 'add `churned: <column>` (e.g. `churned: Churn`)' });
  if (def.date !== undefined) throw new CxError('config', `metric "${ctx.id}": \`date\` belongs to the flag form (\`churned\`); the date form uses \`start\` and \`end\``, { location: at('date'), hint: 'remove `date:`, or use the flag form: `churned:` + `churned_value:`' });
  const missing = (['id', 'start', 'end'] as const).filter((k) => def[k] === undefined);
  if (missing.length > 0) {
    throw new CxError('config', `metric "${ctx.id}": missing ${missing.map((k) => `\`${k}\``).join(', ')}: give the date form (id, start, end) or the flag form (churned, churned_value)`, {
      location: here,
      hint: 'dates: `id: customer_id, start: signup_date, end: cancel_date`; a flag: `churned: Churn, churned_value: "Yes"`',
    });
  }
  if (ctx.granularity === 'all') {
    throw new CxError('config', `metric "${ctx.id}": the date form (start/end) counts customers active at the start of a period, which granularity all does not have`, {
      location: at('start'),
      hint: 'use the flag form (`churned:` + `churned_value:`), or set report.period.granularity to month, quarter or year',
    });
  }
  return 'dates';
}

/** Validates the rows of the flag form: flag (empty = excluded), optional id (missing/duplicate), date (periods only). */
export function prepareFlags<D extends FlagDef>(ctx: PrepareContext<D>, extraColumns: [string, string | undefined][] = []): PreparedFlags<D> {
  const def = ctx.def;
  const source = ctx.source('source');
  const column = def.churned!;
  ctx.requireColumn(source, column, ['churned']);
  if (def.id !== undefined) ctx.requireColumn(source, def.id, ['id']);
  if (def.date !== undefined) ctx.requireColumn(source, def.date, ['date']);
  for (const c of Object.keys(def.filter ?? {})) ctx.requireColumn(source, c, ['filter', c]);
  for (const [key, c] of extraColumns) if (c !== undefined) ctx.requireColumn(source, c, [key]);
  const g = ctx.granularity;
  let table = source.table;
  if (def.filter && Object.keys(def.filter).length > 0) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const n = table.numRows();
  const flags = table.array(column) as ArrayLike<unknown>;
  requireMatch(ctx as PrepareContext<unknown>, flags, column, def.churned_value!, ['churned_value'], source.name);
  const matches = flagMatcher(def.churned_value!);
  const ids = def.id !== undefined ? (table.array(def.id) as ArrayLike<unknown>) : null;
  const dates = def.date !== undefined ? (table.array(def.date) as ArrayLike<unknown>) : null;
  const reject = rowRejecter(source, table, ctx.id);
  const seen = new Map<string, number>();
  if (ids) {
    for (let i = 0; i < n; i++) {
      if (isEmpty(ids[i])) continue;
      const k = String(ids[i]).trim();
      seen.set(k, (seen.get(k) ?? 0) + 1);
    }
  }
  const excluded = new ExclusionCounter();
  const exclusions = excluded.byPeriod;
  const keep: number[] = [];
  const flag: number[] = [];
  const period: string[] = [];
  const ts: number[] = [];
  let firstPeriod: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = dates ? parseTimestamp(dates[i]) : NaN;
    // granularity all: every row is in the one period, dated or not
    const p = g === 'all' ? ALL_PERIOD : Number.isFinite(t) ? periodOf(t, g) : null;
    if (p === null) {
      reject(i, def.date!, dates![i], 'missing or invalid date (ISO 8601 expected)');
      excluded.add(null, 'missing or invalid date');
      continue;
    }
    if (ids && isEmpty(ids[i])) {
      reject(i, def.id!, ids[i], 'missing id');
      excluded.add(p, 'missing id');
      continue;
    }
    if (ids && (seen.get(String(ids[i]).trim()) ?? 0) > 1) {
      reject(i, def.id!, ids[i], `duplicate id (${seen.get(String(ids[i]).trim())} rows)`);
      excluded.add(p, 'duplicate id');
      continue;
    }
    const m = matches(flags[i]);
    if (m === null) {
      reject(i, column, flags[i], `missing churned flag (expected ${describeFlagValues(def.churned_value!)} or another value)`);
      excluded.add(p, 'missing churned flag');
      continue;
    }
    keep.push(i);
    flag.push(m ? 1 : 0);
    period.push(p);
    ts.push(t);
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
  }
  const valid = table.reify(keep).assign(aq.table({ __churned: flag, __period: period, __ts: Float64Array.from(ts) }));
  return {
    kind: 'flags',
    id: ctx.id,
    def,
    granularity: g,
    sourceName: source.name,
    table: valid,
    exclusions,
    firstPeriod,
    filterText: def.filter ? describeFilter(def.filter as Filter) : null,
    cache: new Map(),
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, g),
  };
}

/**
 * Churn and retention count customers in the database when their source is a pushdown source
 * (customers-pushdown.ts), and from rows otherwise.
 */
export function prepareLifecycle<D extends ChurnDef | RetentionDef>(ctx: PrepareContext<D>): PreparedLifecycle<D> | Promise<PreparedLifecycle<D>> {
  const source = ctx.source('source');
  if (checkLifecycleForm(ctx) === 'flag') return isPushdown(source) ? prepareFromRows(ctx, source, (c) => prepareFlags(c)) : prepareFlags(ctx);
  // the date form: id, start and end are all given (checkLifecycleForm)
  const dated = ctx as unknown as PrepareContext<D & { id: string; start: string; end: string }>;
  if (!isPushdown(source)) return prepareCustomers(dated);
  if (canPushDownCustomers(source.sql, dated.def)) return prepareCustomersSql(dated, source);
  return prepareFromRows(dated, source, prepareCustomers);
}

/** A churn or retention metric's rows: customers with dates, or customers with a flag. */
export type PreparedLifecycle<D> = PreparedCustomers<D> | PreparedFlags<D & FlagDef>;
