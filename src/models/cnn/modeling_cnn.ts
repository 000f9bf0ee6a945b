// mini-CNN (scripts/train/cnn/modeling_cnn.py): a plain VGG-style classifier, the ViT's
// counterpart in the inductive-bias lab. config.json lists the layers; for each entry
//   "conv":     x = ReLU(Conv2d(x))     weights cnn.layers.{i}.convolution.{weight, bias}
//   "max_pool": x = MaxPool2d(x)        no weights
// then logits = classifier(mean of x over height and width).
// It takes the same preprocessed pixel_values as the ViT (ViTImageProcessor, same preprocessor_config.json).
//
// PyTorch is channels-first (NCHW); tfjs convolutions are channels-last (NHWC) on every backend.
// The forward runs in [H, W, C] throughout, with kernels transposed once at load, and feature maps
// are transposed back to [C, H, W] only for the read-back, so outputs compare to PyTorch's as they are.

import * as tf from '@tensorflow/tfjs-core';
import { intField, stringField, type Config } from '../checkpoint/config';
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import { linear, type Linear } from '../shared/layers';
import { softmax, topKIndices } from '../shared/math';
import { runForward } from '../shared/readback';
import type { CnnInfo, CnnLayerSpec, CnnOutput, NdArray } from '../types';
import { ViTImageProcessor, type RgbaImage } from '../vit/image_processing_vit';

export interface CnnConfig {
  image_size: [number, number];
  num_channels: number;
  layers: CnnLayerSpec[];
  id2label: string[];
}

const bad = (message: string) => new ModelError('malformed', `config.json: ${message}`);

function layerSpec(raw: unknown, i: number): CnnLayerSpec {
  if (typeof raw !== 'object' || raw === null) throw bad(`layers[${i}] must be an object, got ${JSON.stringify(raw)}.`);
  const entry = raw as Config;
  const type = entry.type;
  if (type !== 'conv' && type !== 'max_pool') {
    throw new ModelError('unsupported', `config.json: layers[${i}] has type ${JSON.stringify(type)}; only "conv" and "max_pool" exist.`);
  }
  const int = (key: string, min: number) => {
    const value = entry[key];
    if (!Number.isSafeInteger(value) || (value as number) < min) {
      throw bad(`layers[${i}].${key} must be an integer >= ${min}, got ${JSON.stringify(value)}.`);
    }
    return value as number;
  };
  const spec: CnnLayerSpec = {
    type,
    out_channels: type === 'conv' ? int('out_channels', 1) : null,
    kernel_size: int('kernel_size', 1),
    stride: int('stride', 1),
    padding: entry.padding === undefined ? 0 : int('padding', 0),
  };
  // PyTorch's own rule: more padding than half the kernel would create outputs that see only padding.
  if (spec.padding > spec.kernel_size / 2) throw bad(`layers[${i}].padding ${spec.padding} exceeds half its kernel_size ${spec.kernel_size}.`);
  return spec;
}

/** Reads and checks the mini_cnn config.json fields. */
export function cnnConfig(config: Config): CnnConfig {
  const side = intField(config, 'image_size', 28);
  const layers = config.layers;
  if (!Array.isArray(layers) || layers.length === 0) throw bad('"layers" must be a non-empty list.');
  for (const [key, supported] of [['hidden_act', 'relu'], ['pooling', 'mean']]) {
    const value = stringField(config, key, supported);
    if (value !== supported) throw new ModelError('unsupported', `config.json: ${key} "${value}" is not supported (only "${supported}").`);
  }
  const labels = config.id2label;
  if (typeof labels !== 'object' || labels === null || Object.keys(labels).length === 0) throw bad('"id2label" must map class ids to names.');
  const labelMap = labels as Record<string, unknown>;
  return {
    image_size: [side, side],
    num_channels: intField(config, 'num_channels', 3),
    layers: layers.map(layerSpec),
    id2label: Array.from({ length: Object.keys(labelMap).length }, (_, i) => String(labelMap[String(i)] ?? `LABEL_${i}`)),
  };
}

/** [channels, height, width] after every layer for an input of [num_channels, height, width]; throws if a layer's output would be empty. */
export function featureMapShapes(cfg: CnnConfig, height: number, width: number): [number, number, number][] {
  const shapes: [number, number, number][] = [];
  let [c, h, w] = [cfg.num_channels, height, width];
  for (const [i, layer] of cfg.layers.entries()) {
    const out = (size: number) => Math.floor((size + 2 * layer.padding - layer.kernel_size) / layer.stride) + 1;
    [c, h, w] = [layer.out_channels ?? c, out(h), out(w)];
    if (h < 1 || w < 1) {
      throw new ModelError('mismatch', `The image (${height}x${width}) is too small for this CNN: layer ${i} (${layer.type}) would have no output.`);
    }
    shapes.push([c, h, w]);
  }
  return shapes;
}

export interface CnnWeights {
  /** Per layer: the conv kernel as tfjs wants it, [kh, kw, in, out], and its bias; null for pooling. */
  convolutions: ({ filter: tf.Tensor4D; bias: tf.Tensor1D } | null)[];
  classifier: Linear;
}

