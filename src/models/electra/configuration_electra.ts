// ElectraConfig: BERT's keys with transformers' ElectraConfig defaults (the small model), plus the
// embedding size, which embeddings_project maps to hidden_size when they differ.

import type { JsonFields } from '../checkpoint/json';
import { bertFields, type BertFields } from '../bert/configuration_bert';

export interface ElectraConfig extends BertFields {
  model_type: 'electra';
  embedding_size: number;
}

export function electraConfig(config: JsonFields): ElectraConfig {
  return {
    model_type: 'electra',
    ...bertFields(config, {
      vocab_size: 30522,
      hidden_size: 256,
      num_hidden_layers: 12,
      num_attention_heads: 4,
      intermediate_size: 1024,
      hidden_act: 'gelu',
      max_position_embeddings: 512,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
    }),
    embedding_size: config.int('embedding_size', 128),
  };
}
