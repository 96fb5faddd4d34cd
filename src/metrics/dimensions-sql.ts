/**
 * The statements that ask a database whether a column is a low-cardinality text column
 * (dimensions.ts `detect` runs them and applies the rule).
 */
import { ident } from '../sources/sql.js';

/** A column's values as trimmed text. */
const trimmed = (column: string) => `TRIM(CAST(${ident(column)} AS VARCHAR))`;

/** One row: the rows whose value of `column` is not empty, and all rows of `from`. */
export function filledCountSql(column: string, from: string): string {
  const c = trimmed(column);
  return `SELECT SUM(CASE WHEN ${c} <> '' THEN 1 ELSE 0 END), COUNT(*) FROM ${from}`;
}

/** Up to `limit` distinct non-empty values of `column`. */
export function distinctValuesSql(column: string, from: string, limit: number): string {
  const c = trimmed(column);
  return `SELECT DISTINCT ${c} FROM ${from} WHERE ${c} <> '' LIMIT ${limit}`;
}
