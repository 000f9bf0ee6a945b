// CnnConfig: the config.json fields of the playground's mini-CNN (model_type "mini_cnn", written by
// scripts/train/cnn). It is not a transformers class, so there are no upstream defaults: `layers`
// and `id2label` are required; image_size, num_channels, hidden_act and pooling default to what
// the training code writes.

import { JsonFields } from '../checkpoint/json';
import { ModelError } from '../errors';
import { imageSize, labels } from '../vit/configuration_vit';

/** One entry of config.json `layers`: a convolution (always followed by ReLU) or a max-pooling. */
export interface CnnLayerSpec {
  type: 'conv' | 'max_pool';
  /** Channels a convolution produces; null for pooling (it keeps the channels). */
  out_channels: number | null;
  kernel_size: number;
  stride: number;
  /** Zero padding (conv) or ignored border (max_pool) on every side, in input units of that layer. */
  padding: number;
}

export interface CnnConfig {
  model_type: 'mini_cnn';
  /** The classes the checkpoint was saved from (CnnForImageClassification), [] if not said. */
  architectures: string[];
  /** [height, width] the model was trained on (any size runs: the network is convolutional up to a global mean). */
  image_size: [number, number];
  num_channels: number;
  hidden_act: 'relu';
  pooling: 'mean';
  layers: CnnLayerSpec[];
  /** Class names by index (config id2label, or LABEL_i). */
  id2label: string[];
}

function layerSpec(layers: JsonFields, i: number): CnnLayerSpec {
  const entry: JsonFields | null = layers.object(String(i));
  if (!entry) return layers.fail(`${layers.name(String(i))} must be an object, got null`);
  const type = entry.string('type', '');
  if (type !== 'conv' && type !== 'max_pool') {
    return entry.fail(`${entry.name('type')} is ${JSON.stringify(type)}; only "conv" and "max_pool" exist`, 'unsupported');
  }
  const padding = entry.get('padding') ?? 0;
  if (!Number.isSafeInteger(padding) || (padding as number) < 0) {
    entry.fail(`${entry.name('padding')} must be a non-negative integer, got ${JSON.stringify(padding)}`);
  }
  const spec: CnnLayerSpec = {
    type,
    out_channels: type === 'conv' ? entry.int('out_channels', 0) : null,
    kernel_size: entry.int('kernel_size', 0),
    stride: entry.int('stride', 0),
    padding: padding as number,
  };
  // PyTorch's own rule: more padding than half the kernel would create outputs that see only padding.
  if (spec.padding > spec.kernel_size / 2) {
    entry.fail(`${entry.name('padding')} ${spec.padding} exceeds half its kernel_size ${spec.kernel_size}`);
  }
  return spec;
}

export function cnnConfig(config: JsonFields): CnnConfig {
  const layers = config.get('layers');
  if (!Array.isArray(layers) || layers.length === 0) config.fail(`${config.name('layers')} must be a non-empty list`);
  // The list as fields of the same file, so messages say "layers.2.kernel_size".
  const list = JsonFields.of(Object.fromEntries(layers.map((l, i) => [String(i), l as unknown])), config.file, 'layers.');
  const only = <T extends string>(key: string, supported: T): T => {
    const value = config.string(key, supported);
    if (value !== supported) config.fail(`${config.name(key)} "${value}" is not supported (only "${supported}")`, 'unsupported');
    return supported;
  };
  if (!config.object('id2label')) config.fail(`${config.name('id2label')} must map class ids to names`);
  return {
    model_type: 'mini_cnn',
    architectures: config.optionalStrings('architectures') ?? [],
    image_size: imageSize(config, 28),
    num_channels: config.int('num_channels', 3),
    hidden_act: only('hidden_act', 'relu'),
    pooling: only('pooling', 'mean'),
    layers: layers.map((_, i) => layerSpec(list, i)),
    id2label: labels(config),
  };
}

/**
 * [channels, height, width] after every layer for an input of [num_channels, height, width]; throws
 * if a layer's output would be empty (`what` names the input in that message).
 */
export function featureMapShapes(cfg: CnnConfig, height: number, width: number, what = 'The image'): [number, number, number][] {
  const shapes: [number, number, number][] = [];
  let [c, h, w] = [cfg.num_channels, height, width];
  for (const [i, layer] of cfg.layers.entries()) {
    const out = (size: number) => Math.floor((size + 2 * layer.padding - layer.kernel_size) / layer.stride) + 1;
    [c, h, w] = [layer.out_channels ?? c, out(h), out(w)];
    if (h < 1 || w < 1) {
      throw new ModelError('mismatch', `${what} (${height}x${width}) is too small for this CNN: layer ${i} (${layer.type}) would have no output.`);
    }
    shapes.push([c, h, w]);
  }
  return shapes;
}
