// The self-supervision lab's store against a fake worker that tokenizes with the bundled
// tokenizer and answers runs with known numbers: every position gets the uniform distribution
// (loss ln V) and predicts the token it read, and NSP always says IsNext with p = 0.7. So the
// store's bookkeeping (which example, which positions, scores, batch figures, roll tallies, stale
// and superseded results) can be checked exactly.

import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { makeMlmExample, makeNspBatch, pairMaskSeed, splitSentences, type MlmVocab } from '../../src/analysis/pretraining';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import type { BertModelInfo, BertOutput, MlmResult } from '../../src/models/types';
import { createAppStore } from '../../src/stores/appStore';
import type { InferenceApi, StoreDeps } from '../../src/stores/deps';
import { createLabStore, LAB_DEFAULT_TEXT, ROLLS } from '../../src/stores/labStore';
import { memoryUrl, type UrlKey } from '../../src/stores/urlState';
import { WorkerCallError } from '../../src/worker/client';
import type { IdsInput } from '../../src/worker/protocol';

const MODEL = 'public/models/mini-bert';
const tokenizer = BertTokenizer.fromFiles({
  vocab: readFileSync(`${MODEL}/vocab.txt`, 'utf8'),
  tokenizerConfig: readFileSync(`${MODEL}/tokenizer_config.json`, 'utf8'),
});
const V = tokenizer.vocabSize;
const vocab: MlmVocab = { size: V, special_ids: tokenizer.specialIds(), mask_id: tokenizer.maskTokenId };
const CORPUS = readFileSync('public/labs/sentences.json', 'utf8');
const corpus = JSON.parse(CORPUS).documents;

function answer({ input_ids, token_type_ids, mlm_positions = [] }: IdsInput, heads = { mlm: true, nsp: true }): BertOutput {
  const uniform = new Float32Array(V).fill(-Math.log(V));
  const mlm: MlmResult[] = mlm_positions.map((position) => ({
    position,
    top: [{ id: input_ids[position], token: tokenizer.idToToken(input_ids[position]), prob: 1 / V }],
    log_probs: uniform,
  }));
  return {
    model: 'bert',
    architecture: 'bert',
    encoding: { tokens: input_ids.map((id) => tokenizer.idToToken(id)), input_ids, token_type_ids, offsets: [], segment: [], word_ids: [], truncated: 0, mask_token: '[MASK]', tokenizer: 'wordpiece' },
    embeddings: null,
    hidden_states: null,
    attentions: null,
    queries_keys: null,
    last_hidden_state: { shape: [0, 0], data: new Float32Array() },
    pooler_output: null,
    mlm: heads.mlm ? mlm : null,
    nsp: heads.nsp ? { is_next: 0.7, not_next: 0.3 } : null,
    sop: null,
    rtd: null,
    timings: { preprocess_ms: 0, forward_ms: 1, readback_ms: 0 },
  };
}

interface Setup {
  url?: Partial<Record<UrlKey, string>>;
  heads?: { mlm: boolean; nsp: boolean };
  fetchCorpus?: boolean;
}

