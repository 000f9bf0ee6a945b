// readImageHeader on crafted headers: every format's size fields, and one limit for all of them.

import { describe, expect, it } from 'vitest';
import { readImageHeader, readJpegFrame } from '../../src/models/vit/image_header';
import { expected, imageBytes } from './fixtures';

const bytes = (...parts: (string | ArrayLike<number>)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : Array.from(p))));
const le16 = (v: number) => [v & 255, v >> 8];
const le24 = (v: number) => [v & 255, (v >> 8) & 255, v >> 16];
const le32 = (v: number) => [v & 255, (v >> 8) & 255, (v >> 16) & 255, (v >>> 24) & 255];
const be32 = (v: number) => le32(v).reverse();

const png = (w: number, h: number) => bytes('\x89PNG\r\n\x1a\n', be32(13), 'IHDR', be32(w), be32(h), [8, 2, 0, 0, 0]);
const riff = (chunk: string, payload: number[]) => bytes('RIFF', le32(4 + 8 + payload.length), 'WEBP', chunk, le32(payload.length), payload);
/** Lossy: frame tag (3 bytes), start code 9d 01 2a, 14-bit width and height (2 scale bits above). */
const vp8 = (w: number, h: number) => riff('VP8 ', [0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...le16(w | 0x4000), ...le16(h | 0x8000)]);
/** Lossless: signature 0x2f, then width - 1 and height - 1 in 14 bits each, alpha and version bits after. */
const vp8l = (w: number, h: number) => riff('VP8L', [0x2f, ...le32((w - 1) | ((h - 1) << 14) | (1 << 28))]);
/** Extended: flags, 3 reserved bytes, canvas width - 1 and height - 1 in 24 bits each. */
const vp8x = (w: number, h: number) => riff('VP8X', [0x10, 0, 0, 0, ...le24(w - 1), ...le24(h - 1)]);
const gifHeader = (w: number, h: number, flags = 0) => bytes('GIF89a', le16(w), le16(h), [flags, 0, 0]);
const bmp = (w: number, h: number) => bytes('BM', le32(0), le32(0), le32(54), le32(40), le32(w), le32(h), le16(1), le16(24));

