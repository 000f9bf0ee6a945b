// The fuzz corpus: bad (and a few odd but valid) inputs of every kind the playground reads, built
// from the tiny fixture checkpoints by a seeded generator, so every run sees the same cases.
// Kinds: malformed safetensors, configs, processor configs, vocabularies and tokenizer files,
// texts, images and command-line flags. Each case is one CLI invocation on a scratch copy of a
// fixture with some files replaced; tests/fuzz/cli_fuzz.test.ts runs them all, and the browser
// test (tests/e2e/fuzz_drops.test.ts) drops the checkpoint cases on the model picker and uploads
// the image cases.
//
//   npx tsx tests/fuzz/corpus.ts <folder>   writes every case (files and argv) there, to inspect

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { noise } from '../../bench/make_checkpoint';

const FIXTURES = join(import.meta.dirname, '../fixtures');

export type FuzzKind = 'safetensors' | 'config' | 'processor' | 'vocabulary' | 'text' | 'image' | 'flags';

export interface FuzzCase {
  name: string;
  kind: FuzzKind;
  /** The fixture checkpoint the case starts from. */
  model: 'bert-tiny' | 'vit-tiny';
  /** Files of the checkpoint replaced (or, when null, removed). */
  files: Record<string, Uint8Array | null>;
  /** Input files the argv names as {input:<name>}. */
  inputs: Record<string, Uint8Array>;
  /** CLI arguments; {model} is the checkpoint folder, {input:<name>} an input file. */
  argv: string[];
  /** 'error': must be refused; 'ok': must give a result; 'either': one of the two. */
  outcome: 'error' | 'ok' | 'either';
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const json = (v: unknown) => utf8(JSON.stringify(v));

/** Uniform in [0, 1), seeded, so the corpus is the same on every machine. */
function random(seed: number): () => number {
  const uniform = noise(seed);
  return () => (uniform() + 1) / 2;
}

function fixture(model: string, file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, 'models', model, file)));
}

/** A safetensors file as header JSON and data, for editing. */
function splitSafetensors(bytes: Uint8Array): { header: Record<string, Record<string, unknown>>; data: Uint8Array } {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, Record<string, unknown>>;
  return { header, data: bytes.subarray(8 + n) };
}

