// DistilBERT (Sanh et al., 2019) as Hugging Face's DistilBertForMaskedLM, name for name
// (modeling_distilbert.py): BERT's post-LN layers, six of them by default, without token types,
// pooler or next-sentence head:
//   embeddings = LayerNorm(word + position)
//   each layer: a = sa_layer_norm(x + Attention(x) out_lin);  x = output_layer_norm(a + lin2(act(lin1 a)))
//   MLM = vocab_layer_norm(act(x vocab_transform)) vocab_projectorᵀ + b, the projector tied to the word embeddings.

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import { embedWords, mlmLogits, positionRows, type MlmHeadWeights } from '../bert/modeling_bert';
import { activation, bertEncoder, layerNorm, type LayerNormParams, type PostLnLayerWeights } from '../shared/layers';
import { createTextModel, type BertModel, type TextForwardTensors, type TextTokenizer } from '../shared/text_model';
import type { DistilBertConfig } from './configuration_distilbert';

export interface DistilBertWeights {
  /** [vocab, dim], as BERT's (see BertEmbeddingWeights). */
  wordEmbeddings: tf.Tensor2D;
  positionEmbeddings: tf.Tensor2D;
  embeddingsLayerNorm: LayerNormParams;
  layers: PostLnLayerWeights[];
  mlm: MlmHeadWeights | null;
}

export function loadDistilBertWeights(sd: StateDict, cfg: DistilBertConfig): DistilBertWeights {
  const D: [string, number] = ['dim', cfg.dim];
  const F: [string, number] = ['hidden_dim', cfg.hidden_dim];
  const V: [string, number] = ['vocab_size', cfg.vocab_size];
  const wordEmbeddings = sd.tensor<tf.Rank.R2>('embeddings.word_embeddings.weight', [V, D]);
  const weights: DistilBertWeights = {
    wordEmbeddings,
    positionEmbeddings: sd.tensor('embeddings.position_embeddings.weight', [['max_position_embeddings', cfg.max_position_embeddings], D]),
    embeddingsLayerNorm: sd.layerNorm('embeddings.LayerNorm', D),
    layers: Array.from({ length: cfg.n_layers }, (_, i) => {
      const p = `transformer.layer.${i}`;
      return {
        attention: sd.selfAttention(`${p}.attention`, D, cfg.n_heads, true, ['q_lin', 'k_lin', 'v_lin']),
        attentionOutput: sd.linear(`${p}.attention.out_lin`, D, D),
        attentionLayerNorm: sd.layerNorm(`${p}.sa_layer_norm`, D),
        intermediate: sd.linear(`${p}.ffn.lin1`, F, D),
        output: sd.linear(`${p}.ffn.lin2`, D, F),
        outputLayerNorm: sd.layerNorm(`${p}.output_layer_norm`, D),
      };
    }),
    mlm: null,
  };
  if (sd.has('vocab_transform.weight')) {
    // HF ties vocab_projector.weight to the word embeddings; a stored copy is not read.
    sd.skip('vocab_projector.weight');
    weights.mlm = {
      transform: sd.linear('vocab_transform', D, D),
      layerNorm: sd.layerNorm('vocab_layer_norm', D),
      decoder: { weight: wordEmbeddings, bias: sd.tensor<tf.Rank.R1>('vocab_projector.bias', [V]) },
    };
  } else {
    sd.warnings.push('No masked-LM head (vocab_transform) in this checkpoint (a DistilBertModel): [MASK] prediction is disabled.');
  }
  return weights;
}

export function distilBertForward(w: DistilBertWeights, cfg: DistilBertConfig, inputIds: number[], mlmPositions: number[]): TextForwardTensors {
  const act = activation(cfg.activation);
  const eps = cfg.layer_norm_eps;
  const word = embedWords(w.wordEmbeddings, inputIds);
  const position = positionRows(w.positionEmbeddings, 0, inputIds.length);
  const normalized = layerNorm(tf.add(word, position), w.embeddingsLayerNorm, eps);
  const { hidden_states, attentions } = bertEncoder(normalized, w.layers, cfg.n_heads, act, eps);
  const x = hidden_states[hidden_states.length - 1];
  return { word, position, token_type: null, normalized, hidden_states, attentions, prediction_logits: mlmLogits(x, mlmPositions, w.mlm, act, eps) };
}

export async function createDistilBertModel(sd: StateDict, cfg: DistilBertConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = await sd.load(() => loadDistilBertWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'distilbert',
    config: cfg,
    heads: { mlm: weights.mlm !== null, nsp: false, pooler: false, sop: false, rtd: false },
    positionEmbeddings: weights.positionEmbeddings,
    firstPosition: 0,
    maxTokens: cfg.max_position_embeddings,
    typeVocabSize: 0,
    // DistilBERT has no token types: the ids a BERT tokenizer gives B are ignored, as in HF.
    forward: (ids, _types, positions) => distilBertForward(weights, cfg, ids, positions),
  });
}
