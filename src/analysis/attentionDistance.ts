// Mean attention distance (Dosovitskiy et al. 2021, ViT, Fig. 7 right and Appendix D.7):
// how far, in pixels, a head looks on average. For one query patch it is the attention-weighted
// mean distance between that patch's centre and every key patch's centre; the head's value is
// the mean over all query patches. It plays the role of a CNN's receptive field size.
//
// [CLS] is neither a query nor a key here: it has no position on the image. Its row and column
// are removed and each patch row is renormalised to sum 1 over the patches (see tokens.ts), so
// a head that mostly attends to [CLS] is judged by where its remaining attention goes.

import type { NdArray } from '../models/types';
import { gridDistances, gridSize } from './grid';
import { assertRank, headOf } from './ndarray';
import { keepTokens, tokensExcept } from './tokens';

/**
 * Mean attention distance of every head of one layer, in pixels.
 * @param attention [heads, P + N, P + N] softmax attention with [CLS] (and a DeiT's distillation token) first
 * @param grid      patch grid [rows, cols] with rows·cols = N
 * @param patchSize patch side in pixels
 * @param prefix    P, the tokens before the patches (1, or 2 for a distilled DeiT)
 * @returns         [heads]
 */
export function meanAttentionDistance(attention: NdArray, grid: [number, number], patchSize: number, prefix = 1): Float32Array {
  const [heads, tokens] = assertRank(attention, 3, 'meanAttentionDistance');
  const n = gridSize(grid);
  if (tokens !== n + prefix) {
    throw new Error(`meanAttentionDistance: attention has ${tokens} tokens, grid [${grid.join(', ')}] needs ${prefix} + ${n}`);
  }
  if (!(patchSize > 0)) throw new Error(`meanAttentionDistance: invalid patch size ${patchSize}`);
  const distance = gridDistances(grid);
  const patches = tokensExcept(tokens, Array.from({ length: prefix }, (_, i) => i));
  const out = new Float32Array(heads);
  for (let h = 0; h < heads; h++) {
    const a = keepTokens(headOf(attention, h), patches).data;
    let total = 0;
    let queries = 0;
    for (let q = 0; q < n; q++) {
      let mass = 0;
      for (let k = 0; k < n; k++) {
        mass += a[q * n + k];
        total += a[q * n + k] * distance[q * n + k];
      }
      // A query whose attention went entirely to [CLS] has no distance; leave it out of the mean.
      if (mass > 0) queries++;
    }
    out[h] = queries === 0 ? 0 : (total / queries) * patchSize;
  }
  return out;
}

/** `meanAttentionDistance` for every layer: [layers][heads]. */
export function meanAttentionDistanceByLayer(
  attentions: NdArray[],
  grid: [number, number],
  patchSize: number,
  prefix = 1,
): Float32Array[] {
  return attentions.map((a) => meanAttentionDistance(a, grid, patchSize, prefix));
}
