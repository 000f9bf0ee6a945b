// The self-supervision lab's example making: masked-LM examples and NSP pairs drawn from a seed.
// A seed must give the same example everywhere (pinned below, and compared with the browser in
// tests/e2e/labs.test.ts), the counts must follow 15 % and 80/10/10 over many seeds (99.9 %
// binomial bounds), special tokens are never chosen nor drawn, and whole-word masking keeps words whole.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  instanceSegments,
  makeMlmExample,
  makeNspBatch,
  OWN_TEXT,
  randomTokenId,
  roundHalfEven,
  splitSentences,
  type MlmVocab,
  type SentenceDocument,
} from '../../src/analysis/pretraining';
import { mixSeed, mulberry32 } from '../../src/analysis/random';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';

const MODEL = 'public/models/mini-bert';
const tokenizer = BertTokenizer.fromFiles({
  vocab: readFileSync(`${MODEL}/vocab.txt`, 'utf8'),
  tokenizerConfig: readFileSync(`${MODEL}/tokenizer_config.json`, 'utf8'),
});
const vocab: MlmVocab = { size: tokenizer.vocabSize, special_ids: tokenizer.specialIds(), mask_id: tokenizer.maskTokenId };

const TEXT_A = 'the man went to the store. he bought a gallon of milk.';
const TEXT_B = 'it was raining, so he walked home quickly. his dog was waiting at the door, wagging its tail.';
const encoding = tokenizer.encode(TEXT_A, TEXT_B);

/** |count − n·p| within z standard deviations of Binomial(n, p); z = 3.29 is two-sided 99.9 %. */
function expectBinomial(count: number, n: number, p: number, z = 3.29) {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(Math.abs(count - n * p), `${count} of ${n} for p = ${p}`).toBeLessThanOrEqual(z * sd);
}

describe('seeded generator', () => {
  it('mulberry32 gives the same numbers for a seed, in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    // Pinned to the reference Mulberry32, so a change of generator (and of every seed's example) shows here.
    const first = mulberry32(0);
    expect([first(), first(), first()].map((x) => x.toFixed(10))).toEqual(['0.2664292087', '0.0003297457', '0.2232720274']);
    expect(mulberry32(1)()).not.toBe(mulberry32(0)());
  });

  it('mulberry32 is uniform enough: ten equal bins over 100 000 draws', () => {
    const random = mulberry32(7);
    const bins = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) bins[Math.floor(random() * 10)]++;
    for (const count of bins) expectBinomial(count, 100_000, 0.1, 4);
  });

  it('mixSeed separates streams of one seed', () => {
    const seeds = new Set([0, 1, 2, 3].flatMap((s) => [0, 1, 2, 3].map((k) => mixSeed(s, k))));
    expect(seeds.size).toBe(16);
  });
});

