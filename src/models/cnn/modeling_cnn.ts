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
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import { linear, type Linear } from '../shared/layers';
import { softmax, topKIndices } from '../shared/math';
import { runForward } from '../shared/readback';
import type { CnnModelInfo, CnnOutput, NdArray } from '../types';
import type { Pixels, RgbaImage, ViTImageProcessor } from '../vit/image_processing_vit';
import { featureMapShapes, type CnnConfig } from './configuration_cnn';

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
  info: CnnModelInfo;
  processor: ViTImageProcessor;
  /** Throws unless an image of width x height can run (see VitModel.checkImageSize): within the processor's limits, and not too small for the layers. */
  checkImageSize: (width: number, height: number, fileName?: string) => void;
  run(image: RgbaImage, opts?: { topK?: number }): Promise<CnnOutput>;
  runPixels(pixel_values: NdArray, opts?: { topK?: number }): Promise<CnnOutput>;
  dispose(): void;
}

export function createCnnModel(sd: StateDict, cfg: CnnConfig, processor: ViTImageProcessor): CnnModel {
  const shapes = featureMapShapes(cfg, ...cfg.image_size);
  if (processor.config.do_resize || processor.config.do_center_crop) {
    // The processor's output size is fixed: check that the layers can take it now, before any weight is uploaded.
    featureMapShapes(cfg, processor.size.height, processor.size.width, 'preprocessor_config.json: the processed image');
  }
  const weights = sd.load(() => loadCnnWeights(sd, cfg));
  const info: CnnModelInfo = {
    kind: 'cnn',
    weights_file: sd.fileName,
    config: cfg,
    layers: cfg.layers.map((layer, i) => ({ ...layer, output_shape: shapes[i] })),
    num_parameters: [...weights.convolutions.flatMap((c) => (c ? [c.filter, c.bias] : [])), weights.classifier.weight, weights.classifier.bias!]
      .reduce((n, t) => n + t.size, 0),
    warnings: sd.warnings,
    preprocessing: processor.preprocessing,
  };
  let disposed = false;

  function checkImageSize(width: number, height: number, fileName?: string): void {
    processor.checkImageSize(width, height, fileName);
    const out = processor.outputSize(width, height);
    featureMapShapes(cfg, out.height, out.width, `${fileName ? `${fileName}: t` : 'T'}he processed image`);
  }

  async function execute(pixel_values: NdArray, image: Pixels | null, topK: number, preprocess_ms: number): Promise<CnnOutput> {
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
      return { feature_maps: r.feature_maps.map((m) => tf.transpose(m, [2, 0, 1])), pooled: r.pooled, logits: r.logits };
    });
    const probs = softmax(arrays.logits.data);
    return {
      model: 'cnn',
      image,
      pixel_values,
      feature_maps: arrays.feature_maps,
      pooled: arrays.pooled,
      logits: arrays.logits,
      top: topKIndices(probs, topK).map((id) => ({ id, label: cfg.id2label[id], prob: probs[id] })),
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  return {
    kind: 'cnn',
    info,
    processor,
    checkImageSize,
    async run(rgba, opts = {}) {
      checkImageSize(rgba.width, rgba.height);
      const start = performance.now();
      const image = processor.prepare(rgba);
      const pixels = processor.toPixelValues(image);
      return execute(pixels, image, opts.topK ?? 5, performance.now() - start);
    },
    runPixels: (pixel_values, opts = {}) => execute(pixel_values, null, opts.topK ?? 5, 0),
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
