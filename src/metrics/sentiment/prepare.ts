/** Preparing the comments: comment cells from the rows or the database, validated and scored (each distinct text once). */
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { compileFilter, type Filter } from '../../kernel/filter.js';
import { parseTimestamp, periodOf, type Granularity } from '../../kernel/period.js';
import { isPushdown, loadRows } from '../../sources/sql.js';
import type { SourceTable } from '../../sources/types.js';
import { ExclusionCounter } from '../exclusions.js';
import { rowRejecter } from '../invalid.js';
import type { Prepared, PrepareContext } from '../module.js';
import { sourceDimensions } from '../pushdown.js';
import { checkScoring, commentScorer, scoringDimensions } from '../text/scoring.js';
import { lastTimestampOf, latestPeriodOf } from '../timeline.js';
import { scoreComment } from './afinn.js';
import { isBlank, keyOf, newCells, type CommentCells } from './cells.js';
import { canPushDownComments, databaseCells } from './pushdown.js';
import type { SentimentDef } from './schema.js';

export interface PreparedSentiment extends Prepared {
  kind: 'sentiment';
  id: string;
  def: SentimentDef;
  granularity: Granularity;
  /**
   * valid comment cells (comment-cells order): the grouping columns plus __period, __ts, __w
   * (comments), __text, __cmp (comparative score), __cmpW (× __w), __class, __pos/__neu/__neg (× __w)
   */
  table: ColumnTable;
  firstPeriod: string | undefined;
  exclusions: Map<string, Record<string, number>>;
  /** 'sql' when the database grouped the comments */
  engine: 'memory' | 'sql';
}

/** In memory: rows (after the filter) into comment cells; `on_invalid: error` names the file row. */
function rowCells(ctx: PrepareContext<SentimentDef>, source: SourceTable, dims: string[]): CommentCells {
  const def = ctx.def;
  let table = source.table;
  if (def.filter) {
    const keep = compileFilter(def.filter as Filter);
    table = table.filter(aq.escape((d: Record<string, unknown>) => keep((c) => d[c]))).reify();
  }
  const n = table.numRows();
  const texts = table.array(def.text) as ArrayLike<unknown>;
  const dates = table.array(def.date) as ArrayLike<unknown>;
  const columns = dims.map((d) => table.array(d) as ArrayLike<unknown>);
  const reject = rowRejecter(source, table, ctx.id);
  const cells = newCells(dims);
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const t = parseTimestamp(dates[i]);
    // granularity all: every text belongs to the one period, dated or not
    const period = ctx.granularity === 'all' ? 'all' : Number.isFinite(t) ? periodOf(t, ctx.granularity) : null;
    if (period === null) reject(i, def.date, dates[i], 'missing or invalid date (ISO 8601 expected)');
    else if (isBlank(texts[i])) reject(i, def.text, texts[i], 'missing text');
    const key = [period ?? '', keyOf(texts[i]), ...columns.map((c) => keyOf(c[i]))].join('\u0001');
    const at = index.get(key);
    if (at !== undefined) {
      cells.weight[at]++;
      if (t > cells.ts[at]) cells.ts[at] = t;
      continue;
    }
    index.set(key, cells.period.length);
    cells.period.push(period);
    cells.ts.push(t);
    cells.text.push(texts[i]);
    columns.forEach((c, j) => cells.values[j].push(c[i]));
    cells.weight.push(1);
  }
  return cells;
}

export function prepareSentiment(ctx: PrepareContext<SentimentDef>): PreparedSentiment | Promise<PreparedSentiment> {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.text, ['text']);
  ctx.requireColumn(source, def.date, ['date']);
  if (def.group !== undefined) ctx.requireColumn(source, def.group, ['group']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  checkScoring(ctx, source);
  const dims = sourceDimensions(ctx, source, [def.group, ...scoringDimensions(def)]).filter((c) => c !== def.text);
  if (!isPushdown(source)) return scoreCells(ctx, dims, rowCells(ctx, source, dims), 'memory');
  // granularity all keeps undated texts (one period over all data), which the database cells leave out
  if (ctx.granularity !== 'all' && canPushDownComments(source.sql, def)) return databaseCells(ctx, source, dims).then((cells) => scoreCells(ctx, dims, cells, 'sql'));
  return loadRows(source).then((rows) => scoreCells(ctx, dims, rowCells(ctx, rows, dims), 'memory'));
}

