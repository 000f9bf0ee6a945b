// Hugging Face's ViTImageProcessor and DeiTImageProcessor (the Pillow ones), step for step:
//   convert('RGB' | 'L') -> Image.resize((width, height), resample) -> [DeiT: center crop]
//   -> x * rescale_factor -> (x - image_mean) / image_std -> channels first [C, H, W].
// Resizing reproduces Pillow's 8-bit resampler (src/libImaging/Resample.c) exactly, fixed-point
// coefficients and per-pass rounding included. tf.image.resizeBilinear is not a substitute: it does
// not widen the kernel when shrinking (no antialiasing), so fine detail aliases instead of averaging.
// The float steps reproduce transformers' numpy dtypes (float64 rescale, float32 normalize).

import { isObject, JsonFields } from '../checkpoint/json';
import { ModelError } from '../errors';
import type { ImagePreprocessing, NdArray } from '../types';
import { checkPixels, MAX_IMAGE_PIXELS, megapixels } from './image_header';

/** A decoded image: 8-bit RGBA, row-major, 4 bytes per pixel. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** An 8-bit image as numpy sees a Pillow "RGB" or "L" image: row-major, channels interleaved (HWC). */
export interface Pixels {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** Pillow's `Image.Resampling` values, as stored in `preprocessor_config.json` under "resample". */
export const Resampling = { NEAREST: 0, LANCZOS: 1, BILINEAR: 2, BICUBIC: 3, BOX: 4, HAMMING: 5 } as const;
export type Resample = (typeof Resampling)[keyof typeof Resampling];

// ------------------------------------------------------------------------------ colour conversion

function checkSize(width: number, height: number, what: string): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new ModelError('malformed', `${what} must be positive integers, got ${width}x${height}`);
  }
}

function checkRgba(image: RgbaImage): void {
  const { width, height, data } = image;
  checkSize(width, height, 'image size');
  if (data.length !== width * height * 4) {
    throw new ModelError('malformed', `RGBA image ${width}x${height} needs ${width * height * 4} bytes, got ${data.length}`);
  }
}