function joinSafetensors(header: unknown, data: Uint8Array, headerLength?: bigint): Uint8Array {
  const text = utf8(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (bytes: Uint8Array) => (bytes.reduce((c, b) => CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;

/** A PNG with the given header; `rows` (filter byte + pixels each) is deflated as is, or left out. */
function png(width: number, height: number, colorType = 0, rows?: Uint8Array): Uint8Array {
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, body.length);
    out.set(utf8(type), 4);
    out.set(body, 8);
    view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr.set([8, colorType, 0, 0, 0], 8);
  const parts = [new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr)];
  if (rows) parts.push(chunk('IDAT', new Uint8Array(deflateSync(rows))));
  parts.push(chunk('IEND', new Uint8Array()));
  return concat(parts);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const le16 = (v: number) => [v & 0xff, (v >> 8) & 0xff];
const le32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

/** Headers (and no pixels) of the formats the browser decodes itself, claiming `w` x `h`. */
const gifHeader = (w: number, h: number) => new Uint8Array([...utf8('GIF89a'), ...le16(w), ...le16(h), 0, 0, 0, 0x3b]);
const bmpHeader = (w: number, h: number) =>
  new Uint8Array([...utf8('BM'), ...le32(54), 0, 0, 0, 0, ...le32(54), ...le32(40), ...le32(w), ...le32(h), ...le16(1), ...le16(24), ...le32(0), ...le32(0), ...le32(0), ...le32(0), ...le32(0), ...le32(0)]);
const webpHeader = (w: number, h: number) =>
  new Uint8Array([...utf8('RIFF'), ...le32(30), ...utf8('WEBPVP8X'), ...le32(10), 0, 0, 0, 0, ...le32(w - 1).slice(0, 3), ...le32(h - 1).slice(0, 3)]);

function safetensorsCases(model: FuzzCase['model'], next: () => number): FuzzCase[] {
  const original = fixture(model, 'model.safetensors');
  const { header, data } = splitSafetensors(original);
  const names = Object.keys(header).filter((n) => n !== '__metadata__');
  const run = model === 'bert-tiny' ? ['--text', 'the cat sat on the [MASK].'] : ['--image', join(FIXTURES, 'models/vit-tiny/inputs/case0.png')];
  const cases: FuzzCase[] = [];
  const add = (name: string, weights: Uint8Array, outcome: FuzzCase['outcome'] = 'error') =>
    cases.push({ name: `${model} safetensors: ${name}`, kind: 'safetensors', model, files: { 'model.safetensors': weights }, inputs: {}, argv: ['--model', '{model}', ...run, '--json'], outcome });
  const edited = (edit: (h: Record<string, Record<string, unknown>>) => void, body = data) => {
    const h = structuredClone(header);
    edit(h);
    return joinSafetensors(h, body);
  };

  for (const at of [0, 4, 7, 8, 20, 100]) add(`cut at byte ${at}`, original.slice(0, at));
  for (let i = 0; i < 8; i++) {
    const at = 8 + Math.floor(next() * (original.length - 9));
    add(`cut at byte ${at}`, original.slice(0, at));
  }
  for (const length of [0n, 1n, 7n, 2n ** 32n - 1n, 2n ** 53n, 2n ** 64n - 1n, BigInt(original.length)]) {
    add(`header length ${length}`, joinSafetensors(header, data, length));
  }
  for (const text of ['', 'not json', '[]', 'null', '42', '"x"', '{', '{"a": 1}', '{"__proto__": {"dtype": "F32"}}']) add(`header ${JSON.stringify(text)}`, joinSafetensors(text, data));
  const target = names[Math.floor(next() * names.length)];
  for (const dtype of ['constructor', '__proto__', 'toString', 'f32', '', 'U8', 'BOOL', 'F8_E4M3', 42, null]) {
    add(`${target} dtype ${JSON.stringify(dtype)}`, edited((h) => (h[target].dtype = dtype)));
  }
  for (const dtype of ['I64', 'I32']) add(`${target} dtype ${dtype}`, edited((h) => (h[target].dtype = dtype)));
  for (const shape of [[-1], [1.5], ['4'], [2 ** 40, 2 ** 40], [], null, 'x', [0]]) {
    add(`${target} shape ${JSON.stringify(shape)}`, edited((h) => (h[target].shape = shape)));
  }
  const end = data.length;
  for (const offsets of [[8, 0], [0, end + 4], [-4, 4], [0.5, 4], ['0', '4'], [0], null, [2 ** 60, 2 ** 60 + 4]]) {
    add(`${target} data_offsets ${JSON.stringify(offsets)}`, edited((h) => (h[target].data_offsets = offsets)));
  }
  add('two entries overlapping', edited((h) => (h[names[1]].data_offsets = h[names[0]].data_offsets)));
  add('a gap before the data end', edited(() => undefined, concat([data, new Uint8Array(16)])));
  add('__metadata__ a string', edited((h) => ((h as Record<string, unknown>).__metadata__ = 'pt')));
  add('legacy and new names for one tensor', edited((h) => {
    const ln = names.find((n) => /layernorm\w*\.weight$/i.test(n))!;
    h[ln.replace(/weight$/, 'gamma')] = h[ln];
  }));
  add(`no tensor ${target}`, edited((h) => delete h[target]));
  for (let i = 0; i < 6; i++) {
    const bytes = original.slice();
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    for (let k = 0; k < 3; k++) bytes[8 + Math.floor(next() * n)] = Math.floor(next() * 256);
    add(`header bytes flipped (${i})`, bytes, 'either');
  }
  // Weights that are NaN or infinite: refused when the model loads.
  for (const [label, value] of [['NaN', NaN], ['Infinity', Infinity]] as const) {
    const bytes = original.slice();
    const { data_offsets } = header[target] as { data_offsets: [number, number] };
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    new DataView(bytes.buffer).setFloat32(8 + n + data_offsets[0], value, true);
    add(`${label} in ${target}`, bytes);
  }
  // F64 weights are narrowed to float32: valid.
  const f64 = structuredClone(header);
  const wide: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    const [from, to] = header[name].data_offsets as [number, number];
    const values = new Float32Array(data.slice(from, to).buffer);
    const bytes = new Uint8Array(Float64Array.from(values).buffer);
    f64[name] = { ...header[name], dtype: 'F64', data_offsets: [offset, offset + bytes.length] };
    wide.push(bytes);
    offset += bytes.length;
  }
  add('every tensor F64', joinSafetensors(f64, concat(wide)), 'ok');
  add('random bytes', Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 256)));
  add('empty file', new Uint8Array());
  return cases;
}

