// ELECTRA (Clark et al., 2020) as Hugging Face's ElectraForPreTraining (the discriminator) and
// ElectraForMaskedLM (the generator), modeling_electra.py:
//   embeddings = LayerNorm(word + token_type + position) of size embedding_size, projected to
//   hidden_size by embeddings_project when the sizes differ (hidden state 0 is the projection);
//   BERT's post-LN encoder; no pooler.
//   Discriminator (replaced-token detection): per token, dense_prediction(act(x dense)), one logit;
//     its sigmoid is the probability that the token is not the original but a generator's sample.
//   Generator (masked LM): LayerNorm(gelu(x dense)) in embedding space (exact GELU, whatever
//     hidden_act says) times generator_lm_head, tied to the word embeddings.

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import { bertEmbeddings, loadBertEmbeddings, loadBertLayer, mlmLogits, type BertEmbeddingWeights, type MlmHeadWeights } from '../bert/modeling_bert';
import { activation, bertEncoder, linear, type Linear, type PostLnLayerWeights } from '../shared/layers';
import { createTextModel, type BertModel, type TextForwardTensors, type TextTokenizer } from '../shared/text_model';
import type { ElectraConfig } from './configuration_electra';

export interface ElectraWeights {
  /** embedding_size wide. */
  embeddings: BertEmbeddingWeights;
  embeddingsProject: Linear | null;
  layers: PostLnLayerWeights[];
  discriminator: { dense: Linear; prediction: Linear } | null;
  generator: MlmHeadWeights | null;
}

export function loadElectraWeights(sd: StateDict, cfg: ElectraConfig): ElectraWeights {
  const E: [string, number] = ['embedding_size', cfg.embedding_size];
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const embeddings = loadBertEmbeddings(sd, cfg, E);
  const weights: ElectraWeights = {
    embeddings,
    // HF builds the projection exactly when the two sizes differ.
    embeddingsProject: cfg.embedding_size !== cfg.hidden_size ? sd.linear('embeddings_project', H, E) : null,
    layers: Array.from({ length: cfg.num_hidden_layers }, (_, i) => loadBertLayer(sd, `encoder.layer.${i}`, H, I, cfg.num_attention_heads)),
    discriminator: null,
    generator: null,
  };
  if (sd.has('discriminator_predictions.dense.weight')) {
    weights.discriminator = {
      dense: sd.linear('discriminator_predictions.dense', H, H),
      prediction: sd.linear('discriminator_predictions.dense_prediction', 1, H),
    };
  }
  if (sd.has('generator_predictions.dense.weight')) {
    sd.skip('generator_lm_head.weight'); // tied to the word embeddings
    weights.generator = {
      transform: sd.linear('generator_predictions.dense', E, H),
      layerNorm: sd.layerNorm('generator_predictions.LayerNorm', E),
      decoder: { weight: embeddings.wordEmbeddings, bias: sd.tensor<tf.Rank.R1>('generator_lm_head.bias', [['vocab_size', cfg.vocab_size]]) },
    };
  }
  if (!weights.discriminator && !weights.generator) {
    sd.warnings.push(
      'Neither the discriminator head (discriminator_predictions) nor the generator head (generator_predictions) is in this checkpoint (an ElectraModel): replaced-token detection and [MASK] prediction are disabled.',
    );
  } else if (!weights.generator) {
    sd.warnings.push('This is an ELECTRA discriminator: it tells for every token whether it was replaced; [MASK] prediction needs the generator checkpoint.');
  } else if (!weights.discriminator) {
    sd.warnings.push('This is an ELECTRA generator (a small masked LM); replaced-token detection needs the discriminator checkpoint.');
  }
  return weights;
}

export function electraForward(w: ElectraWeights, cfg: ElectraConfig, inputIds: number[], tokenTypeIds: number[], mlmPositions: number[]): TextForwardTensors {
  const act = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const embeddings = bertEmbeddings(w.embeddings, inputIds, tokenTypeIds, 0, eps);
  const projected = w.embeddingsProject ? linear(embeddings.normalized, w.embeddingsProject) : embeddings.normalized;
  const { hidden_states, attentions } = bertEncoder(projected, w.layers, cfg.num_attention_heads, act, eps);
  const x = hidden_states[hidden_states.length - 1];
  const d = w.discriminator;
  return {
    ...embeddings,
    hidden_states,
    attentions,
    prediction_logits: mlmLogits(x, mlmPositions, w.generator, activation('gelu'), eps),
    rtd_logits: d ? tf.reshape<tf.Rank.R1>(linear(act(linear(x, d.dense)), d.prediction), [-1]) : null,
  };
}

export async function createElectraModel(sd: StateDict, cfg: ElectraConfig, tokenizer: TextTokenizer): Promise<BertModel> {
  const weights = await sd.load(() => loadElectraWeights(sd, cfg));
  return createTextModel(sd, tokenizer, {
    architecture: 'electra',
    config: cfg,
    heads: { mlm: weights.generator !== null, nsp: false, pooler: false, sop: false, rtd: weights.discriminator !== null },
    positionEmbeddings: weights.embeddings.positionEmbeddings,
    firstPosition: 0,
    maxTokens: cfg.max_position_embeddings,
    typeVocabSize: cfg.type_vocab_size,
    forward: (ids, types, positions) => electraForward(weights, cfg, ids, types, positions),
  });
}
