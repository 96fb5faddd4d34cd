/** How the `sentiment` metric scores each comment: its `scorer:` or its `score:` column (see scorers.ts). */
import { CxError } from '../../kernel/errors.js';
import { specOf, type ColumnDecl } from '../../sources/columns.js';
import type { SourceTable } from '../../sources/types.js';
import type { PrepareContext } from '../module.js';
import type { ContrastDef, ScoreDef } from './schema.js';
import { columnScore, scorerInfo, winkScore, type ColumnScale, type ScorerName } from './scorers.js';
import { WINK_VERSIONS } from './nlp.js';
import { cacheKey, cachedNumbers, codeVersion } from '../../kernel/disk-cache.js';

type Class = 'positive' | 'neutral' | 'negative';
type Scored = { score: number; comparative: number; label: Class };

/** The keys of a sentiment definition this file reads. */
export interface ScoringDef {
  source: string;
  scorer?: ScorerName;
  score?: ScoreDef;
  contrast?: ContrastDef;
  thresholds: { positive: number; negative: number };
}

const columnOf = (score: ScoreDef | undefined) => (score === undefined ? undefined : typeof score === 'string' ? score : score.column);

/** Columns the comment cells must keep: the score column and the contrast column. */
export function scoringDimensions(def: ScoringDef): string[] {
  return [columnOf(def.score), def.contrast?.column].filter((c): c is string => c !== undefined);
}

/** Located config errors: `scorer:` with `score:`, unknown score or contrast columns. */
export function checkScoring(ctx: PrepareContext<ScoringDef>, source: SourceTable): void {
  const def = ctx.def;
  if (def.scorer !== undefined && def.score !== undefined) {
    throw new CxError('config', `metric "${ctx.id}": scorer and score exclude each other: score takes sentiment from a column, scorer computes it from the text`, {
      location: ctx.config.yaml.locate(['metrics', ctx.id, 'score'], { key: true }),
      hint: 'remove one of them',
    });
  }
  if (def.score !== undefined) ctx.requireColumn(source, columnOf(def.score)!, typeof def.score === 'string' ? ['score'] : ['score', 'column']);
  if (def.contrast) ctx.requireColumn(source, def.contrast.column, ['contrast', 'column']);
}

/** The −1…1 scale of the `score:` column: declared min/max, the source's levels (1…k), or −1…1. */
export function scaleOf(ctx: { config: unknown; def: ScoringDef }): ColumnScale | undefined {
  const score = ctx.def.score;
  if (score === undefined) return undefined;
  if (typeof score !== 'string') return { column: score.column, min: score.min, max: score.max };
  const declared = ((ctx.config as { sources?: Record<string, { columns?: Record<string, ColumnDecl> }> }).sources ?? {})[ctx.def.source]?.columns ?? {};
  const levels = specOf(declared[score]).levels;
  return levels ? { column: score, min: 1, max: levels.length, levels: levels.length, labels: levels } : { column: score, min: -1, max: 1 };
}

const classify = (comparative: number, t: { positive: number; negative: number }): Class => (comparative > t.positive ? 'positive' : comparative < t.negative ? 'negative' : 'neutral');

/** The version of wink scores kept on disk: the scorer's code and the wink packages' versions. */
let winkCodeVersion: string | null | undefined;

/**
 * The scorer of a metric's comment cells: `score(text, values, i)` for cell i, where `values` are
 * the cells' grouping columns in `dims` order. `column` is true when the score comes from a column
 * (then it is per cell, and null when missing or out of range); otherwise it depends on the text alone.
 */
export function commentScorer(ctx: PrepareContext<ScoringDef>, dims: string[], afinn: (text: string, t: { positive: number; negative: number }) => Scored): { column: boolean; score: (text: string, values: unknown[][], i: number) => Scored | null; prime?: (texts: string[]) => void } {
  const def = ctx.def;
  const scale = scaleOf(ctx);
  if (scale) {
    const j = dims.indexOf(scale.column);
    return {
      column: true,
      score: (_text, values, i) => {
        const v = columnScore(values[j][i], scale);
        return v === null ? null : { score: v, comparative: v, label: classify(v, def.thresholds) };
      },
    };
  }
  if (def.scorer === 'wink') {
    const primed = new Map<string, number>();
    return {
      column: false,
      // wink-nlp reads every text (about 0.05 ms each): the scores of a set of texts are kept on disk by its digest
      prime: (texts) => {
        winkCodeVersion ??= codeVersion(import.meta.url, ['./scorers.js', './nlp.js'], JSON.stringify(WINK_VERSIONS));
        const scores = cachedNumbers('wink-scores', winkCodeVersion, cacheKey(texts), texts.length, () => texts.map(winkScore));
        texts.forEach((text, i) => primed.set(text, scores[i]));
      },
      score: (text) => {
        const v = primed.get(text) ?? winkScore(text);
        return { score: v, comparative: v, label: classify(v, def.thresholds) };
      },
    };
  }
  return { column: false, score: (text) => afinn(text, def.thresholds) };
}

/** metrics.json's description of the scoring (replaces the former lexicon/package pair; kept for AFINN). */
export function scorerExtra(def: ScoringDef, afinnVersion: string, scale: ColumnScale | undefined) {
  const info = scorerInfo(def.score !== undefined ? 'column' : (def.scorer ?? 'afinn'), scale);
  if (def.score !== undefined) return { scorer: info.scorer, scale: scale ?? null, lexicon: null, package: null, uciAccuracy: null };
  if (def.scorer === 'wink') return { scorer: 'wink', lexicon: 'wink-eng-lite-web-model', package: info.package, uciAccuracy: info.accuracy };
  return { scorer: 'afinn', lexicon: 'AFINN-165', package: `sentiment@${afinnVersion}`, uciAccuracy: info.accuracy };
}
