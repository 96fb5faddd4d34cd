/** Keys every section accepts, and helpers shared by the section builders. */
import { z } from 'zod';
import type { MetricResult } from '../../metrics/results.js';
import { formatDelta, formatInterval, formatP, formatValue } from '../format.js';

export const sectionFields = {
  id: z.string().regex(/^[a-z][a-z0-9-]*$/, 'lower-case letters, digits and -').optional().describe('Anchor id for links; generated from the title if omitted.'),
  title: z.string().optional().describe('Section heading; a sensible default is generated from the data.'),
};

/** Whether a change is good, bad or neutral for this metric (lower effort is good, etc.). */
export function toneOf(r: Pick<MetricResult, 'higherIsBetter'>, delta: number | null, significant: boolean): 'good' | 'bad' | 'neutral' {
  if (delta === null || delta === 0 || !significant) return 'neutral';
  return delta > 0 === r.higherIsBetter ? 'good' : 'bad';
}

/** A neutral sentence about one change: "NPS rose 4.1 points to +31.2 (95% CI …, n = 1,180); significant (p = 0.01)." */
export function changeSentence(r: MetricResult, previousLabel: string): string {
  if (r.value === null) return `${r.label}: no data this period.`;
  const value = formatValue(r.value, r.unit);
  const ci = r.ci ? `95% CI ${formatInterval(r.ci, r.unit)}, ` : '';
  if (r.delta === null) return `${r.label} is ${value} (${ci}n = ${r.n.toLocaleString('en-US')}); there is no ${previousLabel} value to compare with.`;
  const verb = r.delta > 0 ? 'rose' : r.delta < 0 ? 'fell' : 'was unchanged';
  const size = r.delta === 0 ? '' : ` ${formatDelta(Math.abs(r.delta), r.unit).replace(/^\+/, '')}`;
  const verdict = r.significant ? `the change is significant (${formatP(r.p)})` : `the change is not significant (${formatP(r.p)})`;
  return `${r.label} ${verb}${size} to ${value} (${ci}n = ${r.n.toLocaleString('en-US')}) since ${previousLabel}; ${verdict}.`;
}

/** lower-case, hyphenated id from a title */
export function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '').slice(0, 48) || 'section';
}
