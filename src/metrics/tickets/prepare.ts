/**
 * Preparing the tickets: records from the rows (in memory) or from the database's ticket cells
 * (pushdown.ts), validated by the same rules (exclusions per reason and period, unusable optional
 * cells counted) into each ticket's measures.
 */
import * as aq from 'arquero';
import { CxError } from '../../kernel/errors.js';
import { compileFilter, type Filter } from '../../kernel/filter.js';
import { parseTimestamp, periodOf, type Granularity } from '../../kernel/period.js';
import { isPushdown, loadRows } from '../../sources/sql.js';
import type { SourceTable } from '../../sources/types.js';
import { ExclusionCounter } from '../exclusions.js';
import { rowRejecter } from '../invalid.js';
import type { PrepareContext } from '../module.js';
import { sourceDimensions } from '../pushdown.js';
import { lastTimestampOf, latestPeriodOf } from '../timeline.js';
import { canPushDownTickets, ticketCells } from './pushdown.js';
import { MEASURES, type TicketMeasure, type TicketsDef } from './schema.js';
import type { PreparedTickets, TicketExclusion, TicketRecords } from './types.js';

const TRUE = new Set(['true', 'yes', 'y', 't', '1']);
const FALSE = new Set(['false', 'no', 'n', 'f', '0']);

/** A boolean cell: true/false, yes/no, y/n, t/f, 1/0 (any case); null when empty; 'invalid' otherwise. */
export function parseFlag(raw: unknown): boolean | null | 'invalid' {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'boolean') return raw;
  const s = String(raw).trim().toLowerCase();
  if (s === '') return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  return 'invalid';
}

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Target hours for a priority: a single number, or the per-priority entry (case-insensitive; `default` as fallback). */
function targetFor(target: number | Record<string, number>, priority: unknown): number | null {
  if (typeof target === 'number') return target;
  const key = isEmpty(priority) ? '' : String(priority).trim().toLowerCase();
  for (const [k, v] of Object.entries(target)) if (k.trim().toLowerCase() === key) return v;
  for (const [k, v] of Object.entries(target)) if (k.trim().toLowerCase() === 'default') return v;
  return null;
}

const HOUR = 3_600_000;

export function prepareTickets(ctx: PrepareContext<TicketsDef>): PreparedTickets | Promise<PreparedTickets> {
  const def = ctx.def;
  const source = ctx.source('source');
  for (const key of ['created', 'first_response', 'resolved', 'channel', 'priority', 'reopened', 'csat'] as const) {
    const column = def[key];
    if (column !== undefined) ctx.requireColumn(source, column, [key]);
  }
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const needs: Partial<Record<TicketMeasure, 'reopened' | 'csat'>> = { reopen_rate: 'reopened', csat: 'csat' };
  const needed = needs[def.measure];
  if (needed && def[needed] === undefined) {
    throw new CxError('config', `metric "${ctx.id}": measure "${def.measure}" needs the \`${needed}\` column`, {
      location: ctx.config.yaml.locate(['metrics', ctx.id, 'measure']),
      hint: `add \`${needed}: <column>\` to this metric, or choose another measure (${MEASURES.join(', ')})`,
    });
  }
  for (const key of ['first_response_hours', 'resolution_hours'] as const) {
    if (typeof def.sla[key] === 'object' && def.priority === undefined) {
      throw new CxError('config', `metric "${ctx.id}": sla.${key} is given per priority, but the metric has no \`priority\` column`, {
        location: ctx.config.yaml.locate(['metrics', ctx.id, 'sla', key]),
        hint: 'add `priority: <column>` to this metric, or give one number of hours',
      });
    }
  }

  const granularity = ctx.granularity;
  const dims = sourceDimensions(ctx, source, [def.channel]);
  if (!isPushdown(source)) return prepareFrom(ctx, rowRecords(ctx.id, source, def, granularity));
  // granularity all keeps tickets without a creation time (counted, durations unknown): rows in memory
  if (granularity !== 'all' && canPushDownTickets(source.sql, def)) return ticketCells(ctx.id, source, def, dims, granularity).then((records) => prepareFrom(ctx, records));
  return loadRows(source).then((rows) => prepareFrom(ctx, rowRecords(ctx.id, rows, def, granularity)));
}

