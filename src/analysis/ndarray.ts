// Shape checks and slicing shared by the analysis functions. Every analysis takes plain
// NdArrays (as they come out of the model core) and fails loudly on a shape it cannot use,
// because a silently mis-shaped heatmap is worse than an error message.

import type { NdArray } from '../models/types';

/** Throws unless `a` is a well-formed NdArray of the given rank; returns its shape. */
export function assertRank(a: NdArray, rank: number, what: string): number[] {
  if (a.shape.length !== rank) {
    throw new Error(`${what}: expected a rank-${rank} array, got shape [${a.shape.join(', ')}]`);
  }
  const size = a.shape.reduce((p, s) => p * s, 1);
  if (a.shape.some((s) => !Number.isInteger(s) || s < 0) || a.data.length !== size) {
    throw new Error(`${what}: shape [${a.shape.join(', ')}] does not match ${a.data.length} values`);
  }
  return a.shape;
}

/** Throws unless `a` is [n, n]; returns n. */
export function assertSquare(a: NdArray, what: string): number {
  const [rows, cols] = assertRank(a, 2, what);
  if (rows !== cols) throw new Error(`${what}: expected a square matrix, got [${rows}, ${cols}]`);
  return rows;
}

/** Head `h` of an attention tensor [heads, n, n] as an [n, n] view (no copy). */
export function headOf(attention: NdArray, h: number): NdArray {
  const [heads, n, m] = assertRank(attention, 3, 'attention');
  if (n !== m) throw new Error(`attention: expected [heads, n, n], got [${attention.shape.join(', ')}]`);
  if (!Number.isInteger(h) || h < 0 || h >= heads) {
    throw new Error(`attention: head ${h} out of range 0..${heads - 1}`);
  }
  return { shape: [n, n], data: attention.data.subarray(h * n * n, (h + 1) * n * n) };
}

/** Row `i` of a matrix [n, d] (no copy). */
export function rowOf(a: NdArray, i: number): Float32Array {
  const [n, d] = assertRank(a, 2, 'matrix');
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`row ${i} out of range 0..${n - 1}`);
  return a.data.subarray(i * d, (i + 1) * d);
}

/** Rows `from..to-1` of a matrix [n, d] (no copy), e.g. the patch rows without [CLS]. */
export function rowsOf(a: NdArray, from: number, to: number): NdArray {
  const [n, d] = assertRank(a, 2, 'matrix');
  if (!(Number.isInteger(from) && Number.isInteger(to) && 0 <= from && from <= to && to <= n)) {
    throw new Error(`rows ${from}..${to} out of range for ${n} rows`);
  }
  return { shape: [to - from, d], data: a.data.subarray(from * d, to * d) };
}