function configCases(): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const bert = JSON.parse(new TextDecoder().decode(fixture('bert-tiny', 'config.json'))) as Record<string, unknown>;
  const vit = JSON.parse(new TextDecoder().decode(fixture('vit-tiny', 'config.json'))) as Record<string, unknown>;
  const image = join(FIXTURES, 'models/vit-tiny/inputs/case0.png');
  const add = (model: FuzzCase['model'], name: string, config: Uint8Array | null, outcome: FuzzCase['outcome'] = 'error') =>
    cases.push({
      name: `${model} config.json: ${name}`,
      kind: 'config',
      model,
      files: { 'config.json': config },
      inputs: {},
      argv: ['--model', '{model}', ...(model === 'bert-tiny' ? ['--text', 'a [MASK] b'] : ['--image', image]), '--json'],
      outcome,
    });
  for (const model of ['bert-tiny', 'vit-tiny'] as const) {
    const base = model === 'bert-tiny' ? bert : vit;
    add(model, 'missing', null);
    // Not a string: the model is told from `architectures`, as when model_type is absent.
    add(model, 'model_type 42', json({ ...base, model_type: 42 }), 'either');
    for (const text of ['', 'not json', '[]', 'null', '{"model_type": ', '\u0000'.repeat(16)]) add(model, JSON.stringify(text), utf8(text));
    for (const act of ['constructor', 'toString', 'valueOf', '__proto__', 'hasOwnProperty', 'GELU', '', 42]) {
      add(model, `hidden_act ${JSON.stringify(act)}`, json({ ...base, hidden_act: act }));
    }
    for (const [key, values] of [
      ['num_attention_heads', [0, -1, 3, 1e9, 'x', 2.5]],
      ['hidden_size', [0, 33, -32, 1e12]],
      ['num_hidden_layers', [0, -1, 1000, 2.5, '3']],
      ['intermediate_size', [0, 65]],
      ['layer_norm_eps', [-1, 'x', null]],
      ['model_type', ['gpt2', 'constructor', '__proto__', '']],
    ] as const) {
      for (const value of values) {
        // A model with no layers, or eps negative, is still computable; anything else must be refused.
        const outcome = (key === 'num_hidden_layers' && value === 0) || (key === 'layer_norm_eps' && value !== 'x') ? 'either' : 'error';
        add(model, `${key} ${JSON.stringify(value)}`, json({ ...base, [key]: value }), outcome);
      }
    }
  }
  for (const [key, value] of [['vocab_size', 0], ['vocab_size', 1e12], ['max_position_embeddings', 0], ['max_position_embeddings', 1e9], ['type_vocab_size', 0], ['type_vocab_size', -2]] as const) {
    add('bert-tiny', `${key} ${value}`, json({ ...bert, [key]: value }));
  }
  for (const [key, value] of [['image_size', 0], ['image_size', 1e6], ['patch_size', 0], ['patch_size', 7], ['patch_size', 1e6], ['num_channels', 0], ['num_channels', 1000], ['qkv_bias', 'yes']] as const) {
    add('vit-tiny', `${key} ${value}`, json({ ...vit, [key]: value }));
  }
  add('vit-tiny', 'id2label with "constructor" and "__proto__" keys', utf8(`${JSON.stringify({ ...vit, id2label: undefined }).slice(0, -1)},"id2label":{"constructor":"a","__proto__":"b","0":"c"}}`), 'either');
  add('vit-tiny', 'id2label a string', json({ ...vit, id2label: 'cats' }), 'either');
  return cases;
}

