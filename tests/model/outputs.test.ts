// Outputs by name and chosen by the caller: runForward's record of tensors comes back as the same
// record of arrays (views of one read-back buffer), and a run returns only what it was asked for.
// The neuron view's queries and keys must reproduce the attention the same run returned.

import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, type BertModel, type VitModel } from '../../src/models';
import { neuronView } from '../../src/analysis/neuron';
import { ModelError } from '../../src/models/errors';
import { runForward } from '../../src/models/shared/readback';
import type { NdArray, QueriesKeys } from '../../src/models/types';
import { expectClose, FIXTURES, loadFixture } from './helpers';

/** softmax(q kᵀ / √d) of every head, in float64: what the attention must be. */
function attentionFrom({ queries, keys }: QueriesKeys, layer: number): NdArray {
  const [heads, seq, d] = queries[layer].shape;
  const q = queries[layer].data;
  const k = keys[layer].data;
  const out = new Float32Array(heads * seq * seq);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < seq; i++) {
      const scores = Array.from({ length: seq }, (_, j) => {
        let dot = 0;
        for (let c = 0; c < d; c++) dot += q[(h * seq + i) * d + c] * k[(h * seq + j) * d + c];
        return dot / Math.sqrt(d);
      });
      const max = Math.max(...scores);
      const exps = scores.map((s) => Math.exp(s - max));
      const sum = exps.reduce((a, b) => a + b, 0);
      exps.forEach((e, j) => (out[(h * seq + i) * seq + j] = e / sum));
    }
  }
  return { shape: [heads, seq, seq], data: out };
}

