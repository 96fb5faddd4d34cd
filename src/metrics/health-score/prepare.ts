/**
 * Preparing the health scores: snapshots validated (from the rows, or the database's candidates),
 * the latest per account and period kept, component bounds set and each account scored and banded.
 */
import * as aq from 'arquero';
import { CxError } from '../../kernel/errors.js';
import { compileFilter, type Filter } from '../../kernel/filter.js';
import { parseTimestamp, periodOf, periodStart, shiftPeriod } from '../../kernel/period.js';
import { quantileSorted } from '../../kernel/stats.js';
import { isPushdown, loadRows } from '../../sources/sql.js';
import type { SourceTable } from '../../sources/types.js';
import { ExclusionCounter } from '../exclusions.js';
import { rowRejecter } from '../invalid.js';
import type { PrepareContext } from '../module.js';
import { canPushDownHealth, snapshotsFromDatabase } from './pushdown.js';
import type { HealthScoreDef } from './schema.js';
import type { AccountScore, Band, ComponentBounds, Counted, PreparedHealth } from './types.js';

export function bandOf(score: number, bands: { red: number; amber: number }): Band {
  return score < bands.red ? 'red' : score < bands.amber ? 'amber' : 'green';
}

/** Normalises a value to 0–100 against [min, max] (clipped); lower-is-better reverses it. */
export function normalise(value: number, c: Pick<ComponentBounds, 'min' | 'max' | 'direction'>): number {
  let s: number;
  if (c.min === null || c.max === null || c.max <= c.min) s = 50;
  else s = Math.min(100, Math.max(0, (100 * (value - c.min)) / (c.max - c.min)));
  return c.direction === 'lower-is-better' ? 100 - s : s;
}

const NUMBER = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$/;

function numberOf(raw: unknown): number | null | 'invalid' {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : 'invalid';
  const s = String(raw);
  if (s.trim() === '') return null;
  return NUMBER.test(s) ? Number(s) : 'invalid';
}

/** Snapshot time of a YYYY-MM cell (the month's last day) or of an ISO date. */
function snapshotTime(raw: unknown, monthColumn: boolean): number {
  if (raw === null || raw === undefined) return NaN;
  const s = String(raw).trim();
  if (monthColumn) {
    const m = /^(\d{4})-(\d{2})$/.exec(s);
    if (m) {
      const month = Number(m[2]);
      return month >= 1 && month <= 12 ? Date.UTC(Number(m[1]), month, 0) : NaN;
    }
  }
  return parseTimestamp(s);
}

export function prepareHealth(ctx: PrepareContext<HealthScoreDef>): PreparedHealth | Promise<PreparedHealth> {
  const def = ctx.def;
  const at = (key: (string | number)[]) => ctx.config.yaml.locate(['metrics', ctx.id, ...key]);
  if ((def.period === undefined) === (def.date === undefined)) {
    throw new CxError('config', `metric "${ctx.id}": give either \`period\` (a YYYY-MM column) or \`date\` (an ISO date column), not ${def.period === undefined ? 'neither' : 'both'}`, { location: at([]), hint: 'e.g. period: month' });
  }
  if (def.bands.red >= def.bands.amber) {
    throw new CxError('config', `metric "${ctx.id}": bands.red (${def.bands.red}) must be below bands.amber (${def.bands.amber})`, { location: at(['bands']), hint: 'e.g. bands: { red: 40, amber: 70 }' });
  }
  def.components.forEach((c, i) => {
    if (c.min !== undefined && c.max !== undefined && c.min >= c.max) throw new CxError('config', `metric "${ctx.id}": component "${c.column}" has min ${c.min} ≥ max ${c.max}`, { location: at(['components', i, 'min']), hint: 'min is the value scoring 0 (or 100 when lower is better), max the one scoring 100' });
  });
  const source = ctx.source('source');
  ctx.requireColumn(source, def.id, ['id']);
  if (def.period !== undefined) ctx.requireColumn(source, def.period, ['period']);
  if (def.date !== undefined) ctx.requireColumn(source, def.date, ['date']);
  def.components.forEach((c, i) => ctx.requireColumn(source, c.column, ['components', i, 'column']));
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  if (!isPushdown(source)) return scoreSnapshots(ctx, source, null);
  // granularity all: the latest snapshot per account over all data, chosen in memory
  if (ctx.granularity !== 'all' && canPushDownHealth(source.sql, def)) return snapshotsFromDatabase(ctx, source).then(({ rows, counted }) => scoreSnapshots(ctx, rows, counted));
  return loadRows(source).then((rows) => scoreSnapshots(ctx, rows, null));
}

