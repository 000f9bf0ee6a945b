// From a weights file (model.safetensors or pytorch_model.bin) to named, shape-checked tfjs tensors.
//
// Checkpoints name the same weight in several ways; we look everything up by one canonical name:
//   - the backbone prefix is dropped: "bert.encoder…" / "roberta.encoder…" / "vit.encoder…" / … → "encoder…"
//     (a bare BertModel/ViTModel checkpoint has no prefix at all);
//   - TF-era LayerNorm names "gamma"/"beta" become "weight"/"bias";
//   - task heads ("cls.…", "lm_head.…", "classifier.…", …) keep their names.
//
// Memory: a model's loader runs twice. The first pass only reads the header: it checks every
// shape against the config and notes how each tensor is uploaded (as is, transposed, or cut into
// attention heads). Then the data is read once, each tensor's bytes going straight into a float32
// array that is uploaded and dropped; tensors nobody asked for are skipped unread. The second pass
// hands out the uploaded tensors. So a load holds the weights on the backend plus one tensor in
// flight, never the file.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors';
import { lookup, type JsonFields } from './json';
import type { AttentionHead, LayerNormParams, Linear, SelfAttentionParams } from '../shared/layers';
import { Float32Writer, isFloatDtype, type CheckpointWeights, type TensorInfo, type TensorSink } from './safetensors';
import type { WeightsFile } from '../types';

/** The architectures this playground runs, by config.json `model_type`. */
export type ModelArchitecture = 'bert' | 'distilbert' | 'roberta' | 'albert' | 'electra' | 'vit' | 'deit' | 'mini_cnn';

const ARCHITECTURES: Readonly<Record<ModelArchitecture, { backbone: string[]; heads: string[]; classPrefix: string }>> = {
  bert: { backbone: ['bert.'], heads: ['cls.'], classPrefix: 'Bert' },
  distilbert: { backbone: ['distilbert.'], heads: ['vocab_transform.', 'vocab_layer_norm.', 'vocab_projector.'], classPrefix: 'DistilBert' },
  roberta: { backbone: ['roberta.'], heads: ['lm_head.'], classPrefix: 'Roberta' },
  albert: { backbone: ['albert.'], heads: ['predictions.', 'sop_classifier.'], classPrefix: 'Albert' },
  electra: {
    backbone: ['electra.'],
    heads: ['discriminator_predictions.', 'generator_predictions.', 'generator_lm_head.'],
    classPrefix: 'Electra',
  },
  vit: { backbone: ['vit.', 'deit.'], heads: ['classifier.'], classPrefix: 'ViT' },
  deit: { backbone: ['deit.', 'vit.'], heads: ['classifier.', 'cls_classifier.', 'distillation_classifier.'], classPrefix: 'DeiT' },
  // The playground's own convolutional baseline (scripts/train/cnn), not a transformers class.
  mini_cnn: { backbone: ['cnn.'], heads: ['classifier.'], classPrefix: 'CnnFor' },
};

/** The architectures that take images (the rest take text). */
export const isImageArchitecture = (a: ModelArchitecture): a is 'vit' | 'deit' | 'mini_cnn' => a === 'vit' || a === 'deit' || a === 'mini_cnn';

const SUPPORTED = Object.keys(ARCHITECTURES).map((a) => `"${a}"`).join(', ');

/** Decides the architecture from config.model_type, else `architectures`, else the tensor names. */
export function detectModelKind(config: JsonFields, names: Iterable<string>): ModelArchitecture {
  const modelType = config.get('model_type');
  if (typeof modelType === 'string') {
    if (lookup(ARCHITECTURES, modelType)) return modelType as ModelArchitecture;
    throw new ModelError('unsupported', `config.json says model_type "${modelType}"; this playground runs ${SUPPORTED}.`);
  }
  const declared = config.get('architectures');
  const classes = Array.isArray(declared) ? declared.map(String) : [];
  // Longest class prefix first: "DistilBertForMaskedLM" is not a "Bert…" class.
  const byPrefix = (Object.keys(ARCHITECTURES) as ModelArchitecture[]).sort((a, b) => ARCHITECTURES[b].classPrefix.length - ARCHITECTURES[a].classPrefix.length);
  const fromClass = byPrefix.find((a) => classes.some((c) => c.startsWith(ARCHITECTURES[a].classPrefix)));
  if (fromClass) return fromClass;
  const all = [...names];
  const fromPrefix = byPrefix.find((a) => a !== 'vit' && all.some((n) => n.startsWith(ARCHITECTURES[a].backbone[0])));
  if (fromPrefix) return fromPrefix;
  if (all.some((n) => n.endsWith('embeddings.word_embeddings.weight'))) return 'bert';
  if (all.some((n) => n.endsWith('embeddings.patch_embeddings.projection.weight'))) return 'vit';
  throw new ModelError(
    'unsupported',
    `Cannot tell which model this is: config.json has no model_type and the weights look like none of ${SUPPORTED}.`,
  );
}

