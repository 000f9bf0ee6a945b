// PNG and JPEG bytes -> 8-bit RGBA, giving the pixels Pillow's `Image.open(f).convert('RGBA')` gives,
// because HF's ViTImageProcessor sees images through Pillow. The same code runs in Node and in a
// browser Web Worker: PNG in pure JS (fast-png), JPEG in libjpeg-turbo compiled to WebAssembly
// (jpeg_decode.ts), the library Pillow itself uses.
//
// Where Pillow maps PNG samples to 8 bits in its own way, we follow Pillow, not the PNG spec:
//   - 16-bit colour and 16-bit grey+alpha keep the high byte (Pillow's "RGB;16B"/"LA;16B" raw modes);
//   - 16-bit grey opens as Pillow mode "I" and converts to 8 bits by clipping to 0..255 (not scaling);
//   - 1/2/4-bit grey scale by 255/1, 85, 17; palette indices past the end of PLTE read as grey (i, i, i).
// The tRNS colour key of grey/truecolour images is compared with the raw samples as the PNG spec says
// (Pillow agrees for 8-bit images). Alpha never reaches the model: convert('RGB'/'L') drops it.
// EXIF orientation is not applied, matching `Image.open` (HF's `load_image` would transpose).

import { decode as decodePngFile } from 'fast-png';
import { ModelError } from '../errors';
import { FORMAT_NAMES, readImageHeader } from './image_header';
import type { RgbaImage } from './image_processing_vit';
import { decodeJpeg } from './jpeg_decode';

/** The whole IEND chunk: zero length, type, CRC. */
const IEND_CHUNK = new Uint8Array([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

type Fail = (code: 'malformed' | 'unsupported', problem: string) => never;

/**
 * Decodes a PNG or JPEG (sniffed from the bytes, not the name). The size limit of image_header.ts
 * is checked from the header before anything is decoded. Other formats are refused here; the
 * browser app hands WebP, GIF and BMP to the browser's decoder instead (src/worker/images.ts).
 */
export async function decodeImage(bytes: Uint8Array, fileName = 'image'): Promise<RgbaImage> {
  const fail: Fail = (code, problem) => {
    throw new ModelError(code, `${fileName}: ${problem}`);
  };
  const { format } = readImageHeader(bytes, fileName);
  if (format === 'png') return decodePng(bytes, fail);
  if (format === 'jpeg') return decodeJpeg(bytes, fail);
  return fail('unsupported', `${FORMAT_NAMES[format]} images are only read by the browser app; convert it to PNG or JPEG`);
}

function decodePng(bytes: Uint8Array, fail: Fail): RgbaImage {
  // readImageHeader has checked the IHDR chunk's type and size; its bit depth and interlace flag follow.
  if (bytes.length < 33) fail('malformed', 'PNG file is truncated in its IHDR header');
  const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 13);
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
