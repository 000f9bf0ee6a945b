// mini-CNN parity with PyTorch (tests/fixtures/models/cnn-tiny, written by
// scripts/reference/make_cnn_fixture.py from the training code's model): every feature map, the
// pooled features and the logits, on the cpu and the wasm backend.
// Criterion (helpers.expectClose): |ours - torch| <= 1e-5 + 1e-4 * |torch|, elementwise.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, ModelError, type CnnModel } from '../../src/models';
import { cnnConfig } from '../../src/models/cnn/modeling_cnn';
import { decodeImage } from '../../src/models/vit/image_decode';
import { copyFixture, expectClose, loadFixture, maxAbsDiff, readCheckpointTensors, encodeSafetensors } from './helpers';

const BACKENDS: NodeBackend[] = ['cpu', 'wasm'];
const fx = loadFixture('cnn-tiny');
const config = JSON.parse(readFileSync(join(fx.dir, 'config.json'), 'utf8')) as Record<string, unknown>;
const LAYERS = (config.layers as unknown[]).length;

describe.each(BACKENDS)('mini-CNN parity with PyTorch on %s', (backend) => {
  let model: CnnModel;

  beforeAll(async () => {
    await initNodeBackend(backend);
    expect(tf.getBackend()).toBe(backend);
    const loaded = await loadModel(await fromFolder(fx.dir));
    if (loaded.kind !== 'cnn') throw new Error(`expected a CNN, got ${loaded.kind}`);
    model = loaded;
  });

  afterAll(() => {
    model?.dispose();
    const lines = [...maxAbsDiff].filter(([k]) => k.startsWith(`${backend} `)).map(([k, v]) => `  ${k.padEnd(40)} ${v.toExponential(2)}`);
    console.log(`max |ours - torch| on ${backend}:\n${lines.join('\n')}`);
  });

  it('matches every feature map, the pooled features and the logits of every case', async () => {
    for (const [i, c] of fx.cases.entries()) {
      const E = (k: string) => fx.expected(`case${i}.${k}`);
      const check = (actual: { shape: number[]; data: Float32Array }, k: string) =>
        expectClose(actual, E(k), `case${i} ${k}`, `${backend} ${k.replace(/\.\d+$/, '')}`);
      const out =
        typeof c.image === 'string'
          ? await model.run(decodeImage(readFileSync(join(fx.dir, c.image)), c.image), { topK: 2 })
          : await model.runPixels(E('pixel_values'), { topK: 2 });
      check(out.pixel_values, 'pixel_values');
      expect(out.feature_maps).toHaveLength(LAYERS);
      for (let l = 0; l < LAYERS; l++) check(out.feature_maps[l], `feature_maps.${l}`);
      check(out.pooled, 'pooled');
      check(out.logits, 'logits');
      const logits = E('logits').data;
      const best = logits.indexOf(Math.max(...logits));
      expect(out.top.map((t) => t.id)[0]).toBe(best);
      expect(out.top).toHaveLength(2);
    }
  });

  it('describes its layers with their output shapes at the trained size', () => {
    expect(model.info.image_size).toEqual([28, 28]);
    expect(model.info.layers.map((l) => l.output_shape)).toEqual(
      Array.from({ length: LAYERS }, (_, l) => fx.expected(`case1.feature_maps.${l}`).shape),
    );
    expect(model.info.layers[1]).toMatchObject({ type: 'conv', out_channels: 8, kernel_size: 5, stride: 2, padding: 2 });
    const weights = readCheckpointTensors(fx.dir);
    const total = Object.values(weights).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(model.info.num_parameters).toBe(total);
    expect(model.info.warnings).toEqual([]);
  });

  it('leaks no tensors across runs', async () => {
    const pixels = fx.expected('case1.pixel_values');
    await model.runPixels(pixels);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.runPixels(pixels);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects inputs it cannot run with a clear error', async () => {
    const pixels = fx.expected('case1.pixel_values');
    await expect(model.runPixels({ shape: [1, 28, 28], data: pixels.data.slice(0, 784) })).rejects.toThrow(/1 channel\(s\).*num_channels=3/);
    await expect(model.runPixels({ shape: [3, 6, 6], data: new Float32Array(108) })).rejects.toThrow(/too small for this CNN: layer \d \(/);
  });
});

describe('mini-CNN checkpoint errors', () => {
  beforeAll(() => initNodeBackend('cpu'));

  it('names a missing convolution and frees what it had uploaded', async () => {
    const tensors = readCheckpointTensors(fx.dir);
    delete tensors['cnn.layers.3.convolution.weight'];
    const before = tf.memory().numTensors;
    const error = await loadModel(await fromFolder(copyFixture('cnn-tiny', encodeSafetensors(tensors)))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe('mismatch');
    expect((error as ModelError).message).toMatch(/no tensor "cnn.layers.3.convolution.weight"/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks the layer list of config.json', () => {
    const layers = config.layers as Record<string, unknown>[];
    expect(() => cnnConfig({ ...config, layers: [] })).toThrow(/"layers" must be a non-empty list/);
    expect(() => cnnConfig({ ...config, layers: [{ ...layers[0], type: 'avg_pool' }] })).toThrow(/type "avg_pool"/);
    expect(() => cnnConfig({ ...config, layers: [{ ...layers[0], kernel_size: 0 }] })).toThrow(/layers\[0\]\.kernel_size must be an integer >= 1/);
    expect(() => cnnConfig({ ...config, layers: [{ ...layers[0], padding: 2 }] })).toThrow(/padding 2 exceeds half/);
    expect(() => cnnConfig({ ...config, hidden_act: 'gelu' })).toThrow(/hidden_act "gelu" is not supported/);
  });
});
