/** Keys every section accepts, and helpers shared by the section builders. */
import { z } from 'zod';
import type { MetricResult } from '../../metrics/results.js';
import { formatter, type Formatter } from '../../kernel/format.js';
import { translator, type Translator } from '../../kernel/i18n.js';
import { precise } from '../../kernel/precision.js';

export { RESERVED_NAMES, periodKeySchema } from '../../config/schema.js';
import { RESERVED_NAMES } from '../../config/schema.js';

export const sectionFields = {
  id: z
    .string()
    .regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -')
    .refine((n) => !RESERVED_NAMES.includes(n), { message: `a reserved name: ${RESERVED_NAMES.join(', ')} cannot name a source, metric or section` })
    .optional().describe('Anchor id for links; generated from the title if omitted.'),
  title: z.string().optional().describe('Section heading; a sensible default is generated from the data.'),
};

/** Whether a change is good, bad or neutral for this metric (lower effort is good, etc.). */
export function toneOf(r: Pick<MetricResult, 'higherIsBetter'>, delta: number | null, significant: boolean): 'good' | 'bad' | 'neutral' {
  if (delta === null || delta === 0 || !significant) return 'neutral';
  return delta > 0 === r.higherIsBetter ? 'good' : 'bad';
}

/** A neutral sentence about one change: "NPS rose 4.1 points to +31.2 (95% CI …, n = 1,180); significant (p = 0.01)." */
export function changeSentence(r: MetricResult, previousLabel: string, t: Translator = translator('en'), fmt: Formatter = formatter(t.locale)): string {
  if (r.value === null) return t('change.noData', { label: r.label });
  fmt = precise(fmt, r); // a score to the precision its interval supports (precision.ts)
  const value = fmt.value(r.value, r.unit);
  const ci = r.ci ? t('change.ci', { ci: fmt.interval(r.ci, r.unit) }) : '';
  const n = fmt.count(r.n);
  if (r.delta === null) return t('change.noPrevious', { label: r.label, value, ci, n, previous: previousLabel });
  // Some changes are deliberately not tested (model estimates, overlapping samples): say so and why.
  const verdict = r.p === null ? t('change.untested', { test: r.test || 'not tested' }) : r.significant ? t('change.significant', { p: fmt.p(r.p) }) : t('change.notSignificant', { p: fmt.p(r.p) });
  // a change that rounds to zero at the display precision reads as unchanged, not "fell ±0.0"
  if (r.delta === 0 || fmt.delta(r.delta, r.unit) === fmt.delta(0, r.unit)) return t('change.unchanged', { label: r.label, value, ci, n, previous: previousLabel, verdict });
  const size = fmt.delta(Math.abs(r.delta), r.unit).replace(/^\+/, '');
  // "rose"/"fell" only for a change its test calls significant; otherwise higher/lower than before
  const key = r.significant ? (r.delta > 0 ? 'change.rose' : 'change.fell') : r.delta > 0 ? 'change.higher' : 'change.lower';
  return t(key, { label: r.label, size, value, ci, n, previous: previousLabel, verdict });
}

/** lower-case, hyphenated id from a title */
export function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 48) || 'section';
}
