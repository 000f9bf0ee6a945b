// The bundled mini-CNN (public/models/mini-cnn), run by the TypeScript model core, must reproduce
// what PyTorch computed for it at export time (scripts/train/cnn/export.py): the logits and top-1
// of 200 held-out Fashion-MNIST test images and the accuracy on them, from the grey images through
// the same ViTImageProcessor steps the mini-ViT uses; and its card's numbers must be the exported ones.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { receptiveFields } from '../../src/analysis/receptiveField';
import { expectNoTensorLeak, greyToRgba, loadHeldout, LOGIT_TOLERANCE, replayHeldout, ROOT, useBundledModel } from './heldout';

const heldout = loadHeldout('mini-cnn');
const read = (dir: string, file: string) => readFileSync(join(ROOT, 'public', 'models', dir, file), 'utf8');
const evalResults = JSON.parse(read('mini-cnn', 'eval_results.json')) as { parameters: number };

describe('bundled mini-CNN (Fashion-MNIST)', () => {
  const cnn = useBundledModel('mini-cnn', 'cnn');

  it("loads with mini-ViT's labels and preprocessing and the exported parameter count", () => {
    expect(cnn().info.warnings).toEqual([]);
    expect(cnn().info.num_parameters).toBe(evalResults.parameters);
    const vitLabels = (JSON.parse(read('mini-vit', 'config.json')) as { id2label: Record<string, string> }).id2label;
    expect(cnn().info.config.id2label).toEqual(Array.from({ length: 10 }, (_, i) => vitLabels[String(i)]));
    expect(JSON.parse(read('mini-cnn', 'preprocessor_config.json'))).toEqual(JSON.parse(read('mini-vit', 'preprocessor_config.json')));
    expect(cnn().info.layers.at(-1)!.output_shape).toEqual([256, 4, 4]);
  });

  it('reproduces the PyTorch logits, top-1 and accuracy on 200 held-out test images', async () => {
    const { worst, accuracy } = await replayHeldout(heldout, async (image) => {
      const out = await cnn().run(image);
      expect(out.feature_maps.map((m) => m.shape)).toEqual(cnn().info.layers.map((l) => l.output_shape));
      return out.logits.data;
    });
    expect(worst).toBeLessThan(LOGIT_TOLERANCE);
    expect(accuracy).toBe(heldout.subset_accuracy);
  });

  it('has the receptive fields its card states, the last layer seeing the whole 28x28 image', () => {
    const rf = receptiveFields(cnn().info.layers, cnn().info.config.image_size);
    expect(rf.map((r) => r.size)).toEqual([3, 5, 6, 10, 14, 16, 24, 32, 40, 56, 72, 88]);
    expect(rf.map((r) => r.grid)).toEqual(cnn().info.layers.map((l) => l.output_shape.slice(1)));
  });

  it('leaks no tensors across repeated runs', async () => {
    const image = greyToRgba(heldout.images_base64[0]);
    await expectNoTensorLeak(() => cnn().run(image));
  });
});
