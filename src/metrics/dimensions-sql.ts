/**
 * The statements that ask a database whether a column is a low-cardinality text column
 * (dimensions.ts `detect` runs them and applies the rule).
 */
import { ident } from '../sources/sql.js';

/** A column's values as trimmed text. */
const trimmed = (column: string) => `TRIM(CAST(${ident(column)} AS VARCHAR))`;

/** One row: for each column, the rows whose value is not empty; then all rows of `from` (one scan for every column). */
export function filledCountsSql(columns: readonly string[], from: string): string {
  return `SELECT ${columns.map((column) => `SUM(CASE WHEN ${trimmed(column)} <> '' THEN 1 ELSE 0 END)`).join(', ')}, COUNT(*) FROM ${from}`;
}

/** The first `limit` rows of the columns, as text: a column with too many distinct values there has too many in all. */
export function sampleSql(columns: readonly string[], from: string, limit: number): string {
  return `SELECT ${columns.map(trimmed).join(', ')} FROM ${from} LIMIT ${limit}`;
}

/** Up to `limit` distinct non-empty values of `column`. */
export function distinctValuesSql(column: string, from: string, limit: number): string {
  const c = trimmed(column);
  return `SELECT DISTINCT ${c} FROM ${from} WHERE ${c} <> '' LIMIT ${limit}`;
}