function rowRecords(metric: string, source: SourceTable, def: TicketsDef, granularity: Granularity): TicketRecords {
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const n = table.numRows();
  const col = (name: string | undefined) => (name === undefined ? null : (table.array(name) as ArrayLike<unknown>));
  const created = col(def.created)!;
  const firsts = col(def.first_response)!;
  const resolveds = col(def.resolved)!;
  const period: (string | null)[] = new Array(n);
  const ts = new Float64Array(n);
  const fr: (number | null)[] = new Array(n);
  const res: (number | null)[] = new Array(n);
  const undated = granularity === 'all' ? new Uint8Array(n) : undefined;
  for (let i = 0; i < n; i++) {
    const c = parseTimestamp(created[i]);
    ts[i] = c;
    period[i] = Number.isFinite(c) ? periodOf(c, granularity) : null;
    if (undated && period[i] === null) {
      // one period over all data: the ticket counts, without durations
      period[i] = 'all';
      undated[i] = 1;
    }
    fr[i] = isEmpty(firsts[i]) ? null : parseTimestamp(firsts[i]) - c;
    res[i] = isEmpty(resolveds[i]) ? null : parseTimestamp(resolveds[i]) - c;
  }
  return { n, period, ts, fr, res, priority: col(def.priority), reopened: col(def.reopened), csat: col(def.csat), table, weight: null, undated, reject: rowRejecter(source, table, metric), engine: 'memory' };
}

