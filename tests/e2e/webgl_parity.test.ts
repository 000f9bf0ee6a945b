// The model core in real Chromium, on the WebGPU and WebGL backends (SwiftShader here) and on WASM, must
// reproduce the PyTorch reference outputs of every fixture checkpoint (BERT, DistilBERT, RoBERTa,
// ALBERT, ELECTRA, ViT, distilled DeiT): all layers' attentions and hidden states, the embeddings,
// pooler, NSP, SOP, replaced-token and MLM probabilities, ViT/DeiT pixels and each head's
// logits. The byte-level BPE and Unigram tokenizers run in the page on their Python cases. The browser returns the numbers; they are checked here with the model-core tests'
// own criterion (tests/model/helpers.ts: |a − b| ≤ 1e-5 + 1e-4·|b|). WebGL and WebGPU on SwiftShader
// compute in float32 and need no looser tolerance; a hardware GPU with float16 render targets
// would. The BERT tokenizer cases are encoded in the browser too. Measured max |a − b| per
// output go to test-results/parity-<backend>.json.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { logSoftmax, softmax } from '../../src/models/shared/math';
import type { BrowserRun } from '../browser/parity';
import { expectClose, loadFixture, maxAbsDiff } from '../model/helpers';
import { launchChromium, watchedPage } from './setup/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

function checkCase(fixture: string, backend: string, i: number, outputs: BrowserRun['models'][string][number]): void {
  const fx = loadFixture(fixture);
  for (const [key, actual] of Object.entries(outputs)) {
    const label = `${backend} ${fixture} case${i} ${key}`;
    const group = `${backend} ${fixture} ${key.replace(/\.\d+$|@\d+$/, '')}`;
    if (key === 'nsp') {
      expectClose(actual, { shape: [2], data: softmax(fx.expected(`case${i}.seq_relationship_logits`).data) }, label, group);
    } else if (key === 'sop') {
      expectClose(actual, { shape: [2], data: softmax(fx.expected(`case${i}.sop_logits`).data) }, label, group);
    } else if (key === 'rtd') {
      const logits = fx.expected(`case${i}.rtd_logits`);
      expectClose(actual, { shape: logits.shape, data: logits.data.map((x) => 1 / (1 + Math.exp(-x))) }, label, group);
    } else if (key.startsWith('mlm@')) {
      const logits = fx.expected(`case${i}.prediction_logits`);
      const vocab = logits.shape[1];
      const position = Number(key.slice(4));
      const expected = logSoftmax(logits.data.slice(position * vocab, (position + 1) * vocab));
      expectClose(actual, { shape: [vocab], data: expected }, label, group);
    } else {
      expectClose(actual, fx.expected(`case${i}.${key}`), label, group);
    }
  }
}

