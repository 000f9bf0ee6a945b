// BertConfig: the config.json fields BERT reads, with transformers' BertConfig defaults. RoBERTa,
// ALBERT and ELECTRA configs share these keys (with their own defaults) through bertFields.

import { checkHeadSize, type JsonFields } from '../checkpoint/json';
import { activation } from '../shared/layers';

/** The keys BertConfig and its descendants share. */
export interface BertFields {
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
}

export interface BertConfig extends BertFields {
  model_type: 'bert';
  tie_word_embeddings: boolean;
}

/** The shared keys, each defaulting to `defaults` (the architecture's transformers config defaults). */
export function bertFields(config: JsonFields, defaults: Omit<BertFields, 'architectures'>): BertFields {
  const positionType = config.string('position_embedding_type', 'absolute');
  if (positionType !== 'absolute') {
    config.fail(`position_embedding_type "${positionType}" is not supported, only "absolute"`, 'unsupported');
  }
  const fields: BertFields = {
    architectures: config.optionalStrings('architectures') ?? [],
    vocab_size: config.int('vocab_size', defaults.vocab_size),
    hidden_size: config.int('hidden_size', defaults.hidden_size),
    num_hidden_layers: config.int('num_hidden_layers', defaults.num_hidden_layers),
    num_attention_heads: config.int('num_attention_heads', defaults.num_attention_heads),
    intermediate_size: config.int('intermediate_size', defaults.intermediate_size),
    hidden_act: config.string('hidden_act', defaults.hidden_act),
    max_position_embeddings: config.int('max_position_embeddings', defaults.max_position_embeddings),
    type_vocab_size: config.int('type_vocab_size', defaults.type_vocab_size),
    layer_norm_eps: config.number('layer_norm_eps', defaults.layer_norm_eps),
  };
  checkHeadSize(fields);
  activation(fields.hidden_act);
  return fields;
}

export function bertConfig(config: JsonFields): BertConfig {
  return {
    model_type: 'bert',
    ...bertFields(config, {
      vocab_size: 30522,
      hidden_size: 768,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 3072,
      hidden_act: 'gelu',
      max_position_embeddings: 512,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
    }),
    tie_word_embeddings: config.bool('tie_word_embeddings', true),
  };
}
