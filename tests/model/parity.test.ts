// Parity with PyTorch: every fixture, every case, every layer, on the cpu and the wasm backend.
// Criterion (helpers.expectClose): |ours - torch| <= 1e-5 + 1e-4 * |torch|, elementwise.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { albertConfig } from '../../src/models/albert/configuration_albert';
import { albertForward, loadAlbertWeights } from '../../src/models/albert/modeling_albert';
import { bertConfig } from '../../src/models/bert/configuration_bert';
import { bertForward, loadBertWeights } from '../../src/models/bert/modeling_bert';
import { distilBertConfig } from '../../src/models/distilbert/configuration_distilbert';
import { distilBertForward, loadDistilBertWeights } from '../../src/models/distilbert/modeling_distilbert';
import { electraConfig } from '../../src/models/electra/configuration_electra';
import { electraForward, loadElectraWeights } from '../../src/models/electra/modeling_electra';
import { robertaConfig } from '../../src/models/roberta/configuration_roberta';
import { loadRobertaWeights, robertaForward } from '../../src/models/roberta/modeling_roberta';
import type { TextForwardTensors } from '../../src/models/shared/text_model';
import { initNodeBackend, type NodeBackend } from '../../src/models/backend_node';
import { JsonFields } from '../../src/models/checkpoint/json';
import { parseSafetensors, weightsOf } from '../../src/models/checkpoint/safetensors';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { detectModelKind, StateDict } from '../../src/models/checkpoint/weights';
import { loadModel, type Model } from '../../src/models';
import { logSoftmax, softmax, topKIndices } from '../../src/models/shared/math';
import { readAll } from '../../src/models/shared/readback';
import type { NdArray } from '../../src/models/types';
import { decodeImage } from '../../src/models/vit/image_decode';
import { TEXT_FIXTURES, VIT_FIXTURES } from '../fixture_models';
import { expectClose, loadFixture, maxAbsDiff, rows, type Fixture } from './helpers';

const BACKENDS: NodeBackend[] = ['cpu', 'wasm'];

const row = (a: NdArray, i: number): NdArray => ({ shape: [a.shape[1]], data: rows(a, i, i + 1).data });
const sigmoid = (a: NdArray): NdArray => ({ shape: a.shape, data: a.data.map((x) => 1 / (1 + Math.exp(-x))) });

/** Each text architecture's config, weights and forward, to compute the MLM logits at every position. */
const TEXT_FORWARDS: Record<string, (config: JsonFields, sd: StateDict) => Promise<(ids: number[], types: number[], positions: number[]) => TextForwardTensors>> = {
  bert: async (config, sd) => {
    const cfg = bertConfig(config);
    const w = await sd.load(() => loadBertWeights(sd, cfg));
    return (ids, types, positions) => bertForward(w, cfg, ids, types, positions);
  },
  distilbert: async (config, sd) => {
    const cfg = distilBertConfig(config);
    const w = await sd.load(() => loadDistilBertWeights(sd, cfg));
    return (ids, _types, positions) => distilBertForward(w, cfg, ids, positions);
  },
  roberta: async (config, sd) => {
    const cfg = robertaConfig(config);
    const w = await sd.load(() => loadRobertaWeights(sd, cfg));
    return (ids, types, positions) => robertaForward(w, cfg, ids, types, positions);
  },
  albert: async (config, sd) => {
    const cfg = albertConfig(config);
    const w = await sd.load(() => loadAlbertWeights(sd, cfg));
    return (ids, types, positions) => albertForward(w, cfg, ids, types, positions);
  },
  electra: async (config, sd) => {
    const cfg = electraConfig(config);
    const w = await sd.load(() => loadElectraWeights(sd, cfg));
    return (ids, types, positions) => electraForward(w, cfg, ids, types, positions);
  },
};

/** A case's token types: the fixture's, or zeros for models whose cases have none (DistilBERT, RoBERTa). */
const typesOf = (c: Record<string, unknown>) => (c.token_type_ids as number[] | undefined) ?? (c.input_ids as number[]).map(() => 0);

