// The building blocks BERT and ViT share, as plain functions over tfjs tensors.
// Call these inside tf.tidy; they allocate intermediates freely.

import * as tf from '@tensorflow/tfjs-core';
import { lookup } from '../checkpoint/json';
import { ModelError } from '../errors';
import { wasmMatMuls } from '../wasm/gemm';

export interface Linear {
  /** [in, out]: nn.Linear's weight transposed once at load (see StateDict.transposed). */
  weight: tf.Tensor2D;
  bias: tf.Tensor1D | null;
}

export interface LayerNormParams {
  weight: tf.Tensor1D;
  bias: tf.Tensor1D;
}

/**
 * nn.Linear: y = x W + b for x [seq, in], W [in, out]. One fused product, so that on WASM the bias
 * starts the GEMM's sums (as PyTorch's addmm does) rather than costing a pass of its own.
 */
export function linear(x: tf.Tensor2D, p: Linear): tf.Tensor2D {
  return tf.fused.matMul({ a: x, b: p.weight, bias: p.bias ?? undefined }) as tf.Tensor2D;
}

/** nn.LayerNorm over the last axis with the biased variance, as PyTorch computes it. */
export function layerNorm(x: tf.Tensor2D, p: LayerNormParams, eps: number): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, -1, true);
  const normalized = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  return tf.add(tf.mul(normalized, p.weight), p.bias);
}

export type Activation = <T extends tf.Tensor>(x: T) => T;

const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Exact GELU, 0.5·x·(1 + erf(x/√2)): what HF's "gelu" is. tfjs has only the tanh form built in. */
const geluErf: Activation = (x) => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, SQRT_HALF)), 1));

/**
 * Tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))): HF's "gelu_new" and friends.
 * x³ as x·x·x because WebGL's pow goes through exp2/log2 and loses precision.
 */
const geluTanh: Activation = (x) =>
  tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.mul(tf.mul(x, x), x), 0.044715)), SQRT_2_OVER_PI)), 1));

const ACTIVATIONS: Record<string, Activation> = {
  gelu: geluErf,
  gelu_new: geluTanh,
  gelu_pytorch_tanh: geluTanh,
  gelu_fast: geluTanh,
  quick_gelu: (x) => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702))),
  relu: (x) => tf.relu(x),
  silu: (x) => tf.mul(x, tf.sigmoid(x)),
  swish: (x) => tf.mul(x, tf.sigmoid(x)),
};

/** The activation named by config `hidden_act`. */
export function activation(name: string): Activation {
  const fn = lookup(ACTIVATIONS, name);
  if (!fn) {
    throw new ModelError(
      'unsupported',
      `config.json: hidden_act "${name}" is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')}).`,
    );
  }
  return fn;
}

/** One attention head's share of the query, key and value projections, each [hidden, d] (head size d). */
export interface AttentionHead {
  query: Linear;
  key: Linear;
  value: Linear;
}

/** Query/key/value split per head at load (see StateDict.selfAttention). */
export interface SelfAttentionParams {
  heads: AttentionHead[];
}

/** What one attention layer computed: the context and probabilities, and each head's projections for the neuron view. */
export interface SelfAttentionOutput {
  /** The heads' concatenated context [seq, hidden], before the output projection. */
  context: tf.Tensor2D;
  /** Softmax probabilities [heads, seq, seq]. */
  probs: tf.Tensor3D;
  /** Per head [seq, head_size], before the 1/√d scaling. */
  queries: tf.Tensor2D[];
  /** Per head Kᵀ [head_size, seq], bias included. */
  keysT: tf.Tensor2D[];
}

/**
 * Scaled dot-product self-attention of one unpadded sequence x [seq, hidden].
 *
 * Every product is a plain 2-D matmul, one head at a time: on WASM those run in our GEMM or XNNPACK,
 * while a batched [heads, seq, d] product or a transposed one runs in tfjs-wasm's scalar
 * single-threaded loop, four times slower at bert-base size. Hence the per-head weights, and Kᵀ as an
 * explicit transpose of the head's keys [seq, d] (a small copy) rather than a transposed product.
 *
 * There is deliberately no attention mask: we always run batch 1 without padding, so no score is
 * ever pushed to -1e9/-inf. That keeps us clear of tfjs' WebGL softmax bug on masked rows
 * (tfjs issue #5394, values of 3.4e38) and makes every probability a real one.
 */
