// How BERT makes its own labels from raw text (Devlin et al., 2019, section 3.1 and appendix A.1),
// as the self-supervision lab shows it: one masked-LM training example from a tokenized input, and
// a batch of next-sentence-prediction pairs from a pool of documents. Everything is drawn from a
// seeded generator (random.ts), so a seed gives the same example in Node and in every browser.
//
// The masking follows the recipe the bundled mini-BERT was trained with (scripts/train/bert/
// pretrain.py, after Google's create_pretraining_data.py):
//   * candidates are the non-special tokens; exactly round(15 % of them) are chosen (at least one),
//     rounding halves to even as Python's round() does; with whole-word masking, words are drawn in
//     random order and a word is taken whole or skipped if it would pass that number;
//   * each chosen token draws u ~ U[0, 1): u < 0.8 -> [MASK], u < 0.9 -> a random token, else unchanged;
//   * the random token is uniform over the vocabulary without its special tokens ([PAD], [UNK],
//     [CLS], [SEP], [MASK] and added tokens). For mini-BERT that is pretraining's rule exactly (ids
//     5..8191). Hugging Face's DataCollatorForLanguageModeling instead draws from the whole vocabulary,
//     specials included, and Google's original code from every vocab.txt entry; excluding specials
//     keeps a random replacement from looking like structure ([SEP] in mid-sentence).
// Hugging Face's collator chooses each token independently with probability 15 % instead of an
// exact count; over many examples both choose 15 % of the tokens.

import type { BertEncoding, MlmResult } from '../models/types';
import { mixSeed, mulberry32, randomInt, shuffle, type Random } from './random';

export const MLM_PROBABILITY = 0.15;
export const MASK_FRACTION = 0.8;
export const RANDOM_FRACTION = 0.1;

/** What the random replacement may draw and what [MASK] is, from the checkpoint's tokenizer. */
export interface MlmVocab {
  /** Token ids run from 0 to size − 1. */
  size: number;
  /** Special and added tokens: never chosen for prediction, never drawn as a random replacement. */
  special_ids: number[];
  mask_id: number;
}

/** What happened to a chosen token. */
export type Corruption = 'mask' | 'random' | 'keep';

export interface MlmExample {
  seed: number;
  whole_word: boolean;
  /** Number of positions that could be chosen (non-special tokens). */
  candidates: number;
  /** round(15 % of the candidates), at least 1: how many tokens are to be chosen. */
  num_to_predict: number;
  /** The chosen positions, ascending. Only these carry a label. */
  positions: number[];
  /** The label of each chosen position: the original token id. */
  labels: number[];
  /** The draw u of each chosen position and what it decided. */
  draws: number[];
  corruption: Corruption[];
  /** The model's input: the original ids with the chosen ones corrupted. */
  input_ids: number[];
  token_type_ids: number[];
}

/** Python 3's round(): to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff < 0.5) return floor;
  if (diff > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** A token id drawn uniformly among the non-special ids of the vocabulary. */
export function randomTokenId(random: Random, vocab: MlmVocab): number {
  const specials = [...new Set(vocab.special_ids.filter((id) => id >= 0 && id < vocab.size))].sort((a, b) => a - b);
  let id = randomInt(random, vocab.size - specials.length);
  // The k-th allowed id is k plus the number of specials at or below it.
  for (const special of specials) if (special <= id) id++;
  return id;
}

/** Groups of candidate positions chosen together: single tokens, or the pieces of one word. */
function candidateGroups(encoding: BertEncoding, vocab: MlmVocab, wholeWord: boolean): number[][] {
  const special = new Set(vocab.special_ids);
  const groups: number[][] = [];
  encoding.input_ids.forEach((id, p) => {
    if (encoding.segment[p] < 0 || special.has(id)) return;
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    const sameWord =
      wholeWord &&
      prev === p - 1 &&
      encoding.word_ids[p] !== null &&
      encoding.segment[prev] === encoding.segment[p] &&
      encoding.word_ids[prev] === encoding.word_ids[p];
    if (sameWord) last.push(p);
    else groups.push([p]);
  });
  return groups;
}

/** One masked-LM training example made from `encoding` (the tokenized text) with the recipe above. */
export function makeMlmExample(encoding: BertEncoding, vocab: MlmVocab, options: { seed: number; wholeWord: boolean }): MlmExample {
  const random = mulberry32(options.seed);
  const groups = candidateGroups(encoding, vocab, options.wholeWord);
  const candidates = groups.reduce((n, g) => n + g.length, 0);
  const numToPredict = Math.max(1, roundHalfEven(candidates * MLM_PROBABILITY));

  const chosen: number[] = [];
  for (const group of shuffle(random, groups)) {
    if (chosen.length >= numToPredict) break;
    if (chosen.length + group.length > numToPredict) continue;
    chosen.push(...group);
  }
  const positions = chosen.sort((a, b) => a - b);

  const input_ids = [...encoding.input_ids];
  const draws: number[] = [];
  const corruption: Corruption[] = [];
  for (const p of positions) {
    const u = random();
    draws.push(u);
    if (u < MASK_FRACTION) {
      input_ids[p] = vocab.mask_id;
      corruption.push('mask');
    } else if (u < MASK_FRACTION + RANDOM_FRACTION) {
      input_ids[p] = randomTokenId(random, vocab);
      corruption.push('random');
    } else {
      corruption.push('keep');
    }
  }
  return {
    seed: options.seed,
    whole_word: options.wholeWord,
    candidates,
    num_to_predict: numToPredict,
    positions,
    labels: positions.map((p) => encoding.input_ids[p]),
    draws,
    corruption,
    input_ids,
    token_type_ids: [...encoding.token_type_ids],
  };
}

