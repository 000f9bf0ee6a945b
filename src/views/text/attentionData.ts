// The attention matrix a text view shows, derived from one model output and the view options:
// one head or the head average of a layer, or the rollout over all layers, optionally without
// the special tokens. All arithmetic lives in src/analysis; this only picks and labels.

import { fuseHeads, attentionRollout } from '../../analysis/rollout';
import { headOf } from '../../analysis/ndarray';
import { keepTokens, tokensExcept } from '../../analysis/tokens';
import type { BertOutput, NdArray } from '../../models/types';
import type { AttentionOptions } from '../../stores/textStore';

export interface ShownAttention {
  /** [n, n], rows = attending token (query), columns = attended token (key). */
  matrix: NdArray;
  /** Sequence positions of the rows/columns (all tokens, or those left after hiding specials). */
  positions: number[];
  labels: string[];
}

/** Positions of the tokens that are not [CLS]/[SEP]. */
export function visiblePositions(output: BertOutput, hideSpecial: boolean): number[] {
  const n = output.encoding.tokens.length;
  const special = output.encoding.segment.flatMap((s, p) => (s < 0 ? [p] : []));
  return hideSpecial ? tokensExcept(n, special) : tokensExcept(n, []);
}

/** Layer `layer`, head `head` (or the mean over heads) as [n, n]. */
export function layerHead(output: BertOutput, layer: number, head: number | 'mean'): NdArray {
  const attention = output.attentions[layer];
  if (head !== 'mean') return headOf(attention, head);
  const n = attention.shape[1];
  return { shape: [n, n], data: Float32Array.from(fuseHeads(attention, 'mean')) };
}

export function rollout(output: BertOutput): NdArray {
  return attentionRollout(output.attentions, { headFusion: 'mean', discardRatio: 0 });
}

/** Restricts a full [n, n] matrix to `positions` (renormalising rows) when specials are hidden. */
export function restrict(output: BertOutput, matrix: NdArray, hideSpecial: boolean): ShownAttention {
  const positions = visiblePositions(output, hideSpecial);
  const labels = positions.map((p) => output.encoding.tokens[p]);
  return { matrix: hideSpecial ? keepTokens(matrix, positions) : matrix, positions, labels };
}

export function shownAttention(output: BertOutput, options: AttentionOptions): ShownAttention {
  const full = options.view === 'rollout' ? rollout(output) : layerHead(output, options.layer, options.head);
  return restrict(output, full, options.hideSpecial);
}
