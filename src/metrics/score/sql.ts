/** SQL text of the score metrics (the cells themselves are built by ../pushdown.ts). */
import { ident } from '../../sources/sql.js';

/** The rows with a non-empty comment in any of `texts`, with `columns`, from the relation `from`. */
export function commentedRowsSql(columns: string[], texts: string[], from: string): string {
  const nonEmpty = texts.map((t) => `NULLIF(TRIM(CAST(${ident(t)} AS VARCHAR)), '') IS NOT NULL`).join(' OR ');
  return `SELECT ${columns.map(ident).join(', ')} FROM ${from} WHERE ${nonEmpty}`;
}
