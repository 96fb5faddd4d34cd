/** The scorer's wording: the scoring sentence of a text metric's methods text, and the scorer's short name. */
import type { Vars } from '../../kernel/i18n.js';
import type { ScoringDef } from './scoring.js';
import { UCI_ACCURACY } from './scorers.js';
import { WINK_VERSIONS } from './nlp.js';

type T = (key: any, vars?: Vars) => string;

const pct3 = (v: number) => v.toFixed(3);

/** The scoring sentence of the methods text for the metric's scorer. */
export function scoringMethod(def: ScoringDef, t: T, afinnVersion: string, levels?: number): string {
  const th = { positive: def.thresholds.positive, negative: def.thresholds.negative };
  if (def.score !== undefined) {
    const column = typeof def.score === 'string' ? def.score : def.score.column;
    const range = typeof def.score !== 'string' ? t('scoring.range', { min: def.score.min, max: def.score.max }) : levels ? t('scoring.levels', { k: levels }) : t('scoring.range', { min: -1, max: 1 });
    return t('scoring.column', { column, range, ...th });
  }
  const a = UCI_ACCURACY.afinn;
  if (def.scorer === 'wink') {
    const w = UCI_ACCURACY.wink;
    return t('scoring.wink', { nlp: WINK_VERSIONS.nlp, model: WINK_VERSIONS.model, amazon: pct3(w.amazon), imdb: pct3(w.imdb), yelp: pct3(w.yelp), afinnAmazon: pct3(a.amazon), afinnImdb: pct3(a.imdb), afinnYelp: pct3(a.yelp), ...th });
  }
  return t('scoring.afinn', { version: afinnVersion, amazon: pct3(a.amazon), imdb: pct3(a.imdb), yelp: pct3(a.yelp), ...th });
}

/** The scorer's short name for chart captions. */
export function scorerLabel(def: ScoringDef, t: T): string {
  if (def.score !== undefined) return t('scorer.column', { column: typeof def.score === 'string' ? def.score : def.score.column });
  return t(def.scorer === 'wink' ? 'scorer.wink' : 'scorer.afinn');
}
