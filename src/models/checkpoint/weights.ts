// From a parsed weights file (model.safetensors or pytorch_model.bin) to named, shape-checked tfjs tensors.
//
// Checkpoints name the same weight in several ways; we look everything up by one canonical name:
//   - the backbone prefix is dropped: "bert.encoder…" / "roberta.encoder…" / "vit.encoder…" / … → "encoder…"
//     (a bare BertModel/ViTModel checkpoint has no prefix at all);
//   - TF-era LayerNorm names "gamma"/"beta" become "weight"/"bias";
//   - task heads ("cls.…", "lm_head.…", "classifier.…", …) keep their names.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors';
import { lookup, type JsonFields } from './json';
import type { AttentionHead, LayerNormParams, Linear, SelfAttentionParams } from '../shared/layers';
import { toFloat32, type Safetensors, type TensorEntry } from './safetensors';
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

export class StateDict {
  readonly fileName: WeightsFile;
  /** Tensors created so far; the model disposes exactly these. */
  readonly created: tf.Tensor[] = [];
  readonly warnings: string[] = [];
  private readonly entries = new Map<string, TensorEntry>();
  private readonly used = new Set<string>();
  private readonly prefix: string;
  /** Name prefixes of task heads, which keep their names (no backbone prefix). */
  private readonly heads: string[];

  constructor(file: Safetensors, architecture: ModelArchitecture, fileName: WeightsFile = 'model.safetensors') {
    this.fileName = fileName;
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
    return !this.heads.some((h) => name.startsWith(h));
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
    const t = tf.tensor<R>(values, dims as tf.ShapeMap[R]);
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

  /** A tensor that is deliberately not read, e.g. a stored copy of a weight HF ties to another. */
  skip(name: string): void {
    if (this.entries.has(name)) this.used.add(name);
  }

  /**
   * The query, key and value nn.Linear(hidden, hidden) under "<prefix>.{query,key,value}" (or the
   * three `names` an architecture gives them, e.g. DistilBERT's q_lin, k_lin, v_lin), cut into
   * `numHeads` per-head projections on the host, once (see multiHeadSelfAttention for why).
   */
  selfAttention(prefix: string, hidden: Dim, numHeads: number, bias = true, names: readonly [string, string, string] = ['query', 'key', 'value']): SelfAttentionParams {
    const read = (name: string) => ({
      w: this.values(`${prefix}.${name}.weight`, [hidden, hidden]),
      b: bias ? this.values(`${prefix}.${name}.bias`, [hidden]) : null,
    });
    const [query, key, value] = names.map(read);
    const size = typeof hidden === 'number' ? hidden : hidden[1];
    const d = size / numHeads;
    const keep = <T extends tf.Tensor>(t: T) => {
      this.created.push(t);
      return t;
    };
    // Rows h·d … (h+1)·d of a PyTorch weight [out, in] are head h's outputs.
    const rows = (w: Float32Array, h: number) => w.subarray(h * d * size, (h + 1) * d * size);
    const columns = (w: Float32Array, h: number) => {
      const t = new Float32Array(size * d);
      for (let j = 0; j < d; j++) for (let i = 0; i < size; i++) t[i * d + j] = w[(h * d + j) * size + i];
      return keep(tf.tensor2d(t, [size, d]));
    };
    const part = (b: Float32Array | null, h: number) => b?.slice(h * d, (h + 1) * d) ?? null;
    const heads: AttentionHead[] = [];
    for (let h = 0; h < numHeads; h++) {
      const [qb, kb, vb] = [part(query.b, h), part(key.b, h), part(value.b, h)];
      heads.push({
        query: { weight: columns(query.w, h), bias: qb && keep(tf.tensor1d(qb)) },
        keyT: { weight: keep(tf.tensor2d(rows(key.w, h), [d, size])), bias: kb && keep(tf.tensor2d(kb, [d, 1])) },
        value: { weight: columns(value.w, h), bias: vb && keep(tf.tensor1d(vb)) },
      });
    }
    return { heads };
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
