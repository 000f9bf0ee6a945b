// ALBERT (Lan et al., 2019) as Hugging Face's AlbertForPreTraining (modeling_albert.py):
//   - factorized embeddings: word, position and token-type tables of size embedding_size, then
//     LayerNorm, then encoder.embedding_hidden_mapping_in up to hidden_size (hidden state 0);
//   - cross-layer sharing: layer i runs the weights of group floor(i / (num_hidden_layers /
//     num_hidden_groups)); with one group (every released ALBERT) one layer is applied at every depth.
//     The layer is BERT's post-LN layer under other names (attention.dense, attention.LayerNorm,
//     ffn, ffn_output, full_layer_layer_norm);
//   - heads: pooler -> sop_classifier.classifier, sentence-order prediction (index 0 = A then B in
//     their original order, 1 = swapped), and predictions: LayerNorm(act(x dense)) decoderᵀ + bias
//     in embedding space, the decoder tied to the word embeddings.

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import {
  bertEmbeddings,
  loadBertEmbeddings,
  mlmLogits,
  pairHead,
  pool,
  type BertEmbeddingWeights,
  type MlmHeadWeights,
} from '../bert/modeling_bert';
import { activation, bertEncoder, linear, type Linear, type PostLnLayerWeights } from '../shared/layers';
import { createTextModel, type BertModel, type TextForwardTensors, type TextTokenizer } from '../shared/text_model';
import type { AlbertConfig } from './configuration_albert';

export interface AlbertWeights {
  /** embedding_size wide. */
  embeddings: BertEmbeddingWeights;
  embeddingHiddenMappingIn: Linear;
  /** One entry per layer group. */
  groups: PostLnLayerWeights[];
  pooler: Linear | null;
  mlm: MlmHeadWeights | null;
  sop: Linear | null;
}

export function loadAlbertWeights(sd: StateDict, cfg: AlbertConfig): AlbertWeights {
  const E: [string, number] = ['embedding_size', cfg.embedding_size];
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const embeddings = loadBertEmbeddings(sd, cfg, E);
  const weights: AlbertWeights = {
    embeddings,
    embeddingHiddenMappingIn: sd.linear('encoder.embedding_hidden_mapping_in', H, E),
    groups: Array.from({ length: cfg.num_hidden_groups }, (_, g) => {
      const p = `encoder.albert_layer_groups.${g}.albert_layers.0`;
      return {
        attention: sd.selfAttention(`${p}.attention`, H, cfg.num_attention_heads),
        attentionOutput: sd.linear(`${p}.attention.dense`, H, H),
        attentionLayerNorm: sd.layerNorm(`${p}.attention.LayerNorm`, H),
        intermediate: sd.linear(`${p}.ffn`, I, H),
        output: sd.linear(`${p}.ffn_output`, H, I),
        outputLayerNorm: sd.layerNorm(`${p}.full_layer_layer_norm`, H),
      };
    }),
    pooler: null,
    mlm: null,
    sop: null,
  };
  if (sd.has('pooler.weight')) weights.pooler = sd.linear('pooler', H, H);
  else sd.warnings.push('No pooler (albert.pooler) in this checkpoint: pooler output and sentence-order prediction are disabled.');

  if (sd.has('predictions.dense.weight')) {
    // The decoder is tied to the word embeddings and its bias is predictions.bias; stored copies are not read.
    sd.skip('predictions.decoder.weight');
    sd.skip('predictions.decoder.bias');
    weights.mlm = {
      transform: sd.linear('predictions.dense', E, H),
      layerNorm: sd.layerNorm('predictions.LayerNorm', E),
      decoder: { weight: embeddings.wordEmbeddings, bias: sd.tensor<tf.Rank.R1>('predictions.bias', [['vocab_size', cfg.vocab_size]]) },
    };
  } else {
    sd.warnings.push('No masked-LM head (predictions) in this checkpoint: [MASK] prediction is disabled.');
  }
  if (sd.has('sop_classifier.classifier.weight') && weights.pooler) {
    weights.sop = sd.linear('sop_classifier.classifier', 2, H);
  } else if (weights.pooler) {
    sd.warnings.push('No sentence-order head (sop_classifier) in this checkpoint: SOP is disabled.');
  }
  return weights;
}

export function albertForward(w: AlbertWeights, cfg: AlbertConfig, inputIds: number[], tokenTypeIds: number[], mlmPositions: number[]): TextForwardTensors {
  const act = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const embeddings = bertEmbeddings(w.embeddings, inputIds, tokenTypeIds, 0, eps);
  const layersPerGroup = cfg.num_hidden_layers / cfg.num_hidden_groups;
  const layers = Array.from({ length: cfg.num_hidden_layers }, (_, i) => w.groups[Math.floor(i / layersPerGroup)]);
  const mapped = linear(embeddings.normalized, w.embeddingHiddenMappingIn);
  const { hidden_states, attentions } = bertEncoder(mapped, layers, cfg.num_attention_heads, act, eps);
  const x = hidden_states[hidden_states.length - 1];
  const pooler_output = pool(x, w.pooler);
  return {
    ...embeddings,
    hidden_states,
    attentions,
    pooler_output,
    prediction_logits: mlmLogits(x, mlmPositions, w.mlm, act, eps),
    sop_logits: pairHead(pooler_output, w.sop),
  };
}

export async function createAlbertModel(sd: StateDict, cfg: AlbertConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = await sd.load(() => loadAlbertWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'albert',
    config: cfg,
    heads: { mlm: weights.mlm !== null, nsp: false, pooler: weights.pooler !== null, sop: weights.sop !== null, rtd: false },
    positionEmbeddings: weights.embeddings.positionEmbeddings,
    firstPosition: 0,
    maxTokens: cfg.max_position_embeddings,
    typeVocabSize: cfg.type_vocab_size,
    forward: (ids, types, positions) => albertForward(weights, cfg, ids, types, positions),
  });
}
