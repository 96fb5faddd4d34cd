/**
 * Sentiment scorers of the `sentiment` metric, chosen with `scorer:` (or `score:` for a column the
 * user's platform already scored):
 *
 * - `afinn` (default): AFINN-165 through the `sentiment` package, comparative score (sum / tokens).
 * - `wink`: wink-nlp's sentiment (its English model's lexicon with negation and emphasis
 *   handling, averaged over sentences), −1…1.
 * - `score: column`: the column's value, −1…1 (`score: { column, min, max }` rescales a
 *   platform's own range linearly to −1…1; a column with `levels:` under its source, k labels
 *   scored 1…k, is rescaled from [1, k], so [Negative, Neutral, Positive] reads −1, 0, 1).
 *
 * The class (positive / neutral / negative) always comes from `thresholds:` on that score.
 */
import { levelKey } from '../../sources/columns.js';
import { winkSentiment, WINK_VERSIONS } from './nlp.js';

/**
 * Accuracy on the UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015: 500 positive and
 * 500 negative sentences per file), a sentence read as positive when its score is above 0 and as
 * negative otherwise. Measured by src/metrics/text/scorers.test.ts on ../shared/data/sentiment,
 * which fails if these numbers no longer hold.
 */
export const UCI_ACCURACY = {
  afinn: { amazon: 0.807, imdb: 0.775, yelp: 0.8 },
  wink: { amazon: 0.872, imdb: 0.816, yelp: 0.817 },
} as const;

export type ScorerName = 'afinn' | 'wink';

/** A column scale: the value range mapped linearly to −1…1. */
export interface ColumnScale {
  column: string;
  min: number;
  max: number;
  /** k when the range comes from the source's `levels:` (1…k) */
  levels?: number;
  /** the level labels, lowest first: a label still in the cell (a database source's raw value) reads as its level */
  labels?: string[];
}

/** The score of a user column's value on −1…1, or null when it is not a number inside the declared range. */
export function columnScore(raw: unknown, scale: ColumnScale): number | null {
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return null;
  if (typeof raw === 'string' && scale.labels) {
    const at = scale.labels.map(levelKey).indexOf(levelKey(raw));
    if (at >= 0) raw = at + 1;
  }
  const v = typeof raw === 'number' ? raw : typeof raw === 'bigint' ? Number(raw) : Number(String(raw).trim());
  if (!Number.isFinite(v) || v < scale.min || v > scale.max || scale.max <= scale.min) return null;
  return -1 + (2 * (v - scale.min)) / (scale.max - scale.min);
}

/** wink-nlp's score of a text (the `wink` scorer). */
export function winkScore(text: string): number {
  return winkSentiment(text);
}

/** How the methods text and metrics.json name a scorer. */
export function scorerInfo(name: ScorerName | 'column', scale?: ColumnScale): { scorer: string; package: string | null; accuracy: (typeof UCI_ACCURACY)[ScorerName] | null } {
  if (name === 'wink') return { scorer: 'wink', package: `wink-nlp@${WINK_VERSIONS.nlp} + wink-eng-lite-web-model@${WINK_VERSIONS.model}`, accuracy: UCI_ACCURACY.wink };
  if (name === 'column') return { scorer: `column ${scale?.column ?? ''}`.trim(), package: null, accuracy: null };
  return { scorer: 'afinn', package: null, accuracy: UCI_ACCURACY.afinn };
}