/** Pillow's convert('RGB') of an RGBA image: alpha is dropped, not composited onto a background. */
export function toRgb(image: RgbaImage): Pixels {
  checkRgba(image);
  const n = image.width * image.height;
  const out = new Uint8Array(n * 3);
  const d = image.data;
  for (let i = 0; i < n; i++) {
    out[i * 3] = d[i * 4];
    out[i * 3 + 1] = d[i * 4 + 1];
    out[i * 3 + 2] = d[i * 4 + 2];
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}

/**
 * Pillow's convert('L'): ITU-R 601-2 luma L = R*299/1000 + G*587/1000 + B*114/1000, in Pillow's
 * 16.16 fixed point with rounding (the weights 19595 + 38470 + 7471 sum to 65536, so grey stays grey).
 */
export function toGrey(image: RgbaImage): Pixels {
  checkRgba(image);
  const n = image.width * image.height;
  const out = new Uint8Array(n);
  const d = image.data;
  for (let i = 0; i < n; i++) {
    out[i] = (d[i * 4] * 19595 + d[i * 4 + 1] * 38470 + d[i * 4 + 2] * 7471 + 0x8000) >> 16;
  }
  return { width: image.width, height: image.height, channels: 1, data: out };
}

// ------------------------------------------------------------------------------ Pillow resampling

interface Filter {
  /** Half-width of the kernel at scale 1, in input pixels. */
  support: number;
  weight: (x: number) => number;
}

// Pillow's hamming window uses the float literals 0.54f and 0.46f, promoted to double.
const HAMMING_A = Math.fround(0.54);
const HAMMING_B = Math.fround(0.46);

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const FILTERS: Record<Exclude<Resample, 0>, Filter> = {
  [Resampling.BOX]: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  [Resampling.BILINEAR]: {
    support: 1,
    weight: (x) => {
      const ax = Math.abs(x);
      return ax < 1 ? 1 - ax : 0;
    },
  },
  [Resampling.HAMMING]: {
    support: 1,
    weight: (x) => {
      const ax = Math.abs(x);
      if (ax === 0) return 1;
      if (ax >= 1) return 0;
      const px = ax * Math.PI;
      return (Math.sin(px) / px) * (HAMMING_A + HAMMING_B * Math.cos(px));
    },
  },
  [Resampling.BICUBIC]: {
    // Keys' cubic convolution with a = -0.5, written in Pillow's evaluation order.
    support: 2,
    weight: (x) => {
      const a = -0.5;
      const ax = Math.abs(x);
      if (ax < 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
      if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
      return 0;
    },
  },
  [Resampling.LANCZOS]: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Pillow keeps 8 bits for the pixel and 2 for overshoot of negative-lobed kernels in an int32 accumulator. */
const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;

interface Coefficients {
  /** Slots per output pixel (the widest kernel). */
  ksize: number;
  /** Per output pixel: first input index and number of taps. */
  first: Int32Array;
  count: Int32Array;
  /** Fixed-point weights, `ksize` slots per output pixel. */
  weights: Int32Array;
}

/**
 * Taps and weights for resampling `inSize` input pixels to `outSize` along one axis. When shrinking,
 * the kernel is stretched by the scale factor (antialiasing). Weights are normalised to sum to 1 in
 * double precision, then rounded half away from zero to PRECISION_BITS fixed point, as Pillow does.
 */
function precomputeCoefficients(inSize: number, outSize: number, filter: Filter): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const invFilterScale = 1 / filterScale;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    let sum = 0;
    for (let x = 0; x < xmax - xmin; x++) {
      w[x] = filter.weight((x + xmin - center + 0.5) * invFilterScale);
      sum += w[x];
    }
    for (let x = 0; x < xmax - xmin; x++) {
      const k = sum !== 0 ? w[x] / sum : w[x];
      weights[xx * ksize + x] = Math.trunc(k < 0 ? -0.5 + k * ONE : 0.5 + k * ONE);
    }
    first[xx] = xmin;
    count[xx] = xmax - xmin;
  }
  return { ksize, first, count, weights };
}

/** Pillow's rounding back to 8 bits: the accumulator started at one half, so this rounds to nearest. */
function clip8(acc: number): number {
  const v = Math.floor(acc / ONE);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Horizontal pass: each output pixel is a weighted sum of neighbouring input pixels in its row. */
function resampleHorizontal(src: Pixels, outWidth: number, filter: Filter): Pixels {
  const { width, height, channels, data } = src;
  const { ksize, first, count, weights } = precomputeCoefficients(width, outWidth, filter);
  const out = new Uint8Array(outWidth * height * channels);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < outWidth; i++) {
      const base = (y * width + first[i]) * channels;
      const end = base + count[i] * channels;
      const o = (y * outWidth + i) * channels;
      // Channels unrolled: this pass does most of the work when shrinking a photo.
      let k = i * ksize;
      if (channels === 3) {
        let r = ONE / 2, g = ONE / 2, b = ONE / 2;
        for (let p = base; p < end; p += 3, k++) {
          const w = weights[k];
          r += data[p] * w;
          g += data[p + 1] * w;
          b += data[p + 2] * w;
        }
        out[o] = clip8(r);
        out[o + 1] = clip8(g);
        out[o + 2] = clip8(b);
      } else {
        let l = ONE / 2;
        for (let p = base; p < end; p++, k++) l += data[p] * weights[k];
        out[o] = clip8(l);
      }
    }
  }
  return { width: outWidth, height, channels, data: out };
}

/** Vertical pass: each output row is a weighted sum of input rows (summed row by row for locality). */
function resampleVertical(src: Pixels, outHeight: number, filter: Filter): Pixels {
  const { width, height, channels, data } = src;
  const { ksize, first, count, weights } = precomputeCoefficients(height, outHeight, filter);
  const rowLength = width * channels;
  const out = new Uint8Array(rowLength * outHeight);
  // Integer sums below 2^53 are exact in doubles, so the order of summation cannot change the result.
  const acc = new Float64Array(rowLength);
  for (let i = 0; i < outHeight; i++) {
    acc.fill(ONE / 2);
    for (let t = 0; t < count[i]; t++) {
      const w = weights[i * ksize + t];
      const row = (first[i] + t) * rowLength;
      for (let j = 0; j < rowLength; j++) acc[j] += data[row + j] * w;
    }
    for (let j = 0; j < rowLength; j++) out[i * rowLength + j] = clip8(acc[j]);
  }
  return { width, height: outHeight, channels, data: out };
}

