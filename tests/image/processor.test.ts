import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/models/vit/image_decode';
import { centerCrop, normalize, rescale, toChannelsFirst, ViTImageProcessor, type Pixels } from '../../src/models/vit/image_processing_vit';
import { JsonFields } from '../../src/models/checkpoint/json';
import { expected, f32, imageBytes, maxAbsDiff, sha256, u8, type Case } from './fixtures';

type PreprocessCase = Extract<Case, { kind: 'preprocess' }>;
type FloatCase = Extract<Case, { kind: 'float_steps' }>;

/** ViTImageProcessor's constructor defaults in transformers, for a 3-channel model. */
const VIT_DEFAULTS = {
  image_processor_type: 'ViTImageProcessor',
  do_resize: true,
  size: { height: 224, width: 224 },
  resample: 2,
  do_center_crop: false,
  crop_size: null,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.5, 0.5, 0.5],
  image_std: [0.5, 0.5, 0.5],
  do_convert_rgb: null,
  num_channels: 3,
};

/** The processor from a preprocessor_config.json object (null: the file is absent). */
const fromConfig = (config: Record<string, unknown> | null, channels: number) =>
  ViTImageProcessor.fromConfig(config && JsonFields.of(config, 'preprocessor_config.json'), channels);

describe('ViTImageProcessor.fromConfig', () => {
  it('uses HF defaults without a preprocessor_config.json', () => {
    const p = fromConfig(null, 3);
    expect(p.size).toEqual({ height: 224, width: 224 });
    expect(p.config).toEqual(VIT_DEFAULTS);
    expect(fromConfig(null, 1).config.image_mean).toEqual([0.5]);
  });

  it('reads a real ViT preprocessor_config.json (google/vit-base-patch16-224)', () => {
    const p = fromConfig(
      {
        do_normalize: true,
        do_resize: true,
        feature_extractor_type: 'ViTFeatureExtractor',
        image_mean: [0.5, 0.5, 0.5],
        image_std: [0.5, 0.5, 0.5],
        resample: 2,
        size: 224,
      },
      3,
    );
    expect(p.size).toEqual({ height: 224, width: 224 });
    expect(p.config.resample).toBe(2);
  });

  it('accepts size as an int, [height, width] or {height, width}, and scalar or 1-element mean/std', () => {
    expect(fromConfig({ size: 32 }, 3).size).toEqual({ height: 32, width: 32 });
    expect(fromConfig({ size: [16, 24] }, 3).size).toEqual({ height: 16, width: 24 });
    expect(fromConfig({ size: { height: 16, width: 24 } }, 3).size).toEqual({ height: 16, width: 24 });
    const p = fromConfig({ image_mean: 0.1, image_std: [0.2] }, 3);
    expect([p.config.image_mean, p.config.image_std]).toEqual([[0.1, 0.1, 0.1], [0.2, 0.2, 0.2]]);
  });

  it('explains what it cannot do', () => {
    expect(() => fromConfig({ size: { shortest_edge: 224 } }, 3)).toThrow(
      'preprocessor_config.json: "size" {"shortest_edge":224} has no height and width',
    );
    expect(fromConfig({ size: { shortest_edge: 224 }, do_resize: false }, 3).config.do_resize).toBe(false);
    expect(() => fromConfig({ image_processor_type: 'BeitImageProcessor' }, 3)).toThrow(
      'preprocessor_config.json: asks for "BeitImageProcessor"; only ViTImageProcessor\'s and DeiTImageProcessor\'s preprocessing is implemented.',
    );
    expect(() => fromConfig({ feature_extractor_type: 42 }, 3)).toThrow('asks for 42');
    expect(() => fromConfig(null, 4)).toThrow('num_channels = 4 is not supported');
    expect(() => fromConfig({ image_mean: [0.5, 0.5, 0.5] }, 1)).toThrow(
      '"image_mean" has 3 values but the model takes 1 channel(s)',
    );
  });

  it('rejects malformed values with the key in the message', () => {
    expect(() => fromConfig({ resample: 9 }, 3)).toThrow('"resample" must be a Pillow filter 0..5, got 9');
    expect(() => fromConfig({ size: -3 }, 3)).toThrow('"size" must be a positive integer, got -3');
    expect(() => fromConfig({ size: 'big' }, 3)).toThrow('"size" must be an integer');
    expect(() => fromConfig({ do_resize: 'yes' }, 3)).toThrow('"do_resize" must be true or false');
    expect(() => fromConfig({ image_std: ['a'] }, 3)).toThrow('"image_std" must be a number or a list of numbers');
    expect(() => fromConfig({ rescale_factor: null, image_mean: [] }, 3)).toThrow('"image_mean"');
    expect(() => fromConfig({ image_std: 0 }, 3)).toThrow('"image_std" must not be 0 (every pixel would be divided by it), got 0');
    expect(() => fromConfig({ image_std: [0.5, 0, 0.5] }, 3)).toThrow('"image_std" must not be 0');
  });
});

