// The architectures beyond BERT and ViT in the app: each fixture checkpoint loads from the
// stand-in hub into its workspace and shows what is particular to it — RoBERTa's byte-level
// tokens and <mask>, DistilBERT without a sentence head, ALBERT's sentence-order prediction,
// ELECTRA's replaced-token probabilities in the token strip, a distilled DeiT's distillation
// token and two heads. Numbers are checked against PyTorch by tests/e2e/webgl_parity.test.ts;
// here the views. WASM backend; no console errors allowed. Screenshots go to test-results/screenshots.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, watchedPage, type WatchedPage } from './setup/browser';

const SHOTS = 'test-results/screenshots';
const IMAGE = join(import.meta.dirname, '..', 'fixtures', 'models', 'deit-tiny-distilled', 'inputs', 'case0.png');

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const tokens = (page: Page) => testId(page, 'token').evaluateAll((els) => els.map((e) => e.getAttribute('data-token') ?? ''));

describe('text architectures from the hub', () => {
  let watched: WatchedPage;
  let page: Page;

  /** Loads `hub:fixtures/<name>` into the text workspace and waits until it has run. */
  async function open(name: string, architecture: string): Promise<void> {
    const params = new URLSearchParams({ backend: 'wasm', hub: inject('hubUrl'), bert: `hub:fixtures/${name}`, a: 'the cat sat on the mat.', b: '' });
    await page.goto(`${inject('appUrl')}/?${params}`);
    await expect.poll(() => testId(page, 'architecture-bert').textContent(), { timeout: 60_000 }).toBe(architecture);
    await expect.poll(() => testId(page, 'token').count(), { timeout: 60_000 }).toBeGreaterThan(2);
  }

  beforeAll(async () => {
    watched = await watchedPage(browser);
    page = watched.page;
  });
  afterAll(async () => {
    await page?.close();
  });

  it('RoBERTa: <s> … </s>, byte-level tokens shown readably, a click masks with <mask> and fills it', async () => {
    await open('roberta-tiny', 'RoBERTa');
    const shown = await tokens(page);
    expect(shown[0]).toBe('<s>');
    expect(shown[shown.length - 1]).toBe('</s>');
    expect(shown).toContain('Ġcat');
    // The strip shows the space as ␣, not as the byte-level Ġ.
    const cat = page.locator('[data-testid="token"][data-token="Ġcat"]');
    expect(await cat.locator('.token-text').textContent()).toBe('␣cat');
    await cat.click();
    await expect.poll(() => testId(page, 'sentence-a').inputValue()).toBe('the <mask> sat on the mat.');
    await expect.poll(() => testId(page, 'prediction').count()).toBe(5);
    expect(await testId(page, 'mask-original').textContent()).toMatch(/Original token ␣cat: p = /);
    expect(await testId(page, 'no-sentence-head').textContent()).toMatch(/RoBERTa has no sentence-pair head/);
    await testId(page, 'prediction').first().click();
    await expect.poll(() => testId(page, 'sentence-a').inputValue()).not.toContain('<mask>');
  });

  it("DistilBERT: [MASK] predictions, no segment embedding, no sentence head", async () => {
    await open('distilbert-tiny', 'DistilBERT');
    await page.locator('[data-testid="token"][data-token="cat"]').click();
    await expect.poll(() => testId(page, 'sentence-a').inputValue()).toBe('the [MASK] sat on the mat.');
    await expect.poll(() => testId(page, 'prediction').count()).toBe(5);
    expect(await testId(page, 'no-sentence-head').textContent()).toMatch(/DistilBERT has no sentence-pair head/);
    // No segment embedding: that column shows a dash.
    expect(await testId(page, 'embedding-table').locator('tbody tr').first().locator('td').nth(1).textContent()).toBe('–');
  });

  it('ALBERT: sentence-order prediction where BERT has NSP, and A/B can be swapped', async () => {
    await open('albert-tiny', 'ALBERT');
    await testId(page, 'sentence-b').fill('the dog ran to the door.');
    await expect.poll(() => testId(page, 'sop').count(), { timeout: 30_000 }).toBe(1);
    const inOrder = await testId(page, 'sop-in-order').locator('.prob-value').textContent();
    await page.getByRole('button', { name: 'Swap A and B' }).click();
    await expect.poll(() => testId(page, 'sentence-a').inputValue()).toBe('the dog ran to the door.');
    await expect.poll(() => testId(page, 'sop-in-order').locator('.prob-value').textContent()).not.toBe(inOrder);
    expect(await testId(page, 'nsp').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/albert.png`, fullPage: false });
  });

  it("ELECTRA discriminator: every token's replaced probability in the strip and in its panel", async () => {
    await open('electra-tiny-discriminator', 'ELECTRA');
    const count = await testId(page, 'token').count();
    await expect.poll(() => testId(page, 'token-rtd').count()).toBe(count);
    const probs = await testId(page, 'token').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-rtd'))));
    for (const p of probs) expect(p >= 0 && p <= 1).toBe(true);
    // The panel lists the text's tokens (not [CLS]/[SEP]), most probably replaced first.
    expect(await testId(page, 'rtd-row').count()).toBe(count - 2);
    const listed = await testId(page, 'rtd-row').evaluateAll((els) => els.map((e) => parseFloat(e.querySelector('.prob-value')!.textContent)));
    expect([...listed].sort((a, b) => b - a)).toEqual(listed);
    await page.screenshot({ path: `${SHOTS}/electra-discriminator.png`, fullPage: false });
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});

describe('a distilled DeiT from the hub', () => {
  it('shows the distillation token next to [CLS] in the attention maps, and both heads with their mean', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    // The fixture image stands in for the bundled samples.
    await page.route('**/samples/index.json', (route) => route.fulfill({ json: { samples: [{ file: 'sample-case0.png', label: 'cat' }] } }));
    await page.route('**/samples/sample-*.png', (route) => route.fulfill({ path: IMAGE }));
    const query = new URLSearchParams({ tab: 'image', vit: 'hub:fixtures/deit-tiny-distilled', hub: inject('hubUrl'), backend: 'wasm' });
    await page.goto(`${inject('appUrl')}/?${query}`);
    await expect.poll(() => testId(page, 'architecture-vit').textContent(), { timeout: 60_000 }).toBe('DeiT');
    const shown = page.getByText('Showing: sample-case0.png');
    await Promise.race([shown.waitFor({ timeout: 60_000 }), testId(page, 'image-error').waitFor({ timeout: 60_000 })]);
    expect(await testId(page, 'image-error').count(), (await testId(page, 'image-error').allTextContents()).join()).toBe(0);

    const heads = testId(page, 'distillation-heads');
    await heads.waitFor();
    for (const head of ['head-cls', 'head-distillation', 'head-mean']) expect(await heads.getByTestId(head).locator('li').count()).toBe(5);
    // The mean column is the prediction the model reports.
    const reported = await testId(page, 'top-classes').first().locator('.prob-label').allTextContents();
    expect(await heads.getByTestId('head-mean').locator('.prob-label').allTextContents()).toEqual(reported);

    await page.getByRole('application', { name: /Distillation token attention to patches, Layer 1, mean of heads/ }).waitFor();
    await page.getByRole('application', { name: /\[CLS\] attention to patches, Layer 1, mean of heads/ }).waitFor();
    // 4x4 patches in every patch view, with the two tokens before the grid left out.
    expect(await page.getByTestId('head-grid').getByTestId('heatmap').count()).toBe(4);
    await page.screenshot({ path: `${SHOTS}/deit-distilled.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
