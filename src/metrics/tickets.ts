/**
 * Support tickets: first response time and resolution time (median and 90th percentile, never the
 * mean), SLA attainment, reopen rate, volume and ticket CSAT, per period of ticket creation.
 *
 * Durations are in hours. The median's 95% interval is the distribution-free order-statistic
 * (binomial) interval; a change in a median is tested with Mood's median test. Shares (SLA, reopen,
 * CSAT) use the Wilson interval and the pooled two-proportion z-test. Volume is a Poisson count:
 * exact (Garwood) interval, change by the exact conditional binomial test adjusted for period length.
 * Rows with unusable timestamps (unparseable, first response or resolution before creation,
 * resolution before first response) are excluded and counted per reason; open tickets are not
 * invalid — they are counted as open and left out of resolution time only.
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { z } from 'zod';
import { CxError } from '../errors.js';
import { ROW } from '../sources/columns.js';
import { palette } from '../report/theme.js';
import { formatCount, formatDelta, formatInterval, formatP, formatValue } from '../report/format.js';
import { compileFilter, filterSchema, type Filter } from './filter.js';
import { lgamma } from './models/special.js';
import type { Change, ComputeContext, GroupResult, MetricModule, MetricResult, PeriodValue, Prepared, Unit, VisualBlock } from './module.js';
import { periodLabel, parseTimestamp, periodOf, periodRange, periodStart, shiftPeriod, type Granularity } from './period.js';
import { groupKey } from './prepare.js';
import { adjustGroups, ALPHA, makeResult, proportion, proportionChange } from './result-builders.js';
import { metricFields } from './score-schema.js';
import { incompleteBeta, quantileSorted, twoProportionZTest, type Interval } from './stats.js';

// ---------------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------------

const hoursTarget = z
  .union([z.number().positive(), z.record(z.string(), z.number().positive())])
  .meta({ examples: [4, { urgent: 1, high: 2, normal: 4, low: 8 }] });

export const MEASURES = ['first_response', 'resolution', 'sla', 'reopen_rate', 'volume', 'csat'] as const;
export type TicketMeasure = (typeof MEASURES)[number];

export const ticketsSchema = z
  .strictObject({
    type: z.literal('tickets'),
    source: z.string().describe('Name of the source (under `sources:`) holding one row per ticket.').meta({ examples: ['tickets'] }),
    created: z.string().describe('Column with the ticket creation timestamp (ISO 8601); assigns each ticket to a period.').meta({ examples: ['created_at'] }),
    first_response: z.string().describe('Column with the timestamp of the first agent reply (ISO 8601); empty while the ticket awaits a reply.').meta({ examples: ['first_response_at'] }),
    resolved: z.string().describe('Column with the resolution timestamp (ISO 8601); empty while the ticket is open (open tickets are counted, not excluded).').meta({ examples: ['resolved_at'] }),
    channel: z.string().optional().describe('Column with the contact channel; gives volume by channel.').meta({ examples: ['channel'] }),
    priority: z.string().optional().describe('Column with the ticket priority; needed when SLA targets are given per priority.').meta({ examples: ['priority'] }),
    reopened: z.string().optional().describe('Column flagging reopened tickets (true/false, yes/no, 1/0); needed for measure: reopen_rate.').meta({ examples: ['reopened'] }),
    csat: z.string().optional().describe('Column with the ticket satisfaction answer on 1..csat_scale; needed for measure: csat.').meta({ examples: ['csat'] }),
    csat_scale: z.number().int().min(2).max(11).default(5).describe('Highest answer of the ticket CSAT question; the top two answers count as satisfied.'),
    measure: z
      .enum(MEASURES)
      .default('first_response')
      .describe('Which measure is the metric’s value: first_response / resolution (median hours), sla (share of resolved tickets within both targets), reopen_rate, volume (tickets created) or csat (share of 4–5).')
      .meta({ examples: ['first_response', 'sla'] }),
    sla: z
      .strictObject({
        first_response_hours: hoursTarget.default(4).describe('First-response target in hours: one number, or per priority value (e.g. { urgent: 1, high: 2, normal: 4, low: 8 }; a `default` key covers other priorities).'),
        resolution_hours: hoursTarget.default(48).describe('Resolution target in hours: one number, or per priority value (a `default` key covers other priorities).'),
      })
      .prefault({})
      .describe('Service-level targets used for SLA attainment.')
      .meta({ examples: [{ first_response_hours: 4, resolution_hours: 48 }, { first_response_hours: { urgent: 1, high: 2, normal: 4, low: 8 }, resolution_hours: 48 }] }),
    ...metricFields,
    filter: filterSchema.optional(),
  })
  .describe('Support tickets: first response and resolution time (median, p90), SLA attainment, reopen rate, volume and ticket CSAT.');

export type TicketsDef = z.infer<typeof ticketsSchema>;

// ---------------------------------------------------------------------------------------------
// Statistics specific to this module
// ---------------------------------------------------------------------------------------------

/** P(B ≤ k) for B ~ Binomial(n, q). */
function binomialCdf(k: number, n: number, q: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return incompleteBeta(1 - q, n - k, k + 1);
}

