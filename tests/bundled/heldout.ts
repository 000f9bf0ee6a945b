// What the bundled Fashion-MNIST models' tests share: loading the model, and the held-out fixture
// their exporters write (scripts/train/common/export.py, write_heldout_fixture): the first test
// images with the logits PyTorch computed for the model.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, type Model } from '../../src/models/index';
import type { RgbaImage } from '../../src/models/vit/image_processing_vit';

export const ROOT = join(import.meta.dirname, '..', '..');

// float32 in tfjs-wasm vs PyTorch's CPU kernels (fixture logits rounded to 1e-6): the worst difference
// seen was 2.7e-6 (mini-ViT).
export const LOGIT_TOLERANCE = 1e-4;

/** Loads public/models/<name> on the wasm backend for the enclosing describe block; tests read it through the getter. */
export function useBundledModel<K extends Model['kind']>(name: string, kind: K): () => Extract<Model, { kind: K }> {
  let model: Model | undefined;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    model = await loadModel(await fromFolder(join(ROOT, 'public', 'models', name)));
    if (model.kind !== kind) throw new Error(`expected ${kind}, got ${model.kind}`);
  });
  afterAll(() => model?.dispose());
  return () => model as Extract<Model, { kind: K }>;
}

/** Runs `run` a few times after a first call and asserts the backend holds no more tensors than after it. */
export async function expectNoTensorLeak(run: () => Promise<unknown>): Promise<void> {
  await run();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await run();
  expect(tf.memory().numTensors).toBe(before);
}

export interface Heldout {
  images_base64: string[];
  labels: number[];
  top1: number[];
  logits: number[][];
  subset_accuracy: number;
}

export function loadHeldout<T extends Heldout = Heldout>(model: string): T {
  return JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', model, 'heldout.json'), 'utf8')) as T;
}

/** A 28x28 grey image as the browser decodes a grey PNG: R = G = B = grey, opaque. */
export function greyToRgba(base64: string): RgbaImage {
  const grey = Buffer.from(base64, 'base64');
  const data = new Uint8Array(grey.length * 4);
  grey.forEach((v, i) => data.set([v, v, v, 255], i * 4));
  return { width: 28, height: 28, data };
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * Runs every held-out image through `logitsOf` and asserts PyTorch's top-1 for each; returns the
 * largest logit difference from PyTorch and the accuracy on the images.
 */
export async function replayHeldout(
  heldout: Heldout,
  logitsOf: (image: RgbaImage) => Promise<Float32Array>,
): Promise<{ worst: number; accuracy: number }> {
  let worst = 0;
  let correct = 0;
  for (let i = 0; i < heldout.images_base64.length; i++) {
    const logits = await logitsOf(greyToRgba(heldout.images_base64[i]));
    heldout.logits[i].forEach((v, k) => (worst = Math.max(worst, Math.abs(logits[k] - v))));
    expect(argmax(logits), `image ${i}`).toBe(heldout.top1[i]);
    if (argmax(logits) === heldout.labels[i]) correct++;
  }
  return { worst, accuracy: correct / heldout.labels.length };
}
