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
  bertEncoderLayer,
  layerNorm,
  linear,
  type LayerNormParams,
  type Linear,
  type PostLnLayerWeights,
} from '../shared/layers';
import { createTextModel, type BertModel, type TextForwardTensors, type TextTokenizer } from '../shared/text_model';
import type { BertConfig } from './configuration_bert';

export type { BertModel } from '../shared/text_model';

export interface BertWeights {
  /**
   * Word embeddings transposed, [hidden, vocab]: the tied MLM decoder then multiplies without a
   * transpose flag and without a second copy of the largest matrix; lookups gather columns.
   */
  wordEmbeddingsT: tf.Tensor2D;
  positionEmbeddings: tf.Tensor2D;
  tokenTypeEmbeddings: tf.Tensor2D;
  embeddingsLayerNorm: LayerNormParams;
  layers: PostLnLayerWeights[];
  pooler: Linear | null;
  mlm: { transform: Linear; layerNorm: LayerNormParams; decoder: Linear } | null;
  nsp: Linear | null;
}

/** One encoder layer under BERT's names (`<prefix>.attention.self.query`, …), shared by RoBERTa and ELECTRA. */
export function loadBertLayer(sd: StateDict, prefix: string, H: Dim, I: Dim): PostLnLayerWeights {
  return {
    attention: {
      query: sd.linear(`${prefix}.attention.self.query`, H, H),
      key: sd.linear(`${prefix}.attention.self.key`, H, H),
      value: sd.linear(`${prefix}.attention.self.value`, H, H),
    },
    attentionOutput: sd.linear(`${prefix}.attention.output.dense`, H, H),
    attentionLayerNorm: sd.layerNorm(`${prefix}.attention.output.LayerNorm`, H),
    intermediate: sd.linear(`${prefix}.intermediate.dense`, I, H),
    output: sd.linear(`${prefix}.output.dense`, H, I),
    outputLayerNorm: sd.layerNorm(`${prefix}.output.LayerNorm`, H),
  };
}

/** The word-embedding rows of `ids` from the transposed table [size, vocab], as [seq, size]. */
export function embedWords(wordEmbeddingsT: tf.Tensor2D, ids: number[]): tf.Tensor2D {
  return tf.transpose<tf.Tensor2D>(tf.gather(wordEmbeddingsT, tf.tensor1d(ids, 'int32'), 1));
}

/** Uploads the weights, checking every shape against the config; absent optional heads become null with a warning. */
export function loadBertWeights(sd: StateDict, cfg: BertConfig): BertWeights {
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const V: [string, number] = ['vocab_size', cfg.vocab_size];

  const wordEmbeddingsT = sd.transposed('embeddings.word_embeddings.weight', [V, H]);
  const weights: BertWeights = {
    wordEmbeddingsT,
    positionEmbeddings: sd.tensor('embeddings.position_embeddings.weight', [['max_position_embeddings', cfg.max_position_embeddings], H]),
    tokenTypeEmbeddings: sd.tensor('embeddings.token_type_embeddings.weight', [['type_vocab_size', cfg.type_vocab_size], H]),
    embeddingsLayerNorm: sd.layerNorm('embeddings.LayerNorm', H),
    layers: Array.from({ length: cfg.num_hidden_layers }, (_, i) => loadBertLayer(sd, `encoder.layer.${i}`, H, I)),
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
    const decoderWeight = cfg.tie_word_embeddings ? wordEmbeddingsT : sd.transposed('cls.predictions.decoder.weight', [V, H]);
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

  const word = embedWords(w.wordEmbeddingsT, inputIds);
  const token_type = tf.gather<tf.Tensor2D>(w.tokenTypeEmbeddings, tf.tensor1d(tokenTypeIds, 'int32'));
  const position = tf.slice(w.positionEmbeddings, [0, 0], [inputIds.length, cfg.hidden_size]);
  // Same summation order as HF (word + token_type, then + position), so rounding matches too.
  let x = layerNorm(tf.add(tf.add(word, token_type), position), w.embeddingsLayerNorm, eps);
  const normalized = x;

  const hidden_states = [x];
  const attentions = [];
  for (const layer of w.layers) {
    const out = bertEncoderLayer(x, layer, cfg.num_attention_heads, act, eps);
    x = out.hidden;
    attentions.push(out.attention);
    hidden_states.push(x);
  }

  const cls = tf.slice(x, [0, 0], [1, -1]);
  const pooled = w.pooler ? tf.tanh(linear(cls, w.pooler)) : null;
  const pooler_output = pooled ? tf.reshape<tf.Rank.R1>(pooled, [-1]) : null;
  const seq_relationship_logits = w.nsp && pooled ? tf.reshape<tf.Rank.R1>(linear(pooled, w.nsp), [-1]) : null;

  let prediction_logits: tf.Tensor2D | null = null;
  if (w.mlm && mlmPositions.length > 0) {
    const rows = tf.gather<tf.Tensor2D>(x, tf.tensor1d(mlmPositions, 'int32'));
    const transformed = layerNorm(act(linear(rows, w.mlm.transform)), w.mlm.layerNorm, eps);
    prediction_logits = linear(transformed, w.mlm.decoder);
  }
  return {
    word,
    position,
    token_type,
    normalized,
    hidden_states,
    attentions,
    pooler_output,
    prediction_logits,
    seq_relationship_logits,
    sop_logits: null,
    rtd_logits: null,
  };
}

export function createBertModel(sd: StateDict, cfg: BertConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = sd.load(() => loadBertWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'bert',
    config: cfg,
    heads: { mlm: weights.mlm !== null, nsp: weights.nsp !== null, pooler: weights.pooler !== null, sop: false, rtd: false },
    positionEmbeddings: weights.positionEmbeddings,
    firstPosition: 0,
    maxTokens: cfg.max_position_embeddings,
    typeVocabSize: cfg.type_vocab_size,
    forward: (ids, types, positions) => bertForward(weights, cfg, ids, types, positions),
  });
}
