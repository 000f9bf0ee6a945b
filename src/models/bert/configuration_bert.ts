// BertConfig: the config.json fields BERT reads, with transformers' BertConfig defaults.

import { checkHeadSize, type JsonFields } from '../checkpoint/json';
import { activation } from '../shared/layers';

export interface BertConfig {
  model_type: 'bert';
  /** The HF classes the checkpoint was saved from (e.g. BertForPreTraining), [] if not said. */
  architectures: string[];
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

export function bertConfig(config: JsonFields): BertConfig {
  const positionType = config.string('position_embedding_type', 'absolute');
  if (positionType !== 'absolute') {
    config.fail(`position_embedding_type "${positionType}" is not supported, only "absolute"`, 'unsupported');
  }
  const cfg: BertConfig = {
    model_type: 'bert',
    architectures: config.optionalStrings('architectures') ?? [],
    vocab_size: config.int('vocab_size', 30522),
    hidden_size: config.int('hidden_size', 768),
    num_hidden_layers: config.int('num_hidden_layers', 12),
    num_attention_heads: config.int('num_attention_heads', 12),
    intermediate_size: config.int('intermediate_size', 3072),
    hidden_act: config.string('hidden_act', 'gelu'),
    max_position_embeddings: config.int('max_position_embeddings', 512),
    type_vocab_size: config.int('type_vocab_size', 2),
    layer_norm_eps: config.number('layer_norm_eps', 1e-12),
    tie_word_embeddings: config.bool('tie_word_embeddings', true),
  };
  checkHeadSize(cfg);
  activation(cfg.hidden_act);
  return cfg;
}
