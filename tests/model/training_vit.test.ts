// The live lab's ViT training: a step lowers the loss on a fixed batch with finite gradients and
// leaves no tensor behind, and the trained model saves as a checkpoint that loadModel reads back
// with the same logits as the training forward pass.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type VitModel } from '../../src/models';
import { initNodeBackend } from '../../src/models/backend_node';
import { parseSafetensors, serializeSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import {
  createTrainableVit,
  crossEntropy,
  disposeTrainableVit,
  LIVE_TRAINING,
  LiveRun,
  parseTrainingData,
  pixelBatch,
  positionEmbeddingsOf,
  saveCheckpoint,
  trainingForward,
  trainStep,
  type TrainableVit,
} from '../../src/models/vit/training_vit';

const data = parseTrainingData(new Uint8Array(readFileSync('public/labs/fashion-mnist-live.safetensors')));

describe.each(['cpu', 'wasm'] as const)('ViT training on %s', (backend) => {
  let model: TrainableVit;
  beforeAll(async () => {
    await initNodeBackend(backend);
    model = createTrainableVit();
  });
  afterAll(() => disposeTrainableVit(model));

  it('lowers the loss on a fixed batch, with finite gradients and no leaked tensors', () => {
    const indices = Array.from({ length: 16 }, (_, i) => i);
    const pixels = pixelBatch(data.train, data.side, indices, 3);
    const labels = tf.tensor1d(indices.map((i) => data.train.labels[i]), 'int32');
    const { value, grads } = tf.variableGrads(() => crossEntropy(trainingForward(model, pixels), labels));
    expect(Object.keys(grads).sort()).toEqual(model.parameters.map((p) => p.variable.name).sort());
    for (const [name, grad] of Object.entries(grads)) {
      const values = grad.dataSync();
      expect(values.every(Number.isFinite), name).toBe(true);
      expect(values.some((v) => v !== 0), `${name} gets a gradient`).toBe(true);
    }
    // Ten classes, near-uniform predictions at initialisation.
    expect(value.dataSync()[0]).toBeGreaterThan(Math.log(10) - 0.2);
    expect(value.dataSync()[0]).toBeLessThan(Math.log(10) + 0.2);
    tf.dispose([value, grads]);

    const optimizers: [tf.Optimizer, tf.Optimizer] = [tf.train.adam(1e-3), tf.train.adam(3e-3)];
    const losses = [trainStep(model, optimizers, pixels, labels)];
    const tensorsAfterFirst = tf.memory().numTensors; // Adam's moments exist from the first step on
    for (let i = 0; i < 9; i++) losses.push(trainStep(model, optimizers, pixels, labels));
    expect(tf.memory().numTensors).toBe(tensorsAfterFirst);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[9]).toBeLessThan(losses[0] - 0.3);
    optimizers.forEach((o) => o.dispose());
    tf.dispose([pixels, labels]);
  });

  it('saves a Hugging Face checkpoint that loadModel runs with the same logits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'live-vit-'));
    for (const [file, bytes] of Object.entries(saveCheckpoint(model, undefined, { step: '10' }))) writeFileSync(join(dir, file), bytes);
    const names = [...parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors')))).tensors.keys()];
    expect(names).toContain('vit.encoder.layer.1.attention.attention.query.weight');
    expect(names).toContain('vit.embeddings.patch_embeddings.projection.weight');
    expect(names).toContain('classifier.bias');

    const loaded = (await loadModel(await fromFolder(dir))) as VitModel;
    try {
      expect(loaded.info.warnings).toEqual([]);
      expect(loaded.info.config.hidden_size).toBe(64);
      const indices = [0, 1, 2];
      const pixels = pixelBatch(data.test, data.side, indices, 3);
      const expected = tf.tidy(() => trainingForward(model, pixels).arraySync());
      const values = pixels.dataSync() as Float32Array;
      for (const [b] of indices.entries()) {
        const image = { shape: [3, 28, 28], data: values.slice(b * 3 * 784, (b + 1) * 3 * 784) };
        const out = await loaded.runPixels(image, { outputs: { attentions: false, hidden_states: false } });
        const got = Array.from(out.logits!.data);
        got.forEach((v, i) => expect(Math.abs(v - expected[b][i])).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(expected[b][i])));
      }
      // The image processor reading the grey PNG gives the pixels the training batch was made of.
      expect(loaded.info.preprocessing.image_mean).toEqual([0.286, 0.286, 0.286]);
      pixels.dispose();
    } finally {
      loaded.dispose();
    }
  });
});

describe('the live run', () => {
  beforeAll(() => initNodeBackend('cpu'));

  it('trains step after step with a constant number of tensors and evaluates on the test images', () => {
    const initial = tf.memory().numTensors;
    const run = new LiveRun(data, { ...LIVE_TRAINING, batchSize: 8 });
    const before = tf.memory().numTensors;
    run.trainStep();
    const afterFirst = tf.memory().numTensors;
    expect(afterFirst).toBeGreaterThan(before); // Adam's moments
    for (let i = 0; i < 3; i++) run.trainStep();
    expect(tf.memory().numTensors).toBe(afterFirst);
    const { accuracy, loss } = run.evaluate(40, 16);
    expect(accuracy).toBeGreaterThanOrEqual(0);
    expect(accuracy).toBeLessThanOrEqual(1);
    expect(Number.isFinite(loss)).toBe(true);
    expect(tf.memory().numTensors).toBe(afterFirst);
    expect(run.step).toBe(4);
    // The worker transfers the position embeddings it posts: that must not take the model's own storage.
    const posted = positionEmbeddingsOf(run.model);
    const kept = posted.data.slice();
    structuredClone(posted.data.buffer, { transfer: [posted.data.buffer] });
    expect(Array.from(positionEmbeddingsOf(run.model).data)).toEqual(Array.from(kept));
    run.dispose();
    expect(tf.memory().numTensors).toBe(initial);
  });
});

describe('the lab data and the safetensors writer', () => {
  it('reads the Fashion-MNIST slice: uint8 images and labels', () => {
    expect([data.train.count, data.test.count, data.side]).toEqual([5000, 1000, 28]);
    expect(Math.max(...data.train.labels)).toBe(9);
    expect(data.train.images.length).toBe(5000 * 784);
  });

  it('writes float32 tensors that the parser reads back', () => {
    const bytes = serializeSafetensors([
      { name: 'a', shape: [2, 2], data: new Float32Array([1, -2, 3.5, 0]) },
      { name: 'b', shape: [1], data: new Float32Array([7]) },
    ], { format: 'pt' });
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(metadata).toEqual({ format: 'pt' });
    expect(Array.from(toFloat32(tensors.get('a')!))).toEqual([1, -2, 3.5, 0]);
    expect(tensors.get('b')!.shape).toEqual([1]);
    expect(new DataView(bytes.buffer).getUint32(0, true) % 8).toBe(0); // the header is padded to 8 bytes
  });
});
