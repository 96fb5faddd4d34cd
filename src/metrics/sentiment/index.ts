/** The sentiment metric type (free-text comments scored positive / neutral / negative; net sentiment, shares, themes). */
import type { MetricModule } from '../module.js';
import { computeSentiment } from './compute.js';
import { prepareSentiment, type PreparedSentiment } from './prepare.js';
import { sentimentSchema, type SentimentDef } from './schema.js';

export { sentimentSchema, type SentimentDef } from './schema.js';
export type { PreparedSentiment } from './prepare.js';

export const sentimentModule: MetricModule<SentimentDef, PreparedSentiment> = {
  type: 'sentiment',
  schema: sentimentSchema,
  title: 'Comment sentiment',
  pushdown: true,
  prepare: prepareSentiment,
  compute: computeSentiment,
};
