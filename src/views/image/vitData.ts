// Small selections from a ViT output for the views: which matrix, which row, which grid.
// The maths lives in src/analysis; these only pick and reshape.

import { headOrMean } from '../../analysis/rollout';
import type { FullVitOutput, ImagePreprocessing, NdArray } from '../../models/types';
import type { Pixels } from '../../models/vit/image_processing_vit';
import { t } from '../../i18n';
import type { HeadChoice } from '../../stores';

/** Attention matrix [P + N, P + N] (P = output.prefix_tokens) of one head, or the mean over the layer's heads. */
export function attentionMatrix(output: FullVitOutput, layer: number, head: HeadChoice): NdArray {
  const attention = output.attentions[layer];
  if (!attention) throw new Error(`layer ${layer + 1} does not exist`);
  return headOrMean(attention, head);
}

/**
 * What token `from` (0 = [CLS], 1 = a DeiT's distillation token, P + p = patch p) gives each patch:
 * its row of a [P + N, P + N] matrix without the columns of the P tokens before the patches, as [N].
 * Values stay probabilities; the rest went to those tokens.
 */
export function rowToPatches(matrix: NdArray, from: number, prefix: number): Float32Array {
  const n = matrix.shape[1];
  return matrix.data.slice(from * n + prefix, (from + 1) * n);
}

/**
 * The image the model saw, for drawing under the maps: the processor's 8-bit image when there is
 * one, else (raw pixel_values) each channel stretched from its minimum to its maximum.
 */
export function displayPixels(output: FullVitOutput): ImageData {
  const rgba = output.image ? fromPixels(output.image) : stretchChannels(output.pixel_values);
  return new ImageData(rgba, output.pixel_values.shape[2], output.pixel_values.shape[1]);
}

/** A grey (1-channel) image fills R, G and B alike. */
function toRgba(width: number, height: number, channels: number, value: (pixel: number, channel: number) => number) {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    for (let t = 0; t < 3; t++) out[p * 4 + t] = value(p, channels === 1 ? 0 : t);
    out[p * 4 + 3] = 255;
  }
  return out;
}

function fromPixels(image: Pixels): Uint8ClampedArray<ArrayBuffer> {
  return toRgba(image.width, image.height, image.channels, (p, c) => image.data[p * image.channels + c]);
}

function stretchChannels(pixelValues: NdArray): Uint8ClampedArray<ArrayBuffer> {
  const [channels, height, width] = pixelValues.shape;
  const size = height * width;
  const planes = Array.from({ length: channels }, (_, c) => pixelValues.data.subarray(c * size, (c + 1) * size));
  const scales = planes.map((plane) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of plane) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return { lo, scale: hi > lo ? 255 / (hi - lo) : 0 };
  });
  return toRgba(width, height, channels, (p, c) => (planes[c][p] - scales[c].lo) * scales[c].scale);
}

/** "Layer 3" style labels, 1-based as in papers, in the UI language. */
export const layerLabel = (layer: number) => t('image.layer', { n: layer + 1 });
export const headLabel = (head: HeadChoice) => (head === 'mean' ? t('image.meanOfHeads') : t('image.head', { n: head + 1 }));
/** Who a map's row belongs to: [CLS] or the clicked patch. */
export const whoLabel = (patch: number | null) => (patch === null ? '[CLS]' : t('image.patch', { n: patch }));

/**
 * pixel_values drawn as the 8-bit image they came from: rescaling and normalisation undone
 * (rounded and clamped; a shifted-in border or an occluding square shows as its raw value).
 */
export function pixelValuesImage(x: NdArray, p: ImagePreprocessing): ImageData {
  const [channels, height, width] = x.shape;
  const size = height * width;
  const raw = (v: number, c: number) => {
    const denormalized = p.do_normalize ? v * p.image_std[c % p.image_std.length] + p.image_mean[c % p.image_mean.length] : v;
    return Math.round(p.do_rescale ? denormalized / p.rescale_factor : denormalized);
  };
  return new ImageData(toRgba(width, height, channels, (px, c) => raw(x.data[c * size + px], c)), width, height);
}
