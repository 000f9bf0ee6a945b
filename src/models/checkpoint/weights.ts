// From a weights file (model.safetensors or pytorch_model.bin) to named, shape-checked tfjs tensors.
//
// Checkpoints name the same weight in several ways; we look everything up by one canonical name:
//   - the backbone prefix is dropped: "bert.encoder…" / "vit.encoder…" / "deit.encoder…" → "encoder…"
//     (a bare BertModel/ViTModel checkpoint has no prefix at all);
//   - TF-era LayerNorm names "gamma"/"beta" become "weight"/"bias";
//   - task heads ("cls.…", "classifier.…") keep their names.
//
// Memory: a model's loader runs twice. The first pass only reads the header: it checks every
// shape against the config and notes how each tensor is uploaded (as is, or transposed). Then the
// data is read once, each tensor's bytes going straight into the float32 array it is uploaded
// from, and that array is dropped once the backend has the tensor; tensors nobody asked for are
// skipped unread. The second pass hands out the uploaded tensors. So a load holds the weights on
// the backend plus one tensor in flight, never the file.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors';
import type { JsonFields } from './json';
import type { LayerNormParams, Linear } from '../shared/layers';
import { Float32Writer, isFloatDtype, type CheckpointWeights, type TensorInfo, type TensorSink } from './safetensors';
import type { WeightsFile } from '../types';

export type ModelKind = 'bert' | 'vit';

const BACKBONE_PREFIXES: Record<ModelKind, string[]> = { bert: ['bert.'], vit: ['vit.', 'deit.'] };

/** Decides BERT vs ViT from config.model_type, else `architectures`, else the tensor names. */
export function detectModelKind(config: JsonFields, names: Iterable<string>): ModelKind {
  const modelType = config.get('model_type');
  if (modelType === 'bert') return 'bert';
  if (modelType === 'vit' || modelType === 'deit') return 'vit';
  if (typeof modelType === 'string') {
    throw new ModelError(
      'unsupported',
      `config.json says model_type "${modelType}"; this playground runs BERT ("bert") and ViT ("vit", "deit") checkpoints.`,
    );
  }
  const declared = config.get('architectures');
  const architectures = Array.isArray(declared) ? declared.map(String) : [];
  if (architectures.some((a) => a.startsWith('Bert'))) return 'bert';
  if (architectures.some((a) => a.startsWith('ViT') || a.startsWith('DeiT'))) return 'vit';
  for (const name of names) {
    if (name.endsWith('embeddings.word_embeddings.weight')) return 'bert';
    if (name.endsWith('embeddings.patch_embeddings.projection.weight')) return 'vit';
  }
  throw new ModelError(
    'unsupported',
    'Cannot tell which model this is: config.json has no model_type and the weights look like neither BERT nor ViT.',
  );
}

/** A dimension of an expected shape, with the config key it comes from (for the error message). */
export type Dim = number | [configKey: string, value: number];

// Buffers, not weights: some exports include them; they are recomputed, so never "unused".
const IGNORED = /(^|\.)position_ids$/;

/** How a tensor goes to the backend: its shape there, and the row count when it is transposed on the way. */
interface Upload {
  shape: number[];
  transposeRows: number | null;
}

/** What the loader's first pass gets in place of a tensor: it only passes them around. */
const PLANNED = null as unknown as tf.Tensor;

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
  private readonly uploaded = new Map<string, tf.Tensor>();
  private readonly prefix: string;
  private planning = false;

  constructor(
    private readonly file: CheckpointWeights,
    kind: ModelKind,
  ) {
    this.fileName = file.fileName as WeightsFile;
    const names = [...file.tensors.keys()];
    this.prefix = BACKBONE_PREFIXES[kind].find((p) => names.some((n) => n.startsWith(p))) ?? '';
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
    return !name.startsWith('cls.') && !name.startsWith('classifier.');
  }

  /** A required tensor, after checking its shape and dtype: planned in the first pass, the uploaded one in the second. */
  private take<R extends tf.Rank>(name: string, shape: Dim[], upload: Upload): tf.Tensor<R> {
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
      this.uploads.set(name, upload);
      return PLANNED as tf.Tensor<R>;
    }
    return this.uploaded.get(name) as tf.Tensor<R>;
  }

  /** A required tensor, uploaded to the current backend (optionally viewed as another shape of the same size). */
  tensor<R extends tf.Rank>(name: string, shape: Dim[], uploadShape?: number[]): tf.Tensor<R> {
    return this.take<R>(name, shape, { shape: uploadShape ?? dimsOf(shape), transposeRows: null });
  }

  /**
   * A PyTorch weight [out, ...in] uploaded as the matrix [prod(in), out], i.e. transposed on the host
   * as it is read, so the forward pass multiplies without a transpose flag (tfjs-wasm runs transposed
   * matmuls several times slower).
   */
  transposed(name: string, shape: Dim[]): tf.Tensor2D {
    const [out, ...inner] = dimsOf(shape);
    return this.take<tf.Rank.R2>(name, shape, { shape: [inner.reduce((a, b) => a * b, 1), out], transposeRows: out });
  }

  /** nn.Linear(in, out) stored as "<prefix>.weight" [out, in] and "<prefix>.bias" [out]. */
  linear(prefix: string, out: Dim, inp: Dim, bias = true): Linear {
    return {
      weight: this.transposed(`${prefix}.weight`, [out, inp]),
      bias: bias ? this.tensor<tf.Rank.R1>(`${prefix}.bias`, [out]) : null,
    };
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
        const t = tf.tensor(writer.values, upload.shape);
        this.created.push(t);
        this.uploaded.set(name, t);
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
    // Tensor by tensor, so that no more than one tensor's worth of flags exists at a time.
    const flags = names.map((name) => tf.tidy(() => tf.all(tf.isFinite(this.uploaded.get(name)!))));
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
    const unused = [...this.entries.keys()].filter((n) => !this.uploads.has(n) && !IGNORED.test(n)).map((n) => this.fileNameOf(n));
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
