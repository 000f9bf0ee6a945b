// Receptive field of every layer of a CNN, in input pixels, for the inductive-bias lab: the CNN's
// counterpart of the ViT's mean attention distance (attentionDistance.ts), on the same pixel axis.
//
// Standard recurrence over the layers (Araujo et al., "Computing receptive fields of convolutional
// neural networks", Distill 2019), starting from the input pixel (r = 1, j = 1, c = 0):
//   size   r_l = r_{l-1} + (k_l − 1)·j_{l-1}            pixels one unit of layer l sees (width = height)
//   jump   j_l = j_{l-1}·s_l                            pixels between neighbouring units of layer l
//   centre c_l = c_{l-1} + ((k_l − 1)/2 − p_l)·j_{l-1}   input pixel at the centre of unit 0's window
// Padding does not change the size; it only moves the windows (and near the border part of a
// window lies outside the image).
//
// The two quantities are not the same kind of number. Mean attention distance is the average
// distance from a query patch's centre to where its attention goes (about a radius), and only
// counts the image. Its CNN counterpart is `meanDistance` below: the mean distance from a unit's
// centre to the input pixels of its window that lie on the image, i.e. the attention distance of
// a head that attends uniformly over exactly that window. Plot `meanDistance` against the ViT's
// heads for a like-for-like comparison; `size` is the textbook receptive field (a full width).

import type { CnnLayerSpec } from '../models/types';

export interface ReceptiveField {
  /** Side r of the square window of input pixels one unit of this layer depends on. */
  size: number;
  /** Distance j in input pixels between neighbouring units of this layer. */
  jump: number;
  /** Input-pixel coordinate c of the centre of the first unit's window (can be fractional, or negative with padding). */
  start: number;
  /** [height, width] of this layer's output grid. */
  grid: [number, number];
  /**
   * Mean Euclidean distance in input pixels from a unit's centre to the pixels of its window that
   * fall on the image, averaged over all units of the layer (see the header).
   */
  meanDistance: number;
}

/**
 * Receptive field of every layer for an input of imageSize = [height, width] pixels.
 * @returns one entry per layer, in order.
 */
export function receptiveFields(layers: CnnLayerSpec[], imageSize: [number, number]): ReceptiveField[] {
  let [size, jump, start] = [1, 1, 0];
  let grid: [number, number] = imageSize;
  return layers.map((layer, i) => {
    const { kernel_size: k, stride: s, padding: p } = layer;
    if (!(k >= 1 && s >= 1 && p >= 0)) throw new Error(`receptiveFields: layer ${i} has kernel ${k}, stride ${s}, padding ${p}`);
    start += ((k - 1) / 2 - p) * jump;
    size += (k - 1) * jump;
    jump *= s;
    grid = grid.map((n) => Math.floor((n + 2 * p - k) / s) + 1) as [number, number];
    if (grid[0] < 1 || grid[1] < 1) throw new Error(`receptiveFields: layer ${i} has no output for a ${imageSize.join('x')} input`);
    return { size, jump, start, grid, meanDistance: meanDistance(size, jump, start, grid, imageSize) };
  });
}

/** Input pixels [lo, hi] covered along one axis by a window of `size` centred at `centre`, clipped to [0, n). */
function span(centre: number, size: number, n: number): [number, number] {
  const half = (size - 1) / 2;
  return [Math.max(0, Math.ceil(centre - half)), Math.min(n - 1, Math.floor(centre + half))];
}

function meanDistance(size: number, jump: number, start: number, grid: [number, number], imageSize: [number, number]): number {
  let total = 0;
  for (let gy = 0; gy < grid[0]; gy++) {
    const cy = start + gy * jump;
    const [y0, y1] = span(cy, size, imageSize[0]);
    for (let gx = 0; gx < grid[1]; gx++) {
      const cx = start + gx * jump;
      const [x0, x1] = span(cx, size, imageSize[1]);
      let sum = 0;
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) sum += Math.hypot(y - cy, x - cx);
      // A window entirely in the padding has no pixel on the image; it counts as distance 0.
      const count = Math.max(0, y1 - y0 + 1) * Math.max(0, x1 - x0 + 1);
      total += count > 0 ? sum / count : 0;
    }
  }
  return total / (grid[0] * grid[1]);
}
