// Vision Transformer (Dosovitskiy et al., 2020) as Hugging Face's ViTForImageClassification:
//   patches = Conv2d(kernel = stride = patch_size)(pixels), flattened row by row
//   x = [CLS; patches] + position embeddings (bicubically resized for other image sizes)
//   each layer (pre-LN): x = x + Attention(LN(x))Wo;  x = x + act(LN(x) W1) W2
//   logits = LN(x)[CLS] Wclassifier
// DeiT checkpoints without a distillation token are the same network under a "deit." prefix.

import * as tf from '@tensorflow/tfjs-core';
import { boolField, checkHeadSize, intField, numberField, stringField, type Config } from '../checkpoint/config';
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import {
  activation,
  layerNorm,
  linear,
  multiHeadSelfAttention,
  type LayerNormParams,
  type Linear,
  type SelfAttentionParams,
} from '../shared/layers';
import { softmax, topKIndices } from '../shared/math';
import { readAll, runForward } from '../shared/readback';
import type { ModelInfo, NdArray, VitOutput } from '../types';
import { ViTImageProcessor, type RgbaImage } from './image_processing_vit';

export interface VitConfig {
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
  id2label: string[];
}

/** config.image_size: one side of a square, or [height, width]. */
function imageSize(config: Config): [number, number] {
  const value = config.image_size;
  if (!Array.isArray(value)) {
    const side = intField(config, 'image_size', 224);
    return [side, side];
  }
  const [height, width] = value;
  if (value.length !== 2 || ![height, width].every((d) => Number.isSafeInteger(d) && d > 0)) {
    throw new ModelError('malformed', `config.json: "image_size" must be a positive integer or [height, width], got ${JSON.stringify(value)}.`);
  }
  return [height, width];
}

/** Reads the ViTConfig fields we use, with transformers' ViTConfig defaults. */
export function vitConfig(config: Config): VitConfig {
  const raw = config.id2label;
  const labelMap = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : null;
  const numLabels = labelMap ? Object.keys(labelMap).length : intField(config, 'num_labels', 2);
  const cfg: VitConfig = {
    hidden_size: intField(config, 'hidden_size', 768),
    num_hidden_layers: intField(config, 'num_hidden_layers', 12),
    num_attention_heads: intField(config, 'num_attention_heads', 12),
    intermediate_size: intField(config, 'intermediate_size', 3072),
    hidden_act: stringField(config, 'hidden_act', 'gelu'),
    layer_norm_eps: numberField(config, 'layer_norm_eps', 1e-12),
    image_size: imageSize(config),
    patch_size: intField(config, 'patch_size', 16),
    num_channels: intField(config, 'num_channels', 3),
    qkv_bias: boolField(config, 'qkv_bias', true),
    id2label: Array.from({ length: numLabels }, (_, i) => String(labelMap?.[String(i)] ?? `LABEL_${i}`)),
  };
  checkHeadSize(cfg);
  activation(cfg.hidden_act);
  return cfg;
}

/** The patch grid [rows, cols] for an image of height × width pixels (partial patches are dropped, as the conv does). */
function patchGrid(height: number, width: number, patchSize: number): [number, number] {
  return [Math.floor(height / patchSize), Math.floor(width / patchSize)];
}

// PyTorch's bicubic kernel (Keys' cubic convolution with a = -0.75).
const A = -0.75;
const cubicNear = (x: number) => ((A + 2) * x - (A + 3)) * x * x + 1; // |x| <= 1
const cubicFar = (x: number) => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; // 1 < |x| < 2

/** Source taps and weights along one axis, as torch.nn.functional.interpolate(mode='bicubic', align_corners=False). */
function cubicTaps(inSize: number, outSize: number): { index: number[]; weight: number[] }[] {
  const scale = Math.fround(inSize / outSize);
  const clamp = (i: number) => Math.min(Math.max(i, 0), inSize - 1);
  return Array.from({ length: outSize }, (_, o) => {
    // No clamping of the source coordinate for cubic (unlike linear); out-of-range taps repeat the border.
    const real = Math.fround(Math.fround(scale * (o + 0.5)) - 0.5);
    const i0 = Math.floor(real);
    const t = Math.fround(real - i0);
    return {
      index: [clamp(i0 - 1), clamp(i0), clamp(i0 + 1), clamp(i0 + 2)],
      weight: [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)],
    };
  });
}