function processorCases(): FuzzCase[] {
  const base = JSON.parse(new TextDecoder().decode(fixture('vit-tiny', 'preprocessor_config.json'))) as Record<string, unknown>;
  const image = join(FIXTURES, 'models/vit-tiny/inputs/case0.png');
  const edits: [string, Record<string, unknown> | string, FuzzCase['outcome']][] = [
    ['size 20000x20000', { size: { height: 20000, width: 20000 } }, 'error'],
    ['size 0x0', { size: { height: 0, width: 0 } }, 'error'],
    ['size -16', { size: { height: -16, width: 16 } }, 'error'],
    ['size 1e9 shortest_edge', { size: { shortest_edge: 1e9 } }, 'error'],
    ['size "16"', { size: '16' }, 'error'],
    // ViTImageProcessor has no center crop: these keys are ignored.
    ['crop 20000', { do_center_crop: true, crop_size: { height: 20000, width: 20000 } }, 'either'],
    ['image_std 0', { image_std: [0, 0, 0] }, 'error'],
    ['image_std one zero', { image_std: [0.5, 0, 0.5] }, 'error'],
    ['image_std two values', { image_std: [0.5, 0.5] }, 'error'],
    ['image_mean "x"', { image_mean: 'x' }, 'error'],
    ['rescale_factor "x"', { rescale_factor: 'x' }, 'error'],
    ['resample 99', { resample: 99 }, 'error'],
    ['resample "constructor"', { resample: 'constructor' }, 'error'],
    ['do_resize false (image of another size)', { do_resize: false }, 'either'],
    ['not json', 'not json', 'error'],
    ['an array', '[]', 'error'],
  ];
  return edits.map(([name, edit, outcome]) => ({
    name: `vit-tiny preprocessor_config.json: ${name}`,
    kind: 'processor' as const,
    model: 'vit-tiny' as const,
    files: { 'preprocessor_config.json': typeof edit === 'string' ? utf8(edit) : json({ ...base, ...edit }) },
    inputs: {},
    argv: ['--model', '{model}', '--image', image, '--json'],
    outcome,
  }));
}

