// An image file's format and size, read from its first bytes before anything is decoded, so one
// size limit applies to every format: the PNG and JPEG decoders here and the browser's own decoder
// (WebP, GIF, BMP) alike. A decoder allocates width x height x 4 bytes at least, so a 10 KB file
// that claims 16383x16383 pixels must be refused here, not after the decoder has tried.

import { ModelError } from '../errors';

/** Largest image decoded or produced anywhere in the pipeline; a 50 Mpixel RGBA buffer is 200 MB. */
export const MAX_IMAGE_PIXELS = 50_000_000;

/** Largest image file read at all (a 50 Mpixel photo is a few tens of MB as JPEG or PNG). */
export const MAX_IMAGE_FILE_BYTES = 128 * 2 ** 20;

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** What a JPEG's frame header (SOFn) says; `marker` is the SOF marker's second byte (0xc0 baseline, 0xc2 progressive…). */
export interface JpegFrame {
  marker: number;
  precision: number;
  width: number;
  height: number;
  components: number;
}

const startsWith = (bytes: Uint8Array, at: number, text: string) => [...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));
const u16be = (b: Uint8Array, at: number) => (b[at] << 8) | b[at + 1];
const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
const u24le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16);

/** SOF0..SOF15 except DHT (c4), JPG (c8) and DAC (cc), which share the range. */
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

/** Walks the marker segments after SOI up to the first frame header; null when the file ends first. */
export function readJpegFrame(bytes: Uint8Array): JpegFrame | null {
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    // Junk between segments is skipped, as Pillow and libjpeg skip it; 0xff 0xff is a fill byte.
    if (bytes[pos] !== 0xff || bytes[pos + 1] === 0xff) {
      pos += 1;
      continue;
    }
    const marker = bytes[pos + 1];
    if (marker === 0xda || marker === 0xd9) return null; // a scan or the end before any frame header
    const body = pos + 4;
    if (isFrameMarker(marker)) {
      if (body + 6 > bytes.length) return null;
      return { marker, precision: bytes[body], height: u16be(bytes, body + 1), width: u16be(bytes, body + 3), components: bytes[body + 5] };
    }
    pos = body + u16be(bytes, pos + 2) - 2;
  }
  return null;
}

/**
 * GIF's logical screen, grown to the first frame where that frame reaches past it, as browsers
 * size the decoded image. Skips the colour table and the extension blocks before the first image
 * descriptor; a file that ends before one keeps the screen size.
 */
function gifSize(bytes: Uint8Array): [number, number] {
  let width = u16le(bytes, 6);
  let height = u16le(bytes, 8);
  let pos = 13 + (bytes[10] & 0x80 ? 3 << ((bytes[10] & 7) + 1) : 0);
  while (pos < bytes.length && bytes[pos] === 0x21) {
    pos += 2; // extension introducer and label, then data sub-blocks up to a zero length
    while (pos < bytes.length && bytes[pos] !== 0) pos += bytes[pos] + 1;
    pos += 1;
  }
  if (bytes[pos] === 0x2c && pos + 9 <= bytes.length) {
    width = Math.max(width, u16le(bytes, pos + 1) + u16le(bytes, pos + 5));
    height = Math.max(height, u16le(bytes, pos + 3) + u16le(bytes, pos + 7));
  }
  return [width, height];
}

/** WebP's canvas (VP8X) or bitstream size (VP8 lossy, VP8L lossless); null for another first chunk or a short file. */
function webpSize(bytes: Uint8Array): [number, number] | null {
  if (startsWith(bytes, 12, 'VP8X') && bytes.length >= 30) return [u24le(bytes, 24) + 1, u24le(bytes, 27) + 1];
  if (startsWith(bytes, 12, 'VP8 ') && bytes.length >= 30 && bytes[23] === 0x9d && bytes[24] === 0x01 && bytes[25] === 0x2a) {
    return [u16le(bytes, 26) & 0x3fff, u16le(bytes, 28) & 0x3fff];
  }
  if (startsWith(bytes, 12, 'VP8L') && bytes.length >= 25 && bytes[20] === 0x2f) {
    const bits = bytes[21] | (bytes[22] << 8) | (bytes[23] << 16) | (bytes[24] << 24);
    return [(bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1];
  }
  return null;
}

/** BMP's size from its DIB header: 16-bit fields in the old OS/2 core header, else signed 32-bit (negative height = top-down rows). */
function bmpSize(bytes: Uint8Array): [number, number] | null {
  if (bytes.length < 26) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(14, true) === 12) return [view.getUint16(18, true), view.getUint16(20, true)];
  const width = view.getInt32(18, true);
  return width < 0 ? null : [width, Math.abs(view.getInt32(22, true))];
}

function sniff(bytes: Uint8Array): { format: ImageFormat; size: [number, number] | null } | null {
  if (startsWith(bytes, 0, '\x89PNG\r\n\x1a\n')) {
    // IHDR must be the first chunk: length 13, "IHDR", then width and height big-endian.
    const ok = bytes.length >= 24 && startsWith(bytes, 12, 'IHDR');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { format: 'png', size: ok ? [view.getUint32(16), view.getUint32(20)] : null };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    const frame = readJpegFrame(bytes);
    return { format: 'jpeg', size: frame ? [frame.width, frame.height] : null };
  }
  if (startsWith(bytes, 0, 'RIFF') && startsWith(bytes, 8, 'WEBP')) return { format: 'webp', size: webpSize(bytes) };
  if (startsWith(bytes, 0, 'GIF87a') || startsWith(bytes, 0, 'GIF89a')) return { format: 'gif', size: bytes.length >= 13 ? gifSize(bytes) : null };
  if (startsWith(bytes, 0, 'BM')) return { format: 'bmp', size: bmpSize(bytes) };
  return null;
}

export const FORMAT_NAMES: Record<ImageFormat, string> = { png: 'PNG', jpeg: 'JPEG', webp: 'WebP', gif: 'GIF', bmp: 'BMP' };

/**
 * The format (from the bytes, never the file name) and the size in pixels. Throws a ModelError
 * naming `fileName` for an unknown format, a header too short to hold the size, an empty size, or
 * more than MAX_IMAGE_PIXELS.
 */
export function readImageHeader(bytes: Uint8Array, fileName = 'image'): ImageHeader {
  const found = sniff(bytes);
  if (!found) throw new ModelError('unsupported', `${fileName}: not a PNG, JPEG, WebP, GIF or BMP image`);
  const name = FORMAT_NAMES[found.format];
  if (!found.size) throw new ModelError('malformed', `${fileName}: ${name} file is truncated or its header is damaged (no image size)`);
  const [width, height] = found.size;
  if (width === 0 || height === 0) throw new ModelError('malformed', `${fileName}: ${name} image has an empty size ${width}x${height}`);
  checkPixels(width, height, `${fileName}: ${name} image`);
  return { format: found.format, width, height };
}

/** Refuses `what` (e.g. "x.png: PNG image") when width x height exceeds MAX_IMAGE_PIXELS. */
export function checkPixels(width: number, height: number, what: string): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ModelError(
      'unsupported',
      `${what} is ${width}x${height} = ${megapixels(width * height)} Mpixel, larger than the ${MAX_IMAGE_PIXELS / 1e6} Mpixel limit`,
    );
  }
}

/** Mpixel with one decimal, for messages. */
export const megapixels = (pixels: number) => Number((pixels / 1e6).toFixed(1));