/**
 * HF's interpolate_pos_encoding: resizes the square grid of patch position embeddings
 * ([1 + n·n, D], row 0 = [CLS], which is kept) to rows × cols with bicubic interpolation.
 */
export function interpolatePosEncoding(pos: NdArray, rows: number, cols: number): NdArray {
  const [positions, dim] = pos.shape;
  const side = Math.round(Math.sqrt(positions - 1));
  if (side * side !== positions - 1) {
    throw new ModelError('unsupported', `Cannot resize position embeddings: ${positions - 1} patches do not form a square grid.`);
  }
  if (rows === side && cols === side) return pos;
  const ys = cubicTaps(side, rows);
  const xs = cubicTaps(side, cols);
  const out = new Float32Array((1 + rows * cols) * dim);
  out.set(pos.data.subarray(0, dim));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const target = (1 + r * cols + c) * dim;
      for (let d = 0; d < dim; d++) {
        let sum = 0;
        for (let i = 0; i < 4; i++) {
          let row = 0;
          for (let j = 0; j < 4; j++) row += xs[c].weight[j] * pos.data[(1 + ys[r].index[i] * side + xs[c].index[j]) * dim + d];
          sum += ys[r].weight[i] * row;
        }
        out[target + d] = sum;
      }
    }
  }
  return { shape: [1 + rows * cols, dim], data: out };
}

interface VitLayerWeights {
  layernormBefore: LayerNormParams;
  attention: SelfAttentionParams;
  attentionOutput: Linear;
  layernormAfter: LayerNormParams;
  intermediate: Linear;
  output: Linear;
}

export interface VitWeights {
  /** Conv kernel as a linear map: [channels·patch·patch, hidden]. */
  patchEmbedding: Linear;
  clsToken: tf.Tensor2D;
  /** [1 + n·n, hidden] at the trained grid. */
  positionEmbeddings: tf.Tensor2D;
  layers: VitLayerWeights[];
  layernorm: LayerNormParams;
  classifier: Linear | null;
}

export function loadVitWeights(sd: StateDict, cfg: VitConfig): VitWeights {
  if (sd.has('embeddings.distillation_token')) {
    throw new ModelError(
      'unsupported',
      'This is a distilled DeiT checkpoint (it has a distillation token); only ViT and non-distilled DeiT are supported.',
    );
  }
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const C: [string, number] = ['num_channels', cfg.num_channels];
  const P: [string, number] = ['patch_size', cfg.patch_size];
  const [rows, cols] = patchGrid(cfg.image_size[0], cfg.image_size[1], cfg.patch_size);
  const positions: [string, number] = [`1 + patches of image_size=${cfg.image_size.join('x')}`, 1 + rows * cols];

  const weights: VitWeights = {
    patchEmbedding: {
      weight: sd.transposed('embeddings.patch_embeddings.projection.weight', [H, C, P, P]),
      bias: sd.tensor('embeddings.patch_embeddings.projection.bias', [H]),
    },
    clsToken: sd.tensor('embeddings.cls_token', [1, 1, H], [1, cfg.hidden_size]),
    positionEmbeddings: sd.tensor('embeddings.position_embeddings', [1, positions, H], [1 + rows * cols, cfg.hidden_size]),
    layers: [],
    layernorm: sd.layerNorm('layernorm', H),
    classifier: null,
  };
  for (let i = 0; i < cfg.num_hidden_layers; i++) {
    const p = `encoder.layer.${i}`;
    weights.layers.push({
      layernormBefore: sd.layerNorm(`${p}.layernorm_before`, H),
      attention: sd.selfAttention(`${p}.attention.attention`, H, cfg.num_attention_heads, cfg.qkv_bias),
      attentionOutput: sd.linear(`${p}.attention.output.dense`, H, H),
      layernormAfter: sd.layerNorm(`${p}.layernorm_after`, H),
      intermediate: sd.linear(`${p}.intermediate.dense`, I, H),
      output: sd.linear(`${p}.output.dense`, H, I),
    });
  }
  if (sd.has('classifier.weight')) {
    weights.classifier = sd.linear('classifier', ['num_labels (size of id2label)', cfg.id2label.length], H);
  } else {
    sd.warnings.push('No classifier head in this checkpoint: class predictions are disabled.');
  }
  return weights;
}

