// From a parsed safetensors file to named, shape-checked tfjs tensors.
//
// Checkpoints name the same weight in several ways; we look everything up by one canonical name:
//   - the backbone prefix is dropped: "bert.encoder…" / "vit.encoder…" / "deit.encoder…" → "encoder…"
//     (a bare BertModel/ViTModel checkpoint has no prefix at all);
//   - TF-era LayerNorm names "gamma"/"beta" become "weight"/"bias";
//   - task heads ("cls.…", "classifier.…") keep their names.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors';
import type { Config } from './config';
import type { LayerNormParams, Linear } from '../shared/layers';
import { toFloat32, type Safetensors, type TensorEntry } from './safetensors';

export type ModelKind = 'bert' | 'vit' | 'cnn';

const BACKBONE_PREFIXES: Record<ModelKind, string[]> = { bert: ['bert.'], vit: ['vit.', 'deit.'], cnn: ['cnn.'] };

/** Decides BERT vs ViT (vs the playground's own mini_cnn) from config.model_type, else `architectures`, else the tensor names. */
export function detectModelKind(config: Config, names: Iterable<string>): ModelKind {
  const modelType = config.model_type;
  if (modelType === 'bert') return 'bert';
  if (modelType === 'vit' || modelType === 'deit') return 'vit';
  if (modelType === 'mini_cnn') return 'cnn';
  if (typeof modelType === 'string') {
    throw new ModelError(
      'unsupported',
      `config.json says model_type "${modelType}"; this playground runs BERT ("bert") and ViT ("vit", "deit") checkpoints.`,
    );
  }
  const architectures = Array.isArray(config.architectures) ? config.architectures.map(String) : [];
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

export class StateDict {
  readonly fileName: string;
  /** Tensors created so far; the model disposes exactly these. */
  readonly created: tf.Tensor[] = [];
  readonly warnings: string[] = [];
  private readonly entries = new Map<string, TensorEntry>();
  private readonly used = new Set<string>();
  private readonly prefix: string;

  constructor(file: Safetensors, kind: ModelKind, fileName = 'model.safetensors') {
    this.fileName = fileName;
    const names = [...file.tensors.keys()];
    this.prefix = BACKBONE_PREFIXES[kind].find((p) => names.some((n) => n.startsWith(p))) ?? '';
    let renamedLegacy = false;
    for (const [name, entry] of file.tensors) {
      let canonical = this.prefix && name.startsWith(this.prefix) ? name.slice(this.prefix.length) : name;
      const legacy = canonical.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
      renamedLegacy ||= legacy !== canonical;
      canonical = legacy;
      if (this.entries.has(canonical)) {
        throw new ModelError('malformed', `${fileName} holds two tensors for "${canonical}" (one is "${name}").`);
      }
      this.entries.set(canonical, entry);
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

  /** Raw float32 values of a required tensor, after checking its shape. */
  private values(name: string, shape: Dim[]): Float32Array {
    const entry = this.entries.get(name);
    if (!entry) {
      throw new ModelError(
        'mismatch',
        `${this.fileName} has no tensor "${this.fileNameOf(name)}", which config.json requires. Is this the right config.json for these weights?`,
      );
    }
    const expected = shape.map((d) => (typeof d === 'number' ? d : d[1]));
    if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
      const sources = [...new Set(shape.filter((d): d is [string, number] => typeof d !== 'number').map(([k, v]) => `${k}=${v}`))];
      throw new ModelError(
        'mismatch',
        `${entry.name} has shape [${entry.shape.join(',')}], expected [${expected.join(',')}]` +
          (sources.length ? ` from config ${sources.join(', ')}` : '') +
          '. The weights do not match config.json.',
      );
    }
    this.used.add(name);
    return toFloat32(entry);
  }

  /** A required tensor, uploaded to the current backend (optionally viewed as another shape of the same size). */
  tensor<R extends tf.Rank>(name: string, shape: Dim[], uploadShape?: number[]): tf.Tensor<R> {
    const values = this.values(name, shape);
    const dims = uploadShape ?? shape.map((d) => (typeof d === 'number' ? d : d[1]));
    const t = tf.tensor(values, dims as tf.ShapeMap[R]) as tf.Tensor<R>;
    this.created.push(t);
    return t;
  }

  /**
   * A PyTorch weight [out, ...in] uploaded as the matrix [prod(in), out], i.e. transposed on the host
   * once, so the forward pass multiplies without a transpose flag (tfjs-wasm runs transposed matmuls
   * several times slower).
   */
  transposed(name: string, shape: Dim[]): tf.Tensor2D {
    const values = this.values(name, shape);
    const out = values.length === 0 ? 0 : typeof shape[0] === 'number' ? shape[0] : shape[0][1];
    const inner = out === 0 ? 0 : values.length / out;
    const t = new Float32Array(values.length);
    for (let o = 0; o < out; o++) for (let i = 0; i < inner; i++) t[i * out + o] = values[o * inner + i];
    const tensor = tf.tensor2d(t, [inner, out]);
    this.created.push(tensor);
    return tensor;
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

  /**
   * Runs a model's weight loader. If it throws (a missing or mis-shaped tensor), the tensors it had
   * already uploaded are freed before the error propagates; otherwise the tensors it never read
   * (e.g. a pooler that ViTForImageClassification ignores) become a warning.
   */
  load<W>(loader: () => W): W {
    let weights: W;
    try {
      weights = loader();
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.warnUnused();
    return weights;
  }

  private warnUnused(): void {
    const unused = [...this.entries.keys()].filter((n) => !this.used.has(n) && !IGNORED.test(n)).map((n) => this.fileNameOf(n));
    if (unused.length === 0) return;
    const shown = unused.slice(0, 5).join(', ');
    this.warnings.push(`${unused.length} tensor(s) in ${this.fileName} are not used: ${shown}${unused.length > 5 ? ', …' : ''}.`);
  }

  dispose(): void {
    for (const t of this.created) t.dispose();
    this.created.length = 0;
  }
}