/** A dimension of an expected shape, with the config key it comes from (for the error message). */
export type Dim = number | [configKey: string, value: number];

// Buffers, not weights: some exports include them; they are recomputed, so never "unused".
const IGNORED = /(^|\.)position_ids$/;

/**
 * How a tensor goes to the backend: the row count when it is transposed on the way, and what is
 * made of its float32 values (one tensor, or one per attention head).
 */
interface Upload {
  transposeRows: number | null;
  build: (values: Float32Array) => unknown;
}

/** What the loader's first pass gets in place of a tensor: it only passes them around. */
const PLANNED = null;

const dimsOf = (shape: Dim[]) => shape.map((d) => (typeof d === 'number' ? d : d[1]));

export class StateDict {
  readonly fileName: WeightsFile;
  /** Tensors created so far; the model disposes exactly these. */
  readonly created: tf.Tensor[] = [];
  readonly warnings: string[] = [];
  private readonly entries = new Map<string, TensorInfo>();
  /** Canonical name of each tensor as the file names it. */
  private readonly canonical = new Map<string, string>();
  /** What the loader asked for in its first pass, by canonical name. */
  private readonly uploads = new Map<string, Upload>();
  /** What each upload's `build` made of the tensor's values. */
  private readonly uploaded = new Map<string, unknown>();
  /** Tensors deliberately not read (see skip). */
  private readonly skipped = new Set<string>();
  private readonly prefix: string;
  /** Name prefixes of task heads, which keep their names (no backbone prefix). */
  private readonly heads: string[];
  private planning = false;

