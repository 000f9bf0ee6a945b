// The building blocks BERT and ViT share, as plain functions over tfjs tensors.
// Call these inside tf.tidy; they allocate intermediates freely.

import * as tf from '@tensorflow/tfjs-core';
import { lookup } from '../checkpoint/json';
import { ModelError } from '../errors';

export interface Linear {
  /** [in, out]: nn.Linear's weight transposed once at load (see StateDict.transposed). */
  weight: tf.Tensor2D;
  bias: tf.Tensor1D | null;
}

export interface LayerNormParams {
  weight: tf.Tensor1D;
  bias: tf.Tensor1D;
}

/** nn.Linear: y = x W + b for x [seq, in], W [in, out]. */
export function linear(x: tf.Tensor2D, p: Linear): tf.Tensor2D {
  const y = tf.matMul<tf.Tensor2D>(x, p.weight);
  return p.bias ? tf.add<tf.Tensor2D>(y, p.bias) : y;
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

export interface SelfAttentionParams {
  query: Linear;
  key: Linear;
  value: Linear;
}

/** What one attention layer computed: the context and probabilities, and the per-head projections for the neuron view. */
export interface SelfAttentionOutput {
  /** The heads' concatenated context [seq, hidden], before the output projection. */
  context: tf.Tensor2D;
  /** Softmax probabilities [heads, seq, seq]. */
  probs: tf.Tensor3D;
  /** [heads, seq, head_size], before the 1/√d scaling. */
  queries: tf.Tensor3D;
  /** Keys already transposed for the product, [heads, head_size, seq]. */
  keysT: tf.Tensor3D;
}

/**
 * Scaled dot-product self-attention of one unpadded sequence x [seq, hidden].
 *
 * There is deliberately no attention mask: we always run batch 1 without padding, so no score is
 * ever pushed to -1e9/-inf. That keeps us clear of tfjs' WebGL softmax bug on masked rows
 * (tfjs issue #5394, values of 3.4e38) and makes every probability a real one.
 */
export function multiHeadSelfAttention(x: tf.Tensor2D, p: SelfAttentionParams, numHeads: number): SelfAttentionOutput {
  const [seq, hidden] = x.shape;
  const headSize = hidden / numHeads;
  const splitHeads = (t: tf.Tensor2D, perm: number[]) => tf.transpose<tf.Tensor3D>(tf.reshape(t, [seq, numHeads, headSize]), perm);
  const queries = splitHeads(linear(x, p.query), [1, 0, 2]); // [heads, seq, d]
  const keysT = splitHeads(linear(x, p.key), [1, 2, 0]); // [heads, d, seq]: Kᵀ directly, no transposed matmul
  const v = splitHeads(linear(x, p.value), [1, 0, 2]);
  const scores = tf.div(tf.matMul(queries, keysT), Math.sqrt(headSize));
  const probs = tf.softmax(scores) as tf.Tensor3D;
  const context = tf.reshape<tf.Rank.R2>(tf.transpose(tf.matMul(probs, v), [1, 0, 2]), [seq, hidden]);
  return { context, probs, queries, keysT };
}

/** The neuron view's per-layer queries and keys, each [heads, seq, head_size]. */
export function queriesAndKeys(layers: SelfAttentionOutput[]): { queries: tf.Tensor3D[]; keys: tf.Tensor3D[] } {
  return { queries: layers.map((l) => l.queries), keys: layers.map((l) => tf.transpose(l.keysT, [0, 2, 1])) };
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
): { hidden_states: tf.Tensor2D[]; attentions: SelfAttentionOutput[] } {
  const hidden_states = [x];
  const attentions = [];
  for (const layer of layers) {
    const out = bertEncoderLayer(hidden_states[hidden_states.length - 1], layer, numHeads, act, eps);
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