/**
 * Pillow's NEAREST resize (an affine scale, Geometry.c): the source coordinate of output pixel x is
 * trunc(scale/2 + x*scale), accumulated by repeated addition in double precision as Pillow does.
 * A coordinate that rounding pushes past the edge leaves the pixel 0, as Pillow's fill does.
 */
function resizeNearest(src: Pixels, width: number, height: number): Pixels {
  const { channels } = src;
  const sourceIndex = (inSize: number, outSize: number): Int32Array => {
    const step = inSize / outSize;
    const index = new Int32Array(outSize);
    let pos = step * 0.5;
    for (let i = 0; i < outSize; i++) {
      const s = Math.trunc(pos);
      index[i] = s < inSize ? s : -1;
      pos += step;
    }
    return index;
  };
  const xs = sourceIndex(src.width, width);
  const ys = sourceIndex(src.height, height);
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ys[y] < 0 || xs[x] < 0) continue;
      const s = (ys[y] * src.width + xs[x]) * channels;
      out.set(src.data.subarray(s, s + channels), (y * width + x) * channels);
    }
  }
  return { width, height, channels, data: out };
}

/** Filter-weight slots of one pass: `ksize` per output pixel, as precomputeCoefficients allocates them. */
function coefficientCount(inSize: number, outSize: number, filter: Filter): number {
  return outSize * (Math.ceil(filter.support * Math.max(inSize / outSize, 1)) * 2 + 1);
}

/**
 * Refuses a resize whose buffers would pass the image limit, before anything is allocated: the
 * output, the intermediate image between the passes (output width x input height), and the
 * filter-weight tables (about 2·support·input size per pass, so only extreme aspect ratios reach
 * the limit). With all three bounded the work is bounded too, at most (2·support + 1)
 * multiply-adds per channel for each input, intermediate and output pixel.
 */
export function checkResize(inWidth: number, inHeight: number, width: number, height: number, resample: Resample, fileName?: string): void {
  const prefix = fileName ? `${fileName}: ` : '';
  const what = `resizing ${inWidth}x${inHeight} to ${width}x${height}`;
  checkPixels(width, height, `${prefix}the image after ${what}`);
  const filter = FILTERS[resample as Exclude<Resample, 0>];
  if (!filter) return; // NEAREST: no intermediate image, no weights
  const horizontal = inWidth !== width;
  const vertical = inHeight !== height;
  if (horizontal && vertical) checkPixels(width, inHeight, `${prefix}the intermediate image of ${what}`);
  const weights = (horizontal ? coefficientCount(inWidth, width, filter) : 0) + (vertical ? coefficientCount(inHeight, height, filter) : 0);
  if (weights > MAX_IMAGE_PIXELS) {
    throw new ModelError(
      'unsupported',
      `${prefix}${what} needs ${megapixels(weights)} M filter weights, more than the ${MAX_IMAGE_PIXELS / 1e6} M limit (the image is too long and thin)`,
    );
  }
}

/**
 * Pillow's `Image.resize((width, height), resample)` on an 8-bit image: horizontal pass first,
 * then vertical; a pass is skipped when its dimension does not change. Refused up front when
 * checkResize finds its buffers too large.
 */
export function resizePillow(image: Pixels, width: number, height: number, resample: Resample): Pixels {
  checkSize(width, height, 'resize target');
  if (image.width === width && image.height === height) return { ...image, data: image.data.slice() };
  if (resample !== Resampling.NEAREST && !FILTERS[resample]) {
    throw new ModelError('unsupported', `unknown resample filter ${resample} (Pillow's are 0..5)`);
  }
  checkResize(image.width, image.height, width, height, resample);
  if (resample === Resampling.NEAREST) return resizeNearest(image, width, height);
  const filter = FILTERS[resample];
  const horizontal = image.width !== width ? resampleHorizontal(image, width, filter) : image;
  return image.height !== height ? resampleVertical(horizontal, height, filter) : horizontal;
}

