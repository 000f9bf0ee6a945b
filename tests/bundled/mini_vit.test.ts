// The bundled mini-ViT (public/models/mini-vit), run by the TypeScript model core, must reproduce
// what PyTorch computed for it at export time (scripts/train/vit/export.py): the logits and top-1
// of 200 held-out Fashion-MNIST test images, the accuracy on them, the predictions for the sample
// PNGs the app offers, and the 2-D structure figure of the learned position embeddings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionStructure } from '../../src/analysis/positionStructure';
import { decodeImage } from '../../src/models/vit/image_decode';
import {
  expectNoTensorLeak,
  greyToRgba,
  loadHeldout,
  LOGIT_TOLERANCE,
  replayHeldout,
  ROOT,
  useBundledModel,
  type Heldout,
} from './heldout';

const SAMPLES_DIR = join(ROOT, 'public', 'samples');

interface SampleIndex {
  samples: { file: string; label: string; label_id: number; test_index: number; predicted: string }[];
}

const heldout = loadHeldout<Heldout & { position_embedding_spearman: number }>('mini-vit');
const sampleIndex: SampleIndex = JSON.parse(readFileSync(join(SAMPLES_DIR, 'index.json'), 'utf8'));

describe('bundled mini-ViT (Fashion-MNIST)', () => {
  const vit = useBundledModel('mini-vit', 'vit');

  it('loads as a ViT classifier over the ten Fashion-MNIST classes with a 7x7 patch grid', () => {
    expect(vit().info.warnings).toEqual([]);
    expect(vit().info.heads.classifier).toBe(true);
    expect(vit().info.position_embeddings.shape).toEqual([1 + 49, vit().info.config.hidden_size]);
    expect(vit().info.config.id2label).toMatchObject({ '0': 'T-shirt/top', '9': 'Ankle boot' });
  });

  it('reproduces the PyTorch logits, top-1 and accuracy on 200 held-out test images', async () => {
    const { worst, accuracy } = await replayHeldout(heldout, async (image) => {
      const out = await vit().run(image);
      expect(out.grid).toEqual([7, 7]);
      return out.logits!.data;
    });
    expect(worst).toBeLessThan(LOGIT_TOLERANCE);
    expect(accuracy).toBe(heldout.subset_accuracy);
  });

  it('classifies the bundled sample PNGs as PyTorch does', async () => {
    expect(sampleIndex.samples.length).toBeGreaterThanOrEqual(12);
    for (const sample of sampleIndex.samples) {
      const image = await decodeImage(readFileSync(join(SAMPLES_DIR, sample.file)), sample.file);
      const out = await vit().run(image);
      expect(out.top![0].label, sample.file).toBe(sample.predicted);
    }
  });

  it('has the measured 2-D structure in its learned position embeddings', () => {
    const pos = vit().info.position_embeddings;
    const hidden = pos.shape[1];
    const patches = { shape: [49, hidden], data: pos.data.slice(hidden) };
    expect(positionStructure(patches, [7, 7]).mean).toBeCloseTo(heldout.position_embedding_spearman, 4);
  });

  it('leaks no tensors across repeated runs', async () => {
    const image = greyToRgba(heldout.images_base64[0]);
    await expectNoTensorLeak(() => vit().run(image));
  });
});
