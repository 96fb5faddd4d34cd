/** The sentiment metric pushed down: whether the database can group the comments, and the comment cells it returns. */
import { CxError } from '../../kernel/errors.js';
import { compileFilter, type Filter } from '../../kernel/filter.js';
import { cellValue, isTemporal, type PushdownSource, type SqlRelation } from '../../sources/sql.js';
import { invalidRowHint } from '../invalid.js';
import type { PrepareContext } from '../module.js';
import { periodKey } from '../pushdown.js';
import { isBlank, newCells, type CommentCells } from './cells.js';
import type { SentimentDef } from './schema.js';
import { commentCellsSql } from './sql.js';

/** Whether the database can group the comments: the date column is a DATE or TIMESTAMP. */
export function canPushDownComments(sql: SqlRelation, def: SentimentDef): boolean {
  return isTemporal(sql.kind(def.date));
}

/** On a SQL source: the comment cells from the database (filtered by the metric's filter on their grouping values). */
export async function databaseCells(ctx: PrepareContext<SentimentDef>, source: PushdownSource, dims: string[]): Promise<CommentCells> {
  const def = ctx.def;
  const { names, rows } = await source.sql.run(commentCellsSql(source.sql, def, dims));
  const at = (name: string) => names.indexOf(name);
  const [y, m, text, n, ep] = ['cx_year', 'cx_month', 'cx_text', 'cx_n', 'cx_epoch'].map(at);
  const dimAt = dims.map((_, i) => at(`cx_dim${i}`));
  const keep = def.filter ? compileFilter(def.filter as Filter) : null;
  const cells = newCells(dims);
  for (const r of rows) {
    const values = dimAt.map((k) => cellValue(r[k]));
    if (keep && !keep((column) => values[dims.indexOf(column)])) continue;
    cells.period.push(periodKey(r[y], r[m], ctx.granularity));
    cells.ts.push(r[ep] === null ? NaN : Math.round(Number(r[ep]) * 1000));
    cells.text.push(cellValue(r[text]));
    values.forEach((v, j) => cells.values[j].push(v));
    cells.weight.push(Number(r[n]));
  }
  const bad = cells.period.findIndex((p, i) => p === null || isBlank(cells.text[i]));
  if (bad >= 0 && source.onInvalid === 'error') {
    const undated = cells.period[bad] === null;
    throw new CxError('data', `column ${undated ? def.date : def.text}: ${undated ? 'missing or invalid date (a DATE or TIMESTAMP value expected)' : `missing text (a comment of ${cells.period[bad]})`}`, { location: { file: source.file }, hint: invalidRowHint(ctx.id, source) });
  }
  return cells;
}
