// BERT (Devlin et al., 2018) with the heads of BertForPreTraining, following Hugging Face's
// modeling_bert.py name for name:
//   embeddings = LayerNorm(word + token_type + position)
//   each layer (post-LN): a = LayerNorm(x + Attention(x)Wo);  x = LayerNorm(a + act(a W1) W2)
//   pooler = tanh(x[CLS] Wp);  NSP = pooler Wnsp (index 0 = IsNext)
//   MLM = LayerNorm(act(x Wt)) Wdecoderᵀ + b, with the decoder tied to the word embeddings
//   unless config.tie_word_embeddings is false.

import * as tf from '@tensorflow/tfjs-core';
import type { Dim, StateDict } from '../checkpoint/weights';
import {
  activation,
  bertEncoder,
  layerNorm,
  linear,
  type Activation,
  type LayerNormParams,
  type Linear,
  type PostLnLayerWeights,
} from '../shared/layers';
import { createTextModel, type BertModel, type TextForwardTensors, type TextTokenizer } from '../shared/text_model';
import type { BertConfig } from './configuration_bert';

export type { BertModel } from '../shared/text_model';

/** The embedding tables (word, position, token type) and their LayerNorm, all `size` wide. */
export interface BertEmbeddingWeights {
  /** [vocab, size] as PyTorch stores it: a lookup gathers rows, and a tied MLM decoder uses it as it is (see mlmLogits). */
  wordEmbeddings: tf.Tensor2D;
  positionEmbeddings: tf.Tensor2D;
  tokenTypeEmbeddings: tf.Tensor2D;
  layerNorm: LayerNormParams;
}

/** The MLM head: LayerNorm(act(x transform)) decoderᵀ + bias. */
export interface MlmHeadWeights {
  transform: Linear;
  layerNorm: LayerNormParams;
  /** weight [vocab, size] as PyTorch stores it (the word embeddings when tied), bias [vocab]. */
  decoder: { weight: tf.Tensor2D; bias: tf.Tensor1D };
}

export interface BertWeights {
  embeddings: BertEmbeddingWeights;
  layers: PostLnLayerWeights[];
  pooler: Linear | null;
  mlm: MlmHeadWeights | null;
  nsp: Linear | null;
}

/** BERT's embedding tables (`embeddings.*`), `size` wide (hidden_size; ALBERT's and ELECTRA's embedding_size). */
export function loadBertEmbeddings(
  sd: StateDict,
  cfg: { vocab_size: number; max_position_embeddings: number; type_vocab_size: number },
  size: Dim,
): BertEmbeddingWeights {
  return {
    wordEmbeddings: sd.tensor('embeddings.word_embeddings.weight', [['vocab_size', cfg.vocab_size], size]),
    positionEmbeddings: sd.tensor('embeddings.position_embeddings.weight', [['max_position_embeddings', cfg.max_position_embeddings], size]),
    tokenTypeEmbeddings: sd.tensor('embeddings.token_type_embeddings.weight', [['type_vocab_size', cfg.type_vocab_size], size]),
    layerNorm: sd.layerNorm('embeddings.LayerNorm', size),
  };
}

/** One encoder layer under BERT's names (`<prefix>.attention.self.query`, …), shared by RoBERTa and ELECTRA. */
export function loadBertLayer(sd: StateDict, prefix: string, H: Dim, I: Dim, numHeads: number): PostLnLayerWeights {
  return {
    attention: sd.selfAttention(`${prefix}.attention.self`, H, numHeads),
    attentionOutput: sd.linear(`${prefix}.attention.output.dense`, H, H),
    attentionLayerNorm: sd.layerNorm(`${prefix}.attention.output.LayerNorm`, H),
    intermediate: sd.linear(`${prefix}.intermediate.dense`, I, H),
    output: sd.linear(`${prefix}.output.dense`, H, I),
    outputLayerNorm: sd.layerNorm(`${prefix}.output.LayerNorm`, H),
  };
}

/** The word-embedding rows of `ids`, [seq, size]. */
export function embedWords(wordEmbeddings: tf.Tensor2D, ids: number[]): tf.Tensor2D {
  return tf.gather(wordEmbeddings, tf.tensor1d(ids, 'int32'));
}

/**
 * Rows `first` … `first + count - 1` of a position table, gathered rather than sliced: tfjs-wasm's
 * Slice copies the whole table out of the WASM heap and back on every call.
 */
export function positionRows(table: tf.Tensor2D, first: number, count: number): tf.Tensor2D {
  return tf.gather(table, tf.range(first, first + count, 1, 'int32'));
}

/**
 * LayerNorm(word + token_type + position), summed in HF's order so rounding matches too; the
 * positions are rows `firstPosition`… of the table (RoBERTa starts after its padding index).
 */
export function bertEmbeddings(w: BertEmbeddingWeights, ids: number[], types: number[], firstPosition: number, eps: number) {
  const word = embedWords(w.wordEmbeddings, ids);
  const token_type = tf.gather<tf.Tensor2D>(w.tokenTypeEmbeddings, tf.tensor1d(types, 'int32'));
  const position = positionRows(w.positionEmbeddings, firstPosition, ids.length);
  return { word, token_type, position, normalized: layerNorm(tf.add(tf.add(word, token_type), position), w.layerNorm, eps) };
}

