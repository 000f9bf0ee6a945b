// PNG and JPEG bytes -> 8-bit RGBA, giving the pixels Pillow's `Image.open(f).convert('RGBA')` gives,
// because HF's ViTImageProcessor sees images through Pillow. Pure JS (fast-png, jpeg-js), so it runs
// the same in Node and in a browser Web Worker.
//
// Where Pillow maps PNG samples to 8 bits in its own way, we follow Pillow, not the PNG spec:
//   - 16-bit colour and 16-bit grey+alpha keep the high byte (Pillow's "RGB;16B"/"LA;16B" raw modes);
//   - 16-bit grey opens as Pillow mode "I" and converts to 8 bits by clipping to 0..255 (not scaling);
//   - 1/2/4-bit grey scale by 255/1, 85, 17; palette indices past the end of PLTE read as grey (i, i, i).
// The tRNS colour key of grey/truecolour images is compared with the raw samples as the PNG spec says
// (Pillow agrees for 8-bit images). Alpha never reaches the model: convert('RGB'/'L') drops it.
// EXIF orientation is not applied, matching `Image.open` (HF's `load_image` would transpose).

import { decode as decodePngFile } from 'fast-png';
import jpeg from 'jpeg-js';
import { ModelError } from '../errors';
import type { RgbaImage } from './image_processing_vit';

/** Largest image we decode; a 50 Mpixel RGBA buffer is 200 MB. */
const MAX_MEGAPIXELS = 50;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The whole IEND chunk: zero length, type, CRC. */
const IEND_CHUNK = new Uint8Array([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function decodeImage(bytes: Uint8Array, fileName = 'image'): RgbaImage {
  const fail = (code: 'malformed' | 'unsupported', problem: string): never => {
    throw new ModelError(code, `${fileName}: ${problem}`);
  };
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return decodePng(bytes, fail);
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpeg(bytes, fail);
  return fail('unsupported', 'not a PNG or JPEG image');
}

type Fail = (code: 'malformed' | 'unsupported', problem: string) => never;

/** Rejects empty and oversized images from the header, before anything is allocated for the pixels. */
function checkDimensions(width: number, height: number, fail: Fail): void {
  if (width === 0 || height === 0) fail('malformed', `image has an empty size ${width}x${height}`);
  const megapixels = (width * height) / 1e6;
  if (megapixels > MAX_MEGAPIXELS) {
    fail(
      'unsupported',
      `image is ${width}x${height} = ${Number(megapixels.toFixed(1))} Mpixel, larger than the ${MAX_MEGAPIXELS} Mpixel limit`,
    );
  }
}

function decodePng(bytes: Uint8Array, fail: Fail): RgbaImage {
  // IHDR must be the first chunk: length 13 at byte 8, then "IHDR", width and height big-endian.
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    fail('malformed', 'PNG file is truncated or has no IHDR header');
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 13);
  checkDimensions(header.getUint32(0), header.getUint32(4), fail);
  const bitDepth = header.getUint8(8);
  const interlaced = header.getUint8(12) === 1;
  if (interlaced && bitDepth < 8) {
    // fast-png 8 de-interlaces these as if every sample were a byte (wrong pixels or a bogus error).
    fail('unsupported', `interlaced (Adam7) PNG with ${bitDepth}-bit samples is not supported; re-save it non-interlaced`);
  }

  // Pillow stops reading at the end of the image data, so it accepts a file whose IEND chunk is
  // missing; fast-png would run off the end looking for it.
  const endsWithIend = IEND_CHUNK.every((b, i) => bytes[bytes.length - IEND_CHUNK.length + i] === b);
  const input = endsWithIend ? bytes : concatBytes(bytes, IEND_CHUNK);
  let png: ReturnType<typeof decodePngFile>;
  try {
    png = decodePngFile(input, { checkCrc: true });
  } catch (e) {
    return fail('malformed', `PNG file is damaged or truncated (${(e as Error).message})`);
  }
  const { width, height, depth, channels } = png;
  const data = png.data;
  if (data.length < expectedSamples(width, height, depth, channels)) {
    fail('malformed', 'PNG file is truncated: it has fewer pixels than its header says');
  }
  const out = new Uint8Array(width * height * 4);
  const to8 = depth === 16 ? (v: number) => v >> 8 : (v: number) => v;

  if (png.palette) {
    const palette = png.palette;
    const indices = unpackRows(data, width, height, depth);
    for (let i = 0; i < width * height; i++) {
      const index = indices[i];
      const entry = palette[index];
      out[i * 4] = entry ? entry[0] : index;
      out[i * 4 + 1] = entry ? entry[1] : index;
      out[i * 4 + 2] = entry ? entry[2] : index;
      out[i * 4 + 3] = entry?.[3] ?? 255;
    }
  } else if (channels === 1) {
    // Sub-byte samples are unpacked first; 16-bit grey clips like Pillow's mode "I".
    const samples = depth < 8 ? unpackRows(data, width, height, depth) : data;
    const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
    const key = png.transparency?.[0];
    for (let i = 0; i < width * height; i++) {
      const raw = samples[i];
      const v = depth === 16 ? Math.min(raw, 255) : raw * scale;
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = v;
      out[i * 4 + 3] = raw === key ? 0 : 255;
    }
  } else if (channels === 2) {
    for (let i = 0; i < width * height; i++) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = to8(data[i * 2]);
      out[i * 4 + 3] = to8(data[i * 2 + 1]);
    }
  } else if (channels === 3) {
    const key = png.transparency;
    for (let i = 0; i < width * height; i++) {
      const r = data[i * 3], g = data[i * 3 + 1], b = data[i * 3 + 2];
      out[i * 4] = to8(r);
      out[i * 4 + 1] = to8(g);
      out[i * 4 + 2] = to8(b);
      out[i * 4 + 3] = key && key[0] === r && key[1] === g && key[2] === b ? 0 : 255;
    }
  } else {
    for (let i = 0; i < width * height * 4; i++) out[i] = to8(data[i]);
  }
  return { width, height, data: out };
}

