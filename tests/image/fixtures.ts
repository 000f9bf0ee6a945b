// Reads the references written by scripts/reference/make_image_fixtures.py (Pillow + numpy).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pixels } from '../../src/models/vit/image_processing_vit';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'images');

export interface ArrayRef {
  offset: number;
  length: number;
  dtype: 'u8' | 'f32';
  shape: number[];
}

export interface DecodedRef {
  pillow_mode: string;
  width: number;
  height: number;
  rgba?: ArrayRef;
  rgba_sha256?: string;
}

type Config = Record<string, unknown> | null;

export type Case =
  | { kind: 'resize'; image: string; channels: 1 | 3; width: number; height: number; resample: number; filter: string; resized: ArrayRef }
  | { kind: 'convert'; image: string; rgb: ArrayRef; grey: ArrayRef }
  | {
      kind: 'preprocess';
      config_name: string;
      config: Config;
      channels: 1 | 3;
      image: string;
      resized?: ArrayRef;
      resized_sha256?: string;
      pixel_values?: ArrayRef;
    }
  | { kind: 'float_steps'; config_name: string; config: Config; channels: 1 | 3; pixel_values: ArrayRef };

export const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as {
  decoded: Record<string, DecodedRef>;
  cases: Case[];
};
const blob = readFileSync(join(FIXTURES, 'expected.bin'));

export function u8(ref: ArrayRef): Uint8Array {
  if (ref.dtype !== 'u8') throw new Error(`expected u8, got ${ref.dtype}`);
  return new Uint8Array(blob.buffer, blob.byteOffset + ref.offset, ref.length);
}

export function f32(ref: ArrayRef): Float32Array {
  if (ref.dtype !== 'f32') throw new Error(`expected f32, got ${ref.dtype}`);
  return new Float32Array(blob.buffer.slice(blob.byteOffset + ref.offset, blob.byteOffset + ref.offset + ref.length));
}

export function imageBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

export function sha256(data: Uint8Array | Uint8ClampedArray): string {
  return createHash('sha256').update(data).digest('hex');
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

/** Pillow's reference pixels of an HWC array as `Pixels`. */
export function refPixels(ref: ArrayRef): Pixels {
  const [height, width, channels] = ref.shape;
  return { width, height, channels: channels as 1 | 3, data: u8(ref) };
}
