// BERT (Devlin et al., 2018) with the heads of BertForPreTraining, following Hugging Face's
// modeling_bert.py name for name:
//   embeddings = LayerNorm(word + token_type + position)
//   each layer (post-LN): a = LayerNorm(x + Attention(x)Wo);  x = LayerNorm(a + act(a W1) W2)
//   pooler = tanh(x[CLS] Wp);  NSP = pooler Wnsp (index 0 = IsNext)
//   MLM = LayerNorm(act(x Wt)) Wdecoderᵀ + b, with the decoder tied to the word embeddings
//   unless config.tie_word_embeddings is false.

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import {
  activation,
  layerNorm,
  linear,
  multiHeadSelfAttention,
  queriesAndKeys,
  type Activation,
  type LayerNormParams,
  type Linear,
  type SelfAttentionParams,
} from '../shared/layers';
import { logSoftmax, softmax, topKIndices } from '../shared/math';
import { readAll, runForward } from '../shared/readback';
import { DEFAULT_OUTPUTS, full, type BertEncoding, type BertModelInfo, type BertOutput, type FullBertOutput, type OutputRequest } from '../types';
import type { BertConfig } from './configuration_bert';
import type { BertTokenizer } from './tokenization_bert';

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
      attention: {
        query: sd.linear(`${p}.attention.self.query`, H, H),
        key: sd.linear(`${p}.attention.self.key`, H, H),
        value: sd.linear(`${p}.attention.self.value`, H, H),
      },
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
  /** Only when asked for: the neuron view's per-head queries and keys. */
  queries_keys: { queries: tf.Tensor3D[]; keys: tf.Tensor3D[] } | null;
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
  outputQueriesKeys = false,
): BertForwardTensors {
  const act: Activation = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const seq = inputIds.length;

  const word = tf.transpose<tf.Tensor2D>(tf.gather(w.wordEmbeddingsT, tf.tensor1d(inputIds, 'int32'), 1));
  const token_type = tf.gather<tf.Tensor2D>(w.tokenTypeEmbeddings, tf.tensor1d(tokenTypeIds, 'int32'));
  const position = tf.slice(w.positionEmbeddings, [0, 0], [seq, cfg.hidden_size]);
  // Same summation order as HF (word + token_type, then + position), so rounding matches too.
  let x = layerNorm(tf.add(tf.add(word, token_type), position), w.embeddingsLayerNorm, eps);

  const hidden_states = [x];
  const selfAttentions = [];
  for (const layer of w.layers) {
    const attention = multiHeadSelfAttention(x, layer.attention, cfg.num_attention_heads);
    const a = layerNorm(tf.add(linear(attention.context, layer.attentionOutput), x), layer.attentionLayerNorm, eps);
    x = layerNorm(tf.add(linear(act(linear(a, layer.intermediate)), layer.output), a), layer.outputLayerNorm, eps);
    selfAttentions.push(attention);
    hidden_states.push(x);
  }
  const attentions = selfAttentions.map((l) => l.probs);
  const queries_keys = outputQueriesKeys ? queriesAndKeys(selfAttentions) : null;

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
  return { word, position, token_type, hidden_states, attentions, queries_keys, pooler_output, prediction_logits, seq_relationship_logits };
}

export interface RunOptions {
  topK?: number;
  /** Which optional outputs to read back (default DEFAULT_OUTPUTS). */
  outputs?: OutputRequest;
}

export interface BertModel {
  kind: 'bert';
  info: BertModelInfo;
  tokenizer: BertTokenizer;
  /** With the default outputs, everything the workspace shows comes back. */
  run(textA: string, textB?: string | null, opts?: { topK?: number }): Promise<FullBertOutput>;
  run(textA: string, textB: string | null | undefined, opts: RunOptions): Promise<BertOutput>;
  runIds(input_ids: number[], token_type_ids: number[], opts?: { topK?: number }): Promise<FullBertOutput>;
  runIds(input_ids: number[], token_type_ids: number[], opts: RunOptions): Promise<BertOutput>;
  dispose(): void;
}

