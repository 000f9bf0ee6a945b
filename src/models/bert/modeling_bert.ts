// BERT (Devlin et al., 2018) with the heads of BertForPreTraining, following Hugging Face's
// modeling_bert.py name for name:
//   embeddings = LayerNorm(word + token_type + position)
//   each layer (post-LN): a = LayerNorm(x + Attention(x)Wo);  x = LayerNorm(a + act(a W1) W2)
//   pooler = tanh(x[CLS] Wp);  NSP = pooler Wnsp (index 0 = IsNext)
//   MLM = LayerNorm(act(x Wt)) Wdecoderᵀ + b, with the decoder tied to the word embeddings
//   unless config.tie_word_embeddings is false.

import * as tf from '@tensorflow/tfjs-core';
import { boolField, checkHeadSize, intField, numberField, stringField, type Config } from '../checkpoint/config';
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import {
  activation,
  layerNorm,
  linear,
  multiHeadSelfAttention,
  type Activation,
  type LayerNormParams,
  type Linear,
  type SelfAttentionParams,
} from '../shared/layers';
import { logSoftmax, softmax, topKIndices } from '../shared/math';
import { readAll, runForward } from '../shared/readback';
import type { BertEncoding, BertOutput, ModelInfo } from '../types';
import type { BertTokenizer } from './tokenization_bert';

export interface BertConfig {
  vocab_size: number;
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: string;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
  tie_word_embeddings: boolean;
}

/** Reads the BertConfig fields we use, with transformers' BertConfig defaults. */
export function bertConfig(config: Config): BertConfig {
  const positionType = stringField(config, 'position_embedding_type', 'absolute');
  if (positionType !== 'absolute') {
    throw new ModelError('unsupported', `config.json: position_embedding_type "${positionType}" is not supported, only "absolute".`);
  }
  const cfg: BertConfig = {
    vocab_size: intField(config, 'vocab_size', 30522),
    hidden_size: intField(config, 'hidden_size', 768),
    num_hidden_layers: intField(config, 'num_hidden_layers', 12),
    num_attention_heads: intField(config, 'num_attention_heads', 12),
    intermediate_size: intField(config, 'intermediate_size', 3072),
    hidden_act: stringField(config, 'hidden_act', 'gelu'),
    max_position_embeddings: intField(config, 'max_position_embeddings', 512),
    type_vocab_size: intField(config, 'type_vocab_size', 2),
    layer_norm_eps: numberField(config, 'layer_norm_eps', 1e-12),
    tie_word_embeddings: boolField(config, 'tie_word_embeddings', true),
  };
  checkHeadSize(cfg);
  activation(cfg.hidden_act);
  return cfg;
}

interface BertLayerWeights {
  attention: SelfAttentionParams;
  attentionOutput: Linear;
  attentionLayerNorm: LayerNormParams;
  intermediate: Linear;
  output: Linear;
  outputLayerNorm: LayerNormParams;
}

export interface BertWeights {
  /**
   * Word embeddings transposed, [hidden, vocab]: the tied MLM decoder then multiplies without a
   * transpose flag and without a second copy of the largest matrix; lookups gather columns.
   */
  wordEmbeddingsT: tf.Tensor2D;
  positionEmbeddings: tf.Tensor2D;
  tokenTypeEmbeddings: tf.Tensor2D;
  embeddingsLayerNorm: LayerNormParams;
  layers: BertLayerWeights[];
  pooler: Linear | null;
  mlm: { transform: Linear; layerNorm: LayerNormParams; decoder: Linear } | null;
  nsp: Linear | null;
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
    layers: [],
    pooler: null,
    mlm: null,
    nsp: null,
  };
  for (let i = 0; i < cfg.num_hidden_layers; i++) {
    const p = `encoder.layer.${i}`;
    weights.layers.push({
      attention: sd.selfAttention(`${p}.attention.self`, H, cfg.num_attention_heads),
      attentionOutput: sd.linear(`${p}.attention.output.dense`, H, H),
      attentionLayerNorm: sd.layerNorm(`${p}.attention.output.LayerNorm`, H),
      intermediate: sd.linear(`${p}.intermediate.dense`, I, H),
      output: sd.linear(`${p}.output.dense`, H, I),
      outputLayerNorm: sd.layerNorm(`${p}.output.LayerNorm`, H),
    });
  }

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

