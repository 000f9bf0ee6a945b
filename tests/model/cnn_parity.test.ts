// mini-CNN parity with PyTorch (tests/fixtures/models/cnn-tiny, written by
// scripts/reference/make_cnn_fixture.py from the training code's model): every feature map, the
// pooled features and the logits, on the cpu and the wasm backend.
// Criterion (helpers.expectClose): |ours - torch| <= 1e-5 + 1e-4 * |torch|, elementwise.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, type NodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, ModelError, type CnnModel } from '../../src/models';
import { JsonFields } from '../../src/models/checkpoint/json';
import { cnnConfig } from '../../src/models/cnn/configuration_cnn';
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
          ? await model.run(await decodeImage(readFileSync(join(fx.dir, c.image)), c.image), { topK: 2 })
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
    expect(model.info.config.image_size).toEqual([28, 28]);
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

  it('refuses a processor size too small for the layers before uploading weights, and checks image headers', async () => {
    const dir = copyFixture('cnn-tiny');
    const preprocessor = JSON.parse(readFileSync(join(dir, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify({ ...preprocessor, size: { height: 6, width: 6 } }));
    const before = tf.memory().numTensors;
    await expect(loadModel(await fromFolder(dir))).rejects.toThrow(/^preprocessor_config\.json: the processed image \(6x6\) is too small for this CNN: layer \d \(/);
    expect(tf.memory().numTensors).toBe(before);

    const model = await loadModel(await fromFolder(fx.dir));
    if (model.kind !== 'cnn') throw new Error(`expected a CNN, got ${model.kind}`);
    try {
      expect(() => model.checkImageSize(640, 480, 'photo.png')).not.toThrow();
      expect(() => model.checkImageSize(1, 49_000_000, 'tall.png')).toThrow(/tall\.png/);
    } finally {
      model.dispose();
    }
  });

  it('checks the layer list of config.json, naming the file and the key', () => {
    const layers = config.layers as Record<string, unknown>[];
    const parse = (changes: Record<string, unknown>) => () => cnnConfig(JsonFields.of({ ...config, ...changes }, 'config.json'));
    const withLayer0 = (changes: Record<string, unknown>) => parse({ layers: [{ ...layers[0], ...changes }] });
    expect(parse({ layers: [] })).toThrow(/^config\.json: "layers" must be a non-empty list/);
    expect(parse({ layers: [7] })).toThrow(/"layers\.0" must be an object, got 7/);
    expect(withLayer0({ type: 'avg_pool' })).toThrow(/config\.json: "layers\.0\.type" is "avg_pool"; only "conv" and "max_pool" exist/);
    expect(withLayer0({ type: 'avg_pool' })).toThrow(expect.objectContaining({ code: 'unsupported' }));
    expect(withLayer0({ kernel_size: 0 })).toThrow(/"layers\.0\.kernel_size" must be a positive integer, got 0/);
    expect(withLayer0({ padding: -1 })).toThrow(/"layers\.0\.padding" must be a non-negative integer, got -1/);
    expect(withLayer0({ padding: 2 })).toThrow(/"layers\.0\.padding" 2 exceeds half its kernel_size 3/);
    expect(parse({ hidden_act: 'gelu' })).toThrow(/"hidden_act" "gelu" is not supported \(only "relu"\)/);
    expect(parse({ id2label: undefined })).toThrow(/"id2label" must map class ids to names/);
    expect(parse({})().layers.map((l) => l.padding)).toEqual(layers.map((l) => l.padding));
  });
});