function vocabularyCases(next: () => number): FuzzCase[] {
  const vocab = new TextDecoder().decode(fixture('bert-tiny', 'vocab.txt'));
  const config = JSON.parse(new TextDecoder().decode(fixture('bert-tiny', 'tokenizer_config.json'))) as Record<string, unknown>;
  const lines = vocab.trimEnd().split('\n');
  const cases: FuzzCase[] = [];
  const add = (name: string, files: FuzzCase['files'], outcome: FuzzCase['outcome'] = 'error', argv = ['--text', 'the cat sat on the [MASK].']) =>
    cases.push({ name: `bert-tiny tokenizer: ${name}`, kind: 'vocabulary', model: 'bert-tiny', files, inputs: {}, argv: ['--model', '{model}', ...argv, '--json'], outcome });
  add('vocab.txt missing', { 'vocab.txt': null });
  add('vocab.txt empty', { 'vocab.txt': new Uint8Array() });
  add('vocab.txt one line', { 'vocab.txt': utf8('[UNK]\n') });
  add('vocab.txt without [CLS]', { 'vocab.txt': utf8(lines.filter((l) => l !== '[CLS]').join('\n')) });
  add('vocab.txt without [UNK]', { 'vocab.txt': utf8(lines.filter((l) => l !== '[UNK]').join('\n')) });
  add('vocab.txt with duplicates', { 'vocab.txt': utf8([...lines, ...lines.slice(0, 50)].join('\n')) });
  add('vocab.txt of 200000 lines', { 'vocab.txt': utf8(Array.from({ length: 200_000 }, (_, i) => lines[i] ?? `w${i}`).join('\n')) });
  add('vocab.txt random bytes', { 'vocab.txt': Uint8Array.from({ length: 4096 }, () => Math.floor(next() * 256)) });
  add('vocab.txt with CRLF', { 'vocab.txt': utf8(lines.join('\r\n')) }, 'either');
  for (const [key, value] of [
    ['model_max_length', 0],
    ['model_max_length', -1],
    ['model_max_length', 1e30],
    ['model_max_length', 'x'],
    ['model_max_length', 3],
    ['do_lower_case', 'x'],
    ['mask_token', 'constructor'],
    ['unk_token', 42],
    ['tokenizer_class', '__proto__'],
  ] as const) {
    const valid = key === 'model_max_length' && value === 1e30;
    add(`tokenizer_config.json ${key} ${JSON.stringify(value)}`, { 'tokenizer_config.json': json({ ...config, [key]: value }) }, valid ? 'ok' : 'either');
  }
  add('tokenizer_config.json not json', { 'tokenizer_config.json': utf8('{') });
  // ~125k added tokens: once overflowed the call stack (Math.max over a spread).
  const added = Array.from({ length: 125_000 }, (_, i) => ({ id: lines.length + i, content: `<extra_${i}>`, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  const tokenizerJson = (extra: Record<string, unknown>) =>
    json({ version: '1.0', added_tokens: [], normalizer: { type: 'BertNormalizer', lowercase: true }, pre_tokenizer: { type: 'BertPreTokenizer' }, model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(lines.map((l, i) => [l, i])) }, ...extra });
  add('tokenizer.json with 125,000 added tokens', { 'tokenizer.json': tokenizerJson({ added_tokens: added }) }, 'either');
  add('tokenizer.json valid WordPiece', { 'tokenizer.json': tokenizerJson({}) }, 'ok');
  add('tokenizer.json vocab ids out of order', { 'tokenizer.json': tokenizerJson({ model: { type: 'WordPiece', unk_token: '[UNK]', vocab: { '[UNK]': 5, a: 5 } } }) });
  add('tokenizer.json model "constructor"', { 'tokenizer.json': tokenizerJson({ model: { type: 'constructor' } }) });
  add('tokenizer.json BPE without merges', { 'tokenizer.json': tokenizerJson({ model: { type: 'BPE', vocab: { a: 0 } } }) });
  add('tokenizer.json Unigram vocab a string', { 'tokenizer.json': tokenizerJson({ model: { type: 'Unigram', vocab: 'x' } }) });
  add('tokenizer.json not json', { 'tokenizer.json': utf8('{"model": ') });
  add('tokenizer.json null', { 'tokenizer.json': utf8('null') });
  return cases;
}

function textCases(): FuzzCase[] {
  const texts: [string, string, string | null, FuzzCase['outcome']][] = [
    ['empty', '', null, 'either'],
    ['spaces', '   \t\n ', null, 'either'],
    ['a dash first', '-x', null, 'ok'],
    ['"--help" as text', '--help', null, 'ok'],
    ['NUL bytes', 'a\u0000b\u0000c', null, 'ok'],
    ['control characters', '\u0001\u0002\u0007\u001b[31m', null, 'either'],
    ['lone surrogates', 'a\ud800b\udc00', null, 'ok'],
    ['emoji and ZWJ', '👩‍👩‍👧‍👦 🏳️‍🌈', null, 'ok'],
    ['combining marks', `e${'\u0301'.repeat(5000)}`, null, 'ok'],
    ['right-to-left', 'שלום عالم', null, 'ok'],
    ['CJK', '中文字符测试日本語', null, 'ok'],
    ['1000 [MASK]', Array(1000).fill('[MASK]').join(' '), null, 'ok'],
    ['[CLS] and [SEP] typed', '[CLS] [SEP] [PAD] [UNK]', null, 'ok'],
    ['one 100000-character word', 'a'.repeat(100_000), null, 'ok'],
    ['60,000 words', 'the cat '.repeat(30_000), null, 'ok'],
    ['B alone long', 'a', 'b '.repeat(50_000), 'ok'],
    ['A and B empty', '', '', 'either'],
    ['zero-width spaces', '\u200b'.repeat(1000), null, 'either'],
    ['U+FFFD and BOM', '\ufeff\ufffd\ufffd', null, 'either'],
  ];
  const cases: FuzzCase[] = texts.map(([name, a, b, outcome]) => ({
    name: `text: ${name}`,
    kind: 'text' as const,
    model: 'bert-tiny' as const,
    files: {},
    inputs: { 'a.txt': utf8(a), ...(b === null ? {} : { 'b.txt': utf8(b) }) },
    argv: ['--model', '{model}', '--text-file', '{input:a.txt}', ...(b === null ? [] : ['--text-b-file', '{input:b.txt}']), '--json'],
    outcome,
  }));
  // Over the 512 Ki-character limit, and its file over the 2 MiB file limit.
  cases.push({ name: 'text: 600,000 characters', kind: 'text', model: 'bert-tiny', files: {}, inputs: { 'a.txt': utf8('a '.repeat(300_000)) }, argv: ['--model', '{model}', '--text-file', '{input:a.txt}', '--json'], outcome: 'error' });
  cases.push({ name: 'text: a 3 MB file', kind: 'text', model: 'bert-tiny', files: {}, inputs: { 'a.txt': new Uint8Array(3 * 2 ** 20).fill(0x61) }, argv: ['--model', '{model}', '--text-file', '{input:a.txt}', '--json'], outcome: 'error' });
  cases.push({ name: 'text: invalid UTF-8', kind: 'text', model: 'bert-tiny', files: {}, inputs: { 'a.txt': new Uint8Array([0xff, 0xfe, 0xc0, 0x80, 0x61]) }, argv: ['--model', '{model}', '--text-file', '{input:a.txt}', '--json'], outcome: 'ok' });
  cases.push({ name: 'text: --tokenize-only of 400,000 characters', kind: 'text', model: 'bert-tiny', files: {}, inputs: { 'a.txt': utf8('ab '.repeat(133_000)) }, argv: ['--model', '{model}', '--text-file', '{input:a.txt}', '--tokenize-only', '--json'], outcome: 'ok' });
  return cases;
}

function imageCases(next: () => number): FuzzCase[] {
  const valid = fixture('vit-tiny', 'inputs/case0.png');
  const grey = (w: number, h: number) => png(w, h, 0, new Uint8Array(h * (w + 1)));
  const images: [string, Uint8Array, FuzzCase['outcome']][] = [
    ['empty file', new Uint8Array(), 'error'],
    ['text file', utf8('hello'), 'error'],
    ['random bytes', Uint8Array.from({ length: 2048 }, () => Math.floor(next() * 256)), 'error'],
    ['PNG signature only', valid.slice(0, 8), 'error'],
    ['PNG cut in IHDR', valid.slice(0, 20), 'error'],
    ['PNG cut in IDAT', valid.slice(0, Math.floor(valid.length / 2)), 'error'],
    ['PNG 0x0', png(0, 0, 0), 'error'],
    ['PNG 1x49,000,000 grey, no pixels', png(1, 49_000_000, 0), 'error'],
    ['PNG 100000x100000 header', png(100_000, 100_000, 2), 'error'],
    ['PNG 2^31-1 wide', png(2 ** 31 - 1, 1, 0), 'error'],
    ['PNG colour type 5', png(4, 4, 5, new Uint8Array(20)), 'error'],
    ['PNG 1x1 grey', grey(1, 1), 'ok'],
    ['PNG 1x4000 grey', grey(1, 4000), 'either'],
    ['PNG 3x2 grey', grey(3, 2), 'ok'],
    ['PNG bad CRC', (() => { const b = valid.slice(); b[29] ^= 0xff; return b; })(), 'either'],
    ['PNG with trailing bytes', concat([valid, new Uint8Array(1000)]), 'either'],
    ['GIF 16383x16383 header', gifHeader(16383, 16383), 'error'],
    ['GIF 0x0 header', gifHeader(0, 0), 'error'],
    ['BMP 30000x30000 header', bmpHeader(30000, 30000), 'error'],
    ['BMP negative height', bmpHeader(16, -16), 'error'],
    ['WebP 16383x16383 header', webpHeader(16383, 16383), 'error'],
    ['WebP 8000x8000 header', webpHeader(8000, 8000), 'error'],
    ['JPEG SOI only', new Uint8Array([0xff, 0xd8]), 'error'],
    ['JPEG 65500x65500 SOF', new Uint8Array([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0xff, 0xdc, 0xff, 0xdc, 1, 1, 0x11, 0, 0xff, 0xd9]), 'error'],
    ['valid PNG', valid, 'ok'],
  ];
  const cases: FuzzCase[] = images.map(([name, bytes, outcome]) => ({
    name: `image: ${name}`,
    kind: 'image' as const,
    model: 'vit-tiny' as const,
    files: {},
    inputs: { image: bytes },
    argv: ['--model', '{model}', '--image', '{input:image}', '--json'],
    outcome,
  }));
  for (const path of ['/dev/zero', '/', '/nonexistent.png']) {
    cases.push({ name: `image: ${path}`, kind: 'image', model: 'vit-tiny', files: {}, inputs: {}, argv: ['--model', '{model}', '--image', path], outcome: 'error' });
  }
  return cases;
}

function flagCases(): FuzzCase[] {
  const argvs: [string, string[], FuzzCase['outcome']][] = [
    ['no arguments', [], 'error'],
    ['--help', ['--help'], 'ok'],
    ['no --model', ['--text', 'a'], 'error'],
    ['--model missing folder', ['--model', '/nonexistent', '--text', 'a'], 'error'],
    ['--model a file', ['--model', '/etc/hostname', '--text', 'a'], 'error'],
    ['--model /dev/zero', ['--model', '/dev/zero', '--text', 'a'], 'error'],
    ['--model with no value', ['--model'], 'error'],
    ['neither --text nor --image', ['--model', '{model}'], 'error'],
    ['both --text and --image', ['--model', '{model}', '--text', 'a', '--image', '/dev/null'], 'error'],
    ['--text-b alone', ['--model', '{model}', '--text-b', 'a'], 'error'],
    ['--text and --text-file', ['--model', '{model}', '--text', 'a', '--text-file', '/dev/null'], 'error'],
    ['--text-file /dev/zero', ['--model', '{model}', '--text-file', '/dev/zero'], 'error'],
    ['--text-file a folder', ['--model', '{model}', '--text-file', '/'], 'error'],
    ['--text-file missing', ['--model', '{model}', '--text-file', '/nonexistent'], 'error'],
    ['--tokenize-only with --image', ['--model', '{model}', '--image', '/dev/null', '--tokenize-only'], 'error'],
    ['--image on a text model', ['--model', '{model}', '--image', join(FIXTURES, 'models/vit-tiny/inputs/case0.png')], 'error'],
    ['unknown flag', ['--model', '{model}', '--text', 'a', '--frobnicate'], 'error'],
    ['positional argument', ['--model', '{model}', '--text', 'a', 'extra'], 'error'],
    ['--backend webgl', ['--model', '{model}', '--text', 'a', '--backend', 'webgl'], 'error'],
    ['--backend "constructor"', ['--model', '{model}', '--text', 'a', '--backend', 'constructor'], 'error'],
    ['--text "-x"', ['--model', '{model}', '--text', '-x', '--json'], 'ok'],
    ['--text-b "--json"', ['--model', '{model}', '--text', 'a', '--text-b', '--json', '--json'], 'ok'],
  ];
  for (const k of ['0', '101', '0x10', '1e2', '-1', ' 5', 'abc', '', '5.5', '1000000000000']) {
    argvs.push([`--top-k ${JSON.stringify(k)}`, ['--model', '{model}', '--text', 'a [MASK]', '--top-k', k], 'error']);
  }
  for (const k of ['1', '100']) argvs.push([`--top-k ${k}`, ['--model', '{model}', '--text', 'a [MASK]', '--top-k', k, '--json'], 'ok']);
  return argvs.map(([name, argv, outcome]) => ({ name: `flags: ${name}`, kind: 'flags' as const, model: 'bert-tiny' as const, files: {}, inputs: {}, argv, outcome }));
}

/** Every case, in a fixed order. */
export function makeCorpus(): FuzzCase[] {
  const next = random(0xf022);
  return [
    ...safetensorsCases('bert-tiny', next),
    ...safetensorsCases('vit-tiny', next),
    ...configCases(),
    ...processorCases(),
    ...vocabularyCases(next),
    ...textCases(),
    ...imageCases(next),
    ...flagCases(),
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: npx tsx tests/fuzz/corpus.ts <folder>');
  makeCorpus().forEach((c, i) => {
    const dir = join(out, String(i).padStart(3, '0'));
    mkdirSync(dir, { recursive: true });
    for (const [name, bytes] of Object.entries({ ...c.files, ...c.inputs })) if (bytes) writeFileSync(join(dir, name), bytes);
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ name: c.name, kind: c.kind, model: c.model, removed: Object.keys(c.files).filter((f) => !c.files[f]), argv: c.argv, outcome: c.outcome }, null, 1));
  });
}
