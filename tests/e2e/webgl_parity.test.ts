// The model core in real Chromium, on the WebGL backend (SwiftShader) and on WASM, must
// reproduce the PyTorch reference outputs of every fixture checkpoint: all layers' attentions
// and hidden states, MLM log-probabilities, NSP, pooler, ViT logits. The BERT tokenizer cases
// run in the browser too. Measured differences are written to test-results/parity-<backend>.json.
//
// Tolerance |a − b| ≤ atol + rtol·|b|: float32 everywhere, but WebGL's exp/tanh/erf and its
// summation order differ from PyTorch's CPU kernels more than WASM's do.

import { mkdirSync, writeFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ParityReport } from '../browser/parity';
import { launchChromium, watchedPage } from './setup/browser';

const TOLERANCE = {
  wasm: { atol: 1e-4, rtol: 1e-4 },
  webgl: { atol: 1e-3, rtol: 1e-3 },
} as const;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(['wasm', 'webgl'] as const)('model core parity in Chromium on %s', (backend) => {
  it('matches the PyTorch reference on every fixture within tolerance, without leaking tensors', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${inject('appUrl')}/tests/browser/parity.html`);
    await page.waitForFunction(() => typeof window.runParity === 'function');
    const { atol, rtol } = TOLERANCE[backend];
    const report: ParityReport = await page.evaluate(
      (options) => window.runParity(options),
      { fixtures: `${inject('hubUrl')}/raw`, backend, atol, rtol },
    );

    const worstByTensorKind = new Map<string, number>();
    for (const d of report.diffs) {
      const kind = `${d.model} ${d.tensor.replace(/\.\d+$|@\d+$/, '')}`;
      worstByTensorKind.set(kind, Math.max(worstByTensorKind.get(kind) ?? 0, d.maxAbs));
    }
    mkdirSync('test-results', { recursive: true });
    writeFileSync(
      `test-results/parity-${backend}.json`,
      JSON.stringify({ backend: report.backend, tolerance: TOLERANCE[backend], maxAbsByTensor: Object.fromEntries(worstByTensorKind) }, null, 1),
    );

    expect(report.backend.name).toBe(backend);
    // Every fixture case contributes tensors: 3 BERT models × 4 cases, vit-tiny 5 cases, grey 3 cases.
    expect(new Set(report.diffs.map((d) => `${d.model}#${d.case}`)).size).toBe(3 * 4 + 5 + 3);
    const failing = report.diffs.filter((d) => !(d.worstRatio <= 1));
    expect(failing, JSON.stringify(failing.slice(0, 5))).toEqual([]);
    expect(report.tokenizerCases).toBeGreaterThanOrEqual(80);
    expect(report.tokenizerFailures).toEqual([]);
    expect(report.tensorsAfterRuns[1]).toBe(report.tensorsAfterRuns[0]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