describe.each(['wasm', 'webgl', 'webgpu'] as const)('model core parity in Chromium on %s', (backend) => {
  it('matches the PyTorch reference on every fixture and the tokenizer cases, without leaking tensors', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${inject('appUrl')}/tests/browser/parity.html`);
    await page.waitForFunction(() => typeof window.runParity === 'function');
    const run: BrowserRun = await page.evaluate((options) => window.runParity(options), { fixtures: `${inject('hubUrl')}/raw`, backend });
    expect(run.backend.name).toBe(backend);

    for (const [fixture, cases] of Object.entries(run.models)) {
      expect(cases.length, fixture).toBe(loadFixture(fixture).cases.length);
      cases.forEach((outputs, i) => checkCase(fixture, backend, i, outputs));
    }
    // Every kind of output was compared: 3 BERT checkpoints × 4 cases, 5 other text checkpoints × 3, ViT 5 + 3 cases, DeiT 3.
    expect(Object.values(run.models).flat().length).toBe(3 * 4 + 5 * 3 + 5 + 3 + 3);
    expect(Object.keys(run.models['bert-tiny'][2])).toEqual(expect.arrayContaining(['nsp', 'mlm@2', 'mlm@6', 'attentions.2', 'hidden_states.3']));
    expect(Object.keys(run.models['albert-tiny'][1])).toEqual(expect.arrayContaining(['sop', 'pooler_output', 'embeddings.token_type']));
    expect(Object.keys(run.models['electra-tiny-discriminator'][0])).toContain('rtd');
    expect(Object.keys(run.models['roberta-tiny'][2]).filter((k) => k.startsWith('mlm@'))).toHaveLength(2);
    expect(Object.keys(run.models['deit-tiny-distilled'][0])).toEqual(expect.arrayContaining(['cls_logits', 'distillation_logits', 'logits']));

    for (const kind of ['bpe', 'unigram']) {
      const expected = JSON.parse(readFileSync(`tests/fixtures/tokenizer/${kind}_cases.json`, 'utf8')) as {
        cases: { text: string; tokens: string[]; ids: number[]; offsets?: [number, number][] }[];
      };
      expect(run.subword[kind]).toHaveLength(expected.cases.length);
      expected.cases.forEach((c, i) => {
        expect(run.subword[kind][i].ids, `${kind} ${c.text}`).toEqual(c.ids);
        expect(run.subword[kind][i].tokens, `${kind} ${c.text}`).toEqual(c.tokens);
        if (c.offsets) {
          // Python's offsets count code points, ours UTF-16 units.
          const at = [0];
          for (const ch of c.text) at.push(at[at.length - 1] + ch.length);
          expect(run.subword[kind][i].offsets, `${kind} ${c.text}`).toEqual(c.offsets.map(([s, e]) => [at[s], at[e]]));
        }
      });
    }

    const { cases } = JSON.parse(readFileSync('tests/fixtures/tokenizer/cases.json', 'utf8')) as {
      cases: { name: string; expected: Record<string, { tokens: string[]; input_ids: number[]; token_type_ids: number[] }> }[];
    };
    for (const c of cases) {
      for (const [config, want] of Object.entries(c.expected)) expect(run.tokenizer[config][c.name], `${config}/${c.name}`).toEqual(want);
    }

    expect(run.tensorsAfterRuns[1]).toBe(run.tensorsAfterRuns[0]);
    expect(errors).toEqual([]);
    await page.close();

    const measured = Object.fromEntries([...maxAbsDiff].filter(([k]) => k.startsWith(`${backend} `)).map(([k, v]) => [k.slice(backend.length + 1), v]));
    mkdirSync('test-results', { recursive: true });
    writeFileSync(`test-results/parity-${backend}.json`, JSON.stringify({ backend: run.backend, maxAbsDiff: measured }, null, 1));
    // Eleven checkpoints, twice each, on a software GPU: about three minutes on this (shared) machine.
  }, 600_000);
});

describe('WebGPU without an adapter', () => {
  it('falls back to WASM and says why, whether chosen or automatic', async () => {
    const { page, errors } = await watchedPage(browser);
    // What a browser with WebGPU but no usable GPU (blocklisted driver, no GPU process) gives.
    await page.addInitScript(() => {
      GPU.prototype.requestAdapter = () => Promise.resolve(null);
    });
    await page.goto(`${inject('appUrl')}/tests/browser/parity.html`);
    await page.waitForFunction(() => typeof window.activateBackend === 'function');
    const chosen = await page.evaluate(() => window.activateBackend('webgpu'));
    expect(chosen).toMatchObject({ name: 'wasm', requested: 'webgpu', reason: 'fallback: WebGPU gave no adapter' });
    const auto = await page.evaluate(() => window.activateBackend('auto'));
    expect(auto.name).toBe('wasm');
    expect(auto.reason).toMatch(/^WebGPU gave no adapter; WebGL renders in software \(.*SwiftShader.*\), slower than WASM$/);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('WebGPU device loss', () => {
  it('switches the app to WASM, keeps the inputs and says why; WebGPU is then refused until a reload', async () => {
    const { page, errors } = await watchedPage(browser);
    const testId = (id: string) => page.locator(`[data-testid="${id}"]`);
    const tokens = () => testId('token').evaluateAll((els) => els.map((e) => e.getAttribute('data-token') ?? ''));
    await page.goto(`${inject('appUrl')}/?backend=webgpu`);
    await expect.poll(() => testId('backend-name').textContent(), { timeout: 60_000 }).toBe('WEBGPU');
    await expect.poll(() => testId('prediction').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    const textA = await testId('sentence-a').inputValue();
    // What a GPU reset or a driver update does to the device tfjs holds.
    await page.workers()[0].evaluate(() => {
      (self as unknown as { _tfengine: { backend: { device: GPUDevice } } })._tfengine.backend.device.destroy();
    });
    await expect.poll(() => testId('backend-name').textContent()).toBe('WASM');
    expect(await page.locator('.badge-notice').textContent()).toContain('WebGPU device was lost');
    expect(await testId('sentence-a').inputValue()).toBe(textA);
    await testId('sentence-a').fill('the cat sat on the [MASK].');
    await expect.poll(tokens).toEqual(expect.arrayContaining(['cat', 'sat']));
    await expect.poll(() => testId('prediction').count()).toBeGreaterThan(0);
    // The lost device's backend cannot be rebuilt in this page: choosing WebGPU again says so.
    await page.getByLabel('Backend').selectOption('webgpu');
    await expect.poll(() => page.locator('.badge-reason').textContent()).toMatch(/WebGPU device was lost .*reload the page to use WebGPU again/);
    expect(await testId('backend-name').textContent()).toBe('WASM');
    expect(errors).toEqual([]);
    await page.close();
  });
});
