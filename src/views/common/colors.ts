// Colour scales shared by every heatmap and overlay. All are colour-blind safe:
//  - sequential: cividis (Nuñez et al. 2018), designed to read the same with deuteranopia and
//    protanopia and to be monotone in lightness, so it also survives greyscale printing;
//  - diverging: ColorBrewer PuOr (orange < 0 < purple), marked colour-blind safe by ColorBrewer;
//  - categorical (one colour per attention head): Okabe & Ito's 8 colours with their yellow
//    (1.3:1 against white, too faint for thin lines) replaced by Paul Tol's olive; beyond 8 heads
//    no palette stays distinguishable for everyone, so hues are spread evenly around the wheel,
//    darkened where needed to stand out as much against the white page.
// Scales are sampled once into 256-entry lookup tables: heatmaps have up to 197×197 cells and
// parsing a CSS colour per cell would dominate drawing time.

import { interpolateCividis, interpolatePuOr, interpolateSinebow } from 'd3-scale-chromatic';

export type ScaleKind = 'sequential' | 'diverging';

const INTERPOLATORS: Record<ScaleKind, (t: number) => string> = {
  sequential: interpolateCividis,
  diverging: interpolatePuOr,
};

/** Colour for NaN / missing values: transparent, so the page background shows through. */
const MISSING: [number, number, number, number] = [0, 0, 0, 0];

/** Parses the two forms d3 interpolators return: "#rrggbb" and "rgb(r, g, b)". */
export function parseRgb(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex) return [parseInt(hex[1], 16), parseInt(hex[2], 16), parseInt(hex[3], 16)];
  const rgb = /^rgb\(\s*(\d+),\s*(\d+),\s*(\d+)\s*\)$/.exec(css);
  if (rgb) return [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])];
  throw new Error(`unrecognised colour "${css}"`);
}

const LUT_SIZE = 256;
const luts = new Map<ScaleKind, Uint8Array>();

/** RGB triplets of the scale at 256 evenly spaced points of [0, 1]. */
function lut(kind: ScaleKind): Uint8Array {
  let table = luts.get(kind);
  if (!table) {
    table = new Uint8Array(LUT_SIZE * 3);
    for (let i = 0; i < LUT_SIZE; i++) table.set(parseRgb(INTERPOLATORS[kind](i / (LUT_SIZE - 1))), i * 3);
    luts.set(kind, table);
  }
  return table;
}

/** Where `value` falls in `domain`, clamped to [0, 1]; a zero-width domain maps to the middle. */
export function normalise(value: number, [lo, hi]: [number, number]): number {
  if (hi === lo) return 0.5;
  return Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
}

/** The colour of `value` in `domain` as [r, g, b] (0–255). */
export function colorOf(value: number, domain: [number, number], kind: ScaleKind): [number, number, number] {
  const table = lut(kind);
  const i = Math.round(normalise(value, domain) * (LUT_SIZE - 1)) * 3;
  return [table[i], table[i + 1], table[i + 2]];
}


/** Diverging colour of t ∈ [−1, 1] as [r, g, b]; 0 is the neutral middle. */
export const divergingColor = (t: number) => colorOf(t, [-1, 1], 'diverging');

const HEAD_COLORS = ['#E69F00', '#56B4E9', '#009E73', '#999933', '#0072B2', '#D55E00', '#CC79A7', '#000000'];

/** WCAG contrast ratio of an [r, g, b] colour against white. */
export function contrastOnWhite([r, g, b]: [number, number, number]): number {
  const linear = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 1.05 / (0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b) + 0.05);
}

/** The palette's lightest colours (orange, sky blue) reach this against white; no head colour is fainter. */
export const MIN_HEAD_CONTRAST = 2.2;

/** CSS colour of head `h` of `heads`, distinct from the other heads' colours and visible on white. */
export function headColor(h: number, heads: number): string {
  if (heads <= HEAD_COLORS.length) return HEAD_COLORS[h];
  let rgb = parseRgb(interpolateSinebow(h / heads));
  while (contrastOnWhite(rgb) < MIN_HEAD_CONTRAST) rgb = rgb.map((c) => Math.floor(c * 0.95)) as [number, number, number];
  return `rgb(${rgb.join(', ')})`;
}

