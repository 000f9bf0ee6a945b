// The shipped position-embedding timeline of mini-ViT (public/models/mini-vit/position_timeline.*,
// written by scripts/train/vit/timeline.py): the format the app's slider reads, and the Spearman
// number of every frame reproduced by the app's own analysis from the float16 embeddings.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { positionStructure } from '../../src/analysis/positionStructure';
import { parseSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import { ROOT } from './heldout';

const DIR = join(ROOT, 'public', 'models', 'mini-vit');

interface Frame {
  step: number;
  images: number;
  minutes: number;
  test_accuracy: number;
  spearman: number;
}

const index = JSON.parse(readFileSync(join(DIR, 'position_timeline.json'), 'utf8')) as { grid: [number, number]; frames: Frame[] };
const file = parseSafetensors(new Uint8Array(readFileSync(join(DIR, 'position_timeline.safetensors'))), 'position_timeline.safetensors');
const entry = file.tensors.get('position_embeddings')!;
const hidden = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8')).hidden_size as number;

describe('mini-ViT position-embedding timeline', () => {
  it('holds one float16 [1 + 49, hidden] frame per index entry, from the initialisation on', () => {
    expect(entry.dtype).toBe('F16');
    expect(entry.shape).toEqual([index.frames.length, 1 + 49, hidden]);
    expect(index.grid).toEqual([7, 7]);
    expect(index.frames[0].step).toBe(0);
    expect(index.frames.length).toBeGreaterThanOrEqual(20);
    for (let t = 1; t < index.frames.length; t++) {
      expect(index.frames[t].step).toBeGreaterThan(index.frames[t - 1].step);
      expect(index.frames[t].images).toBe(index.frames[t].step * 128);
    }
  });

  it("gives every frame's Spearman number with the app's analysis", () => {
    const values = toFloat32(entry);
    const size = (1 + 49) * hidden;
    index.frames.forEach((frame, t) => {
      const patches = { shape: [49, hidden], data: values.slice(t * size + hidden, (t + 1) * size) };
      expect(positionStructure(patches, [7, 7]).mean, `frame ${t}`).toBeCloseTo(frame.spearman, 4);
    });
    // Random initialisation has no grid structure; the end of training has some.
    expect(Math.abs(index.frames[0].spearman)).toBeLessThan(0.1);
    expect(index.frames.at(-1)!.spearman).toBeLessThan(index.frames[0].spearman - 0.2);
  });
});
