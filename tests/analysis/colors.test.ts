// The shared colour scales of src/views/common/colors.ts (pure functions; no DOM needed).

import { interpolateCividis, interpolatePuOr } from 'd3-scale-chromatic';
import { describe, expect, it } from 'vitest';
import {
  autoDomain,
  colorOf,
  contrastOnWhite,
  headColor,
  legendTicks,
  MIN_HEAD_CONTRAST,
  normalise,
  parseRgb,
  rgbToRgba,
  rowScaledRgba,
  toRgba,
} from '../../src/views/common/colors';

describe('colour scales', () => {
  it('parses both colour forms d3 returns', () => {
    expect(parseRgb('#00204d')).toEqual([0, 32, 77]);
    expect(parseRgb('rgb(12, 200, 3)')).toEqual([12, 200, 3]);
    expect(() => parseRgb('red')).toThrow(/unrecognised colour/);
  });

  it('normalises into the domain, clamping outside it', () => {
    expect(normalise(5, [0, 10])).toBe(0.5);
    expect(normalise(-3, [0, 10])).toBe(0);
    expect(normalise(30, [0, 10])).toBe(1);
    expect(normalise(7, [7, 7])).toBe(0.5);
  });

  it('domains: data range for sequential, symmetric around 0 for diverging, NaN ignored', () => {
    const data = Float32Array.from([0.2, Number.NaN, -0.5, 0.1]);
    expect(autoDomain(data, 'sequential')).toEqual([-0.5, expect.closeTo(0.2, 6)]);
    expect(autoDomain(data, 'diverging')).toEqual([-0.5, 0.5]);
    expect(autoDomain(new Float32Array(0), 'sequential')).toEqual([0, 1]);
    expect(autoDomain(new Float32Array(3), 'diverging')).toEqual([-1, 1]);
  });

  it('ends and middle of the scales are the d3 colours (cividis, PuOr)', () => {
    expect(colorOf(0, [0, 1], 'sequential')).toEqual(parseRgb(interpolateCividis(0)));
    expect(colorOf(1, [0, 1], 'sequential')).toEqual(parseRgb(interpolateCividis(1)));
    expect(colorOf(-2, [-2, 2], 'diverging')).toEqual(parseRgb(interpolatePuOr(0)));
    // 0 is the middle of a symmetric diverging domain: PuOr's near-white centre (sampled at 128/255).
    expect(colorOf(0, [-2, 2], 'diverging')).toEqual(parseRgb(interpolatePuOr(128 / 255)));
  });

  it('RGBA pixels, transparent for NaN', () => {
    const rgba = toRgba(Float32Array.from([0, 1, Number.NaN]), [0, 1], 'sequential');
    expect(rgba.length).toBe(12);
    expect(Array.from(rgba.subarray(0, 4))).toEqual([...parseRgb(interpolateCividis(0)), 255]);
    expect(Array.from(rgba.subarray(4, 8))).toEqual([...parseRgb(interpolateCividis(1)), 255]);
    expect(Array.from(rgba.subarray(8, 12))).toEqual([0, 0, 0, 0]);
    expect(Array.from(rgbToRgba(Float32Array.from([1, 0.5, 0])))).toEqual([255, 128, 0, 255]);
    expect(() => rgbToRgba(new Float32Array(4))).toThrow(/triplets/);
  });

  it('thumbnails scale every row to its own maximum; an all-zero row is the low colour', () => {
    const rgba = rowScaledRgba(Float32Array.from([0.1, 0.2, 0.5, 0.5, 0, 0]), 3, 2);
    const pixel = (p: number) => Array.from(rgba.subarray(p * 4, p * 4 + 4));
    expect(pixel(1)).toEqual([...colorOf(1, [0, 1], 'sequential'), 255]);
    expect(pixel(0)).toEqual([...colorOf(0.5, [0, 1], 'sequential'), 255]);
    expect(pixel(2)).toEqual(pixel(3));
    expect(pixel(3)).toEqual([...colorOf(1, [0, 1], 'sequential'), 255]);
    expect(pixel(4)).toEqual([...colorOf(0, [0, 1], 'sequential'), 255]);
  });

  it('legend ticks and distinct head colours', () => {
    expect(legendTicks([-1, 1])).toEqual([-1, 0, 1]);
    expect(legendTicks([0, 0.3], 4).map((t) => +t.toFixed(6))).toEqual([0, 0.1, 0.2, 0.3]);
    for (const heads of [4, 12]) {
      expect(new Set(Array.from({ length: heads }, (_, h) => headColor(h, heads))).size).toBe(heads);
    }
  });

  it('head colours stand out on the white page (no pale yellow)', () => {
    expect(contrastOnWhite([255, 255, 255])).toBeCloseTo(1, 6);
    expect(contrastOnWhite([0, 0, 0])).toBeCloseTo(21, 6);
    expect(contrastOnWhite(parseRgb('#F0E442'))).toBeLessThan(1.4);
    for (const heads of [4, 8, 12, 16, 20]) {
      const colours = Array.from({ length: heads }, (_, h) => headColor(h, heads));
      expect(new Set(colours).size).toBe(heads);
      for (const c of colours) expect(contrastOnWhite(parseRgb(c)), `${c} of ${heads} heads`).toBeGreaterThanOrEqual(MIN_HEAD_CONTRAST);
    }
  });
});