/**
 * transformers' `center_crop` on an 8-bit image. The window starts at floor((size - crop) / 2) on
 * each axis, so an odd margin leaves the extra pixel at the bottom/right. Where the crop is larger
 * than the image, HF first pads with zeros, ceil(margin / 2) before, and that puts the same window
 * start on the padded image: the output is the image at that offset with 0 wherever it falls outside.
 */
export function centerCrop(image: Pixels, width: number, height: number): Pixels {
  checkSize(width, height, 'crop size');
  const { channels } = image;
  const top = Math.floor((image.height - height) / 2);
  const left = Math.floor((image.width - width) / 2);
  const out = new Uint8Array(width * height * channels);
  const x0 = Math.max(0, -left);
  const x1 = Math.min(width, image.width - left);
  const y1 = Math.min(height, image.height - top);
  for (let y = Math.max(0, -top); y < y1; y++) {
    const src = ((y + top) * image.width + left + x0) * channels;
    out.set(image.data.subarray(src, src + (x1 - x0) * channels), (y * width + x0) * channels);
  }
  return { width, height, channels, data: out };
}

// ------------------------------------------------------------------------------ float steps

/** transformers' `rescale`: float64 multiply, then cast to float32. Channels stay interleaved. */
export function rescale(image: Pixels, factor: number): Float32Array {
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = image.data[i] * factor;
  return out;
}

/**
 * transformers' `normalize`: (x - mean) / std per channel, all in float32 (mean and std are cast to
 * float32 first). Rounding each double result to float32 gives exactly numpy's float32 arithmetic.
 */
export function normalize(values: Float32Array, mean: number[], std: number[]): Float32Array {
  const channels = mean.length;
  const m = mean.map(Math.fround);
  const s = std.map(Math.fround);
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const ch = i % channels;
    out[i] = Math.fround(values[i] - m[ch]) / s[ch];
  }
  return out;
}

/** HWC -> CHW. */
export function toChannelsFirst(values: Float32Array, width: number, height: number, channels: number): NdArray {
  const out = new Float32Array(values.length);
  const plane = width * height;
  for (let p = 0; p < plane; p++) {
    for (let ch = 0; ch < channels; ch++) out[ch * plane + p] = values[p * channels + ch];
  }
  return { shape: [channels, height, width], data: out };
}

// ------------------------------------------------------------------------------ the processor

export interface Size {
  height: number;
  width: number;
}

/** The two HF processors implemented. Their legacy `*FeatureExtractor` subclasses preprocess the same way. */
export type ImageProcessorType = 'ViTImageProcessor' | 'DeiTImageProcessor';

/** `preprocessor_config.json` with HF's defaults filled in and mean/std expanded to one value per channel. */
export interface ViTImageProcessorConfig {
  image_processor_type: ImageProcessorType;
  do_resize: boolean;
  size: Size;
  resample: Resample;
  /** Always false for ViTImageProcessor, which has no crop step (it ignores these keys in a config). */
  do_center_crop: boolean;
  /** null for ViTImageProcessor. */
  crop_size: Size | null;
  do_rescale: boolean;
  rescale_factor: number;
  do_normalize: boolean;
  image_mean: number[];
  image_std: number[];
  /**
   * As read (HF default null). It changes nothing here: the model takes exactly `num_channels`
   * channels, so the image is always converted to RGB (3) or L (1), and converting an RGB image to
   * RGB is the identity in Pillow.
   */
  do_convert_rgb: boolean | null;
  num_channels: 1 | 3;
}

/**
 * The constructor defaults of each HF processor (mean and std are 0.5 for both). `crop_size` null:
 * the processor has no crop step; otherwise the crop is on unless the config turns it off.
 */
const DEFAULTS: Record<ImageProcessorType, { size: number; resample: Resample; crop_size: number | null }> = {
  ViTImageProcessor: { size: 224, resample: Resampling.BILINEAR, crop_size: null },
  DeiTImageProcessor: { size: 256, resample: Resampling.BICUBIC, crop_size: 224 },
};

