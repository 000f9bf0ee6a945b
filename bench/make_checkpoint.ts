// Random checkpoints of real model shapes (bert-base, bert-large, vit-base, vit-large), in Hugging
// Face layout, for the browser benchmarks (bench/memory.ts, bench/ui.ts) and for trying the app on
// big models. Weights are seeded uniform noise of a realistic scale (LayerNorm weights 1), written
// as F32 one piece at a time, so making bert-large (1.3 GB) takes little memory. Written to
// bench/.models/models/<shape>-random (gitignored; the stand-in hub serves bench/.models); an
// existing checkpoint is kept.
//
//   npm run bench:checkpoint -- bert-base [bert-large vit-large ...]

import { closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const MODELS_DIR = join(import.meta.dirname, '.models', 'models');

interface Shape {
  kind: 'bert' | 'vit';
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
}

export const SHAPES: Record<string, Shape> = {
  'bert-base': { kind: 'bert', hidden: 768, layers: 12, heads: 12, intermediate: 3072 },
  'bert-large': { kind: 'bert', hidden: 1024, layers: 24, heads: 16, intermediate: 4096 },
  'vit-base': { kind: 'vit', hidden: 768, layers: 12, heads: 12, intermediate: 3072 },
  'vit-large': { kind: 'vit', hidden: 1024, layers: 24, heads: 16, intermediate: 4096 },
  // For the Stop button's e2e test: a 512-token run takes seconds on WASM, the file only ~110 MB.
  'bert-deep-narrow': { kind: 'bert', hidden: 256, layers: 24, heads: 4, intermediate: 1024 },
};

const VOCAB = 30522;
const MAX_POSITIONS = 512;
const IMAGE = 224;
const PATCH = 16;
const LABELS = 1000;

/** Every tensor of the checkpoint: name, shape and how its values are drawn. */
function tensorsOf(s: Shape): [string, number[], 'weight' | 'one' | 'zero'][] {
  const out: [string, number[], 'weight' | 'one' | 'zero'][] = [];
  const dense = (name: string, o: number, i: number) => out.push([`${name}.weight`, [o, i], 'weight'], [`${name}.bias`, [o], 'zero']);
  const norm = (name: string) => out.push([`${name}.weight`, [s.hidden], 'one'], [`${name}.bias`, [s.hidden], 'zero']);
  const h = s.hidden;
  if (s.kind === 'bert') {
    out.push(['bert.embeddings.word_embeddings.weight', [VOCAB, h], 'weight']);
    out.push(['bert.embeddings.position_embeddings.weight', [MAX_POSITIONS, h], 'weight']);
    out.push(['bert.embeddings.token_type_embeddings.weight', [2, h], 'weight']);
    norm('bert.embeddings.LayerNorm');
    for (let l = 0; l < s.layers; l++) {
      const p = `bert.encoder.layer.${l}`;
      for (const part of ['query', 'key', 'value']) dense(`${p}.attention.self.${part}`, h, h);
      dense(`${p}.attention.output.dense`, h, h);
      norm(`${p}.attention.output.LayerNorm`);
      dense(`${p}.intermediate.dense`, s.intermediate, h);
      dense(`${p}.output.dense`, h, s.intermediate);
      norm(`${p}.output.LayerNorm`);
    }
    dense('bert.pooler.dense', h, h);
    dense('cls.predictions.transform.dense', h, h);
    norm('cls.predictions.transform.LayerNorm');
    out.push(['cls.predictions.bias', [VOCAB], 'zero']);
    dense('cls.seq_relationship', 2, h);
  } else {
    const patches = (IMAGE / PATCH) ** 2;
    out.push(['vit.embeddings.cls_token', [1, 1, h], 'weight']);
    out.push(['vit.embeddings.position_embeddings', [1, 1 + patches, h], 'weight']);
    out.push(['vit.embeddings.patch_embeddings.projection.weight', [h, 3, PATCH, PATCH], 'weight']);
    out.push(['vit.embeddings.patch_embeddings.projection.bias', [h], 'zero']);
    for (let l = 0; l < s.layers; l++) {
      const p = `vit.encoder.layer.${l}`;
      norm(`${p}.layernorm_before`);
      for (const part of ['query', 'key', 'value']) dense(`${p}.attention.attention.${part}`, h, h);
      dense(`${p}.attention.output.dense`, h, h);
      norm(`${p}.layernorm_after`);
      dense(`${p}.intermediate.dense`, s.intermediate, h);
      dense(`${p}.output.dense`, h, s.intermediate);
    }
    norm('vit.layernorm');
    dense('classifier', LABELS, h);
  }
  return out;
}

function configOf(s: Shape): Record<string, unknown> {
  const common = {
    hidden_size: s.hidden,
    num_hidden_layers: s.layers,
    num_attention_heads: s.heads,
    intermediate_size: s.intermediate,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-12,
  };
  if (s.kind === 'bert') {
    return { model_type: 'bert', architectures: ['BertForPreTraining'], vocab_size: VOCAB, max_position_embeddings: MAX_POSITIONS, type_vocab_size: 2, ...common };
  }
  const id2label = Object.fromEntries(Array.from({ length: LABELS }, (_, i) => [String(i), `class ${i}`]));
  return { model_type: 'vit', architectures: ['ViTForImageClassification'], image_size: IMAGE, patch_size: PATCH, num_channels: 3, qkv_bias: true, id2label, ...common };
}

/** BERT's special tokens, then made-up words, VOCAB lines in all. */
function vocab(): string {
  const words = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const common = 'the a of and to in is was he she it that for on with as his her at by from they this had not are but be have one all were we when there can an which their said if do will each about how up out them then many some so these would other into has more two like him see time could no make than been its who now people my made over did down only way find use may water long little very after words called just where most know'.split(' ');
  words.push(...common, ...'.,;:!?\'"-()'.split(''));
  for (let i = 0; words.length < VOCAB; i++) words.push(i % 3 ? `##w${i}` : `w${i}`);
  return `${words.join('\n')}\n`;
}

/** A fast seeded generator (xorshift32) of uniform values in [-1, 1). */
export function noise(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 31 - 1;
  };
}