export function loadCnnWeights(sd: StateDict, cfg: CnnConfig): CnnWeights {
  let channels = cfg.num_channels;
  const convolutions = cfg.layers.map((layer, i) => {
    if (layer.type !== 'conv') return null;
    const k = layer.kernel_size;
    const out: [string, number] = [`layers[${i}].out_channels`, layer.out_channels!];
    const inp: [string, number] = [i === 0 ? 'num_channels' : `channels into layers[${i}]`, channels];
    const kernel = sd.tensor<tf.Rank.R4>(`layers.${i}.convolution.weight`, [out, inp, k, k]);
    // [out, in, kh, kw] -> [kh, kw, in, out], kept instead of the PyTorch layout.
    const filter = tf.transpose(kernel, [2, 3, 1, 0]);
    kernel.dispose();
    sd.created.push(filter);
    channels = layer.out_channels!;
    return { filter, bias: sd.tensor<tf.Rank.R1>(`layers.${i}.convolution.bias`, [out]) };
  });
  const classifier = sd.linear('classifier', ['num_labels (size of id2label)', cfg.id2label.length], ['channels of the last layer', channels]);
  return { convolutions, classifier };
}

export interface CnnForwardTensors {
  /** [H, W, C] after every layer. */
  feature_maps: tf.Tensor3D[];
  pooled: tf.Tensor1D;
  logits: tf.Tensor1D;
}

/** One forward pass of channels-last pixels [H, W, C]. Call inside tf.tidy. */
export function cnnForward(w: CnnWeights, cfg: CnnConfig, pixels: tf.Tensor3D): CnnForwardTensors {
  let x = pixels;
  const feature_maps: tf.Tensor3D[] = [];
  for (const [i, layer] of cfg.layers.entries()) {
    const conv = w.convolutions[i];
    const { stride, padding, kernel_size } = layer;
    x = conv
      ? tf.relu(tf.add(tf.conv2d(x, conv.filter, stride, padding), conv.bias))
      : tf.maxPool(x, kernel_size, stride, padding);
    feature_maps.push(x);
  }
  const pooled = tf.mean<tf.Tensor1D>(x, [0, 1]);
  const logits = tf.reshape<tf.Rank.R1>(linear(tf.reshape(pooled, [1, -1]), w.classifier), [-1]);
  return { feature_maps, pooled, logits };
}

export interface CnnModel {
  kind: 'cnn';
  info: CnnInfo;
  processor: ViTImageProcessor;
  run(image: RgbaImage, opts?: { topK?: number }): Promise<CnnOutput>;
  runPixels(pixel_values: NdArray, opts?: { topK?: number }): Promise<CnnOutput>;
  dispose(): void;
}

export async function createCnnModel(sd: StateDict, config: Config, preprocessorConfig: Config | null): Promise<CnnModel> {
  const cfg = cnnConfig(config);
  const processor = ViTImageProcessor.fromConfig(preprocessorConfig, cfg.num_channels);
  const shapes = featureMapShapes(cfg, ...cfg.image_size);
  const weights = sd.load(() => loadCnnWeights(sd, cfg));
  const { do_rescale, rescale_factor, do_normalize, image_mean, image_std } = processor.config;
  const info: CnnInfo = {
    kind: 'cnn',
    config,
    image_size: cfg.image_size,
    num_channels: cfg.num_channels,
    layers: cfg.layers.map((layer, i) => ({ ...layer, output_shape: shapes[i] })),
    num_parameters: [...weights.convolutions.flatMap((c) => (c ? [c.filter, c.bias] : [])), weights.classifier.weight, weights.classifier.bias!]
      .reduce((n, t) => n + t.size, 0),
    warnings: sd.warnings,
    preprocessing: { do_rescale, rescale_factor, do_normalize, image_mean, image_std },
  };
  let disposed = false;

  async function runPixels(pixel_values: NdArray, opts: { topK?: number } = {}, preprocess_ms = 0): Promise<CnnOutput> {
    if (disposed) throw new ModelError('unsupported', 'This model was unloaded; load it again.');
    const [c, height, width] = pixel_values.shape;
    if (pixel_values.shape.length !== 3 || pixel_values.data.length !== c * height * width) {
      throw new ModelError('mismatch', `pixel_values must be [channels, height, width] with matching data, got shape [${pixel_values.shape.join(',')}].`);
    }
    if (c !== cfg.num_channels) throw new ModelError('mismatch', `The image has ${c} channel(s) but the model expects num_channels=${cfg.num_channels}.`);
    featureMapShapes(cfg, height, width);

    const { arrays, forward_ms, readback_ms } = await runForward(() => {
      const pixels = tf.transpose(tf.tensor3d(pixel_values.data, [c, height, width]), [1, 2, 0]);
      const r = cnnForward(weights, cfg, pixels);
      return [...r.feature_maps.map((m) => tf.transpose(m, [2, 0, 1])), r.pooled, r.logits];
    });
    const L = cfg.layers.length;
    const logits = arrays[L + 1];
    const probs = softmax(logits.data);
    return {
      model: 'cnn',
      pixel_values,
      feature_maps: arrays.slice(0, L),
      pooled: arrays[L],
      logits,
      top: topKIndices(probs, opts.topK ?? 5).map((id) => ({ id, label: cfg.id2label[id], prob: probs[id] })),
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  return {
    kind: 'cnn',
    info,
    processor,
    async run(image, opts = {}) {
      const start = performance.now();
      const pixels = processor.preprocess(image);
      return runPixels(pixels, opts, performance.now() - start);
    },
    runPixels: (pixel_values, opts) => runPixels(pixel_values, opts),
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