describe('runForward', () => {
  beforeAll(() => initNodeBackend('cpu'));

  it('returns the record it was given, nested lists and nulls included, as views of one buffer', async () => {
    const before = tf.memory().numTensors;
    const { arrays } = await runForward(() => {
      const a = tf.tensor2d([[1, 2], [3, 4]]);
      return { a, layers: [tf.scalar(5), tf.tensor1d([6, 7])], nothing: null, again: a, nested: { b: tf.tensor1d([8]) } };
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(arrays.a).toEqual({ shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) });
    expect(arrays.layers.map((x) => Array.from(x.data))).toEqual([[5], [6, 7]]);
    expect(arrays.nothing).toBeNull();
    expect(arrays.nested.b.data[0]).toBe(8);
    // A tensor named twice is read once.
    expect(arrays.again).toBe(arrays.a);
    const buffers = new Set([arrays.a, ...arrays.layers, arrays.nested.b].map((x) => x.data.buffer));
    expect(buffers.size).toBe(1);
  });
});

describe('output selection', () => {
  let bert: BertModel;
  let vit: VitModel;
  beforeAll(async () => {
    await initNodeBackend('cpu');
    const [b, v] = [await loadModel(await fromFolder(`${FIXTURES}/bert-tiny`)), await loadModel(await fromFolder(`${FIXTURES}/vit-tiny`))];
    if (b.kind !== 'bert' || v.kind !== 'vit') throw new Error('unexpected fixture kinds');
    [bert, vit] = [b, v];
  });
  afterAll(() => {
    bert.dispose();
    vit.dispose();
  });

  it('BERT: leaves out what was not asked for and keeps every head output', async () => {
    const all = await bert.run('the cat sat on the [MASK].');
    const few = await bert.run('the cat sat on the [MASK].', null, { outputs: { attentions: false, hidden_states: false } });
    expect(few.attentions).toBeNull();
    expect(few.hidden_states).toBeNull();
    expect(few.embeddings).toBeNull();
    expect(few.queries_keys).toBeNull();
    expectClose(few.last_hidden_state, all.last_hidden_state, 'last_hidden_state');
    expect(few.mlm![0].top.map((t) => t.id)).toEqual(all.mlm![0].top.map((t) => t.id));
    expect(few.nsp).toEqual(all.nsp);
    const onlyAttentions = await bert.run('the cat sat.', null, { outputs: { hidden_states: false } });
    expect(onlyAttentions.attentions).toHaveLength(bert.info.config.num_hidden_layers);
    expect(onlyAttentions.hidden_states).toBeNull();
  });

  it('BERT: queries and keys, when asked for, give back the attention of the same run', async () => {
    const out = await bert.run('the cat sat on the mat.', 'it slept.', { outputs: { queries_keys: true } });
    const { num_hidden_layers: L, num_attention_heads: H, hidden_size } = bert.info.config;
    const seq = out.encoding.tokens.length;
    expect(out.queries_keys!.queries).toHaveLength(L);
    expect(out.queries_keys!.keys[0].shape).toEqual([H, seq, hidden_size / H]);
    for (let l = 0; l < L; l++) expectClose(attentionFrom(out.queries_keys!, l), out.attentions![l], `attention from q, k, layer ${l}`);
  });

  it('BERT: explicit MLM positions predict at any token, and the [MASK] answer does not change', async () => {
    const masked = await bert.run('the cat sat on the [MASK].');
    const { input_ids, token_type_ids } = masked.encoding;
    const every = input_ids.map((_, p) => p);
    const out = await bert.runIds(input_ids, token_type_ids, { outputs: { attentions: false, hidden_states: false }, mlmPositions: every });
    expect(out.mlm!.map((m) => m.position)).toEqual(every);
    const at = masked.mlm![0].position;
    const V = bert.info.config.vocab_size;
    expectClose({ shape: [V], data: out.mlm![at].log_probs }, { shape: [V], data: masked.mlm![0].log_probs }, 'log-probs at the [MASK]');
    // A position's prediction depends on that position alone, not on which others are asked for.
    const one = await bert.runIds(input_ids, token_type_ids, { outputs: { attentions: false }, mlmPositions: [2] });
    expectClose({ shape: [V], data: one.mlm![0].log_probs }, { shape: [V], data: out.mlm![2].log_probs }, 'log-probs at token 2');
    const none = await bert.runIds(input_ids, token_type_ids, { outputs: {}, mlmPositions: [] });
    expect(none.mlm).toEqual([]);
    await expect(bert.runIds(input_ids, token_type_ids, { outputs: {}, mlmPositions: [input_ids.length] })).rejects.toThrow(ModelError);
    await expect(bert.runIds(input_ids, token_type_ids, { outputs: {}, mlmPositions: [1.5] })).rejects.toThrow(/MLM position 1.5 is outside/);
  });

  it('the neuron view spells out q·k, the 1/√d scaling and the softmax, and gives back every attention row', async () => {
    const out = await bert.run('the cat sat on the mat.', 'it slept.', { outputs: { queries_keys: true } });
    const qk = out.queries_keys!;
    const [H, seq, d] = qk.queries[0].shape;
    for (let l = 0; l < qk.queries.length; l++) {
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < seq; i++) {
          const view = neuronView(qk, l, h, i);
          expect(view.scale).toBe(1 / Math.sqrt(d));
          const row = out.attentions![l].data.subarray((h * seq + i) * seq, (h * seq + i + 1) * seq);
          expectClose({ shape: [seq], data: view.weights }, { shape: [seq], data: row }, `neuron view softmax, layer ${l} head ${h} token ${i}`);
          for (let j = 0; j < seq; j++) {
            const sum = view.products.data.subarray(j * d, (j + 1) * d).reduce((a, b) => a + b, 0);
            expect(sum).toBeCloseTo(view.dots[j], 4);
            expect(view.scores[j]).toBeCloseTo(view.dots[j] * view.scale, 12);
          }
        }
      }
    }
    expect(() => neuronView(qk, 0, H, 0)).toThrow(/head/);
    expect(() => neuronView(qk, 0, 0, seq)).toThrow(/token/);
  });

  it('ViT: attentions only, for the attention-distance sweep; queries and keys on request', async () => {
    const fx = loadFixture('vit-tiny');
    const pixels = fx.expected('case0.pixel_values');
    const out = await vit.runPixels(pixels, { outputs: { hidden_states: false, queries_keys: true } });
    expect(out.hidden_states).toBeNull();
    expectClose(out.attentions![0], fx.expected('case0.attentions.0'), 'attentions.0');
    expectClose(out.last_hidden_state, fx.expected('case0.last_hidden_state'), 'last_hidden_state');
    for (let l = 0; l < vit.info.config.num_hidden_layers; l++) {
      expectClose(attentionFrom(out.queries_keys!, l), out.attentions![l], `vit attention from q, k, layer ${l}`);
    }
  });

  it('ViT: model info is typed, with the trained patch grid', () => {
    const { config, trained_grid } = vit.info;
    expect(trained_grid).toEqual([config.image_size[0] / config.patch_size, config.image_size[1] / config.patch_size]);
    expect(vit.info.position_embeddings.shape[0]).toBe(1 + trained_grid[0] * trained_grid[1]);
  });
});