/** Writes the random checkpoint `name` into `root`/<name>-random, unless it is there; returns that folder. */
export function makeCheckpoint(name: string, root = MODELS_DIR): string {
  const shape = Object.hasOwn(SHAPES, name) ? SHAPES[name] : undefined;
  if (!shape) throw new Error(`unknown shape "${name}" (known: ${Object.keys(SHAPES).join(', ')})`);
  const dir = join(root, `${name}-random`);
  if (existsSync(join(dir, 'model.safetensors'))) return dir;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(configOf(shape), null, 1));
  if (shape.kind === 'bert') {
    writeFileSync(join(dir, 'vocab.txt'), vocab());
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: true, model_max_length: MAX_POSITIONS }));
  } else {
    const processor = { image_processor_type: 'ViTImageProcessor', do_resize: true, size: { height: IMAGE, width: IMAGE }, resample: 2, image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5] };
    writeFileSync(join(dir, 'preprocessor_config.json'), JSON.stringify(processor));
  }

  const tensors = tensorsOf(shape);
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [tensor, dims] of tensors) {
    const bytes = 4 * dims.reduce((a, b) => a * b, 1);
    header[tensor] = { dtype: 'F32', shape: dims, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const fd = openSync(join(dir, 'model.safetensors.partial'), 'w');
  const prefix = new DataView(new ArrayBuffer(8));
  prefix.setUint32(0, json.length, true);
  writeSync(fd, new Uint8Array(prefix.buffer));
  writeSync(fd, json);
  const random = noise(0x5eed);
  const piece = new Float32Array(2 ** 20);
  for (const [, dims, init] of tensors) {
    let left = dims.reduce((a, b) => a * b, 1);
    // Scale like a trained model's: attention logits and activations of order one.
    const scale = 1.5 / Math.sqrt(dims.at(-1)!);
    while (left > 0) {
      const n = Math.min(left, piece.length);
      for (let i = 0; i < n; i++) piece[i] = init === 'one' ? 1 : init === 'zero' ? 0 : random() * scale;
      writeSync(fd, new Uint8Array(piece.buffer, 0, 4 * n));
      left -= n;
    }
  }
  closeSync(fd);
  // Renamed only when complete, so an interrupted run is redone next time.
  renameSync(join(dir, 'model.safetensors.partial'), join(dir, 'model.safetensors'));
  return dir;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const names = process.argv.slice(2);
  if (names.length === 0) throw new Error(`name one or more shapes: ${Object.keys(SHAPES).join(', ')}`);
  for (const name of names) console.log(makeCheckpoint(name));
}
