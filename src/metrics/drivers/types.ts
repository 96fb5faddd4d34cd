/** The shapes of a key-drivers analysis: what the plan asks for, the prepared answers, and the result in metrics.json. */
import type { DriversNeed } from '../../config/plan.js';
import type { Path } from '../../config/yaml-source.js';
import type { FitProblem } from '../../kernel/models/relative-importance.js';

/** A drivers analysis as the plan asks for it (config/plan.ts; the section schema is in report/sections/drivers.ts). */
export type DriversSpec = DriversNeed;

/** A metric's answers with their driver values, ready to analyse any report period. */
export interface PreparedDrivers {
  spec: DriversSpec;
  /** the sections showing this analysis (identical specs share it) */
  sections: number[];
  /** per valid answer: its period, the answer, and each driver's value (NaN: missing or not a number) */
  period: (string | null)[];
  y: Float64Array;
  x: Float64Array[];
  /** a declared ordinal scale [1, k] per driver (`levels:`), else null */
  levels: (number | null)[];
  cache: Map<string, Analysis>;
}

/** What metrics.json holds under the metric, as `drivers`. */
export interface DriversResult {
  periods: { from: string; to: string; count: number };
  /** complete cases: valid answers with every driver value present */
  n: number;
  /** valid answers in the pooled periods left out for a missing or non-numeric driver value */
  incomplete: number;
  /** R² of the full model, as a proportion */
  r2: number | null;
  method: string;
  bootstrap: { resamples: number; valid: number; seed: number; interval: 'percentile'; generator: 'mulberry32' };
  /** by share, largest first */
  items: DriverItem[];
}

export interface DriverItem {
  column: string;
  /** LMG share of R², percent (the shares sum to 100) */
  share: number;
  /** 95% percentile bootstrap interval of the share, percent */
  ci: [number, number] | null;
  /** correlation with the answer */
  r: number;
  /** Johnson's relative weight (the weights sum to r2) */
  weight: number;
  /** mean of the driver over the complete cases */
  mean: number;
  /** the driver's scale: [1, k] for declared levels, else its observed [min, max] */
  scale: [number, number];
}

/** A result, or why there is none for this period (shown by the section as a located error). */
export interface DriversOutcome {
  result: DriversResult;
  problem?: { message: string; hint: string; path: Path };
}

/** The numbers of one period's analysis, before any text (cached: a section and metrics.json share them). */
export interface Analysis {
  pooled: string[];
  n: number;
  incomplete: number;
  r2: number | null;
  valid: number;
  items: DriverItem[];
  problem?: { kind: 'few'; minimum: number } | FitProblem;
}