/** CSS colour of `value`, e.g. for a bar or a dot. */
export function cssColorOf(value: number, domain: [number, number], kind: ScaleKind): string {
  return `rgb(${colorOf(value, domain, kind).join(', ')})`;
}

/**
 * Data range to colour by: [min, max] for sequential scales; for diverging scales symmetric
 * around 0, [−m, m] with m = max |v|, so 0 is always the neutral middle colour. NaNs are ignored.
 */
export function autoDomain(data: ArrayLike<number>, kind: ScaleKind): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (Number.isNaN(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (lo > hi) return kind === 'diverging' ? [-1, 1] : [0, 1];
  if (kind === 'sequential') return [lo, hi];
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  return m === 0 ? [-1, 1] : [-m, m];
}

/** RGBA pixels (row-major, 4 bytes per value) of `data` coloured by `kind` over `domain`. */
export function toRgba(data: ArrayLike<number>, domain: [number, number], kind: ScaleKind, alpha = 255): Uint8ClampedArray<ArrayBuffer> {
  const table = lut(kind);
  const out = new Uint8ClampedArray(data.length * 4);
  for (let p = 0; p < data.length; p++) {
    const v = data[p];
    if (Number.isNaN(v)) {
      out.set(MISSING, p * 4);
      continue;
    }
    const i = Math.round(normalise(v, domain) * (LUT_SIZE - 1)) * 3;
    out[p * 4] = table[i];
    out[p * 4 + 1] = table[i + 1];
    out[p * 4 + 2] = table[i + 2];
    out[p * 4 + 3] = alpha;
  }
  return out;
}

/** Sequential RGBA pixels of a matrix [rows, cols] with every row scaled to its own maximum (attention thumbnails). */
export function rowScaledRgba(data: ArrayLike<number>, rows: number, cols: number): Uint8ClampedArray<ArrayBuffer> {
  const table = lut('sequential');
  const out = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0; i < rows; i++) {
    let max = 0;
    for (let j = 0; j < cols; j++) max = Math.max(max, data[i * cols + j]);
    for (let j = 0; j < cols; j++) {
      const p = i * cols + j;
      const t = max > 0 ? Math.min(1, Math.max(0, data[p] / max)) : 0;
      const at = Math.round(t * (LUT_SIZE - 1)) * 3;
      out[p * 4] = table[at];
      out[p * 4 + 1] = table[at + 1];
      out[p * 4 + 2] = table[at + 2];
      out[p * 4 + 3] = 255;
    }
  }
  return out;
}

/** `toRgba` as an ImageData of cols × rows pixels, one pixel per value (browser only). */
export function toImageData(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  domain: [number, number],
  kind: ScaleKind,
): ImageData {
  if (data.length !== rows * cols) throw new Error(`toImageData: ${data.length} values do not fill ${rows}×${cols}`);
  return new ImageData(toRgba(data, domain, kind), cols, rows);
}

/** RGBA pixels of per-cell colours given as [n·3] floats in [0, 1] (e.g. a PCA-to-RGB map). */
export function rgbToRgba(rgb: Float32Array): Uint8ClampedArray<ArrayBuffer> {
  if (rgb.length % 3 !== 0) throw new Error(`rgbToRgba: ${rgb.length} values are not RGB triplets`);
  const n = rgb.length / 3;
  const out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(rgb[p * 3 + c] * 255);
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** CSS linear-gradient of the scale, left = low, for legends. */
export function legendGradient(kind: ScaleKind, stops = 11): string {
  const colours = Array.from({ length: stops }, (_, i) => INTERPOLATORS[kind](i / (stops - 1)));
  return `linear-gradient(to right, ${colours.join(', ')})`;
}

/** `count` evenly spaced tick values across `domain`, ends included. */
export function legendTicks([lo, hi]: [number, number], count = 3): number[] {
  if (count < 2 || lo === hi) return [lo];
  return Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1));
}
