// RobertaConfig: BERT's keys with transformers' RobertaConfig defaults, plus pad_token_id, from which
// RoBERTa's position ids start (padding_idx + 1).

import type { JsonFields } from '../checkpoint/json';
import { bertFields, type BertFields } from '../bert/configuration_bert';

export interface RobertaConfig extends BertFields {
  model_type: 'roberta';
  pad_token_id: number;
}

export function robertaConfig(config: JsonFields): RobertaConfig {
  const pad = config.get('pad_token_id') ?? 1;
  if (!Number.isSafeInteger(pad) || (pad as number) < 0) config.fail(`"pad_token_id" must be an integer ≥ 0, got ${JSON.stringify(pad)}`);
  return {
    model_type: 'roberta',
    ...bertFields(config, {
      vocab_size: 50265,
      hidden_size: 768,
      num_hidden_layers: 12,
      num_attention_heads: 12,
      intermediate_size: 3072,
      hidden_act: 'gelu',
      max_position_embeddings: 512,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
    }),
    pad_token_id: pad as number,
  };
}

/** The first row of the position table a token uses (HF's create_position_ids_from_input_ids without padding). */
export const firstPosition = (cfg: RobertaConfig): number => cfg.pad_token_id + 1;

/** The longest input the position table allows: roberta-base's 514 rows take 512 tokens. */
export const robertaMaxTokens = (cfg: RobertaConfig): number => Math.max(cfg.max_position_embeddings - firstPosition(cfg), 1);
