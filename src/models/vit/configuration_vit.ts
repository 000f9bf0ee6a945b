// ViTConfig: the config.json fields ViT reads, with transformers' ViTConfig defaults. DeiT
// checkpoints (model_type "deit") share every field.

import { checkHeadSize, type JsonFields } from '../checkpoint/json';
import { activation } from '../shared/layers';

export interface VitConfig {
  model_type: 'vit' | 'deit';
  /** The HF classes the checkpoint was saved from (e.g. ViTForImageClassification), [] if not said. */
  architectures: string[];
  hidden_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  intermediate_size: number;
  hidden_act: string;
  layer_norm_eps: number;
  /** [height, width] the position embeddings were trained for. */
  image_size: [number, number];
  patch_size: number;
  num_channels: number;
  qkv_bias: boolean;
  /** Class names by index (config id2label, or LABEL_i). */
  id2label: string[];
}

/** config.image_size: one side of a square, or [height, width]. */
export function imageSize(config: JsonFields, fallback = 224): [number, number] {
  const value = config.get('image_size');
  if (!Array.isArray(value)) {
    const side = config.int('image_size', fallback);
    return [side, side];
  }
  const [height, width] = value as unknown[];
  if (value.length !== 2 || !Number.isSafeInteger(height) || !Number.isSafeInteger(width) || (height as number) <= 0 || (width as number) <= 0) {
    config.fail(`"image_size" must be a positive integer or [height, width], got ${JSON.stringify(value)}`);
  }
  return [height as number, width as number];
}

/** config.id2label as a list by class index (LABEL_i where a name is missing). */
export function labels(config: JsonFields): string[] {
  const map = config.object('id2label');
  const count = map ? Object.keys(map.toJSON()).length : config.int('num_labels', 2);
  return Array.from({ length: count }, (_, i) => {
    const label = map?.get(String(i));
    return typeof label === 'string' ? label : label === undefined ? `LABEL_${i}` : JSON.stringify(label);
  });
}

export function vitConfig(config: JsonFields): VitConfig {
  const cfg: VitConfig = {
    model_type: config.get('model_type') === 'deit' ? 'deit' : 'vit',
    architectures: config.optionalStrings('architectures') ?? [],
    hidden_size: config.int('hidden_size', 768),
    num_hidden_layers: config.int('num_hidden_layers', 12),
    num_attention_heads: config.int('num_attention_heads', 12),
    intermediate_size: config.int('intermediate_size', 3072),
    hidden_act: config.string('hidden_act', 'gelu'),
    layer_norm_eps: config.number('layer_norm_eps', 1e-12),
    image_size: imageSize(config),
    patch_size: config.int('patch_size', 16),
    num_channels: config.int('num_channels', 3),
    qkv_bias: config.bool('qkv_bias', true),
    id2label: labels(config),
  };
  checkHeadSize(cfg);
  activation(cfg.hidden_act);
  return cfg;
}

/** The patch grid [rows, cols] for an image of height × width pixels (partial patches are dropped, as the conv does). */
export function patchGrid(height: number, width: number, patchSize: number): [number, number] {
  return [Math.floor(height / patchSize), Math.floor(width / patchSize)];
}
