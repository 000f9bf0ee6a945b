// Attention rollout (Abnar & Zuidema, 2020, "Quantifying Attention Flow in Transformers").
//
// Each layer's output is its input plus the attention output (the residual connection), so a
// layer's token mixing is modelled as 0.5·A + 0.5·I. Multiplying these matrices from the first
// layer up gives how much each output token draws from each input token:
//   R = Â_L · … · Â_2 · Â_1,   Â_l = rownorm(0.5·fuse_heads(A_l) + 0.5·I).
// Row 0 of R ([CLS]) over the patch columns is the usual ViT saliency map.
//
// The optional discard ratio follows the widely used vit-explain implementation (Gildenblat):
// after fusing heads, the floor(ratio·n²) smallest of all n·n entries are set to 0, except the
// [CLS]→[CLS] entry (0, 0): if it is among them it is kept and one fewer entry is dropped.
// Unlike that implementation, each row is divided by its own sum (its `a / a.sum(dim=-1)`
// broadcasts the row sums across columns), so every Â_l and R stay row-stochastic.

import type { NdArray } from '../models/types';
import { assertRank, headOf } from './ndarray';

export type HeadFusion = 'mean' | 'max' | 'min';

export interface RolloutOptions {
  headFusion: HeadFusion;
  /** Fraction in [0, 1) of the smallest fused attention weights dropped in every layer. */
  discardRatio: number;
}

/** Combines the heads of one layer [heads, n, n] into one [n, n] matrix, in float64. */
export function fuseHeads(attention: NdArray, fusion: HeadFusion): Float64Array {
  const [heads, n, m] = assertRank(attention, 3, 'fuseHeads');
  if (n !== m || heads < 1) throw new Error(`fuseHeads: expected [heads, n, n], got [${attention.shape.join(', ')}]`);
  const nn = n * n;
  const out = new Float64Array(nn);
  const a = attention.data;
  for (let k = 0; k < nn; k++) {
    let acc = a[k];
    for (let h = 1; h < heads; h++) {
      const v = a[h * nn + k];
      if (fusion === 'mean') acc += v;
      else if (fusion === 'max') acc = Math.max(acc, v);
      else acc = Math.min(acc, v);
    }
    out[k] = fusion === 'mean' ? acc / heads : acc;
  }
  return out;
}

/** One head of a layer's attention [heads, n, n] as [n, n], or the mean over its heads. */
export function headOrMean(attention: NdArray, head: number | 'mean'): NdArray {
  if (head !== 'mean') return headOf(attention, head);
  const n = attention.shape[1];
  return { shape: [n, n], data: Float32Array.from(fuseHeads(attention, 'mean')) };
}

/**
 * Zeroes the floor(ratio·n²) smallest entries of `fused` in place, sparing entry (0, 0).
 * "Smallest" orders by value, then by position among equal values, so ties are deterministic.
 */
function discardLowest(fused: Float64Array, ratio: number): void {
  const count = Math.floor(fused.length * ratio);
  if (count === 0) return;
  const threshold = Float64Array.from(fused).sort()[count - 1];
  let below = 0;
  for (const v of fused) if (v < threshold) below++;
  let tiesToDrop = count - below;
  for (let k = 0; k < fused.length; k++) {
    const drop = fused[k] < threshold || (fused[k] === threshold && tiesToDrop-- > 0);
    if (drop && k !== 0) fused[k] = 0;
  }
}

/** Â = rownorm(0.5·A + 0.5·I), in place. */
function addResidualAndNormalise(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    a[i * n + i] += 1;
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[i * n + j];
    for (let j = 0; j < n; j++) a[i * n + j] /= sum;
  }
}

/**
 * Rollout after each layer: entry l is R after layers 1..l+1, each [n, n]. Views that let the user
 * pick the depth compute this once and index into it.
 */
export function attentionRolloutByLayer(attentions: NdArray[], options: RolloutOptions): NdArray[] {
  const { headFusion, discardRatio } = options;
  if (attentions.length === 0) throw new Error('attentionRollout: no layers given');
  if (!(discardRatio >= 0 && discardRatio < 1)) {
    throw new Error(`attentionRollout: discard ratio must be in [0, 1), got ${discardRatio}`);
  }
  const n = attentions[0].shape[1];
  let rollout = new Float64Array(n * n);
  for (let i = 0; i < n; i++) rollout[i * n + i] = 1;
  const out: NdArray[] = [];
  for (const attention of attentions) {
    if (attention.shape[1] !== n) throw new Error('attentionRollout: layers have different sequence lengths');
    const layer = fuseHeads(attention, headFusion);
    discardLowest(layer, discardRatio);
    addResidualAndNormalise(layer, n);
    const next = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const row = next.subarray(i * n, (i + 1) * n);
      for (let k = 0; k < n; k++) {
        const w = layer[i * n + k];
        if (w === 0) continue;
        const from = rollout.subarray(k * n, (k + 1) * n);
        for (let j = 0; j < n; j++) row[j] += w * from[j];
      }
    }
    rollout = next;
    out.push({ shape: [n, n], data: Float32Array.from(rollout) });
  }
  return out;
}

/** Attention rollout over `attentions` (one [heads, n, n] per layer, first layer first); returns [n, n]. */
export function attentionRollout(attentions: NdArray[], options: RolloutOptions): NdArray {
  return attentionRolloutByLayer(attentions, options)[attentions.length - 1];
}