describe('DeiTImageProcessor through ViTImageProcessor.fromConfig', () => {
  // facebook/deit-tiny-patch16-224's preprocessor_config.json (legacy feature extractor, int sizes).
  const hubLegacy = {
    crop_size: 224,
    do_center_crop: true,
    do_normalize: true,
    do_resize: true,
    feature_extractor_type: 'DeiTFeatureExtractor',
    image_mean: [0.485, 0.456, 0.406],
    image_std: [0.229, 0.224, 0.225],
    resample: 3,
    size: 256,
  };

  it('reads a DeiT hub config: resize to 256, crop to 224, and reports 224 as the model input size', () => {
    const p = fromConfig(hubLegacy, 3);
    expect(p.size).toEqual({ height: 224, width: 224 });
    expect(p.config).toMatchObject({
      image_processor_type: 'DeiTImageProcessor',
      size: { height: 256, width: 256 },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: 224, width: 224 },
      image_mean: [0.485, 0.456, 0.406],
    });
    // The current serialisation of the same processor gives the same steps.
    const { feature_extractor_type: _, ...rest } = hubLegacy;
    const modern = { ...rest, image_processor_type: 'DeiTImageProcessor', size: { height: 256, width: 256 }, crop_size: { height: 224, width: 224 } };
    expect(fromConfig(modern, 3).config).toEqual(p.config);
  });

  it("fills in DeiT's own defaults, not ViT's", () => {
    const p = fromConfig({ image_processor_type: 'DeiTImageProcessor' }, 3);
    expect(p.config).toEqual({
      ...VIT_DEFAULTS,
      image_processor_type: 'DeiTImageProcessor',
      size: { height: 256, width: 256 },
      resample: 3,
      do_center_crop: true,
      crop_size: { height: 224, width: 224 },
    });
    expect(fromConfig({ image_processor_type: 'DeiTImageProcessor', crop_size: [20, 30] }, 3).size).toEqual({ height: 20, width: 30 });
  });

  it('reports the resize size when the crop is off', () => {
    const p = fromConfig({ ...hubLegacy, do_center_crop: false }, 3);
    expect(p.size).toEqual({ height: 256, width: 256 });
    expect(p.config.crop_size).toEqual({ height: 224, width: 224 });
  });

  it('leaves ViT without a crop even when its config carries crop keys (ViTImageProcessor has none)', async () => {
    const p = fromConfig({ image_processor_type: 'ViTImageProcessor', size: 32, do_center_crop: true, crop_size: 16 }, 3);
    expect(p.size).toEqual({ height: 32, width: 32 });
    expect([p.config.do_center_crop, p.config.crop_size]).toEqual([false, null]);
    const image = await decodeImage(imageBytes('rgb_37x29.png'));
    expect(p.prepare(image).width).toBe(32);
  });

  it('rejects crop settings it cannot follow, with the key in the message', () => {
    const deit = { image_processor_type: 'DeiTImageProcessor' };
    expect(() => fromConfig({ ...deit, crop_size: { shortest_edge: 224 } }, 3)).toThrow(
      'preprocessor_config.json: "crop_size" {"shortest_edge":224} has no height and width; DeiTImageProcessor only uses a fixed height x width',
    );
    expect(fromConfig({ ...deit, crop_size: { shortest_edge: 224 }, do_center_crop: false }, 3).size).toEqual({ height: 256, width: 256 });
    expect(() => fromConfig({ ...deit, crop_size: 0 }, 3)).toThrow('"crop_size" must be a positive integer, got 0');
    expect(() => fromConfig({ ...deit, crop_size: { height: 224, width: 2.5 } }, 3)).toThrow('"crop_size.width" must be a positive integer');
    expect(() => fromConfig({ ...deit, do_center_crop: 'yes' }, 3)).toThrow('"do_center_crop" must be true or false');
  });
});

