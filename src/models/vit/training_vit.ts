// Training a small ViT from random initialisation with tfjs autograd: the position-structure lab's
// live run. The parameters are exactly Hugging Face's ViTForImageClassification tensors, kept in
// the layout the shared layers multiply with (nn.Linear weights as [in, out], the patch conv as
// its [C·P·P, hidden] matrix), so a trained model saves as a checkpoint that loadModel opens like
// any other. The forward pass is modeling_vit.ts's, batched: linear, layerNorm and the activation
// are the shared layers; only attention is written here for a batch ([B, heads, T, d] products),
// which inference never needs.
//
// Nothing here is tuned for accuracy: it is the smallest setup in which the position embeddings
// visibly take on the 2-D layout of the patches within minutes on a laptop CPU
// (scripts/measure_live_training.ts measures how long).

import '@tensorflow/tfjs-core/dist/register_all_gradients';
import * as tf from '@tensorflow/tfjs-core';
import { mixSeed, mulberry32, randomInt, shuffle, type Random } from '../../analysis/random';
import { JsonFields } from '../checkpoint/json';
import { parseSafetensors, serializeSafetensors } from '../checkpoint/safetensors';
import { ModelError } from '../errors';
import { activation, layerNorm, linear, type LayerNormParams, type Linear } from '../shared/layers';
import { patchGrid, vitConfig, type VitConfig } from './configuration_vit';

const FASHION_MNIST_LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** config.json of the live model: mini-ViT's input and recipe family at a fraction of its size. */
export const LIVE_VIT_CONFIG = {
  architectures: ['ViTForImageClassification'],
  model_type: 'vit',
  image_size: 28,
  patch_size: 4,
  num_channels: 3,
  hidden_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 128,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.0,
  attention_probs_dropout_prob: 0.0,
  initializer_range: 0.02,
  layer_norm_eps: 1e-12,
  qkv_bias: true,
  encoder_stride: 4,
  id2label: Object.fromEntries(FASHION_MNIST_LABELS.map((l, i) => [String(i), l])),
  label2id: Object.fromEntries(FASHION_MNIST_LABELS.map((l, i) => [l, i])),
  problem_type: 'single_label_classification',
  torch_dtype: 'float32',
};

/** preprocessor_config.json: mini-ViT's (grey replicated to RGB, Fashion-MNIST mean and std). */
export const LIVE_VIT_PREPROCESSOR = {
  image_processor_type: 'ViTImageProcessor',
  do_convert_rgb: true,
  do_resize: true,
  size: { height: 28, width: 28 },
  resample: 2,
  do_rescale: true,
  rescale_factor: 1 / 255,
  do_normalize: true,
  image_mean: [0.286, 0.286, 0.286],
  image_std: [0.353, 0.353, 0.353],
};

interface TrainableLayer {
  layernormBefore: LayerNormParams;
  query: Linear;
  key: Linear;
  value: Linear;
  attentionOutput: Linear;
  layernormAfter: LayerNormParams;
  intermediate: Linear;
  output: Linear;
}

export interface TrainableVit {
  cfg: VitConfig;
  patchEmbedding: Linear;
  /** [1, hidden] */
  clsToken: tf.Variable<tf.Rank.R2>;
  /** [1 + rows·cols, hidden] */
  positionEmbeddings: tf.Variable<tf.Rank.R2>;
  layers: TrainableLayer[];
  layernorm: LayerNormParams;
  classifier: Linear;
  /** Every parameter with its checkpoint name and PyTorch shape, in HF's order. */
  parameters: { name: string; variable: tf.Variable; shape: number[]; kind: 'linear' | 'plain' }[];
}

/**
 * A freshly initialised model, as HF's ViTPreTrainedModel._init_weights does it: weights, [CLS] and
 * position embeddings from a truncated normal with std initializer_range, biases 0, LayerNorm 1 and 0.
 */
