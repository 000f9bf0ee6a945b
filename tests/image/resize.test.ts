import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/models/vit/image_decode';
import { resizePillow, Resampling, toGrey, toRgb, type Pixels, type Resample } from '../../src/models/vit/image_processing_vit';
import { expected, imageBytes, maxAbsDiff, refPixels, u8, type Case } from './fixtures';

const decoded = (name: string) => decodeImage(imageBytes(name), name);

describe('toRgb / toGrey vs Pillow convert("RGB") / convert("L")', () => {
  const cases = expected.cases.filter((c): c is Extract<Case, { kind: 'convert' }> => c.kind === 'convert');

  // JPEGs included: decodeImage gives Pillow's pixels, CMYK and YCCK through Pillow's own cmyk2rgb.
  it.each(cases.map((c) => [c.image, c] as const))('%s is bit-exact', async (_, c) => {
    const image = await decoded(c.image);
    expect(maxAbsDiff(toRgb(image).data, u8(c.rgb))).toBe(0);
    expect(maxAbsDiff(toGrey(image).data, u8(c.grey))).toBe(0);
  });

  it('drops alpha without compositing (transparent pixels keep their colour)', () => {
    const image = { width: 2, height: 1, data: new Uint8Array([200, 100, 50, 0, 10, 20, 30, 128]) };
    expect([...toRgb(image).data]).toEqual([200, 100, 50, 10, 20, 30]);
    // 200*0.299 + 100*0.587 + 50*0.114 = 124.2; 10*0.299 + 20*0.587 + 30*0.114 = 18.1
    expect([...toGrey(image).data]).toEqual([124, 18]);
  });

  it('rejects an RGBA buffer of the wrong length', () => {
    expect(() => toRgb({ width: 3, height: 2, data: new Uint8Array(20) })).toThrow('RGBA image 3x2 needs 24 bytes, got 20');
  });
});

describe('resizePillow vs Pillow Image.resize', () => {
  const cases = expected.cases.filter((c): c is Extract<Case, { kind: 'resize' }> => c.kind === 'resize');
  const rows = cases.map((c) => [`${c.image} ${c.channels}ch -> ${c.width}x${c.height} ${c.filter}`, c] as const);

  it.each(rows)('%s is bit-exact', async (_, c) => {
    const image = await decoded(c.image);
    const source = c.channels === 3 ? toRgb(image) : toGrey(image);
    const resized = resizePillow(source, c.width, c.height, c.resample as Resample);
    expect([resized.width, resized.height, resized.channels]).toEqual([c.width, c.height, c.channels]);
    expect(maxAbsDiff(resized.data, u8(c.resized))).toBe(0);
  });

  it('returns a copy when the size does not change, for every filter', () => {
    const src = refPixels(cases[0].resized);
    for (const resample of Object.values(Resampling)) {
      const out = resizePillow(src, src.width, src.height, resample);
      expect(out.data).toEqual(src.data);
      expect(out.data).not.toBe(src.data);
    }
  });

  it('keeps a constant image constant under every filter, up and down', () => {
    const flat: Pixels = { width: 9, height: 7, channels: 3, data: new Uint8Array(9 * 7 * 3).fill(77) };
    for (const resample of Object.values(Resampling)) {
      for (const [w, h] of [[4, 3], [23, 16], [9, 2]]) {
        expect(new Set(resizePillow(flat, w, h, resample).data)).toEqual(new Set([77]));
      }
    }
  });

  it('rejects bad target sizes and filters', () => {
    const src: Pixels = { width: 4, height: 4, channels: 1, data: new Uint8Array(16) };
    expect(() => resizePillow(src, 0, 4, Resampling.BILINEAR)).toThrow('resize target must be positive integers, got 0x4');
    expect(() => resizePillow(src, 2.5, 4, Resampling.BILINEAR)).toThrow('positive integers');
    expect(() => resizePillow(src, 2, 4, 7 as Resample)).toThrow('unknown resample filter 7');
  });
});
