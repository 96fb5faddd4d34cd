/** The health-score metric pushed down: whether the database can pick the snapshots, and the counts and candidates it returns. */
import * as aq from 'arquero';
import { CxError } from '../../kernel/errors.js';
import { cellValue, isTemporal, type PushdownSource, type SqlRelation } from '../../sources/sql.js';
import type { SourceTable } from '../../sources/types.js';
import { invalidRowHint } from '../invalid.js';
import type { PrepareContext } from '../module.js';
import { periodKey, sourceDimensions } from '../pushdown.js';
import type { HealthScoreDef } from './schema.js';
import { healthSql } from './sql.js';
import type { Counted } from './types.js';

/** Whether the database can pick the snapshots: a DATE or TIMESTAMP `date`, numeric components and no `filter:` (a filter decides which rows may supersede others). */
export function canPushDownHealth(sql: SqlRelation, def: HealthScoreDef): boolean {
  return def.date !== undefined && isTemporal(sql.kind(def.date)) && def.components.every((c) => sql.kind(c.column) === 'number') && Object.keys(def.filter ?? {}).length === 0;
}

/** The counts and the candidate snapshots from the database; `on_invalid: error` fails on the first counted problem. */
export async function snapshotsFromDatabase(ctx: PrepareContext<HealthScoreDef>, source: PushdownSource): Promise<{ rows: SourceTable; counted: Counted }> {
  const def = ctx.def;
  const g = ctx.granularity;
  const dims = sourceDimensions(ctx, source).filter((c) => c !== def.id && c !== def.date && !def.components.some((comp) => comp.column === c));
  const { counts, candidates } = healthSql(source.sql, def, dims, g);
  const [countRows, candidateRows] = await Promise.all([source.sql.run(counts), source.sql.run(candidates)]);
  const at = (names: string[]) => (name: string) => names.indexOf(name);
  const c = at(countRows.names);
  const reasons: Record<string, string> = { undated: 'missing or invalid date', 'missing account id': 'missing account id', fewer: 'fewer than half of the components present', superseded: 'superseded by a later snapshot in the period' };
  const counted: Counted = { exclusions: new Map(), componentIssues: new Map() };
  const add = (map: Map<string, Record<string, number>>, key: string, reason: string, n: number) => {
    if (n === 0) return;
    const entry = map.get(key) ?? {};
    entry[reason] = (entry[reason] ?? 0) + n;
    map.set(key, entry);
  };
  let problem: string | undefined;
  for (const r of countRows.rows) {
    const status = String(r[c('cx_status')]);
    const period = status === 'undated' ? 'undated' : (periodKey(r[c('cx_year')], r[c('cx_month')], g) as string);
    if (status in reasons) add(counted.exclusions, period, reasons[status], Number(r[c('cx_n')]));
    if (status !== 'undated' && status !== 'missing account id')
      def.components.forEach((comp, j) => {
        const n = Number(r[c(`cx_i${j}`)]);
        add(counted.componentIssues, period, comp.column, n);
        if (n > 0) problem ??= `column ${comp.column}: not a finite number${period === 'undated' ? '' : ` (a snapshot of ${period})`}`;
      });
    if (status === 'undated') problem ??= `column ${def.date}: missing or invalid date (a DATE or TIMESTAMP value expected)`;
    else if (status === 'missing account id') problem ??= `column ${def.id}: missing account id (a snapshot of ${period})`;
    else if (status === 'fewer') problem ??= `column ${def.components[0].column}: fewer than half of the ${def.components.length} components present (a snapshot of ${period})`;
  }
  if (problem && source.onInvalid === 'error') throw new CxError('data', problem, { location: { file: source.file }, hint: invalidRowHint(ctx.id, source) });
  const k = at(candidateRows.names);
  const columns: Record<string, unknown[]> = { [def.id]: [], [def.date!]: [] };
  def.components.forEach((comp) => (columns[comp.column] = []));
  dims.forEach((dim) => (columns[dim] = []));
  for (const r of candidateRows.rows) {
    columns[def.id].push(cellValue(r[k('cx_id')]));
    columns[def.date!].push(new Date(Math.round(Number(r[k('cx_epoch')]) * 1000)).toISOString());
    def.components.forEach((comp, j) => columns[comp.column].push(cellValue(r[k(`cx_c${j}`)])));
    dims.forEach((dim, i) => columns[dim].push(cellValue(r[k(`cx_dim${i}`)])));
  }
  const table = aq.table(columns);
  return { rows: { name: source.name, file: source.file, table, rowCount: table.numRows(), columns: source.columns, onInvalid: 'exclude' }, counted };
}
