/** Frequent themes of comments: keywords and bigrams after stop-word removal, with counts, sentiment and example quotes. */
import type { SentimentClass } from './afinn.js';

/** English stop words (function words, pronouns, auxiliaries, negators and filler) left out of themes. */
const STOP_WORDS = new Set(
  (
    'a about above after again against all also am an and any are aren\'t as at be because been before being below between both but by can can\'t cannot could couldn\'t ' +
    'did didn\'t do does doesn\'t doing don\'t down during each even ever every few for from further get gets getting got had hadn\'t has hasn\'t have haven\'t having he he\'d ' +
    'he\'ll he\'s her here here\'s hers herself him himself his how how\'s however i i\'d i\'ll i\'m i\'ve if in into is isn\'t it it\'s its itself just let\'s like made make ' +
    'many may me might more most much must mustn\'t my myself never no nor not now of off on once one only or other ought our ours ourselves out over own quite rather ' +
    'really said same say says see seem seems shan\'t she she\'d she\'ll she\'s should shouldn\'t since so some still such than that that\'s the their theirs them themselves ' +
    'then there there\'s these they they\'d they\'ll they\'re they\'ve thing things this those though through thus to too under until up upon us use used using very via ' +
    'was wasn\'t way we we\'d we\'ll we\'re we\'ve well were weren\'t what what\'s when when\'s where where\'s whether which while who who\'s whom why why\'s will with ' +
    'within without won\'t would wouldn\'t yet you you\'d you\'ll you\'re you\'ve your yours yourself yourselves im ive dont cant didnt doesnt isnt wasnt wont also got ' +
    'etc lot lots bit back went go going gone come came still always already another around anything something everything nothing anyone someone everyone ' +
    'two three first last new old able since though although ok okay yes yeah ' +
    'took take takes taking taken day days week weeks month months year years today yesterday ago ' +
    'mostly honestly finally actually maybe usually often sometimes across end won put seem seemed'
  ).split(/\s+/),
);

/** The stop words used for themes, plus `extra` (case-insensitive). */
export function stopWordSet(extra: Iterable<string> = []): Set<string> {
  return new Set([...STOP_WORDS, ...[...extra].map((w) => w.toLowerCase())]);
}

/** Lower-case word tokens of a comment (letters, digits, inner apostrophes). */
export function themeTokens(text: string): string[] {
  return (text.toLowerCase().replace(/[’‘]/g, "'").match(/[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu) ?? []).map((t) => t.replace(/'s$/, ''));
}

/** Keywords and adjacent bigrams of a comment after stop-word removal (each once). */
export function themeTerms(text: string, stop: Set<string>): Set<string> {
  const tokens = themeTokens(text);
  const keep = tokens.map((t) => t.length >= 3 && !/^\d+$/.test(t) && !stop.has(t));
  const terms = new Set<string>();
  tokens.forEach((t, i) => {
    if (!keep[i]) return;
    terms.add(t);
    if (i + 1 < tokens.length && keep[i + 1] && tokens[i + 1] !== t) terms.add(`${t} ${tokens[i + 1]}`);
  });
  return terms;
}

export interface Theme {
  theme: string;
  kind: 'keyword' | 'bigram';
  mentions: number;
  /** share of the period's comments mentioning it, % */
  share: number;
  positive: number;
  neutral: number;
  negative: number;
  /** net sentiment of the mentioning comments, points */
  net: number;
  examples: { text: string; sentiment: SentimentClass; comparative: number }[];
}

const MAX_QUOTE = 280;

/** Frequent themes of a set of comments, deterministic: by mentions, then bigrams first, then alphabetically. */
export function findThemes(comments: { text: string; label: SentimentClass; comparative: number; weight?: number }[], options: { top: number; minCount: number; examples: number; stopWords: string[] }): Theme[] {
  if (options.top === 0) return [];
  // a comment may stand for several identical ones (comment cells): it counts `weight` times
  const weight = (i: number) => comments[i].weight ?? 1;
  const count = (list: number[]) => list.reduce((sum, i) => sum + weight(i), 0);
  const total = comments.reduce((sum, _, i) => sum + weight(i), 0);
  const stop = stopWordSet(options.stopWords);
  const mentions = new Map<string, number[]>();
  comments.forEach((c, i) => {
    for (const term of themeTerms(c.text, stop)) {
      const list = mentions.get(term);
      if (list) list.push(i);
      else mentions.set(term, [i]);
    }
  });
  const candidates = [...mentions.entries()].filter(([, list]) => count(list) >= options.minCount);
  const isBigram = (t: string) => t.includes(' ');
  candidates.sort(([a, la], [b, lb]) => count(lb) - count(la) || Number(isBigram(b)) - Number(isBigram(a)) || (a < b ? -1 : a > b ? 1 : 0));
  // A keyword that only ever appears inside one chosen bigram adds nothing: skip it.
  const chosen: [string, number[]][] = [];
  for (const [term, list] of candidates) {
    if (chosen.length >= options.top) break;
    if (!isBigram(term) && chosen.some(([t, l]) => isBigram(t) && t.split(' ').includes(term) && count(l) === count(list))) continue;
    chosen.push([term, list]);
  }
  // Bigrams ranked after their keywords can subsume them too: drop such keywords.
  const final = chosen.filter(([term, list]) => isBigram(term) || !chosen.some(([t, l]) => isBigram(t) && t.split(' ').includes(term) && count(l) === count(list)));
  return final.map(([term, list]) => {
    const counts = { positive: 0, neutral: 0, negative: 0 };
    for (const i of list) counts[comments[i].label] += weight(i);
    const examples: Theme['examples'] = [];
    const seen = new Set<string>();
    const ordered = [...list].sort((a, b) => {
      const ca = comments[a];
      const cb = comments[b];
      const fitA = ca.text.length <= MAX_QUOTE ? 0 : 1;
      const fitB = cb.text.length <= MAX_QUOTE ? 0 : 1;
      return fitA - fitB || Math.abs(cb.comparative) - Math.abs(ca.comparative) || ca.text.length - cb.text.length || a - b;
    });
    for (const i of ordered) {
      if (examples.length >= options.examples) break;
      const text = comments[i].text.trim().replace(/\s+/g, ' ');
      if (seen.has(text)) continue;
      seen.add(text);
      examples.push({ text: text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE - 1)}…` : text, sentiment: comments[i].label, comparative: comments[i].comparative });
    }
    const mentions = count(list);
    return { theme: term, kind: isBigram(term) ? 'bigram' : 'keyword', mentions, share: (100 * mentions) / total, ...counts, net: (100 * (counts.positive - counts.negative)) / mentions, examples };
  });
}