/**
 * The MLM head's logits at `positions` only (the masks), or null when there are none. The decoder
 * product is computed as W hᵀ, with the vocabulary-sized matrix as the left operand in its stored
 * layout: as a right operand it would need a transposed product (tfjs-wasm's slow path) or a
 * transposed copy, and XNNPACK would keep a packed copy of it besides.
 */
export function mlmLogits(x: tf.Tensor2D, positions: number[], head: MlmHeadWeights | null, act: Activation, eps: number): tf.Tensor2D | null {
  if (!head || positions.length === 0) return null;
  const rows = tf.gather<tf.Tensor2D>(x, tf.tensor1d(positions, 'int32'));
  const h = layerNorm(act(linear(rows, head.transform)), head.layerNorm, eps);
  return tf.add(tf.transpose(tf.matMul<tf.Tensor2D>(head.decoder.weight, tf.transpose(h))), head.decoder.bias);
}

/** tanh(x[CLS] W + b) as [hidden], or null without a pooler. */
export function pool(x: tf.Tensor2D, pooler: Linear | null): tf.Tensor1D | null {
  return pooler ? tf.reshape<tf.Rank.R1>(tf.tanh(linear(tf.slice(x, [0, 0], [1, -1]), pooler)), [-1]) : null;
}

/** A [2]-logit head on the pooled [CLS] (NSP, SOP), or null without it. */
export function pairHead(pooled: tf.Tensor1D | null, head: Linear | null): tf.Tensor1D | null {
  return pooled && head ? tf.reshape<tf.Rank.R1>(linear(tf.reshape(pooled, [1, -1]), head), [-1]) : null;
}

/** Uploads the weights, checking every shape against the config; absent optional heads become null with a warning. */
export function loadBertWeights(sd: StateDict, cfg: BertConfig): BertWeights {
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const V: [string, number] = ['vocab_size', cfg.vocab_size];

  const embeddings = loadBertEmbeddings(sd, cfg, H);
  const weights: BertWeights = {
    embeddings,
    layers: Array.from({ length: cfg.num_hidden_layers }, (_, i) => loadBertLayer(sd, `encoder.layer.${i}`, H, I, cfg.num_attention_heads)),
    pooler: null,
    mlm: null,
    nsp: null,
  };

  if (sd.has('pooler.dense.weight')) weights.pooler = sd.linear('pooler.dense', H, H);
  else sd.warnings.push('No pooler (pooler.dense) in this checkpoint: pooler output and next-sentence prediction are disabled.');

  if (sd.has('cls.predictions.transform.dense.weight')) {
    // Older exports store the output bias twice (cls.predictions.bias and …decoder.bias); they are one parameter.
    const biasName = sd.has('cls.predictions.bias') ? 'cls.predictions.bias' : 'cls.predictions.decoder.bias';
    // As in HF, tie_word_embeddings (default true) makes the decoder the word-embedding matrix; a
    // stored decoder.weight is then a copy of it.
    const decoderWeight = cfg.tie_word_embeddings ? embeddings.wordEmbeddings : sd.tensor<tf.Rank.R2>('cls.predictions.decoder.weight', [V, H]);
    weights.mlm = {
      transform: sd.linear('cls.predictions.transform.dense', H, H),
      layerNorm: sd.layerNorm('cls.predictions.transform.LayerNorm', H),
      decoder: { weight: decoderWeight, bias: sd.tensor<tf.Rank.R1>(biasName, [V]) },
    };
  } else {
    sd.warnings.push('No masked-LM head (cls.predictions) in this checkpoint: [MASK] prediction is disabled.');
  }

  if (sd.has('cls.seq_relationship.weight') && weights.pooler) {
    weights.nsp = sd.linear('cls.seq_relationship', 2, H);
  } else if (weights.pooler) {
    sd.warnings.push('No next-sentence head (cls.seq_relationship) in this checkpoint: NSP is disabled.');
  }
  return weights;
}

/** One forward pass of an unpadded sequence; MLM logits only at `mlmPositions`. Call inside tf.tidy. */
export function bertForward(w: BertWeights, cfg: BertConfig, inputIds: number[], tokenTypeIds: number[], mlmPositions: number[]): TextForwardTensors {
  const act = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const embeddings = bertEmbeddings(w.embeddings, inputIds, tokenTypeIds, 0, eps);
  const { hidden_states, attentions } = bertEncoder(embeddings.normalized, w.layers, cfg.num_attention_heads, act, eps);
  const x = hidden_states[hidden_states.length - 1];
  const pooler_output = pool(x, w.pooler);
  return {
    ...embeddings,
    hidden_states,
    attentions,
    pooler_output,
    prediction_logits: mlmLogits(x, mlmPositions, w.mlm, act, eps),
    seq_relationship_logits: pairHead(pooler_output, w.nsp),
  };
}

export async function createBertModel(sd: StateDict, cfg: BertConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = await sd.load(() => loadBertWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'bert',
    config: cfg,
    heads: { mlm: weights.mlm !== null, nsp: weights.nsp !== null, pooler: weights.pooler !== null, sop: false, rtd: false },
    positionEmbeddings: weights.embeddings.positionEmbeddings,
    firstPosition: 0,
    maxTokens: cfg.max_position_embeddings,
    typeVocabSize: cfg.type_vocab_size,
    forward: (ids, types, positions) => bertForward(weights, cfg, ids, types, positions),
  });
}
