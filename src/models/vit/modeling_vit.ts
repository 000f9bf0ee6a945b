// Vision Transformer (Dosovitskiy et al., 2020) as Hugging Face's ViTForImageClassification:
//   patches = Conv2d(kernel = stride = patch_size)(pixels), flattened row by row
//   x = [CLS; patches] + position embeddings (bicubically resized for other image sizes)
//   each layer (pre-LN): x = x + Attention(LN(x))Wo;  x = x + act(LN(x) W1) W2
//   logits = LN(x)[CLS] Wclassifier
// DeiT checkpoints without a distillation token are the same network under a "deit." prefix. A
// distilled DeiT (Touvron et al., 2021; HF's DeiTForImageClassificationWithTeacher) adds a second
// learned token after [CLS], the distillation token, trained to reproduce a teacher's predictions:
//   x = [CLS; DIST; patches] + position embeddings (two rows before the grid)
//   cls_logits = LN(x)[CLS] Wcls;  distillation_logits = LN(x)[DIST] Wdist;  logits = their mean.

import * as tf from '@tensorflow/tfjs-core';
import type { StateDict } from '../checkpoint/weights';
import { ModelError } from '../errors';
import {
  activation,
  layerNorm,
  linear,
  multiHeadSelfAttention,
  queriesAndKeys,
  tidyLayer,
  type LayerNormParams,
  type Linear,
  type SelfAttentionParams,
} from '../shared/layers';
import { softmax, topKIndices } from '../shared/math';
import { readAll, runForward } from '../shared/readback';
import { DEFAULT_OUTPUTS, full, type FullVitOutput, type NdArray, type OutputRequest, type VitModelInfo, type VitOutput } from '../types';
import { patchGrid, type VitConfig } from './configuration_vit';
import type { Pixels, RgbaImage, ViTImageProcessor } from './image_processing_vit';

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
 * ([P + n·n, D]; the first P = `prefix` rows, [CLS] and a DeiT's distillation token, are kept) to
 * rows × cols with bicubic interpolation.
 */
export function interpolatePosEncoding(pos: NdArray, rows: number, cols: number, prefix = 1): NdArray {
  const [positions, dim] = pos.shape;
  const side = Math.round(Math.sqrt(positions - prefix));
  if (side * side !== positions - prefix) {
    throw new ModelError('unsupported', `Cannot resize position embeddings: ${positions - prefix} patches do not form a square grid.`);
  }
  if (rows === side && cols === side) return pos;
  const ys = cubicTaps(side, rows);
  const xs = cubicTaps(side, cols);
  const out = new Float32Array((prefix + rows * cols) * dim);
  out.set(pos.data.subarray(0, prefix * dim));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const target = (prefix + r * cols + c) * dim;
      for (let d = 0; d < dim; d++) {
        let sum = 0;
        for (let i = 0; i < 4; i++) {
          let row = 0;
          for (let j = 0; j < 4; j++) row += xs[c].weight[j] * pos.data[(prefix + ys[r].index[i] * side + xs[c].index[j]) * dim + d];
          sum += ys[r].weight[i] * row;
        }
        out[target + d] = sum;
      }
    }
  }
  return { shape: [prefix + rows * cols, dim], data: out };
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
  /** A distilled DeiT's second token [1, hidden]; null for ViT. */
  distillationToken: tf.Tensor2D | null;
  /** [P + n·n, hidden] at the trained grid (P = 1, or 2 with a distillation token). */
  positionEmbeddings: tf.Tensor2D;
  layers: VitLayerWeights[];
  layernorm: LayerNormParams;
  classifier: Linear | null;
  /** A distilled DeiT's two heads, read from the [CLS] and the distillation token. */
  distillation: { cls: Linear; distillation: Linear } | null;
}

