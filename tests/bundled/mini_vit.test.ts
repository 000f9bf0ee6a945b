// The bundled mini-ViT (public/models/mini-vit), run by the TypeScript model core, must reproduce
// what PyTorch computed for it at export time (scripts/train/vit/export.py): the logits and top-1
// of 200 held-out Fashion-MNIST test images, the accuracy on them, the predictions for the sample
// PNGs the app offers, and the 2-D structure figure of the learned position embeddings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { positionStructure } from '../../src/analysis/positionStructure';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, type VitModel } from '../../src/models/index';
import { decodeImage } from '../../src/models/vit/image_decode';
import { greyToRgba, loadHeldout, replayHeldout, ROOT, type Heldout } from './heldout';

const MODEL_DIR = join(ROOT, 'public', 'models', 'mini-vit');
const SAMPLES_DIR = join(ROOT, 'public', 'samples');

interface SampleIndex {
  samples: { file: string; label: string; label_id: number; test_index: number; predicted: string }[];
}

const heldout = loadHeldout<Heldout & { position_embedding_spearman: number }>('mini-vit');
const sampleIndex: SampleIndex = JSON.parse(readFileSync(join(SAMPLES_DIR, 'index.json'), 'utf8'));

// float32 in tfjs-wasm vs PyTorch's CPU kernels (fixture logits rounded to 1e-6): the worst difference seen was 2.7e-6.
const LOGIT_TOLERANCE = 1e-4;

describe('bundled mini-ViT (Fashion-MNIST)', () => {
  let model: VitModel;

  beforeAll(async () => {
    await initNodeBackend('wasm');
    const loaded = await loadModel(await fromFolder(MODEL_DIR));
    if (loaded.kind !== 'vit') throw new Error(`expected a ViT, got ${loaded.kind}`);
    model = loaded;
  });

  afterAll(() => model?.dispose());

  it('loads as a ViT classifier over the ten Fashion-MNIST classes with a 7x7 patch grid', () => {
    expect(model.info.warnings).toEqual([]);
    expect(model.info.heads.classifier).toBe(true);
    expect(model.info.position_embeddings.shape).toEqual([1 + 49, model.info.hidden_size]);
    expect(model.info.config.id2label).toMatchObject({ '0': 'T-shirt/top', '9': 'Ankle boot' });
  });

  it('reproduces the PyTorch logits, top-1 and accuracy on 200 held-out test images', async () => {
    const { worst, accuracy } = await replayHeldout(heldout, async (image) => {
      const out = await model.run(image);
      expect(out.grid).toEqual([7, 7]);
      return out.logits!.data;
    });
    expect(worst).toBeLessThan(LOGIT_TOLERANCE);
    expect(accuracy).toBe(heldout.subset_accuracy);
  });

  it('classifies the bundled sample PNGs as PyTorch does', async () => {
    expect(sampleIndex.samples.length).toBeGreaterThanOrEqual(12);
    for (const sample of sampleIndex.samples) {
      const image = decodeImage(readFileSync(join(SAMPLES_DIR, sample.file)), sample.file);
      const out = await model.run(image);
      expect(out.top![0].label, sample.file).toBe(sample.predicted);
    }
  });

  it('has the measured 2-D structure in its learned position embeddings', () => {
    const pos = model.info.position_embeddings;
    const hidden = pos.shape[1];
    const patches = { shape: [49, hidden], data: pos.data.slice(hidden) };
    expect(positionStructure(patches, [7, 7]).mean).toBeCloseTo(heldout.position_embedding_spearman, 4);
  });

  it('leaks no tensors across repeated runs', async () => {
    const image = greyToRgba(heldout.images_base64[0]);
    await model.run(image);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await model.run(image);
    expect(tf.memory().numTensors).toBe(before);
  });
});