function setup({ url = { lab: 'self-supervision' }, heads = { mlm: true, nsp: true }, fetchCorpus = true }: Setup = {}) {
  const runIds = vi.fn((_channel: string, inputs: IdsInput[]) => Promise.resolve(inputs.map((input) => answer(input, heads))));
  const api = {
    load: () => Promise.resolve({ slot: 'bert', name: 'bundled:mini-bert', info: { kind: 'bert' } as BertModelInfo }),
    tokenize: (pairs: { a: string; b: string | null }[]) =>
      Promise.resolve({ encodings: pairs.map(({ a, b }) => tokenizer.encode(a, b, 128)), vocab_size: V, special_ids: vocab.special_ids, mask_id: vocab.mask_id }),
    runIds,
    memory: () => Promise.resolve({ numTensors: 1, numBytes: 0 }),
    onBackendLost: () => () => true,
  } as unknown as InferenceApi;
  const fetch = vi.fn(() => Promise.resolve(fetchCorpus ? new Response(CORPUS) : new Response('', { status: 404 })));
  const params = memoryUrl(url);
  const deps: StoreDeps = {
    inference: () => api,
    url: params,
    publicBase: 'http://app.test/',
    fetch,
    random: () => 0,
    languages: ['en'],
    runDelayMs: 0,
  };
  const app = createAppStore(deps);
  const lab = createLabStore(deps, app);
  return { app, lab, runIds, fetch, deps, api, params };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

const defaultEncoding = () => {
  const sentences = splitSentences(LAB_DEFAULT_TEXT);
  return tokenizer.encode(sentences.slice(0, 2).join(' '), sentences.slice(2).join(' '), 128);
};

describe('self-supervision lab store', () => {
  it('runs nothing while closed; opening it with a model runs the example and the batch', async () => {
    const s = setup({ url: {} });
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    expect(s.runIds).not.toHaveBeenCalled();
    s.lab.getState().setOpen(true);
    expect(s.deps.url.read('lab')).toBe('self-supervision');
    await flush();
    expect(s.runIds.mock.calls.map((c) => c[0]).sort()).toEqual(['lab-batch', 'lab-example']);
    s.lab.getState().setOpen(false);
    expect(s.deps.url.read('lab')).toBeNull();
  });

  it('makes the seeded example from the text and scores each chosen position against its label', async () => {
    const s = setup();
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    const expected = makeMlmExample(defaultEncoding(), vocab, { seed: 0, wholeWord: false });
    const { example } = s.lab.getState();
    expect(example?.example).toEqual(expected);
    expect(example?.segments).toEqual({ a: 'the man went to the store. he bought a gallon of milk.', b: 'it was raining, so he walked home quickly. his dog was waiting at the door.' });
    const call = s.runIds.mock.calls.find((c) => c[0] === 'lab-example')!;
    expect(call[1]).toEqual([{ input_ids: expected.input_ids, token_type_ids: expected.token_type_ids, mlm_positions: expected.positions }]);
    const scores = example!.scores!;
    expect(scores.map((x) => x.position)).toEqual(expected.positions);
    for (const [i, score] of scores.entries()) {
      expect(score.loss).toBeCloseTo(Math.log(V), 4);
      expect(score.label).toBe(expected.labels[i]);
      // The fake predicts what the model read: recovered exactly where the input still holds the original.
      expect(score.recovered).toBe(expected.input_ids[score.position] === expected.labels[i]);
    }
    expect(example!.input_tokens).toEqual(expected.input_ids.map((id) => tokenizer.idToToken(id)));
  });

  it('builds the batch from the text and the corpus with the seed, and sums MLM and NSP into the pretraining loss', async () => {
    const s = setup();
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    const batch = s.lab.getState().batch!;
    const pairs = makeNspBatch(splitSentences(LAB_DEFAULT_TEXT), corpus, 0, 16);
    expect(batch.pairs.map(({ a, b, is_next, source }) => ({ a, b, is_next, source }))).toEqual(pairs);
    batch.pairs.forEach((p, k) => expect(p.example).toEqual(makeMlmExample(tokenizer.encode(p.a, p.b, 128), vocab, { seed: pairMaskSeed(0, k), wholeWord: false })));
    expect(batch.nsp_accuracy).toBe(0.5);
    expect(batch.nsp_loss).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3)) / 2, 6);
    expect(batch.mlm_loss).toBeCloseTo(Math.log(V), 4);
    expect(batch.total_loss).toBeCloseTo(batch.mlm_loss! + batch.nsp_loss!, 10);
    expect(s.fetch).toHaveBeenCalledWith('http://app.test/labs/sentences.json');
  });

  it('re-roll moves to the next seed; text and whole-word changes re-run; a bad seed is ignored', async () => {
    const s = setup();
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    s.lab.getState().reroll();
    await flush();
    expect(s.lab.getState().seed).toBe(1);
    expect(s.lab.getState().example?.example).toEqual(makeMlmExample(defaultEncoding(), vocab, { seed: 1, wholeWord: false }));
    expect(s.lab.getState().batch?.seed).toBe(1);
    s.lab.getState().setSeed(-3);
    s.lab.getState().setSeed(1.5);
    expect(s.lab.getState().seed).toBe(1);
    s.lab.getState().setWholeWord(true);
    await flush();
    expect(s.lab.getState().example?.example.whole_word).toBe(true);
    s.lab.getState().setText('one sentence only');
    await flush();
    expect(s.lab.getState().example?.segments).toEqual({ a: 'one sentence only', b: null });
    s.lab.getState().setText('   ');
    await flush();
    expect(s.lab.getState().exampleError).toMatch(/Type a sentence/);
  });

  it('text, seed and whole-word go in the URL and come back from it; a bad seed there is reported', () => {
    const s = setup();
    s.lab.getState().setText('one sentence only');
    s.lab.getState().setSeed(42);
    s.lab.getState().setWholeWord(true);
    const url = Object.fromEntries(s.params.values);
    expect(url).toEqual({ lab: 'self-supervision', ltext: 'one sentence only', seed: '42', wholeword: '1' });
    expect(setup({ url }).lab.getState()).toMatchObject({ text: 'one sentence only', seed: 42, wholeWord: true, ignoredParams: [] });
    s.lab.getState().setText(LAB_DEFAULT_TEXT);
    s.lab.getState().setSeed(0);
    s.lab.getState().setWholeWord(false);
    expect([...s.params.values.keys()]).toEqual(['lab']);
    const bad = setup({ url: { lab: 'self-supervision', seed: '-1', wholeword: 'yes' } }).lab.getState();
    expect(bad).toMatchObject({ seed: 0, wholeWord: false, ignoredParams: [{ key: 'seed', value: '-1' }, { key: 'wholeword', value: 'yes' }] });
  });

  it('tallies many rolls: every chosen position counted once, by kind', async () => {
    const s = setup();
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    s.lab.getState().setSeed(10);
    await flush();
    await s.lab.getState().roll();
    const rolls = s.lab.getState().rolls!;
    expect(rolls.done).toBe(ROLLS);
    expect(rolls.seed_from).toBe(10);
    const examples = Array.from({ length: ROLLS }, (_, i) => makeMlmExample(defaultEncoding(), vocab, { seed: 10 + i, wholeWord: false }));
    expect(rolls.chosen).toBe(examples.reduce((n, e) => n + e.positions.length, 0));
    expect(rolls.candidates).toBe(examples.reduce((n, e) => n + e.candidates, 0));
    for (const kind of ['mask', 'random', 'keep'] as const) {
      const count = examples.reduce((n, e) => n + e.corruption.filter((c) => c === kind).length, 0);
      expect(rolls.by_kind[kind].count).toBe(count);
      expect(rolls.by_kind[kind].loss_sum / count).toBeCloseTo(Math.log(V), 4);
    }
    expect(rolls.by_kind.mask.recovered).toBe(0);
    expect(rolls.by_kind.keep.recovered).toBe(rolls.by_kind.keep.count);
    expect(s.runIds.mock.calls.filter((c) => c[0] === 'lab-rolls')).toHaveLength(ROLLS / 25);
    // New text makes the tally stale.
    s.lab.getState().setText('another text. with two sentences.');
    expect(s.lab.getState().rolls).toBeNull();
  });

  it('drops a result that a newer run replaced, and a superseded run silently', async () => {
    const s = setup();
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    s.runIds.mockImplementationOnce(async (_c: string, inputs: IdsInput[]) => {
      await gate;
      return inputs.map((input) => answer(input));
    });
    s.runIds.mockImplementationOnce(() => Promise.reject(new WorkerCallError({ code: 'superseded', message: 'A newer run replaced this one.' })));
    s.lab.getState().setSeed(5);
    await flush();
    s.lab.getState().setSeed(6);
    await flush();
    release();
    await flush();
    expect(s.lab.getState().example?.example.seed).toBe(6);
    expect(s.lab.getState().batch?.seed).toBe(6);
    expect(s.lab.getState().exampleError).toBeNull();
    expect(s.lab.getState().batchError).toBeNull();
  });

  it('says what is missing: no MLM head, no NSP head, no corpus', async () => {
    const s = setup({ heads: { mlm: false, nsp: false }, fetchCorpus: false });
    await s.app.getState().loadModel('bundled:mini-bert');
    await flush();
    expect(s.lab.getState().example?.scores).toBeNull();
    expect(s.lab.getState().batchError).toMatch(/sample sentences are unavailable \(HTTP 404\)/);
    const t = setup({ heads: { mlm: true, nsp: false } });
    await t.app.getState().loadModel('bundled:mini-bert');
    await flush();
    expect(t.lab.getState().batch).toMatchObject({ nsp_accuracy: null, nsp_loss: null, total_loss: null });
    expect(t.lab.getState().batch?.mlm_loss).toBeCloseTo(Math.log(V), 4);
  });
});