function expectedSamples(width: number, height: number, depth: number, channels: number): number {
  return depth < 8 ? Math.ceil((width * depth) / 8) * height : width * height * channels;
}

/** 1/2/4-bit samples, packed MSB first with every row starting on a byte, to one value per pixel. */
function unpackRows(data: ArrayLike<number>, width: number, height: number, depth: number): ArrayLike<number> {
  if (depth >= 8) return data;
  const out = new Uint8Array(width * height);
  const rowBytes = Math.ceil((width * depth) / 8);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (data[y * rowBytes + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}

// ------------------------------------------------------------------------------ JPEG
//
// jpeg-js decodes the DCT data, but its chroma upsampling (pixel replication) and float YCbCr->RGB
// differ from libjpeg-turbo, which Pillow uses, by up to 64 levels at colour edges of 4:2:0 files.
// So we take jpeg-js's raw component samples and do libjpeg's "fancy" (triangle) upsampling and
// integer colour conversion ourselves. What remains is jpeg-js's IDCT, which rounds differently
// from libjpeg's ISLOW IDCT by a level or two.

interface JpegComponent {
  id: number;
  h: number;
  v: number;
}

interface JpegHeader {
  width: number;
  height: number;
  precision: number;
  components: JpegComponent[];
  jfif: boolean;
  /** Offset of the Adobe APP14 transform byte, and its value (0 = RGB, else YCbCr), if present. */
  adobeTransformAt: number | null;
  adobeTransform: number;
}

/** Walks the marker segments up to the first scan and reads what decides the colour handling. */
function readJpegHeader(bytes: Uint8Array, fail: Fail): JpegHeader {
  const header: JpegHeader = { width: 0, height: 0, precision: 0, components: [], jfif: false, adobeTransformAt: null, adobeTransform: 0 };
  const startsWith = (at: number, text: string) => [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
  let pos = 2;
  let sawFrame = false;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) fail('malformed', `JPEG file is damaged (no marker at byte ${pos})`);
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    const length = (bytes[pos + 2] << 8) | bytes[pos + 3];
    const body = pos + 4;
    if (marker === 0xda) {
      if (sawFrame) return header;
      break;
    }
    if (marker === 0xe0 && startsWith(body, 'JFIF\0')) header.jfif = true;
    if (marker === 0xee && startsWith(body, 'Adobe') && body + 11 < bytes.length) {
      header.adobeTransformAt = body + 11;
      header.adobeTransform = bytes[body + 11];
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) {
        fail('unsupported', 'JPEG uses lossless or arithmetic coding, which is not supported (re-save it as a baseline or progressive JPEG, or as PNG)');
      }
      if (body + 6 > bytes.length) break;
      header.precision = bytes[body];
      header.height = (bytes[body + 1] << 8) | bytes[body + 2];
      header.width = (bytes[body + 3] << 8) | bytes[body + 4];
      const count = bytes[body + 5];
      if (body + 6 + count * 3 > bytes.length) break;
      for (let c = 0; c < count; c++) {
        const at = body + 6 + c * 3;
        header.components.push({ id: bytes[at], h: bytes[at + 1] >> 4, v: bytes[at + 1] & 15 });
      }
      sawFrame = true;
    }
    pos = body + length - 2;
  }
  return fail('malformed', 'JPEG file is truncated or has no frame header');
}

