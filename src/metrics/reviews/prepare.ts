/** The reviews' ratings, validated by the survey-score engine with the rating column as its score column. */
import type { MetricModule } from '../module.js';
import { scoreDate } from '../prepare.js';
import { scoreModule, type PreparedScore } from '../score/index.js';
import type { ReviewsDef } from './schema.js';
import { reviews } from './score-type.js';

/** The score engine for star ratings (its prepare and its compute). */
export const engine = scoreModule(reviews);

export interface PreparedReviews extends PreparedScore {
  reviewsDef: ReviewsDef;
}

export const prepare: MetricModule<ReviewsDef, PreparedReviews>['prepare'] = async (ctx) => {
  const def = ctx.def;
  const source = ctx.source('source');
  ctx.requireColumn(source, def.rating, ['rating']);
  const date = scoreDate(ctx.id, def, ctx.config);
  if (date !== undefined) ctx.requireColumn(source, date, ['date']);
  if (def.product !== undefined) ctx.requireColumn(source, def.product, ['product']);
  for (const column of Object.keys(def.filter ?? {})) ctx.requireColumn(source, column, ['filter', column]);
  const prepared = await engine.prepare({ ...ctx, def: { ...def, score: def.rating } as never });
  return { ...prepared, reviewsDef: def };
};