export function loadVitWeights(sd: StateDict, cfg: VitConfig): VitWeights {
  const distilled = sd.has('embeddings.distillation_token');
  const prefix = distilled ? 2 : 1;
  const H: [string, number] = ['hidden_size', cfg.hidden_size];
  const I: [string, number] = ['intermediate_size', cfg.intermediate_size];
  const C: [string, number] = ['num_channels', cfg.num_channels];
  const P: [string, number] = ['patch_size', cfg.patch_size];
  const [rows, cols] = patchGrid(cfg.image_size[0], cfg.image_size[1], cfg.patch_size);
  const positions: [string, number] = [`${prefix} + patches of image_size=${cfg.image_size.join('x')}`, prefix + rows * cols];

  const weights: VitWeights = {
    patchEmbedding: {
      weight: sd.transposed('embeddings.patch_embeddings.projection.weight', [H, C, P, P]),
      bias: sd.tensor('embeddings.patch_embeddings.projection.bias', [H]),
    },
    clsToken: sd.tensor('embeddings.cls_token', [1, 1, H], [1, cfg.hidden_size]),
    distillationToken: distilled ? sd.tensor('embeddings.distillation_token', [1, 1, H], [1, cfg.hidden_size]) : null,
    positionEmbeddings: sd.tensor('embeddings.position_embeddings', [1, positions, H], [prefix + rows * cols, cfg.hidden_size]),
    layers: [],
    layernorm: sd.layerNorm('layernorm', H),
    classifier: null,
    distillation: null,
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
  const labels: [string, number] = ['num_labels (size of id2label)', cfg.id2label.length];
  if (sd.has('classifier.weight')) {
    weights.classifier = sd.linear('classifier', labels, H);
  } else if (sd.has('cls_classifier.weight')) {
    weights.distillation = { cls: sd.linear('cls_classifier', labels, H), distillation: sd.linear('distillation_classifier', labels, H) };
  } else {
    sd.warnings.push('No classifier head in this checkpoint: class predictions are disabled.');
  }
  if (distilled && !weights.distillation && weights.classifier) {
    sd.warnings.push('This DeiT has a distillation token but only one classifier (on [CLS]); the distillation head is missing.');
  }
  return weights;
}

export interface VitForwardTensors {
  hidden_states: tf.Tensor2D[];
  attentions: tf.Tensor3D[];
  /** Only when asked for: the neuron view's per-head queries and keys. */
  queries_keys: { queries: tf.Tensor3D[]; keys: tf.Tensor3D[] } | null;
  last_hidden_state: tf.Tensor2D;
  logits: tf.Tensor1D | null;
  cls_logits: tf.Tensor1D | null;
  distillation_logits: tf.Tensor1D | null;
}

/** One forward pass of pixel values [C, H, W] with position embeddings for its grid. Call inside tf.tidy. */
export function vitForward(
  w: VitWeights,
  cfg: VitConfig,
  pixels: tf.Tensor3D,
  positionEmbeddings: tf.Tensor2D,
  outputQueriesKeys = false,
): VitForwardTensors {
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
  const prefixTokens = w.distillationToken ? [w.clsToken, w.distillationToken] : [w.clsToken];
  let x = tf.add<tf.Tensor2D>(tf.concat([...prefixTokens, patches], 0), positionEmbeddings);

  const hidden_states = [x];
  const selfAttentions = [];
  for (const layer of w.layers) {
    const input = x;
    const result = tidyLayer(() => {
      const attention = multiHeadSelfAttention(layerNorm(input, layer.layernormBefore, eps), layer.attention, cfg.num_attention_heads);
      const h = tf.add<tf.Tensor2D>(linear(attention.context, layer.attentionOutput), input);
      const hidden = tf.add<tf.Tensor2D>(linear(act(linear(layerNorm(h, layer.layernormAfter, eps), layer.intermediate)), layer.output), h);
      return { hidden, attention };
    });
    x = result.hidden;
    selfAttentions.push(result.attention);
    hidden_states.push(x);
  }
  const attentions = selfAttentions.map((l) => l.probs);
  const queries_keys = outputQueriesKeys ? queriesAndKeys(selfAttentions) : null;
  const last_hidden_state = layerNorm(x, w.layernorm, eps);
  const head = (token: number, p: Linear) => tf.reshape<tf.Rank.R1>(linear(tf.slice(last_hidden_state, [token, 0], [1, -1]), p), [-1]);
  if (w.distillation) {
    const cls_logits = head(0, w.distillation.cls);
    const distillation_logits = head(1, w.distillation.distillation);
    const logits = tf.div<tf.Tensor1D>(tf.add(cls_logits, distillation_logits), 2);
    return { hidden_states, attentions, queries_keys, last_hidden_state, logits, cls_logits, distillation_logits };
  }
  const logits = w.classifier ? head(0, w.classifier) : null;
  return { hidden_states, attentions, queries_keys, last_hidden_state, logits, cls_logits: null, distillation_logits: null };
}

// Every layer's attention maps are returned, so memory grows with layers x heads x tokens²; past
// this an oversized image (e.g. with do_resize off) would exhaust the backend instead of failing.
const MAX_ATTENTION_BYTES = 2 ** 30;

/**
 * The patch grid of a height x width image, after checking that the model can take it: at least
 * one patch, and attention maps within MAX_ATTENTION_BYTES. `what` starts the messages.
 */
function checkedPatchGrid(cfg: VitConfig, height: number, width: number, what: string, advice: string, prefix = 1): [number, number] {
  if (height < cfg.patch_size || width < cfg.patch_size) {
    throw new ModelError('mismatch', `${what} (${height}x${width}) is smaller than one patch (patch_size=${cfg.patch_size}).`);
  }
  const grid = patchGrid(height, width, cfg.patch_size);
  const tokens = prefix + grid[0] * grid[1];
  const attentionBytes = 4 * cfg.num_hidden_layers * cfg.num_attention_heads * tokens * tokens;
  if (attentionBytes > MAX_ATTENTION_BYTES) {
    throw new ModelError(
      'unsupported',
      `${what} (${height}x${width}) makes ${grid[0] * grid[1]} patches; their attention maps would take ` +
        `${(attentionBytes / 2 ** 30).toFixed(1)} GiB (limit ${MAX_ATTENTION_BYTES / 2 ** 30} GiB). ${advice}`,
    );
  }
  return grid;
}

export interface RunOptions {
  topK?: number;
  /** Which optional outputs to read back (default DEFAULT_OUTPUTS). */
  outputs?: OutputRequest;
}

export interface PixelRunOptions extends RunOptions {
  /** Resize the position embeddings to the input's patch grid (HF's interpolate_pos_encoding). */
  interpolatePosEncoding?: boolean;
  /**
   * Run with every position embedding (the [CLS] row included) set to zero: what is left cannot
   * tell where a patch was, a "bag of patches" (the inductive-bias lab's ablation).
   */
  zeroPositionEmbeddings?: boolean;
}

export interface VitModel {
  kind: 'vit';
  info: VitModelInfo;
  processor: ViTImageProcessor;
  /**
   * Throws unless an image of width x height can run: its resize within the processor's limits and
   * its patch sequence within the attention limit. Callers check the header's size with it before
   * decoding; `run` checks again.
   */
  checkImageSize: (width: number, height: number, fileName?: string) => void;
  /** With the default outputs, everything the workspace shows comes back. */
  run(image: RgbaImage, opts?: { topK?: number }): Promise<FullVitOutput>;
  run(image: RgbaImage, opts: RunOptions): Promise<VitOutput>;
  runPixels(pixel_values: NdArray, opts?: { topK?: number; interpolatePosEncoding?: boolean; zeroPositionEmbeddings?: boolean }): Promise<FullVitOutput>;
  runPixels(pixel_values: NdArray, opts: PixelRunOptions): Promise<VitOutput>;
  /**
   * A throwaway forward on an eight-patch image that touches every weight, so the backend's one-time
   * work (on WASM, packing the weight matrices and compiling the GEMM) happens now rather than in the first real run.
   */
  warmUp(): Promise<void>;
  dispose(): void;
}

export async function createVitModel(sd: StateDict, cfg: VitConfig, processor: ViTImageProcessor): Promise<VitModel> {
  const prefix = sd.has('embeddings.distillation_token') ? 2 : 1;
  if (processor.config.do_resize || processor.config.do_center_crop) {
    // The processor's output size is fixed: check its sequence length now, before any weight is uploaded.
    const { height, width } = processor.size;
    checkedPatchGrid(cfg, height, width, 'preprocessor_config.json: the processed image', 'Lower "size" or "crop_size".', prefix);
  }
  const weights = await sd.load(() => loadVitWeights(sd, cfg));
  const [positionEmbeddings] = await readAll([weights.positionEmbeddings]);
  const info: VitModelInfo = {
    kind: 'vit',
    weights_file: sd.fileName,
    config: cfg,
    position_embeddings: positionEmbeddings,
    heads: { classifier: weights.classifier !== null || weights.distillation !== null, distillation: weights.distillation !== null },
    prefix_tokens: prefix,
    trained_grid: patchGrid(cfg.image_size[0], cfg.image_size[1], cfg.patch_size),
    warnings: sd.warnings,
    preprocessing: processor.preprocessing,
  };
  let disposed = false;

  function validate(pixels: NdArray, interpolate: boolean): [number, number] {
    const bad = (msg: string) => new ModelError('mismatch', msg);
    const [c, height, width] = pixels.shape;
    if (pixels.shape.length !== 3 || pixels.data.length !== c * height * width) {
      throw bad(`pixel_values must be [channels, height, width] with matching data, got shape [${pixels.shape.join(',')}].`);
    }
    if (c !== cfg.num_channels) throw bad(`The image has ${c} channel(s) but the model expects num_channels=${cfg.num_channels}.`);
    const grid = checkedPatchGrid(cfg, height, width, 'The image', 'Use a smaller image.', prefix);
    const [h0, w0] = cfg.image_size;
    if (!interpolate && (height !== h0 || width !== w0)) {
      throw bad(`Input image size (${height}x${width}) doesn't match the model (${h0}x${w0}); enable position-encoding interpolation.`);
    }
    return grid;
  }

  function checkImageSize(width: number, height: number, fileName?: string): void {
    processor.checkImageSize(width, height, fileName);
    const out = processor.outputSize(width, height);
    checkedPatchGrid(cfg, out.height, out.width, `${fileName ? `${fileName}: t` : 'T'}he processed image`, 'Use a smaller image.', prefix);
  }

  async function execute(pixel_values: NdArray, image: Pixels | null, opts: PixelRunOptions, preprocess_ms: number): Promise<VitOutput> {
    if (disposed) throw new ModelError('unsupported', 'This model was unloaded; load it again.');
    const request = { ...DEFAULT_OUTPUTS, ...opts.outputs };
    const grid = validate(pixel_values, opts.interpolatePosEncoding ?? false);
    const positions = interpolatePosEncoding(positionEmbeddings, grid[0], grid[1], prefix);

    const { arrays: r, forward_ms, readback_ms } = await runForward(() => {
      const pixels = tf.tensor3d(pixel_values.data, pixel_values.shape as [number, number, number]);
      const pos = opts.zeroPositionEmbeddings
        ? tf.zeros<tf.Rank.R2>(positions.shape as [number, number])
        : positions === positionEmbeddings
          ? weights.positionEmbeddings
          : tf.tensor2d(positions.data, positions.shape as [number, number]);
      const t = vitForward(weights, cfg, pixels, pos, request.queries_keys);
      return {
        hidden_states: request.hidden_states ? t.hidden_states : null,
        attentions: request.attentions ? t.attentions : null,
        queries_keys: t.queries_keys,
        last_hidden_state: t.last_hidden_state,
        logits: t.logits,
        cls_logits: t.cls_logits,
        distillation_logits: t.distillation_logits,
      };
    });

    const topOf = (logits: NdArray) => {
      const probs = softmax(logits.data);
      return topKIndices(probs, opts.topK ?? 5).map((id) => ({ id, label: cfg.id2label[id], prob: probs[id] }));
    };
    const distillation =
      r.cls_logits && r.distillation_logits
        ? { cls_logits: r.cls_logits, distillation_logits: r.distillation_logits, cls_top: topOf(r.cls_logits), distillation_top: topOf(r.distillation_logits) }
        : null;
    return {
      model: 'vit',
      prefix_tokens: prefix,
      image,
      pixel_values,
      grid,
      hidden_states: r.hidden_states,
      attentions: r.attentions,
      queries_keys: r.queries_keys,
      last_hidden_state: r.last_hidden_state,
      cls: { shape: [cfg.hidden_size], data: r.last_hidden_state.data.subarray(0, cfg.hidden_size) },
      logits: r.logits,
      top: r.logits ? topOf(r.logits) : null,
      distillation,
      timings: { preprocess_ms, forward_ms, readback_ms },
    };
  }

  async function run(rgba: RgbaImage, opts: RunOptions = {}) {
    checkImageSize(rgba.width, rgba.height);
    const start = performance.now();
    const image = processor.prepare(rgba);
    const pixels = processor.toPixelValues(image);
    // The processor normally resizes to image_size; if it is configured otherwise, adapt the positions.
    const output = await execute(pixels, image, { ...opts, interpolatePosEncoding: true }, performance.now() - start);
    return opts.outputs ? output : full(output);
  }

  async function runPixels(pixel_values: NdArray, opts: PixelRunOptions = {}) {
    const output = await execute(pixel_values, null, opts, 0);
    return opts.outputs ? output : full(output);
  }

  return {
    kind: 'vit',
    info,
    processor,
    checkImageSize,
    run: run as VitModel['run'],
    runPixels: runPixels as VitModel['runPixels'],
    async warmUp() {
      // A 2×4-patch image: nine rows with [CLS], so the WASM GEMM's 4-row kernel runs (and is compiled) too.
      const [h, w] = [2 * cfg.patch_size, 4 * cfg.patch_size];
      const pixels = { shape: [cfg.num_channels, h, w], data: new Float32Array(cfg.num_channels * h * w) };
      await runPixels(pixels, { interpolatePosEncoding: true, outputs: { attentions: false, hidden_states: false } });
    },
    dispose() {
      disposed = true;
      sd.dispose();
    },
  };
}