/** libjpeg's guess of the colour space of a 3-component file (jdapimin.c, default_decompress_parms). */
function isYCbCr(header: JpegHeader): boolean {
  if (header.jfif) return true;
  if (header.adobeTransformAt !== null) return header.adobeTransform !== 0;
  const [a, b, c] = header.components.map((comp) => comp.id);
  return !(a === 82 && b === 71 && c === 66); // component ids 'R', 'G', 'B'
}

function decodeJpeg(bytes: Uint8Array, fail: Fail): RgbaImage {
  const header = readJpegHeader(bytes, fail);
  const { width, height, components } = header;
  checkDimensions(width, height, fail);
  if (header.precision !== 8) fail('unsupported', `${header.precision}-bit JPEG is not supported, only 8-bit`);
  if (components.length !== 1 && components.length !== 3) {
    fail('unsupported', `JPEG with ${components.length} colour components (CMYK?) is not supported; convert it to RGB`);
  }
  const maxH = Math.max(...components.map((c) => c.h));
  const maxV = Math.max(...components.map((c) => c.v));
  if (components.some((c) => c.h === 0 || c.v === 0 || maxH % c.h !== 0 || maxV % c.v !== 0)) {
    fail('unsupported', `JPEG chroma subsampling ${components.map((c) => `${c.h}x${c.v}`).join(',')} is not supported`);
  }

  // jpeg-js applies its own colour transform whenever an Adobe marker asks for one; on a copy with the
  // transform byte cleared it hands back the raw samples and the conversion below stays ours.
  let input = bytes;
  if (header.adobeTransformAt !== null) {
    input = bytes.slice();
    input[header.adobeTransformAt] = 0;
  }
  let raw: Uint8Array;
  try {
    // tolerantDecoding off: a truncated file is an error, as in Pillow (LOAD_TRUNCATED_IMAGES=False).
    raw = jpeg.decode(input, {
      useTArray: true,
      formatAsRGBA: false,
      colorTransform: false,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_MEGAPIXELS,
      maxMemoryUsageInMB: 1024,
    }).data;
  } catch (e) {
    return fail('malformed', `JPEG file is damaged or truncated (${(e as Error).message})`);
  }

  const n = width * height;
  const out = new Uint8Array(n * 4);
  if (components.length === 1) {
    for (let i = 0; i < n; i++) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = raw[i * 3];
      out[i * 4 + 3] = 255;
    }
    return { width, height, data: out };
  }
  // jpeg-js repeats each subsampled sample over its block: take one per block back out, then upsample.
  const planes = components.map((c, k) => {
    const fx = maxH / c.h;
    const fy = maxV / c.v;
    const pw = Math.ceil(width / fx);
    const ph = Math.ceil(height / fy);
    const plane = new Uint8Array(pw * ph);
    for (let y = 0; y < ph; y++) {
      for (let x = 0; x < pw; x++) plane[y * pw + x] = raw[(y * fy * width + x * fx) * 3 + k];
    }
    return upsample(plane, pw, ph, fx, fy, width, height);
  });
  const [p0, p1, p2] = planes;
  const ycc = isYCbCr(header);
  for (let i = 0; i < n; i++) {
    if (ycc) {
      const y = p0[i], cb = p1[i], cr = p2[i];
      out[i * 4] = clamp8(y + CR_R[cr]);
      out[i * 4 + 1] = clamp8(y + ((CB_G[cb] + CR_G[cr]) >> SCALEBITS));
      out[i * 4 + 2] = clamp8(y + CB_B[cb]);
    } else {
      out[i * 4] = p0[i];
      out[i * 4 + 1] = p1[i];
      out[i * 4 + 2] = p2[i];
    }
    out[i * 4 + 3] = 255;
  }
  return { width, height, data: out };
}

