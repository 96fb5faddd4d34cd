/** SQL text of the sentiment metric's pushdown: the comment cells. */
import { ident, type SqlRelation } from '../../sources/sql.js';
import type { SentimentDef } from './schema.js';

/** The generated statement: rows grouped by period (year and month), the raw text and the grouping columns, with the count and latest timestamp. */
export function commentCellsSql(sql: SqlRelation, def: SentimentDef, dims: string[]): string {
  const d = ident(def.date);
  const inner = [`DATE_TRUNC('month', ${d}) AS cx_period`, `${d} AS cx_date`, `${ident(def.text)} AS cx_text`, ...dims.map((c, i) => `${ident(c)} AS cx_dim${i}`)];
  const keys = ['cx_period', 'cx_text', ...dims.map((_, i) => `cx_dim${i}`)];
  const fence = sql.runner.dialect === 'postgres' ? ' OFFSET 0' : '';
  return [
    `SELECT CAST(EXTRACT(YEAR FROM cx_period) AS INTEGER) AS cx_year, CAST(EXTRACT(MONTH FROM cx_period) AS INTEGER) AS cx_month, ${keys.slice(1).join(', ')}, CAST(COUNT(*) AS DOUBLE PRECISION) AS cx_n, CAST(EXTRACT(EPOCH FROM MAX(cx_date)) AS DOUBLE PRECISION) AS cx_epoch`,
    `FROM (SELECT ${inner.join(', ')} FROM ${sql.from()}${fence}) AS cx_rows`,
    `GROUP BY ${keys.join(', ')}`,
  ].join('\n');
}
