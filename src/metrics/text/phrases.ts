/**
 * Keyphrases of a comment: the noun phrases wink-nlp's part-of-speech tags find in each sentence
 * (runs of adjectives and nouns that end in a noun, at most three words), without stop words,
 * filler ("thanks", "lot", "stuff"), evaluative words ("great", "better": rated by AFINN and not a
 * noun) and the user's stop words. A phrase is keyed by its lemmas ("extra charges" and "extra
 * charge" are one key) and counted once per comment; every stretch of it that ends in a noun is a
 * candidate too ("priority ticket" also counts for "ticket"), so themes can be chosen at the level
 * the comments support (see themes.ts).
 */
import { createRequire } from 'node:module';
import { analyse, type Token } from './nlp.js';

const require = createRequire(import.meta.url);
/** AFINN-165 ratings (the `sentiment` package's English labels), to tell evaluative words. */
const AFINN = require('sentiment/languages/en/labels.json') as Record<string, number>;

/**
 * Filler: words that never make a theme or part of one — thanks and politeness, vague quantities,
 * generic "thing" words, intensifiers the tagger may call adjectives or nouns.
 */
export const FILLER = new Set(
  (
    'thanks thank thx ty please pls cheers kudos lol yes yeah no nope ok okay hi hello hey sorry ' +
    'lot lots bit bunch ton tons couple kind sort type stuff thing things something anything everything nothing ' +
    'someone anyone everyone nobody somebody anybody everybody guy guys folks people person ' +
    'way ways one ones other others whole overall total plenty enough much many few several ' +
    'able sure fine great good better best bad worse worst nice awesome amazing excellent terrible awful ' +
    'happy glad pleased satisfied unhappy love hate like really very quite pretty super real actual ' +
    'same different certain various own last first next new old such main'
  ).split(/\s+/),
);

/** Vague nouns: allowed inside a phrase ("wait time", "billing issue") but never a theme alone. */
export const VAGUE = new Set(
  (
    'time times day days week weeks month months year years hour hours minute minutes second seconds moment today yesterday ' +
    'issue issues problem problems question questions experience experiences product products service services company ' +
    'team side part parts place point end start use job work while reason fact case idea level option options try attempt ' +
    'everything platform tool app software system solution feature features customer customers user users client clients ' +
    'page pages star stars rock lots deal stuff home ' +
    // calendar words name when, not what: "october" is never a theme on its own
    'january february march april june july august september october november december ' +
    'monday tuesday wednesday thursday friday saturday sunday weekend weekday morning afternoon evening night tonight tomorrow'
  ).split(/\s+/),
);

const NOUN = new Set(['NOUN', 'PROPN']);
/** Words kept in front of a phrase they negate. */
const NEGATORS = new Set(['no', 'without']);
const WORD = /^\p{L}[\p{L}-]*$/u;

/** A rated word that is not a plain noun: an evaluative adjective, adverb or a capitalised one the tagger took for a name. */
function evaluative(t: Token, first: boolean): boolean {
  const rated = (AFINN[t.lower] ?? AFINN[t.lemma] ?? 0) !== 0;
  if (!rated) return false;
  return t.pos !== 'NOUN' && !(t.pos === 'PROPN' && !first);
}

/** A phrase found in a comment: its key (lemmas) and its words as written (lower-cased). */
export interface PhraseMention {
  key: string;
  surface: string;
}

/** Whether a token can be part of a phrase. */
function content(t: Token, first: boolean, stop: Set<string>): boolean {
  if (t.pos !== 'ADJ' && !NOUN.has(t.pos)) return false;
  if (!WORD.test(t.value) || t.lower.length < 2) return false;
  if (t.stop || FILLER.has(t.lower) || FILLER.has(t.lemma) || stop.has(t.lower) || stop.has(t.lemma)) return false;
  return !evaluative(t, first);
}

