// pytorch_model.bin: both torch.save formats read into the same tensors as safetensors, checkpoints
// that run end to end from them, and hostile or broken files refused without running anything.
// Fixtures: scripts/reference/make_torch_bin_fixtures.py (tests/fixtures/pytorch_bin/metadata.json).

import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/models/backend_node';
import { parsePytorchBin } from '../../src/models/checkpoint/pytorch_bin';
import { parseSafetensors, toFloat32, type TensorEntry } from '../../src/models/checkpoint/safetensors';
import { fromFiles, fromUrl } from '../../src/models/checkpoint/source';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, ModelError, type Model } from '../../src/models';
import type { FullBertOutput, FullVitOutput } from '../../src/models/types';
import { copyFixture, expectClose, FIXTURES, loadFixture } from './helpers';

const BIN = join(__dirname, '../fixtures/pytorch_bin');
const { marker: MARKER } = JSON.parse(readFileSync(join(BIN, 'metadata.json'), 'utf8')) as { marker: string };
const read = (name: string) => new Uint8Array(readFileSync(join(BIN, name)));
const parse = (name: string) => parsePytorchBin(read(name)).tensors;

function parseError(bytes: Uint8Array, code: ModelError['code'] = 'malformed'): string {
  try {
    parsePytorchBin(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).code, (e as Error).message).toBe(code);
    return (e as Error).message;
  }
  throw new Error('expected parsePytorchBin to throw');
}

/** Tensor for tensor: same names, dtypes, shapes and bytes. */
function expectSameTensors(actual: Map<string, TensorEntry>, expected: Map<string, TensorEntry>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, want] of expected) {
    const got = actual.get(name)!;
    expect([got.dtype, got.shape], name).toEqual([want.dtype, want.shape]);
    expect(Buffer.from(got.bytes).equals(Buffer.from(want.bytes)), `${name} bytes`).toBe(true);
  }
}

const scratch: string[] = [];
/** A copy of a fixture checkpoint whose weights are only the given pytorch_model.bin. */
function binOnly(fixture: string, bin: string): string {
  const dir = copyFixture(fixture);
  scratch.push(dir);
  unlinkSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'pytorch_model.bin'), read(bin));
  return dir;
}

/** The archive's entries, to rebuild a variant of it with fflate's zipSync. */
function entries(name: string): Zippable {
  return { ...unzipSync(read(name)) };
}
const rezip = (files: Zippable, level: 0 | 6 = 0) => zipSync(files, { level });