export interface VitForwardTensors {
  hidden_states: tf.Tensor2D[];
  attentions: tf.Tensor3D[];
  last_hidden_state: tf.Tensor2D;
  logits: tf.Tensor1D | null;
}

/** One forward pass of pixel values [C, H, W] with position embeddings for its grid. Call inside tf.tidy. */
export function vitForward(w: VitWeights, cfg: VitConfig, pixels: tf.Tensor3D, positionEmbeddings: tf.Tensor2D): VitForwardTensors {
  const act = activation(cfg.hidden_act);
  const eps = cfg.layer_norm_eps;
  const P = cfg.patch_size;
  const C = cfg.num_channels;
  const [rows, cols] = patchGrid(pixels.shape[1], pixels.shape[2], P);

  // A stride-P, kernel-P convolution is one matrix product per patch: cut the image into
  // [rows·cols, C·P·P] patch vectors (same C, kh, kw order as the PyTorch kernel) and apply it as a linear layer.
  const cropped = tf.slice(pixels, [0, 0, 0], [C, rows * P, cols * P]);
  const patchVectors = tf.reshape(tf.transpose(tf.reshape(cropped, [C, rows, P, cols, P]), [1, 3, 0, 2, 4]), [rows * cols, C * P * P]);
  const patches = linear(patchVectors as tf.Tensor2D, w.patchEmbedding);
  let x = tf.add<tf.Tensor2D>(tf.concat([w.clsToken, patches], 0), positionEmbeddings);

  const hidden_states = [x];
  const attentions: tf.Tensor3D[] = [];
  for (const layer of w.layers) {
    const { context, probs } = multiHeadSelfAttention(layerNorm(x, layer.layernormBefore, eps), layer.attention, cfg.num_attention_heads);
    const h = tf.add<tf.Tensor2D>(linear(context, layer.attentionOutput), x);
    x = tf.add<tf.Tensor2D>(linear(act(linear(layerNorm(h, layer.layernormAfter, eps), layer.intermediate)), layer.output), h);
    attentions.push(probs);
    hidden_states.push(x);
  }
  const last_hidden_state = layerNorm(x, w.layernorm, eps);
  const logits = w.classifier ? tf.reshape<tf.Rank.R1>(linear(tf.slice(last_hidden_state, [0, 0], [1, -1]), w.classifier), [-1]) : null;
  return { hidden_states, attentions, last_hidden_state, logits };
}

// Every layer's attention maps are returned, so memory grows with layers x heads x tokens²; past
// this an oversized image (e.g. with do_resize off) would exhaust the backend instead of failing.
const MAX_ATTENTION_BYTES = 2 ** 30;

export interface VitModel {
  kind: 'vit';
  info: ModelInfo;
  processor: ViTImageProcessor;
  run(image: RgbaImage, opts?: { topK?: number }): Promise<VitOutput>;
  runPixels(pixel_values: NdArray, opts?: { topK?: number; interpolatePosEncoding?: boolean }): Promise<VitOutput>;
  dispose(): void;
}