  constructor(
    private readonly file: CheckpointWeights,
    architecture: ModelArchitecture,
  ) {
    this.fileName = file.fileName as WeightsFile;
    const names = [...file.tensors.keys()];
    this.prefix = ARCHITECTURES[architecture].backbone.find((p) => names.some((n) => n.startsWith(p))) ?? '';
    this.heads = ARCHITECTURES[architecture].heads;
    let renamedLegacy = false;
    for (const [name, entry] of file.tensors) {
      let canonical = this.prefix && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
      const legacy = canonical.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
      renamedLegacy ||= legacy !== canonical;
      canonical = legacy;
      if (this.entries.has(canonical)) {
        throw new ModelError('malformed', `${this.fileName} holds two tensors for "${canonical}" (one is "${name}").`);
      }
      this.entries.set(canonical, entry);
      this.canonical.set(name, canonical);
    }
    if (renamedLegacy) this.warnings.push('Legacy LayerNorm names (gamma/beta) were read as weight/bias.');
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The name as the file spells it would be, for messages. */
  private fileNameOf(name: string): string {
    return this.entries.get(name)?.name ?? (this.isBackbone(name) ? this.prefix + name : name);
  }

  private isBackbone(name: string): boolean {
    return !this.heads.some((h) => name.startsWith(h));
  }

  /**
   * What `build` makes of a required tensor's float32 values, after checking its shape and dtype:
   * planned in the first pass (PLANNED), the uploaded result in the second.
   */
  private take<T>(name: string, shape: Dim[], transposeRows: number | null, build: (values: Float32Array) => T): T {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new ModelError(
        'mismatch',
        `${this.fileName} has no tensor "${this.fileNameOf(name)}", which config.json requires. Is this the right config.json for these weights?`,
      );
    }
    const expected = dimsOf(shape);
    if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
      const sources = [...new Set(shape.filter((d): d is [string, number] => typeof d !== 'number').map(([k, v]) => `${k}=${v}`))];
      throw new ModelError(
        'mismatch',
        `${entry.name} has shape [${entry.shape.join(',')}], expected [${expected.join(',')}]` +
          (sources.length ? ` from config ${sources.join(', ')}` : '') +
          '. The weights do not match config.json.',
      );
    }
    if (!isFloatDtype(entry.dtype)) {
      throw new ModelError(
        'unsupported',
        `${entry.name} in ${this.fileName} is ${entry.dtype}; weights must be F32, F16, BF16 or F64 (integer tensors are only read as buffers such as position_ids).`,
      );
    }
    if (this.planning) {
      this.uploads.set(name, { transposeRows, build });
      return PLANNED as T;
    }
    return this.uploaded.get(name) as T;
  }

  private keep<T extends tf.Tensor>(t: T): T {
    this.created.push(t);
    return t;
  }

  /** A required tensor, uploaded to the current backend (optionally viewed as another shape of the same size). */
  tensor<R extends tf.Rank>(name: string, shape: Dim[], uploadShape?: number[]): tf.Tensor<R> {
    const dims = uploadShape ?? dimsOf(shape);
    return this.take(name, shape, null, (values) => this.keep(tf.tensor<R>(values, dims as tf.ShapeMap[R])));
  }

  /** A PyTorch Conv2d weight [out, in, kh, kw], uploaded in tfjs's filter layout [kh, kw, in, out]. */
  conv2dFilter(name: string, shape: Dim[]): tf.Tensor4D {
    const [out, inp, kh, kw] = dimsOf(shape);
    return this.take(name, shape, null, (values) => {
      const kernel = tf.tensor4d(values, [out, inp, kh, kw]);
      const filter = tf.transpose(kernel, [2, 3, 1, 0]);
      kernel.dispose();
      return this.keep(filter);
    });
  }

  /**
   * A PyTorch weight [out, ...in] uploaded as the matrix [prod(in), out], i.e. transposed on the host
   * as it is read, so the forward pass multiplies without a transpose flag (tfjs-wasm runs transposed
   * matmuls several times slower).
   */
  transposed(name: string, shape: Dim[]): tf.Tensor2D {
    const [out, ...inner] = dimsOf(shape);
    const rows = inner.reduce((a, b) => a * b, 1);
    return this.take(name, shape, out, (values) => this.keep(tf.tensor2d(values, [rows, out])));
  }

  /** nn.Linear(in, out) stored as "<prefix>.weight" [out, in] and "<prefix>.bias" [out]. */
  linear(prefix: string, out: Dim, inp: Dim, bias = true): Linear {
    return {
      weight: this.transposed(`${prefix}.weight`, [out, inp]),
      bias: bias ? this.tensor<tf.Rank.R1>(`${prefix}.bias`, [out]) : null,
    };
  }

  /** A tensor that is deliberately not read, e.g. a stored copy of a weight HF ties to another. */
  skip(name: string): void {
    if (this.entries.has(name)) this.skipped.add(name);
  }

  /**
   * The query, key and value nn.Linear(hidden, hidden) under "<prefix>.{query,key,value}" (or the
   * three `names` an architecture gives them, e.g. DistilBERT's q_lin, k_lin, v_lin), cut into
   * `numHeads` per-head projections on the host, once (see multiHeadSelfAttention for why).
   */
  selfAttention(prefix: string, hidden: Dim, numHeads: number, bias = true, names: readonly [string, string, string] = ['query', 'key', 'value']): SelfAttentionParams {
    const size = typeof hidden === 'number' ? hidden : hidden[1];
    const d = size / numHeads;
    const perHead = <T>(make: (h: number) => T) => Array.from({ length: numHeads }, (_, h) => make(h));
    // Rows h·d … (h+1)·d of a PyTorch weight [out, in] are head h's outputs; transposed to [in, d].
    const columns = (w: Float32Array) =>
      perHead((h) => {
        const t = new Float32Array(size * d);
        for (let j = 0; j < d; j++) for (let i = 0; i < size; i++) t[i * d + j] = w[(h * d + j) * size + i];
        return this.keep(tf.tensor2d(t, [size, d]));
      });
    const parts = (b: Float32Array) => perHead((h) => this.keep(tf.tensor1d(b.slice(h * d, (h + 1) * d))));
    const read = (name: string) => ({
      w: this.take(`${prefix}.${name}.weight`, [hidden, hidden], null, columns),
      b: bias ? this.take(`${prefix}.${name}.bias`, [hidden], null, parts) : null,
    });
    const [query, key, value] = names.map(read);
    if (this.planning) return { heads: [] };
    const heads: AttentionHead[] = perHead((h) => ({
      query: { weight: query.w[h], bias: query.b?.[h] ?? null },
      key: { weight: key.w[h], bias: key.b?.[h] ?? null },
      value: { weight: value.w[h], bias: value.b?.[h] ?? null },
    }));
    return { heads };
  }

  layerNorm(prefix: string, size: Dim): LayerNormParams {
    return {
      weight: this.tensor<tf.Rank.R1>(`${prefix}.weight`, [size]),
      bias: this.tensor<tf.Rank.R1>(`${prefix}.bias`, [size]),
    };
  }

  /** Where the data of the file's tensor `fileName` goes: into its float32 array, then to the backend. */
  private sinkFor(fileName: string): TensorSink | null {
    const name = this.canonical.get(fileName);
    const upload = name === undefined ? undefined : this.uploads.get(name);
    if (name === undefined || !upload) return null;
    const entry = this.entries.get(name)!;
    const writer = new Float32Writer(entry.dtype, entry.shape.reduce((a, b) => a * b, 1), upload.transposeRows);
    return {
      write: (bytes) => writer.write(bytes),
      end: () => {
        writer.end();
        this.uploaded.set(name, upload.build(writer.values));
      },
    };
  }

  /**
   * Runs a model's weight loader (see the top of this file): shapes checked, data read and
   * uploaded, weights checked for NaN and infinities on the backend. If anything fails, the
   * tensors already uploaded are freed before the error propagates; the tensors the loader never
   * asked for (e.g. a pooler that ViTForImageClassification ignores) become a warning.
   */
  async load<W>(loader: () => W): Promise<W> {
    try {
      const warned = this.warnings.length;
      this.planning = true;
      try {
        loader();
      } finally {
        this.planning = false;
        this.warnings.length = warned;
      }
      await this.file.read((name) => this.sinkFor(name));
      const weights = loader();
      this.warnUnused();
      await this.checkFinite();
      return weights;
    } catch (e) {
      this.file.close();
      this.dispose();
      throw e;
    }
  }

  /** One flag per uploaded tensor, computed on the backend and read back at once; NaN or ±Inf refuses the checkpoint. */
  private async checkFinite(): Promise<void> {
    const names = [...this.uploaded.keys()];
    if (names.length === 0) return;
    // A build makes one tensor, or one per attention head.
    const tensorsOf = (name: string) => [this.uploaded.get(name)].flat() as tf.Tensor[];
    // Tensor by tensor, so that no more than one tensor's worth of flags exists at a time.
    const flags = names.map((name) => tf.tidy(() => tensorsOf(name).map((t) => tf.all(tf.isFinite(t))).reduce((x, y) => tf.logicalAnd(x, y))));
    const stacked = tf.stack(flags);
    let finite;
    try {
      finite = await stacked.data();
    } finally {
      tf.dispose([...flags, stacked]);
    }
    const bad = names.filter((_, i) => !finite[i]).map((n) => this.fileNameOf(n));
    if (bad.length === 0) return;
    throw new ModelError(
      'malformed',
      `${this.fileName}: ${bad.length === 1 ? 'tensor' : `${bad.length} tensors, e.g.`} "${bad.slice(0, 3).join('", "')}" ` +
        `hold${bad.length === 1 ? 's' : ''} NaN or infinite values, so every output would be NaN. Re-export the checkpoint.`,
    );
  }

  private warnUnused(): void {
    const unused = [...this.entries.keys()].filter((n) => !this.uploads.has(n) && !this.skipped.has(n) && !IGNORED.test(n)).map((n) => this.fileNameOf(n));
    if (unused.length === 0) return;
    const shown = unused.slice(0, 5).join(', ');
    this.warnings.push(`${unused.length} tensor(s) in ${this.fileName} are not used: ${shown}${unused.length > 5 ? ', …' : ''}.`);
  }

  dispose(): void {
    for (const t of this.created) t.dispose();
    this.created.length = 0;
    this.uploaded.clear();
  }
}