export interface BertForwardTensors {
  word: tf.Tensor2D;
  position: tf.Tensor2D;
  token_type: tf.Tensor2D;
  hidden_states: tf.Tensor2D[];
  attentions: tf.Tensor3D[];
  pooler_output: tf.Tensor1D | null;
  /** MLM logits [positions.length, vocab] at the requested positions; null without an MLM head. */
  prediction_logits: tf.Tensor2D | null;
  seq_relationship_logits: tf.Tensor1D | null;
}

/** One forward pass of an unpadded sequence. Call inside tf.tidy. */
export function bertForward(
  w: BertWeights,
  cfg: BertConfig,
  inputIds: number[],
  tokenTypeIds: number[],
  mlmPositions: number[],
): BertForwardTensors {
  const act: Activation = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const seq = inputIds.length;

  const word = tf.transpose(tf.gather(w.wordEmbeddingsT, tf.tensor1d(inputIds, 'int32'), 1)) as tf.Tensor2D;
  const token_type = tf.gather(w.tokenTypeEmbeddings, tf.tensor1d(tokenTypeIds, 'int32')) as tf.Tensor2D;
  const position = tf.slice(w.positionEmbeddings, [0, 0], [seq, cfg.hidden_size]);
  // Same summation order as HF (word + token_type, then + position), so rounding matches too.
  let x = layerNorm(tf.add(tf.add(word, token_type), position), w.embeddingsLayerNorm, eps);

  const hidden_states = [x];
  const attentions: tf.Tensor3D[] = [];
  for (const layer of w.layers) {
    const { context, probs } = multiHeadSelfAttention(x, layer.attention, cfg.num_attention_heads);
    const a = layerNorm(tf.add(linear(context, layer.attentionOutput), x), layer.attentionLayerNorm, eps);
    x = layerNorm(tf.add(linear(act(linear(a, layer.intermediate)), layer.output), a), layer.outputLayerNorm, eps);
    attentions.push(probs);
    hidden_states.push(x);
  }

  const cls = tf.slice(x, [0, 0], [1, -1]);
  const pooled = w.pooler ? tf.tanh(linear(cls, w.pooler)) : null;
  const pooler_output = pooled ? tf.reshape<tf.Rank.R1>(pooled, [-1]) : null;
  const seq_relationship_logits = w.nsp && pooled ? tf.reshape<tf.Rank.R1>(linear(pooled, w.nsp), [-1]) : null;

  let prediction_logits: tf.Tensor2D | null = null;
  if (w.mlm && mlmPositions.length > 0) {
    const rows = tf.gather(x, tf.tensor1d(mlmPositions, 'int32')) as tf.Tensor2D;
    const transformed = layerNorm(act(linear(rows, w.mlm.transform)), w.mlm.layerNorm, eps);
    prediction_logits = linear(transformed, w.mlm.decoder);
  }
  return { word, position, token_type, hidden_states, attentions, pooler_output, prediction_logits, seq_relationship_logits };
}

export interface BertModel {
  kind: 'bert';
  info: ModelInfo;
  tokenizer: BertTokenizer;
  run(textA: string, textB?: string | null, opts?: { topK?: number }): Promise<BertOutput>;
  runIds(input_ids: number[], token_type_ids: number[], opts?: { topK?: number }): Promise<BertOutput>;
  dispose(): void;
}

