// The CLI end to end: spawn it on the fixtures, parse its JSON, compare with PyTorch's numbers.

import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { logSoftmax, softmax, topKIndices } from '../../src/models/shared/math';
import type { NdArray } from '../../src/models/types';
import { copyFixture, encodeSafetensors, expectClose, FIXTURES, loadFixture, readCheckpointTensors, rows } from './helpers';

const ROOT = join(__dirname, '../..');
const run = promisify(execFile);

async function infer(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'src/cli/infer.ts', ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
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

describe('infer CLI', () => {
  it('BERT --json: tokens, every attention, last hidden state, pooler, MLM and NSP match PyTorch', async () => {
    const fx = loadFixture('bert-tiny');
    const c = fx.cases[2];
    const { code, stdout, stderr } = await infer('--model', fx.dir, '--text', c.text_a as string, '--top-k', '3', '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expect(Object.keys(out).sort()).toEqual(
      ['attentions', 'input_ids', 'last_hidden_state', 'mlm', 'nsp', 'pooler_output', 'token_type_ids', 'tokens', 'truncated', 'warnings'].sort(),
    );
    expect(out.tokens).toEqual(c.tokens);
    expect(out.input_ids).toEqual(c.input_ids);
    expect(out.truncated).toBe(0);
    for (let l = 0; l < 3; l++) expectClose(nd(out.attentions[l]), fx.expected(`case2.attentions.${l}`), `cli attentions.${l}`);
    expectClose(nd(out.last_hidden_state), fx.expected('case2.hidden_states.3'), 'cli last_hidden_state');
    expectClose(nd(out.pooler_output), fx.expected('case2.pooler_output'), 'cli pooler_output');
    const nsp = softmax(fx.expected('case2.seq_relationship_logits').data);
    expectClose(nd([out.nsp.is_next, out.nsp.not_next]), { shape: [2], data: nsp }, 'cli nsp');
    const logits = fx.expected('case2.prediction_logits');
    expect(out.mlm.map((m: { position: number }) => m.position)).toEqual([2, 6]);
    for (const m of out.mlm as { position: number; top: { id: number; token: string; prob: number }[] }[]) {
      const logProbs = logSoftmax(rows(logits, m.position, m.position + 1).data);
      expect(m.top.map((t) => t.id)).toEqual(topKIndices(logProbs, 3));
      expectClose(nd(m.top.map((t) => t.prob)), nd(m.top.map((t) => Math.exp(logProbs[t.id]))), 'cli mlm probs');
    }
  });

  it('ViT --json on a PNG: logits, ranking, attentions, [CLS] and position similarity', async () => {
    const fx = loadFixture('vit-tiny');
    const { code, stdout } = await infer('--model', fx.dir, '--image', join(fx.dir, 'inputs/case0.png'), '--json', '--backend', 'cpu');
    expect(code).toBe(0);
    const out = JSON.parse(stdout);
    expectClose(nd(out.logits), fx.expected('case0.logits'), 'cli vit logits');
    const probs = softmax(fx.expected('case0.logits').data);
    expect(out.top.map((t: { id: number }) => t.id)).toEqual(topKIndices(probs, 5));
    expect(out.top[0].label).toBe(JSON.parse(readFileSync(join(fx.dir, 'config.json'), 'utf8')).id2label[out.top[0].id]);
    for (let l = 0; l < 3; l++) expectClose(nd(out.attentions[l]), fx.expected(`case0.attentions.${l}`), `cli vit attentions.${l}`);
    expectClose(nd(out.cls), { shape: [32], data: rows(fx.expected('case0.last_hidden_state'), 0, 1).data }, 'cli cls');
    const sim = nd(out.position_similarity);
    expect(sim.shape).toEqual([16, 16]);
    for (let i = 0; i < 16; i++) {
      expect(sim.data[i * 16 + i]).toBeCloseTo(1, 5);
      for (let j = 0; j < 16; j++) expect(sim.data[i * 16 + j]).toBeCloseTo(sim.data[j * 16 + i], 6);
    }
  });

  it('--tokenize-only and the human-readable summary', async () => {
    const fx = loadFixture('bert-tiny');
    const c = fx.cases[1];
    const tok = await infer('--model', fx.dir, '--text', c.text_a as string, '--text-b', c.text_b as string, '--tokenize-only', '--json');
    expect(JSON.parse(tok.stdout)).toEqual({ tokens: c.tokens, input_ids: c.input_ids, token_type_ids: c.token_type_ids, truncated: 0 });
    const human = await infer('--model', fx.dir, '--text', fx.cases[2].text_a as string);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^tokens \(12\): \[CLS\] the \[MASK\] sat/);
    expect(human.stdout).toMatch(/\[MASK\] at 2: /);
    expect(human.stdout).toMatch(/next sentence: IsNext \d+\.\d%/);
  });

  it('bad input: non-zero exit and one "error:" line, never a stack trace', async () => {
    const truncated = copyFixture('bert-tiny');
    const bytes = readFileSync(join(truncated, 'model.safetensors'));
    writeFileSync(join(truncated, 'model.safetensors'), bytes.subarray(0, bytes.length - 10));
    const tensors = readCheckpointTensors(join(FIXTURES, 'vit-tiny'));
    tensors['vit.encoder.layer.0.intermediate.dense.weight'] = { dtype: 'F32', shape: [60, 32], bytes: new Uint8Array(60 * 32 * 4) };
    const wrongShape = copyFixture('vit-tiny', encodeSafetensors(tensors));
    scratch.push(truncated, wrongShape);
    const bert = join(FIXTURES, 'bert-tiny');
    const vitImage = join(FIXTURES, 'vit-tiny/inputs/case0.png');

    const cases: [string[], number, RegExp][] = [
      [['--model', '/no/such/model', '--text', 'hi'], 1, /^error: Model folder \/no\/such\/model does not exist/],
      [['--model', bert, '--text', 'hi', '--frobnicate'], 2, /^error: Unknown option '--frobnicate'/],
      [['--model', bert], 2, /^error: give exactly one of --text or --image/],
      [['--model', bert, '--text', 'hi', '--backend', 'gpu'], 2, /^error: --backend must be wasm or cpu/],
      [['--model', truncated, '--text', 'hi'], 1, /^error: model.safetensors is not a valid safetensors file: tensor ".+" ends at byte/],
      [['--model', wrongShape, '--image', vitImage], 1, /^error: vit.encoder.layer.0.intermediate.dense.weight has shape \[60,32\], expected \[64,32\] from config intermediate_size=64, hidden_size=32/],
      [['--model', join(FIXTURES, 'vit-tiny'), '--image', join(bert, 'vocab.txt')], 1, /^error: .*vocab.txt.*(PNG|JPEG|image)/i],
      [['--model', bert, '--image', vitImage], 2, /^error: .* is a BERT model; give --text/],
    ];
    const results = await Promise.all(cases.map(([args]) => infer(...args)));
    results.forEach((r, i) => {
      const [args, code, message] = cases[i];
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  });
});
