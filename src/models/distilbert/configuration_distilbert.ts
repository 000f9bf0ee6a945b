// DistilBertConfig: DistilBERT's own config.json keys (dim, n_layers, n_heads, hidden_dim, activation)
// with transformers' defaults, also under the names the other text models use (HF's attribute_map).

import { checkHeadSize, type JsonFields } from '../checkpoint/json';
import { activation } from '../shared/layers';

export interface DistilBertConfig {
  model_type: 'distilbert';
  architectures: string[];
  vocab_size: number;
  max_position_embeddings: number;
  dim: number;
  n_layers: number;
  n_heads: number;
  hidden_dim: number;
  activation: string;
  /** attribute_map aliases: hidden_size = dim, num_hidden_layers = n_layers, num_attention_heads = n_heads. */
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  /** Fixed in HF's modeling_distilbert.py (nn.LayerNorm(dim, eps=1e-12)). */
  layer_norm_eps: number;
}

export function distilBertConfig(config: JsonFields): DistilBertConfig {
  const dim = config.int('dim', 768);
  const n_layers = config.int('n_layers', 6);
  const n_heads = config.int('n_heads', 12);
  const cfg: DistilBertConfig = {
    model_type: 'distilbert',
    architectures: config.optionalStrings('architectures') ?? [],
    vocab_size: config.int('vocab_size', 30522),
    max_position_embeddings: config.int('max_position_embeddings', 512),
    dim,
    n_layers,
    n_heads,
    hidden_dim: config.int('hidden_dim', 4 * 768),
    activation: config.string('activation', 'gelu'),
    hidden_size: dim,
    num_hidden_layers: n_layers,
    num_attention_heads: n_heads,
    layer_norm_eps: 1e-12,
  };
  checkHeadSize(cfg);
  activation(cfg.activation);
  return cfg;
}