export function createTrainableVit(configJson: Record<string, unknown> = LIVE_VIT_CONFIG, seed = 0): TrainableVit {
  const cfg = vitConfig(JsonFields.of(configJson, 'config.json'));
  const std = typeof configJson.initializer_range === 'number' ? configJson.initializer_range : 0.02;
  const [rows, cols] = patchGrid(cfg.image_size[0], cfg.image_size[1], cfg.patch_size);
  const H = cfg.hidden_size;
  const parameters: TrainableVit['parameters'] = [];
  let draws = 0;
  const variable = (name: string, shape: number[], kind: 'linear' | 'plain', values: 'normal' | 0 | 1, uploadShape: number[]) => {
    const init =
      values === 'normal' ? tf.truncatedNormal(uploadShape, 0, std, 'float32', seed * 1000 + draws++) : values === 0 ? tf.zeros(uploadShape) : tf.ones(uploadShape);
    const v = tf.variable(init, true, name);
    init.dispose();
    parameters.push({ name, variable: v, shape, kind });
    return v;
  };
  const lin = (name: string, out: number, inp: number, inShape: number[] = [out, inp]): Linear => ({
    weight: variable(`${name}.weight`, inShape, 'linear', 'normal', [inp, out]) as tf.Variable<tf.Rank.R2>,
    bias: variable(`${name}.bias`, [out], 'plain', 0, [out]) as tf.Variable<tf.Rank.R1>,
  });
  const norm = (name: string): LayerNormParams => ({
    weight: variable(`${name}.weight`, [H], 'plain', 1, [H]) as tf.Variable<tf.Rank.R1>,
    bias: variable(`${name}.bias`, [H], 'plain', 0, [H]) as tf.Variable<tf.Rank.R1>,
  });
  const [C, P] = [cfg.num_channels, cfg.patch_size];
  const n = 1 + rows * cols;
  const clsToken = variable('vit.embeddings.cls_token', [1, 1, H], 'plain', 'normal', [1, H]) as tf.Variable<tf.Rank.R2>;
  const positionEmbeddings = variable('vit.embeddings.position_embeddings', [1, n, H], 'plain', 'normal', [n, H]) as tf.Variable<tf.Rank.R2>;
  const patchEmbedding = lin('vit.embeddings.patch_embeddings.projection', H, C * P * P, [H, C, P, P]);
  const layers = Array.from({ length: cfg.num_hidden_layers }, (_, i): TrainableLayer => {
    const p = `vit.encoder.layer.${i}`;
    return {
      query: lin(`${p}.attention.attention.query`, H, H),
      key: lin(`${p}.attention.attention.key`, H, H),
      value: lin(`${p}.attention.attention.value`, H, H),
      attentionOutput: lin(`${p}.attention.output.dense`, H, H),
      intermediate: lin(`${p}.intermediate.dense`, cfg.intermediate_size, H),
      output: lin(`${p}.output.dense`, H, cfg.intermediate_size),
      layernormBefore: norm(`${p}.layernorm_before`),
      layernormAfter: norm(`${p}.layernorm_after`),
    };
  });
  const layernorm = norm('vit.layernorm');
  const classifier = lin('classifier', cfg.id2label.length, H);
  return { cfg, patchEmbedding, clsToken, positionEmbeddings, layers, layernorm, classifier, parameters };
}

/** Self-attention over a batch x [B·T, hidden] of B sequences of T tokens (no mask: no padding). */
function batchedSelfAttention(x: tf.Tensor2D, layer: TrainableLayer, batch: number, tokens: number, heads: number): tf.Tensor2D {
  const hidden = x.shape[1];
  const d = hidden / heads;
  const split = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [batch, tokens, heads, d]), [0, 2, 1, 3]);
  const q = split(linear(x, layer.query));
  const k = split(linear(x, layer.key));
  const v = split(linear(x, layer.value));
  const probs = tf.softmax(tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)));
  return tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [batch * tokens, hidden]);
}

/** Logits [B, labels] of pixel values [B, C, H, W] (as ViTImageProcessor makes them). Call inside tf.tidy. */
export function trainingForward(m: TrainableVit, pixels: tf.Tensor4D): tf.Tensor2D {
  const { cfg } = m;
  const [B, C, height, width] = pixels.shape;
  const P = cfg.patch_size;
  const [rows, cols] = patchGrid(height, width, P);
  const T = 1 + rows * cols;
  const H = cfg.hidden_size;
  const act = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  // Patch vectors in the conv kernel's (C, kh, kw) order, as vitForward cuts them, for every image at once.
  const perChannel = tf.transpose(tf.reshape(pixels, [B * C, rows, P, cols, P]), [0, 1, 3, 2, 4]);
  const patchVectors = tf.reshape<tf.Rank.R2>(tf.transpose(tf.reshape(perChannel, [B, C, rows * cols, P * P]), [0, 2, 1, 3]), [B * rows * cols, C * P * P]);
  const patches = tf.reshape(linear(patchVectors, m.patchEmbedding), [B, rows * cols, H]);
  const cls = tf.tile(tf.reshape(m.clsToken, [1, 1, H]), [B, 1, 1]);
  let x = tf.reshape<tf.Rank.R2>(tf.add(tf.concat([cls, patches], 1), m.positionEmbeddings), [B * T, H]);
  for (const layer of m.layers) {
    const attention = batchedSelfAttention(layerNorm(x, layer.layernormBefore, eps), layer, B, T, cfg.num_attention_heads);
    const h = tf.add<tf.Tensor2D>(linear(attention, layer.attentionOutput), x);
    x = tf.add<tf.Tensor2D>(linear(act(linear(layerNorm(h, layer.layernormAfter, eps), layer.intermediate)), layer.output), h);
  }
  const last = tf.reshape(layerNorm(x, m.layernorm, eps), [B, T, H]);
  return linear(tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, H]), [B, H]), m.classifier);
}

