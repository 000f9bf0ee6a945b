// JPEG bytes -> the RGBA pixels of Pillow's `Image.open(f).convert('RGBA')`, bit for bit.
//
// Pillow decodes JPEGs with libjpeg-turbo at its defaults: the ISLOW integer IDCT, "fancy"
// (triangle) chroma upsampling, block smoothing of progressive files, and libjpeg's colour
// conversion. We run libjpeg-turbo itself, compiled to WebAssembly (the @cwasm/jpeg-turbo build,
// libjpeg-turbo 2.0, through its TurboJPEG API at the same defaults), in Node and in the browser.
// What Pillow adds on top, we add here:
//   - 1 component opens as mode "L", 3 as "RGB" (libjpeg's YCbCr/RGB guess from JFIF/Adobe/ids);
//   - 4 components open as "CMYK", read with Adobe's inverted polarity ("CMYK;I", always), and
//     convert('RGB') is Pillow's own cmyk2rgb: v = (255 - K) - (C·(255 - K))/255, rounded its way;
//     libjpeg turns YCCK into CMYK first;
//   - a file that ends before its end-of-image marker is an error ("image file is truncated",
//     LOAD_TRUNCATED_IMAGES off); corrupt data in a complete file is decoded as libjpeg decodes it
//     (Pillow ignores libjpeg's warnings);
//   - EXIF orientation is not applied (Image.open does not transpose).
// Not covered: arithmetic-coded files (this build has no arithmetic decoder; Pillow's does), and
// progressive files whose scans leave some coefficients unrefined, where libjpeg-turbo 2.1 (Pillow's)
// smooths blocks differently from 2.0 (see README, Correctness). 12-bit, lossless and hierarchical
// JPEG fail in Pillow too.

import { jpegTurboWasm } from '#jpeg-turbo-wasm';
import { readJpegFrame } from './image_header';
import type { RgbaImage } from './image_processing_vit';

/** TurboJPEG pixel formats (turbojpeg.h): what libjpeg converts the decoded components to. */
const TJPF_RGB = 0;
const TJPF_GRAY = 6;
const TJPF_CMYK = 11;

interface TurboJpeg {
  memory: WebAssembly.Memory;
  malloc(size: number): number;
  free(pointer: number): void;
  tjInitDecompress(): number;
  tjDecompress2(handle: number, jpeg: number, jpegSize: number, out: number, width: number, pitch: number, height: number, format: number, flags: number): number;
}

/** Raised by the module's longjmp: libjpeg hit a fatal error (its message stays inside the module). */
class LibjpegError extends Error {}

// TurboJPEG recovers from libjpeg errors with setjmp/longjmp; this build leaves both to the host.
// setjmp returning 0 and longjmp throwing unwinds the whole call, so each decode gets a fresh
// instance, never one that an error left half way. The C library asks for the environment (libjpeg
// reads JPEGMEM), which is empty here; no other system call is expected.
async function instantiate(): Promise<TurboJpeg> {
  const unexpected = (name: string) => () => {
    throw new Error(`jpeg-turbo called the unexpected system call ${name}`);
  };
  const instance: WebAssembly.Instance = await WebAssembly.instantiate(await jpegTurboWasm(), {
    env: {
      setjmp: () => 0,
      longjmp: () => {
        throw new LibjpegError();
      },
    },
    wasi_snapshot_preview1: {
      environ_sizes_get: (count: number, size: number) => {
        const view = new DataView((instance.exports as unknown as TurboJpeg).memory.buffer);
        view.setUint32(count, 0, true);
        view.setUint32(size, 0, true);
        return 0;
      },
      environ_get: () => 0,
      proc_exit: unexpected('proc_exit'),
      fd_close: unexpected('fd_close'),
      fd_seek: unexpected('fd_seek'),
      fd_write: unexpected('fd_write'),
    },
  });
  return instance.exports as unknown as TurboJpeg;
}

type Fail = (code: 'malformed' | 'unsupported', problem: string) => never;

/**
 * Whether the marker structure reaches an EOI marker: segments are skipped by their length, and
 * entropy-coded data (after each SOS) up to the next marker that is neither a stuffed 0xff00 nor a
 * restart. Without one, libjpeg would ask for more data than the file has, which Pillow reports as
 * a truncated file.
 */
