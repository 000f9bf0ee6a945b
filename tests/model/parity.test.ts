// Parity with PyTorch: every fixture, every case, every layer, on the cpu and the wasm backend.
// Criterion (helpers.expectClose): |ours - torch| <= 1e-5 + 1e-4 * |torch|, elementwise.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bertConfig, bertForward, loadBertWeights, type BertModel } from '../../src/models/bert/modeling_bert';
import { initNodeBackend, type NodeBackend } from '../../src/models/backend_node';
import { parseConfig } from '../../src/models/checkpoint/config';
import { parseSafetensors } from '../../src/models/checkpoint/safetensors';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { StateDict } from '../../src/models/checkpoint/weights';
import { loadModel } from '../../src/models';
import { logSoftmax, softmax, topKIndices } from '../../src/models/shared/math';
import { readAll } from '../../src/models/shared/readback';
import type { NdArray } from '../../src/models/types';
import { decodeImage } from '../../src/models/vit/image_decode';
import type { VitModel } from '../../src/models/vit/modeling_vit';
import { expectClose, loadFixture, maxAbsDiff } from './helpers';

const BERT_FIXTURES = ['bert-tiny', 'bert-tiny-legacy-f16', 'bert-tiny-base-only'];
const VIT_FIXTURES = ['vit-tiny', 'vit-tiny-grey-bf16'];
const BACKENDS: NodeBackend[] = ['cpu', 'wasm'];

const row = (a: NdArray, i: number): NdArray => ({ shape: [a.shape[1]], data: a.data.slice(i * a.shape[1], (i + 1) * a.shape[1]) });

