// The neuron view (after BertViz, Vig 2019): how one head of one layer turns a query token's
// query vector and every token's key vector into that token's row of attention. The model computes
// scores = q·kᵀ / √d (d = head size) and softmax over them, with nothing added: a single
// unpadded sequence needs no attention mask (BERT's extended mask is all zeros then, and ViT has
// none). Here every step is spelled out, in float64, from the queries and keys the same forward
// pass returned, so the result can be checked against the attention that pass returned.

import type { NdArray, QueriesKeys } from '../models/types';
import { assertRank } from './ndarray';

export interface NeuronView {
  /** Head size d. */
  d: number;
  /** 1/√d, applied to the dot products before the softmax. */
  scale: number;
  /** The query token's query vector q, [d]. */
  query: Float32Array;
  /** Every token's key vector k_j, [seq, d]. */
  keys: NdArray;
  /** The elementwise products q ⊙ k_j, [seq, d]: summed along a row they give q·k_j. */
  products: NdArray;
  /** q·k_j for every token j. */
  dots: Float64Array;
  /** q·k_j / √d: the attention scores. */
  scores: Float64Array;
  /** softmax_j(scores): the query token's attention over the tokens. */
  weights: Float64Array;
}

/** The neuron view of head `head` of layer `layer` for the query token at position `query`. */
export function neuronView(qk: QueriesKeys, layer: number, head: number, query: number): NeuronView {
  const q3 = qk.queries[layer];
  const k3 = qk.keys[layer];
  if (!q3 || !k3) throw new Error(`neuron view: no layer ${layer} (the run has ${qk.queries.length})`);
  const [heads, seq, d] = assertRank(q3, 3, 'queries');
  const keyShape = assertRank(k3, 3, 'keys');
  if (keyShape.join() !== q3.shape.join()) throw new Error(`neuron view: keys [${keyShape.join(', ')}] and queries [${q3.shape.join(', ')}] differ`);
  if (!Number.isInteger(head) || head < 0 || head >= heads) throw new Error(`neuron view: head ${head} out of range 0..${heads - 1}`);
  if (!Number.isInteger(query) || query < 0 || query >= seq) throw new Error(`neuron view: token ${query} out of range 0..${seq - 1}`);

  const q = q3.data.subarray((head * seq + query) * d, (head * seq + query + 1) * d);
  const keys = { shape: [seq, d], data: k3.data.subarray(head * seq * d, (head + 1) * seq * d) };
  const products = new Float32Array(seq * d);
  const dots = new Float64Array(seq);
  for (let j = 0; j < seq; j++) {
    let dot = 0;
    for (let c = 0; c < d; c++) {
      const p = q[c] * keys.data[j * d + c];
      products[j * d + c] = p;
      dot += p;
    }
    dots[j] = dot;
  }
  const scale = 1 / Math.sqrt(d);
  const scores = dots.map((x) => x * scale);
  const max = scores.reduce((m, x) => Math.max(m, x), -Infinity);
  const exps = scores.map((x) => Math.exp(x - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return { d, scale, query: q, keys, products: { shape: [seq, d], data: products }, dots, scores, weights: exps.map((e) => e / sum) };
}
