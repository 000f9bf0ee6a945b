// Cosine similarity between row vectors: used for position embeddings (ViT Fig. 7,
// BERT position similarity) and for comparing the final outputs of patches or tokens.

import type { NdArray } from '../models/types';
import { assertRank } from './ndarray';

/** Euclidean norm of every row of [n, d], in float64. */
function rowNorms(a: NdArray): Float64Array {
  const [n, d] = a.shape;
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += a.data[i * d + k] ** 2;
    norms[i] = Math.sqrt(s);
  }
  return norms;
}

function dotRows(a: NdArray, i: number, j: number): number {
  const d = a.shape[1];
  let s = 0;
  for (let k = 0; k < d; k++) s += a.data[i * d + k] * a.data[j * d + k];
  return s;
}

/**
 * [n, n] matrix of cos(a_i, a_j) for the rows of a [n, d] array. A zero row has no direction:
 * its similarities are 0 (not NaN), so heatmaps still render.
 */
export function cosineSimilarityMatrix(a: NdArray): NdArray {
  const [n] = assertRank(a, 2, 'cosineSimilarityMatrix');
  const norms = rowNorms(a);
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const denom = norms[i] * norms[j];
      const c = denom === 0 ? 0 : dotRows(a, i, j) / denom;
      out[i * n + j] = c;
      out[j * n + i] = c;
    }
  }
  return { shape: [n, n], data: out };
}

/** cos(a_i, a_j) for every row j of a [n, d] array: one row of `cosineSimilarityMatrix` without the rest. */
export function cosineSimilarityToRow(a: NdArray, i: number): Float32Array {
  const [n] = assertRank(a, 2, 'cosineSimilarityToRow');
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new Error(`cosineSimilarityToRow: row ${i} out of range 0..${n - 1}`);
  const norms = rowNorms(a);
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const denom = norms[i] * norms[j];
    out[j] = denom === 0 ? 0 : dotRows(a, i, j) / denom;
  }
  return out;
}
