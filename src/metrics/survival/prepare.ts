/** Survival: the customers (start and end dates) or the rows of the durations form (duration and event flag) validated into the prepared form. */
import { ExclusionCounter } from '../exclusions.js';
import type { ColumnTable } from 'arquero';
import * as aq from 'arquero';
import { CxError } from '../../kernel/errors.js';
import type { SourceTable } from '../../sources/types.js';
import { filteredTable, prepareCustomers, type PreparedCustomers } from '../customers.js';
import { describeFlagValues, flagMatcher, requireMatch } from '../flag-values.js';
import { rowRejecter } from '../invalid.js';
import { lastTimestampOf, latestPeriodOf } from '../timeline.js';
import { canPushDownCustomers, prepareCustomersSql } from '../customers-pushdown.js';
import { prepareFromRows, type Prepared, type PrepareContext } from '../module.js';
import { isPushdown } from '../../sources/sql.js';
import { ALL_PERIOD, parseTimestamp, periodOf, type Granularity } from '../../kernel/period.js';
import type { SurvivalConfig, SurvivalDef, TimeUnit } from './schema.js';

/** Default horizon of the durations form: one year in the unit. */
const ONE_YEAR: Record<TimeUnit, number> = { day: 365, week: 52, month: 12, year: 1 };

/** The config with `unit` in the singular and the form's defaults for `unit` and `horizon`. */
export function survivalConfig(def: SurvivalDef, form: 'dates' | 'durations'): SurvivalConfig {
  const unit = (def.unit === undefined ? (form === 'durations' ? 'day' : 'month') : def.unit.replace(/s$/, '')) as TimeUnit;
  return { ...def, unit, horizon: def.horizon ?? (form === 'durations' ? ONE_YEAR[unit] : 12) };
}

/** Rows of the durations form: one duration and event flag per valid row (and its period). */
export interface PreparedDurations extends Prepared {
  kind: 'durations';
  id: string;
  def: SurvivalConfig;
  granularity: Granularity;
  source: SourceTable;
  /** valid rows with the source's columns (for breakdowns and segments) */
  table: ColumnTable;
  /** duration of each valid row, in units */
  times: Float64Array;
  /** 1 where the event happened, 0 censored */
  events: (0 | 1)[];
  /** period of each valid row ("all" with granularity all) */
  period: string[];
  exclusions: ExclusionCounter;
  firstPeriod: string | undefined;
  cache: Map<string, unknown>;
}

export type PreparedSurvival = PreparedCustomers<SurvivalConfig> | PreparedDurations;



/**
 * Which form a survival config uses: start and end dates, or durations with an event flag (R's
 * Surv(time, status)). Mixing them, or giving neither completely, is a located config error
 * naming the keys and the fix.
 */