export async function createVitModel(sd: StateDict, config: Config, preprocessorConfig: Config | null): Promise<VitModel> {
  const cfg = vitConfig(config);
  const processor = ViTImageProcessor.fromConfig(preprocessorConfig, cfg.num_channels);
  const weights = sd.load(() => loadVitWeights(sd, cfg));
  const [positionEmbeddings] = await readAll([weights.positionEmbeddings]);
  const info: ModelInfo = {
    kind: 'vit',
    config,
    num_hidden_layers: cfg.num_hidden_layers,
    num_attention_heads: cfg.num_attention_heads,
    hidden_size: cfg.hidden_size,
    position_embeddings: positionEmbeddings,
    heads: { mlm: false, nsp: false, pooler: false, classifier: weights.classifier !== null },
    warnings: sd.warnings,
    preprocessing: {
      do_rescale: processor.config.do_rescale,
      rescale_factor: processor.config.rescale_factor,
      do_normalize: processor.config.do_normalize,
      image_mean: processor.config.image_mean,
      image_std: processor.config.image_std,
    },
  };
  let disposed = false;

  function validate(pixels: NdArray, interpolate: boolean): [number, number] {
    const bad = (msg: string) => new ModelError('mismatch', msg);
    const [c, height, width] = pixels.shape;
    if (pixels.shape.length !== 3 || pixels.data.length !== c * height * width) {
      throw bad(`pixel_values must be [channels, height, width] with matching data, got shape [${pixels.shape.join(',')}].`);
    }
    if (c !== cfg.num_channels) throw bad(`The image has ${c} channel(s) but the model expects num_channels=${cfg.num_channels}.`);
    if (height < cfg.patch_size || width < cfg.patch_size) {
      throw bad(`The image (${height}x${width}) is smaller than one patch (patch_size=${cfg.patch_size}).`);
    }
    const [h0, w0] = cfg.image_size;
    if (!interpolate && (height !== h0 || width !== w0)) {
      throw bad(`Input image size (${height}x${width}) doesn't match the model (${h0}x${w0}); enable position-encoding interpolation.`);
    }
    const grid = patchGrid(height, width, cfg.patch_size);
    const tokens = 1 + grid[0] * grid[1];
    const attentionBytes = 4 * cfg.num_hidden_layers * cfg.num_attention_heads * tokens * tokens;
    if (attentionBytes > MAX_ATTENTION_BYTES) {
      throw new ModelError(
        'unsupported',
        `The image (${height}x${width}) makes ${tokens - 1} patches; their attention maps would take ` +
          `${(attentionBytes / 2 ** 30).toFixed(1)} GiB (limit ${MAX_ATTENTION_BYTES / 2 ** 30} GiB). Use a smaller image.`,
      );
    }
    return grid;
  }

  async function runPixels(
    pixel_values: NdArray,
    opts: { topK?: number; interpolatePosEncoding?: boolean } = {},
    preprocess_ms = 0,
  ): Promise<VitOutput> {
    if (disposed) throw new ModelError('unsupported', 'This model was unloaded; load it again.');
    const grid = validate(pixel_values, opts.interpolatePosEncoding ?? false);
    const positions = interpolatePosEncoding(positionEmbeddings, grid[0], grid[1]);

    const { arrays, forward_ms, readback_ms } = await runForward(() => {
      const pixels = tf.tensor3d(pixel_values.data, pixel_values.shape as [number, number, number]);
      const pos = positions === positionEmbeddings ? weights.positionEmbeddings : tf.tensor2d(positions.data, positions.shape as [number, number]);
      const r = vitForward(weights, cfg, pixels, pos);
      return [...r.hidden_states, ...r.attentions, r.last_hidden_state, ...(r.logits ? [r.logits] : [])];
    });

    const L = cfg.num_hidden_layers;
    const hidden_states = arrays.slice(0, L + 1);
    const attentions = arrays.slice(L + 1, 2 * L + 1);
    const last_hidden_state = arrays[2 * L + 1];
    const logits = weights.classifier ? arrays[2 * L + 2] : null;
    let top: VitOutput['top'] = null;
    if (logits) {
      const probs = softmax(logits.data);
      top = topKIndices(probs, opts.topK ?? 5).map((id) => ({ id, label: cfg.id2label[id], prob: probs[id] }));
    }
    return {
      model: 'vit',
      pixel_values,
      grid,
      hidden_states,
      attentions,
      last_hidden_state,
      cls: { shape: [cfg.hidden_size], data: last_hidden_state.data.slice(0, cfg.hidden_size) },
      logits,
      top,
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  return {
    kind: 'vit',
    info,
    processor,
    async run(image, opts = {}) {
      const start = performance.now();
      const pixels = processor.preprocess(image);
      // The processor normally resizes to image_size; if it is configured otherwise, adapt the positions.
      return runPixels(pixels, { topK: opts.topK, interpolatePosEncoding: true }, performance.now() - start);
    },
    runPixels: (pixel_values, opts) => runPixels(pixel_values, opts),
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