describe('readImageHeader', () => {
  it('reads the fixtures as Pillow sizes them', () => {
    for (const [name, ref] of Object.entries(expected.decoded)) {
      const header = readImageHeader(imageBytes(name), name);
      expect([header.format, header.width, header.height], name).toEqual([name.endsWith('.png') ? 'png' : 'jpeg', ref.width, ref.height]);
    }
  });

  it('reads PNG, WebP (lossy, lossless, extended), GIF and BMP sizes', () => {
    expect(readImageHeader(png(640, 1))).toEqual({ format: 'png', width: 640, height: 1 });
    expect(readImageHeader(vp8(1000, 700))).toEqual({ format: 'webp', width: 1000, height: 700 });
    expect(readImageHeader(vp8l(16383, 1))).toEqual({ format: 'webp', width: 16383, height: 1 });
    expect(readImageHeader(vp8x(1, 3000))).toEqual({ format: 'webp', width: 1, height: 3000 });
    expect(readImageHeader(gifHeader(320, 200))).toEqual({ format: 'gif', width: 320, height: 200 });
    expect(readImageHeader(bmp(300, 200))).toEqual({ format: 'bmp', width: 300, height: 200 });
  });

  it('reads a top-down BMP (negative height) and the old OS/2 core header', () => {
    expect(readImageHeader(bmp(300, -200))).toEqual({ format: 'bmp', width: 300, height: 200 });
    const core = bytes('BM', le32(0), le32(0), le32(26), le32(12), le16(123), le16(45), le16(1), le16(24));
    expect(readImageHeader(core)).toEqual({ format: 'bmp', width: 123, height: 45 });
  });

  it('grows a GIF to its first frame where that frame reaches past the logical screen', () => {
    // Global colour table of 2 entries, a graphic control extension, then a 10x10 frame at (95, 5).
    const gif = bytes(gifHeader(100, 100, 0x80), [0, 0, 0, 255, 255, 255], [0x21, 0xf9, 4, 0, 0, 0, 0, 0], [0x2c], le16(95), le16(5), le16(10), le16(10), [0]);
    expect(readImageHeader(gif)).toEqual({ format: 'gif', width: 105, height: 100 });
  });

  it('finds the JPEG frame header past other segments, junk and fill bytes', () => {
    const frame = bytes([0xff, 0xd8], [0xff, 0xe0, 0, 4, 1, 2], [0x00, 0x20], [0xff, 0xff, 0xc2, 0, 11, 8, 0, 13, 0, 17, 3]);
    expect(readJpegFrame(frame)).toEqual({ marker: 0xc2, precision: 8, width: 17, height: 13, components: 3 });
    expect(readImageHeader(frame)).toEqual({ format: 'jpeg', width: 17, height: 13 });
    // A scan before any frame header: nothing to size.
    expect(readJpegFrame(bytes([0xff, 0xd8], [0xff, 0xda, 0, 2]))).toBeNull();
  });

  it('holds every format to the same 50 Mpixel limit', () => {
    // 16383x16383 (268 Mpixel) in a few bytes: the browser's decoder must never see it.
    expect(() => readImageHeader(vp8l(16383, 16383), 'bomb.webp')).toThrow(
      'bomb.webp: WebP image is 16383x16383 = 268.4 Mpixel, larger than the 50 Mpixel limit',
    );
    // 8000x8000 is refused whatever the format.
    for (const [file, data] of [['a.png', png(8000, 8000)], ['a.webp', vp8x(8000, 8000)], ['a.gif', gifHeader(8000, 8000)], ['a.bmp', bmp(8000, -8000)]] as const) {
      expect(() => readImageHeader(data, file), file).toThrow(`${file}: ${{ png: 'PNG', webp: 'WebP', gif: 'GIF', bmp: 'BMP' }[file.slice(2)]} image is 8000x8000 = 64 Mpixel`);
    }
    expect(readImageHeader(png(7000, 7000)).width).toBe(7000); // 49 Mpixel
    expect(readImageHeader(png(1, 49_000_000)).height).toBe(49_000_000);
  });

  it('refuses unknown formats, short headers and empty sizes clearly', () => {
    expect(() => readImageHeader(bytes('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'a.svg')).toThrow('a.svg: not a PNG, JPEG, WebP, GIF or BMP image');
    expect(() => readImageHeader(bytes([0, 0, 1, 0]), 'a.ico')).toThrow('a.ico: not a PNG, JPEG, WebP, GIF or BMP image');
    expect(() => readImageHeader(png(10, 10).subarray(0, 20), 'a.png')).toThrow('a.png: PNG file is truncated or its header is damaged (no image size)');
    expect(() => readImageHeader(vp8(10, 10).subarray(0, 27), 'a.webp')).toThrow('a.webp: WebP file is truncated or its header is damaged');
    expect(() => readImageHeader(riff('ALPH', [0, 0, 0, 0]), 'b.webp')).toThrow('b.webp: WebP file is truncated or its header is damaged');
    expect(() => readImageHeader(bytes('GIF89a', [1]), 'a.gif')).toThrow('a.gif: GIF file is truncated or its header is damaged');
    expect(() => readImageHeader(bmp(-3, 3), 'a.bmp')).toThrow('a.bmp: BMP file is truncated or its header is damaged');
    expect(() => readImageHeader(gifHeader(0, 5), 'e.gif')).toThrow('e.gif: GIF image has an empty size 0x5');
    expect(() => readImageHeader(bytes([0xff, 0xd8, 0xff, 0xe0, 0, 16]), 'a.jpg')).toThrow('a.jpg: JPEG file is truncated or its header is damaged');
  });
});
