// Small vector helpers for the embedding views (norms and sums of single rows).

import { rowOf } from '../../../analysis/ndarray';
import type { NdArray } from '../../../models/types';

export function norm(v: Float32Array): number {
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}

/** Row `i` of the sum of several [n, d] arrays. */
export function summedRow(parts: NdArray[], i: number): Float32Array {
  const out = new Float32Array(parts[0].shape[1]);
  for (const part of parts) {
    const row = rowOf(part, i);
    for (let k = 0; k < out.length; k++) out[k] += row[k];
  }
  return out;
}
