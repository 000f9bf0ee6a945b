// The self-supervision lab on the bundled mini-BERT against PyTorch (tests/fixtures/mini-bert/lab.json,
// made by scripts/reference/make_lab_fixture.py from a Python port of the lab's example drawing):
//   * the TypeScript drawing gives exactly the Python port's examples and NSP batches for the same
//     seeds: a seed means the same example in any implementation;
//   * the TypeScript model reproduces PyTorch's log-probability of the label at every chosen
//     position ([MASK], random and unchanged alike), the NSP probabilities, and the figures the lab
//     shows (mean MLM loss of an example; NSP accuracy, mean NSP and MLM loss and their sum for a batch).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  instanceSegments,
  makeMlmExample,
  makeNspBatch,
  pairMaskSeed,
  scoreMlm,
  scoreNsp,
  splitSentences,
  type Corruption,
  type MlmVocab,
  type SentenceDocument,
} from '../../src/analysis/pretraining';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, type BertModel } from '../../src/models/index';
import { LAB_DEFAULT_TEXT } from '../../src/stores/labStore';

const ROOT = join(import.meta.dirname, '..', '..');

interface DrawnExample {
  input_ids: number[];
  positions: number[];
  corruption: Corruption[];
  label_log_probs: number[];
}

interface LabFixture {
  text: string;
  encoding: { input_ids: number[]; token_type_ids: number[] };
  examples: (DrawnExample & { seed: number; whole_word: boolean; labels: number[]; top1_ids: number[]; mean_loss: number })[];
  batches: {
    seed: number;
    pairs: (DrawnExample & { a: string; b: string; is_next: boolean; source: string; nsp_is_next: number })[];
    figures: { nsp_accuracy: number; nsp_loss: number; mlm_loss: number; mlm_positions: number; total_loss: number };
  }[];
}

const fixture: LabFixture = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'mini-bert', 'lab.json'), 'utf8'));
const corpus: SentenceDocument[] = JSON.parse(readFileSync(join(ROOT, 'public', 'labs', 'sentences.json'), 'utf8')).documents;

// As in mini_bert.test.ts: float32 in tfjs vs PyTorch's CPU kernels through 4 layers and a
// log-softmax over 8192 tokens.
const LOG_PROB_TOLERANCE = 2e-3;
const PROB_TOLERANCE = 1e-3;
const OUTPUTS = { attentions: false, hidden_states: false };

describe('self-supervision lab on the bundled mini-BERT, against PyTorch', () => {
  let model: BertModel;
  let vocab: MlmVocab;

  beforeAll(async () => {
    await initNodeBackend('wasm');
    const loaded = await loadModel(await fromFolder(join(ROOT, 'public', 'models', 'mini-bert')));
    if (loaded.kind !== 'bert') throw new Error(`expected a BERT, got ${loaded.kind}`);
    model = loaded;
    vocab = { size: model.tokenizer.vocabSize, special_ids: model.tokenizer.specialIds(), mask_id: model.tokenizer.maskTokenId };
  });

  afterAll(() => model?.dispose());

  it('the lab text is the fixture text and tokenizes to the same ids', () => {
    expect(LAB_DEFAULT_TEXT).toBe(fixture.text);
    const { a, b } = instanceSegments(splitSentences(fixture.text));
    const encoding = model.tokenizer.encode(a, b, 128);
    expect(encoding.input_ids).toEqual(fixture.encoding.input_ids);
    expect(encoding.token_type_ids).toEqual(fixture.encoding.token_type_ids);
  });

  it('draws the same masked-LM examples as the Python port, and scores them as PyTorch does', async () => {
    const { a, b } = instanceSegments(splitSentences(fixture.text));
    const encoding = model.tokenizer.encode(a, b, 128);
    const kinds = new Set<Corruption>();
    for (const expected of fixture.examples) {
      const example = makeMlmExample(encoding, vocab, { seed: expected.seed, wholeWord: expected.whole_word });
      const what = `seed ${expected.seed}${expected.whole_word ? ' (whole words)' : ''}`;
      expect(example.input_ids, what).toEqual(expected.input_ids);
      expect(example.positions, what).toEqual(expected.positions);
      expect(example.labels, what).toEqual(expected.labels);
      expect(example.corruption, what).toEqual(expected.corruption);
      example.corruption.forEach((c) => kinds.add(c));

      const out = await model.runIds(example.input_ids, example.token_type_ids, { outputs: OUTPUTS, mlmPositions: example.positions });
      const scores = scoreMlm(example, out.mlm!);
      scores.forEach((s, i) => expect(Math.abs(s.label_log_prob - expected.label_log_probs[i]), `${what}, position ${s.position}`).toBeLessThan(LOG_PROB_TOLERANCE));
      expect(scores.map((s) => s.predicted.id), what).toEqual(expected.top1_ids);
      const mean = scores.reduce((sum, s) => sum + s.loss, 0) / scores.length;
      expect(Math.abs(mean - expected.mean_loss), what).toBeLessThan(LOG_PROB_TOLERANCE);
    }
    // The fixture covers every kind of corruption.
    expect([...kinds].sort()).toEqual(['keep', 'mask', 'random']);
    // Predicting at chosen positions leaves no tensor behind.
    const before = tf.memory().numTensors;
    const last = makeMlmExample(encoding, vocab, { seed: 0, wholeWord: false });
    await model.runIds(last.input_ids, last.token_type_ids, { outputs: OUTPUTS, mlmPositions: last.positions });
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws the same NSP batches and gives PyTorch\u2019s accuracy and losses', async () => {
    const own = splitSentences(fixture.text);
    for (const expected of fixture.batches) {
      const pairs = makeNspBatch(own, corpus, expected.seed, 16);
      expect(pairs).toEqual(expected.pairs.map(({ a, b, is_next, source }) => ({ a, b, is_next, source })));
      const mlmLosses: number[] = [];
      const nspLosses: number[] = [];
      let correct = 0;
      for (const [k, pair] of pairs.entries()) {
        const encoding = model.tokenizer.encode(pair.a, pair.b, 128);
        const example = makeMlmExample(encoding, vocab, { seed: pairMaskSeed(expected.seed, k), wholeWord: false });
        const want = expected.pairs[k];
        expect(example.input_ids, `batch ${expected.seed} pair ${k}`).toEqual(want.input_ids);
        expect(example.corruption).toEqual(want.corruption);
        const out = await model.runIds(example.input_ids, example.token_type_ids, { outputs: OUTPUTS, mlmPositions: example.positions });
        expect(Math.abs(out.nsp!.is_next - want.nsp_is_next)).toBeLessThan(PROB_TOLERANCE);
        const nsp = scoreNsp(pair, out.nsp!);
        nspLosses.push(nsp.loss);
        if (nsp.correct) correct++;
        for (const s of scoreMlm(example, out.mlm!)) mlmLosses.push(s.loss);
      }
      const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
      const figures = expected.figures;
      expect(mlmLosses).toHaveLength(figures.mlm_positions);
      expect(correct / pairs.length).toBe(figures.nsp_accuracy);
      expect(Math.abs(mean(nspLosses) - figures.nsp_loss)).toBeLessThan(PROB_TOLERANCE);
      expect(Math.abs(mean(mlmLosses) - figures.mlm_loss)).toBeLessThan(LOG_PROB_TOLERANCE);
      expect(Math.abs(mean(mlmLosses) + mean(nspLosses) - figures.total_loss)).toBeLessThan(LOG_PROB_TOLERANCE);
    }
  });
});