describe('centerCrop (transformers center_crop on 8-bit pixels)', () => {
  // One channel, value = 10 * row + column + 1 (so no pixel is 0, the padding value).
  const grid = (width: number, height: number): Pixels => ({
    width,
    height,
    channels: 1,
    data: Uint8Array.from({ length: width * height }, (_, i) => 10 * Math.floor(i / width) + (i % width) + 1),
  });

  it('starts the window at floor(margin / 2), leaving an odd extra pixel at the bottom and right', () => {
    const out = centerCrop(grid(5, 4), 2, 1);
    expect([out.width, out.height, out.channels]).toEqual([2, 1, 1]);
    expect([...out.data]).toEqual([12, 13]); // rows: margin 3 -> top 1; columns: margin 3 -> left 1
  });

  it('zero-pads where the crop is larger, ceil(margin / 2) before', () => {
    // 2x1 -> 5x3: columns margin 3 -> 2 zeros left, 1 right; rows margin 2 -> 1 zero row above and below.
    const out = centerCrop(grid(2, 1), 5, 3);
    expect([...out.data]).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0]);
  });

  it('crops one axis and pads the other, keeping channels interleaved', () => {
    const rgb: Pixels = { width: 1, height: 3, channels: 3, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const out = centerCrop(rgb, 2, 1);
    expect([...out.data]).toEqual([0, 0, 0, 4, 5, 6]); // column margin 1 -> 1 zero column on the left
  });

  it('returns a copy at the same size and rejects bad sizes', () => {
    const src = grid(3, 2);
    const out = centerCrop(src, 3, 2);
    expect(out.data).toEqual(src.data);
    expect(out.data).not.toBe(src.data);
    expect(() => centerCrop(src, 0, 2)).toThrow('crop size must be positive integers, got 0x2');
  });
});

