// Size limits: one for every image format (from the header), the resize's intermediate buffers,
// and the processor's output at model load. Each refusal must come before the memory is spent.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infer } from '../../src/cli/infer';
import { loadModel } from '../../src/models';
import { JsonFields } from '../../src/models/checkpoint/json';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { checkResize, Resampling, resizePillow, ViTImageProcessor, type Resample } from '../../src/models/vit/image_processing_vit';
import { toRgba } from '../../src/worker/images';
import { copyFixture } from '../model/helpers';

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));
beforeAll(() => initNodeBackend('cpu'));

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A valid 8-bit grey PNG of width x height, all black: tiny on disk whatever its size. */
function blackPng(width: number, height: number): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  // Each row is a filter byte (0) and `width` zero samples.
  const idat = deflateSync(Buffer.alloc((width + 1) * height), { level: 9 });
  return Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))]);
}

describe('checkResize: the resize is planned before it runs', () => {
  it('refuses an intermediate image (output width x input height) over 50 Mpixel', () => {
    expect(() => checkResize(1, 49_000_000, 28, 28, Resampling.BILINEAR)).toThrow(
      'the intermediate image of resizing 1x49000000 to 28x28 is 28x49000000 = 1372 Mpixel, larger than the 50 Mpixel limit',
    );
    // Pillow's order is horizontal first, so a wide image has a small intermediate...
    expect(() => checkResize(10_000_000, 1, 28, 28, Resampling.BILINEAR)).not.toThrow();
    // ...but its filter weights (about 2·support per input pixel) can still pass the limit.
    expect(() => checkResize(49_000_000, 1, 224, 224, Resampling.LANCZOS)).toThrow(
      'resizing 49000000x1 to 224x224 needs 294 M filter weights, more than the 50 M limit',
    );
  });

  it('refuses an output over 50 Mpixel, whatever the filter', () => {
    for (const resample of Object.values(Resampling)) {
      expect(() => checkResize(100, 100, 8000, 8000, resample)).toThrow('the image after resizing 100x100 to 8000x8000 is 8000x8000 = 64 Mpixel');
    }
  });

  it('accepts every ordinary resize, with every filter', () => {
    for (const resample of Object.values(Resampling) as Resample[]) {
      for (const [w, h] of [[7000, 7000], [8000, 6000], [320, 240], [1, 1], [49_000, 1000]]) {
        expect(() => checkResize(w, h, 224, 224, resample), `${w}x${h} ${resample}`).not.toThrow();
        expect(() => checkResize(w, h, 1024, 768, resample), `${w}x${h} ${resample}`).not.toThrow();
      }
    }
    // NEAREST has no intermediate image and no weights.
    expect(() => checkResize(1, 49_000_000, 28, 28, Resampling.NEAREST)).not.toThrow();
  });

  it('is applied by resizePillow before anything is allocated', () => {
    // 4 bytes of data for a 1x49000000 image: the refusal must come before they are read.
    const pixels = { width: 1, height: 49_000_000, channels: 1 as const, data: new Uint8Array(4) };
    expect(() => resizePillow(pixels, 28, 28, Resampling.BILINEAR)).toThrow('the intermediate image of resizing 1x49000000 to 28x28');
  });
});

