// Image transforms of the inductive-bias lab, on a model input (pixel_values [C, H, W]): shift it,
// cover part of it, or cut it into patches and reorder them. They run on the page (so the lab can
// show what the models read) and in Node (so tests recompute what the lab shows), and each returns
// a new array, leaving its input as it was.
// Filling uses a value per channel in pixel_values units, i.e. after rescaling and normalisation
// (see fillValue): "zero" means a black pixel, as the Fashion-MNIST background is.

import type { ImagePreprocessing, NdArray } from '../models/types';
import { mulberry32, shuffle } from './random';

/** How a shift treats the pixels it pushes over the edge: dropped (zero fill) or wrapped round (cyclic). */
export type ShiftMode = 'zero' | 'cyclic';

function dims(x: NdArray): [number, number, number] {
  const [c, h, w] = x.shape;
  if (x.shape.length !== 3 || x.data.length !== c * h * w) throw new Error(`expected [channels, height, width], got [${x.shape.join(',')}]`);
  return [c, h, w];
}

/** The pixel_values each channel gets for a raw 8-bit pixel value `raw` (0 = black, 255 = white). */
export function fillValue(p: ImagePreprocessing, raw: number, channels: number): number[] {
  return Array.from({ length: channels }, (_, c) => {
    const v = p.do_rescale ? raw * p.rescale_factor : raw;
    return p.do_normalize ? (v - p.image_mean[c % p.image_mean.length]) / p.image_std[c % p.image_std.length] : v;
  });
}

const mod = (a: number, n: number) => ((a % n) + n) % n;

/**
 * The image moved dx pixels right and dy pixels down. Zero mode fills the uncovered border with
 * `fill`; cyclic mode wraps what leaves one side in at the other (a torus: nothing is lost).
 */
export function shiftImage(x: NdArray, dx: number, dy: number, mode: ShiftMode, fill: number[]): NdArray {
  const [c, h, w] = dims(x);
  const out = new Float32Array(x.data.length);
  for (let ch = 0; ch < c; ch++) {
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        let [sr, sc] = [row - dy, col - dx];
        if (mode === 'cyclic') [sr, sc] = [mod(sr, h), mod(sc, w)];
        const inside = sr >= 0 && sr < h && sc >= 0 && sc < w;
        out[(ch * h + row) * w + col] = inside ? x.data[(ch * h + sr) * w + sc] : fill[ch];
      }
    }
  }
  return { shape: [c, h, w], data: out };
}

/** Top-left corners [row, col] of a size x size square slid with `stride` so that it stays on an h x w image. */
export function occlusionGrid(h: number, w: number, size: number, stride: number): { rows: number[]; cols: number[] } {
  if (!(size >= 1 && size <= Math.min(h, w) && stride >= 1)) throw new Error(`occlusion square ${size} with stride ${stride} does not fit ${h}x${w}`);
  const starts = (n: number) => Array.from({ length: Math.floor((n - size) / stride) + 1 }, (_, i) => i * stride);
  return { rows: starts(h), cols: starts(w) };
}

/** The image with the size x size square at (top, left) painted `fill`. */
export function occlude(x: NdArray, top: number, left: number, size: number, fill: number[]): NdArray {
  const [c, h, w] = dims(x);
  const out = Float32Array.from(x.data);
  for (let ch = 0; ch < c; ch++) {
    for (let row = Math.max(0, top); row < Math.min(h, top + size); row++) {
      out.fill(fill[ch], (ch * h + row) * w + Math.max(0, left), (ch * h + row) * w + Math.min(w, left + size));
    }
  }
  return { shape: [c, h, w], data: out };
}

/** A permutation of 0..n−1 drawn from `seed` (the labs' seeded generator: the same in Node and every browser). */
export function patchPermutation(n: number, seed: number): number[] {
  return shuffle(mulberry32(seed), Array.from({ length: n }, (_, i) => i));
}

/**
 * The image cut into patch x patch squares (row by row, as the ViT cuts it) and reassembled with
 * square i taken from square permutation[i]; each square's pixels stay as they were. Pixels beyond
 * the last whole patch (an image side not divisible by `patch`) stay in place.
 */
export function permutePatches(x: NdArray, patch: number, permutation: number[]): NdArray {
  const [c, h, w] = dims(x);
  const [rows, cols] = [Math.floor(h / patch), Math.floor(w / patch)];
  if (permutation.length !== rows * cols || [...permutation].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`need a permutation of the ${rows * cols} patches, got ${permutation.length} entries`);
  }
  const out = Float32Array.from(x.data);
  permutation.forEach((from, to) => {
    const [tr, tc, fr, fc] = [Math.floor(to / cols), to % cols, Math.floor(from / cols), from % cols];
    for (let ch = 0; ch < c; ch++) {
      for (let i = 0; i < patch; i++) {
        const src = (ch * h + fr * patch + i) * w + fc * patch;
        out.set(x.data.subarray(src, src + patch), (ch * h + tr * patch + i) * w + tc * patch);
      }
    }
  });
  return { shape: [c, h, w], data: out };
}
