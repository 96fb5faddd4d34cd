/** The default scorer of comments: AFINN-165 through the `sentiment` npm package. */
import { createRequire } from 'node:module';
import type Sentiment from 'sentiment';
import { packageVersion } from '../../kernel/packages.js';

const require = createRequire(import.meta.url);
/** The AFINN analyser, loaded on first use (a report scored by wink-nlp, or from the cache, never loads it). */
let analyser: Sentiment | undefined;

/** Version of the `sentiment` package, named in the method text. */
export const PACKAGE_VERSION = packageVersion('sentiment', '5');

export type SentimentClass = 'positive' | 'neutral' | 'negative';

/** AFINN-165 score of one comment (sentiment package, negation handling), its comparative score and class. */
export function scoreComment(text: string, thresholds: { positive: number; negative: number } = { positive: 0.05, negative: -0.05 }): { score: number; comparative: number; label: SentimentClass } {
  analyser ??= new (require('sentiment') as typeof Sentiment)();
  const r = analyser.analyze(text);
  const comparative = Number.isFinite(r.comparative) ? r.comparative : 0;
  const label: SentimentClass = comparative > thresholds.positive ? 'positive' : comparative < thresholds.negative ? 'negative' : 'neutral';
  return { score: r.score, comparative, label };
}
