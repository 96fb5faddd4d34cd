/**
 * Comment themes as phrases, emerging themes and what one group says that another does not.
 *
 * - Themes: the keyphrases of phrases.ts counted once per comment (comments may carry a weight:
 *   identical comments counted once and weighted), chosen by volume with near-duplicates merged
 *   (a single word gives way to a phrase holding more than half its comments; of two themes
 *   sharing a word and ≥ 80% of their comments only the first is kept). Each theme: mentions,
 *   share of comments, positive/neutral/negative, net sentiment and quotes.
 * - Emerging: per phrase, the two-proportion z-test (pooled) of its share of comments in the
 *   previous period against the current one; p-values adjusted by Benjamini–Hochberg across every
 *   phrase tested; emerging = share up with adjusted p < α.
 * - Contrast: the weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
 *   Quinn 2008, "Fightin' Words", Political Analysis 16(4), eq. 22–24), prior from the whole corpus.
 */
import { benjaminiHochberg, twoProportionZTest, twoSidedP } from '../../kernel/stats.js';
import { commentPhrases, type PhraseMention } from './phrases.js';
import { WINK_VERSIONS } from './nlp.js';
import { cacheKey, cachedJson, codeVersion } from '../../kernel/disk-cache.js';

export type SentimentClass = 'positive' | 'neutral' | 'negative';

export interface ThemeComment {
  text: string;
  label: SentimentClass;
  comparative: number;
  weight?: number;
}

export interface PhraseTheme {
  theme: string;
  /** the lemma key that groups its forms */
  key: string;
  words: number;
  mentions: number;
  /** share of the period's comments mentioning it, % */
  share: number;
  positive: number;
  neutral: number;
  negative: number;
  /** net sentiment of the mentioning comments, points */
  net: number;
  /** true when the theme is also among the period's emerging themes */
  emerging: boolean;
  examples: { text: string; sentiment: SentimentClass; comparative: number }[];
}

/** The version of phrases kept on disk: the code that finds them and the wink packages' versions. */
let phrasesVersion: string | null | undefined;

/**
 * The phrases of each distinct text, computed once per text (the same text recurs across periods);
 * `prime` finds those of a set of texts together, kept across builds on disk by the digest of the
 * texts and the stop words (kernel/disk-cache.ts).
 */
export class PhraseIndex {
  private cache = new Map<string, PhraseMention[]>();
  private readonly stopKey: string;
  constructor(private readonly stop: Set<string>) {
    this.stopKey = [...stop].sort().join('\u0000');
  }
  of(text: string) {
    let p = this.cache.get(text);
    if (!p) {
      // a long-running preview meets ever new texts: bound the cache
      if (this.cache.size >= 200_000) this.cache.clear();
      this.cache.set(text, (p = commentPhrases(text, this.stop)));
    }
    return p;
  }
  /** Finds the phrases of these texts now (from the disk cache when this set was seen before). */
  prime(texts: Iterable<string>): void {
    const distinct = [...new Set(texts)];
    if (distinct.every((t) => this.cache.has(t))) return;
    phrasesVersion ??= codeVersion(import.meta.url, ['./themes.js', './phrases.js', './nlp.js'], JSON.stringify(WINK_VERSIONS));
    const found = cachedJson('phrases', phrasesVersion, cacheKey(this.stopKey, distinct), () => distinct.map((t) => this.of(t)));
    if (found.length !== distinct.length) return;
    if (this.cache.size + distinct.length >= 200_000) this.cache.clear();
    distinct.forEach((t, i) => this.cache.set(t, found[i]));
  }
}

/** Per phrase key: the comments (indices) mentioning it, the weighted count and the most used written form. */
export interface Mentions {
  key: string;
  surface: string;
  comments: number[];
  count: number;
  /** the written forms (lower-case), most used first */
  forms: string[];
}

/** Phrase key → mentions in a list of comments (each phrase once per comment, counted with the comment's weight). */
export function mentionsOf(comments: { text: string; weight?: number }[], index: PhraseIndex): Map<string, Mentions> {
  const out = new Map<string, Mentions & { used: Map<string, number> }>();
  comments.forEach((c, i) => {
    const w = c.weight ?? 1;
    for (const p of index.of(c.text)) {
      let m = out.get(p.key);
      if (!m) out.set(p.key, (m = { key: p.key, surface: p.surface, comments: [], count: 0, forms: [], used: new Map() }));
      m.comments.push(i);
      m.count += w;
      m.used.set(p.surface, (m.used.get(p.surface) ?? 0) + w);
    }
  });
  const result = new Map<string, Mentions>();
  for (const { used, ...m } of out.values()) {
    m.forms = [...used.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([f]) => f);
    m.surface = m.forms[0];
    result.set(m.key, m);
  }
  return result;
}

