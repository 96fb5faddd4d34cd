/** The reviews metric module: star ratings on the survey-score engine. */
import type { MetricModule } from '../module.js';
import { computeReviews } from './compute.js';
import { prepare, type PreparedReviews } from './prepare.js';
import { reviewsSchema, type ReviewsDef } from './schema.js';
import { reviews } from './score-type.js';

export { reviewsSchema, type ReviewsDef } from './schema.js';
export { reviews } from './score-type.js';
export { MESSAGES } from './messages.js';

export const reviewsModule: MetricModule<ReviewsDef, PreparedReviews> = {
  type: 'reviews',
  schema: reviewsSchema,
  title: reviews.title,
  pushdown: true,
  prepare,
  compute: computeReviews,
};
