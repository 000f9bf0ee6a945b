// The CLI against PyTorch's numbers. Most checks call `infer(argv)` in-process (one tfjs start for
// the whole file); two spawn the real executable to check what only a process shows: stdout holds
// nothing but the JSON, large output survives a pipe, and errors set the exit status.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { infer, type CliResult } from '../../src/cli/infer';
import { logSoftmax, softmax, topKIndices } from '../../src/models/shared/math';
import type { NdArray } from '../../src/models/types';
import { copyFixture, encodeSafetensors, expectClose, FIXTURES, loadFixture, readCheckpointTensors, rows } from './helpers';

const ROOT = join(__dirname, '../..');

async function spawnCli(...args: string[]): Promise<CliResult> {
  try {
    // Through the tsx launcher, as `npm run infer` runs it: it relays the child's stdout through a pipe.
    const { stdout, stderr } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/infer.ts', ...args], {
      cwd: ROOT,
      maxBuffer: 64 << 20,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Nested JSON arrays back to an NdArray. */
function nd(value: unknown): NdArray {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return { shape, data: Float32Array.from((value as unknown[]).flat(Infinity) as number[]) };
}

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratchFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
  scratch.push(dir);
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

interface TextJson {
  tokens: string[];
  input_ids: number[];
  token_type_ids: number[];
  truncated: number;
  attentions: unknown[];
  last_hidden_state: unknown;
  pooler_output: number[];
  mlm: { position: number; top: { id: number; token: string; prob: number }[] }[];
  nsp: { is_next: number; not_next: number };
  warnings: string[];
}

interface ImageJson {
  grid: [number, number];
  logits: number[];
  top: { label: string; id: number; prob: number }[];
  attentions: unknown[];
  cls: number[];
  position_similarity: unknown;
  warnings: string[];
}

/** A successful run's parsed JSON, after checking it printed nothing else. */
function json<T>(r: CliResult): T {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const bert = loadFixture('bert-tiny');

/** Every attention map and the last hidden state of a BERT --json run against fixture case `i`. */
function expectBertCase(out: TextJson, i: number): void {
  const c = bert.cases[i];
  expect(out.tokens).toEqual(c.tokens);
  expect(out.input_ids).toEqual(c.input_ids);
  expect(out.token_type_ids).toEqual(c.token_type_ids);
  for (let l = 0; l < 3; l++) expectClose(nd(out.attentions[l]), bert.expected(`case${i}.attentions.${l}`), `cli case${i} attentions.${l}`);
  expectClose(nd(out.last_hidden_state), bert.expected(`case${i}.hidden_states.3`), `cli case${i} last_hidden_state`);
  expectClose(nd(out.pooler_output), bert.expected(`case${i}.pooler_output`), `cli case${i} pooler_output`);
  const nsp = softmax(bert.expected(`case${i}.seq_relationship_logits`).data);
  expectClose(nd([out.nsp.is_next, out.nsp.not_next]), { shape: [2], data: nsp }, `cli case${i} nsp`);
}

describe('infer CLI', () => {
  it('BERT --json: tokens, every attention, last hidden state, pooler, MLM and NSP match PyTorch', async () => {
    const c = bert.cases[2];
    const out = json<TextJson>(await infer(['--model', bert.dir, '--text', c.text_a as string, '--top-k', '3', '--json']));
    expect(Object.keys(out).sort()).toEqual(
      ['architecture', 'attentions', 'input_ids', 'last_hidden_state', 'mlm', 'nsp', 'pooler_output', 'token_type_ids', 'tokens', 'truncated', 'warnings'].sort(),
    );
    expect(out.truncated).toBe(0);
    expect(out.warnings).toEqual([]);
    expectBertCase(out, 2);
    const logits = bert.expected('case2.prediction_logits');
    expect(out.mlm.map((m) => m.position)).toEqual([2, 6]);
    for (const m of out.mlm) {
      expect(Object.keys(m).sort()).toEqual(['position', 'top']);
      const logProbs = logSoftmax(rows(logits, m.position, m.position + 1).data);
      expect(m.top.map((t) => t.id)).toEqual(topKIndices(logProbs, 3));
      expectClose(nd(m.top.map((t) => t.prob)), nd(m.top.map((t) => Math.exp(logProbs[t.id]))), 'cli mlm probs');
    }
  });

  it('BERT pair --json from --text-file / --text-b-file, and --tokenize-only prints just tokens and input_ids', async () => {
    const c = bert.cases[1];
    const a = scratchFile('a.txt', c.text_a as string);
    const b = scratchFile('b.txt', c.text_b as string);
    expectBertCase(json<TextJson>(await infer(['--model', bert.dir, '--text-file', a, '--text-b-file', b, '--json', '--backend', 'cpu'])), 1);
    const tok = json<TextJson>(await infer(['--model', bert.dir, '--text', c.text_a as string, '--text-b', c.text_b as string, '--tokenize-only', '--json']));
    expect(tok).toEqual({ tokens: c.tokens, input_ids: c.input_ids });
  });

  it('ViT --json on a PNG: logits, ranking, attentions, [CLS] and position similarity', async () => {
    const fx = loadFixture('vit-tiny');
    const out = json<ImageJson>(await infer(['--model', fx.dir, '--image', join(fx.dir, 'inputs/case0.png'), '--json', '--backend', 'cpu']));
    expect(Object.keys(out).sort()).toEqual(['attentions', 'cls', 'grid', 'logits', 'position_similarity', 'top', 'warnings']);
    expect(out.grid).toEqual([4, 4]);
    expectClose(nd(out.logits), fx.expected('case0.logits'), 'cli vit logits');
    const probs = softmax(fx.expected('case0.logits').data);
    expect(out.top.map((t) => t.id)).toEqual(topKIndices(probs, 5));
    const id2label = JSON.parse(readFileSync(join(fx.dir, 'config.json'), 'utf8')).id2label;
    for (const t of out.top) expect(t.label).toBe(id2label[t.id]);
    expectClose(nd(out.top.map((t) => t.prob)), nd(out.top.map((t) => probs[t.id])), 'cli vit top probs');
    for (let l = 0; l < 3; l++) expectClose(nd(out.attentions[l]), fx.expected(`case0.attentions.${l}`), `cli vit attentions.${l}`);
    expectClose(nd(out.cls), { shape: [32], data: rows(fx.expected('case0.last_hidden_state'), 0, 1).data }, 'cli cls');
    const sim = nd(out.position_similarity);
    expect(sim.shape).toEqual([16, 16]);
    // Cosine similarity of the patch rows of the checkpoint's own position table, in float64.
    const pos = new Float32Array(readCheckpointTensors(fx.dir)['vit.embeddings.position_embeddings'].bytes.buffer);
    const row = (i: number) => pos.subarray((i + 1) * 32, (i + 2) * 32);
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, k) => s + v * y[k], 0);
    for (const [i, j] of [[0, 0], [0, 5], [3, 12], [15, 7]]) {
      const cos = dot(row(i), row(j)) / Math.sqrt(dot(row(i), row(i)) * dot(row(j), row(j)));
      expect(sim.data[i * 16 + j]).toBeCloseTo(cos, 5);
    }
  });

  it('mini-CNN on a PNG: --json logits, ranking and feature map shapes; the summary names its layers', async () => {
    const fx = loadFixture('cnn-tiny');
    const args = ['--model', fx.dir, '--image', join(fx.dir, 'inputs/case0.png'), '--backend', 'cpu'];
    const out = json<{ logits: number[]; top: { label: string; id: number; prob: number }[]; feature_map_shapes: number[][]; warnings: string[] }>(
      await infer([...args, '--json', '--top-k', '2']),
    );
    expect(Object.keys(out).sort()).toEqual(['feature_map_shapes', 'logits', 'top', 'warnings']);
    expectClose(nd(out.logits), fx.expected('case0.logits'), 'cli cnn logits');
    expect(out.top.map((t) => t.id)).toEqual(topKIndices(softmax(fx.expected('case0.logits').data), 2));
    expect(out.feature_map_shapes).toEqual(Array.from({ length: 7 }, (_, l) => fx.expected(`case0.feature_maps.${l}`).shape));
    expect(out.warnings).toEqual([]);
    const summary = await infer(args);
    expect(summary.code).toBe(0);
    expect(summary.stdout).toMatch(/^7 layers; last feature map 16x2x2\n/);
    expect(summary.stdout).toContain(out.top[0].label);
  });

  it('ALBERT --json adds sop; its Unigram tokenizer and every head match PyTorch', async () => {
    const fx = loadFixture('albert-tiny');
    const c = fx.cases[1];
    const out = json<TextJson & { architecture: string; sop: { in_order: number; swapped: number } }>(
      await infer(['--model', fx.dir, '--text', c.text_a as string, '--text-b', c.text_b as string, '--json']),
    );
    expect(out.architecture).toBe('albert');
    expect(Object.keys(out)).toContain('sop');
    expect(Object.keys(out)).not.toContain('rtd');
    expect(out.input_ids).toEqual(c.input_ids);
    expect(out.token_type_ids).toEqual(c.token_type_ids);
    expect(out.nsp).toBeNull();
    expectClose(nd([out.sop.in_order, out.sop.swapped]), { shape: [2], data: softmax(fx.expected('case1.sop_logits').data) }, 'cli albert sop');
    expectClose(nd(out.pooler_output), fx.expected('case1.pooler_output'), 'cli albert pooler');
    for (let l = 0; l < 3; l++) expectClose(nd(out.attentions[l]), fx.expected(`case1.attentions.${l}`), `cli albert attentions.${l}`);
  });

  it('ELECTRA discriminator --json adds rtd, the per-token replaced probability', async () => {
    const fx = loadFixture('electra-tiny-discriminator');
    const c = fx.cases[0];
    const out = json<TextJson & { rtd: number[] }>(await infer(['--model', fx.dir, '--text', c.text_a as string, '--json']));
    expect(out.input_ids).toEqual(c.input_ids);
    expect(out.mlm).toBeNull();
    const logits = fx.expected('case0.rtd_logits');
    expectClose(nd(out.rtd), { shape: logits.shape, data: logits.data.map((x) => 1 / (1 + Math.exp(-x))) }, 'cli electra rtd');
    const summary = await infer(['--model', fx.dir, '--text', c.text_a as string]);
    expect(summary.stdout).toMatch(/\nreplaced: \[CLS\] \d+\.\d%, the \d+\.\d%/);
  });

  it('RoBERTa and DistilBERT --json: <mask> / [MASK] filled, no sentence heads, BPE tokens', async () => {
    const roberta = loadFixture('roberta-tiny');
    const c = roberta.cases[2];
    const out = json<TextJson>(await infer(['--model', roberta.dir, '--text', c.text_a as string, '--json']));
    expect(out.tokens).toEqual(c.tokens);
    expect(out.input_ids).toEqual(c.input_ids);
    expect(out.nsp).toBeNull();
    expect(out.pooler_output).toBeNull();
    const masks = (c.tokens as string[]).flatMap((t, p) => (t === '<mask>' ? [p] : []));
    expect(out.mlm.map((m) => m.position)).toEqual(masks);
    const logProbs = logSoftmax(rows(roberta.expected('case2.prediction_logits'), masks[0], masks[0] + 1).data);
    expect(out.mlm[0].top.map((t) => t.id)).toEqual(topKIndices(logProbs, 5));
    const tok = json<TextJson>(await infer(['--model', roberta.dir, '--text', c.text_a as string, '--tokenize-only', '--json']));
    expect(tok).toEqual({ tokens: c.tokens, input_ids: c.input_ids });

    const distil = loadFixture('distilbert-tiny');
    const d = json<TextJson>(await infer(['--model', distil.dir, '--text', distil.cases[2].text_a as string, '--json']));
    expect(d.input_ids).toEqual(distil.cases[2].input_ids);
    expect(d.nsp).toBeNull();
    expect(Object.keys(d)).not.toContain('sop');
    expectClose(nd(d.last_hidden_state), distil.expected('case2.hidden_states.3'), 'cli distilbert last_hidden_state');
  });

  it('distilled DeiT --json adds distillation: both heads and the mean the model reports', async () => {
    const fx = loadFixture('deit-tiny-distilled');
    type DeitJson = ImageJson & { distillation: { cls_logits: number[]; distillation_logits: number[]; cls_top: { id: number }[]; distillation_top: { id: number }[] } };
    const out = json<DeitJson>(await infer(['--model', fx.dir, '--image', join(fx.dir, 'inputs/case0.png'), '--json']));
    expectClose(nd(out.logits), fx.expected('case0.logits'), 'cli deit logits');
    expectClose(nd(out.distillation.cls_logits), fx.expected('case0.cls_logits'), 'cli deit cls_logits');
    expectClose(nd(out.distillation.distillation_logits), fx.expected('case0.distillation_logits'), 'cli deit distillation_logits');
    expect(out.distillation.distillation_top.map((t) => t.id)).toEqual(topKIndices(softmax(fx.expected('case0.distillation_logits').data), 5));
    expect(nd(out.position_similarity).shape).toEqual([16, 16]);
    const summary = await infer(['--model', fx.dir, '--image', join(fx.dir, 'inputs/case0.png')]);
    expect(summary.stdout).toMatch(/\ndistillation head: \S+ \d+\.\d%/);
  });

  it('reports truncation of a text longer than max_position_embeddings instead of failing', async () => {
    const long = scratchFile('long.txt', 'the quick brown fox jumps over the lazy dog. '.repeat(2000));
    const out = json<TextJson>(await infer(['--model', bert.dir, '--text-file', long, '--json']));
    expect(out.tokens).toHaveLength(40);
    expect(out.tokens[39]).toBe('[SEP]');
    expect(out.truncated).toBe(2000 * 10 - 38);
    const tok = await infer(['--model', bert.dir, '--text-file', long, '--tokenize-only']);
    expect(tok.code).toBe(0);
    expect(tok.stdout.trim().split(' ')).toHaveLength(40);
    expect(tok.stderr).toBe(`note: truncated: ${2000 * 10 - 38} token(s) dropped to fit 40 tokens\n`);
  });

  it('prints a human-readable summary without --json', async () => {
    const r = await infer(['--model', bert.dir, '--text', bert.cases[2].text_a as string]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tokens \(12\): \[CLS\] the \[MASK\] sat/);
    expect(r.stdout).toMatch(/\n\[MASK\] at 2: \S+ \d+\.\d%, /);
    expect(r.stdout).toMatch(/\nnext sentence: IsNext \d+\.\d%, NotNext \d+\.\d%\n/);
  });

  it('bad input: exit status 1 or 2 and one "error:" line, never a stack trace', async () => {
    const truncated = copyFixture('bert-tiny');
    const bytes = readFileSync(join(truncated, 'model.safetensors'));
    writeFileSync(join(truncated, 'model.safetensors'), bytes.subarray(0, bytes.length - 10));
    const tensors = readCheckpointTensors(join(FIXTURES, 'vit-tiny'));
    tensors['vit.encoder.layer.0.intermediate.dense.weight'] = { dtype: 'F32', shape: [60, 32], bytes: new Uint8Array(60 * 32 * 4) };
    const wrongShape = copyFixture('vit-tiny', encodeSafetensors(tensors));
    const xlnet = copyFixture('bert-tiny');
    writeFileSync(join(xlnet, 'config.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(bert.dir, 'config.json'), 'utf8')), model_type: 'xlnet' }));
    scratch.push(truncated, wrongShape, xlnet);
    const vitImage = join(FIXTURES, 'vit-tiny/inputs/case0.png');

    const cases: [string[], number, RegExp][] = [
      [['--model', '/no/such/model', '--text', 'hi'], 1, /^error: Model folder \/no\/such\/model does not exist/],
      [['--model', bert.dir, '--text', 'hi', '--frobnicate'], 2, /^error: Unknown option '--frobnicate'/],
      [['--model', bert.dir], 2, /^error: give exactly one of --text or --image/],
      [['--model', bert.dir, '--text', 'hi', '--text-file', vitImage], 2, /^error: give either --text or --text-file, not both/],
      [['--model', bert.dir, '--text-file', '/no/such.txt'], 1, /^error: cannot read --text-file \/no\/such.txt \(ENOENT/],
      [['--model', bert.dir, '--text', 'hi', '--top-k', '0'], 2, /^error: --top-k must be a positive integer, got "0"/],
      [['--model', bert.dir, '--text', 'hi', '--backend', 'gpu'], 2, /^error: --backend must be wasm or cpu/],
      [['--model', truncated, '--text', 'hi'], 1, /^error: model.safetensors is not a valid safetensors file: tensor ".+" ends at byte/],
      [['--model', wrongShape, '--image', vitImage], 1, /^error: vit.encoder.layer.0.intermediate.dense.weight has shape \[60,32\], expected \[64,32\] from config intermediate_size=64, hidden_size=32/],
      [['--model', join(FIXTURES, 'vit-tiny'), '--image', join(bert.dir, 'vocab.txt')], 1, /^error: .*vocab.txt: not a PNG, JPEG, WebP, GIF or BMP image$/m],
      [['--model', join(FIXTURES, 'vit-tiny'), '--image', '/no/such.png'], 1, /^error: cannot read image \/no\/such.png \(ENOENT/],
      [['--model', bert.dir, '--image', vitImage], 2, /^error: .* is a text model \(bert\); give --text/],
      [['--model', xlnet, '--text', 'hi'], 1, /^error: config.json says model_type "xlnet"; this playground runs "bert", "distilbert", "roberta", "albert", "electra", "vit", "deit", "mini_cnn"\.$/m],
      [['--model', join(FIXTURES, 'deit-tiny-distilled'), '--text', 'hi'], 2, /^error: .* is an image model \(deit\); give --image/],
    ];
    for (const [args, code, message] of cases) {
      const r = await infer(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('as a process: stdout is only the JSON, even when it is far larger than a pipe buffer', async () => {
    // Case 3 fills all 40 positions: 3 layers x 4 heads x 40 x 40 attention weights, about 400 KB of JSON.
    const text = scratchFile('case3.txt', bert.cases[3].text_a as string);
    const r = await spawnCli('--model', bert.dir, '--text-file', text, '--json');
    expect(r.stdout.length).toBeGreaterThan(256 * 1024);
    expectBertCase(json<TextJson>(r), 3);
  });

  it('as a process: an error exits non-zero with one line on stderr', async () => {
    const r = await spawnCli('--model', '/no/such/model', '--text', 'hi');
    expect(r).toEqual({ code: 1, stdout: '', stderr: `error: Model folder /no/such/model does not exist or is not a folder.\n` });
  });
});