export async function createBertModel(sd: StateDict, config: Config, tokenizer: BertTokenizer): Promise<BertModel> {
  const cfg = bertConfig(config);
  if (tokenizer.vocabSize !== cfg.vocab_size) {
    sd.warnings.push(`The tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size=${cfg.vocab_size}.`);
  }
  const weights = sd.load(() => loadBertWeights(sd, cfg));
  const [positionEmbeddings] = await readAll([weights.positionEmbeddings]);
  const info: ModelInfo = {
    kind: 'bert',
    config,
    num_hidden_layers: cfg.num_hidden_layers,
    num_attention_heads: cfg.num_attention_heads,
    hidden_size: cfg.hidden_size,
    position_embeddings: positionEmbeddings,
    heads: { mlm: weights.mlm !== null, nsp: weights.nsp !== null, pooler: weights.pooler !== null, classifier: false },
    warnings: sd.warnings,
  };
  let disposed = false;

  function validate(ids: number[], types: number[]): void {
    const bad = (msg: string) => new ModelError('mismatch', msg);
    if (ids.length === 0) throw bad('The input has no tokens.');
    if (ids.length !== types.length) throw bad(`input_ids has ${ids.length} entries but token_type_ids has ${types.length}.`);
    if (ids.length > cfg.max_position_embeddings) {
      throw bad(`The input has ${ids.length} tokens; this model takes at most max_position_embeddings=${cfg.max_position_embeddings}.`);
    }
    const badId = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= cfg.vocab_size);
    if (badId >= 0) throw bad(`input_ids[${badId}] = ${ids[badId]} is outside the vocabulary (vocab_size=${cfg.vocab_size}).`);
    const badType = types.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= cfg.type_vocab_size);
    if (badType >= 0) {
      throw bad(`token_type_ids[${badType}] = ${types[badType]} is outside 0..${cfg.type_vocab_size - 1} (type_vocab_size).`);
    }
  }

  async function execute(encoding: BertEncoding, topK: number, preprocess_ms: number): Promise<BertOutput> {
    if (disposed) throw new ModelError('unsupported', 'This model was unloaded; load it again.');
    const { input_ids, token_type_ids } = encoding;
    const maskPositions = input_ids.flatMap((id, i) => (id === tokenizer.maskTokenId ? [i] : []));

    const { arrays, forward_ms, readback_ms } = await runForward(() => {
      const r = bertForward(weights, cfg, input_ids, token_type_ids, maskPositions);
      const outputs: tf.Tensor[] = [r.word, r.position, r.token_type, ...r.hidden_states, ...r.attentions];
      for (const t of [r.pooler_output, r.prediction_logits, r.seq_relationship_logits]) if (t) outputs.push(t);
      return outputs;
    });

    // Unpack in the order the outputs were listed above.
    const L = cfg.num_hidden_layers;
    const [word, position, token_type] = arrays;
    const hidden_states = arrays.slice(3, 4 + L);
    const attentions = arrays.slice(4 + L, 4 + 2 * L);
    let next = 4 + 2 * L;
    const take = (present: boolean) => (present ? arrays[next++] : null);
    const pooler_output = take(weights.pooler !== null);
    const predictionLogits = take(weights.mlm !== null && maskPositions.length > 0);
    const nspLogits = take(weights.nsp !== null);

    let mlm: BertOutput['mlm'] = null;
    if (weights.mlm) {
      const V = cfg.vocab_size;
      mlm = maskPositions.map((position, j) => {
        const log_probs = logSoftmax(predictionLogits!.data.subarray(j * V, (j + 1) * V));
        const top = topKIndices(log_probs, topK).map((id) => ({ id, token: tokenizer.idToToken(id), prob: Math.exp(log_probs[id]) }));
        return { position, top, log_probs };
      });
    }
    const nspProbs = nspLogits ? softmax(nspLogits.data) : null;
    return {
      model: 'bert',
      encoding,
      embeddings: { word, position, token_type },
      hidden_states,
      attentions,
      last_hidden_state: hidden_states[L],
      pooler_output,
      mlm,
      nsp: nspProbs ? { is_next: nspProbs[0], not_next: nspProbs[1] } : null,
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  return {
    kind: 'bert',
    info,
    tokenizer,
    async run(textA, textB = null, opts = {}) {
      const start = performance.now();
      const encoding = tokenizer.encode(textA, textB, cfg.max_position_embeddings);
      validate(encoding.input_ids, encoding.token_type_ids);
      return execute(encoding, opts.topK ?? 10, performance.now() - start);
    },
    async runIds(input_ids, token_type_ids, opts = {}) {
      validate(input_ids, token_type_ids);
      const tokens = input_ids.map((id) => tokenizer.idToToken(id));
      const added = new Set([tokenizer.clsTokenId, tokenizer.sepTokenId]);
      const encoding: BertEncoding = {
        tokens,
        input_ids: [...input_ids],
        token_type_ids: [...token_type_ids],
        offsets: tokens.map(() => null),
        segment: input_ids.map((id, i) => (added.has(id) ? -1 : token_type_ids[i])),
        word_ids: tokens.map(() => null),
        truncated: 0,
      };
      return execute(encoding, opts.topK ?? 10, 0);
    },
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
