// The text workspace in the production build, in Chromium, on the WASM and on the WebGL backend:
// load a checkpoint from a (local) hub, type, mask, fill, run NSP, open every attention and
// embedding view, export, cache, work offline, take dropped files, load a PyTorch-only repo,
// survive missing and gated repos and a lost GPU context, and never log a console error. Then the
// bundled mini-BERT against PyTorch's held-out predictions. Screenshots go to
// test-results/screenshots; UPDATE_SCREENSHOTS=1 also refreshes docs/screenshot-text.png.

import { copyFileSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, watchedPage, type WatchedPage } from './setup/browser';

const FIXTURE = 'hub:fixtures/bert-tiny';
const SHOTS = 'test-results/screenshots';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function tokens(page: Page): Promise<string[]> {
  return testId(page, 'token').evaluateAll((els) => els.map((e) => e.getAttribute('data-token') ?? ''));
}

describe.each(['wasm', 'webgl'] as const)('text workspace on %s', (backend) => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser);
    page = watched.page;
    const params = new URLSearchParams({ backend, hub: inject('hubUrl'), bert: FIXTURE });
    await page.goto(`${inject('appUrl')}/?${params}`);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('loads the checkpoint from the hub with the progress bar at 100%', async () => {
    await expect.poll(() => testId(page, 'current-model-bert').textContent(), { timeout: 60_000 }).toContain(FIXTURE);
    const weights = page.locator('.load-progress li', { hasText: 'model.safetensors' });
    await expect.poll(() => weights.textContent()).toContain('(100%)');
    // The fixture's weights file is 207,060 bytes: the bar counts every byte.
    expect(await weights.locator('progress').evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([207060, 207060]);
    expect(await testId(page, 'backend-name').textContent()).toBe(backend.toUpperCase());
    // A repo that is no preset still shows in the preset menu, as the model in use.
    const menu = testId(page, 'preset-bert');
    expect(await menu.inputValue()).toBe(FIXTURE);
    expect(await menu.locator('option:checked').textContent()).toBe(`${FIXTURE} (loaded)`);
  });

  it('tokenizes typed text with [CLS] and [SEP]', async () => {
    await testId(page, 'sentence-a').fill('the quick brown fox sat on the mat.');
    await testId(page, 'sentence-b').fill('');
    await expect.poll(() => tokens(page)).toEqual(['[CLS]', 'the', 'quick', 'brown', 'fox', 'sat', 'on', 'the', 'mat', '.', '[SEP]']);
    expect(await testId(page, 'nsp').count()).toBe(0);
  });

  it('masks a clicked token, predicts it, and scores the original', async () => {
    await page.locator('[data-testid="token"][data-token="fox"]').click();
    await expect.poll(() => testId(page, 'sentence-a').inputValue()).toBe('the quick brown [MASK] sat on the mat.');
    await expect.poll(() => tokens(page)).toContain('[MASK]');
    expect((await tokens(page)).indexOf('[MASK]')).toBe(4);
    await expect.poll(() => testId(page, 'prediction').count()).toBe(5);
    const original = await testId(page, 'mask-original').textContent();
    expect(original).toMatch(/Original token fox: p = [\d.]+%, loss −log p = \d+\.\d{3}/);
    const probabilities = await testId(page, 'prediction').evaluateAll((els) => els.map((e) => parseFloat(e.querySelector('.prob-value')!.textContent)));
    expect([...probabilities].sort((a, b) => b - a)).toEqual(probabilities);
  });

  it('puts a clicked prediction into the sentence', async () => {
    const first = testId(page, 'prediction').first();
    const word = (await first.locator('.prob-label').textContent())!.replace(/^##/, '');
    await first.click();
    await expect.poll(() => testId(page, 'sentence-a').inputValue()).not.toContain('[MASK]');
    expect(await testId(page, 'sentence-a').inputValue()).toContain(word);
    await expect.poll(() => testId(page, 'mask-result').count()).toBe(0);
  });

  it('runs next-sentence prediction and swaps in a random sentence B', async () => {
    await testId(page, 'sentence-b').fill('he went to the dog.');
    await expect.poll(() => testId(page, 'nsp').count()).toBe(1);
    const probs = async () =>
      Promise.all(['IsNext', 'NotNext'].map(async (l) => parseFloat((await testId(page, `nsp-${l}`).locator('.prob-value').textContent())!)));
    const [isNext, notNext] = await probs();
    expect(isNext + notNext).toBeCloseTo(100, 0);
    await page.getByRole('button', { name: 'Replace B with a random sentence' }).click();
    await expect.poll(() => testId(page, 'sentence-b').inputValue()).not.toBe('he went to the dog.');
    // The tokens shown are those of the new B (the next test counts them).
    const b = await testId(page, 'sentence-b').inputValue();
    const segmentB = () => page.locator('[data-testid="token"].seg-b').evaluateAll((els) => els.map((e) => e.getAttribute('data-token')).join(''));
    await expect.poll(async () => (await segmentB()).replace(/##/g, '')).toBe(b.replace(/\s/g, '').toLowerCase());
    await expect.poll(async () => (await tokens(page)).filter((t) => t === '[SEP]').length).toBe(2);
  });

  it('shows the head view, model view, matrix and rollout', async () => {
    const attention = page.locator('[data-panel^="attention"]');
    await attention.getByRole('radio', { name: 'Head view' }).check();
    // The canvas reports how many lines it drew.
    const lines = async () => Number(await testId(page, 'head-view').getAttribute('data-lines'));
    await expect.poll(lines).toBeGreaterThan(10);
    // Hovering a token keeps only its own lines: at most one per head and attended token.
    const all = await lines();
    // Tokens of the head view itself (each is listed twice, attending and attended).
    const n = (await testId(page, 'head-view').locator('text').count()) / 2;
    await page.getByRole('button', { name: 'attention from [CLS]' }).hover();
    await expect.poll(lines).toBeLessThanOrEqual(4 * n);
    expect(await lines()).toBeLessThan(all);
    expect(await lines()).toBeGreaterThan(0);
    await page.mouse.move(0, 0);
    await attention.getByRole('radio', { name: 'Model view' }).check();
    // bert-tiny: 3 layers × 4 heads.
    await expect.poll(() => testId(page, 'model-view').locator('canvas').count()).toBe(12);
    await page.getByRole('button', { name: 'Open layer 2 head 3' }).click();
    await expect.poll(() => attention.getByRole('radio', { name: 'Matrix' }).isChecked()).toBe(true);
    await expect.poll(() => testId(page, 'attention-matrix').locator('canvas').count()).toBe(1);
    await attention.getByLabel('hide [CLS]/[SEP]').check();
    expect(await attention.locator('.explain').textContent()).toContain('rescaled to sum to 1');
    await attention.getByRole('radio', { name: 'Rollout' }).check();
    await expect.poll(() => testId(page, 'attention-matrix').getByRole('application').getAttribute('aria-label')).toContain('Attention rollout');
    await attention.getByLabel('hide [CLS]/[SEP]').uncheck();
    await attention.getByRole('radio', { name: 'Head view' }).check();
  });

  it('shows the embedding decomposition, position similarity and [CLS] per layer', async () => {
    const n = (await tokens(page)).length;
    await expect.poll(() => testId(page, 'embedding-table').locator('tbody tr').count()).toBe(n);
    // bert-tiny has max_position_embeddings 40: a 40 × 40 similarity matrix.
    expect(await testId(page, 'position-heatmap').locator('canvas').evaluate((c: HTMLCanvasElement) => [c.width, c.height])).toEqual([40, 40]);
    await testId(page, 'position-heatmap').getByRole('application').press('Enter');
    expect(await testId(page, 'position-profile').locator('polyline').getAttribute('points')).toMatch(/^0\.0,0\.0 /);
    // 3 layers + the embedding output.
    expect(await testId(page, 'cls-trajectory').locator('tbody tr').count()).toBe(4);
    await page.screenshot({ path: `${SHOTS}/text-${backend}.png`, fullPage: true });
  });

  it('keeps the number of live tensors constant across runs', async () => {
    const count = async () => Number((await testId(page, 'live-tensors').textContent())!.split(' ')[0]);
    const seen: number[] = [];
    for (const text of ['the dog sat.', 'the cat sat on the mat.', 'the dog sat.']) {
      await testId(page, 'sentence-a').fill(text);
      await expect.poll(() => tokens(page)).toContain(text.split(' ')[1]);
      await expect.poll(() => testId(page, 'run-state').textContent()).toBe('');
      await page.waitForTimeout(300);
      seen.push(await count());
    }
    expect(seen[0]).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(1);
  });

  it.runIf(backend === 'wasm')('exports a view as JSON and as PNG', async () => {
    const panel = page.locator('[data-panel="tokens"]');
    const [json] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export tokens numbers as JSON' }).click()]);
    expect(json.suggestedFilename()).toBe('tokens.json');
    const exported = JSON.parse(readFileSync((await json.path()), 'utf8')) as { tokens: string[]; input_ids: number[] };
    expect(exported.tokens).toEqual(await tokens(page));
    expect(exported.input_ids.length).toBe(exported.tokens.length);
    const [png] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export tokens as PNG' }).click()]);
    expect(png.suggestedFilename()).toBe('tokens.png');
    expect([...readFileSync((await png.path())).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it.runIf(backend === 'wasm')('keeps hub downloads in the cache and clears it', async () => {
    await page.getByText('Download settings').click();
    // config.json, tokenizer_config.json, vocab.txt and the 207,060-byte weights.
    const bytes = ['config.json', 'tokenizer_config.json', 'vocab.txt', 'model.safetensors']
      .map((f) => statSync(`tests/fixtures/models/bert-tiny/${f}`).size)
      .reduce((a, b) => a + b, 0);
    await expect.poll(() => testId(page, 'cache-size').textContent()).toBe(`${(bytes / 1024).toFixed(0)} KB in 4 files`);
    await page.getByRole('button', { name: 'Clear cache' }).click();
    await expect.poll(() => testId(page, 'cache-size').textContent()).toBe('0 B in 0 files');
  });

  it.runIf(backend === 'wasm')('loads a cached checkpoint offline and explains an uncached one', async () => {
    const repo = page.getByLabel('Hugging Face repo');
    await repo.fill('fixtures/bert-tiny');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'cache-size').textContent()).toMatch(/in 4 files$/);
    await page.context().setOffline(true);
    try {
      await repo.fill('fixtures/bert-tiny-base-only');
      await page.getByRole('button', { name: 'Download' }).click();
      await expect.poll(() => testId(page, 'model-error-bert').textContent()).toMatch(/Could not reach .*bert-tiny-base-only/);
      await repo.fill('fixtures/bert-tiny');
      await page.getByRole('button', { name: 'Download' }).click();
      await expect.poll(() => page.locator('.load-progress li', { hasText: 'model.safetensors' }).textContent()).toContain('(100%)');
      // The preset's Load button is disabled until the load has finished, successfully or not.
      await expect.poll(() => page.getByRole('button', { name: 'Load', exact: true }).isEnabled()).toBe(true);
      expect(await testId(page, 'model-error-bert').count()).toBe(0);
      expect(await testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
    } finally {
      await page.context().setOffline(false);
    }
  });

  it.runIf(backend === 'wasm')('loads a checkpoint from files on disk', async () => {
    const folder = 'tests/fixtures/models/bert-tiny-legacy-f16';
    await page.getByLabel('Choose files…').setInputFiles(['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json'].map((f) => `${folder}/${f}`));
    await expect.poll(() => testId(page, 'current-model-bert').textContent()).toContain('config.json, model.safetensors');
    await expect.poll(() => page.locator('.load-progress li', { hasText: 'model.safetensors' }).textContent()).toContain('(100%)');
    await page.getByLabel('Preset').selectOption('hub:google/bert_uncased_L-2_H-128_A-2');
    await page.getByLabel('Hugging Face repo').fill('fixtures/bert-tiny');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
  });

  it.runIf(backend === 'wasm')('loads checkpoint files dropped on the picker', async () => {
    await page.evaluate(async (raw) => {
      const names = ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json'];
      const data = new DataTransfer();
      for (const name of names) data.items.add(new File([await (await fetch(`${raw}/models/bert-tiny-base-only/${name}`)).blob()], name));
      document.querySelector('.model-picker')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, `${inject('hubUrl')}/raw`);
    await expect.poll(() => testId(page, 'current-model-bert').textContent()).toContain('config.json, model.safetensors, vocab.txt');
    // bert-tiny-base-only has no pretraining heads: the panels say so instead of failing.
    await expect.poll(() => page.locator('[data-panel="masked-lm"]').textContent()).toContain('has no masked-LM head');
    await page.getByLabel('Hugging Face repo').fill('fixtures/bert-tiny');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
  });

  it.runIf(backend === 'wasm')('sends a ViT checkpoint loaded from the text tab to the image tab', async () => {
    await page.getByLabel('Hugging Face repo').fill('fixtures/vit-tiny');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => page.locator('.model-picker .notice').textContent()).toBe(
      'hub:fixtures/vit-tiny is a VIT model; it is now the model of the Image · ViT tab.',
    );
    expect(await testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
  });

  it('explains a missing repo and keeps the current model and inputs', async () => {
    const before = await tokens(page);
    await page.getByLabel('Hugging Face repo').fill('fixtures/no-such-model');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'model-error-bert').textContent()).toMatch(/no config\.json/i);
    expect(await testId(page, 'model-error-bert').textContent()).toContain(`Still using ${FIXTURE}`);
    expect(await testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
    expect(await tokens(page)).toEqual(before);
  });

  it('explains an empty sentence and keeps the last results', async () => {
    const before = await tokens(page);
    await testId(page, 'sentence-a').fill('   ');
    await expect.poll(() => testId(page, 'text-error').textContent()).toContain('Sentence A is empty');
    expect(await tokens(page)).toEqual(before);
    await testId(page, 'sentence-a').fill('the dog sat.');
    await expect.poll(() => testId(page, 'text-error').count()).toBe(0);
  });

  it.runIf(backend === 'wasm')('loads a repo that only has pytorch_model.bin, and says which file it read', async () => {
    await page.getByLabel('Hugging Face repo').fill('pt-only/bert-tiny');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'current-model-bert').textContent()).toContain('hub:pt-only/bert-tiny');
    expect(await testId(page, 'weights-file-bert').textContent()).toBe('Weights read from pytorch_model.bin');
    await expect.poll(() => page.locator('.load-progress li', { hasText: 'pytorch_model.bin' }).textContent()).toContain('(100%)');
    await page.getByLabel('Hugging Face repo').fill('fixtures/bert-tiny');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
    expect(await testId(page, 'weights-file-bert').textContent()).toBe('Weights read from model.safetensors');
  });

  it('explains a gated repo', async () => {
    await page.getByLabel('Hugging Face repo').fill('gated/some-model');
    await page.getByRole('button', { name: 'Download' }).click();
    await expect.poll(() => testId(page, 'model-error-bert').textContent()).toMatch(/gated or private/);
    expect(await testId(page, 'current-model-bert').textContent()).toContain(FIXTURE);
  });

  it.runIf(backend === 'webgl')('falls back to WASM when the WebGL context is lost, keeping the inputs', async () => {
    const textA = await testId(page, 'sentence-a').inputValue();
    // tfjs keeps its engine on the global object; lose its context the way a GPU reset would.
    await page.workers()[0].evaluate(() => {
      const engine = (self as unknown as { _tfengine: { backend: { gpgpu: { gl: WebGL2RenderingContext } } } })._tfengine;
      engine.backend.gpgpu.gl.getExtension('WEBGL_lose_context')!.loseContext();
    });
    await expect.poll(() => testId(page, 'backend-name').textContent()).toBe('WASM');
    expect(await page.locator('.badge-notice').textContent()).toContain('GPU context was lost');
    expect(await testId(page, 'sentence-a').inputValue()).toBe(textA);
    await testId(page, 'sentence-a').fill('the cat sat.');
    await expect.poll(() => tokens(page)).toEqual(expect.arrayContaining(['cat', 'sat']));
    // Choosing WebGL again starts on a fresh context.
    await page.getByLabel('Backend').selectOption('wasm');
    await expect.poll(() => page.url()).toContain('backend=wasm');
    await page.getByLabel('Backend').selectOption('webgl');
    await expect.poll(() => testId(page, 'backend-name').textContent()).toBe('WEBGL');
    await testId(page, 'sentence-a').fill('the dog sat.');
    await expect.poll(() => tokens(page)).toEqual(expect.arrayContaining(['dog', 'sat']));
  });

  it.runIf(backend === 'wasm')('switches backend from the badge and keeps the inputs', async () => {
    const before = await tokens(page);
    await page.getByLabel('Backend').selectOption('cpu');
    await expect.poll(() => testId(page, 'backend-name').textContent()).toBe('CPU');
    await expect.poll(() => page.url()).toContain('backend=cpu');
    await testId(page, 'sentence-a').fill(await testId(page, 'sentence-a').inputValue());
    await expect.poll(() => tokens(page)).toEqual(before);
    await page.getByLabel('Backend').selectOption('wasm');
    await expect.poll(() => testId(page, 'backend-name').textContent()).toBe('WASM');
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});

describe('text workspace with the bundled mini-BERT', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser, { width: 1280, height: 1500 });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/`);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('loads by default on the backend the policy picks for a software GPU', async () => {
    await expect.poll(() => testId(page, 'current-model-bert').textContent(), { timeout: 60_000 }).toContain('bundled:mini-bert');
    // Chromium runs WebGL and WebGPU on SwiftShader here, which the policy must recognise as software.
    expect(await testId(page, 'backend-name').textContent()).toBe('WASM');
    expect(await page.locator('.badge-reason').textContent()).toMatch(/WebGPU runs in software \(google swiftshader\).*renders in software \(.*SwiftShader.*\)/);
    // Chromium has relaxed SIMD and the e2e server sends COOP/COEP: our GEMM runs with fused
    // multiply-adds on every logical core up to four (helper workers beside the inference worker),
    // which the cloze test below then checks against PyTorch.
    const status = (await page.locator('.badge-status').textContent())!;
    const [, threads, cores] = /relaxed SIMD \(fused multiply-add\), (\d+) threads? \((\d+) logical cores?;/.exec(status) ?? [];
    expect(Number(threads), status).toBe(Math.min(Number(cores) <= 4 ? Number(cores) : Math.floor(Number(cores) / 2), 8));
  });

  it('fills the example mask and takes the README screenshot', async () => {
    await expect.poll(() => testId(page, 'prediction').count()).toBe(5);
    await testId(page, 'timings').waitFor();
    await page.screenshot({ path: `${SHOTS}/text-bundled.png` });
    // The README's copy changes only on request, so a test run leaves the work tree clean.
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(`${SHOTS}/text-bundled.png`, 'docs/screenshot-text.png');
  });

  it('tokenizes and predicts a held-out cloze sentence as PyTorch did', async () => {
    const heldout = JSON.parse(readFileSync('tests/fixtures/mini-bert/heldout.json', 'utf8')) as {
      cloze: { sentence: string; input_ids: number[]; top5_ids: number[] }[];
    };
    const vocab = readFileSync('public/models/mini-bert/vocab.txt', 'utf8').split('\n');
    const cloze = heldout.cloze[0];
    await testId(page, 'sentence-b').fill('');
    await testId(page, 'sentence-a').fill(cloze.sentence);
    const ids = () => testId(page, 'token').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-id'))));
    await expect.poll(ids).toEqual(cloze.input_ids);
    const predicted = () => testId(page, 'prediction').locator('.prob-label').allTextContents();
    await expect.poll(predicted).toEqual(cloze.top5_ids.map((id) => vocab[id]));
    await page.screenshot({ path: `${SHOTS}/text-bundled-cloze.png` });
  });

  it('fits a phone-width screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: `${SHOTS}/text-phone.png`, fullPage: true });
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});
