// The fuzz corpus (tests/fuzz/corpus.ts) through the CLI, in-process: every case must end in a
// valid result (JSON without NaN) or exactly one "error: …" line with no stack trace, as its case
// says, within a time bound per case and a bound on the process's peak memory, and leave no
// tensor behind. The worst time and memory are written to test-results/fuzz-cli.json.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { infer } from '../../src/cli/infer';
import { initNodeBackend } from '../../src/models/backend_node';
import { makeCorpus, type FuzzCase } from './corpus';

/** Per case, on two shared CI cores; the slowest case takes about a second here. */
const MAX_SECONDS = 20;
/** Peak resident memory of this test process (tfjs-wasm, the fixtures and vitest included). */
const MAX_RSS_MIB = 2048;

const corpus = makeCorpus();
const scratch = mkdtempSync(join(tmpdir(), 'fuzz-'));
const worst = { seconds: 0, secondsCase: '', rssMiB: 0 };
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

beforeAll(async () => {
  await initNodeBackend('wasm');
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/fuzz-cli.json', JSON.stringify({ cases: corpus.length, ...worst }, null, 1));
});

/** The case's checkpoint and inputs in a scratch folder, and its argv with the paths filled in. */
function materialise(c: FuzzCase, i: number): string[] {
  const dir = join(scratch, String(i));
  const model = join(dir, 'model');
  cpSync(join(import.meta.dirname, '../fixtures/models', c.model), model, { recursive: true });
  for (const [name, bytes] of Object.entries(c.files)) {
    if (bytes) writeFileSync(join(model, name), bytes);
    else rmSync(join(model, name), { force: true });
  }
  for (const [name, bytes] of Object.entries(c.inputs)) writeFileSync(join(dir, name), bytes);
  return c.argv.map((a) => (a === '{model}' ? model : a.replace(/^\{input:(.+)\}$/, (_, name: string) => join(dir, name))));
}

/** True when a JSON value holds a null where its neighbours are numbers (how NaN serialises). */
function hasNullNumber(value: unknown): boolean {
  if (Array.isArray(value)) return (value.some((v) => typeof v === 'number') && value.includes(null)) || value.some(hasNullNumber);
  if (value && typeof value === 'object') return Object.values(value).some(hasNullNumber);
  return false;
}

describe('CLI fuzz corpus', () => {
  it('has at least 250 cases of every kind', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
    expect(new Set(corpus.map((c) => c.kind))).toEqual(new Set(['safetensors', 'config', 'processor', 'vocabulary', 'text', 'image', 'flags']));
    expect(new Set(corpus.map((c) => c.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((c, i) => [c.name, c, i] as const))('%s', async (_, c, i) => {
    const argv = materialise(c, i);
    const tensors = tf.memory().numTensors;
    const start = performance.now();
    const { code, stdout, stderr } = await infer(argv);
    const seconds = (performance.now() - start) / 1000;
    const rss = peakRssMiB();
    if (seconds > worst.seconds) Object.assign(worst, { seconds: Math.round(seconds * 1000) / 1000, secondsCase: c.name });
    worst.rssMiB = rss;

    expect(seconds).toBeLessThan(MAX_SECONDS);
    expect(rss).toBeLessThan(MAX_RSS_MIB);
    expect(tf.memory().numTensors).toBe(tensors);
    if (code === 0) {
      expect(c.outcome, `succeeded: ${stdout.slice(0, 200)}`).not.toBe('error');
      if (argv.includes('--json')) {
        expect(stdout).not.toMatch(/NaN|Infinity/);
        expect(hasNullNumber(JSON.parse(stdout))).toBe(false);
      }
    } else {
      expect(c.outcome, stderr).not.toBe('ok');
      expect(stderr).toMatch(/^error: [^\n]+\n$/);
      expect(stderr).not.toMatch(/\bat .+:\d+:\d+|\[object Object\]|undefined/);
      expect(stderr.length).toBeLessThan(1000);
    }
  });
});
