// The one place where special tokens ([CLS], [SEP]) are hidden from an attention matrix.
// Softmax rows sum to 1 over all tokens; after dropping some keys we rescale each remaining
// row to sum to 1 again, so the picture shows "of the attention that went to the tokens you
// can see, which share went where". A row whose visible mass is exactly 0 stays all zeros.

import type { NdArray } from '../models/types';
import { assertSquare } from './ndarray';

/** Keeps rows and columns `keep` (in that order) of an [n, n] matrix and renormalises each row to sum 1. */
export function keepTokens(matrix: NdArray, keep: number[]): NdArray {
  const n = assertSquare(matrix, 'keepTokens');
  for (const k of keep) {
    if (!Number.isInteger(k) || k < 0 || k >= n) throw new Error(`keepTokens: index ${k} out of range 0..${n - 1}`);
  }
  const m = keep.length;
  const out = new Float32Array(m * m);
  for (let r = 0; r < m; r++) {
    const src = keep[r] * n;
    let sum = 0;
    for (let c = 0; c < m; c++) sum += matrix.data[src + keep[c]];
    if (sum === 0) continue;
    for (let c = 0; c < m; c++) out[r * m + c] = matrix.data[src + keep[c]] / sum;
  }
  return { shape: [m, m], data: out };
}

/** Indices 0..n-1 without `drop`, e.g. `tokensExcept(1 + N, [0])` for the patches of a ViT. */
export function tokensExcept(n: number, drop: number[]): number[] {
  const dropped = new Set(drop);
  return Array.from({ length: n }, (_, i) => i).filter((i) => !dropped.has(i));
}
