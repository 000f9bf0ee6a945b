// RoBERTa (Liu et al., 2019) as Hugging Face's RobertaForMaskedLM (modeling_roberta.py): BERT's
// embeddings and encoder under "roberta.", with two differences that change numbers:
//   - position ids start at padding_idx + 1 (pad_token_id 1, so tokens use rows 2, 3, …), which is
//     why roberta-base has 514 positions for 512 tokens;
//   - the LM head is lm_head.layer_norm(gelu(x lm_head.dense)) decoderᵀ + lm_head.bias, with the exact
//     GELU whatever hidden_act says, and the decoder tied to the word embeddings.
// No next-sentence head; a pooler is used when the checkpoint has one (RobertaModel).

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import {
  bertEmbeddings,
  loadBertEmbeddings,
  loadBertLayer,
  mlmLogits,
  pool,
  type BertEmbeddingWeights,
  type MlmHeadWeights,
} from '../bert/modeling_bert';
import { activation, bertEncoder, type Linear, type PostLnLayerWeights } from '../shared/layers';
import { createTextModel, type BertModel, type TextForwardTensors, type TextTokenizer } from '../shared/text_model';
import { firstPosition, robertaMaxTokens, type RobertaConfig } from './configuration_roberta';

export interface RobertaWeights {
  embeddings: BertEmbeddingWeights;
  layers: PostLnLayerWeights[];
  pooler: Linear | null;
  lmHead: MlmHeadWeights | null;
}

export function loadRobertaWeights(sd: StateDict, cfg: RobertaConfig): RobertaWeights {
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const embeddings = loadBertEmbeddings(sd, cfg, H);
  const weights: RobertaWeights = {
    embeddings,
    layers: Array.from({ length: cfg.num_hidden_layers }, (_, i) => loadBertLayer(sd, `encoder.layer.${i}`, H, I, cfg.num_attention_heads)),
    pooler: sd.has('pooler.dense.weight') ? sd.linear('pooler.dense', H, H) : null,
    lmHead: null,
  };
  if (sd.has('lm_head.dense.weight')) {
    // lm_head.decoder is tied to the word embeddings and its bias is lm_head.bias; stored copies are not read.
    sd.skip('lm_head.decoder.weight');
    sd.skip('lm_head.decoder.bias');
    weights.lmHead = {
      transform: sd.linear('lm_head.dense', H, H),
      layerNorm: sd.layerNorm('lm_head.layer_norm', H),
      decoder: { weight: embeddings.wordEmbeddings, bias: sd.tensor<tf.Rank.R1>('lm_head.bias', [['vocab_size', cfg.vocab_size]]) },
    };
  } else {
    sd.warnings.push('No masked-LM head (lm_head) in this checkpoint (a RobertaModel): <mask> prediction is disabled.');
  }
  return weights;
}

export function robertaForward(w: RobertaWeights, cfg: RobertaConfig, inputIds: number[], tokenTypeIds: number[], mlmPositions: number[]): TextForwardTensors {
  const act = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const embeddings = bertEmbeddings(w.embeddings, inputIds, tokenTypeIds, firstPosition(cfg), eps);
  const { hidden_states, attentions } = bertEncoder(embeddings.normalized, w.layers, cfg.num_attention_heads, act, eps);
  const x = hidden_states[hidden_states.length - 1];
  return {
    ...embeddings,
    hidden_states,
    attentions,
    pooler_output: pool(x, w.pooler),
    prediction_logits: mlmLogits(x, mlmPositions, w.lmHead, activation('gelu'), eps),
  };
}

export async function createRobertaModel(sd: StateDict, cfg: RobertaConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = await sd.load(() => loadRobertaWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'roberta',
    config: cfg,
    heads: { mlm: weights.lmHead !== null, nsp: false, pooler: weights.pooler !== null, sop: false, rtd: false },
    positionEmbeddings: weights.embeddings.positionEmbeddings,
    firstPosition: Math.min(firstPosition(cfg), cfg.max_position_embeddings),
    maxTokens: robertaMaxTokens(cfg),
    typeVocabSize: cfg.type_vocab_size,
    forward: (ids, types, positions) => robertaForward(weights, cfg, ids, types, positions),
  });
}
