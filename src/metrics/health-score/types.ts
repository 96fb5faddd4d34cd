/** The forms the health-score metric's data takes: bands, account scores, component bounds, prepared snapshots. */
import type { ColumnTable } from 'arquero';
import type { Granularity } from '../../kernel/period.js';
import type { Prepared } from '../module.js';
import type { HealthScoreDef } from './schema.js';

export type Band = 'red' | 'amber' | 'green';
export const BANDS: Band[] = ['red', 'amber', 'green'];

/** One account's snapshot in one period. */
export interface AccountScore {
  account: string;
  period: string;
  ts: number;
  score: number;
  band: Band;
  /** raw component values (null: missing or not a number) */
  values: (number | null)[];
  /** normalised component scores 0–100 (null: missing) */
  scores: (number | null)[];
  row: number;
}

export interface ComponentBounds {
  column: string;
  label: string;
  weight: number;
  direction: 'higher-is-better' | 'lower-is-better';
  min: number | null;
  max: number | null;
  /** where the bounds came from */
  bounds: 'config' | 'data p5–p95' | 'data min–max' | 'constant';
}

export interface PreparedHealth extends Prepared {
  kind: 'health-score';
  id: string;
  def: HealthScoreDef;
  granularity: Granularity;
  /** one row per scored account and period: source columns plus __period, __ts, __account, __score, __red */
  table: ColumnTable;
  byPeriod: Map<string, Map<string, AccountScore>>;
  components: ComponentBounds[];
  firstPeriod: string | undefined;
  exclusions: Map<string, Record<string, number>>;
  /** unusable (non-numeric) component cells per period, by column; treated as missing */
  componentIssues: Map<string, Record<string, number>>;
  /** 'sql' when the database picked the snapshots */
  engine: 'memory' | 'sql';
}

/** Exclusions and component issues the database counted (pushdown), per period ('undated' for rows without a date). */
export interface Counted {
  exclusions: Map<string, Record<string, number>>;
  componentIssues: Map<string, Record<string, number>>;
}