describe('the 1x49,000,000 grey PNG (issue 14)', () => {
  const png = blackPng(1, 49_000_000);
  const file = join(mkdtempSync(join(tmpdir(), 'limits-')), 'tall.png');
  scratch.push(join(file, '..'));
  writeFileSync(file, png);

  it('is about 100 KB and within the 50 Mpixel decode limit', () => {
    expect(png.length).toBeLessThan(150_000);
  });

  it('is refused by the CLI before it is decoded', async () => {
    const start = performance.now();
    const result = await infer(['--model', 'public/models/mini-vit', '--image', file]);
    console.log(`CLI on the 1x49000000 PNG: exit ${result.code} after ${((performance.now() - start) / 1000).toFixed(2)} s`);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: ${file}: the intermediate image of resizing 1x49000000 to 28x28 is 28x49000000 = 1372 Mpixel, larger than the 50 Mpixel limit\n`,
    );
  });

  it('is refused by the worker path before it is decoded', async () => {
    const model = await loadModel(await fromFolder('public/models/mini-vit'));
    if (model.kind !== 'vit') throw new Error('expected ViT');
    const input = { type: 'encoded' as const, bytes: png.slice().buffer, fileName: 'tall.png' };
    await expect(toRgba(input, model.checkImageSize)).rejects.toThrow('tall.png: the intermediate image of resizing 1x49000000 to 28x28');
    model.dispose();
  });
});

describe('the worker path checks every format from its header', () => {
  const riff = (chunkType: string, payload: number[]) => {
    const b = Buffer.alloc(20 + payload.length);
    b.write('RIFF', 0, 'latin1');
    b.writeUInt32LE(12 + payload.length, 4);
    b.write('WEBP', 8, 'latin1');
    b.write(chunkType, 12, 'latin1');
    b.writeUInt32LE(payload.length, 16);
    b.set(payload, 20);
    return b;
  };
  const vp8l = (w: number, h: number) => riff('VP8L', [0x2f, ...new Uint8Array(new Uint32Array([(w - 1) | ((h - 1) << 14)]).buffer)]);

  it('refuses a 16383x16383 or an 8000x8000 WebP without handing it to a decoder', async () => {
    // There is no createImageBitmap in Node: reaching the browser decoder would fail differently.
    for (const [w, h, mp] of [[16383, 16383, '268.4'], [8000, 8000, '64']] as const) {
      const input = { type: 'encoded' as const, bytes: vp8l(w, h).buffer, fileName: 'x.webp' };
      await expect(toRgba(input)).rejects.toThrow(`x.webp: WebP image is ${w}x${h} = ${mp} Mpixel, larger than the 50 Mpixel limit`);
    }
  });

  it('refuses an unknown format by name', async () => {
    const input = { type: 'encoded' as const, bytes: new TextEncoder().encode('<svg/>').buffer, fileName: 'x.svg' };
    await expect(toRgba(input)).rejects.toThrow('x.svg: not a PNG, JPEG, WebP, GIF or BMP image');
  });
});

describe("preprocessor_config.json's output size is checked when the model loads", () => {
  const fromConfig = (config: Record<string, unknown>) => ViTImageProcessor.fromConfig(JsonFields.of(config, 'preprocessor_config.json'), 3);

  it('refuses a size or crop_size over 50 Mpixel', () => {
    expect(() => fromConfig({ size: { height: 20000, width: 20000 } })).toThrow(
      'preprocessor_config.json: "size" is 20000x20000 = 400 Mpixel, larger than the 50 Mpixel limit',
    );
    expect(() => fromConfig({ image_processor_type: 'DeiTImageProcessor', size: 256, crop_size: 10000 })).toThrow(
      'preprocessor_config.json: "crop_size" is 10000x10000 = 100 Mpixel',
    );
    // Unused sizes are not checked, as HF ignores them.
    expect(fromConfig({ do_resize: false, size: 20000 }).config.do_resize).toBe(false);
  });

  function withProcessor(config: Record<string, unknown>): string {
    const dir = copyFixture('vit-tiny');
    scratch.push(dir);
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(config));
    return dir;
  }

  it('refuses a processed size whose patch sequence passes the attention limit', async () => {
    // vit-tiny: patch 4, 3 layers x 4 heads; 300x300 is 5625 patches, 48·5626² bytes of attention maps.
    await expect(loadModel(await fromFolder(withProcessor({ size: 300 })))).rejects.toThrow(
      'preprocessor_config.json: the processed image (300x300) makes 5625 patches; their attention maps would take 1.4 GiB (limit 1 GiB). Lower "size" or "crop_size".',
    );
    await expect(loadModel(await fromFolder(withProcessor({ size: 2 })))).rejects.toThrow(
      'preprocessor_config.json: the processed image (2x2) is smaller than one patch (patch_size=4).',
    );
    const model = await loadModel(await fromFolder(withProcessor({ size: 256 })));
    model.dispose();
  });

  it('checks the image size before decoding when the processor keeps it', async () => {
    const model = await loadModel(await fromFolder(withProcessor({ do_resize: false })));
    if (model.kind !== 'vit') throw new Error('expected ViT');
    expect(() => model.checkImageSize(1200, 1200)).toThrow('The processed image (1200x1200) makes 90000 patches');
    expect(() => model.checkImageSize(1200, 1200, 'big.png')).toThrow('big.png: the processed image (1200x1200) makes 90000 patches');
    expect(() => model.checkImageSize(64, 48)).not.toThrow();
    model.dispose();
  });
});