/** Validates the records (the same rules whatever the engine) and derives each ticket's measures; weights count tickets. */
function prepareFrom(ctx: PrepareContext<TicketsDef>, records: TicketRecords): PreparedTickets {
  const def = ctx.def;
  const granularity = ctx.granularity;
  const { n, reject } = records;
  const w = (i: number) => (records.weight ? records.weight[i] : 1);
  const period = records.period;
  const status: string[] = new Array(n);
  const fr: (number | null)[] = new Array(n).fill(null);
  const res: (number | null)[] = new Array(n).fill(null);
  const open = new Float64Array(n);
  const awaiting = new Float64Array(n);
  const frMet: (number | null)[] = new Array(n).fill(null);
  const resMet: (number | null)[] = new Array(n).fill(null);
  const slaMet: (number | null)[] = new Array(n).fill(null);
  const reopened: (number | null)[] = new Array(n).fill(null);
  const csatSat: (number | null)[] = new Array(n).fill(null);
  const excluded = new ExclusionCounter();
  const issues = new ExclusionCounter();
  const exclusions = excluded.byPeriod;
  const fieldIssues = issues.byPeriod;
  let firstPeriod: string | undefined;
  const scale = def.csat_scale;

  for (let i = 0; i < n; i++) {
    const p = period[i];
    if (p === null) {
      reject(i, def.created, records.table.columnNames().includes(def.created) ? records.table.array(def.created)[i] : undefined, 'missing or invalid created time (ISO 8601 expected)');
      status[i] = 'missing or invalid created time';
      excluded.add('undated', status[i], w(i));
      continue;
    }
    const f = records.fr[i];
    const r = records.res[i];
    const timeless = records.undated?.[i] === 1;
    let reason: TicketExclusion | null = null;
    if (timeless) issues.add(p, 'missing or invalid created time', w(i));
    else if (f !== null && Number.isNaN(f)) reason = 'invalid first response time';
    else if (r !== null && Number.isNaN(r)) reason = 'invalid resolved time';
    else if (f !== null && f < 0) reason = 'first response before creation';
    else if (r !== null && r < 0) reason = 'resolved before creation';
    else if (r !== null && f !== null && r < f) reason = 'resolved before first response';
    if (reason) {
      const column = reason === 'invalid first response time' || reason === 'first response before creation' ? def.first_response : def.resolved;
      reject(i, column, records.table.columnNames().includes(column) ? records.table.array(column)[i] : undefined, reason);
      status[i] = reason;
      excluded.add(p, reason, w(i));
      continue;
    }
    status[i] = 'ok';
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
    const priority = records.priority ? records.priority[i] : undefined;
    const frTarget = targetFor(def.sla.first_response_hours, priority);
    const resTarget = targetFor(def.sla.resolution_hours, priority);
    if (!timeless && (frTarget === null || resTarget === null)) issues.add(p, 'no SLA target for priority', w(i));
    if (timeless) {
      // no creation time: resolved or open is known from the resolution cell, the durations are not
      if (r === null) open[i] = 1;
    } else {
      if (f !== null) {
        fr[i] = f / HOUR;
        if (frTarget !== null) frMet[i] = fr[i]! <= frTarget ? 1 : 0;
      } else awaiting[i] = 1;
      if (r !== null) {
        res[i] = r / HOUR;
        if (resTarget !== null) resMet[i] = res[i]! <= resTarget ? 1 : 0;
        if (resMet[i] !== null && (f === null || frMet[i] !== null)) slaMet[i] = resMet[i] === 1 && (f === null || frMet[i] === 1) ? 1 : 0;
      } else open[i] = 1;
    }
    if (records.reopened) {
      const flag = parseFlag(records.reopened[i]);
      if (flag === 'invalid') {
        reject(i, def.reopened!, records.reopened[i], 'reopened flag not recognised (true/false, yes/no, 1/0)');
        issues.add(p, 'reopened flag not recognised', w(i));
      }
      else if (flag === null) issues.add(p, 'missing reopened flag', w(i));
      else if (flag || r !== null) reopened[i] = flag ? 1 : 0;
    }
    if (records.csat && !isEmpty(records.csat[i])) {
      const raw = records.csat[i];
      const v = typeof raw === 'number' ? raw : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(raw)) ? Number(raw) : NaN;
      const issue = !Number.isFinite(v) ? 'csat not a number' : !Number.isInteger(v) ? 'csat not an integer' : v < 1 || v > scale ? 'csat out of range' : null;
      if (issue) {
        reject(i, def.csat!, raw, `${issue} (valid: integers 1–${scale})`);
        issues.add(p, issue, w(i));
      } else csatSat[i] = v >= scale - 1 ? 1 : 0;
    }
  }

  // weighted measures: a record stands for `w` tickets (sums and counts over tickets; durations repeated w times in the cells' rollup)
  const weight = Float64Array.from({ length: n }, (_, i) => w(i));
  const times = (values: (number | null)[]) => values.map((v, i) => (v === null ? null : weight[i]));
  const scaled = (values: (number | null)[]) => values.map((v, i) => (v === null ? null : v * weight[i]));
  const derived: Record<string, ArrayLike<unknown>> = {
    __period: period,
    __ts: records.ts,
    __status: status,
    __w: weight,
    __fr: fr,
    __frW: times(fr),
    __res: res,
    __resW: times(res),
    __open: Float64Array.from(open, (v, i) => v * weight[i]),
    __awaiting: Float64Array.from(awaiting, (v, i) => v * weight[i]),
    __frMet: scaled(frMet),
    __frN: times(frMet),
    __resMet: scaled(resMet),
    __resN: times(resMet),
    __slaMet: scaled(slaMet),
    __slaN: times(slaMet),
    __reopened: scaled(reopened),
    __reopenN: times(reopened),
    __csatSat: scaled(csatSat),
    __csatN: times(csatSat),
  };
  const full = records.table.assign(aq.table(derived));
  const valid = full.filter((d: Record<string, unknown>) => d.__status === 'ok').reify();
  return {
    kind: 'tickets',
    id: ctx.id,
    def,
    granularity,
    sourceName: def.source,
    table: valid,
    firstPeriod,
    exclusions,
    fieldIssues,
    engine: records.engine,
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, granularity),
  };
}