const wordsOf = (key: string) => key.split(' ');

/** A single word gives way to a longer phrase holding more than this share of its comments ("knowledge base" rather than "base"). */
const SUBSUMED = 0.5;

function overlap(a: number[], b: number[]): number {
  const set = new Set(a);
  let both = 0;
  for (const i of b) if (set.has(i)) both++;
  return both / Math.min(a.length, b.length);
}

/**
 * Picks up to `top` of the ranked candidates without near-duplicates: a single word that one
 * longer candidate holds in more than half of its comments is dropped in favour of that phrase, a
 * candidate sharing a word and ≥ 80% of its comments with one already picked is skipped, and so is
 * one found in (nearly) the same comments as one already picked (≥ 95% of them, sizes within 10%).
 */
export function pickDistinct<T extends { key: string; comments: number[] }>(ranked: T[], top: number, all: Map<string, { key: string; comments: number[] }> = new Map()): T[] {
  const chosen: T[] = [];
  for (const c of ranked) {
    if (chosen.length >= top) break;
    const words = wordsOf(c.key);
    if (words.length === 1) {
      const longer = [...all.values()].filter((o) => o.key !== c.key && wordsOf(o.key).includes(c.key));
      if (longer.some((o) => o.comments.length > SUBSUMED * c.comments.length)) continue;
    }
    if (chosen.some((o) => wordsOf(o.key).some((w) => words.includes(w)) && overlap(o.comments, c.comments) >= 0.8)) continue;
    // two words of the same sentences ("a morning's notes"): the same comments, told twice
    if (chosen.some((o) => overlap(o.comments, c.comments) >= 0.95 && Math.min(o.comments.length, c.comments.length) >= 0.9 * Math.max(o.comments.length, c.comments.length))) continue;
    chosen.push(c);
  }
  return chosen;
}

const MAX_QUOTE = 280;

/**
 * The sentence of a comment that says the phrase (any of its written `forms`), verbatim; the whole
 * comment when it is one sentence or no sentence matches.
 */
export function excerpt(text: string, forms: string[]): string {
  const clean = text.trim().replace(/\s+/g, ' ');
  const sentences = clean.split(/(?<=[.!?…])\s+(?=\S)/);
  if (sentences.length <= 1) return clean;
  const lower = sentences.map((s) => s.toLowerCase().replace(/[’‘]/g, "'"));
  const k = lower.findIndex((s) => forms.some((f) => s.includes(f)));
  if (k < 0) return clean;
  return sentences[k];
}

