/**
 * Score metrics pushed down to a SQL source. One generated GROUP BY query returns the sufficient
 * statistics of every cell — period × row status × score (for integer scales) × the columns the
 * report groups or filters by: count, sum, sum of squares, one count per indicator (promoters,
 * top-2 box, …) and the latest timestamp. The cells form a small Arquero table with the same
 * columns as an in-memory prepared table plus weights, so the shared finaliser (prepare.ts
 * `aggregate`, results.ts) is the same for both engines. The validation rules are the in-memory
 * ones written as CASE expressions: same reasons, same order (date first, then the score).
 *
 * The SQL needs a DATE or TIMESTAMP date column (a text date column is read into memory instead;
 * see `canPushDown`); a score column may be numeric or text (text is checked with SIMILAR TO).
 */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import type { Config } from '../config/load.js';
import { CxError } from '../errors.js';
import { ident, literal, type PushdownSource, type SqlRelation } from '../sources/sql.js';
import type { Granularity } from './period.js';
import type { ScoreDef, ScoreRules, ScoreType } from './types.js';

/** What the text form of a valid number looks like (the in-memory rule, in SIMILAR TO syntax). */
const NUMBER_PATTERN = '[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)';

/** Whether a metric on this relation can be computed by SQL (its date column must be a date or timestamp). */
export function canPushDown(sql: SqlRelation, def: ScoreDef): boolean {
  const date = sql.kind(def.date);
  return date === 'date' || date === 'timestamp' || date === 'timestamptz';
}

/** Columns the report groups or filters this metric's rows by (breakdowns, case-study segments, filters, products). */
export function dimensionsOf(config: Config, id: string, def: ScoreDef & { product?: string }): string[] {
  const dims = new Set<string>(Object.keys(def.filter ?? {}));
  if (typeof def.product === 'string') dims.add(def.product);
  for (const section of config.sections as Record<string, unknown>[]) {
    if (section.metric === id && typeof section.by === 'string') dims.add(section.by);
    if (section.type === 'case-study' && Array.isArray(section.metrics) && section.metrics.includes(id)) for (const c of Object.keys(section.segment ?? {})) dims.add(c);
  }
  return [...dims];
}

/** SQL expressions for a score column: its numeric value (or NULL) and why it is not a number (or NULL). */
function scoreExpressions(sql: SqlRelation, column: string): { value: string; problem: string } {
  const col = ident(column);
  if (sql.kind(column) === 'number') return { value: `CAST(${col} AS DOUBLE PRECISION)`, problem: `CASE WHEN ${col} IS NULL THEN 'missing score' END` };
  const text = `TRIM(CAST(${col} AS VARCHAR))`;
  return {
    value: `CASE WHEN ${text} SIMILAR TO '${NUMBER_PATTERN}' THEN CAST(${text} AS DOUBLE PRECISION) END`,
    problem: `CASE WHEN ${col} IS NULL OR ${text} = '' THEN 'missing score' WHEN NOT (${text} SIMILAR TO '${NUMBER_PATTERN}') THEN 'not a number' END`,
  };
}

/** The row status, as the in-memory validation names it. */
function statusExpression(rules: ScoreRules): string {
  const checks = [`WHEN cx_d IS NULL THEN 'missing or invalid date'`, `WHEN cx_problem IS NOT NULL THEN cx_problem`];
  if (rules.integer) checks.push(`WHEN cx_v <> FLOOR(cx_v) THEN 'not an integer'`);
  checks.push(`WHEN cx_v < ${rules.min} OR cx_v > ${rules.max} THEN 'out of range'`);
  return `CASE ${checks.join(' ')} ELSE 'ok' END`;
}

