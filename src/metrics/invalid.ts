/**
 * `on_invalid: error`: the first row a metric cannot use stops the build, located by the file's row
 * number and column: `file:row column: value — reason`. With `on_invalid: exclude` (the default)
 * the row is only counted by reason, which each metric does itself.
 */
import type { ColumnTable } from 'arquero';
import { CxError } from '../kernel/errors.js';
import { ROW } from '../sources/columns.js';
import type { SourceTable } from '../sources/types.js';

/** Row `i` of `table` (a view of `source`) with an invalid `column` value: throws when the source says so. */
export type Reject = (i: number, column: string, raw: unknown, reason: string) => void;

/** The hint of every `on_invalid: error` failure, in memory or in the database. */
export function invalidRowHint(metric: string, source: SourceTable): string {
  return `metric "${metric}" rejects this row because source "${source.name}" has on_invalid: error; fix the value or set on_invalid: exclude to count and skip such rows`;
}

export function rowRejecter(source: SourceTable, table: ColumnTable, metric: string): Reject {
  if (source.onInvalid !== 'error') return () => {};
  const rowNumbers = table.columnNames().includes(ROW) ? (table.array(ROW) as ArrayLike<number>) : null;
  return (i, column, raw, reason) => {
    throw new CxError('data', `${raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '') ? 'empty' : JSON.stringify(raw)} — ${reason}`, {
      location: { file: source.file, row: rowNumbers ? rowNumbers[i] : i + 1, field: column },
      hint: invalidRowHint(metric, source),
    });
  };
}
