// The Stop button in the production build, in Chromium on WASM: a 512-token run on a deep random
// BERT (bench/make_checkpoint.ts, 24 layers) takes seconds; the activity bar says what runs, Stop
// ends it by restarting the worker, the model comes back from the same dropped files, the earlier
// results stay on screen, and the next input runs as usual.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeCheckpoint } from '../../bench/make_checkpoint';
import { launchChromium, watchedPage, type WatchedPage } from './setup/browser';

const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
// Words of the random checkpoint's vocabulary.
const SHORT = ['[CLS]', 'he', 'was', 'in', 'the', 'water', '.', '[SEP]'];
const tokens = (page: Page) => testId(page, 'token').evaluateAll((els) => els.map((e) => e.getAttribute('data-token') ?? ''));

let browser: Browser;
let root: string;
let folder: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'stop-e2e-'));
  folder = makeCheckpoint('bert-deep-narrow', root);
});
afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('Stop', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    watched = await watchedPage(browser);
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?${new URLSearchParams({ backend: 'wasm', hub: inject('hubUrl') })}`);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('loads the deep checkpoint from files and runs a short text', async () => {
    await page.getByLabel('Choose files…').setInputFiles(['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json'].map((f) => join(folder, f)));
    await expect.poll(() => testId(page, 'current-model-bert').textContent(), { timeout: 120_000 }).toContain('config.json, model.safetensors');
    await testId(page, 'sentence-b').fill('');
    await testId(page, 'sentence-a').fill('he was in the water.');
    await expect.poll(() => tokens(page), { timeout: 120_000 }).toEqual(SHORT);
  }, 240_000);

  it('stops a long run, reloads the model and keeps the earlier results', async () => {
    const long = Array.from({ length: 600 }, (_, i) => ['the', 'water', 'was', 'on', 'a', 'time'][i % 6]).join(' ');
    await testId(page, 'sentence-a').fill(long);
    const bar = testId(page, 'activity');
    await expect.poll(() => bar.textContent(), { timeout: 30_000 }).toMatch(/^Running config\.json, model\.safetensors.* on the sentences… \d+ s/);
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    // While the worker restarts, the bar says what is reloaded; the earlier tokens stay.
    await expect.poll(() => bar.textContent(), { timeout: 10_000 }).toMatch(/^Stopped\. Reloading config\.json, model\.safetensors/);
    await expect.poll(() => testId(page, 'text-error').textContent()).toBe('Stopped. The results below are for an earlier input.');
    expect(await tokens(page)).toEqual(SHORT);
    await expect.poll(() => bar.count(), { timeout: 120_000 }).toBe(0);
    expect(await testId(page, 'model-error-bert').count()).toBe(0);
    expect(await testId(page, 'current-model-bert').textContent()).toContain('config.json, model.safetensors');

    // The reloaded model runs the next input.
    await testId(page, 'sentence-a').fill('she was on the water.');
    await expect.poll(() => tokens(page), { timeout: 60_000 }).toEqual(['[CLS]', 'she', 'was', 'on', 'the', 'water', '.', '[SEP]']);
    await expect.poll(() => testId(page, 'text-error').count()).toBe(0);
    expect(watched.errors).toEqual([]);
  }, 300_000);
});