/**
 * libjpeg-turbo's upsampling (jdsample.c) of a pw x ph plane by integer factors (fx, fy), cropped to
 * width x height: triangle filters for 2x1 and 2x2 (when the plane is wider than 2) and 1x2,
 * replication otherwise. Rows above the top and below the bottom repeat the edge row.
 */
function upsample(plane: Uint8Array, pw: number, ph: number, fx: number, fy: number, width: number, height: number): Uint8Array {
  if (fx === 1 && fy === 1) return plane;
  const ow = pw * fx;
  const full = new Uint8Array(ow * ph * fy);
  const colsum = new Int32Array(pw);
  for (let y = 0; y < ph; y++) {
    const row = y * pw;
    if (fx === 2 && fy === 1 && pw > 2) {
      const o = y * ow;
      full[o] = plane[row];
      full[o + 1] = (plane[row] * 3 + plane[row + 1] + 2) >> 2;
      for (let x = 1; x < pw - 1; x++) {
        const v = plane[row + x] * 3;
        full[o + 2 * x] = (v + plane[row + x - 1] + 1) >> 2;
        full[o + 2 * x + 1] = (v + plane[row + x + 1] + 2) >> 2;
      }
      full[o + 2 * pw - 2] = (plane[row + pw - 1] * 3 + plane[row + pw - 2] + 1) >> 2;
      full[o + 2 * pw - 1] = plane[row + pw - 1];
    } else if (fy === 2 && (fx === 1 || (fx === 2 && pw > 2))) {
      // The nearer chroma row weighs 3/4, the other (above for the upper output row, below for the lower) 1/4.
      for (let dy = 0; dy < 2; dy++) {
        const other = Math.min(Math.max(dy === 0 ? y - 1 : y + 1, 0), ph - 1) * pw;
        const o = (2 * y + dy) * ow;
        for (let x = 0; x < pw; x++) colsum[x] = plane[row + x] * 3 + plane[other + x];
        if (fx === 1) {
          for (let x = 0; x < pw; x++) full[o + x] = (colsum[x] + 1 + dy) >> 2;
          continue;
        }
        full[o] = (colsum[0] * 4 + 8) >> 4;
        full[o + 1] = (colsum[0] * 3 + colsum[1] + 7) >> 4;
        for (let x = 1; x < pw - 1; x++) {
          full[o + 2 * x] = (colsum[x] * 3 + colsum[x - 1] + 8) >> 4;
          full[o + 2 * x + 1] = (colsum[x] * 3 + colsum[x + 1] + 7) >> 4;
        }
        full[o + 2 * pw - 2] = (colsum[pw - 1] * 3 + colsum[pw - 2] + 8) >> 4;
        full[o + 2 * pw - 1] = (colsum[pw - 1] * 4 + 7) >> 4;
      }
    } else {
      for (let j = 0; j < fy; j++) {
        const o = (y * fy + j) * ow;
        for (let x = 0; x < pw; x++) full.fill(plane[row + x], o + x * fx, o + x * fx + fx);
      }
    }
  }
  if (ow === width) return full.subarray(0, width * height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) out.set(full.subarray(y * ow, y * ow + width), y * width);
  return out;
}

// libjpeg's YCbCr -> RGB (jdcolor.c): 16-bit fixed point, with the rounding folded into the tables.
const SCALEBITS = 16;
const ONE_HALF = 1 << (SCALEBITS - 1);
const fix = (x: number) => Math.trunc(x * (1 << SCALEBITS) + 0.5);
const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
for (let i = 0; i < 256; i++) {
  const x = i - 128;
  CR_R[i] = (fix(1.402) * x + ONE_HALF) >> SCALEBITS;
  CB_B[i] = (fix(1.772) * x + ONE_HALF) >> SCALEBITS;
  CR_G[i] = -fix(0.71414) * x;
  CB_G[i] = -fix(0.34414) * x + ONE_HALF;
}
const clamp8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
