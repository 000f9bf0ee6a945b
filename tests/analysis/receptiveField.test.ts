import { describe, expect, it } from 'vitest';
import { receptiveFields } from '../../src/analysis/receptiveField';
import type { CnnLayerSpec } from '../../src/models/types';

const conv = (k: number, s = 1, p = 0): CnnLayerSpec => ({ type: 'conv', out_channels: 8, kernel_size: k, stride: s, padding: p });
const pool = (k: number, s: number, p = 0): CnnLayerSpec => ({ type: 'max_pool', out_channels: null, kernel_size: k, stride: s, padding: p });

/** Mean distance from each unit's centre to every image pixel in its window, by brute force over the whole image. */
function bruteMeanDistance(centres: number[][], size: number, image: [number, number]): number {
  let total = 0;
  for (const [cy, cx] of centres) {
    let sum = 0;
    let count = 0;
    for (let y = 0; y < image[0]; y++) {
      for (let x = 0; x < image[1]; x++) {
        if (Math.abs(y - cy) <= (size - 1) / 2 && Math.abs(x - cx) <= (size - 1) / 2) {
          sum += Math.hypot(y - cy, x - cx);
          count++;
        }
      }
    }
    total += sum / count;
  }
  return total / centres.length;
}

describe('receptiveFields', () => {
  it("gives AlexNet's textbook receptive fields (pool5 sees 195 pixels)", () => {
    // conv1 11/4, pool1 3/2, conv2 5/1 pad 2, pool2 3/2, conv3-5 3/1 pad 1, pool5 3/2.
    const alexnet = [conv(11, 4), pool(3, 2), conv(5, 1, 2), pool(3, 2), conv(3, 1, 1), conv(3, 1, 1), conv(3, 1, 1), pool(3, 2)];
    const rf = receptiveFields(alexnet, [227, 227]);
    expect(rf.map((r) => r.size)).toEqual([11, 19, 51, 67, 99, 131, 163, 195]);
    expect(rf.map((r) => r.jump)).toEqual([4, 8, 8, 16, 16, 16, 16, 32]);
    expect(rf.map((r) => r.grid[0])).toEqual([55, 27, 27, 13, 13, 13, 13, 6]);
    expect(rf[0].start).toBe(5); // unit 0 of conv1 covers pixels 0..10
  });

  it("gives the bundled mini-CNN's receptive fields layer by layer", () => {
    const c = conv(3, 1, 1);
    const layers = [c, c, pool(2, 2), c, c, pool(2, 2), c, c, pool(3, 2, 1), c, c, c];
    const rf = receptiveFields(layers, [28, 28]);
    expect(rf.map((r) => r.size)).toEqual([3, 5, 6, 10, 14, 16, 24, 32, 40, 56, 72, 88]);
    expect(rf.map((r) => r.jump)).toEqual([1, 1, 2, 2, 2, 4, 4, 4, 8, 8, 8, 8]);
    expect(rf.map((r) => r.grid[0])).toEqual([28, 28, 14, 14, 14, 7, 7, 7, 4, 4, 4, 4]);
    // 2x2 pooling centres unit 0 between pixels 0 and 1; 'same' convolutions do not move it.
    expect(rf.map((r) => r.start)).toEqual([0, 0, 0.5, 0.5, 0.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    // Windows grow, so the mean distance to the pixels they see grows with depth (clipped by the image).
    for (let l = 1; l < rf.length; l++) expect(rf[l].meanDistance).toBeGreaterThanOrEqual(rf[l - 1].meanDistance);
  });

  it('measures the mean distance to the window pixels on the image, like a uniform attention head', () => {
    // One 3x3 'same' conv on a 3x3 image: the centre unit sees all 9 pixels, corners 4, edges 6.
    const [rf] = receptiveFields([conv(3, 1, 1)], [3, 3]);
    const centre = (4 * Math.SQRT2 + 4) / 9;
    const corner = (2 + Math.SQRT2) / 4;
    const edge = (3 + 2 * Math.SQRT2) / 6;
    expect(rf.meanDistance).toBeCloseTo((centre + 4 * corner + 4 * edge) / 9, 12);

    // A window larger than the image sees all of it: the mean distance between pixel centres of the
    // 7x7 grid of units and every pixel, which is what a head attending uniformly everywhere scores.
    const global = receptiveFields([conv(3, 1, 1), pool(2, 2), conv(5, 1, 2), conv(5, 1, 2), conv(5, 1, 2), conv(5, 1, 2)], [14, 14]).at(-1)!;
    expect(global.size).toBe(36);
    const centres = Array.from({ length: 49 }, (_, i) => [0.5 + 2 * Math.floor(i / 7), 0.5 + 2 * (i % 7)]);
    expect(global.meanDistance).toBeCloseTo(bruteMeanDistance(centres, global.size, [14, 14]), 10);
  });

  it('is 0 for 1x1 layers and rejects a layer with no output', () => {
    expect(receptiveFields([conv(1), conv(1)], [5, 5]).map((r) => [r.size, r.meanDistance])).toEqual([[1, 0], [1, 0]]);
    expect(() => receptiveFields([conv(3), conv(3)], [4, 4])).toThrow(/layer 1 has no output for a 4x4 input/);
    expect(() => receptiveFields([conv(0)], [4, 4])).toThrow(/layer 0 has kernel 0/);
  });
});