function readProcessorType(config: JsonFields): ImageProcessorType {
  const type = config.get('image_processor_type') ?? config.get('feature_extractor_type');
  if (type === undefined) return 'ViTImageProcessor';
  if (typeof type === 'string' && type.startsWith('ViT')) return 'ViTImageProcessor';
  if (typeof type === 'string' && type.startsWith('DeiT')) return 'DeiTImageProcessor';
  return config.fail(
    `asks for ${JSON.stringify(type)}; only ViTImageProcessor's and DeiTImageProcessor's preprocessing is implemented`,
    'unsupported',
  );
}

/**
 * HF's get_size_dict as both processors call it (default_to_square): an int means a square, [h, w] a
 * pair. Resizing and cropping both need a height and a width; another dict (e.g. shortest_edge) is
 * only an error when the step that uses it (`used`) is on, as in HF.
 */
function readSize(config: JsonFields, key: string, fallback: number, type: ImageProcessorType, used: boolean): Size {
  const v = config.get(key);
  if (v === undefined || v === null) return { height: fallback, width: fallback };
  if (typeof v === 'number') {
    const side = config.int(key, fallback);
    return { height: side, width: side };
  }
  if (Array.isArray(v) && v.length === 2) {
    const pair = JsonFields.of({ height: v[0] as unknown, width: v[1] as unknown }, config.file, `${key}.`);
    return { height: pair.int('height', 0), width: pair.int('width', 0) };
  }
  if (!isObject(v)) {
    return config.fail(`${config.name(key)} must be an integer, [height, width] or {"height", "width"}, got ${JSON.stringify(v)}`);
  }
  const size = config.object(key)!;
  if (size.has('height') && size.has('width')) return { height: size.int('height', 0), width: size.int('width', 0) };
  if (used) config.fail(`${config.name(key)} ${JSON.stringify(v)} has no height and width; ${type} only uses a fixed height x width`, 'unsupported');
  return { height: fallback, width: fallback };
}

/** Per-channel mean or std: a number or a 1-element list applies to every channel. */
function readPerChannel(config: JsonFields, key: string, channels: number): number[] {
  const v = config.get(key) ?? 0.5;
  const values = typeof v === 'number' ? [v] : v;
  if (!Array.isArray(values) || values.length === 0 || values.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    return config.fail(`${config.name(key)} must be a number or a list of numbers, got ${JSON.stringify(v)}`);
  }
  if (values.length === 1) return new Array<number>(channels).fill(values[0] as number);
  if (values.length !== channels) {
    config.fail(`${config.name(key)} has ${values.length} values but the model takes ${channels} channel(s)`, 'mismatch');
  }
  return values as number[];
}

/** A divisor: 0 would turn every pixel into ±Infinity or NaN. */
function nonZero(config: JsonFields, key: string, values: number[]): number[] {
  if (values.includes(0)) config.fail(`${config.name(key)} must not be 0 (every pixel would be divided by it), got ${JSON.stringify(config.get(key))}`);
  return values;
}

/** ViTImageProcessor, or DeiTImageProcessor when the config names it (DeiT checkpoints run as ViT). */
export class ViTImageProcessor {
  readonly config: ViTImageProcessorConfig;

  private constructor(config: ViTImageProcessorConfig) {
    this.config = config;
  }

  /** The resolved steps, as model info carries them (views invert pixel_values with them). */
  get preprocessing(): ImagePreprocessing {
    const c = this.config;
    return {
      resize: c.do_resize ? { ...c.size } : null,
      center_crop: c.do_center_crop && c.crop_size ? { ...c.crop_size } : null,
      do_rescale: c.do_rescale,
      rescale_factor: c.rescale_factor,
      do_normalize: c.do_normalize,
      image_mean: c.image_mean,
      image_std: c.image_std,
    };
  }

  /**
   * Height and width of `pixel_values`: the crop size when center cropping, else the resize target
   * (when neither step is on, the input image keeps its own size).
   */
  get size(): Size {
    const { do_center_crop, crop_size, size } = this.config;
    return do_center_crop && crop_size ? crop_size : size;
  }

  /** Height and width of `pixel_values` for an input image of width x height. */
  outputSize(width: number, height: number): Size {
    const { do_resize, do_center_crop } = this.config;
    return do_resize || do_center_crop ? this.size : { height, width };
  }

  /** Refuses, before it is decoded, an image whose resize would pass the limits of checkResize. */
  checkImageSize(width: number, height: number, fileName?: string): void {
    const { do_resize, size, resample } = this.config;
    if (do_resize) checkResize(width, height, size.width, size.height, resample, fileName);
  }

