/**
 * The English NLP pipeline shared by the sentiment scorer and the keyphrase themes: wink-nlp with
 * its English "lite web" model (both npm packages, MIT), loaded once on first use (about 0.2 s).
 */
import { createRequire } from 'node:module';
import { packageVersion } from '../../kernel/packages.js';
import type winkNLP from 'wink-nlp';
import type { ItemSentence } from 'wink-nlp';
import type model from 'wink-eng-lite-web-model';

type Nlp = ReturnType<typeof winkNLP>;

let nlp: Nlp | undefined;

const require = createRequire(import.meta.url);

/**
 * The wink-nlp instance with the English model, loaded and created on first call (about 0.15 s):
 * a build whose scores and phrases are all read from the cache never loads them.
 */
export function english(): Nlp {
  nlp ??= (require('wink-nlp') as typeof winkNLP)(require('wink-eng-lite-web-model') as typeof model);
  return nlp;
}

/** Versions of the two packages, for the methods text and metrics.json. */
export const WINK_VERSIONS = { nlp: packageVersion('wink-nlp'), model: packageVersion('wink-eng-lite-web-model') };

/** One analysed token: its text, lower-cased lemma, universal POS tag and whether wink calls it a stop word. */
export interface Token {
  value: string;
  lower: string;
  lemma: string;
  pos: string;
  stop: boolean;
}

/** Sentences of a text as token lists, plus wink's document sentiment (−1…1). */
export function analyse(text: string): { sentences: Token[][]; sentiment: number } {
  const n = english();
  const its = n.its;
  const doc = n.readDoc(text);
  const sentences: Token[][] = [];
  doc.sentences().each((s: ItemSentence) => {
    const tokens = s.tokens();
    const value = tokens.out(its.value) as string[];
    const lemma = tokens.out(its.lemma as never) as unknown as string[];
    const pos = tokens.out(its.pos) as string[];
    const stop = tokens.out(its.stopWordFlag) as unknown as boolean[];
    sentences.push(value.map((v, i) => ({ value: v, lower: v.toLowerCase(), lemma: String(lemma[i] ?? v).toLowerCase(), pos: pos[i], stop: Boolean(stop[i]) })));
  });
  const sentiment = Number(doc.out(its.sentiment));
  return { sentences, sentiment: Number.isFinite(sentiment) ? sentiment : 0 };
}

/** wink-nlp's sentiment of a text alone (−1…1): its lexicon with negation and emphasis handling, averaged per sentence. */
export function winkSentiment(text: string): number {
  const n = english();
  const s = Number(n.readDoc(text).out(n.its.sentiment));
  return Number.isFinite(s) ? s : 0;
}