describe.each(BACKENDS)('parity with PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await initNodeBackend(backend);
    expect(tf.getBackend()).toBe(backend);
  });

  afterAll(() => {
    const lines = [...maxAbsDiff].filter(([k]) => k.startsWith(`${backend} `)).map(([k, v]) => `  ${k.padEnd(58)} ${v.toExponential(2)}`);
    console.log(`max |ours - torch| on ${backend}:\n${lines.join('\n')}`);
  });

  describe.each(BERT_FIXTURES)('%s', (name) => {
    const fx = loadFixture(name);
    let model: BertModel;
    beforeAll(async () => {
      const loaded = await loadModel(await fromFolder(fx.dir));
      if (loaded.kind !== 'bert') throw new Error('expected a BERT model');
      model = loaded;
    });
    afterAll(() => model.dispose());

    it('matches embeddings, every hidden state, every attention head, pooler, NSP and MLM', async () => {
      const L = model.info.num_hidden_layers;
      for (const [i, c] of fx.cases.entries()) {
        const out = await model.runIds(c.input_ids as number[], c.token_type_ids as number[], { topK: 5 });
        const E = (k: string) => fx.expected(`case${i}.${k}`);
        const check = (actual: NdArray, k: string) => expectClose(actual, E(k), `${name} case${i} ${k}`, `${backend} ${name} ${k.replace(/\.\d+$/, '')}`);
        check(out.embeddings.word, 'embeddings.word');
        check(out.embeddings.position, 'embeddings.position');
        check(out.embeddings.token_type, 'embeddings.token_type');
        for (let l = 0; l <= L; l++) check(out.hidden_states[l], `hidden_states.${l}`);
        for (let l = 0; l < L; l++) check(out.attentions[l], `attentions.${l}`);
        expect(out.last_hidden_state).toBe(out.hidden_states[L]);
        check(out.pooler_output!, 'pooler_output');

        if (fx.hasExpected(`case${i}.seq_relationship_logits`)) {
          const p = softmax(E('seq_relationship_logits').data);
          expectClose({ shape: [2], data: [out.nsp!.is_next, out.nsp!.not_next] }, { shape: [2], data: p }, `${name} case${i} nsp`, `${backend} ${name} nsp probs`);
        } else {
          expect(out.nsp).toBeNull();
        }

        if (fx.hasExpected(`case${i}.prediction_logits`)) {
          const logits = E('prediction_logits');
          const masks = (c.input_ids as number[]).flatMap((id, p) => (id === model.tokenizer.maskTokenId ? [p] : []));
          expect(out.mlm!.map((m) => m.position)).toEqual(masks);
          for (const m of out.mlm!) {
            const expectedLogProbs = logSoftmax(row(logits, m.position).data);
            expectClose({ shape: [m.log_probs.length], data: m.log_probs }, { shape: [expectedLogProbs.length], data: expectedLogProbs }, `${name} case${i} mlm@${m.position}`, `${backend} ${name} mlm log_probs`);
            expect(m.top.map((t) => t.id)).toEqual(topKIndices(expectedLogProbs, 5));
            expect(m.top[0].token).toBe(model.tokenizer.idToToken(m.top[0].id));
          }
        } else {
          expect(out.mlm).toBeNull();
        }
      }
    });

    it.runIf(fx.hasExpected('case0.prediction_logits'))('matches the MLM logits at every position', async () => {
      const config = parseConfig(readFileSync(join(fx.dir, 'config.json'), 'utf8'));
      const cfg = bertConfig(config);
      const sd = new StateDict(parseSafetensors(new Uint8Array(readFileSync(join(fx.dir, 'model.safetensors')))), 'bert');
      const weights = loadBertWeights(sd, cfg);
      try {
        for (const [i, c] of fx.cases.entries()) {
          const ids = c.input_ids as number[];
          const logits = tf.tidy(() => bertForward(weights, cfg, ids, c.token_type_ids as number[], ids.map((_, p) => p)).prediction_logits!);
          const [actual] = await readAll([logits]);
          logits.dispose();
          expectClose(actual, fx.expected(`case${i}.prediction_logits`), `${name} case${i} prediction_logits`, `${backend} ${name} prediction_logits`);
        }
      } finally {
        sd.dispose();
      }
    });
  });

  describe.each(VIT_FIXTURES)('%s', (name) => {
    const fx = loadFixture(name);
    let model: VitModel;
    beforeAll(async () => {
      const loaded = await loadModel(await fromFolder(fx.dir));
      if (loaded.kind !== 'vit') throw new Error('expected a ViT model');
      model = loaded;
    });
    afterAll(() => model.dispose());

    it('matches every hidden state, every attention head, the final LayerNorm and the logits (incl. interpolated positions)', async () => {
      const L = model.info.num_hidden_layers;
      for (const [i, c] of fx.cases.entries()) {
        const pixels = fx.expected(c.pixel_values_key as string);
        const out = await model.runPixels(pixels, { interpolatePosEncoding: c.interpolate_pos_encoding as boolean });
        const E = (k: string) => fx.expected(`case${i}.${k}`);
        const check = (actual: NdArray, k: string) => expectClose(actual, E(k), `${name} case${i} ${k}`, `${backend} ${name} ${k.replace(/\.\d+$/, '')}`);
        expect(out.grid).toEqual(c.grid);
        for (let l = 0; l <= L; l++) check(out.hidden_states[l], `hidden_states.${l}`);
        for (let l = 0; l < L; l++) check(out.attentions[l], `attentions.${l}`);
        check(out.last_hidden_state, 'last_hidden_state');
        expectClose(out.cls, row(E('last_hidden_state'), 0), `${name} case${i} cls`, `${backend} ${name} last_hidden_state`);
        check(out.logits!, 'logits');
        const probs = softmax(E('logits').data);
        expect(out.top!.map((t) => t.id)).toEqual(topKIndices(probs, 5));
      }
    });

    it('runs the images through the processor to the same pixels and logits', async () => {
      const withImage = fx.cases.map((c, i) => ({ c, i })).filter(({ c }) => typeof c.image === 'string');
      expect(withImage.length).toBeGreaterThan(0);
      for (const { c, i } of withImage) {
        const image = decodeImage(new Uint8Array(readFileSync(join(fx.dir, c.image as string))), c.image as string);
        const out = await model.run(image);
        expectClose(out.pixel_values, fx.expected(`case${i}.pixel_values`), `${name} case${i} pixel_values`, `${backend} ${name} pixel_values (from PNG)`);
        expectClose(out.logits!, fx.expected(`case${i}.logits`), `${name} case${i} logits from PNG`, `${backend} ${name} logits (from PNG)`);
      }
    });

    it('refuses a non-native image size unless interpolation is asked for', async () => {
      const c = fx.cases.find((x) => x.interpolate_pos_encoding === true)!;
      await expect(model.runPixels(fx.expected(c.pixel_values_key as string))).rejects.toThrow(/doesn't match the model/);
    });
  });
});

