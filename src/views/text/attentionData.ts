// The attention matrix a text view shows, derived from one model output and the view options:
// one head or the head average of a layer, or the rollout over all layers, optionally without
// the special tokens. All arithmetic lives in src/analysis; this only picks and labels.

import { headOrMean } from '../../analysis/rollout';
import { keepTokens, tokensExcept } from '../../analysis/tokens';
import type { FullBertOutput, NdArray } from '../../models/types';
import type { AttentionOptions } from '../../stores';

export interface ShownAttention {
  /** [n, n], rows = attending token (query), columns = attended token (key). */
  matrix: NdArray;
  /** Sequence positions of the rows/columns (all tokens, or those left after hiding specials). */
  positions: number[];
  labels: string[];
}

/** Positions of the tokens that are not [CLS]/[SEP]. */
export function visiblePositions(output: FullBertOutput, hideSpecial: boolean): number[] {
  const n = output.encoding.tokens.length;
  const special = output.encoding.segment.flatMap((s, p) => (s < 0 ? [p] : []));
  return hideSpecial ? tokensExcept(n, special) : tokensExcept(n, []);
}

/** The text rollout: heads averaged, nothing discarded. */
export const TEXT_ROLLOUT = { headFusion: 'mean', discardRatio: 0 } as const;

/** Restricts a full [n, n] matrix to `positions` (renormalising rows) when specials are hidden. */
export function restrict(output: FullBertOutput, matrix: NdArray, hideSpecial: boolean): ShownAttention {
  const positions = visiblePositions(output, hideSpecial);
  const labels = positions.map((p) => output.encoding.tokens[p]);
  return { matrix: hideSpecial ? keepTokens(matrix, positions) : matrix, positions, labels };
}

/** The matrix of the matrix view (a head or the head average of a layer), restricted as asked. */
export function shownAttention(output: FullBertOutput, options: AttentionOptions): ShownAttention {
  return restrict(output, headOrMean(output.attentions[options.layer], options.head), options.hideSpecial);
}