describe('masked-LM example', () => {
  it('rounds 15 % as Python 3 does (halves to even), at least one', () => {
    // [max(1, round(n * 0.15)) for n in range(1, 81)] in Python 3.
    const python = [
      1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 7, 7, 7,
      7, 7, 8, 8, 8, 8, 8, 8, 8, 9, 9, 9, 9, 9, 9, 9, 10, 10, 10, 10, 10, 10, 10, 11, 11, 11, 11, 11, 11, 12, 12, 12, 12,
    ];
    expect(python.map((_, i) => Math.max(1, roundHalfEven((i + 1) * 0.15)))).toEqual(python);
    expect([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001].map(roundHalfEven)).toEqual([0, 2, 2, 0, 2, 3]);
  });

  it('is the same for the same seed, and pinned for seed 0', () => {
    const example = makeMlmExample(encoding, vocab, { seed: 0, wholeWord: false });
    expect(makeMlmExample(encoding, vocab, { seed: 0, wholeWord: false })).toEqual(example);
    expect(makeMlmExample(encoding, vocab, { seed: 1, wholeWord: false })).not.toEqual(example);
    const candidates = encoding.segment.filter((s) => s >= 0).length;
    expect(example.candidates).toBe(candidates);
    expect(example.num_to_predict).toBe(Math.round(candidates * 0.15));
    expect({ positions: example.positions, corruption: example.corruption, replaced: example.positions.map((p) => example.input_ids[p]) }).toMatchInlineSnapshot(`
      {
        "corruption": [
          "mask",
          "mask",
          "random",
          "mask",
          "mask",
          "mask",
        ],
        "positions": [
          10,
          21,
          23,
          27,
          31,
          38,
        ],
        "replaced": [
          4,
          4,
          3555,
          4,
          4,
          4,
        ],
      }
    `);
  });

  it('labels exactly the chosen positions with their original ids and leaves the rest of the input alone', () => {
    for (let seed = 0; seed < 50; seed++) {
      const ex = makeMlmExample(encoding, vocab, { seed, wholeWord: false });
      expect(ex.positions).toHaveLength(ex.num_to_predict);
      expect(ex.labels).toEqual(ex.positions.map((p) => encoding.input_ids[p]));
      ex.input_ids.forEach((id, p) => {
        const i = ex.positions.indexOf(p);
        if (i < 0 || ex.corruption[i] === 'keep') expect(id).toBe(encoding.input_ids[p]);
        else if (ex.corruption[i] === 'mask') expect(id).toBe(vocab.mask_id);
        else expect(vocab.special_ids).not.toContain(id);
      });
      ex.draws.forEach((u, i) => expect(ex.corruption[i]).toBe(u < 0.8 ? 'mask' : u < 0.9 ? 'random' : 'keep'));
      expect(ex.token_type_ids).toEqual(encoding.token_type_ids);
    }
  });

  it('chooses 15 % of the tokens, uniformly, and corrupts 80/10/10 over 4000 seeds (99.9 % bounds)', () => {
    const kinds = { mask: 0, random: 0, keep: 0 };
    const perPosition = new Array<number>(encoding.input_ids.length).fill(0);
    let chosen = 0;
    let candidates = 0;
    const seeds = 4000;
    for (let seed = 0; seed < seeds; seed++) {
      const ex = makeMlmExample(encoding, vocab, { seed, wholeWord: false });
      chosen += ex.positions.length;
      candidates += ex.candidates;
      ex.corruption.forEach((c) => kinds[c]++);
      ex.positions.forEach((p) => perPosition[p]++);
    }
    const perExample = Math.round(encoding.segment.filter((s) => s >= 0).length * 0.15);
    expect(chosen).toBe(seeds * perExample);
    expect(chosen / candidates).toBeCloseTo(0.15, 1);
    expectBinomial(kinds.mask, chosen, 0.8);
    expectBinomial(kinds.random, chosen, 0.1);
    expectBinomial(kinds.keep, chosen, 0.1);
    // Each non-special position is chosen in k/n of the examples; z = 4 covers the ~40 positions at once.
    const n = encoding.segment.filter((s) => s >= 0).length;
    perPosition.forEach((count, p) => {
      if (encoding.segment[p] < 0) expect(count).toBe(0);
      else expectBinomial(count, seeds, perExample / n, 4);
    });
  });

  it('never chooses special tokens or a [MASK] already in the text, and never draws one', () => {
    const typed = tokenizer.encode('the [MASK] went to the store.', 'he bought [MASK] milk.');
    for (let seed = 0; seed < 500; seed++) {
      const ex = makeMlmExample(typed, vocab, { seed, wholeWord: seed % 2 === 0 });
      for (const p of ex.positions) {
        expect(typed.segment[p]).toBeGreaterThanOrEqual(0);
        expect(typed.input_ids[p]).not.toBe(vocab.mask_id);
      }
    }
  });

  it('draws random replacements uniformly among the non-special ids', () => {
    // Specials anywhere in the id range, an out-of-range one and a duplicate.
    const small: MlmVocab = { size: 10, special_ids: [0, 3, 3, 7, 12], mask_id: 3 };
    const allowed = [1, 2, 4, 5, 6, 8, 9];
    // Evenly spaced "random" numbers hit every allowed id exactly once.
    const drawn = allowed.map((_, k) => randomTokenId(() => (k + 0.5) / allowed.length, small));
    expect(drawn).toEqual(allowed);
    const random = mulberry32(3);
    const counts = new Map<number, number>();
    for (let i = 0; i < 70_000; i++) {
      const id = randomTokenId(random, small);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual(allowed);
    for (const count of counts.values()) expectBinomial(count, 70_000, 1 / 7, 4);
    // mini-BERT: ids 5..8191, as its pretraining drew them.
    expect(vocab.special_ids.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4]);
    expect(randomTokenId(() => 0, vocab)).toBe(5);
    expect(randomTokenId(() => 0.9999999999, vocab)).toBe(8191);
  });

  it('whole-word masking takes every piece of a chosen word and no more than 15 %', () => {
    const pieces = tokenizer.encode('unbelievably, the astronaut photographed extraordinary constellations.', 'antidisestablishmentarianism persists.');
    const words = new Map<string, number[]>();
    pieces.segment.forEach((s, p) => {
      if (s >= 0) words.set(`${s}:${pieces.word_ids[p]}`, [...(words.get(`${s}:${pieces.word_ids[p]}`) ?? []), p]);
    });
    expect([...words.values()].some((w) => w.length > 1)).toBe(true);
    let multi = 0;
    for (let seed = 0; seed < 300; seed++) {
      const ex = makeMlmExample(pieces, vocab, { seed, wholeWord: true });
      expect(ex.positions.length).toBeLessThanOrEqual(ex.num_to_predict);
      expect(ex.positions.length).toBeGreaterThan(0);
      for (const word of words.values()) {
        const taken = word.filter((p) => ex.positions.includes(p)).length;
        expect([0, word.length]).toContain(taken);
        if (taken > 1) multi++;
      }
    }
    expect(multi).toBeGreaterThan(0);
  });
});