export async function createBertModel(sd: StateDict, cfg: BertConfig, tokenizer: BertTokenizer): Promise<BertModel> {
  if (tokenizer.vocabSize !== cfg.vocab_size) {
    sd.warnings.push(`The tokenizer has ${tokenizer.vocabSize} tokens but config.json says vocab_size=${cfg.vocab_size}.`);
  }
  const weights = await sd.load(() => loadBertWeights(sd, cfg));
  const [positionEmbeddings] = await readAll([weights.positionEmbeddings]);
  const fromTokenizer = tokenizer.maxLength !== null && tokenizer.maxLength < cfg.max_position_embeddings;
  const info: BertModelInfo = {
    kind: 'bert',
    weights_file: sd.fileName,
    config: cfg,
    position_embeddings: positionEmbeddings,
    heads: { mlm: weights.mlm !== null, nsp: weights.nsp !== null, pooler: weights.pooler !== null },
    max_length: fromTokenizer
      ? { tokens: tokenizer.maxLength, from: 'model_max_length' }
      : { tokens: cfg.max_position_embeddings, from: 'max_position_embeddings' },
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

  async function execute(encoding: BertEncoding, opts: RunOptions, preprocess_ms: number): Promise<BertOutput> {
    if (disposed) throw new ModelError('unsupported', 'This model was unloaded; load it again.');
    const request = { ...DEFAULT_OUTPUTS, ...opts.outputs };
    const { input_ids, token_type_ids } = encoding;
    const maskPositions = input_ids.flatMap((id, i) => (id === tokenizer.maskTokenId ? [i] : []));

    const { arrays: r, forward_ms, readback_ms } = await runForward(() => {
      const t = bertForward(weights, cfg, input_ids, token_type_ids, maskPositions, request.queries_keys);
      return {
        embeddings: request.hidden_states ? { word: t.word, position: t.position, token_type: t.token_type } : null,
        hidden_states: request.hidden_states ? t.hidden_states : null,
        attentions: request.attentions ? t.attentions : null,
        queries_keys: t.queries_keys,
        last_hidden_state: t.hidden_states[t.hidden_states.length - 1],
        pooler_output: t.pooler_output,
        prediction_logits: t.prediction_logits,
        seq_relationship_logits: t.seq_relationship_logits,
      };
    });

    let mlm: BertOutput['mlm'] = null;
    if (weights.mlm) {
      const V = cfg.vocab_size;
      mlm = maskPositions.map((position, j) => {
        const log_probs = logSoftmax(r.prediction_logits!.data.subarray(j * V, (j + 1) * V));
        const top = topKIndices(log_probs, opts.topK ?? 10).map((id) => ({ id, token: tokenizer.idToToken(id), prob: Math.exp(log_probs[id]) }));
        return { position, top, log_probs };
      });
    }
    const nspProbs = r.seq_relationship_logits ? softmax(r.seq_relationship_logits.data) : null;
    return {
      model: 'bert',
      encoding,
      embeddings: r.embeddings,
      hidden_states: r.hidden_states,
      attentions: r.attentions,
      queries_keys: r.queries_keys,
      last_hidden_state: r.last_hidden_state,
      pooler_output: r.pooler_output,
      mlm,
      nsp: nspProbs ? { is_next: nspProbs[0], not_next: nspProbs[1] } : null,
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  async function run(textA: string, textB: string | null = null, opts: RunOptions = {}) {
    const start = performance.now();
    const encoding = tokenizer.encode(textA, textB, info.max_length.tokens);
    validate(encoding.input_ids, encoding.token_type_ids);
    const output = await execute(encoding, opts, performance.now() - start);
    return opts.outputs ? output : full(output);
  }

  async function runIds(input_ids: number[], token_type_ids: number[], opts: RunOptions = {}) {
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
    const output = await execute(encoding, opts, 0);
    return opts.outputs ? output : full(output);
  }

  return {
    kind: 'bert',
    info,
    tokenizer,
    run: run as BertModel['run'],
    runIds: runIds as BertModel['runIds'],
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