/** Loads a fixture checkpoint for the enclosing describe block; tests read it through the getter. */
function useModel<K extends Model['kind']>(fx: Fixture, kind: K): () => Extract<Model, { kind: K }> {
  let model: Model | undefined;
  beforeAll(async () => {
    model = await loadModel(await fromFolder(fx.dir));
    expect(model.kind).toBe(kind);
  });
  afterAll(() => model?.dispose());
  return () => model as Extract<Model, { kind: K }>;
}

/**
 * Expected outputs of fixture case `i`, and a check of an output against them; max differences are
 * grouped per backend, fixture and output (all layers of one output together).
 */
function caseOf(fx: Fixture, name: string, backend: NodeBackend, i: number) {
  const expected = (k: string) => fx.expected(`case${i}.${k}`);
  const check = (actual: NdArray, k: string, want = expected(k)) =>
    expectClose(actual, want, `${name} case${i} ${k}`, `${backend} ${name} ${k.replace(/\.\d+$/, '')}`);
  return { expected, check };
}

describe.each(BACKENDS)('parity with PyTorch on %s', (backend) => {
  beforeAll(async () => {
    await initNodeBackend(backend);
    expect(tf.getBackend()).toBe(backend);
  });

  afterAll(() => {
    const lines = [...maxAbsDiff].filter(([k]) => k.startsWith(`${backend} `)).map(([k, v]) => `  ${k.padEnd(58)} ${v.toExponential(2)}`);
    console.log(`max |ours - torch| on ${backend}:\n${lines.join('\n')}`);
  });

  describe.each(TEXT_FIXTURES)('%s', (name) => {
    const fx = loadFixture(name);
    const bert = useModel(fx, 'bert');
    const has = (key: string) => fx.hasExpected(`case0.${key}`);

    it('matches embeddings, every hidden state, every attention head and each head (pooler, NSP, SOP, RTD, MLM)', async () => {
      const model = bert();
      const L = model.info.config.num_hidden_layers;
      expect(model.info.architecture).toBe(JSON.parse(readFileSync(join(fx.dir, 'config.json'), 'utf8')).model_type);
      for (const [i, c] of fx.cases.entries()) {
        const out = await model.runIds(c.input_ids as number[], typesOf(c), { topK: 5 });
        const { expected: E, check } = caseOf(fx, name, backend, i);
        check(out.embeddings.word, 'embeddings.word');
        check(out.embeddings.position, 'embeddings.position');
        if (has('embeddings.token_type')) check(out.embeddings.token_type!, 'embeddings.token_type');
        else expect(out.embeddings.token_type).toBeNull();
        for (let l = 0; l <= L; l++) check(out.hidden_states[l], `hidden_states.${l}`);
        for (let l = 0; l < L; l++) check(out.attentions[l], `attentions.${l}`);
        expect(out.last_hidden_state).toBe(out.hidden_states[L]);

        if (has('pooler_output')) check(out.pooler_output!, 'pooler_output');
        else expect(out.pooler_output).toBeNull();

        const probs = (key: string, actual: [number, number] | null) => {
          if (!has(key)) return expect(actual).toBeNull();
          check({ shape: [2], data: Float32Array.from(actual!) }, `${key} probs`, { shape: [2], data: softmax(E(key).data) });
        };
        probs('seq_relationship_logits', out.nsp && [out.nsp.is_next, out.nsp.not_next]);
        probs('sop_logits', out.sop && [out.sop.in_order, out.sop.swapped]);
        if (has('rtd_logits')) check(out.rtd!, 'rtd probs', sigmoid(E('rtd_logits')));
        else expect(out.rtd).toBeNull();

        if (has('prediction_logits')) {
          const logits = E('prediction_logits');
          const masks = (c.input_ids as number[]).flatMap((id, p) => (id === model.tokenizer.maskTokenId ? [p] : []));
          expect(out.mlm!.map((m) => m.position)).toEqual(masks);
          for (const m of out.mlm!) {
            const expectedLogProbs = logSoftmax(row(logits, m.position).data);
            check({ shape: [m.log_probs.length], data: m.log_probs }, 'mlm log_probs', { shape: [expectedLogProbs.length], data: expectedLogProbs });
            expect(m.top.map((t) => t.id)).toEqual(topKIndices(expectedLogProbs, 5));
            for (const t of m.top) expect(t.token).toBe(model.tokenizer.idToToken(t.id));
          }
        } else {
          expect(out.mlm).toBeNull();
        }
      }
      // The masked case really has masks, so the MLM comparison above ran.
      if (has('prediction_logits')) expect(fx.cases.some((c) => (c.tokens as string[]).includes(model.tokenizer.maskToken))).toBe(true);
    });

    it.runIf(has('prediction_logits'))('matches the MLM logits at every position', async () => {
      const config = JsonFields.parse(readFileSync(join(fx.dir, 'config.json'), 'utf8'), 'config.json');
      const file = parseSafetensors(new Uint8Array(readFileSync(join(fx.dir, 'model.safetensors'))));
      const sd = new StateDict(weightsOf(file.tensors, 'model.safetensors'), detectModelKind(config, file.tensors.keys()));
      try {
        const forward = await TEXT_FORWARDS[config.string('model_type', 'bert')](config, sd);
        for (const [i, c] of fx.cases.entries()) {
          const ids = c.input_ids as number[];
          const logits = tf.tidy(() => forward(ids, typesOf(c), ids.map((_, p) => p)).prediction_logits!);
          const [actual] = await readAll([logits]);
          logits.dispose();
          caseOf(fx, name, backend, i).check(actual, 'prediction_logits');
        }
      } finally {
        sd.dispose();
      }
    });
  });

  describe.each(VIT_FIXTURES)('%s', (name) => {
    const fx = loadFixture(name);
    const vit = useModel(fx, 'vit');

    it('matches every hidden state, every attention head, the final LayerNorm and the logits (incl. interpolated positions)', async () => {
      const model = vit();
      const L = model.info.config.num_hidden_layers;
      for (const [i, c] of fx.cases.entries()) {
        const pixels = fx.expected(c.pixel_values_key as string);
        const out = await model.runPixels(pixels, { interpolatePosEncoding: c.interpolate_pos_encoding as boolean });
        const { expected: E, check } = caseOf(fx, name, backend, i);
        expect(out.grid).toEqual(c.grid);
        for (let l = 0; l <= L; l++) check(out.hidden_states[l], `hidden_states.${l}`);
        for (let l = 0; l < L; l++) check(out.attentions[l], `attentions.${l}`);
        check(out.last_hidden_state, 'last_hidden_state');
        check(out.cls, 'cls', row(E('last_hidden_state'), 0));
        check(out.logits!, 'logits');
        const probs = softmax(E('logits').data);
        expect(out.top!.map((t) => t.id)).toEqual(topKIndices(probs, 5));
        expect(out.prefix_tokens).toBe(fx.hasExpected('case0.distillation_logits') ? 2 : 1);
        if (fx.hasExpected('case0.distillation_logits')) {
          check(out.distillation!.cls_logits, 'cls_logits');
          check(out.distillation!.distillation_logits, 'distillation_logits');
          expect(out.distillation!.distillation_top.map((t) => t.id)).toEqual(topKIndices(softmax(E('distillation_logits').data), 5));
          expect(out.distillation!.cls_top.map((t) => t.id)).toEqual(topKIndices(softmax(E('cls_logits').data), 5));
        } else {
          expect(out.distillation).toBeNull();
        }
      }
    });

    it('runs the images through the processor to the same pixels and logits', async () => {
      const withImage = fx.cases.map((c, i) => ({ c, i })).filter(({ c }) => typeof c.image === 'string');
      expect(withImage.length).toBeGreaterThan(0);
      for (const { c, i } of withImage) {
        const image = await decodeImage(new Uint8Array(readFileSync(join(fx.dir, c.image as string))), c.image as string);
        const out = await vit().run(image);
        const { expected: E, check } = caseOf(fx, name, backend, i);
        check(out.pixel_values, 'pixel_values (from PNG)', E('pixel_values'));
        check(out.logits!, 'logits (from PNG)', E('logits'));
      }
    });

    it('refuses a non-native image size unless interpolation is asked for', async () => {
      const c = fx.cases.find((x) => x.interpolate_pos_encoding === true)!;
      await expect(vit().runPixels(fx.expected(c.pixel_values_key as string))).rejects.toThrow(/doesn't match the model/);
    });
  });
});

