// Shared by the model-core tests: fixture loading, the parity criterion, and a safetensors writer
// for building broken checkpoints.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { parseSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import type { NdArray } from '../../src/models/types';

export const FIXTURES = join(__dirname, '../fixtures/models');

export interface Fixture {
  dir: string;
  cases: Record<string, unknown>[];
  expected: (key: string) => NdArray;
  hasExpected: (key: string) => boolean;
}

export function loadFixture(name: string): Fixture {
  const dir = join(FIXTURES, name);
  const { cases } = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as { cases: Record<string, unknown>[] };
  const { tensors } = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'expected.safetensors'))), 'expected.safetensors');
  return {
    dir,
    cases,
    hasExpected: (key) => tensors.has(key),
    expected: (key) => {
      const entry = tensors.get(key);
      if (!entry) throw new Error(`expected.safetensors of ${name} has no ${key}`);
      return { shape: entry.shape, data: toFloat32(entry) };
    },
  };
}

/** The parity criterion used by every comparison: |actual - expected| <= ATOL + RTOL * |expected|. */
export const ATOL = 1e-5;
export const RTOL = 1e-4;

/** Largest |a - b| seen per output label, for the report printed after the parity run. */
export const maxAbsDiff = new Map<string, number>();

/** Asserts the parity criterion elementwise; `key` groups the max-abs difference in the report. */
export function expectClose(
  actual: NdArray | { shape: number[]; data: ArrayLike<number> },
  expected: NdArray,
  label: string,
  key = label,
): void {
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  let worst = 0;
  let worstIndex = -1;
  let violations = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const diff = Math.abs(actual.data[i] - expected.data[i]);
    if (!(diff <= ATOL + RTOL * Math.abs(expected.data[i]))) violations++;
    if (!(diff <= worst)) {
      worst = diff;
      worstIndex = i;
    }
  }
  maxAbsDiff.set(key, Math.max(maxAbsDiff.get(key) ?? 0, worst));
  expect(
    violations,
    `${label}: ${violations} values outside ${ATOL} + ${RTOL}*|expected|; worst |diff| ${worst} at ${worstIndex} ` +
      `(got ${actual.data[worstIndex]}, expected ${expected.data[worstIndex]})`,
  ).toBe(0);
}

/** Rows [start, end) of a 2-D array. */
export function rows(a: NdArray, start: number, end: number): NdArray {
  const width = a.shape[1];
  return { shape: [end - start, width], data: a.data.slice(start * width, end * width) };
}

type Dtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'U8';
export interface RawTensor {
  dtype: Dtype;
  shape: number[];
  bytes: Uint8Array;
}

/** Serialises tensors as safetensors; `header` lets a test inject a malformed entry. */
export function encodeSafetensors(tensors: Record<string, RawTensor>, header: Record<string, unknown> = {}): Uint8Array {
  const entries: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    entries[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.byteLength] };
    chunks.push(t.bytes);
    offset += t.bytes.byteLength;
  }
  Object.assign(entries, header);
  let json = JSON.stringify(entries);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.byteLength + offset);
  new DataView(out.buffer).setUint32(0, headerBytes.byteLength, true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.byteLength;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

export function f32(values: number[]): Uint8Array {
  return new Uint8Array(new Float32Array(values).buffer);
}

/** The tensors of a fixture checkpoint, with their raw bytes, for editing. */
export function readCheckpointTensors(dir: string): Record<string, RawTensor> {
  const { tensors } = parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));
  const out: Record<string, RawTensor> = {};
  for (const [name, t] of tensors) out[name] = { dtype: t.dtype, shape: t.shape, bytes: t.bytes.slice() };
  return out;
}

/** A scratch copy of a fixture folder, optionally with its model.safetensors replaced. */
export function copyFixture(name: string, weights?: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), `model-test-${name}-`));
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  if (weights) writeFileSync(join(dir, 'model.safetensors'), weights);
  return dir;
}
