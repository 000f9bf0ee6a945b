// The bundled mini-CNN (public/models/mini-cnn), run by the TypeScript model core, must reproduce
// what PyTorch computed for it at export time (scripts/train/cnn/export.py): the logits and top-1
// of 200 held-out Fashion-MNIST test images and the accuracy on them, from the grey images through
// the same ViTImageProcessor steps the mini-ViT uses; and its card's numbers must be the exported ones.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receptiveFields } from '../../src/analysis/receptiveField';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, type CnnModel } from '../../src/models/index';
import { greyToRgba, loadHeldout, replayHeldout, ROOT } from './heldout';

const MODEL_DIR = join(ROOT, 'public', 'models', 'mini-cnn');
const heldout = loadHeldout('mini-cnn');
const evalResults = JSON.parse(readFileSync(join(MODEL_DIR, 'eval_results.json'), 'utf8')) as { parameters: number };
const read = (dir: string, file: string) => readFileSync(join(ROOT, 'public', 'models', dir, file), 'utf8');

// float32 in tfjs-wasm vs PyTorch's CPU kernels, fixture logits rounded to 1e-6 (as for mini-ViT).
const LOGIT_TOLERANCE = 1e-4;

describe('bundled mini-CNN (Fashion-MNIST)', () => {
  let model: CnnModel;

  beforeAll(async () => {
    await initNodeBackend('wasm');
    const loaded = await loadModel(await fromFolder(MODEL_DIR));
    if (loaded.kind !== 'cnn') throw new Error(`expected a CNN, got ${loaded.kind}`);
    model = loaded;
  });

  afterAll(() => model?.dispose());

  it("loads with mini-ViT's labels and preprocessing and the exported parameter count", () => {
    expect(model.info.warnings).toEqual([]);
    expect(model.info.num_parameters).toBe(evalResults.parameters);
    expect(model.info.config.id2label).toEqual(JSON.parse(read('mini-vit', 'config.json')).id2label);
    expect(JSON.parse(read('mini-cnn', 'preprocessor_config.json'))).toEqual(JSON.parse(read('mini-vit', 'preprocessor_config.json')));
    expect(model.info.layers.at(-1)!.output_shape).toEqual([256, 4, 4]);
  });

  it('reproduces the PyTorch logits, top-1 and accuracy on 200 held-out test images', async () => {
    const { worst, accuracy } = await replayHeldout(heldout, async (image) => {
      const out = await model.run(image);
      expect(out.feature_maps.map((m) => m.shape)).toEqual(model.info.layers.map((l) => l.output_shape));
      return out.logits.data;
    });
    expect(worst).toBeLessThan(LOGIT_TOLERANCE);
    expect(accuracy).toBe(heldout.subset_accuracy);
  });

  it('has the receptive fields its card states, the last layer seeing the whole 28x28 image', () => {
    const rf = receptiveFields(model.info.layers, model.info.image_size);
    expect(rf.map((r) => r.size)).toEqual([3, 5, 6, 10, 14, 16, 24, 32, 40, 56, 72, 88]);
    expect(rf.map((r) => r.grid)).toEqual(model.info.layers.map((l) => l.output_shape.slice(1)));
  });

  it('leaks no tensors across repeated runs', async () => {
    const image = greyToRgba(heldout.images_base64[0]);
    await model.run(image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.run(image);
    expect(tf.memory().numTensors).toBe(before);
  });
});
