// The app's image path (src/worker/images.ts) in a Web Worker in Chromium must give the pixels the
// Node tests check: every fixture image equal to Pillow's Image.open().convert('RGBA') (PNG in JS,
// JPEG through libjpeg-turbo in WebAssembly, fetched from the build's assets), and the same
// refusals, the size limit applied from the header before the browser's own decoder sees a file.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DecodeJob, DecodeResult } from '../browser/parity';
import { expected, imageBytes, maxAbsDiff, sha256, u8 } from '../image/fixtures';
import { launchChromium, watchedPage } from './setup/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** Lossless WebP header claiming width x height (signature 0x2f, then width - 1 and height - 1 in 14 bits each). */
function webpHeader(width: number, height: number): number[] {
  const b = Buffer.alloc(25);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(17, 4);
  b.write('WEBPVP8L', 8, 'latin1');
  b.writeUInt32LE(5, 16);
  b[20] = 0x2f;
  b.writeUInt32LE((width - 1) | ((height - 1) << 14), 21);
  return [...b];
}

describe('image decoding in a Web Worker in Chromium', () => {
  it("gives Pillow's pixels for every fixture image and refuses what the Node decoder refuses", async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${inject('appUrl')}/tests/browser/parity.html`);
    await page.waitForFunction(() => typeof window.decodeInWorker === 'function');

    const names = Object.keys(expected.decoded);
    const jpeg = imageBytes('photo_96x72.jpg');
    const crafted: (DecodeJob & { want: string })[] = [
      { fileName: 'bomb.webp', bytes: webpHeader(16383, 16383), want: 'bomb.webp: WebP image is 16383x16383 = 268.4 Mpixel, larger than the 50 Mpixel limit' },
      { fileName: 'big.webp', bytes: webpHeader(8000, 8000), want: 'big.webp: WebP image is 8000x8000 = 64 Mpixel, larger than the 50 Mpixel limit' },
      { fileName: 'cut.jpg', bytes: [...jpeg.subarray(0, jpeg.length - 2)], want: 'cut.jpg: JPEG file is truncated (it ends before its end-of-image marker)' },
      { fileName: 'x.svg', bytes: [...Buffer.from('<svg/>')], want: 'x.svg: not a PNG, JPEG, WebP, GIF or BMP image' },
    ];
    const jobs: DecodeJob[] = [
      ...names.map((fileName) => ({ fileName, url: `${inject('hubUrl')}/raw/images/${fileName}` })),
      ...crafted.map(({ fileName, bytes }) => ({ fileName, bytes })),
    ];
    const results: DecodeResult[] = await page.evaluate((j) => window.decodeInWorker(j), jobs);

    const partial = 'photo_progressive_partial_96x72.jpg';
    const refused: Record<string, string> = {
      'grey2bit_adam7_23x17.png': 'interlaced (Adam7) PNG with 2-bit samples is not supported; re-save it non-interlaced',
      'palette1bit_adam7_21x10.png': 'interlaced (Adam7) PNG with 1-bit samples is not supported; re-save it non-interlaced',
    };
    const measured: Record<string, number> = {};
    names.forEach((name, i) => {
      const result = results[i];
      if (refused[name]) {
        expect(result, name).toEqual({ error: `${name}: ${refused[name]}` });
        return;
      }
      if ('error' in result) throw new Error(`${name}: ${result.error}`);
      const ref = expected.decoded[name];
      expect([result.width, result.height], name).toEqual([ref.width, ref.height]);
      const data = new Uint8Array(Buffer.from(result.base64, 'base64'));
      if (ref.rgba_sha256) {
        expect(sha256(data), name).toBe(ref.rgba_sha256);
        measured[name] = 0;
      } else {
        measured[name] = maxAbsDiff(data, u8(ref.rgba!));
        // Same bound as tests/image/decode.test.ts: exact, but for the one documented libjpeg-turbo 2.0 vs 2.1 case.
        expect(measured[name], name).toBeLessThanOrEqual(name === partial ? 9 : 0);
      }
    });
    console.log('worker decode vs Pillow, max |diff| per fixture:', JSON.stringify(measured));
    expect(Object.keys(measured).filter((n) => n.endsWith('.jpg')).length).toBe(21);

    crafted.forEach(({ fileName, want }, i) => expect(results[names.length + i], fileName).toEqual({ error: want }));
    expect(errors).toEqual([]);
    await page.close();
  });
});