export function multiHeadSelfAttention(x: tf.Tensor2D, p: SelfAttentionParams, numHeads: number): SelfAttentionOutput {
  const scale = Math.sqrt(x.shape[1] / numHeads);
  const contexts: tf.Tensor2D[] = [];
  const probs: tf.Tensor2D[] = [];
  const queries: tf.Tensor2D[] = [];
  const keysT: tf.Tensor2D[] = [];
  // On WASM all heads' projections are one request to the GEMM and its helper threads.
  const projections = p.heads.flatMap((head) => [head.query, head.key, head.value]);
  const projected = wasmMatMuls(projections.map(({ weight, bias }) => ({ a: x, b: weight, bias }))) ?? projections.map((l) => linear(x, l));
  p.heads.forEach((_, h) => {
    const [q, k, v] = projected.slice(3 * h, 3 * h + 3);
    const kT = tf.transpose(k);
    const prob = tf.softmax(tf.div<tf.Tensor2D>(tf.matMul(q, kT), scale));
    contexts.push(tf.matMul(prob, v));
    probs.push(prob);
    queries.push(q);
    keysT.push(kT);
  });
  return { context: tf.concat(contexts, 1), probs: tf.stack<tf.Tensor2D>(probs) as tf.Tensor3D, queries, keysT };
}

/** What outlives an encoder layer: its output, attention maps, and each head's queries and keys when asked for. */
export interface LayerResult {
  hidden: tf.Tensor2D;
  attention: Pick<SelfAttentionOutput, 'probs' | 'queries' | 'keysT'>;
}

/**
 * Runs one encoder layer in a tf.tidy of its own, so the heap holds one layer's intermediates at a
 * time: under a single tidy around the whole forward, bert-base at 128 tokens keeps ~150 MB of them
 * alive until the end, memory the page keeps and the first run has to fault in.
 */
export function tidyLayer(layer: () => { hidden: tf.Tensor2D; attention: SelfAttentionOutput }): LayerResult {
  return tf.tidy(() => {
    const { hidden, attention } = layer();
    const { probs, queries, keysT } = attention;
    return { hidden, attention: { probs, queries, keysT } };
  });
}

/** The neuron view's per-layer queries and keys, each [heads, seq, head_size]. */
export function queriesAndKeys(layers: LayerResult['attention'][]): { queries: tf.Tensor3D[]; keys: tf.Tensor3D[] } {
  return {
    queries: layers.map((l) => tf.stack<tf.Tensor2D>(l.queries) as tf.Tensor3D),
    keys: layers.map((l) => tf.stack<tf.Tensor2D>(l.keysT.map((kT) => tf.transpose(kT))) as tf.Tensor3D),
  };
}

/** The weights of one post-LN encoder layer (BERT's, and DistilBERT's, RoBERTa's, ALBERT's and ELECTRA's under other names). */
export interface PostLnLayerWeights {
  attention: SelfAttentionParams;
  attentionOutput: Linear;
  attentionLayerNorm: LayerNormParams;
  intermediate: Linear;
  output: Linear;
  outputLayerNorm: LayerNormParams;
}

/** Runs `layers` in turn (ALBERT passes its shared layer once per depth); hidden_states[0] is the input. */
export function bertEncoder(
  x: tf.Tensor2D,
  layers: PostLnLayerWeights[],
  numHeads: number,
  act: Activation,
  eps: number,
): { hidden_states: tf.Tensor2D[]; attentions: LayerResult['attention'][] } {
  const hidden_states = [x];
  const attentions = [];
  for (const layer of layers) {
    const input = hidden_states[hidden_states.length - 1];
    const out = tidyLayer(() => bertEncoderLayer(input, layer, numHeads, act, eps));
    hidden_states.push(out.hidden);
    attentions.push(out.attention);
  }
  return { hidden_states, attentions };
}

/**
 * BERT's post-LN encoder layer: a = LayerNorm(x + Attention(x)Wo); out = LayerNorm(a + act(a W1) W2).
 * The additions keep HF's operand order (sublayer output + residual), so rounding matches too.
 */
export function bertEncoderLayer(
  x: tf.Tensor2D,
  layer: PostLnLayerWeights,
  numHeads: number,
  act: Activation,
  eps: number,
): { hidden: tf.Tensor2D; attention: SelfAttentionOutput } {
  const attention = multiHeadSelfAttention(x, layer.attention, numHeads);
  const a = layerNorm(tf.add(linear(attention.context, layer.attentionOutput), x), layer.attentionLayerNorm, eps);
  const hidden = layerNorm(tf.add(linear(act(linear(a, layer.intermediate)), layer.output), a), layer.outputLayerNorm, eps);
  return { hidden, attention };
}
