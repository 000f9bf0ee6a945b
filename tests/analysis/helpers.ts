import { expect } from 'vitest';
import type { NdArray } from '../../src/models/types';

export function nd(rows: number[][]): NdArray {
  return { shape: [rows.length, rows[0]?.length ?? 0], data: Float32Array.from(rows.flat()) };
}

export function nd3(blocks: number[][][]): NdArray {
  return {
    shape: [blocks.length, blocks[0].length, blocks[0][0].length],
    data: Float32Array.from(blocks.flat(2)),
  };
}

export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, digits = 6): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i], `index ${i}`).toBeCloseTo(expected[i], digits);
}