/** "month-end", "follow-up": one token (of the second word's part of speech) instead of three. */
function joinHyphens(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = out[out.length - 1];
    const next = tokens[i + 1];
    if (t.value === '-' && prev && next && WORD.test(prev.value) && WORD.test(next.value)) {
      const value = `${prev.value}-${next.value}`;
      out[out.length - 1] = { value, lower: value.toLowerCase(), lemma: `${prev.lower}-${next.lemma}`, pos: NOUN.has(next.pos) || next.pos === 'ADJ' ? next.pos : 'ADJ', stop: false };
      i++;
      continue;
    }
    out.push(t);
  }
  return out;
}

/**
 * The tagger reads most "-ing" words as verbs; one used as a noun is a theme ("onboarding was
 * smooth", "our onboarding manager", "the new onboarding is good"). Read as a noun: an -ing verb
 * that opens the sentence before an auxiliary, or that follows a determiner, pronoun, adjective or
 * noun (or an adverb, when no object follows) and is not followed by a determiner or pronoun.
 */
function gerunds(tokens: Token[]): Token[] {
  return tokens.map((t, i) => {
    if (t.pos !== 'VERB' || !/ing$/.test(t.lower) || t.lower.length < 6) return t;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const object = next !== undefined && (next.pos === 'DET' || next.pos === 'PRON');
    const opens = prev === undefined && next?.pos === 'AUX';
    const after = prev !== undefined && !object && (['DET', 'PRON', 'ADJ', 'NOUN', 'PROPN'].includes(prev.pos) || (prev.pos === 'ADV' && next?.pos !== 'NOUN'));
    return opens || after ? { ...t, pos: 'NOUN', lemma: t.lower } : t;
  });
}

/** Whether a token can end a phrase (its head): a noun, not vague when it stands alone. */
const head = (t: Token) => NOUN.has(t.pos);

/**
 * The candidate phrases of one comment, each key once: every noun phrase (≤ 3 words) and every
 * stretch of it ending in a noun (never a vague noun alone). `stop` holds the user's stop
 * words, lower-case.
 */
export function commentPhrases(text: string, stop: Set<string> = new Set()): PhraseMention[] {
  const out = new Map<string, Map<string, number>>();
  const add = (tokens: Token[]) => {
    if (tokens.length === 0) return;
    if (tokens.length === 1 && (VAGUE.has(tokens[0].lemma) || VAGUE.has(tokens[0].lower) || tokens[0].lower.length < 3 || !head(tokens[0]))) return;
    const key = tokens.map((t) => t.lemma).join(' ');
    const surface = tokens.map((t) => t.lower).join(' ');
    const forms = out.get(key) ?? new Map<string, number>();
    forms.set(surface, (forms.get(surface) ?? 0) + 1);
    out.set(key, forms);
  };
  // lower-cased first: the tagger takes a capitalised first word ("Great support", "Support replied") for a name
  for (const sentence of analyse(text.toLowerCase()).sentences.map((tokens) => gerunds(joinHyphens(tokens)))) {
    let run: Token[] = [];
    let negated: Token | undefined;
    const flush = () => {
      // the phrase ends at its last noun; at most its last three words
      let end = run.length;
      while (end > 0 && !head(run[end - 1])) end--;
      const phrase = run.slice(Math.max(0, end - 3), end);
      // "no complaints", "without hesitation": the negation is part of what was said
      if (negated && end === run.length && phrase.length === run.length && phrase.length > 0) add([negated, ...phrase]);
      // every stretch of it that ends in a noun: "knowledge base search" also counts for "knowledge base", "base search", "search"…
      for (let from = 0; from < phrase.length; from++) for (let to = from + 1; to <= phrase.length; to++) if (head(phrase[to - 1])) add(phrase.slice(from, to));
      run = [];
    };
    sentence.forEach((t, i) => {
      if (content(t, i === 0, stop)) {
        if (run.length === 0) negated = i > 0 && NEGATORS.has(sentence[i - 1].lower) ? sentence[i - 1] : undefined;
        run.push(t);
      } else flush();
    });
    flush();
  }
  return [...out.entries()].map(([key, forms]) => ({ key, surface: [...forms.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0] }));
}