/** P(B ≥ k) for B ~ Binomial(n, q), computed directly (no 1 − cdf cancellation). */
function binomialSf(k: number, n: number, q: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return incompleteBeta(q, k, n - k + 1);
}

/**
 * Distribution-free confidence interval for the q-quantile of an ascending-sorted sample: the order
 * statistics [x(l), x(u)] with l the largest rank where P(B ≤ l − 1) ≤ α/2 and u the smallest rank
 * where P(B ≤ u − 1) ≥ 1 − α/2, B ~ Binomial(n, q); coverage P(l ≤ B ≤ u − 1) ≥ level. Null when the
 * sample is too small for any pair of order statistics to reach the level (e.g. n < 6 for the median).
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, level = 0.95): Interval | null {
  const n = sorted.length;
  if (n === 0 || !(q > 0 && q < 1)) return null;
  const a = (1 - level) / 2;
  if (binomialCdf(0, n, q) > a) return null;
  // largest l in 1..n with cdf(l − 1) ≤ a (cdf increasing in k)
  let lo = 1;
  let hi = n;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, q) <= a) lo = mid;
    else hi = mid - 1;
  }
  const l = lo;
  if (binomialCdf(n - 1, n, q) < 1 - a) return null;
  // smallest u in 1..n with cdf(u − 1) ≥ 1 − a
  lo = 1;
  hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (binomialCdf(mid - 1, n, q) >= 1 - a) hi = mid;
    else lo = mid + 1;
  }
  return [sorted[l - 1], sorted[lo - 1]];
}

/** Regularised lower incomplete gamma P(a, x) (series / Lentz continued fraction, Numerical Recipes §6.2). */
function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  const lg = lgamma(a);
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let k = 1; k < 10_000; k++) {
      term *= x / (a + k);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return sum * Math.exp(-x + a * Math.log(x) - lg);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return 1 - Math.exp(-x + a * Math.log(x) - lg) * h;
}

