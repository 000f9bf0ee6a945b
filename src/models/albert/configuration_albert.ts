// AlbertConfig: BERT's keys with transformers' AlbertConfig defaults, plus the factorized embedding
// size and the layer groups whose weights are shared across depth.

import type { JsonFields } from '../checkpoint/json';
import { bertFields, type BertFields } from '../bert/configuration_bert';

export interface AlbertConfig extends BertFields {
  model_type: 'albert';
  embedding_size: number;
  /** Distinct layer weights; layer i uses group floor(i / (num_hidden_layers / num_hidden_groups)). */
  num_hidden_groups: number;
  inner_group_num: number;
}

export function albertConfig(config: JsonFields): AlbertConfig {
  const cfg: AlbertConfig = {
    model_type: 'albert',
    ...bertFields(config, {
      vocab_size: 30000,
      hidden_size: 4096,
      num_hidden_layers: 12,
      num_attention_heads: 64,
      intermediate_size: 16384,
      hidden_act: 'gelu_new',
      max_position_embeddings: 512,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
    }),
    embedding_size: config.int('embedding_size', 128),
    num_hidden_groups: config.int('num_hidden_groups', 1),
    inner_group_num: config.int('inner_group_num', 1),
  };
  if (cfg.inner_group_num !== 1) {
    // Every released ALBERT has one layer per group; with more, HF reports hidden states per group, not per layer.
    config.fail(`inner_group_num ${cfg.inner_group_num} is not supported, only 1`, 'unsupported');
  }
  if (cfg.num_hidden_groups > cfg.num_hidden_layers) {
    config.fail(`num_hidden_groups ${cfg.num_hidden_groups} exceeds num_hidden_layers ${cfg.num_hidden_layers}`);
  }
  return cfg;
}
