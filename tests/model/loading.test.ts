// Loading checkpoints: name mapping, optional heads, sources, and clear errors for broken input.

import { readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFiles, fromUrl } from '../../src/models/checkpoint/source';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { detectModelKind } from '../../src/models/checkpoint/weights';
import { JsonFields } from '../../src/models/checkpoint/json';
import { loadModel, ModelError, type Model } from '../../src/models';
import type { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import type { LoadProgress } from '../../src/models/types';
import { copyFixture, encodeSafetensors, expectClose, FIXTURES, loadFixture, readCheckpointTensors } from './helpers';

const scratch: string[] = [];
function scratchCopy(name: string, weights?: Uint8Array): string {
  const dir = copyFixture(name, weights);
  scratch.push(dir);
  return dir;
}

async function loadError(dir: string): Promise<ModelError> {
  const before = tf.memory().numTensors;
  try {
    (await loadModel(await fromFolder(dir))).dispose();
  } catch (e) {
    expect(e).toBeInstanceOf(ModelError);
    // A failed load leaves nothing behind on the backend.
    expect(tf.memory().numTensors).toBe(before);
    return e as ModelError;
  }
  throw new Error(`expected loading ${dir} to fail`);
}

/** The ModelError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<ModelError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelError);
  return e as ModelError;
}

beforeAll(() => initNodeBackend('cpu'));
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('weight names and optional heads', () => {
  it('maps legacy gamma/beta LayerNorm names and an untied decoder (bert-tiny-legacy-f16)', async () => {
    const model = await loadModel(await fromFolder(join(FIXTURES, 'bert-tiny-legacy-f16')));
    if (model.kind !== 'bert') throw new Error('expected BERT');
    expect(model.info.heads).toEqual({ mlm: true, nsp: true, pooler: true, sop: false, rtd: false });
    expect(model.info.warnings).toContain('Legacy LayerNorm names (gamma/beta) were read as weight/bias.');
    // cls.predictions.decoder.bias duplicates cls.predictions.bias and is the only tensor left over.
    expect(model.info.warnings.join('\n')).toMatch(/1 tensor\(s\) in model.safetensors are not used: cls.predictions.decoder.bias/);
    model.dispose();
  });

  it('runs a bare BertModel with unprefixed keys and disables the missing heads with warnings', async () => {
    const model = await loadModel(await fromFolder(join(FIXTURES, 'bert-tiny-base-only')));
    if (model.kind !== 'bert') throw new Error('expected BERT');
    expect(model.info.heads).toEqual({ mlm: false, nsp: false, pooler: true, sop: false, rtd: false });
    expect(model.info.warnings.join('\n')).toMatch(/No masked-LM head/);
    expect(model.info.warnings.join('\n')).toMatch(/No next-sentence head/);
    const out = await model.run('the [MASK] sat.');
    expect(out.mlm).toBeNull();
    expect(out.nsp).toBeNull();
    expect(out.pooler_output!.shape).toEqual([32]);
    model.dispose();
  });

  it('runs a BertForMaskedLM (no pooler, no NSP) and a ViTModel (no classifier), saying what is missing', async () => {
    const bertTensors = readCheckpointTensors(join(FIXTURES, 'bert-tiny'));
    const mlmOnly = Object.fromEntries(Object.entries(bertTensors).filter(([k]) => !k.startsWith('bert.pooler.') && !k.startsWith('cls.seq_relationship.')));
    const bert = await loadModel(await fromFolder(scratchCopy('bert-tiny', encodeSafetensors(mlmOnly))));
    if (bert.kind !== 'bert') throw new Error('expected BERT');
    expect(bert.info.heads).toEqual({ mlm: true, nsp: false, pooler: false, sop: false, rtd: false });
    expect(bert.info.warnings.join('\n')).toMatch(/No pooler \(pooler.dense\) in this checkpoint: pooler output and next-sentence prediction are disabled/);
    const c = loadFixture('bert-tiny').cases[2];
    const out = await bert.runIds(c.input_ids as number[], c.token_type_ids as number[]);
    expect(out.nsp).toBeNull();
    expect(out.pooler_output).toBeNull();
    expectClose(out.hidden_states[3], loadFixture('bert-tiny').expected('case2.hidden_states.3'), 'BertForMaskedLM hidden states');
    expect(out.mlm!.map((m) => m.position)).toEqual([2, 6]);
    bert.dispose();

    const vitTensors = readCheckpointTensors(join(FIXTURES, 'vit-tiny'));
    const backbone = Object.fromEntries(Object.entries(vitTensors).filter(([k]) => !k.startsWith('classifier.')));
    const vit = await loadModel(await fromFolder(scratchCopy('vit-tiny', encodeSafetensors(backbone))));
    if (vit.kind !== 'vit') throw new Error('expected ViT');
    expect(vit.info.heads).toEqual({ classifier: false, distillation: false });
    expect(vit.info.warnings.join('\n')).toMatch(/No classifier head in this checkpoint/);
    const pixels = await vit.runPixels(loadFixture('vit-tiny').expected('case2.pixel_values'));
    expect(pixels.logits).toBeNull();
    expect(pixels.top).toBeNull();
    vit.dispose();
  });

  it('runs a non-distilled DeiT checkpoint ("deit." prefix) exactly like ViT, and wants a distillation row in a distilled one', async () => {
    const tensors = readCheckpointTensors(join(FIXTURES, 'vit-tiny'));
    const renamed = Object.fromEntries(Object.entries(tensors).map(([k, v]) => [k.replace(/^vit\./, 'deit.'), v]));
    const dir = scratchCopy('vit-tiny', encodeSafetensors(renamed));
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, model_type: 'deit', architectures: ['DeiTForImageClassification'] }));
    const model = await loadModel(await fromFolder(dir));
    if (model.kind !== 'vit') throw new Error('expected ViT');
    const fx = loadFixture('vit-tiny');
    const out = await model.runPixels(fx.expected('case2.pixel_values'));
    expectClose(out.logits!, fx.expected('case2.logits'), 'deit logits');
    model.dispose();

    const distilled = { ...renamed, 'deit.embeddings.distillation_token': tensors['vit.embeddings.cls_token'] };
    writeFileSync(join(dir, 'model.safetensors'), encodeSafetensors(distilled));
    // A distillation token needs its own position row before the grid: 2 + 16 rows, not 1 + 16.
    const error = await loadError(dir);
    expect(error.code).toBe('mismatch');
    expect(error.message).toMatch(/deit\.embeddings\.position_embeddings has shape \[1,17,32\], expected \[1,18,32\] from config 2 \+ patches/);
  });

  it('tells the model kind from model_type, architectures or tensor names', () => {
    const config = (value: Record<string, unknown>) => JsonFields.of(value, 'config.json');
    expect(detectModelKind(config({ model_type: 'bert' }), [])).toBe('bert');
    expect(detectModelKind(config({ model_type: 'deit' }), [])).toBe('deit');
    expect(detectModelKind(config({ model_type: 'roberta' }), [])).toBe('roberta');
    expect(detectModelKind(config({ architectures: ['BertForMaskedLM'] }), [])).toBe('bert');
    expect(detectModelKind(config({ architectures: ['DistilBertForMaskedLM'] }), [])).toBe('distilbert');
    expect(detectModelKind(config({ architectures: ['ElectraForPreTraining'] }), [])).toBe('electra');
    expect(detectModelKind(config({}), ['albert.encoder.embedding_hidden_mapping_in.weight'])).toBe('albert');
    expect(detectModelKind(config({}), ['bert.embeddings.word_embeddings.weight'])).toBe('bert');
    expect(detectModelKind(config({}), ['vit.embeddings.patch_embeddings.projection.weight'])).toBe('vit');
    expect(detectModelKind(config({ model_type: 'mini_cnn' }), [])).toBe('mini_cnn');
    expect(detectModelKind(config({ architectures: ['CnnForImageClassification'] }), [])).toBe('mini_cnn');
    expect(detectModelKind(config({}), ['cnn.layers.0.convolution.weight'])).toBe('mini_cnn');
    expect(() => detectModelKind(config({ model_type: 'xlnet' }), [])).toThrow(
      /model_type "xlnet"; this playground runs "bert", "distilbert", "roberta", "albert", "electra", "vit", "deit", "mini_cnn"/,
    );
    expect(() => detectModelKind(config({}), ['foo'])).toThrow(/Cannot tell which model/);
  });
});

describe('broken checkpoints fail with a clear error', () => {
  it('wrong shape: names the tensor, both shapes and the config key', async () => {
    const tensors = readCheckpointTensors(join(FIXTURES, 'bert-tiny'));
    tensors['bert.encoder.layer.1.attention.self.query.weight'] = { dtype: 'F32', shape: [32, 30], bytes: new Uint8Array(32 * 30 * 4) };
    const error = await loadError(scratchCopy('bert-tiny', encodeSafetensors(tensors)));
    expect(error.code).toBe('mismatch');
    expect(error.message).toContain(
      'bert.encoder.layer.1.attention.self.query.weight has shape [32,30], expected [32,32] from config hidden_size=32',
    );
  });

  it('missing required weight: names it', async () => {
    const tensors = readCheckpointTensors(join(FIXTURES, 'vit-tiny'));
    delete tensors['vit.encoder.layer.2.output.dense.bias'];
    const error = await loadError(scratchCopy('vit-tiny', encodeSafetensors(tensors)));
    expect(error.code).toBe('mismatch');
    expect(error.message).toMatch(/has no tensor "vit.encoder.layer.2.output.dense.bias"/);
  });

  it('truncated model.safetensors', async () => {
    const bytes = readFileSync(join(FIXTURES, 'bert-tiny', 'model.safetensors'));
    const error = await loadError(scratchCopy('bert-tiny', new Uint8Array(bytes.subarray(0, bytes.length - 100))));
    expect(error.code).toBe('malformed');
    expect(error.message).toMatch(/tensor "[\w.]+" ends at byte \d+ but the data area has only \d+ bytes \(truncated file\?\)/);
  });

  it('garbage header', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, 'bert-tiny', 'model.safetensors')));
    bytes.fill(0x21, 8, 40);
    const error = await loadError(scratchCopy('bert-tiny', bytes));
    expect(error.code).toBe('malformed');
    expect(error.message).toMatch(/model.safetensors is not a valid safetensors file: header is not valid UTF-8 JSON/);
  });

  it('missing files, unsupported formats and configs', async () => {
    const noConfig = scratchCopy('bert-tiny');
    unlinkSync(join(noConfig, 'config.json'));
    expect((await loadError(noConfig)).code).toBe('not_found');

    const noWeights = scratchCopy('bert-tiny');
    unlinkSync(join(noWeights, 'model.safetensors'));
    const none = await loadError(noWeights);
    expect([none.code, none.message]).toEqual(['not_found', expect.stringMatching(/has no model.safetensors or pytorch_model.bin\.$/)]);
    writeFileSync(join(noWeights, 'model.safetensors.index.json'), '{}');
    const sharded = await loadError(noWeights);
    expect([sharded.code, sharded.message]).toEqual(['unsupported', expect.stringMatching(/is a sharded checkpoint \(model.safetensors.index.json\)/)]);
    // pytorch_model.bin is read when there is no model.safetensors (tests/model/pytorch_bin.test.ts); a broken one names itself.
    writeFileSync(join(noWeights, 'pytorch_model.bin'), 'x');
    const pt = await loadError(noWeights);
    expect([pt.code, pt.message]).toEqual(['malformed', expect.stringMatching(/^pytorch_model.bin is not a valid PyTorch checkpoint: it is neither a zip archive/)]);

    const badAct = scratchCopy('bert-tiny');
    const config = JSON.parse(readFileSync(join(badAct, 'config.json'), 'utf8'));
    writeFileSync(join(badAct, 'config.json'), JSON.stringify({ ...config, hidden_act: 'mish' }));
    const act = await loadError(badAct);
    expect([act.code, act.message]).toEqual(['unsupported', expect.stringMatching(/hidden_act "mish" is not supported/)]);

    writeFileSync(join(badAct, 'config.json'), '{"model_type": ');
    expect((await loadError(badAct)).message).toMatch(/config.json is not valid JSON/);

    const badSize = scratchCopy('vit-tiny');
    const vitConfig = JSON.parse(readFileSync(join(badSize, 'config.json'), 'utf8'));
    writeFileSync(join(badSize, 'config.json'), JSON.stringify({ ...vitConfig, image_size: [16, 0] }));
    expect((await loadError(badSize)).message).toBe('config.json: "image_size" must be a positive integer or [height, width], got [16,0].');
    writeFileSync(join(badSize, 'config.json'), JSON.stringify({ ...vitConfig, image_size: [16, 16] }));
    (await loadModel(await fromFolder(badSize))).dispose();

    expect((await rejection(fromFolder('/no/such/folder'))).code).toBe('not_found');
  });

  it('rejects bad inputs at run time without losing the model', async () => {
    const model = await loadModel(await fromFolder(join(FIXTURES, 'bert-tiny')));
    if (model.kind !== 'bert') throw new Error('expected BERT');
    await expect(model.runIds([2, 999999, 3], [0, 0, 0])).rejects.toThrow(/input_ids\[1\] = 999999 is outside the vocabulary \(vocab_size=631\)/);
    await expect(model.runIds([2, 3], [0])).rejects.toThrow(/token_type_ids has 1/);
    await expect(model.runIds(Array(41).fill(5), Array(41).fill(0))).rejects.toThrow(/at most max_position_embeddings=40/);
    const c = loadFixture('bert-tiny').cases[1];
    const fromText = await model.run(c.text_a as string, c.text_b as string);
    const fromIds = await model.runIds(c.input_ids as number[], c.token_type_ids as number[]);
    expect(fromIds.encoding.tokens).toEqual(fromText.encoding.tokens);
    expect(fromIds.encoding.segment).toEqual(fromText.encoding.segment);
    expect(fromIds.encoding.segment).toContain(1);
    const long = await model.run('word '.repeat(100));
    expect(long.encoding.input_ids.length).toBe(40);
    expect(long.encoding.truncated).toBe((model.tokenizer as BertTokenizer).tokenize('word '.repeat(100)).tokens.length - 38);
    model.dispose();
    await expect(model.runIds([2, 3], [0, 0])).rejects.toThrow(/unloaded/);

    const vit = await loadModel(await fromFolder(join(FIXTURES, 'vit-tiny')));
    if (vit.kind !== 'vit') throw new Error('expected ViT');
    const before = tf.memory().numTensors;
    // 1200x1200 with patch_size 4 is 90 000 patches: hundreds of GiB of attention maps.
    const huge = { shape: [3, 1200, 1200], data: new Float32Array(3 * 1200 * 1200) };
    await expect(vit.runPixels(huge, { interpolatePosEncoding: true })).rejects.toThrow(
      /^The image \(1200x1200\) makes 90000 patches; their attention maps would take \d+\.\d GiB \(limit 1 GiB\)/,
    );
    await expect(vit.runPixels({ shape: [1, 16, 16], data: new Float32Array(256) })).rejects.toThrow(/expects num_channels=3/);
    expect(tf.memory().numTensors).toBe(before);
    const fx = loadFixture('vit-tiny');
    expectClose((await vit.runPixels(fx.expected('case0.pixel_values'))).logits!, fx.expected('case0.logits'), 'vit after bad input');
    vit.dispose();
  });
});

describe('checkpoint sources', () => {
  const names = ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json'];
  const fileBytes = (name: string) => readFileSync(join(FIXTURES, 'bert-tiny', name));

  it('loads from dropped files', async () => {
    const files = names.map((n) => new File([fileBytes(n)], n));
    const model = await loadModel(fromFiles(files));
    expect(model.kind).toBe('bert');
    expect(model.info.weights_file).toBe('model.safetensors');
    model.dispose();
  });

  it('streams from a URL with byte-accurate progress, and maps HTTP failures', async () => {
    const fakeFetch = (async (input: string | URL) => {
      await Promise.resolve();
      const url = input.toString();
      const name = url.slice(url.lastIndexOf('/') + 1);
      if (url.includes('/gated/')) return new Response('', { status: 401 });
      if (url.includes('/offline/')) throw new TypeError('fetch failed');
      if (!names.includes(name)) return new Response('not here', { status: 404 });
      const bytes = new Uint8Array(fileBytes(name));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 50_000) controller.enqueue(bytes.slice(i, i + 50_000));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-length': String(bytes.length), 'content-type': 'application/octet-stream' } });
    }) as typeof fetch;

    const progress: LoadProgress[] = [];
    const model: Model = await loadModel(fromUrl('https://example.test/bert-tiny', { fetch: fakeFetch }), {
      onProgress: (p) => progress.push(p),
    });
    const size = fileBytes('model.safetensors').length;
    expect(progress[0]).toEqual({ file: 'model.safetensors', loaded: 0, total: size });
    expect(progress.at(-1)).toEqual({ file: 'model.safetensors', loaded: size, total: size });
    expect(progress.length).toBe(2 + Math.floor(size / 50_000));
    model.dispose();

    const gated = await rejection(loadModel(fromUrl('https://example.test/gated/', { fetch: fakeFetch })));
    expect([gated.code, gated.message]).toEqual(['gated', expect.stringMatching(/gated or private/)]);
    const offline = await rejection(loadModel(fromUrl('https://example.test/offline/', { fetch: fakeFetch })));
    expect(offline.code).toBe('offline');
    const missing = await rejection(fromUrl('https://example.test/x/', { fetch: fakeFetch }).read('nope.bin'));
    expect([missing.code, missing.message]).toEqual(['not_found', 'https://example.test/x/ has no file "nope.bin". Check the model URL.']);
  });
});

describe('memory', () => {
  // numTensors is an exact count, so a leak of even one tensor per forward shows after the first
  // repeat; 20 repeats also catch a leak that happens only on some runs (e.g. every other one).
  it('keeps tf.memory().numTensors flat over 20 forwards and frees everything on dispose', async () => {
    const start = tf.memory().numTensors;
    const bert = await loadModel(await fromFolder(join(FIXTURES, 'bert-tiny')));
    const vit = await loadModel(await fromFolder(join(FIXTURES, 'vit-tiny')));
    if (bert.kind !== 'bert' || vit.kind !== 'vit') throw new Error('unexpected kinds');
    const pixels = loadFixture('vit-tiny').expected('case3.pixel_values');
    await bert.run('the [MASK] sat.', 'on the mat.');
    await vit.runPixels(pixels, { interpolatePosEncoding: true });
    const loaded = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      await bert.run('the [MASK] sat.', 'on the mat.');
      await vit.runPixels(pixels, { interpolatePosEncoding: true });
    }
    await expect(bert.runIds([2, 1e6, 3], [0, 0, 0])).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(loaded);
    bert.dispose();
    vit.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
