import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/models/vit/image_decode';
import { expected, imageBytes, maxAbsDiff, sha256, u8 } from './fixtures';

// JPEG decoding runs libjpeg-turbo, as Pillow does, so every pixel must be equal, with one known
// exception: a progressive file that leaves coefficients unrefined is block-smoothed, and the
// libjpeg-turbo we run (2.0) smooths differently from Pillow's (2.1). Measured max |difference| per
// 8-bit channel there; the README's correctness section quotes it.
const PARTIAL_PROGRESSIVE_BOUND = 9;

describe('decodeImage vs Pillow Image.open().convert("RGBA")', () => {
  // fast-png cannot de-interlace sub-byte samples; decodeImage refuses them (tested below).
  const subByteAdam7 = ['grey2bit_adam7_23x17.png', 'palette1bit_adam7_21x10.png'];
  const pngs = Object.keys(expected.decoded).filter((n) => n.endsWith('.png') && !subByteAdam7.includes(n));
  const jpegs = Object.keys(expected.decoded).filter((n) => n.endsWith('.jpg'));
  const partial = 'photo_progressive_partial_96x72.jpg';

  it.each(pngs)('%s is bit-exact', async (name) => {
    const ref = expected.decoded[name];
    const image = await decodeImage(imageBytes(name), name);
    expect([image.width, image.height]).toEqual([ref.width, ref.height]);
    if (ref.rgba_sha256) expect(sha256(image.data)).toBe(ref.rgba_sha256);
    else expect(maxAbsDiff(image.data, u8(ref.rgba!))).toBe(0);
  });

  it('covers every kind of JPEG the fixtures were made for', () => {
    expect(jpegs.length).toBe(21);
    expect(new Set(jpegs.map((n) => expected.decoded[n].pillow_mode))).toEqual(new Set(['RGB', 'L', 'CMYK']));
  });

  it.each(jpegs.filter((n) => n !== partial))('%s is bit-exact', async (name) => {
    const ref = expected.decoded[name];
    const image = await decodeImage(imageBytes(name), name);
    expect([image.width, image.height]).toEqual([ref.width, ref.height]);
    expect(maxAbsDiff(image.data, u8(ref.rgba!))).toBe(0);
  });

  it(`${partial} (unrefined progressive scans) is within the stated bound of Pillow`, async () => {
    const reference = u8(expected.decoded[partial].rgba!);
    const image = await decodeImage(imageBytes(partial), partial);
    const diff = maxAbsDiff(image.data, reference);
    const exact = image.data.filter((v, i) => i % 4 !== 3 && v === reference[i]).length / ((reference.length / 4) * 3);
    console.log(`decodeImage vs Pillow ${partial}: max |diff| = ${diff}, ${(exact * 100).toFixed(1)}% of RGB values equal`);
    expect(diff).toBeLessThanOrEqual(PARTIAL_PROGRESSIVE_BOUND);
  });

  it('skips junk between segments, as Pillow and libjpeg do', async () => {
    const jpg = imageBytes('photo_96x72.jpg');
    const dqt = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xdb);
    const withJunk = Buffer.concat([jpg.subarray(0, dqt), Buffer.from([0x00, 0x20, 0x7f]), jpg.subarray(dqt)]);
    expect(maxAbsDiff((await decodeImage(withJunk, 'junk.jpg')).data, u8(expected.decoded['photo_96x72.jpg'].rgba!))).toBe(0);
  });

  it('leaves EXIF orientation alone, as Image.open does', async () => {
    const name = 'photo_exif_rotated_96x72.jpg';
    const bytes = imageBytes(name);
    expect(Buffer.from(bytes).includes(Buffer.from('Exif\0\0'))).toBe(true);
    const image = await decodeImage(bytes, name);
    expect([image.width, image.height]).toEqual([96, 72]); // orientation 6 would make it 72x96
    // Same pixels, same encoder settings as photo_96x72.jpg: the EXIF segment changes nothing.
    expect(image.data).toEqual((await decodeImage(imageBytes('photo_96x72.jpg'))).data);
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
  it('rejects bytes that are no image, whatever the file name says', async () => {
    const random = new Uint8Array(1000).map((_, i) => (i * 7919 + 13) % 256);
    await expect(decodeImage(random, 'photo.png')).rejects.toThrow('photo.png: not a PNG, JPEG, WebP, GIF or BMP image');
    await expect(decodeImage(new Uint8Array(0))).rejects.toThrow('image: not a PNG, JPEG, WebP, GIF or BMP image');
  });

  it('leaves WebP, GIF and BMP to the browser app', async () => {
    const gif = Buffer.from('GIF89a\x02\x00\x02\x00\x00\x00\x00;', 'latin1');
    await expect(decodeImage(gif, 'a.gif')).rejects.toThrow('a.gif: GIF images are only read by the browser app; convert it to PNG or JPEG');
  });

  it('sniffs the format from the bytes, not the name', async () => {
    expect((await decodeImage(imageBytes('tiny_7x5.png'), 'misnamed.jpg')).width).toBe(7);
    expect((await decodeImage(imageBytes('grey_40x30.jpg'), 'misnamed.png')).width).toBe(40);
  });

  it('rejects a truncated PNG', async () => {
    const png = imageBytes('photo_320x240.png');
    await expect(decodeImage(png.subarray(0, png.length >> 1), 'cut.png')).rejects.toThrow(/cut\.png: PNG file is (damaged or )?truncated/);
    await expect(decodeImage(png.subarray(0, 20), 'cut.png')).rejects.toThrow('cut.png: PNG file is truncated or its header is damaged');
  });

  it('accepts a PNG without its IEND chunk, as Pillow does', async () => {
    const png = imageBytes('rgb_37x29.png');
    const withoutEnd = await decodeImage(png.subarray(0, png.length - 12), 'no-iend.png');
    expect(withoutEnd.data).toEqual((await decodeImage(png)).data);
  });

  it('rejects a PNG with a corrupted chunk', async () => {
    const png = imageBytes('rgb_37x29.png').slice();
    png[60] ^= 0xff; // inside the first IDAT: the CRC no longer matches
    await expect(decodeImage(png, 'bad.png')).rejects.toThrow('bad.png: PNG file is damaged or truncated');
  });

  it('refuses interlaced PNGs with sub-byte samples instead of returning wrong pixels', async () => {
    await expect(decodeImage(imageBytes('grey2bit_adam7_23x17.png'), 'a.png')).rejects.toThrow(
      'a.png: interlaced (Adam7) PNG with 2-bit samples is not supported',
    );
    await expect(decodeImage(imageBytes('palette1bit_adam7_21x10.png'), 'b.png')).rejects.toThrow('with 1-bit samples');
  });

  it('rejects huge dimensions from the header alone', async () => {
    // 45 bytes: the size check must come before any allocation for the pixels.
    const header = Buffer.concat([pngHeader(20000, 20000), chunk('IDAT', deflateSync(Buffer.alloc(10)))]);
    await expect(decodeImage(header, 'huge.png')).rejects.toThrow(
      'huge.png: PNG image is 20000x20000 = 400 Mpixel, larger than the 50 Mpixel limit',
    );
    await expect(decodeImage(pngHeader(0, 10), 'empty.png')).rejects.toThrow('empty.png: PNG image has an empty size 0x10');
  });

  /** A copy of a fixture JPEG with bytes of its frame header (SOF0) replaced, `at` counted from the marker. */
  function patchFrame(patch: Record<number, number>): Uint8Array {
    const jpg = imageBytes('photo_96x72.jpg').slice();
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    for (const [at, value] of Object.entries(patch)) jpg[sof + Number(at)] = value;
    return jpg;
  }

  it('rejects a huge JPEG from its frame header', async () => {
    const huge = patchFrame({ 5: 0xea, 6: 0x60, 7: 0xea, 8: 0x60 }); // 60000x60000
    await expect(decodeImage(huge, 'huge.jpg')).rejects.toThrow('huge.jpg: JPEG image is 60000x60000 = 3600 Mpixel, larger than the 50 Mpixel limit');
  });

  it('rejects a truncated JPEG, as Pillow does without LOAD_TRUNCATED_IMAGES', async () => {
    const jpg = imageBytes('photo_96x72.jpg');
    await expect(decodeImage(jpg.subarray(0, 10), 'cut.jpg')).rejects.toThrow('cut.jpg: JPEG file is truncated or its header is damaged');
    // Pillow: "image file is truncated" both for a file cut in its data and for one missing only its EOI marker.
    for (const end of [jpg.length >> 1, jpg.length - 2]) {
      await expect(decodeImage(jpg.subarray(0, end), 'cut.jpg')).rejects.toThrow(
        'cut.jpg: JPEG file is truncated (it ends before its end-of-image marker)',
      );
    }
  });

  it('rejects JPEG codings Pillow cannot read, and arithmetic coding, which it can but we cannot', async () => {
    await expect(decodeImage(patchFrame({ 1: 0xc9 }), 'a.jpg')).rejects.toThrow('a.jpg: arithmetic-coded JPEG is not supported');
    await expect(decodeImage(patchFrame({ 1: 0xc3 }), 'b.jpg')).rejects.toThrow('b.jpg: lossless or hierarchical JPEG is not supported');
    await expect(decodeImage(patchFrame({ 4: 12 }), 'c.jpg')).rejects.toThrow('c.jpg: 12-bit JPEG is not supported, only 8-bit');
    await expect(decodeImage(patchFrame({ 9: 2 }), 'd.jpg')).rejects.toThrow('d.jpg: JPEG with 2 colour components is not supported');
  });

  it('rejects a JPEG that libjpeg cannot decode, and decodes the next one', async () => {
    // A Huffman table with no codes: libjpeg stops with a fatal error (Pillow: "broken data stream").
    const jpg = imageBytes('photo_96x72.jpg').slice();
    const dht = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc4);
    jpg.fill(0, dht + 5, dht + 21);
    await expect(decodeImage(jpg, 'broken.jpg')).rejects.toThrow('broken.jpg: JPEG file is damaged (libjpeg could not decode it)');
    expect(maxAbsDiff((await decodeImage(imageBytes('photo_96x72.jpg'))).data, u8(expected.decoded['photo_96x72.jpg'].rgba!))).toBe(0);
  });
});