  /**
   * `preprocessorConfig` is the parsed preprocessor_config.json, or null when the checkpoint has none
   * (ViT's defaults: 224x224 bilinear, rescale 1/255, mean = std = 0.5). Its `image_processor_type`
   * (or legacy `feature_extractor_type`) picks ViT's or DeiT's steps and defaults. `numChannels` is the
   * model's config.num_channels: 3 = RGB, 1 = grey via Pillow's convert('L').
   */
  static fromConfig(preprocessorConfig: JsonFields | null, numChannels: number): ViTImageProcessor {
    if (numChannels !== 1 && numChannels !== 3) {
      throw new ModelError('unsupported', `num_channels = ${numChannels} is not supported (1 = grey or 3 = RGB)`);
    }
    const c: JsonFields = preprocessorConfig ?? JsonFields.of({}, 'preprocessor_config.json');
    const type = readProcessorType(c);
    const defaults = DEFAULTS[type];
    const doResize = c.bool('do_resize', true);
    const resample = c.get('resample') ?? defaults.resample;
    if (!(typeof resample === 'number' && Number.isInteger(resample) && resample >= 0 && resample <= 5)) {
      c.fail(`"resample" must be a Pillow filter 0..5, got ${JSON.stringify(resample)}`);
    }
    const doCenterCrop = defaults.crop_size !== null && c.bool('do_center_crop', true);
    const cropSize = defaults.crop_size === null ? null : readSize(c, 'crop_size', defaults.crop_size, type, doCenterCrop);
    const rescaleFactor = c.get('rescale_factor') ?? 1 / 255;
    if (typeof rescaleFactor !== 'number' || !Number.isFinite(rescaleFactor)) {
      c.fail(`"rescale_factor" must be a number, got ${JSON.stringify(rescaleFactor)}`);
    }
    const size = readSize(c, 'size', defaults.size, type, doResize);
    // What the processor makes must fit the same limit as a decoded image (the model then checks its sequence length).
    if (doResize) checkPixels(size.width, size.height, `${c.file}: "size"`);
    if (doCenterCrop && cropSize) checkPixels(cropSize.width, cropSize.height, `${c.file}: "crop_size"`);
    return new ViTImageProcessor({
      image_processor_type: type,
      do_resize: doResize,
      size,
      resample: resample as Resample,
      do_center_crop: doCenterCrop,
      crop_size: cropSize,
      do_rescale: c.bool('do_rescale', true),
      rescale_factor: rescaleFactor,
      do_normalize: c.bool('do_normalize', true),
      // HF's default IMAGENET_STANDARD_MEAN/STD is 0.5 for every channel.
      image_mean: readPerChannel(c, 'image_mean', numChannels),
      image_std: nonZero(c, 'image_std', readPerChannel(c, 'image_std', numChannels)),
      do_convert_rgb: c.optionalBool('do_convert_rgb'),
      num_channels: numChannels,
    });
  }

  /** The 8-bit image the model sees: converted to RGB or L, resized with Pillow's filter, center cropped. */
  prepare(image: RgbaImage): Pixels {
    const { config } = this;
    let pixels = config.num_channels === 3 ? toRgb(image) : toGrey(image);
    if (config.do_resize) pixels = resizePillow(pixels, config.size.width, config.size.height, config.resample);
    if (config.do_center_crop && config.crop_size) pixels = centerCrop(pixels, config.crop_size.width, config.crop_size.height);
    return pixels;
  }

  /** `pixel_values` for one image: float32 [num_channels, height, width]. */
  preprocess(image: RgbaImage): NdArray {
    return this.toPixelValues(this.prepare(image));
  }

  /** The float steps on an already prepared 8-bit image: rescale, normalize, channels first. */
  toPixelValues(pixels: Pixels): NdArray {
    const { config } = this;
    let values = config.do_rescale ? rescale(pixels, config.rescale_factor) : Float32Array.from(pixels.data);
    if (config.do_normalize) values = normalize(values, config.image_mean, config.image_std);
    return toChannelsFirst(values, pixels.width, pixels.height, pixels.channels);
  }
}
