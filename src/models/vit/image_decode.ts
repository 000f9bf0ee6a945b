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
export const MAX_MEGAPIXELS = 50;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

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
  const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 8);
  checkDimensions(header.getUint32(0), header.getUint32(4), fail);

  let png: ReturnType<typeof decodePngFile>;
  try {
    png = decodePngFile(bytes, { checkCrc: true });
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
      out.set(entry ? [entry[0], entry[1], entry[2], entry[3] ?? 255] : [index, index, index, 255], i * 4);
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

/** Frame header (SOFn) fields, read by walking the marker segments up to the first scan. */
function readJpegFrame(bytes: Uint8Array, fail: Fail): { width: number; height: number; precision: number; components: number } {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) fail('malformed', `JPEG file is damaged (no marker at byte ${pos})`);
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    const length = (bytes[pos + 2] << 8) | bytes[pos + 3];
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (pos + 10 > bytes.length) break;
      if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) {
        fail('unsupported', 'JPEG uses lossless or arithmetic coding, which is not supported (re-save it as a baseline or progressive JPEG or as PNG)');
      }
      return {
        precision: bytes[pos + 4],
        height: (bytes[pos + 5] << 8) | bytes[pos + 6],
        width: (bytes[pos + 7] << 8) | bytes[pos + 8],
        components: bytes[pos + 9],
      };
    }
    if (marker === 0xda) break; // start of scan before any frame header
    pos += 2 + length;
  }
  return fail('malformed', 'JPEG file is truncated or has no frame header');
}

function decodeJpeg(bytes: Uint8Array, fail: Fail): RgbaImage {
  const frame = readJpegFrame(bytes, fail);
  checkDimensions(frame.width, frame.height, fail);
  if (frame.precision !== 8) fail('unsupported', `${frame.precision}-bit JPEG is not supported, only 8-bit`);
  if (frame.components !== 1 && frame.components !== 3) {
    fail('unsupported', `JPEG with ${frame.components} colour components (CMYK?) is not supported; convert it to RGB`);
  }
  try {
    // tolerantDecoding off: a truncated file is an error, as in Pillow (LOAD_TRUNCATED_IMAGES=False).
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_MEGAPIXELS,
      maxMemoryUsageInMB: 1024,
    });
    return { width: image.width, height: image.height, data: image.data };
  } catch (e) {
    return fail('malformed', `JPEG file is damaged or truncated (${(e as Error).message})`);
  }
}
