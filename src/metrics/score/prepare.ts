/**
 * Preparing a score metric from a pushdown source: the cells the database computes (pushdown.ts),
 * and the commented rows that verbatims sections quote, validated in memory.
 */
import type { Config } from '../../config/load.js';
import type { QuoteNeed } from '../../config/plan.js';
import { tableFromColumns } from '../../sources/columns.js';
import type { PushdownSource } from '../../sources/sql.js';
import type { ScoreDef, ScoreType } from '../../kernel/types.js';
import { pushDownCells, sourceDimensions } from '../pushdown.js';
import { prepareMetric, requireColumn, scoreDate, type PreparedMetric } from '../prepare.js';
import { commentedRowsSql } from './sql.js';

/** Validated cells computed by the database, and the commented rows verbatims sections quote. */
export async function preparePushedDown(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, config: Config): Promise<PreparedMetric> {
  const what = `metric "${id}"`;
  requireColumn(source, def.score, config, ['metrics', id, 'score'], what);
  requireColumn(source, scoreDate(id, def, config)!, config, ['metrics', id, 'date'], what);
  for (const column of Object.keys(def.filter ?? {})) requireColumn(source, column, config, ['metrics', id, 'filter', column], what);
  const dims = sourceDimensions({ config, id, def }, source);
  const granularity = config.report.period.granularity;
  const cells = await pushDownCells(id, def, type, source, dims, granularity);
  const pm: PreparedMetric = { id, def, type, source, granularity, table: cells.table, engine: 'sql', rows: cells.table.filter(() => false), indicatorNames: cells.indicatorNames };
  const quoted = await commentedRows(id, def, type, source, config);
  return quoted ? { ...pm, rows: quoted.rows } : pm;
}

/** Rows with a comment in any text column a verbatims section of this metric quotes, validated in memory. */
async function commentedRows(id: string, def: ScoreDef, type: ScoreType<any>, source: PushdownSource, config: Config): Promise<PreparedMetric | undefined> {
  const sections = quotes(config, id);
  const has = (c: unknown): c is string => typeof c === 'string' && source.columns.some((x) => x.name === c);
  const texts = [...new Set(sections.map((s) => s.text).filter(has))];
  if (texts.length === 0) return undefined;
  const wanted = new Set([def.date!, def.score, ...texts, ...Object.keys(def.filter ?? {})]);
  for (const s of sections) {
    for (const c of s.attribute) if (has(c)) wanted.add(c);
    for (const c of s.filter) if (has(c)) wanted.add(c);
  }
  const columns = [...wanted];
  const { names, rows } = await source.sql.run(commentedRowsSql(columns, texts, source.sql.from()));
  const table = tableFromColumns(source.name, source.file, names.map((n, i) => [n, rows.map((r) => r[i])]));
  return prepareMetric(id, def, type, { ...table, onInvalid: 'exclude' }, config, { keepRows: true });
}

/** What the verbatims sections quoting this metric's answers need (the plan). */
export function quotes(config: Config, id: string): QuoteNeed[] {
  return config.plan.metrics.get(id)?.quotes ?? [];
}