function reachesEndOfImage(bytes: Uint8Array): boolean {
  let pos = 2;
  while (pos < bytes.length) {
    if (bytes[pos++] !== 0xff) continue; // entropy-coded data, or junk libjpeg skips with a warning
    while (bytes[pos] === 0xff) pos++;
    if (pos >= bytes.length) return false;
    const marker = bytes[pos++];
    if (marker === 0xd9) return true;
    const standalone = marker === 0x00 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
    if (!standalone) pos += (bytes[pos] << 8) | bytes[pos + 1];
  }
  return false;
}

export async function decodeJpeg(bytes: Uint8Array, fail: Fail): Promise<RgbaImage> {
  const frame = readJpegFrame(bytes);
  if (!frame) return fail('malformed', 'JPEG file is truncated or has no frame header');
  const { marker, width, height, components } = frame;
  if (marker >= 0xc9) {
    fail('unsupported', 'arithmetic-coded JPEG is not supported; re-save it as a baseline or progressive JPEG, or as PNG');
  }
  if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) {
    fail('unsupported', 'lossless or hierarchical JPEG is not supported (Pillow cannot read it either); re-save it as PNG');
  }
  if (frame.precision !== 8) fail('unsupported', `${frame.precision}-bit JPEG is not supported, only 8-bit (as in Pillow)`);
  if (components !== 1 && components !== 3 && components !== 4) {
    fail('unsupported', `JPEG with ${components} colour components is not supported (Pillow reads 1, 3 or 4)`);
  }
  if (!reachesEndOfImage(bytes)) fail('malformed', 'JPEG file is truncated (it ends before its end-of-image marker)');

  const format = components === 1 ? TJPF_GRAY : components === 3 ? TJPF_RGB : TJPF_CMYK;
  const tj = await instantiate();
  const outSize = width * height * components;
  const input = tj.malloc(bytes.length);
  const output = tj.malloc(outSize);
  // TurboJPEG also mallocs one row pointer per row; a failure there returns -1 like a warning would.
  const rows = tj.malloc(height * 4 + 64);
  if (!input || !output || !rows) fail('unsupported', `not enough memory to decode a ${width}x${height} JPEG`);
  tj.free(rows);
  new Uint8Array(tj.memory.buffer, input, bytes.length).set(bytes);
  try {
    const handle = tj.tjInitDecompress();
    if (!handle) fail('unsupported', `not enough memory to decode a ${width}x${height} JPEG`);
    // -1 without a longjmp means libjpeg only warned (corrupt data it skipped or filled in): Pillow
    // ignores those warnings and keeps the pixels, so we do too.
    tj.tjDecompress2(handle, input, bytes.length, output, width, 0, height, format, 0);
  } catch (e) {
    if (e instanceof LibjpegError) fail('malformed', 'JPEG file is damaged (libjpeg could not decode it)');
    throw e;
  }
  const raw = new Uint8Array(tj.memory.buffer, output, outSize);

  const n = width * height;
  const out = new Uint8Array(n * 4);
  for (let i = 0; i < n; i++) {
    if (components === 1) {
      out[i * 4] = out[i * 4 + 1] = out[i * 4 + 2] = raw[i];
    } else if (components === 3) {
      out[i * 4] = raw[i * 3];
      out[i * 4 + 1] = raw[i * 3 + 1];
      out[i * 4 + 2] = raw[i * 3 + 2];
    } else {
      // Pillow's "CMYK;I" read inverts every sample; cmyk2rgb then gives (255 - K) - C·(255 - K)/255.
      const notK = raw[i * 4 + 3];
      for (let c = 0; c < 3; c++) out[i * 4 + c] = notK - mulDiv255(255 - raw[i * 4 + c], notK);
    }
    out[i * 4 + 3] = 255;
  }
  return { width, height, data: out };
}

/** Pillow's MULDIV255: a·b/255 rounded, computed as ((t >> 8) + t) >> 8 with t = a·b + 128. */
function mulDiv255(a: number, b: number): number {
  const t = a * b + 128;
  return ((t >> 8) + t) >> 8;
}
