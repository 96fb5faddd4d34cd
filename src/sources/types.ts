import type { ColumnTable } from 'arquero';

export type ColumnType = 'number' | 'string' | 'empty';

/** A loaded source: an Arquero table plus what the user needs to hear about it. */
export interface SourceTable {
  name: string;
  /** file the rows came from (for error messages) */
  file: string;
  table: ColumnTable;
  rowCount: number;
  /** inferred column types, in file order */
  columns: { name: string; type: ColumnType }[];
  /** what a row failing a metric's rules does (from the source's config) */
  onInvalid?: 'exclude' | 'error';
  /** what the loader decided about the file (generated names, delimiter, encoding, date formats…) */
  notes?: string[];
  /** display labels of columns (a survey platform's question text, or `label:` in `columns:`) */
  labels?: Record<string, string>;
}
