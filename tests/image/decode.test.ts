import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/models/vit/image_decode';
import { expected, imageBytes, maxAbsDiff, sha256, u8 } from './fixtures';

// decodeImage redoes libjpeg's chroma upsampling and colour conversion exactly, but the IDCT is
// jpeg-js's, which rounds differently from libjpeg's ISLOW IDCT. Measured max |difference| per 8-bit
// channel against Pillow (plain jpeg-js: 64 on the 4:2:0 photo).
const JPEG_BOUND = {
  'grey_40x30.jpg': 1,
  'photo_adobe_rgb_96x72.jpg': 1, // samples are RGB: no colour conversion to amplify IDCT differences
  'photo_444_96x72.jpg': 3,
  'photo_96x72.jpg': 3, // 4:2:0
  'photo_422_95x71.jpg': 3,
  'photo_440_48x48.jpg': 3,
  'photo_adobe_ycc_96x72.jpg': 3,
  'photo_progressive_96x72.jpg': 3,
};

describe('decodeImage vs Pillow Image.open().convert("RGBA")', () => {
  // fast-png cannot de-interlace sub-byte samples; decodeImage refuses them (tested below).
  const subByteAdam7 = ['grey2bit_adam7_23x17.png', 'palette1bit_adam7_21x10.png'];
  const pngs = Object.keys(expected.decoded).filter((n) => n.endsWith('.png') && !subByteAdam7.includes(n));

  it.each(pngs)('%s is bit-exact', (name) => {
    const ref = expected.decoded[name];
    const image = decodeImage(imageBytes(name), name);
    expect([image.width, image.height]).toEqual([ref.width, ref.height]);
    if (ref.rgba_sha256) expect(sha256(image.data)).toBe(ref.rgba_sha256);
    else expect(maxAbsDiff(image.data, u8(ref.rgba!))).toBe(0);
  });

  it.each(Object.keys(JPEG_BOUND))('%s is within the stated bound of libjpeg', (name) => {
    const ref = expected.decoded[name];
    const image = decodeImage(imageBytes(name), name);
    expect([image.width, image.height]).toEqual([ref.width, ref.height]);
    const reference = u8(ref.rgba!);
    const diff = maxAbsDiff(image.data, reference);
    const exact = image.data.filter((v, i) => i % 4 !== 3 && v === reference[i]).length / ((reference.length / 4) * 3);
    console.log(`decodeImage vs Pillow (libjpeg-turbo) ${name}: max |diff| = ${diff}, ${(exact * 100).toFixed(1)}% of RGB values equal`);
    expect(diff).toBeLessThanOrEqual(JPEG_BOUND[name as keyof typeof JPEG_BOUND]);
  });
});

function chunk(type: string, data: Uint8Array): Uint8Array {
  // CRC is left zero: these headers are rejected before any chunk CRC is checked.
  const out = new Uint8Array(12 + data.length);
  new DataView(out.buffer).setUint32(0, data.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(data, 8);
  return out;
}

function pngHeader(width: number, height: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)]);
}

describe('decodeImage rejects bad input with a clear error', () => {
  it('rejects bytes that are neither PNG nor JPEG, whatever the file name says', () => {
    const random = new Uint8Array(1000).map((_, i) => (i * 7919 + 13) % 256);
    expect(() => decodeImage(random, 'photo.png')).toThrow('photo.png: not a PNG or JPEG image');
    expect(() => decodeImage(Buffer.from('GIF89a...'), 'a.gif')).toThrow('not a PNG or JPEG image');
    expect(() => decodeImage(new Uint8Array(0))).toThrow('not a PNG or JPEG image');
  });

  it('sniffs the format from the bytes, not the name', () => {
    expect(decodeImage(imageBytes('tiny_7x5.png'), 'misnamed.jpg').width).toBe(7);
  });

  it('rejects a truncated PNG', () => {
    const png = imageBytes('photo_320x240.png');
    expect(() => decodeImage(png.subarray(0, png.length >> 1), 'cut.png')).toThrow(/cut\.png: PNG file is (damaged or )?truncated/);
    expect(() => decodeImage(png.subarray(0, 20), 'cut.png')).toThrow('cut.png: PNG file is truncated or has no IHDR header');
  });

  it('accepts a PNG without its IEND chunk, as Pillow does', () => {
    const png = imageBytes('rgb_37x29.png');
    const withoutEnd = decodeImage(png.subarray(0, png.length - 12), 'no-iend.png');
    expect(withoutEnd.data).toEqual(decodeImage(png).data);
  });

  it('rejects a PNG with a corrupted chunk', () => {
    const png = imageBytes('rgb_37x29.png').slice();
    png[60] ^= 0xff; // inside the first IDAT: the CRC no longer matches
    expect(() => decodeImage(png, 'bad.png')).toThrow('bad.png: PNG file is damaged or truncated');
  });

  it('refuses interlaced PNGs with sub-byte samples instead of returning wrong pixels', () => {
    expect(() => decodeImage(imageBytes('grey2bit_adam7_23x17.png'), 'a.png')).toThrow(
      'a.png: interlaced (Adam7) PNG with 2-bit samples is not supported',
    );
    expect(() => decodeImage(imageBytes('palette1bit_adam7_21x10.png'), 'b.png')).toThrow('with 1-bit samples');
  });

  it('rejects huge dimensions from the header alone', () => {
    // 45 bytes: the size check must come before any allocation for the pixels.
    const header = Buffer.concat([pngHeader(20000, 20000), chunk('IDAT', deflateSync(Buffer.alloc(10)))]);
    expect(() => decodeImage(header, 'huge.png')).toThrow(
      'huge.png: image is 20000x20000 = 400 Mpixel, larger than the 50 Mpixel limit',
    );
    expect(() => decodeImage(pngHeader(0, 10), 'empty.png')).toThrow('image has an empty size 0x10');
  });

  it('rejects a huge JPEG from its frame header', () => {
    const jpg = imageBytes('photo_96x72.jpg').slice();
    // Patch the SOF0 height/width fields to 60000x60000.
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    jpg.set([0xea, 0x60, 0xea, 0x60], sof + 5);
    expect(() => decodeImage(jpg, 'huge.jpg')).toThrow('image is 60000x60000 = 3600 Mpixel, larger than the 50 Mpixel limit');
  });

  it('rejects a truncated JPEG', () => {
    const jpg = imageBytes('photo_96x72.jpg');
    expect(() => decodeImage(jpg.subarray(0, 10), 'cut.jpg')).toThrow('cut.jpg: JPEG file is truncated or has no frame header');
    expect(() => decodeImage(jpg.subarray(0, jpg.length >> 1), 'cut.jpg')).toThrow('cut.jpg: JPEG file is damaged or truncated');
  });
});