/** Up to `n` quotes (the sentence that says the phrase): short enough first, then the most strongly worded, then the shortest, then input order; each text once. */
function quotes(comments: ThemeComment[], list: number[], n: number, forms: string[]): PhraseTheme['examples'] {
  const ordered = [...list].sort((a, b) => {
    const ca = comments[a];
    const cb = comments[b];
    const fit = (c: ThemeComment) => (c.text.length <= MAX_QUOTE ? 0 : 1);
    return fit(ca) - fit(cb) || Math.abs(cb.comparative) - Math.abs(ca.comparative) || ca.text.length - cb.text.length || a - b;
  });
  const out: PhraseTheme['examples'] = [];
  const seen = new Set<string>();
  for (const i of ordered) {
    if (out.length >= n) break;
    const text = excerpt(comments[i].text, forms);
    // the same sentence said with a different lead-in ("Also, the answer was…") is the same quote
    const core = text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    if ([...seen].some((s) => s.includes(core) || core.includes(s))) continue;
    seen.add(core);
    out.push({ text: text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 1)}…` : text, sentiment: comments[i].label, comparative: comments[i].comparative });
  }
  return out;
}

/** The period's themes: phrases in at least `minCount` comments, by mentions (longer phrases first on ties, then alphabetically), near-duplicates merged. */
export function phraseThemes(comments: ThemeComment[], index: PhraseIndex, options: { top: number; minCount: number; examples: number }): PhraseTheme[] {
  if (options.top === 0 || comments.length === 0) return [];
  const total = comments.reduce((s, c) => s + (c.weight ?? 1), 0);
  const all = mentionsOf(comments, index);
  const ranked = [...all.values()]
    .filter((m) => m.count >= options.minCount)
    .sort((a, b) => b.count - a.count || wordsOf(b.key).length - wordsOf(a.key).length || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return pickDistinct(ranked, options.top, all).map((m) => {
    const counts = { positive: 0, neutral: 0, negative: 0 };
    for (const i of m.comments) counts[comments[i].label] += comments[i].weight ?? 1;
    return { theme: m.surface, key: m.key, words: wordsOf(m.key).length, mentions: m.count, share: (100 * m.count) / total, ...counts, net: (100 * (counts.positive - counts.negative)) / m.count, emerging: false, examples: quotes(comments, m.comments, options.examples, m.forms) };
  });
}

export interface EmergingTheme {
  theme: string;
  key: string;
  /** mentions and share (%) in the previous and current period */
  previous: { mentions: number; share: number };
  current: { mentions: number; share: number };
  /** change of share, percentage points */
  delta: number;
  z: number;
  p: number;
  /** Benjamini–Hochberg adjusted p across every phrase tested */
  pAdjusted: number;
  examples: PhraseTheme['examples'];
}

/**
 * Themes whose share of comments rose significantly: every phrase in at least `minCount` current
 * comments is tested (two-proportion z-test, pooled SE); p-values are BH-adjusted across all of
 * them; those with share up and adjusted p < `alpha` are returned, strongest z first, near-duplicates merged.
 */
export function emergingThemes(current: ThemeComment[], previous: { text: string; weight?: number }[], index: PhraseIndex, options: { top: number; minCount: number; alpha: number; examples: number }): { tested: number; nPrevious: number; nCurrent: number; items: EmergingTheme[] } {
  const nCur = current.reduce((s, c) => s + (c.weight ?? 1), 0);
  const nPrev = previous.reduce((s, c) => s + (c.weight ?? 1), 0);
  if (nCur === 0 || nPrev === 0) return { tested: 0, nPrevious: nPrev, nCurrent: nCur, items: [] };
  const cur = mentionsOf(current, index);
  const prev = mentionsOf(previous, index);
  const tested = [...cur.values()].filter((m) => m.count >= options.minCount).sort((a, b) => (a.key < b.key ? -1 : 1));
  const tests = tested.map((m) => twoProportionZTest(prev.get(m.key)?.count ?? 0, nPrev, m.count, nCur));
  const q = benjaminiHochberg(tests.map((t) => t.p));
  const rising = tested
    .map((m, i) => ({ m, t: tests[i], q: q[i] }))
    .filter((x) => Number.isFinite(x.q) && x.q < options.alpha && x.t.z > 0)
    .sort((a, b) => b.t.z - a.t.z || (a.m.key < b.m.key ? -1 : 1));
  const picked = pickDistinct(
    rising.map((x) => ({ ...x, key: x.m.key, comments: x.m.comments })),
    options.top,
    cur,
  );
  return {
    tested: tested.length,
    nPrevious: nPrev,
    nCurrent: nCur,
    items: picked.map(({ m, t, q: adjusted }) => {
      const before = prev.get(m.key)?.count ?? 0;
      return {
        theme: m.surface,
        key: m.key,
        previous: { mentions: before, share: (100 * before) / nPrev },
        current: { mentions: m.count, share: (100 * m.count) / nCur },
        delta: (100 * m.count) / nCur - (100 * before) / nPrev,
        z: t.z,
        p: t.p,
        pAdjusted: adjusted,
        examples: quotes(current, m.comments, options.examples, m.forms),
      };
    }),
  };
}

/** One phrase's weighted log-odds of group a against group b (MCQ 2008 eq. 22–24). */
export interface LogOdds {
  /** log-odds ratio δ (a − b): positive = used more by a */
  delta: number;
  /** its variance 1/(y_a + α) + 1/(y_b + α) */
  variance: number;
  z: number;
}

/**
 * Monroe, Colaresi & Quinn (2008) eq. 22: δ = log[(y_a + α_w)/(n_a + α_0 − y_a − α_w)] −
 * log[(y_b + α_w)/(n_b + α_0 − y_b − α_w)]; eq. 23: σ² ≈ 1/(y_a + α_w) + 1/(y_b + α_w); eq. 24: z = δ/σ.
 */
export function logOdds(ya: number, na: number, yb: number, nb: number, alphaW: number, alpha0: number): LogOdds {
  const delta = Math.log((ya + alphaW) / (na + alpha0 - ya - alphaW)) - Math.log((yb + alphaW) / (nb + alpha0 - yb - alphaW));
  const variance = 1 / (ya + alphaW) + 1 / (yb + alphaW);
  return { delta, variance, z: delta / Math.sqrt(variance) };
}

export interface ContrastPhrase {
  theme: string;
  key: string;
  /** mentions in group a and b */
  a: number;
  b: number;
  delta: number;
  z: number;
  /** two-sided p of z (normal), for reading only: the z-scores are the paper's ranking statistic */
  p: number;
  /** the shortest sentence of the group's comments that says it (see excerpt) */
  example: string | null;
}

export interface Contrast {
  labels: { a: string; b: string };
  /** comments in each group and in the whole corpus (the prior) */
  comments: { a: number; b: number; all: number };
  /** phrase mentions in each group (n_a, n_b) and in the corpus (α_0) */
  mentions: { a: number; b: number; all: number };
  /** phrases said more by a (z > 0, highest first) and more by b (z < 0, lowest first) */
  a: ContrastPhrase[];
  b: ContrastPhrase[];
}

/**
 * What group a says that group b does not (and the other way): every phrase in at least
 * `minCount` comments of the corpus, y = mentions (once per comment, weighted), n = all phrase
 * mentions of the group; informative Dirichlet prior from the whole corpus (every comment of the
 * period, both groups and any others): α_w = the phrase's corpus mentions, α_0 = all corpus
 * mentions. The `top` phrases of each side with z beyond ±`zMin`, near-duplicates merged.
 */
export function contrastPhrases(corpus: { text: string; weight?: number; group: 'a' | 'b' | null }[], index: PhraseIndex, options: { top: number; minCount: number; zMin: number; labels: { a: string; b: string } }): Contrast {
  const all = mentionsOf(corpus, index);
  const groupOf = corpus.map((c) => c.group);
  const w = (i: number) => corpus[i].weight ?? 1;
  const sumOf = (g: 'a' | 'b' | null) => corpus.reduce((s, c, i) => s + (g === null || c.group === g ? w(i) : 0), 0);
  const counted = [...all.values()].filter((m) => m.count >= options.minCount);
  let na = 0;
  let nb = 0;
  let n0 = 0;
  const rows = counted.map((m) => {
    let ya = 0;
    let yb = 0;
    for (const i of m.comments) {
      if (groupOf[i] === 'a') ya += w(i);
      else if (groupOf[i] === 'b') yb += w(i);
    }
    na += ya;
    nb += yb;
    n0 += m.count;
    return { m, ya, yb };
  });
  const scored = rows.map(({ m, ya, yb }) => {
    const r = logOdds(ya, na, yb, nb, m.count, n0);
    return { key: m.key, comments: m.comments.filter((i) => groupOf[i] !== null), forms: m.forms, theme: m.surface, a: ya, b: yb, delta: r.delta, z: r.z, p: twoSidedP(r.z) };
  });
  const byKey = (x: { key: string }, y: { key: string }) => (x.key < y.key ? -1 : 1);
  // each row its own example where the group said something else too
  const strip = (side: 'a' | 'b', used = new Set<string>()) => ({ comments, forms, ...rest }: (typeof scored)[number]): ContrastPhrase => {
    const texts = comments.filter((i) => groupOf[i] === side).map((i) => excerpt(corpus[i].text, forms));
    texts.sort((x, y) => x.length - y.length || (x < y ? -1 : x > y ? 1 : 0));
    const example = texts.find((x) => !used.has(x)) ?? texts[0] ?? null;
    if (example) used.add(example);
    return { ...rest, example: example && example.length > MAX_QUOTE ? `${example.slice(0, MAX_QUOTE - 1)}…` : example };
  };
  const sideA = scored.filter((s) => s.z > 0 && s.z >= options.zMin).sort((x, y) => y.z - x.z || byKey(x, y));
  const sideB = scored.filter((s) => s.z < 0 && s.z <= -options.zMin).sort((x, y) => x.z - y.z || byKey(x, y));
  return {
    labels: options.labels,
    comments: { a: sumOf('a'), b: sumOf('b'), all: sumOf(null) },
    mentions: { a: na, b: nb, all: n0 },
    a: pickDistinct(sideA, options.top, all).map(strip('a')),
    b: pickDistinct(sideB, options.top, all).map(strip('b')),
  };
}
