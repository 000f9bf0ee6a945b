// The inductive-bias lab's image transforms, on small hand-made images whose every pixel is known.

import { describe, expect, it } from 'vitest';
import { fillValue, occlude, occlusionGrid, patchPermutation, permutePatches, shiftImage } from '../../src/analysis/imageTransforms';
import type { NdArray } from '../../src/models/types';

/** A [c, h, w] image whose pixel (ch, row, col) is 100·ch + 10·row + col. */
function ramp(c: number, h: number, w: number): NdArray {
  const data = new Float32Array(c * h * w);
  for (let ch = 0; ch < c; ch++) for (let r = 0; r < h; r++) for (let col = 0; col < w; col++) data[(ch * h + r) * w + col] = 100 * ch + 10 * r + col;
  return { shape: [c, h, w], data };
}
const at = (x: NdArray, ch: number, r: number, c: number) => x.data[(ch * x.shape[1] + r) * x.shape[2] + c];

describe('shiftImage', () => {
  const x = ramp(2, 4, 5);
  const fill = [-1, -2];

  it('zero mode moves pixels right/down and fills the uncovered border per channel', () => {
    const y = shiftImage(x, 2, 1, 'zero', fill);
    expect(y.shape).toEqual([2, 4, 5]);
    expect(at(y, 0, 1, 2)).toBe(at(x, 0, 0, 0));
    expect(at(y, 1, 3, 4)).toBe(at(x, 1, 2, 2));
    expect(at(y, 0, 0, 3)).toBe(-1);
    expect(at(y, 1, 2, 1)).toBe(-2);
    const filled = Array.from(y.data).filter((v, i) => v === fill[Math.floor(i / 20)]).length;
    expect(filled).toBe(2 * (4 * 5 - 3 * 3));
  });

  it('negative shifts move left/up', () => {
    const y = shiftImage(x, -1, -2, 'zero', fill);
    expect(at(y, 0, 0, 0)).toBe(at(x, 0, 2, 1));
    expect(at(y, 0, 2, 0)).toBe(-1);
    expect(at(y, 0, 0, 4)).toBe(-1);
  });

  it('cyclic mode wraps round: a permutation of the pixels, undone by the opposite shift', () => {
    const y = shiftImage(x, 3, -1, 'cyclic', fill);
    expect(at(y, 0, 0, 0)).toBe(at(x, 0, 1, 2));
    expect([...y.data].sort((a, b) => a - b)).toEqual([...x.data].sort((a, b) => a - b));
    expect(Array.from(shiftImage(y, -3, 1, 'cyclic', fill).data)).toEqual(Array.from(x.data));
    expect(Array.from(shiftImage(x, 5, 4, 'cyclic', fill).data)).toEqual(Array.from(x.data));
  });

  it('a zero shift is a copy, and the input is untouched', () => {
    const before = Float32Array.from(x.data);
    const y = shiftImage(x, 0, 0, 'zero', fill);
    expect(y.data).not.toBe(x.data);
    expect(Array.from(y.data)).toEqual(Array.from(before));
    shiftImage(x, 2, 2, 'cyclic', fill);
    expect(Array.from(x.data)).toEqual(Array.from(before));
  });

  it('rejects a malformed array', () => {
    expect(() => shiftImage({ shape: [1, 2, 2], data: new Float32Array(3) }, 1, 0, 'zero', [0])).toThrow(/channels, height, width/);
  });
});

describe('occlusion', () => {
  it('grid: corners that keep the square on the image', () => {
    expect(occlusionGrid(28, 28, 8, 4)).toEqual({ rows: [0, 4, 8, 12, 16, 20], cols: [0, 4, 8, 12, 16, 20] });
    expect(occlusionGrid(5, 7, 5, 2)).toEqual({ rows: [0], cols: [0, 2] });
    expect(() => occlusionGrid(4, 4, 5, 1)).toThrow(/does not fit/);
    expect(() => occlusionGrid(4, 4, 2, 0)).toThrow(/does not fit/);
  });

  it('paints exactly the square, in every channel', () => {
    const x = ramp(3, 6, 6);
    const y = occlude(x, 1, 2, 3, [7, 8, 9]);
    let changed = 0;
    for (let ch = 0; ch < 3; ch++) {
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 6; c++) {
          const inside = r >= 1 && r < 4 && c >= 2 && c < 5;
          expect(at(y, ch, r, c)).toBe(inside ? 7 + ch : at(x, ch, r, c));
          changed += inside ? 1 : 0;
        }
      }
    }
    expect(changed).toBe(27);
    expect(at(x, 0, 1, 2)).toBe(12);
  });
});

describe('patch shuffle', () => {
  it('a seed gives the same permutation every time (pinned), different seeds different ones', () => {
    const p = patchPermutation(49, 0);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 49 }, (_, i) => i));
    expect(patchPermutation(49, 0)).toEqual(p);
    expect(patchPermutation(49, 1)).not.toEqual(p);
    expect(patchPermutation(6, 42)).toEqual(patchPermutation(6, 42));
    expect(patchPermutation(6, 7)).toEqual([4, 1, 2, 3, 5, 0]);
  });

  it('moves whole patches: patch i of the result is patch permutation[i] of the input', () => {
    const x = ramp(2, 4, 6); // 2 x 3 patches of 2 x 2
    const perm = [5, 0, 3, 1, 4, 2];
    const y = permutePatches(x, 2, perm);
    perm.forEach((from, to) => {
      const [tr, tc, fr, fc] = [Math.floor(to / 3), to % 3, Math.floor(from / 3), from % 3];
      for (let ch = 0; ch < 2; ch++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
        expect(at(y, ch, tr * 2 + i, tc * 2 + j)).toBe(at(x, ch, fr * 2 + i, fc * 2 + j));
      }
    });
    expect(Array.from(permutePatches(x, 2, [0, 1, 2, 3, 4, 5]).data)).toEqual(Array.from(x.data));
  });

  it('leaves pixels beyond the last whole patch in place', () => {
    const x = ramp(1, 5, 5);
    const y = permutePatches(x, 2, [3, 2, 1, 0]);
    for (let i = 0; i < 5; i++) {
      expect(at(y, 0, 4, i)).toBe(at(x, 0, 4, i));
      expect(at(y, 0, i, 4)).toBe(at(x, 0, i, 4));
    }
    expect(at(y, 0, 0, 0)).toBe(at(x, 0, 2, 2));
  });

  it('rejects something that is not a permutation of the patches', () => {
    expect(() => permutePatches(ramp(1, 4, 4), 2, [0, 1, 2])).toThrow(/permutation of the 4 patches/);
    expect(() => permutePatches(ramp(1, 4, 4), 2, [0, 1, 1, 3])).toThrow(/permutation/);
  });
});

describe('fillValue', () => {
  it('is the pixel_values a raw pixel becomes after rescale and normalisation', () => {
    const p = { resize: null, center_crop: null, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true, image_mean: [0.286, 0.286, 0.286], image_std: [0.353, 0.353, 0.353] };
    const [black] = fillValue(p, 0, 3);
    expect(black).toBeCloseTo(-0.286 / 0.353, 12);
    expect(fillValue(p, 255, 3)[2]).toBeCloseTo((1 - 0.286) / 0.353, 12);
    expect(fillValue({ ...p, do_normalize: false }, 128, 1)).toEqual([128 / 255]);
    expect(fillValue({ ...p, do_rescale: false, do_normalize: false }, 128, 2)).toEqual([128, 128]);
  });
});