/** The generated statement: one row per non-empty cell. */
export function cellsSql(sql: SqlRelation, def: ScoreDef, type: ScoreType<any>, dims: string[]): string {
  const rules = type.rules(def);
  const score = scoreExpressions(sql, def.score);
  const dimList = dims.map((d, i) => `${ident(d)} AS cx_dim${i}`);
  const rows = `SELECT ${[`${ident(def.date)} AS cx_d`, `${score.value} AS cx_v`, `${score.problem} AS cx_problem`, ...dimList].join(', ')} FROM ${sql.from()}`;
  const statused = `SELECT ${['cx_d', 'cx_v', `${statusExpression(rules)} AS cx_status`, ...dims.map((_, i) => `cx_dim${i}`)].join(', ')} FROM (${rows}) AS cx_rows`;
  const ok = (expr: string) => `CASE WHEN cx_status = 'ok' THEN ${expr} END`;
  const indicators = Object.entries(type.indicators(def)).map(([name, spec]) => {
    const test = 'values' in spec ? `cx_v IN (${spec.values.join(', ')})` : `cx_v BETWEEN ${spec.min} AND ${spec.max}`;
    return `SUM(CASE WHEN cx_status = 'ok' AND ${test} THEN 1 ELSE 0 END) AS ${ident(`__i_${name}`)}`;
  });
  const keys = [
    'CAST(EXTRACT(YEAR FROM cx_d) AS INTEGER) AS cx_year',
    'CAST(EXTRACT(MONTH FROM cx_d) AS INTEGER) AS cx_month',
    'cx_status',
    rules.integer ? `${ok('cx_v')} AS cx_value` : 'CAST(NULL AS DOUBLE PRECISION) AS cx_value',
    ...dims.map((_, i) => `cx_dim${i}`),
  ];
  const measures = [
    'CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n',
    `SUM(${ok('cx_v')}) AS cx_sum`,
    `SUM(${ok('cx_v * cx_v')}) AS cx_sumsq`,
    'MAX(CAST(EXTRACT(EPOCH FROM cx_d) AS DOUBLE PRECISION)) AS cx_epoch',
    ...indicators,
  ];
  return `SELECT ${[...keys, ...measures].join(', ')} FROM (${statused}) AS cx_statused GROUP BY ${keys.map((_, i) => i + 1).join(', ')}`;
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** A dimension value as the in-memory loader would hold it (dates as ISO text, big integers as numbers). */
function dimValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return Number(v);
  return v ?? null;
}

function periodKey(year: unknown, month: unknown, granularity: Granularity): string | null {
  if (year === null || year === undefined) return null;
  const y = Number(year);
  const m = Number(month);
  if (granularity === 'year') return String(y);
  if (granularity === 'quarter') return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  return `${y}-${String(m).padStart(2, '0')}`;
}

export interface Cells {
  /** __period, __status, __value, __ts, __w, __sum, __sumSq, __i_<indicator> and the dimension columns */
  table: ColumnTable;
  indicatorNames: string[];
}

/** Runs the statement and shapes its rows as a weighted prepared table. */
export async function pushDownCells(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, dims: string[], granularity: Granularity): Promise<Cells> {
  const indicatorNames = Object.keys(type.indicators(def));
  const { names, rows } = await source.sql.run(cellsSql(source.sql, def, type, dims));
  const at = (name: string) => names.indexOf(name);
  const [y, m, st, v, n, s, ss, ep] = ['cx_year', 'cx_month', 'cx_status', 'cx_value', 'cx_n', 'cx_sum', 'cx_sumsq', 'cx_epoch'].map(at);
  const columns: Record<string, unknown[]> = {
    __period: rows.map((r) => periodKey(r[y], r[m], granularity)),
    __status: rows.map((r) => r[st]),
    __value: rows.map((r) => (r[v] === null ? null : Number(r[v]))),
    __ts: rows.map((r) => (r[ep] === null ? NaN : Math.round(Number(r[ep]) * 1000))),
    __w: rows.map((r) => num(r[n])),
    __sum: rows.map((r) => num(r[s])),
    __sumSq: rows.map((r) => num(r[ss])),
  };
  for (const name of indicatorNames) columns[`__i_${name}`] = rows.map((r) => num(r[at(`__i_${name}`)]));
  dims.forEach((d, i) => (columns[d] = rows.map((r) => dimValue(r[at(`cx_dim${i}`)]))));
  const table = aq.table(columns);
  if (source.onInvalid === 'error') await failOnInvalid(id, def, type, source, table);
  return { table, indicatorNames };
}

/** With on_invalid: error, the first invalid row the database returns stops the build. */
async function failOnInvalid(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, cells: ColumnTable): Promise<void> {
  const statuses = cells.array('__status') as ArrayLike<string>;
  if (!Array.from(statuses).some((s) => s !== 'ok')) return;
  const rules = type.rules(def);
  const score = scoreExpressions(source.sql, def.score);
  const rows = `SELECT ${ident(def.date)} AS cx_d, ${ident(def.score)} AS cx_raw, ${score.value} AS cx_v, ${score.problem} AS cx_problem FROM ${source.sql.from()}`;
  const found = await source.sql.run(`SELECT cx_d, cx_raw, ${statusExpression(rules)} AS cx_status FROM (${rows}) AS cx_rows WHERE ${statusExpression(rules)} <> ${literal('ok')} LIMIT 1`);
  const [date, raw, status] = found.rows[0] ?? [];
  const badDate = status === 'missing or invalid date';
  const value = badDate ? date : raw;
  const reason = badDate ? 'missing or invalid date (ISO 8601 expected)' : `${String(status)} (valid: ${rules.integer ? 'integers' : 'numbers'} ${rules.min}–${rules.max})`;
  throw new CxError('data', `column ${badDate ? def.date : def.score}: ${value === null || value === undefined ? 'empty' : JSON.stringify(value)} — ${reason}`, {
    location: { file: source.file },
    hint: `metric "${id}" rejects this row because source "${source.name}" has on_invalid: error; fix the value or set on_invalid: exclude to count and skip such rows`,
  });
}
