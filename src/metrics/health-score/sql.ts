/** SQL text of the health-score metric's pushdown: the snapshot counts and the candidate snapshots. */
import type { Granularity } from '../../kernel/period.js';
import { ident, type SqlRelation } from '../../sources/sql.js';
import type { HealthScoreDef } from './schema.js';

/**
 * The generated statements. Each row gets a status, with the in-memory rules in SQL: no date, no
 * account id, fewer than half of the components present (a component is present when finite: NULL,
 * NaN and ±Infinity are not; ±Infinity also counts as an unusable value), superseded (an earlier
 * snapshot than the account's latest valid one in the period: MAX(…) OVER (PARTITION BY account,
 * period)), else a candidate. `counts` returns the rows and unusable values per period and status;
 * `candidates` the latest snapshots themselves (several only when tied; in account, date and
 * component order, so that a tie goes to the greater values), which are then scored by the same
 * code as rows.
 */
export function healthSql(sql: SqlRelation, def: HealthScoreDef, dims: string[], granularity: Granularity): { counts: string; candidates: string } {
  const k = def.components.length;
  const d = ident(def.date!);
  const comps = def.components.map((c, j) => `${ident(c.column)} AS cx_c${j}`);
  const present = def.components.map((_, j) => `CASE WHEN cx_c${j} * 0 = 0 THEN 1 ELSE 0 END`).join(' + ');
  const issues = def.components.map((_, j) => `CASE WHEN cx_c${j} IS NOT NULL AND NOT (cx_c${j} = CAST('NaN' AS DOUBLE PRECISION)) AND NOT (cx_c${j} * 0 = 0) THEN 1 ELSE 0 END AS cx_i${j}`);
  const dimList = dims.map((c, i) => `${ident(c)} AS cx_dim${i}`);
  const rows = `SELECT ${[`NULLIF(TRIM(CAST(${ident(def.id)} AS VARCHAR)), '') AS cx_id`, `${d} AS cx_date`, `DATE_TRUNC('${granularity}', ${d}) AS cx_period`, ...comps, ...dimList].join(', ')} FROM ${sql.from()}`;
  const valid = `cx_date IS NOT NULL AND cx_id IS NOT NULL AND (${present}) * 2 >= ${k}`;
  const status = `CASE WHEN cx_date IS NULL THEN 'undated' WHEN cx_id IS NULL THEN 'missing account id' WHEN (${present}) * 2 < ${k} THEN 'fewer' WHEN cx_date < MAX(CASE WHEN ${valid} THEN cx_date END) OVER (PARTITION BY cx_id, cx_period) THEN 'superseded' ELSE 'candidate' END`;
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  const statused = `(SELECT *, ${[status + ' AS cx_status', ...issues].join(', ')} FROM (${rows}) AS cx_rows${fence}) AS cx_statused`;
  const counts = [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, cx_status, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n${def.components.map((_, j) => `, CAST(SUM(cx_i${j}) AS DOUBLE PRECISION) AS cx_i${j}`).join('')}`,
    `FROM ${statused}`,
    'GROUP BY cx_period, cx_status',
  ].join('\n');
  const candidates = [`SELECT cx_id, CAST(EXTRACT(EPOCH FROM cx_date) AS DOUBLE PRECISION) AS cx_epoch${def.components.map((_, j) => `, cx_c${j}`).join('')}${dims.map((_, i) => `, cx_dim${i}`).join('')}`, `FROM ${statused}`, `WHERE cx_status = 'candidate'`, `ORDER BY ${['cx_id', 'cx_date', ...def.components.map((_, j) => `cx_c${j}`)].join(', ')}`].join('\n');
  return { counts, candidates };
}
