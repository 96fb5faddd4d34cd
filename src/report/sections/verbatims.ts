/**
 * Verbatims: customer comments filtered (e.g. detractors of the current period) and sampled
 * deterministically by a seeded hash, attributed only by segment and date. Comment text is
 * untrusted: it stays plain text in the model and is escaped by the renderer.
 */
import { z } from 'zod';
import { suggestion } from '../../kernel/suggest.js';
import { CxError } from '../../kernel/errors.js';
import { filterSchema, compileFilter } from '../../kernel/filter.js';
import { requireColumn } from '../../metrics/prepare.js';
import { bandsOf, longLabel, result, type SectionContext } from '../context.js';
import type { Quote, SectionModel } from '../model.js';
import { sectionFields } from './common.js';
import { scoreMetric } from './score-only.js';

export const verbatimsSchema = z
  .strictObject({
    type: z.literal('verbatims'),
    ...sectionFields,
    metric: z.string().describe('Metric whose responses are quoted (its source, date and score are used).'),
    text: z.string().describe('Column holding the comment text.').meta({ examples: ['comment'] }),
    band: z.string().optional().describe('Only answers in this band of the metric, e.g. detractors, passives, promoters.'),
    filter: filterSchema.optional(),
    period: z.enum(['current', 'previous', 'all']).default('current').describe('Which period’s comments to sample.'),
    limit: z.number().int().min(1).max(50).default(6).describe('Number of quotes.'),
    seed: z.union([z.number(), z.string()]).default(1).describe('Change to draw a different (still deterministic) sample.'),
    attribute: z.array(z.string()).default([]).describe('Columns named in each quote’s attribution (segment only; never customer identifiers).'),
  })
  .describe('Customer comments, filtered and sampled deterministically.');

export type VerbatimsSection = z.infer<typeof verbatimsSchema>;

/** FNV-1a 32-bit hash: a stable, seedable order that does not depend on row order. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function buildVerbatims(section: VerbatimsSection, ctx: SectionContext): SectionModel {
  const { t, fmt } = ctx;
  const r = result(ctx, section.metric);
  const pm = scoreMetric(ctx, section.metric, ['metric']);
  const where = (key: string) => ['sections', ctx.index, key];
  requireColumn(pm.source, section.text, ctx.config, where('text'), `section ${ctx.index + 1} (verbatims)`);
  section.attribute.forEach((c, i) => requireColumn(pm.source, c, ctx.config, ['sections', ctx.index, 'attribute', i], `section ${ctx.index + 1} (verbatims)`));
  for (const c of Object.keys(section.filter ?? {})) requireColumn(pm.source, c, ctx.config, ['sections', ctx.index, 'filter', c], `section ${ctx.index + 1} (verbatims)`);
  const bands = pm.type.bands(pm.def);
  const band = section.band ? bands.find((b) => b.name === section.band) : undefined;
  if (section.band && !band) {
    throw new CxError('config', `section ${ctx.index + 1} (verbatims): metric "${section.metric}" has no band "${section.band}"`, {
      location: ctx.config.yaml.locate(where('band')),
      hint: suggestion(section.band, bands.map((b) => b.name), `bands of ${r.label}`),
    });
  }
  const wantedPeriod = section.period === 'current' ? ctx.computed.period : section.period === 'previous' ? ctx.computed.previousPeriod : null;
  const keep = compileFilter(section.filter);
  const rows = pm.rows.objects() as Record<string, unknown>[];
  const pool = rows.filter((d) => {
    const text = d[section.text];
    if (text === null || text === undefined || String(text).trim() === '') return false;
    if (d.__status !== 'ok') return false;
    if (wantedPeriod && d.__period !== wantedPeriod) return false;
    if (band && ((d.__value as number) < band.min || (d.__value as number) > band.max)) return false;
    return keep((c) => d[c]);
  });
  const seed = String(section.seed);
  const picked = pool
    .map((d) => ({ d, key: fnv1a(`${seed}\u0000${String(d[section.text])}\u0000${String(d.__ts)}`) }))
    .sort((a, b) => a.key - b.key || (a.d.__ts as number) - (b.d.__ts as number))
    .slice(0, section.limit)
    .map((x) => x.d)
    .sort((a, b) => (a.__ts as number) - (b.__ts as number));
  const quotes: Quote[] = picked.map((d) => {
    const score = d.__value as number;
    const b = bands.find((x) => score >= x.min && score <= x.max);
    const date = new Date(d.__ts as number).toISOString().slice(0, 10);
    const segment = section.attribute.map((c) => (d[c] === undefined || d[c] === null ? '—' : (ctx.valueLabel?.(section.metric, c, String(d[c])) ?? String(d[c])))).join(' · ');
    return { text: String(d[section.text]).trim(), attribution: [segment, date].filter(Boolean).join(' · '), score: `${r.label} ${score}`, tone: b?.tone ?? 'neutral' };
  });
  const scope = wantedPeriod ? longLabel(ctx, wantedPeriod) : t('verbatims.allPeriods');
  const shownBand = band && bandsOf(ctx, [band])[0];
  const who = shownBand ? shownBand.label.replace(/\s*[(（].*[)）]$/, '').toLowerCase() : t('verbatims.respondents');
  return {
    type: 'verbatims',
    id: section.id ?? ctx.nextId(`verbatims-${section.metric}`),
    title: section.title ?? t('verbatims.title', { who, scope }),
    level: 2,
    intro: t('verbatims.intro', { shown: quotes.length, total: fmt.count(pool.length), who, scope, seed }),
    quotes,
    empty: quotes.length === 0 ? t('verbatims.empty', { who, scope }) : null,
  };
}