beforeAll(() => initNodeBackend('cpu'));
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('both torch.save formats give the tensors safetensors gives', () => {
  const reference = parseSafetensors(read('tensors.safetensors')).tensors;

  it.each(['tensors-zip.bin', 'tensors-legacy.bin', 'tensors-protocol4.bin'])(
    '%s: F32, F16, BF16, F64, I64, scalars, empty, shared storages, non-contiguous views, a Parameter',
    (file) => {
      const tensors = parse(file);
      expectSameTensors(tensors, reference);
      // The state dict keeps torch's order, not the sorted order of the reference.
      expect([...tensors.keys()].slice(0, 3)).toEqual(['f32', 'f16', 'bf16']);
      expect(tensors.get('scalar')!.shape).toEqual([]);
      expect(Array.from(toFloat32(tensors.get('scalar')!))).toEqual([3.5]);

      // A contiguous view of a shared storage is a view of the same bytes, at its storage offset.
      const base = tensors.get('shared.base')!.bytes;
      const rows = tensors.get('shared.rows')!.bytes;
      expect(rows.buffer).toBe(base.buffer);
      expect(rows.byteOffset).toBe(base.byteOffset + 6 * 4);
      expect(tensors.get('shared.same_tensor')!.bytes.byteOffset).toBe(base.byteOffset);

      // Non-contiguous views are gathered in row-major order.
      const b = toFloat32(tensors.get('shared.base')!);
      const t = toFloat32(tensors.get('shared.transposed')!);
      for (let i = 0; i < 6; i++) for (let j = 0; j < 4; j++) expect(t[i * 4 + j]).toBe(b[j * 6 + i]);
      const strided = toFloat32(tensors.get('shared.strided')!);
      expect(Array.from(strided.slice(0, 3))).toEqual([b[7], b[9], b[11]]);
      const expanded = toFloat32(tensors.get('expanded')!);
      for (let i = 0; i < 3; i++) expect(new Set(expanded.slice(i * 4, i * 4 + 4)).size).toBe(1);
    },
  );

  it('reads legacy storages in place, without copying them out of the file', () => {
    const file = read('tensors-legacy.bin');
    const base = parsePytorchBin(file).tensors.get('shared.base')!.bytes;
    expect(base.buffer).toBe(file.buffer);
  });

  it('reads a re-zipped (deflated) archive, and any top folder name', () => {
    const files = entries('tensors-zip.bin');
    const renamed = Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace(/^tensors-zip\//, 'archive/'), v]));
    expectSameTensors(parsePytorchBin(rezip(renamed, 6)).tensors, reference);
  });
});

describe('fixture checkpoints saved as pytorch_model.bin', () => {
  const stored = (fixture: string) => parseSafetensors(new Uint8Array(readFileSync(join(FIXTURES, fixture, 'model.safetensors')))).tensors;

  it('bert-tiny (zip, as transformers saves it): every tensor of model.safetensors, plus the tied decoder and position_ids', () => {
    const tensors = parse('bert-tiny.bin');
    const extra = ['bert.embeddings.position_ids', 'cls.predictions.decoder.weight'];
    expectSameTensors(new Map([...tensors].filter(([k]) => !extra.includes(k))), stored('bert-tiny'));
    // The tied decoder weight is the word-embedding tensor itself: the same bytes of one storage.
    const decoder = tensors.get('cls.predictions.decoder.weight')!.bytes;
    const embeddings = tensors.get('bert.embeddings.word_embeddings.weight')!.bytes;
    expect([decoder.buffer, decoder.byteOffset, decoder.byteLength]).toEqual([embeddings.buffer, embeddings.byteOffset, embeddings.byteLength]);
    expect(decoder.buffer).toBe(embeddings.buffer);
    const positionIds = tensors.get('bert.embeddings.position_ids')!;
    expect([positionIds.dtype, positionIds.shape]).toEqual(['I64', [1, 40]]);
    expect(Array.from(toFloat32(positionIds))).toEqual([...Array(40).keys()]);
  });

  it.each([
    ['bert-tiny-legacy-f16.bin', 'bert-tiny-legacy-f16'],
    ['vit-tiny-grey-bf16.bin', 'vit-tiny-grey-bf16'],
  ])('%s: the same tensors as model.safetensors', (bin, fixture) => {
    expectSameTensors(parse(bin), stored(fixture));
  });

  async function bothPaths(fixture: string, bin: string): Promise<[Model, Model]> {
    const fromBin = await loadModel(await fromFolder(binOnly(fixture, bin)));
    const fromSafetensors = await loadModel(await fromFolder(join(FIXTURES, fixture)));
    expect(fromBin.info.weights_file).toBe('pytorch_model.bin');
    expect(fromSafetensors.info.weights_file).toBe('model.safetensors');
    return [fromBin, fromSafetensors];
  }

  const bertOutputs = (o: FullBertOutput) => [o.embeddings.word, ...o.hidden_states, ...o.attentions, o.pooler_output!];

  it.each(['bert-tiny', 'bert-tiny-legacy-f16'])('%s runs from pytorch_model.bin exactly as from model.safetensors, within the PyTorch criterion', async (fixture) => {
    const [bin, st] = await bothPaths(fixture, `${fixture}.bin`);
    if (bin.kind !== 'bert' || st.kind !== 'bert') throw new Error('expected BERT');
    // Name mapping is shared: legacy gamma/beta names are read the same way, and warn the same way.
    const renamed = st.info.warnings.map((w) => w.replace('model.safetensors', 'pytorch_model.bin'));
    expect(bin.info.warnings).toEqual(
      fixture === 'bert-tiny' ? [...renamed, '1 tensor(s) in pytorch_model.bin are not used: cls.predictions.decoder.weight.'] : renamed,
    );
    const fx = loadFixture(fixture);
    for (const [i, c] of fx.cases.entries()) {
      const a = await bin.runIds(c.input_ids as number[], c.token_type_ids as number[]);
      const b = await st.runIds(c.input_ids as number[], c.token_type_ids as number[]);
      expect(bertOutputs(a)).toEqual(bertOutputs(b));
      expect(a.mlm?.map((m) => m.log_probs)).toEqual(b.mlm?.map((m) => m.log_probs));
      expect(a.nsp).toEqual(b.nsp);
      for (let l = 0; l < a.hidden_states.length; l++) expectClose(a.hidden_states[l], fx.expected(`case${i}.hidden_states.${l}`), `${fixture} case${i} hidden ${l}`);
      for (let l = 0; l < a.attentions.length; l++) expectClose(a.attentions[l], fx.expected(`case${i}.attentions.${l}`), `${fixture} case${i} attention ${l}`);
    }
    bin.dispose();
    st.dispose();
  });

  it('vit-tiny-grey-bf16 runs from pytorch_model.bin exactly as from model.safetensors, within the PyTorch criterion', async () => {
    const [bin, st] = await bothPaths('vit-tiny-grey-bf16', 'vit-tiny-grey-bf16.bin');
    if (bin.kind !== 'vit' || st.kind !== 'vit') throw new Error('expected ViT');
    expect(bin.info.warnings).toEqual(st.info.warnings.map((w) => w.replace('model.safetensors', 'pytorch_model.bin')));
    const fx = loadFixture('vit-tiny-grey-bf16');
    const vitOutputs = (o: FullVitOutput) => [...o.hidden_states, ...o.attentions, o.logits!];
    for (const [i, c] of fx.cases.entries()) {
      const opts = { interpolatePosEncoding: c.interpolate_pos_encoding as boolean };
      const a = await bin.runPixels(fx.expected(c.pixel_values_key as string), opts);
      const b = await st.runPixels(fx.expected(c.pixel_values_key as string), opts);
      expect(vitOutputs(a)).toEqual(vitOutputs(b));
      expectClose(a.logits!, fx.expected(`case${i}.logits`), `vit case${i} logits`);
      expectClose(a.last_hidden_state, fx.expected(`case${i}.last_hidden_state`), `vit case${i} last hidden state`);
    }
    bin.dispose();
    st.dispose();
  });

  it('prefers model.safetensors when both files are present (the .bin is never read)', async () => {
    const dir = copyFixture('bert-tiny');
    scratch.push(dir);
    writeFileSync(join(dir, 'pytorch_model.bin'), 'not a checkpoint');
    const model = await loadModel(await fromFolder(dir));
    expect(model.info.weights_file).toBe('model.safetensors');
    model.dispose();
  });

  it('loads pytorch_model.bin from dropped files and from a URL, with progress', async () => {
    const dir = binOnly('bert-tiny', 'bert-tiny.bin');
    const names = ['config.json', 'pytorch_model.bin', 'vocab.txt', 'tokenizer_config.json'];
    const bytes = (n: string) => new Uint8Array(readFileSync(join(dir, n)));

    const dropped = await loadModel(fromFiles(names.map((n) => new File([bytes(n)], n))));
    expect(dropped.info.weights_file).toBe('pytorch_model.bin');
    dropped.dispose();

    const fakeFetch = (async (input: string | URL) => {
      await Promise.resolve();
      const name = input.toString().split('/').pop()!;
      if (!names.includes(name)) return new Response('not here', { status: 404 });
      return new Response(bytes(name), { headers: { 'content-length': String(bytes(name).length) } });
    }) as typeof fetch;
    const files: string[] = [];
    const fetched = await loadModel(fromUrl('https://example.test/bert-tiny', { fetch: fakeFetch }), { onProgress: (p) => files.push(p.file) });
    expect(fetched.info.weights_file).toBe('pytorch_model.bin');
    expect(new Set(files)).toEqual(new Set(['pytorch_model.bin']));
    fetched.dispose();
  });
});

describe('hostile files are refused, and nothing in them runs', () => {
  beforeAll(() => rmSync(MARKER, { force: true }));

  it.each([
    ['evil-os-system.bin', 'posix.system'],
    ['evil-os-system-legacy.bin', 'posix.system'],
    ['evil-eval.bin', '__builtin__.eval'],
    ['whole-module.bin', 'torch.nn.modules.linear.Linear'],
  ])('%s: refuses the global %s by name', async (file, global) => {
    const message = parseError(read(file), 'unsupported');
    expect(message).toContain(`refers to the Python global "${global}"`);
    expect(message).toMatch(/It was not loaded: unpickling it could run code/);

    // Through the loader too: a clear error, nothing left on the backend, and the payload never ran.
    const before = tf.memory().numTensors;
    const error = await loadModel(await fromFolder(binOnly('bert-tiny', file))).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ModelError);
    expect((error as Error).message).toBe(message);
    expect(tf.memory().numTensors).toBe(before);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('refuses opcodes torch.save never writes, by name', () => {
    // An INST opcode (instantiate a class by name) as data.pkl of an otherwise valid archive.
    const inst = Uint8Array.from('\x80\x02(ios\nsystem\nS"touch x"\n.', (c) => c.charCodeAt(0));
    expect(parseError(rezip({ 'archive/data.pkl': inst }), 'unsupported')).toMatch(/uses the pickle opcode INST \(byte 3\)/);
  });

  it('refuses tensors reaching past their storage (torch.load refuses these two as well)', () => {
    expect(parseError(read('offset-out-of-bounds.bin'))).toMatch(/tensor "w" \(size \[1\], stride \[1\], storage offset 7\) reaches past the 6 elements of its storage/);
    expect(parseError(read('stride-out-of-bounds.bin'))).toMatch(/tensor "w" \(size \[2,3\], stride \[3,1\], storage offset 1\) reaches past the 6 elements/);
  });

  it('refuses dtypes it cannot read, naming the tensor', () => {
    expect(parseError(read('bool-tensor.bin'), 'unsupported')).toMatch(/tensor "mask" has dtype bool; supported are float32, float16, bfloat16/);
  });
});

describe('broken files fail with a clear error', () => {
  it('empty, unknown and tar files', () => {
    expect(parseError(new Uint8Array(0))).toBe('pytorch_model.bin is not a valid PyTorch checkpoint: the file is empty. Re-download or re-save it.');
    expect(parseError(new TextEncoder().encode('version https://git-lfs.github.com/spec/v1\n'))).toMatch(/neither a zip archive \(torch >= 1.6\) nor a pickle/);
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    expect(parseError(tar, 'unsupported')).toMatch(/tar format of torch < 0.4/);
  });

  it('truncated zip archives, anywhere', () => {
    const file = read('bert-tiny.bin');
    for (const length of [10, 100, file.length >> 1, file.length - 1]) {
      expect(parseError(file.slice(0, length))).toMatch(/not a readable zip archive .*truncated download\?/);
    }
  });

  it('truncated legacy files, in a pickle or in the storages', () => {
    const file = read('bert-tiny-legacy-f16.bin');
    expect(parseError(file.slice(0, 400))).toMatch(/\(state dict\) is not a valid PyTorch pickle: it ends after \d+ bytes, in the middle of an opcode \(truncated file\?\)/);
    expect(parseError(file.slice(0, file.length - 1))).toMatch(/storage "\d+" runs past the end of the file \(truncated download\?\)/);
  });

  it('bogus zip archives', () => {
    const garbage = new Uint8Array(200).fill(7);
    garbage.set([0x50, 0x4b, 0x03, 0x04]);
    expect(parseError(garbage)).toMatch(/not a readable zip archive \(invalid zip data/);
    expect(parseError(rezip({ 'notes.txt': new Uint8Array(3) }))).toMatch(/the zip archive has no <name>\/data.pkl/);
    expect(parseError(rezip({ 'model/data.pkl': new Uint8Array([0x80, 0x02, 0x5d, 0x2e]) }), 'unsupported')).toMatch(
      /holds a tuple or list, not a state dict/,
    );
    expect(parseError(rezip({ 'm/data.pkl': new Uint8Array(0), 'n/data.pkl': new Uint8Array(0) }))).toMatch(/holds several <name>\/data.pkl/);
    expect(parseError(read('torchscript.bin'), 'unsupported')).toMatch(/is a TorchScript archive \(torch.jit.save\), not a state dict/);
  });

  it('missing, short and big-endian storages', () => {
    const files = entries('bert-tiny.bin');
    const { 'bert-tiny/data/0': storage0, ...rest } = files as Record<string, Uint8Array>;
    expect(parseError(rezip(rest))).toMatch(/storage "0" has no zip entry bert-tiny\/data\/0/);
    expect(parseError(rezip({ ...rest, 'bert-tiny/data/0': storage0.subarray(4) }))).toMatch(
      /bert-tiny\/data\/0 has \d+ bytes but its \d+ float32 elements need \d+/,
    );
    expect(parseError(rezip({ ...files, 'bert-tiny/byteorder': new TextEncoder().encode('big') }), 'unsupported')).toMatch(/big-endian/);
  });

  it('bad weights files through the loader: which file, and nothing left behind', async () => {
    const dir = copyFixture('bert-tiny');
    scratch.push(dir);
    unlinkSync(join(dir, 'model.safetensors'));
    writeFileSync(join(dir, 'pytorch_model.bin'), read('bert-tiny.bin').slice(0, 1000));
    const error = await loadModel(await fromFolder(dir)).then(
      () => null,
      (e: unknown) => e,
    );
    expect([(error as ModelError).code, (error as Error).message]).toEqual(['malformed', expect.stringMatching(/^pytorch_model.bin is not a valid PyTorch checkpoint/)]);
  });
});