describe('ViTImageProcessor.preprocess vs Pillow + transformers (numpy)', () => {
  const cases = expected.cases.filter((c): c is PreprocessCase => c.kind === 'preprocess');
  const rows = cases.map((c) => [`${c.config_name} on ${c.image}`, c] as const);

  // From the file's bytes, JPEGs included: decoding, conversion, resize and crop are all bit-exact.
  it.each(rows)('%s', async (_, c) => {
    const processor = fromConfig(c.config, c.channels);
    const image = await decodeImage(imageBytes(c.image), c.image);
    const prepared = processor.prepare(image);
    if (c.resized_sha256) expect(sha256(prepared.data)).toBe(c.resized_sha256);
    else expect(maxAbsDiff(prepared.data, u8(c.resized!))).toBe(0);

    if (processor.config.do_resize || processor.config.do_center_crop) {
      expect({ height: prepared.height, width: prepared.width }).toEqual(processor.size);
    }

    const pixelValues = processor.preprocess(image);
    expect(pixelValues.shape).toEqual([c.channels, prepared.height, prepared.width]);
    if (c.pixel_values) {
      expect(pixelValues.shape).toEqual(c.pixel_values.shape);
      // Same float32 operations in the same order as numpy: bit-identical, not just close.
      expect(maxAbsDiff(pixelValues.data, f32(c.pixel_values))).toBe(0);
    }
  });

  // rescale + normalize act on each (value, channel) separately, so checking all 256 values per
  // channel against numpy covers the float path for every possible image.
  const floatCases = expected.cases.filter((c): c is FloatCase => c.kind === 'float_steps');
  it.each(floatCases.map((c) => [c.config_name, c] as const))('float steps of %s on all 256 values', (_, c) => {
    const processor = fromConfig(c.config, c.channels);
    const ramp: Pixels = { width: 256, height: 1, channels: c.channels, data: new Uint8Array(256 * c.channels) };
    ramp.data.forEach((_, i) => (ramp.data[i] = Math.floor(i / c.channels)));
    const out = processor.toPixelValues(ramp);
    const diff = maxAbsDiff(out.data, f32(c.pixel_values));
    expect(diff).toBe(0); // same float32 operations in the same order: bit-identical
  });

  it('is exactly the composition of the exported steps', async () => {
    const processor = fromConfig({ size: 8, image_mean: [0.4, 0.5, 0.6], image_std: [0.2, 0.3, 0.4] }, 3);
    const image = await decodeImage(imageBytes('rgb_37x29.png'));
    const prepared = processor.prepare(image);
    const manual = toChannelsFirst(normalize(rescale(prepared, 1 / 255), [0.4, 0.5, 0.6], [0.2, 0.3, 0.4]), 8, 8, 3);
    expect(processor.preprocess(image)).toEqual(manual);
  });

  it('gives the same result on repeated runs and leaves the input untouched', async () => {
    const processor = fromConfig(null, 3);
    const image = await decodeImage(imageBytes('tiny_7x5.png'));
    const before = image.data.slice();
    const a = processor.preprocess(image);
    const b = processor.preprocess(image);
    expect(a.shape).toEqual(b.shape);
    expect(Buffer.from(a.data.buffer).equals(Buffer.from(b.data.buffer))).toBe(true);
    expect(image.data).toEqual(before);
  });

  it('differs from a plain bilinear resize (why Pillow is reimplemented)', async () => {
    // tf.image.resizeBilinear-style interpolation (no antialias, half-pixel centres) on the photo.
    const image = await decodeImage(imageBytes('photo_320x240.png'));
    const pillow = fromConfig({ size: 56, do_rescale: false, do_normalize: false }, 1).preprocess(image);
    const grey = fromConfig({ do_resize: false, do_rescale: false, do_normalize: false }, 1).preprocess(image);
    const naive = new Float32Array(56 * 56);
    for (let y = 0; y < 56; y++) {
      for (let x = 0; x < 56; x++) {
        const sx = Math.min(Math.max((x + 0.5) * (320 / 56) - 0.5, 0), 319);
        const sy = Math.min(Math.max((y + 0.5) * (240 / 56) - 0.5, 0), 239);
        const x0 = Math.floor(sx), y0 = Math.floor(sy), x1 = Math.min(x0 + 1, 319), y1 = Math.min(y0 + 1, 239);
        const fx = sx - x0, fy = sy - y0;
        const g = (xx: number, yy: number) => grey.data[yy * 320 + xx];
        naive[y * 56 + x] = (g(x0, y0) * (1 - fx) + g(x1, y0) * fx) * (1 - fy) + (g(x0, y1) * (1 - fx) + g(x1, y1) * fx) * fy;
      }
    }
    const diff = maxAbsDiff(pillow.data, naive);
    console.log(`Pillow bilinear vs plain bilinear, photo 320x240 -> 56x56 grey: max |diff| = ${diff.toFixed(1)} levels`);
    expect(diff).toBeGreaterThan(10);
  });
});
