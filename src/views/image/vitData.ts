// Small selections from a ViT output for the views: which matrix, which row, which grid.
// The maths lives in src/analysis; these only pick and reshape.

import { fuseHeads } from '../../analysis/rollout';
import { headOf } from '../../analysis/ndarray';
import type { ImagePreprocessing, ModelInfo, NdArray, VitOutput } from '../../models/types';
import type { HeadChoice } from '../../stores/imageStore';

/** Attention matrix [1 + N, 1 + N] of one head, or the mean over the layer's heads. */
export function attentionMatrix(output: VitOutput, layer: number, head: HeadChoice): NdArray {
  const attention = output.attentions[layer];
  if (!attention) throw new Error(`layer ${layer + 1} does not exist`);
  if (head !== 'mean') return headOf(attention, head);
  const n = attention.shape[1];
  return { shape: [n, n], data: Float32Array.from(fuseHeads(attention, 'mean')) };
}

/**
 * What token `from` (0 = [CLS], 1 + p = patch p) gives each patch: its row of an [1 + N, 1 + N]
 * matrix without the [CLS] column, as [N]. Values stay probabilities; the rest went to [CLS].
 */
export function rowToPatches(matrix: NdArray, from: number): Float32Array {
  const n = matrix.shape[1];
  return matrix.data.slice(from * n + 1, (from + 1) * n);
}

/**
 * The patch grid the position embeddings were trained for: from config image_size and
 * patch_size (an int or [h, w]), else the square root of the number of patch positions.
 */
export function trainedGrid(info: ModelInfo): [number, number] {
  const positions = info.position_embeddings.shape[0] - 1;
  const pair = (v: unknown): [number, number] | null =>
    typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number') ? [v[0], v[1]] : null;
  const image = pair(info.config.image_size);
  const patch = pair(info.config.patch_size);
  if (image && patch && (image[0] / patch[0]) * (image[1] / patch[1]) === positions) {
    return [image[0] / patch[0], image[1] / patch[1]];
  }
  const side = Math.round(Math.sqrt(positions));
  if (side * side !== positions) throw new Error(`cannot lay ${positions} position embeddings out on a grid`);
  return [side, side];
}

/**
 * pixel_values [C, H, W] back to the 8-bit pixels the processor started from, by inverting its
 * float steps (x -> (x * rescale_factor - mean) / std). Without those steps (a model info from an
 * older worker), each channel is stretched from its minimum to its maximum instead.
 */
export function displayPixels(pixelValues: NdArray, steps: ImagePreprocessing | undefined): ImageData {
  const [channels, height, width] = pixelValues.shape;
  const size = height * width;
  const out = new Uint8ClampedArray(size * 4);
  for (let c = 0; c < channels; c++) {
    const plane = pixelValues.data.subarray(c * size, (c + 1) * size);
    const toByte = steps ? invertSteps(steps, c) : stretch(plane);
    // A grey (1-channel) input fills R, G and B alike.
    const targets = channels === 1 ? [0, 1, 2] : [c];
    for (let p = 0; p < size; p++) {
      const v = toByte(plane[p]);
      for (const t of targets) out[p * 4 + t] = v;
    }
  }
  for (let p = 0; p < size; p++) out[p * 4 + 3] = 255;
  return new ImageData(out, width, height);
}

function invertSteps(steps: ImagePreprocessing, channel: number): (v: number) => number {
  const mean = steps.do_normalize ? steps.image_mean[channel] : 0;
  const std = steps.do_normalize ? steps.image_std[channel] : 1;
  const rescale = steps.do_rescale ? steps.rescale_factor : 1;
  return (v) => Math.round((v * std + mean) / rescale);
}

function stretch(plane: Float32Array): (v: number) => number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of plane) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  return (v) => (v - lo) * scale;
}

/** "Layer 3" style labels, 1-based as in papers. */
export const layerLabel = (layer: number) => `Layer ${layer + 1}`;
export const headLabel = (head: HeadChoice) => (head === 'mean' ? 'mean of heads' : `head ${head + 1}`);
