/** Sections that read individual answers (distribution, verbatims, case study) need a score metric. */
import { CxError } from '../../kernel/errors.js';
import { isScore, type PreparedScore } from '../../metrics/score/index.js';
import type { SectionContext } from '../context.js';

/** The prepared score metric a section refers to, or a located error naming the metrics that qualify. */
export function scoreMetric(ctx: SectionContext, id: string, key: (string | number)[]): PreparedScore {
  const prepared = ctx.computed.prepared.get(id);
  if (isScore(prepared)) return prepared;
  const section = ctx.config.sections[ctx.index];
  const qualifying = [...ctx.computed.prepared.entries()].filter(([, p]) => isScore(p)).map(([k]) => k);
  throw new CxError('config', `section ${ctx.index + 1} (${section.type}) needs a survey-score metric; "${id}" is a ${ctx.config.metrics[id].type} metric`, {
    location: ctx.config.yaml.locate(['sections', ctx.index, ...key]),
    hint: qualifying.length ? `score metrics here: ${qualifying.join(', ')}` : 'define an nps, csat or ces metric',
  });
}
