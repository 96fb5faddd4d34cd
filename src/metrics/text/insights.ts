/**
 * The text insights of a `sentiment` metric for one period, from its prepared comment cells:
 * phrase themes, emerging themes against the previous period and the contrast of two groups.
 * What lands in metrics.json under the metric's `extra` (`themes`, `emerging`, `contrast`).
 */
import { escape, type ColumnTable } from 'arquero';
import { ALPHA } from '../result-builders.js';
import { sideOf, type ContrastDef } from './schema.js';
import { contrastPhrases, emergingThemes, PhraseIndex, phraseThemes, type Contrast, type EmergingTheme, type PhraseTheme, type SentimentClass } from './themes.js';

export interface TextInsights {
  themes: PhraseTheme[];
  emerging: { previousPeriod: string; tested: number; nPrevious: number; nCurrent: number; alpha: number; items: EmergingTheme[] } | null;
  contrast: (Contrast & { column: string; zMin: number; periods: string[] }) | null;
}

interface Options {
  top: number;
  minCount: number;
  examples: number;
  stopWords: string[];
  emerging: number;
  contrast?: ContrastDef;
}

/** The comment cells of some periods (text, class, comparative, weight, and the contrast column when asked). */
function commentsOf(table: ColumnTable, period: string | string[], contrastColumn?: string) {
  const periods = new Set(Array.isArray(period) ? period : [period]);
  const rows = table.filter(escape((d: Record<string, unknown>) => periods.has(d.__period as string)) as never);
  const names = ['__text', '__class', '__cmp', '__w', ...(contrastColumn ? [contrastColumn] : [])];
  return (rows.select(...names).objects() as Record<string, unknown>[]).map((o) => ({
    text: String(o.__text),
    label: o.__class as SentimentClass,
    comparative: Number(o.__cmp),
    weight: Number(o.__w),
    side: contrastColumn ? o[contrastColumn] : undefined,
  }));
}

/** A phrase index per metric and stop-word list: a text's phrases are found once across periods and builds of the same process. */
const indexes = new Map<string, PhraseIndex>();

/** `history`: the periods up to the report period, oldest first (the contrast pools its last `periods`). */
export function textInsights(table: ColumnTable, period: string, previousPeriod: string, options: Options, history: string[] = [period]): TextInsights {
  const stop = [...new Set(options.stopWords.map((w) => w.toLowerCase()))].sort();
  const id = stop.join('\u0000');
  let index = indexes.get(id);
  if (!index) indexes.set(id, (index = new PhraseIndex(new Set(stop))));
  const current = commentsOf(table, period, options.contrast?.column);
  const previous = options.emerging > 0 && options.top > 0 ? commentsOf(table, previousPeriod) : null;
  const def = options.contrast;
  const pooled = def ? history.slice(-def.periods) : [];
  const pooledComments = def ? (pooled.length > 1 ? commentsOf(table, pooled, def.column) : current) : [];
  // every text read below, its phrases found together (kept across builds)
  index.prime([...current, ...(previous ?? []), ...pooledComments].map((c) => c.text));
  const themes = phraseThemes(current, index, { top: options.top, minCount: options.minCount, examples: options.examples });
  let emerging: TextInsights['emerging'] = null;
  if (previous) {
    const e = emergingThemes(current, previous, index, { top: options.emerging, minCount: options.minCount, alpha: ALPHA, examples: 1 });
    emerging = { previousPeriod, alpha: ALPHA, ...e };
    const rising = new Set(e.items.map((x) => x.key));
    for (const t of themes) t.emerging = rising.has(t.key);
  }
  let contrast: TextInsights['contrast'] = null;
  if (def) {
    const corpus = pooledComments.map((c) => ({ text: c.text, weight: c.weight, group: sideOf(def, c.side) }));
    contrast = { column: def.column, zMin: def.min_z, periods: pooled, ...contrastPhrases(corpus, index, { top: def.top, minCount: options.minCount, zMin: def.min_z, labels: { a: def.a.label, b: def.b.label } }) };
  }
  return { themes, emerging, contrast };
}