/** Validates and scores the cells (each distinct text once), in a fixed order: period, text, grouping values. */
function scoreCells(ctx: PrepareContext<SentimentDef>, dims: string[], cells: CommentCells, engine: 'memory' | 'sql'): PreparedSentiment {
  const def = ctx.def;
  const order = cells.period.map((_, i) => i);
  const sortKey = order.map((i) => [cells.period[i] ?? '\uffff', keyOf(cells.text[i]), ...cells.values.map((v) => keyOf(v[i]))].join('\u0001'));
  order.sort((a, b) => (sortKey[a] < sortKey[b] ? -1 : sortKey[a] > sortKey[b] ? 1 : 0));
  const excluded = new ExclusionCounter();
  const exclusions = excluded.byPeriod;
  const keep: number[] = [];
  let firstPeriod: string | undefined;
  const scored = new Map<string, ReturnType<typeof scoreComment>>();
  const scorer = commentScorer(ctx, dims, scoreComment);
  // a scorer of the text alone scores the distinct texts together (kept across builds: scoring.ts)
  if (scorer.prime) {
    const texts = new Set<string>();
    for (const i of order) if (cells.period[i] !== null && !isBlank(cells.text[i])) texts.add(String(cells.text[i]).trim());
    texts.delete('');
    scorer.prime([...texts]);
  }
  const out = { text: [] as string[], cmp: [] as number[], cls: [] as string[], pos: [] as number[], neu: [] as number[], neg: [] as number[] };
  const weight = (k: number) => cells.weight[keep[k]];
  for (const i of order) {
    const p = cells.period[i];
    const w = cells.weight[i];
    if (p === null) {
      excluded.add('undated', 'missing or invalid date', w);
      continue;
    }
    const s = isBlank(cells.text[i]) ? '' : String(cells.text[i]).trim();
    if (s === '') {
      excluded.add(p, 'missing text', w);
      continue;
    }
    let r = scorer.column ? scorer.score(s, cells.values, i) : scored.get(s);
    if (r === null) {
      excluded.add(p, 'missing or invalid score', w);
      continue;
    }
    if (firstPeriod === undefined || p < firstPeriod) firstPeriod = p;
    if (!r) scored.set(s, (r = scorer.score(s, cells.values, i)!));
    keep.push(i);
    out.text.push(s);
    out.cmp.push(r.comparative);
    out.cls.push(r.label);
    out.pos.push(r.label === 'positive' ? w : 0);
    out.neu.push(r.label === 'neutral' ? w : 0);
    out.neg.push(r.label === 'negative' ? w : 0);
  }
  const columns: Record<string, ArrayLike<unknown>> = {
    __period: keep.map((i) => cells.period[i]),
    __ts: Float64Array.from(keep, (i) => cells.ts[i]),
    __w: Float64Array.from(keep, (i) => cells.weight[i]),
    __text: out.text,
    __cmp: Float64Array.from(out.cmp),
    __cmpW: Float64Array.from(out.cmp, (c, k) => c * weight(k)),
    __class: out.cls,
    __pos: Float64Array.from(out.pos),
    __neu: Float64Array.from(out.neu),
    __neg: Float64Array.from(out.neg),
  };
  dims.forEach((d, j) => (columns[d] = keep.map((i) => cells.values[j][i])));
  const valid = aq.table(columns);
  const granularity = ctx.granularity;
  return {
    kind: 'sentiment',
    id: ctx.id,
    def,
    granularity,
    table: valid,
    firstPeriod,
    exclusions,
    engine,
    latestPeriod: latestPeriodOf(valid),
    lastTimestamp: lastTimestampOf(valid, granularity),
  };
}