/** Mean cross-entropy of logits [B, L] against integer labels [B]. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  const oneHot = tf.oneHot(labels, logits.shape[1]);
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
}

/**
 * One optimiser step on a batch; returns the batch's loss before the step. The position embeddings
 * get their own optimiser (`optimizers[1]`, a higher learning rate), the rest `optimizers[0]`.
 * Leaves no tensor behind.
 */
export function trainStep(m: TrainableVit, [optimizer, positionOptimizer]: [tf.Optimizer, tf.Optimizer], pixels: tf.Tensor4D, labels: tf.Tensor1D): number {
  const { value, grads } = tf.variableGrads(() => crossEntropy(trainingForward(m, pixels), labels));
  const positionName = m.positionEmbeddings.name;
  const { [positionName]: positionGrad, ...rest } = grads;
  optimizer.applyGradients(rest);
  positionOptimizer.applyGradients({ [positionName]: positionGrad });
  const loss = value.dataSync()[0];
  tf.dispose([value, grads]);
  return loss;
}

/**
 * A copy of the position embeddings [1 + rows·cols, hidden] as they are now (a copy: the CPU
 * backend's dataSync hands out the variable's own storage, and the worker transfers this buffer).
 */
export function positionEmbeddingsOf(m: TrainableVit): { shape: [number, number]; data: Float32Array } {
  const [n, H] = m.positionEmbeddings.shape;
  return { shape: [n, H], data: (m.positionEmbeddings.dataSync() as Float32Array).slice() };
}

/** The checkpoint in Hugging Face layout: model.safetensors, config.json, preprocessor_config.json. */
export function saveCheckpoint(
  m: TrainableVit,
  configJson: Record<string, unknown> = LIVE_VIT_CONFIG,
  metadata: Record<string, string> = {},
): Record<'model.safetensors' | 'config.json' | 'preprocessor_config.json', Uint8Array> {
  const tensors = m.parameters.map(({ name, variable, shape, kind }) => {
    const values = variable.dataSync() as Float32Array;
    if (kind === 'plain') return { name, shape, data: values };
    // [in, out] back to PyTorch's [out, in...].
    const [inp, out] = variable.shape;
    const data = new Float32Array(values.length);
    for (let i = 0; i < inp; i++) for (let o = 0; o < out; o++) data[o * inp + i] = values[i * out + o];
    return { name, shape, data };
  });
  const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
  return {
    'model.safetensors': serializeSafetensors(tensors, { format: 'pt', ...metadata }),
    'config.json': json(configJson),
    'preprocessor_config.json': json(LIVE_VIT_PREPROCESSOR),
  };
}

export function disposeTrainableVit(m: TrainableVit): void {
  for (const p of m.parameters) p.variable.dispose();
}

/** The lab's Fashion-MNIST slice (scripts/train/vit/make_live_dataset.py): grey 28x28 images as uint8. */
export interface TrainingData {
  train: { images: Uint8Array; labels: Uint8Array; count: number };
  test: { images: Uint8Array; labels: Uint8Array; count: number };
  side: number;
}

export function parseTrainingData(file: Uint8Array, fileName = 'fashion-mnist-live.safetensors'): TrainingData {
  const { tensors } = parseSafetensors(file, fileName);
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t || t.dtype !== 'U8') throw new ModelError('malformed', `${fileName} has no uint8 tensor "${name}".`);
    return t;
  };
  const split = (which: 'train' | 'test') => {
    const images = get(`${which}_images`);
    const labels = get(`${which}_labels`);
    if (images.shape.length !== 3 || labels.shape[0] !== images.shape[0]) {
      throw new ModelError('malformed', `${fileName}: ${which}_images [${images.shape.join(',')}] and ${which}_labels [${labels.shape.join(',')}] do not match.`);
    }
    return { images: images.bytes, labels: labels.bytes, count: images.shape[0] };
  };
  return { train: split('train'), test: split('test'), side: get('train_images').shape[1] };
}

/**
 * Pixel values [B, C, side, side] of images `indices` of a split, as ViTImageProcessor makes them
 * from a grey image: rescaled, normalised, the grey channel replicated to num_channels. `shifts`
 * moves image b by [dy, dx] pixels first, filling with black (the background).
 */
