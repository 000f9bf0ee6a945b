// RoBERTa (Liu et al., 2019) as Hugging Face's RobertaForMaskedLM (modeling_roberta.py): BERT's
// embeddings and encoder under "roberta.", with two differences that change numbers:
//   - position ids start at padding_idx + 1 (pad_token_id 1, so tokens use rows 2, 3, …), which is
//     why roberta-base has 514 positions for 512 tokens;
//   - the LM head is lm_head.layer_norm(gelu(x lm_head.dense)) decoderᵀ + lm_head.bias, with the exact
//     GELU whatever hidden_act says, and the decoder tied to the word embeddings.
// No next-sentence head; a pooler is used when the checkpoint has one (RobertaModel).

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import { embedWords, loadBertLayer } from '../bert/modeling_bert';
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
import { firstPosition, robertaMaxTokens, type RobertaConfig } from './configuration_roberta';

export interface RobertaWeights {
  wordEmbeddingsT: tf.Tensor2D;
  positionEmbeddings: tf.Tensor2D;
  tokenTypeEmbeddings: tf.Tensor2D;
  embeddingsLayerNorm: LayerNormParams;
  layers: PostLnLayerWeights[];
  pooler: Linear | null;
  lmHead: { dense: Linear; layerNorm: LayerNormParams; decoder: Linear } | null;
}

export function loadRobertaWeights(sd: StateDict, cfg: RobertaConfig): RobertaWeights {
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const V: [string, number] = ['vocab_size', cfg.vocab_size];
  const wordEmbeddingsT = sd.transposed('embeddings.word_embeddings.weight', [V, H]);
  const weights: RobertaWeights = {
    wordEmbeddingsT,
    positionEmbeddings: sd.tensor('embeddings.position_embeddings.weight', [['max_position_embeddings', cfg.max_position_embeddings], H]),
    tokenTypeEmbeddings: sd.tensor('embeddings.token_type_embeddings.weight', [['type_vocab_size', cfg.type_vocab_size], H]),
    embeddingsLayerNorm: sd.layerNorm('embeddings.LayerNorm', H),
    layers: Array.from({ length: cfg.num_hidden_layers }, (_, i) => loadBertLayer(sd, `encoder.layer.${i}`, H, I)),
    pooler: sd.has('pooler.dense.weight') ? sd.linear('pooler.dense', H, H) : null,
    lmHead: null,
  };
  if (sd.has('lm_head.dense.weight')) {
    // lm_head.decoder is tied to the word embeddings and its bias is lm_head.bias; stored copies are not read.
    sd.skip('lm_head.decoder.weight');
    sd.skip('lm_head.decoder.bias');
    weights.lmHead = {
      dense: sd.linear('lm_head.dense', H, H),
      layerNorm: sd.layerNorm('lm_head.layer_norm', H),
      decoder: { weight: wordEmbeddingsT, bias: sd.tensor<tf.Rank.R1>('lm_head.bias', [V]) },
    };
  } else {
    sd.warnings.push('No masked-LM head (lm_head) in this checkpoint (a RobertaModel): <mask> prediction is disabled.');
  }
  return weights;
}

export function robertaForward(w: RobertaWeights, cfg: RobertaConfig, inputIds: number[], tokenTypeIds: number[], mlmPositions: number[]): TextForwardTensors {
  const act = activation(cfg.hidden_act);
  const gelu = activation('gelu');
  const eps = cfg.layer_norm_eps;
  const word = embedWords(w.wordEmbeddingsT, inputIds);
  const token_type = tf.gather<tf.Tensor2D>(w.tokenTypeEmbeddings, tf.tensor1d(tokenTypeIds, 'int32'));
  const position = tf.slice(w.positionEmbeddings, [firstPosition(cfg), 0], [inputIds.length, cfg.hidden_size]);
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
  const pooler_output = w.pooler ? tf.reshape<tf.Rank.R1>(tf.tanh(linear(tf.slice(x, [0, 0], [1, -1]), w.pooler)), [-1]) : null;
  let prediction_logits: tf.Tensor2D | null = null;
  if (w.lmHead && mlmPositions.length > 0) {
    const rows = tf.gather<tf.Tensor2D>(x, tf.tensor1d(mlmPositions, 'int32'));
    prediction_logits = linear(layerNorm(gelu(linear(rows, w.lmHead.dense)), w.lmHead.layerNorm, eps), w.lmHead.decoder);
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
    seq_relationship_logits: null,
    sop_logits: null,
    rtd_logits: null,
  };
}

export function createRobertaModel(sd: StateDict, cfg: RobertaConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = sd.load(() => loadRobertaWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'roberta',
    config: cfg,
    heads: { mlm: weights.lmHead !== null, nsp: false, pooler: weights.pooler !== null, sop: false, rtd: false },
    positionEmbeddings: weights.positionEmbeddings,
    firstPosition: Math.min(firstPosition(cfg), cfg.max_position_embeddings),
    maxTokens: robertaMaxTokens(cfg),
    typeVocabSize: cfg.type_vocab_size,
    forward: (ids, types, positions) => robertaForward(weights, cfg, ids, types, positions),
  });
}
