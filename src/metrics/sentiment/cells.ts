/**
 * Comment cells: what the metric uses of its rows is, per period, each distinct comment text with
 * its grouping values — how many rows carry it and the latest timestamp. In memory the rows are
 * reduced to these cells; on a SQL source the database groups them (`commentCellsSql`). Both are
 * then validated, scored and ordered the same way, so the engines agree (themes count each cell
 * as often as it occurs).
 */
export interface CommentCells {
  period: (string | null)[];
  ts: number[];
  text: unknown[];
  /** grouping values, one array per column of `dims` */
  values: unknown[][];
  weight: number[];
}

export function newCells(dims: string[]): CommentCells {
  return { period: [], ts: [], text: [], values: dims.map(() => []), weight: [] };
}

/** Text of a cell value for keys and ordering (null apart from any text). */
export const keyOf = (v: unknown) => (v === null || v === undefined ? '\u0000' : String(v));

/** Whether a text cell is empty (null, or only white space). */
export const isBlank = (raw: unknown) => raw === null || raw === undefined || String(raw).trim() === '';