/** x with P(a, x) = p, by bisection. */
function gammaQuantile(p: number, a: number): number {
  let lo = 0;
  let hi = a + 20 * Math.sqrt(a) + 20;
  while (gammaP(a, hi) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, hi); i++) {
    const mid = (lo + hi) / 2;
    if (gammaP(a, mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Exact (Garwood) 95% interval for a Poisson mean from one observed count x: [G⁻¹(α/2; x), G⁻¹(1 − α/2; x + 1)]. */
export function poissonInterval(x: number, level = 0.95): Interval {
  const a = (1 - level) / 2;
  return [x === 0 ? 0 : gammaQuantile(a, x), gammaQuantile(1 - a, x + 1)];
}

/**
 * Exact conditional test for two Poisson counts x1 (exposure t1) and x2 (exposure t2): given N = x1 + x2,
 * x2 ~ Binomial(N, t2/(t1 + t2)) under equal rates; two-sided p by doubling the smaller tail. The
 * statistic is the standardised z = (x2 − N·p0)/√(N·p0·(1 − p0)).
 */
export function poissonRateTest(x1: number, t1: number, x2: number, t2: number): { z: number | null; p: number | null } {
  const n = x1 + x2;
  if (n === 0 || !(t1 > 0 && t2 > 0)) return { z: null, p: null };
  const p0 = t2 / (t1 + t2);
  const z = (x2 - n * p0) / Math.sqrt(n * p0 * (1 - p0));
  const p = Math.min(1, 2 * Math.min(binomialCdf(x2, n, p0), binomialSf(x2, n, p0)));
  return { z: Number.isFinite(z) ? z : null, p: Number.isFinite(p) ? p : null };
}

/** Mood's median test as a two-proportion z-test on the share above the pooled median (z > 0: current higher). */
export function moodMedianTest(previous: ArrayLike<number>, current: ArrayLike<number>): { z: number | null; p: number | null } {
  if (previous.length === 0 || current.length === 0) return { z: null, p: null };
  const pooled = Float64Array.from([...Array.from(previous), ...Array.from(current)]).sort();
  const m = quantileSorted(pooled, 0.5);
  let a = 0;
  let b = 0;
  for (let i = 0; i < previous.length; i++) if (previous[i] > m) a++;
  for (let i = 0; i < current.length; i++) if (current[i] > m) b++;
  const t = twoProportionZTest(a, previous.length, b, current.length);
  return { z: Number.isFinite(t.z) ? t.z : null, p: Number.isFinite(t.p) ? t.p : null };
}

// ---------------------------------------------------------------------------------------------
// Prepare
// ---------------------------------------------------------------------------------------------

export type TicketExclusion =
  | 'missing or invalid created time'
  | 'invalid first response time'
  | 'invalid resolved time'
  | 'first response before creation'
  | 'resolved before creation'
  | 'resolved before first response';

export interface PreparedTickets extends Prepared {
  kind: 'tickets';
  id: string;
  def: TicketsDef;
  granularity: Granularity;
  sourceName: string;
  /** source columns plus the derived __ columns; status 'ok' marks valid rows */
  table: ColumnTable;
  firstPeriod: string | undefined;
  /** row exclusions per period ('undated' for rows without a valid creation time) */
  exclusions: Map<string, Record<string, number>>;
  /** unusable cells of optional fields (reopened, csat, priority) per period, rows kept */
  fieldIssues: Map<string, Record<string, number>>;
}

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

function bump(map: Map<string, Record<string, number>>, period: string, reason: string): void {
  const entry = map.get(period) ?? {};
  entry[reason] = (entry[reason] ?? 0) + 1;
  map.set(period, entry);
}

const HOUR = 3_600_000;

function prepareTickets(ctx: Parameters<MetricModule<TicketsDef, PreparedTickets>['prepare']>[0]): PreparedTickets {
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
  const priorities = col(def.priority);
  const reopens = col(def.reopened);
  const csats = col(def.csat);
  const granularity = ctx.granularity;
  // source `on_invalid: error`: the first unusable row stops the build, located by file row and column
  const rowNumbers = table.columnNames().includes(ROW) ? (table.array(ROW) as ArrayLike<number>) : null;
  const strict = source.onInvalid === 'error';
  const reject = (i: number, column: string, raw: unknown, reason: string) => {
    if (!strict) return;
    throw new CxError('data', `${raw === null || raw === undefined ? 'empty' : JSON.stringify(raw)} — ${reason}`, {
      location: { file: source.file, row: rowNumbers ? rowNumbers[i] : i + 1, field: column },
      hint: `metric "${ctx.id}" rejects this row because source "${source.name}" has on_invalid: error; fix the value or set on_invalid: exclude to count and skip such rows`,
    });
  };

  const period: (string | null)[] = new Array(n);
  const ts = new Float64Array(n);
  const status: string[] = new Array(n);
  const fr: (number | null)[] = new Array(n).fill(null);
  const res: (number | null)[] = new Array(n).fill(null);
  const open = new Uint8Array(n);
  const awaiting = new Uint8Array(n);
  const frMet: (number | null)[] = new Array(n).fill(null);
  const resMet: (number | null)[] = new Array(n).fill(null);
  const slaMet: (number | null)[] = new Array(n).fill(null);
  const reopened: (number | null)[] = new Array(n).fill(null);
  const csatSat: (number | null)[] = new Array(n).fill(null);
  const exclusions = new Map<string, Record<string, number>>();
  const fieldIssues = new Map<string, Record<string, number>>();
  let firstPeriod: string | undefined;
  const scale = def.csat_scale;

  for (let i = 0; i < n; i++) {
    const c = parseTimestamp(created[i]);
    ts[i] = c;
    if (!Number.isFinite(c)) {
      reject(i, def.created, created[i], 'missing or invalid created time (ISO 8601 expected)');
      period[i] = null;
      status[i] = 'missing or invalid created time';
      bump(exclusions, 'undated', status[i]);
      continue;
    }
    const p = periodOf(c, granularity);
    period[i] = p;
    const f = isEmpty(firsts[i]) ? null : parseTimestamp(firsts[i]);
    const r = isEmpty(resolveds[i]) ? null : parseTimestamp(resolveds[i]);
    let reason: TicketExclusion | null = null;
    if (f !== null && !Number.isFinite(f)) reason = 'invalid first response time';
    else if (r !== null && !Number.isFinite(r)) reason = 'invalid resolved time';
    else if (f !== null && f < c) reason = 'first response before creation';
    else if (r !== null && r < c) reason = 'resolved before creation';
    else if (r !== null && f !== null && r < f) reason = 'resolved before first response';
    if (reason) {
      const column = reason === 'invalid first response time' || reason === 'first response before creation' ? def.first_response : def.resolved;
      reject(i, column, column === def.first_response ? firsts[i] : resolveds[i], reason);
      status[i] = reason;
      bump(exclusions, p, reason);
      continue;
    }
    status[i] = 'ok';
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
    const priority = priorities ? priorities[i] : undefined;
    const frTarget = targetFor(def.sla.first_response_hours, priority);
    const resTarget = targetFor(def.sla.resolution_hours, priority);
    if (frTarget === null || resTarget === null) bump(fieldIssues, p, 'no SLA target for priority');
    if (f !== null) {
      fr[i] = (f - c) / HOUR;
      if (frTarget !== null) frMet[i] = fr[i]! <= frTarget ? 1 : 0;
    } else awaiting[i] = 1;
    if (r !== null) {
      res[i] = (r - c) / HOUR;
      if (resTarget !== null) resMet[i] = res[i]! <= resTarget ? 1 : 0;
      if (resMet[i] !== null && (f === null || frMet[i] !== null)) slaMet[i] = resMet[i] === 1 && (f === null || frMet[i] === 1) ? 1 : 0;
    } else open[i] = 1;
    if (reopens) {
      const flag = parseFlag(reopens[i]);
      if (flag === 'invalid') {
        reject(i, def.reopened!, reopens[i], 'reopened flag not recognised (true/false, yes/no, 1/0)');
        bump(fieldIssues, p, 'reopened flag not recognised');
      }
      else if (flag === null) bump(fieldIssues, p, 'missing reopened flag');
      else if (flag || r !== null) reopened[i] = flag ? 1 : 0;
    }
    if (csats && !isEmpty(csats[i])) {
      const raw = csats[i];
      const v = typeof raw === 'number' ? raw : /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/.test(String(raw)) ? Number(raw) : NaN;
      const issue = !Number.isFinite(v) ? 'csat not a number' : !Number.isInteger(v) ? 'csat not an integer' : v < 1 || v > scale ? 'csat out of range' : null;
      if (issue) {
        reject(i, def.csat!, raw, `${issue} (valid: integers 1–${scale})`);
        bump(fieldIssues, p, issue);
      } else csatSat[i] = v >= scale - 1 ? 1 : 0;
    }
  }

  const derived: Record<string, ArrayLike<unknown>> = { __period: period, __ts: ts, __status: status, __fr: fr, __res: res, __open: open, __awaiting: awaiting, __frMet: frMet, __resMet: resMet, __slaMet: slaMet, __reopened: reopened, __csatSat: csatSat };
  const full = table.assign(aq.table(derived));
  const valid = full.filter((d: Record<string, unknown>) => d.__status === 'ok').reify();
  let latest: string | undefined | null = null;
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
    latestPeriod() {
      if (latest === null) latest = (valid.rollup({ p: 'd => op.max(d.__period)' }).objects()[0] as { p?: string }).p ?? undefined;
      return latest ?? undefined;
    },
    lastTimestamp(p) {
      const end = periodStart(shiftPeriod(p, 1, granularity), granularity);
      const t = valid.array('__ts') as Float64Array;
      let last = -Infinity;
      for (let i = 0; i < t.length; i++) if (t[i] < end && t[i] > last) last = t[i];
      return Number.isFinite(last) ? last : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Sufficient statistics per cell (period × group) and their finalisation
// ---------------------------------------------------------------------------------------------

export interface TicketCell {
  volume: number;
  open: number;
  awaiting: number;
  /** first response hours, ascending */
  fr: Float64Array;
  /** resolution hours, ascending */
  res: Float64Array;
  frMet: number;
  frN: number;
  resMet: number;
  resN: number;
  slaMet: number;
  slaN: number;
  reopened: number;
  reopenN: number;
  csatSat: number;
  csatN: number;
}

const emptyCell = (): TicketCell => ({ volume: 0, open: 0, awaiting: 0, fr: new Float64Array(0), res: new Float64Array(0), frMet: 0, frN: 0, resMet: 0, resN: 0, slaMet: 0, slaN: 0, reopened: 0, reopenN: 0, csatSat: 0, csatN: 0 });

const ROLLUP = {
  volume: aq.op.count(),
  open: 'd => op.sum(d.__open)',
  awaiting: 'd => op.sum(d.__awaiting)',
  fr: 'd => op.array_agg(d.__fr)',
  res: 'd => op.array_agg(d.__res)',
  frMet: 'd => op.sum(d.__frMet)',
  frN: 'd => op.valid(d.__frMet)',
  resMet: 'd => op.sum(d.__resMet)',
  resN: 'd => op.valid(d.__resMet)',
  slaMet: 'd => op.sum(d.__slaMet)',
  slaN: 'd => op.valid(d.__slaMet)',
  reopened: 'd => op.sum(d.__reopened)',
  reopenN: 'd => op.valid(d.__reopened)',
  csatSat: 'd => op.sum(d.__csatSat)',
  csatN: 'd => op.valid(d.__csatSat)',
};

function toCell(o: Record<string, unknown>): TicketCell {
  const num = (k: string) => Number(o[k] ?? 0) || 0;
  const sorted = (k: string) => Float64Array.from((o[k] as number[] | undefined) ?? []).sort();
  return { volume: num('volume'), open: num('open'), awaiting: num('awaiting'), fr: sorted('fr'), res: sorted('res'), frMet: num('frMet'), frN: num('frN'), resMet: num('resMet'), resN: num('resN'), slaMet: num('slaMet'), slaN: num('slaN'), reopened: num('reopened'), reopenN: num('reopenN'), csatSat: num('csatSat'), csatN: num('csatN') };
}

/** Cells per period (and per value of `by`), optionally only for some periods. */
function cells(pt: PreparedTickets, by?: string, periods?: string[]): Map<string, TicketCell> {
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

const shareOf = (x: number, n: number) => {
  const v = proportion('', x, n, 0);
  return { count: x, n, share: v.value, ci: v.ci };
};

interface Measured extends PeriodValue {
  se: number | null;
}

/** The value of one measure for one cell. */
/** Whether the ticket log covers a period (from its first to its last period with valid tickets): outside it, volume is "no data", not 0. */
function covers(pt: PreparedTickets, period: string): boolean {
  const last = pt.latestPeriod();
  return pt.firstPeriod !== undefined && last !== undefined && period >= pt.firstPeriod && period <= last;
}

function measureValue(measure: TicketMeasure, period: string, cell: TicketCell, minSample: number, covered = true): Measured {
  if (measure === 'volume' && !covered) return { period, value: null, n: 0, ci: null, lowSample: true, se: null };
  if (measure === 'first_response' || measure === 'resolution') {
    const s = durationSummary(measure === 'first_response' ? cell.fr : cell.res);
    return { period, value: s.median, n: s.n, ci: s.ci, lowSample: s.n < minSample, se: null };
  }
  if (measure === 'volume') {
    const x = cell.volume;
    return { period, value: x, n: x, ci: poissonInterval(x), lowSample: x < minSample, se: Math.sqrt(x) };
  }
  const [x, n] = measure === 'sla' ? [cell.slaMet, cell.slaN] : measure === 'reopen_rate' ? [cell.reopened, cell.reopenN] : [cell.csatSat, cell.csatN];
  const v = proportion(period, x, n, minSample);
  return { ...v, se: n > 0 ? 100 * Math.sqrt((x / n) * (1 - x / n) / n) : null };
}

const TEST_NAME: Record<TicketMeasure, string> = {
  first_response: "Mood's median test (two-proportion z-test on the share above the pooled median)",
  resolution: "Mood's median test (two-proportion z-test on the share above the pooled median)",
  sla: 'two-proportion z-test (pooled)',
  reopen_rate: 'two-proportion z-test (pooled)',
  csat: 'two-proportion z-test (pooled)',
  volume: 'exact conditional binomial test of two Poisson counts (adjusted for period length)',
};

const days = (period: string, granularity: Granularity) => (periodStart(shiftPeriod(period, 1, granularity), granularity) - periodStart(period, granularity)) / 86_400_000;

/** The change of one measure between two cells, with its test. */
function measureChange(measure: TicketMeasure, pt: PreparedTickets, previousPeriod: string, period: string, prev: TicketCell, cur: TicketCell, minSample: number): Change {
  const a = measureValue(measure, previousPeriod, prev, minSample, covers(pt, previousPeriod));
  const b = measureValue(measure, period, cur, minSample, covers(pt, period));
  const test = TEST_NAME[measure];
  const previous = a.value === null ? null : { period: previousPeriod, value: a.value, n: a.n, ci: a.ci };
  if (measure === 'sla' || measure === 'reopen_rate' || measure === 'csat') {
    const pick = (c: TicketCell) => (measure === 'sla' ? { x: c.slaMet, n: c.slaN } : measure === 'reopen_rate' ? { x: c.reopened, n: c.reopenN } : { x: c.csatSat, n: c.csatN });
    return { ...proportionChange(previousPeriod, pick(prev), pick(cur), minSample), test };
  }
  if (a.value === null || b.value === null || previous === null) return { previous, delta: null, test, statistic: null, p: null, significant: false };
  const t = measure === 'volume' ? poissonRateTest(prev.volume, days(previousPeriod, pt.granularity), cur.volume, days(period, pt.granularity)) : moodMedianTest(measure === 'first_response' ? prev.fr : prev.res, measure === 'first_response' ? cur.fr : cur.res);
  return { previous, delta: b.value - a.value, test, statistic: t.z, p: t.p, significant: t.p !== null && t.p < ALPHA };
}

const UNIT: Record<TicketMeasure, Unit> = { first_response: 'duration', resolution: 'duration', sla: 'percent', reopen_rate: 'percent', volume: 'count', csat: 'percent' };
const LABEL: Record<TicketMeasure, string> = { first_response: 'First response (median)', resolution: 'Resolution time (median)', sla: 'SLA attainment', reopen_rate: 'Reopen rate', volume: 'Ticket volume', csat: 'Ticket CSAT' };
const TITLE: Record<TicketMeasure, string> = { first_response: 'Median first response time', resolution: 'Median resolution time', sla: 'SLA attainment', reopen_rate: 'Ticket reopen rate', volume: 'Ticket volume', csat: 'Ticket satisfaction (CSAT)' };

function describeTarget(t: number | Record<string, number>): string {
  return typeof t === 'number' ? `${t} h` : Object.entries(t).map(([k, v]) => `${k} ${v} h`).join(', ');
}

function methodText(def: TicketsDef): string {
  const common =
    'Tickets are assigned to the period in which they were created. Rows with an unparseable creation, first-response or resolution timestamp, a first response or resolution before creation, or a resolution before the first response are excluded and counted per reason, never corrected. ' +
    'Open tickets (no resolution time) are counted as open, not invalid, and are left out of resolution time and resolution SLA; because recent tickets may still be open, the latest period’s resolution times can be biased low.';
  const m: Record<TicketMeasure, string> = {
    first_response: 'Median first response time in hours (first agent reply − creation) over tickets with a reply; the 90th percentile is reported beside it, never the mean. 95% interval for the median: distribution-free order-statistic interval [x(l), x(u)] from the Binomial(n, ½) distribution (no interval below n = 6). Change vs the previous period: Mood’s median test (two-proportion z-test on the share of tickets above the pooled median).',
    resolution: 'Median resolution time in hours (resolution − creation) over resolved tickets; the 90th percentile is reported beside it, never the mean. 95% interval for the median: distribution-free order-statistic interval [x(l), x(u)] from the Binomial(n, ½) distribution (no interval below n = 6). Change vs the previous period: Mood’s median test (two-proportion z-test on the share of tickets above the pooled median).',
    sla: `SLA attainment: share of resolved tickets that met both targets (first response within ${describeTarget(def.sla.first_response_hours)}, resolution within ${describeTarget(def.sla.resolution_hours)}); a resolved ticket without a recorded reply is judged on resolution alone. 95% interval: Wilson score interval. Change: two-sided two-proportion z-test with pooled proportion.`,
    reopen_rate: 'Reopen rate: share of tickets flagged reopened among tickets that were resolved at least once (resolved, or flagged reopened); missing or unrecognised flags are left out and counted. 95% interval: Wilson score interval. Change: two-sided two-proportion z-test with pooled proportion.',
    volume: 'Ticket volume: number of valid tickets created in the period, treated as a Poisson count. 95% interval: exact (Garwood) Poisson interval. Change: exact conditional binomial test — given the two periods’ total, the current count is Binomial(N, t₂/(t₁ + t₂)) under equal daily rates, t = days in each period; two-sided p by doubling the smaller tail.',
    csat: `Ticket CSAT: share of answers ${def.csat_scale - 1}–${def.csat_scale} on the 1–${def.csat_scale} scale among tickets with a valid answer (unanswered tickets are not counted; non-numeric, fractional or out-of-range answers are excluded and counted). 95% interval: Wilson score interval. Change: two-sided two-proportion z-test with pooled proportion.`,
  };
  return `${m[def.measure]} ${common} Reference: time-to-first-response and time-to-resolution medians and percentiles as commonly reported in support analytics; order-statistic interval as in Conover, Practical Nonparametric Statistics (3rd ed., §3.2).`;
}

// ---------------------------------------------------------------------------------------------
// Compute
// ---------------------------------------------------------------------------------------------

const share = (s: { count: number; n: number; share: number | null; ci: Interval | null }) => ({ count: s.count, n: s.n, share: s.share, ci: s.ci });

function computeTickets(pt: PreparedTickets, ctx: ComputeContext): MetricResult {
  const def = pt.def;
  const measure = def.measure;
  const { period, previousPeriod, minSample } = ctx;
  const byPeriod = cells(pt);
  const cur = byPeriod.get(period) ?? emptyCell();
  const prev = byPeriod.get(previousPeriod) ?? emptyCell();
  const head = measureValue(measure, period, cur, minSample, covers(pt, period));
  const change = measureChange(measure, pt, previousPeriod, period, prev, cur, minSample);

  const first = pt.firstPeriod !== undefined && pt.firstPeriod <= period ? pt.firstPeriod : period;
  const series = periodRange(first, period, pt.granularity).map((p) => {
    const { se: _se, ...v } = measureValue(measure, p, byPeriod.get(p) ?? emptyCell(), minSample, covers(pt, p));
    return v;
  });

  const breakdowns: Record<string, GroupResult[]> = {};
  for (const column of ctx.breakdowns) {
    const grouped = cells(pt, column, [previousPeriod, period]);
    const groups = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))].sort();
    breakdowns[column] = adjustGroups(
      groups
        .map((group) => {
          const gc = grouped.get(`${period}\u0000${group}`) ?? emptyCell();
          const gp = grouped.get(`${previousPeriod}\u0000${group}`) ?? emptyCell();
          const { se: _se, ...v } = measureValue(measure, period, gc, minSample, covers(pt, period));
          const ch = measureChange(measure, pt, previousPeriod, period, gp, gc, minSample);
          return { group, ...v, previous: ch.previous && { period: previousPeriod, value: ch.previous.value, n: ch.previous.n }, delta: ch.delta, p: ch.p, pAdjusted: null as number | null, significant: false };
        })
        .filter((g) => g.n > 0 || (g.previous?.n ?? 0) > 0),
    );
  }

  const rowExcl = pt.exclusions.get(period) ?? {};
  const fieldIssues = pt.fieldIssues.get(period) ?? {};
  const relevant: Partial<Record<TicketMeasure, string[]>> = {
    reopen_rate: ['reopened flag not recognised', 'missing reopened flag'],
    csat: ['csat not a number', 'csat not an integer', 'csat out of range'],
    sla: ['no SLA target for priority'],
  };
  const exclusions: Record<string, number> = { ...rowExcl };
  for (const reason of relevant[measure] ?? []) if (fieldIssues[reason]) exclusions[reason] = fieldIssues[reason];
  const all: Record<string, number> = {};
  for (const entry of pt.exclusions.values()) for (const [k, v] of Object.entries(entry)) all[k] = (all[k] ?? 0) + v;
  for (const entry of pt.fieldIssues.values()) for (const [k, v] of Object.entries(entry)) if ((relevant[measure] ?? []).includes(k)) all[k] = (all[k] ?? 0) + v;

  // Volume by channel for the current period (with the previous period for change).
  let volumeByChannel: { channel: string; count: number; share: number | null; previous: number; delta: number; p: number | null }[] | null = null;
  if (def.channel) {
    const grouped = cells(pt, def.channel, [previousPeriod, period]);
    const channels = [...new Set([...grouped.keys()].map((k) => k.split('\u0000')[1]))];
    const dPrev = days(previousPeriod, pt.granularity);
    const dCur = days(period, pt.granularity);
    volumeByChannel = channels
      .map((channel) => {
        const c = grouped.get(`${period}\u0000${channel}`)?.volume ?? 0;
        const p = grouped.get(`${previousPeriod}\u0000${channel}`)?.volume ?? 0;
        return { channel, count: c, share: cur.volume > 0 ? (100 * c) / cur.volume : null, previous: p, delta: c - p, p: poissonRateTest(p, dPrev, c, dCur).p };
      })
      .sort((a, b) => b.count - a.count || a.channel.localeCompare(b.channel));
  }

  const frs = durationSummary(cur.fr);
  const ress = durationSummary(cur.res);
  const volPrev = prev.volume;
  const volTest = poissonRateTest(volPrev, days(previousPeriod, pt.granularity), cur.volume, days(period, pt.granularity));
  const extra = {
    measure,
    firstResponse: { ...frs, previousMedian: durationSummary(prev.fr).median, awaitingFirstResponse: cur.awaiting },
    resolution: { ...ress, previousMedian: durationSummary(prev.res).median, open: cur.open },
    sla: {
      firstResponseHours: def.sla.first_response_hours,
      resolutionHours: def.sla.resolution_hours,
      overall: share(shareOf(cur.slaMet, cur.slaN)),
      firstResponse: share(shareOf(cur.frMet, cur.frN)),
      resolution: share(shareOf(cur.resMet, cur.resN)),
    },
    reopenRate: def.reopened ? share(shareOf(cur.reopened, cur.reopenN)) : null,
    csat: def.csat ? { ...share(shareOf(cur.csatSat, cur.csatN)), scale: def.csat_scale } : null,
    volume: covers(pt, period)
      ? { count: cur.volume, ci: poissonInterval(cur.volume), previous: covers(pt, previousPeriod) ? volPrev : null, delta: covers(pt, previousPeriod) ? cur.volume - volPrev : null, z: covers(pt, previousPeriod) ? volTest.z : null, p: covers(pt, previousPeriod) ? volTest.p : null }
      : { count: null, ci: null, previous: null, delta: null, z: null, p: null },
    open: cur.open,
    volumeByChannel,
    fieldIssues: Object.fromEntries(Object.entries(fieldIssues).sort(([a], [b]) => a.localeCompare(b))),
  };

  const label = def.label ?? LABEL[measure];
  return makeResult({
    id: pt.id,
    type: 'tickets',
    label,
    title: TITLE[measure],
    unit: UNIT[measure],
    higherIsBetter: measure === 'sla' || measure === 'csat',
    period,
    value: head.value,
    n: head.n,
    ci: head.ci,
    se: head.se,
    lowSample: head.lowSample,
    minSample,
    target: def.target ?? null,
    domain: UNIT[measure] === 'percent' ? [0, 100] : null,
    ...change,
    excluded: Object.values(exclusions).reduce((a, b) => a + b, 0),
    exclusions,
    excludedAllPeriods: all,
    series,
    breakdowns,
    method: methodText(def),
    extra,
  });
}

// ---------------------------------------------------------------------------------------------
// Visual
// ---------------------------------------------------------------------------------------------

function visualTickets(r: MetricResult, pt: PreparedTickets, ctx: VisualContext): VisualBlock[] {
  const def = pt.def;
  const measure = def.measure;
  const x = r.extra as any;
  const short = (k: string) => periodLabel(k, pt.granularity, 'short');
  const periodName = ctx.periodLabel(ctx.period);
  const points = r.series.slice(-24);
  const isDuration = r.unit === 'duration';
  const byPeriod = isDuration ? cells(pt, undefined, points.map((p) => p.period)) : null;
  const values = points
    .filter((p) => p.value !== null)
    .map((p) => {
      const c = byPeriod?.get(p.period);
      const p90 = c ? durationSummary(measure === 'first_response' ? c.fr : c.res).p90 : null;
      return { label: short(p.period), value: p.value, lo: p.ci?.[0] ?? null, hi: p.ci?.[1] ?? null, n: p.n, p90 };
    });
  const order = points.map((p) => short(p.period));
  const xEnc = { field: 'label', type: 'ordinal', sort: order, title: null, axis: { labelAngle: 0, labelOverlap: true } };
  const yTitle = isDuration ? 'Hours' : r.unit === 'percent' ? `${r.label} (%)` : r.label;
  const y = { type: 'quantitative', title: yTitle, scale: { zero: r.unit === 'count' || isDuration, nice: true } };
  const layers: any[] = [
    { mark: { type: 'area', color: palette.band, opacity: 0.9 }, encoding: { x: xEnc, y: { field: 'lo', ...y }, y2: { field: 'hi' } } },
    { mark: { type: 'line', color: palette.primary, strokeWidth: 2.5, point: { filled: true, size: 36, color: palette.primary } }, encoding: { x: xEnc, y: { field: 'value', ...y }, tooltip: [{ field: 'label' }, { field: 'value', format: '.2f' }, { field: 'n' }] } },
  ];
  if (isDuration) layers.push({ mark: { type: 'line', color: palette.accent, strokeDash: [5, 3], strokeWidth: 1.8 }, encoding: { x: xEnc, y: { field: 'p90', ...y } } });
  const direction = r.delta === null ? '' : r.delta > 0 ? 'up' : r.delta < 0 ? 'down' : 'unchanged';
  const title =
    r.value === null
      ? `${r.label}: no tickets in ${periodName}`
      : `${r.label} ${formatValue(r.value, r.unit)} in ${periodName}${r.previous && r.delta !== null ? `, ${direction} from ${formatValue(r.previous.value, r.unit)} (${r.significant ? `significant, ${formatP(r.p)}` : 'not significant'})` : ''}`;
  const chart = {
    id: ctx.nextId(`chart-tickets-${measure}`),
    title,
    caption: `${r.title} per period of ticket creation${isDuration ? ', with the 95% order-statistic interval of the median (band) and the 90th percentile (dashed)' : ', with 95% intervals'}; n = ${formatCount(r.n)} in ${periodName}. Source: ${pt.sourceName}. ${r.test ? `Change tested by ${r.test}.` : ''}`.trim(),
    alt: `Line chart of ${r.label} by period: ${values.map((v) => `${v.label} ${formatValue(v.value, r.unit)}${isDuration && v.p90 !== null ? ` (p90 ${formatValue(v.p90, r.unit)})` : ''}`).join('; ')}.`,
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 600, height: 220, data: { values }, layer: layers } as any,
    size: 'wide' as const,
  };

  const pct = (s: { share: number | null; ci: Interval | null; n: number } | null) => (s && s.share !== null ? [formatValue(s.share, 'percent'), formatInterval(s.ci, 'percent'), formatCount(s.n)] : ['no data', '—', s ? formatCount(s.n) : '—']);
  const dur = (s: { median: number | null; ci: Interval | null; p90: number | null; n: number }) => [s.median === null ? 'no data' : `${formatValue(s.median, 'duration')} (p90 ${formatValue(s.p90, 'duration')})`, formatInterval(s.ci, 'duration'), formatCount(s.n)];
  const rows = [
    ['First response, median (p90)', ...dur(x.firstResponse)],
    ['Resolution time, median (p90)', ...dur(x.resolution)],
    ['SLA attainment (resolved tickets)', ...pct(x.sla.overall)],
    ['First response within target', ...pct(x.sla.firstResponse)],
    ['Resolution within target', ...pct(x.sla.resolution)],
    ...(x.reopenRate ? [['Reopen rate', ...pct(x.reopenRate)]] : []),
    ...(x.csat ? [[`Ticket CSAT (${def.csat_scale - 1}–${def.csat_scale})`, ...pct(x.csat)]] : []),
    ['Tickets created', formatValue(x.volume.count, 'count'), formatInterval(x.volume.ci, 'count'), x.volume.count === null ? '—' : formatCount(x.volume.count)],
    ['Open at data end', formatCount(x.open), '—', '—'],
  ];
  const blocks: VisualBlock[] = [
    { kind: 'chart', chart },
    {
      kind: 'table',
      table: {
        caption: `Support measures for tickets created in ${periodName}`,
        columns: [{ label: 'Measure' }, { label: 'Value', align: 'right' }, { label: '95% CI', align: 'right' }, { label: 'n', align: 'right' }],
        rows: rows.map((cells) => ({ cells })),
        footnote: 'Medians with distribution-free order-statistic intervals; shares with Wilson intervals; volume with the exact Poisson interval. Open tickets are excluded from resolution time.',
      },
    },
  ];
  if (x.volumeByChannel?.length) {
    const list = x.volumeByChannel as { channel: string; count: number; share: number | null; previous: number; delta: number; p: number | null }[];
    blocks.push({
      kind: 'table',
      table: {
        caption: `Ticket volume by channel, ${periodName}`,
        columns: [{ label: 'Channel' }, { label: 'Tickets', align: 'right' }, { label: 'Share', align: 'right' }, { label: `${ctx.periodLabel(shiftPeriod(ctx.period, -1, pt.granularity))}`, align: 'right' }, { label: 'Change', align: 'right' }],
        rows: list.slice(0, 25).map((c) => ({ cells: [c.channel, formatCount(c.count), formatValue(c.share, 'percent'), formatCount(c.previous), `${formatDelta(c.delta, 'count')}${c.p !== null && c.p < ALPHA ? ` (${formatP(c.p)})` : ''}`] })),
        footnote: `Change tested per channel by the exact conditional binomial test of two Poisson counts; p shown where below 0.05 (not adjusted for the ${list.length} channels).`,
      },
    });
  }
  return blocks;
}

type VisualContext = Parameters<NonNullable<MetricModule['visual']>>[2];

export const ticketsModule: MetricModule<TicketsDef, PreparedTickets> = {
  type: 'tickets',
  schema: ticketsSchema,
  title: 'Support tickets',
  prepare: prepareTickets,
  compute: computeTickets,
  visual: visualTickets,
};