export function pixelBatch(
  split: TrainingData['train'],
  side: number,
  indices: ArrayLike<number>,
  channels: number,
  shifts?: [number, number][],
): tf.Tensor4D {
  const { rescale_factor: scale, image_mean: [mean], image_std: [std] } = LIVE_VIT_PREPROCESSOR;
  const area = side * side;
  const out = new Float32Array(indices.length * channels * area);
  for (let b = 0; b < indices.length; b++) {
    const image = split.images.subarray(indices[b] * area, (indices[b] + 1) * area);
    const [dy, dx] = shifts?.[b] ?? [0, 0];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const [sy, sx] = [y - dy, x - dx];
        const grey = sy >= 0 && sy < side && sx >= 0 && sx < side ? image[sy * side + sx] : 0;
        const value = (grey * scale - mean) / std;
        for (let c = 0; c < channels; c++) out[(b * channels + c) * area + y * side + x] = value;
      }
    }
  }
  return tf.tensor4d(out, [indices.length, channels, side, side]);
}

export interface LiveTrainingOptions {
  learningRate: number;
  /** The position embeddings learn this many times faster (mini-ViT's recipe: 3). */
  positionLrMultiplier: number;
  batchSize: number;
  /** Random translation of each training image by up to this many pixels (mini-ViT's recipe: 4). */
  maxShift: number;
  seed: number;
}

export const LIVE_TRAINING: LiveTrainingOptions = { learningRate: 1e-3, positionLrMultiplier: 3, batchSize: 32, maxShift: 4, seed: 0 };

/** A training run: the model, Adam, and a seeded shuffle of the training images, one epoch after another. */
export class LiveRun {
  readonly model: TrainableVit;
  step = 0;
  private readonly optimizer: tf.Optimizer;
  private readonly positionOptimizer: tf.Optimizer;
  private readonly random: Random;
  private order: number[] = [];
  private cursor = 0;

  constructor(
    readonly data: TrainingData,
    readonly options: LiveTrainingOptions = LIVE_TRAINING,
  ) {
    this.model = createTrainableVit(LIVE_VIT_CONFIG, options.seed);
    this.optimizer = tf.train.adam(options.learningRate);
    this.positionOptimizer = tf.train.adam(options.learningRate * options.positionLrMultiplier);
    this.random = mulberry32(mixSeed(options.seed, 1));
  }

  private nextIndices(): number[] {
    const out: number[] = [];
    while (out.length < this.options.batchSize) {
      if (this.cursor >= this.order.length) {
        this.order = shuffle(this.random, Array.from({ length: this.data.train.count }, (_, i) => i));
        this.cursor = 0;
      }
      out.push(this.order[this.cursor++]);
    }
    return out;
  }

  /** One step on the next batch; returns its loss. */
  trainStep(): number {
    const indices = this.nextIndices();
    const shift = () => randomInt(this.random, 2 * this.options.maxShift + 1) - this.options.maxShift;
    const shifts = indices.map((): [number, number] => [shift(), shift()]);
    const pixels = pixelBatch(this.data.train, this.data.side, indices, this.model.cfg.num_channels, shifts);
    const labels = tf.tensor1d(indices.map((i) => this.data.train.labels[i]), 'int32');
    try {
      return trainStep(this.model, [this.optimizer, this.positionOptimizer], pixels, labels);
    } finally {
      this.step++;
      pixels.dispose();
      labels.dispose();
    }
  }

  /** Accuracy and mean loss on the first `count` test images. */
  evaluate(count = this.data.test.count, chunk = 250): { accuracy: number; loss: number } {
    let correct = 0;
    let lossSum = 0;
    for (let from = 0; from < count; from += chunk) {
      const indices = Array.from({ length: Math.min(chunk, count - from) }, (_, i) => from + i);
      const [predicted, losses] = tf.tidy(() => {
        const logits = trainingForward(this.model, pixelBatch(this.data.test, this.data.side, indices, this.model.cfg.num_channels));
        const labels = tf.tensor1d(indices.map((i) => this.data.test.labels[i]), 'int32');
        return [tf.argMax(logits, 1).dataSync(), tf.mul(crossEntropy(logits, labels), indices.length).dataSync()];
      });
      indices.forEach((i, k) => (correct += predicted[k] === this.data.test.labels[i] ? 1 : 0));
      lossSum += losses[0];
    }
    return { accuracy: correct / count, loss: lossSum / count };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.positionOptimizer.dispose();
    disposeTrainableVit(this.model);
  }
}