function survivalForm(ctx: PrepareContext<SurvivalDef>): 'dates' | 'durations' {
  const def = ctx.def;
  const at = (key: string) => ctx.config.yaml.locate(['metrics', ctx.id, key], { key: true });
  const fail = (key: string | null, message: string, hint: string) => new CxError('config', `metric "${ctx.id}": ${message}`, { location: key ? at(key) : ctx.config.yaml.locate(['metrics', ctx.id], { key: true }), hint });
  const both = 'use either `duration:` + `event:` + `event_value:` (durations, as R’s Surv(time, status)) or `id:` + `start:` + `end:` (dates), not both';
  if (def.duration !== undefined) {
    const mixed = (['start', 'end'] as const).find((k) => def[k] !== undefined);
    if (mixed) throw fail(mixed, `\`${mixed}\` belongs to the date form (start/end dates), but the metric uses the durations form (\`duration\`)`, both);
    if (def.event === undefined) throw fail('duration', '`duration` needs `event`, the column saying whether the event happened at the end of each duration', 'add `event: <column>` and `event_value: <value>`, e.g. `event: Churn, event_value: "Yes"` or `event: status, event_value: 1`');
    if (def.event_value === undefined) throw fail('event', `\`event: ${def.event}\` needs \`event_value\`, the value(s) of that column that mean the event happened`, 'add e.g. `event_value: 1` (R’s lung data codes death as 2: `event_value: 2`), or a list: `[Yes, "1"]`');
    if (ctx.granularity !== 'all' && def.date === undefined) {
      throw fail('duration', `the durations form needs a \`date:\` column to assign rows to ${ctx.granularity}s`, 'add `date: <column>` (e.g. the start date), or set report.period.granularity: all to compute the curve once over all data');
    }
    return 'durations';
  }
  for (const key of ['event', 'event_value', 'date'] as const) {
    if (def[key] !== undefined) throw fail(key, `\`${key}\` belongs to the durations form, which needs \`duration\``, 'add `duration: <column>` (time to the event or to censoring), or remove this key and use `id:` + `start:` + `end:`');
  }
  const missing = (['id', 'start', 'end'] as const).filter((k) => def[k] === undefined);
  if (missing.length > 0) {
    throw fail(null, `missing ${missing.map((k) => `\`${k}\``).join(', ')}: give the date form (id, start, end) or the durations form (duration, event, event_value)`, 'dates: `id: customer_id, start: signup_date, end: cancel_date`; durations: `duration: tenure, unit: months, event: Churn, event_value: "Yes"`');
  }
  return 'dates';
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;
const blank = (raw: unknown) => raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');

/**
 * Validates the rows of the durations form: a duration ≥ 0 (missing, non-numeric and negative
 * durations are excluded and counted), a non-empty event cell (matched against `event_value`; a
 * value matching no row at all is a config error listing the column's values), an optional id
 * (missing or duplicate excluded) and, with calendar periods, a valid date.
 */
function prepareDurations(ctx: PrepareContext<SurvivalConfig>): PreparedDurations {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.duration!, ['duration']);
  ctx.requireColumn(source, def.event!, ['event']);
  for (const key of ['id', 'date', 'by'] as const) if (def[key] !== undefined) ctx.requireColumn(source, def[key]!, [key]);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const g = ctx.granularity;
  const table = filteredTable(source, def.filter);
  const n = table.numRows();
  const durations = table.array(def.duration!) as ArrayLike<unknown>;
  const eventCells = table.array(def.event!) as ArrayLike<unknown>;
  requireMatch(ctx as PrepareContext<unknown>, eventCells, def.event!, def.event_value!, ['event_value'], source.name);
  const happened = flagMatcher(def.event_value!);
  const ids = def.id !== undefined ? (table.array(def.id) as ArrayLike<unknown>) : null;
  const dates = def.date !== undefined ? (table.array(def.date) as ArrayLike<unknown>) : null;
  const seen = new Map<string, number>();
  if (ids) for (let i = 0; i < n; i++) if (!blank(ids[i])) seen.set(String(ids[i]).trim(), (seen.get(String(ids[i]).trim()) ?? 0) + 1);
  const reject = rowRejecter(source, table, ctx.id);
  const exclusions = new ExclusionCounter();
  const keep: number[] = [];
  const times: number[] = [];
  const events: (0 | 1)[] = [];
  const period: string[] = [];
  let firstPeriod: string | undefined;
  for (let i = 0; i < n; i++) {
    const t = dates ? parseTimestamp(dates[i]) : NaN;
    // granularity all: every row is in the one period, dated or not
    const p = g === 'all' ? ALL_PERIOD : Number.isFinite(t) ? periodOf(t, g) : null;
    if (p === null) {
      reject(i, def.date!, dates![i], 'missing or invalid date (ISO 8601 expected)');
      exclusions.add(null, 'missing or invalid date');
      continue;
    }
    const fail = (column: string, raw: unknown, reason: string, message: string) => {
      reject(i, column, raw, message);
      exclusions.add(p, reason);
    };
    if (ids && blank(ids[i])) {
      fail(def.id!, ids[i], 'missing id', 'missing id');
      continue;
    }
    if (ids && (seen.get(String(ids[i]).trim()) ?? 0) > 1) {
      fail(def.id!, ids[i], 'duplicate id', `duplicate id (${seen.get(String(ids[i]).trim())} rows)`);
      continue;
    }
    const raw = durations[i];
    const d = typeof raw === 'number' ? raw : !blank(raw) && NUMBER.test(String(raw)) ? Number(raw) : NaN;
    if (blank(raw)) {
      fail(def.duration!, raw, 'missing duration', 'missing duration');
      continue;
    }
    if (!Number.isFinite(d)) {
      fail(def.duration!, raw, 'invalid duration', `duration not a number (in ${def.unit}s)`);
      continue;
    }
    if (d < 0) {
      fail(def.duration!, raw, 'negative duration', 'negative duration');
      continue;
    }
    const e = happened(eventCells[i]);
    if (e === null) {
      fail(def.event!, eventCells[i], 'missing event', `missing event (${describeFlagValues(def.event_value!)} = event, any other value = censored)`);
      continue;
    }
    keep.push(i);
    times.push(d);
    events.push(e ? 1 : 0);
    period.push(p);
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
  }
  const valid = table.reify(keep).assign(aq.table({ __period: period, __ts: Float64Array.from(keep, (i) => (dates ? parseTimestamp(dates[i]) : NaN)) }));
  return {
    kind: 'durations',
    id: ctx.id,
    def,
    granularity: g,
    source,
    table: valid,
    times: Float64Array.from(times),
    events,
    period,
    exclusions,
    firstPeriod,
    cache: new Map(),
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, g),
  };
}

/**
 * The date form on a SQL source: the database groups the customers by start and end instant,
 * status and grouping columns (customers-pushdown.ts, instant cells): customers in a cell share
 * their tenure, so the cell's count is a frequency weight of the Kaplan–Meier fit and the
 * log-rank test. Otherwise rows. The durations form reads rows.
 */
export function prepareSurvival(ctx: PrepareContext<SurvivalDef>): PreparedSurvival | Promise<PreparedSurvival> {
  const source = ctx.source('source');
  const form = survivalForm(ctx);
  const config = { ...ctx, def: survivalConfig(ctx.def, form) };
  if (form === 'durations') return isPushdown(source) ? prepareFromRows(config, source, prepareDurations) : prepareDurations(config);
  // the date form: id, start and end are given (survivalForm)
  const dated = config as unknown as PrepareContext<SurvivalConfig & { id: string; start: string; end: string }>;
  const extra: [string, string | undefined][] = [['by', ctx.def.by]];
  if (!isPushdown(source)) return prepareCustomers(dated, extra);
  if (canPushDownCustomers(source.sql, dated.def)) return prepareCustomersSql(dated, source, 'instant', extra);
  return prepareFromRows(dated, source, (c) => prepareCustomers(c, extra));
}