/** Validates, picks and scores the snapshots of `source` (rows, or the database's candidates with its `counted` exclusions). */
function scoreSnapshots(ctx: PrepareContext<HealthScoreDef>, source: SourceTable, counted: Counted | null): PreparedHealth {
  const def = ctx.def;
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c])));
  }
  table = table.reify();
  const n = table.numRows();
  const ids = table.array(def.id) as ArrayLike<unknown>;
  const times = table.array((def.period ?? def.date)!) as ArrayLike<unknown>;
  const columns = def.components.map((c) => table.array(c.column) as ArrayLike<unknown>);
  const k = def.components.length;
  const granularity = ctx.granularity;
  const excluded = new ExclusionCounter(counted?.exclusions);
  const issues = new ExclusionCounter(counted?.componentIssues);
  const exclusions = excluded.byPeriod;
  const componentIssues = issues.byPeriod;

  const reject = rowRejecter(source, table, ctx.id);

  // Pass 1: parse rows; keep the latest snapshot of each account in each period (ties: the later row).
  const latestOf = new Map<string, { account: string; period: string; ts: number; values: (number | null)[]; row: number }>();
  for (let i = 0; i < n; i++) {
    const ts = snapshotTime(times[i], def.period !== undefined);
    if (!Number.isFinite(ts)) {
      reject(i, (def.period ?? def.date)!, times[i], def.period !== undefined ? 'missing or invalid period (YYYY-MM expected)' : 'missing or invalid date (ISO 8601 expected)');
      excluded.add('undated', def.period !== undefined ? 'missing or invalid period' : 'missing or invalid date');
      continue;
    }
    const period = periodOf(ts, granularity);
    const idRaw = ids[i];
    if (idRaw === null || idRaw === undefined || String(idRaw).trim() === '') {
      reject(i, def.id, idRaw, 'missing account id');
      excluded.add(period, 'missing account id');
      continue;
    }
    const values: (number | null)[] = new Array(k);
    let present = 0;
    for (let j = 0; j < k; j++) {
      const v = numberOf(columns[j][i]);
      if (v === 'invalid') {
        reject(i, def.components[j].column, columns[j][i], 'not a number');
        if (!counted) issues.add(period, def.components[j].column); // the database counted them
        values[j] = null;
      } else {
        values[j] = v;
        if (v !== null) present++;
      }
    }
    if (present * 2 < k) {
      const missing = def.components.find((_, j) => values[j] === null)!;
      reject(i, missing.column, columns[def.components.indexOf(missing)][i], `fewer than half of the ${k} components present (${present})`);
      excluded.add(period, 'fewer than half of the components present');
      continue;
    }
    const account = String(idRaw).trim();
    const key = `${period}\u0000${account}`;
    const before = latestOf.get(key);
    if (before) {
      excluded.add(period, 'superseded by a later snapshot in the period');
      if (before.ts > ts) continue;
    }
    latestOf.set(key, { account, period, ts, values, row: i });
  }
  const parsed = [...latestOf.values()].sort((a, b) => a.row - b.row);

  // Data-driven bounds: each component's 5th–95th percentiles over the scored snapshots of all periods.
  const pools: number[][] = def.components.map(() => []);
  for (const p of parsed) p.values.forEach((v, j) => v !== null && pools[j].push(v));
  const components: ComponentBounds[] = def.components.map((c, j) => {
    const base = { column: c.column, label: c.label ?? c.column, weight: c.weight, direction: c.direction };
    const sorted = Float64Array.from(pools[j]).sort();
    let min = c.min ?? null;
    let max = c.max ?? null;
    let bounds: ComponentBounds['bounds'] = 'config';
    if (min === null || max === null) {
      if (sorted.length === 0) return { ...base, min, max, bounds: 'constant' as const };
      let lo = quantileSorted(sorted, 0.05);
      let hi = quantileSorted(sorted, 0.95);
      bounds = 'data p5–p95';
      if (!((max ?? hi) > (min ?? lo))) {
        lo = sorted[0];
        hi = sorted[sorted.length - 1];
        bounds = 'data min–max';
      }
      min = min ?? lo;
      max = max ?? hi;
      if (!(max > min)) bounds = 'constant';
    }
    return { ...base, min, max, bounds };
  });

  // Pass 2: score.
  const byPeriod = new Map<string, Map<string, AccountScore>>();
  const weights = def.components.map((c) => c.weight);
  let firstPeriod: string | undefined;
  for (const p of parsed) {
    let sum = 0;
    let w = 0;
    const scores = p.values.map((v, j) => {
      if (v === null) return null;
      const s = normalise(v, components[j]);
      sum += weights[j] * s;
      w += weights[j];
      return s;
    });
    const score = sum / w;
    const accounts = byPeriod.get(p.period) ?? new Map<string, AccountScore>();
    byPeriod.set(p.period, accounts);
    accounts.set(p.account, { account: p.account, period: p.period, ts: p.ts, score, band: bandOf(score, def.bands), values: p.values, scores, row: p.row });
    if (firstPeriod === undefined || p.period < firstPeriod) firstPeriod = p.period;
  }

  const kept = [...byPeriod.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.row - b.row);
  const rows = kept.map((a) => a.row);
  const scored = table
    .reify(rows)
    .assign(aq.table({ __period: kept.map((a) => a.period), __ts: Float64Array.from(kept.map((a) => a.ts)), __account: kept.map((a) => a.account), __score: Float64Array.from(kept.map((a) => a.score)), __red: Uint8Array.from(kept.map((a) => (a.band === 'red' ? 1 : 0))) }));
  let latest: string | undefined | null = null;
  return {
    kind: 'health-score',
    id: ctx.id,
    def,
    granularity,
    table: scored,
    byPeriod,
    components,
    firstPeriod,
    exclusions,
    componentIssues,
    engine: counted ? 'sql' : 'memory',
    latestPeriod() {
      if (latest === null) latest = [...byPeriod.keys()].sort().at(-1);
      return latest ?? undefined;
    },
    lastTimestamp(period) {
      const end = periodStart(shiftPeriod(period, 1, granularity), granularity);
      let last = -Infinity;
      for (const a of kept) if (a.ts < end && a.ts > last) last = a.ts;
      return Number.isFinite(last) ? last : undefined;
    },
  };
}