/** The model's answer at one chosen position, against its label. */
export interface MlmScore {
  position: number;
  label: number;
  corruption: Corruption;
  /** The most probable token and its probability. */
  predicted: { id: number; token: string; prob: number };
  /** log p(label): the cross-entropy loss of this position is its negative. */
  label_log_prob: number;
  loss: number;
  /** The top prediction is the original token. */
  recovered: boolean;
}

/** Scores the predictions `mlm` (one per chosen position, any order) of a run on `example.input_ids`. */
export function scoreMlm(example: MlmExample, mlm: MlmResult[]): MlmScore[] {
  return example.positions.map((position, i) => {
    const result = mlm.find((m) => m.position === position);
    if (!result) throw new Error(`no prediction at chosen position ${position}`);
    const label = example.labels[i];
    const top = result.top[0];
    const labelLogProb = result.log_probs[label];
    return {
      position,
      label,
      corruption: example.corruption[i],
      predicted: { id: top.id, token: top.token, prob: top.prob },
      label_log_prob: labelLogProb,
      loss: -labelLogProb,
      recovered: top.id === label,
    };
  });
}

/** Mean of the losses; NaN for none. */
export const meanLoss = (scores: { loss: number }[]): number => scores.reduce((s, x) => s + x.loss, 0) / scores.length;

// ---- Next-sentence prediction pairs ----

export interface SentenceDocument {
  source: string;
  id: string;
  /** Consecutive sentences: each one's next sentence is the real one. */
  sentences: string[];
}

export interface NspPair {
  a: string;
  b: string;
  /** The label: B is the sentence that follows A in its document (IsNext), or a random one (NotNext). */
  is_next: boolean;
  /** Where A comes from. */
  source: string;
}

/** The source name of the user's own text in a pool. */
export const OWN_TEXT = 'your text';

/** Splits text into sentences at ., ! or ? (and closing quotes or brackets) followed by white space, and at line breaks. */
export function splitSentences(text: string): string[] {
  return text
    .split(/\n+|(?<=[.!?]["')\]]*)\s+/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s !== '');
}

/**
 * The two segments of a pretraining instance made from consecutive sentences, cut at a sentence
 * boundary as BERT's data generation does: A = the first half of the sentences, B = the rest
 * (B's label is then IsNext). One sentence makes A alone.
 */
export function instanceSegments(sentences: string[]): { a: string; b: string | null } {
  const cut = Math.ceil(sentences.length / 2);
  return { a: sentences.slice(0, cut).join(' '), b: cut < sentences.length ? sentences.slice(cut).join(' ') : null };
}

const NSP_STREAM = 1;
/** Stream of pair k's masks; the NSP stream and the example's own seed use the others. */
export const pairMaskSeed = (seed: number, k: number) => mixSeed(seed, 2 + k);

/**
 * A batch of `size` NSP pairs, half IsNext and half NotNext in random order, drawn with `seed`.
 * Up to half of the pairs start at a sentence of `own` (the user's text, in order of a shuffle of
 * its sentences); the others at a random sentence of a random corpus document. IsNext takes the
 * next sentence of A's document; NotNext a random sentence of any other document of the pool
 * (the user's text counting as one document), as BERT's pretraining does.
 */
export function makeNspBatch(own: string[], corpus: SentenceDocument[], seed: number, size = 16): NspPair[] {
  const random = mulberry32(mixSeed(seed, NSP_STREAM));
  const pool: SentenceDocument[] = own.length > 0 ? [{ source: OWN_TEXT, id: '', sentences: own }, ...corpus] : [...corpus];
  const firstCorpus = pool.length - corpus.length;
  const corpusStarts = corpus.flatMap((d, i) => (d.sentences.length >= 2 ? [firstCorpus + i] : []));
  const usable = pool.filter((d) => d.sentences.length > 0).length;
  if (corpusStarts.length === 0 || usable < 2) throw new Error('The sentence pool needs a document of two or more sentences and another document.');

  const ownStarts = shuffle(random, Array.from({ length: Math.max(0, own.length - 1) }, (_, i) => i));
  const starts = ownStarts.slice(0, Math.floor(size / 2)).map((i) => ({ doc: 0, i }));
  while (starts.length < size) {
    const doc = corpusStarts[randomInt(random, corpusStarts.length)];
    starts.push({ doc, i: randomInt(random, pool[doc].sentences.length - 1) });
  }
  const labels = shuffle(random, Array.from({ length: size }, (_, k) => k < Math.floor(size / 2)));
  return starts.map(({ doc, i }, k) => {
    const a = pool[doc].sentences[i];
    if (labels[k]) return { a, b: pool[doc].sentences[i + 1], is_next: true, source: pool[doc].source };
    let other = doc;
    while (other === doc || pool[other].sentences.length === 0) other = randomInt(random, pool.length);
    const sentences = pool[other].sentences;
    return { a, b: sentences[randomInt(random, sentences.length)], is_next: false, source: pool[doc].source };
  });
}

/** The NSP head's answer for one pair against its label. */
export interface NspScore {
  is_next_prob: number;
  /** −log p(label). */
  loss: number;
  correct: boolean;
}

export function scoreNsp(pair: NspPair, nsp: { is_next: number; not_next: number }): NspScore {
  const pLabel = pair.is_next ? nsp.is_next : nsp.not_next;
  return { is_next_prob: nsp.is_next, loss: -Math.log(pLabel), correct: (nsp.is_next > nsp.not_next) === pair.is_next };
}