describe('sentences and NSP pairs', () => {
  const corpus: SentenceDocument[] = JSON.parse(readFileSync('public/labs/sentences.json', 'utf8')).documents;
  const own = splitSentences('The cat sat on the mat. It was soon asleep!  Then the dog came in?\nIt barked "loudly." Everyone woke up.');

  it('splits text into sentences at . ! ? (after closing quotes) and line breaks', () => {
    expect(own).toEqual(['The cat sat on the mat.', 'It was soon asleep!', 'Then the dog came in?', 'It barked "loudly."', 'Everyone woke up.']);
    expect(splitSentences('  no stop at the end  ')).toEqual(['no stop at the end']);
    expect(instanceSegments(own)).toEqual({ a: 'The cat sat on the mat. It was soon asleep! Then the dog came in?', b: 'It barked "loudly." Everyone woke up.' });
    expect(instanceSegments(['one.'])).toEqual({ a: 'one.', b: null });
  });

  it('the bundled corpus has only held-out documents of two or more sentences', () => {
    expect(corpus.length).toBeGreaterThan(250);
    expect(corpus.every((d) => d.sentences.length >= 2 && typeof d.source === 'string')).toBe(true);
  });

  it('makes 16 pairs, 8 IsNext with the real next sentence and 8 NotNext from another document, the same for a seed', () => {
    const batch = makeNspBatch(own, corpus, 5);
    expect(makeNspBatch(own, corpus, 5)).toEqual(batch);
    expect(makeNspBatch(own, corpus, 6)).not.toEqual(batch);
    expect(batch).toHaveLength(16);
    expect(batch.filter((p) => p.is_next)).toHaveLength(8);
    const docs = [{ source: OWN_TEXT, id: '', sentences: own }, ...corpus];
    const homeOf = (s: string) => docs.filter((d) => d.sentences.includes(s));
    for (const pair of batch) {
      const homes = homeOf(pair.a).filter((d) => d.source === pair.source);
      expect(homes.length).toBeGreaterThan(0);
      const follows = homes.some((d) => d.sentences.some((s, i) => s === pair.a && d.sentences[i + 1] === pair.b));
      if (pair.is_next) expect(follows).toBe(true);
      else expect(homeOf(pair.b).some((d) => !homes.includes(d))).toBe(true);
    }
    // The user's five sentences have four successors: four pairs start there.
    expect(batch.filter((p) => p.source === OWN_TEXT)).toHaveLength(4);
  });

  it('starts at most half of the batch in the user text, none when it has one sentence', () => {
    const long = Array.from({ length: 30 }, (_, i) => `sentence number ${i}.`);
    expect(makeNspBatch(long, corpus, 1).filter((p) => p.source === OWN_TEXT)).toHaveLength(8);
    expect(makeNspBatch(['only one.'], corpus, 1).filter((p) => p.source === OWN_TEXT)).toHaveLength(0);
    expect(makeNspBatch([], corpus, 1)).toHaveLength(16);
    expect(() => makeNspBatch([], [], 1)).toThrow(/sentence pool/);
  });

  it('labels are half and half for every seed, and IsNext is not tied to a slot', () => {
    const firstIsNext = Array.from({ length: 400 }, (_, seed) => makeNspBatch(own, corpus, seed)[0].is_next).filter(Boolean).length;
    expectBinomial(firstIsNext, 400, 0.5);
  });
});
