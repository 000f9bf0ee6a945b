// The fuzz corpus (tests/fuzz/corpus.ts) in the app, in Chromium on WASM: every checkpoint case
// that must be refused is dropped on the model picker as a whole folder of files (the fixture's
// files with the case's replaced), and every bad image is uploaded. Each ends in one error box;
// the previous model, its results and the previous image stay, and no console error appears.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeCorpus, type FuzzCase } from '../fuzz/corpus';
import { launchChromium, watchedPage, type WatchedPage } from './setup/browser';

const FIXTURES = join(import.meta.dirname, '../fixtures/models');
const corpus = makeCorpus();
const CHECKPOINT_KINDS = new Set(['safetensors', 'config', 'processor', 'vocabulary']);
const drops = corpus.filter((c) => CHECKPOINT_KINDS.has(c.kind) && c.outcome === 'error');
const uploads = corpus.filter((c) => c.kind === 'image' && c.outcome === 'error' && c.inputs.image);

/** The fixture's checkpoint files with the case's replaced or removed, base64-encoded for the page. */
function droppedFiles(c: FuzzCase): { name: string; base64: string }[] {
  const names = readdirSync(join(FIXTURES, c.model)).filter((f) => !f.startsWith('expected') && f !== 'inputs');
  const files = new Map<string, Uint8Array>(names.map((n) => [n, new Uint8Array(readFileSync(join(FIXTURES, c.model, n)))]));
  for (const [name, bytes] of Object.entries(c.files)) {
    if (bytes) files.set(name, bytes);
    else files.delete(name);
  }
  return [...files].map(([name, bytes]) => ({ name, base64: Buffer.from(bytes).toString('base64') }));
}

/** Drops the files on the picker and waits until it is idle again with an error shown (or 5 s pass). */
function drop(page: Page, slot: 'bert' | 'vit', files: { name: string; base64: string }[]): Promise<void> {
  return page.evaluate(
    async ({ slot, files }) => {
      const picker = document.querySelector(`[data-testid="current-model-${slot}"]`)!.closest('.model-picker')!;
      const data = new DataTransfer();
      for (const f of files) data.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
      const settled = new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => {
          if (picker.getAttribute('aria-busy') !== 'true' && picker.querySelector(`[data-testid="model-error-${slot}"]`)) {
            observer.disconnect();
            resolve();
          }
        });
        observer.observe(picker, { attributes: true, childList: true, subtree: true, characterData: true });
        setTimeout(() => {
          observer.disconnect();
          resolve();
        }, 5000);
      });
      picker.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
      await settled;
    },
    { slot, files },
  );
}

const testId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('fuzz corpus in the app', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser);
    page = watched.page;
    const query = new URLSearchParams({ backend: 'wasm', hub: inject('hubUrl'), bert: 'hub:fixtures/bert-tiny', vit: 'hub:fixtures/vit-tiny' });
    await page.goto(`${inject('appUrl')}/?${query}`);
  });
  afterAll(async () => {
    await page?.close();
  });

  it('has checkpoint drops and image uploads of every kind', () => {
    expect(new Set(drops.map((c) => c.kind))).toEqual(new Set(['safetensors', 'config', 'processor', 'vocabulary']));
    expect(drops.length + uploads.length).toBeGreaterThanOrEqual(150);
  });

  it('refuses every bad text checkpoint dropped, keeping the model and the results', async () => {
    await expect.poll(() => testId(page, 'current-model-bert').textContent(), { timeout: 60_000 }).toContain('hub:fixtures/bert-tiny');
    await testId(page, 'sentence-b').fill('');
    await testId(page, 'sentence-a').fill('the cat sat on the mat.');
    await expect.poll(() => testId(page, 'token').count(), { timeout: 60_000 }).toBeGreaterThan(2);
    const model = await testId(page, 'current-model-bert').textContent();
    const shown = await testId(page, 'token').allTextContents();
    for (const c of drops.filter((d) => d.model === 'bert-tiny')) {
      await drop(page, 'bert', droppedFiles(c));
      const error = testId(page, 'model-error-bert');
      expect(await error.count(), c.name).toBe(1);
      expect((await error.textContent())?.trim(), c.name).toMatch(/\S/);
      expect(await testId(page, 'current-model-bert').textContent(), c.name).toBe(model);
      expect(await testId(page, 'token').allTextContents(), c.name).toEqual(shown);
    }
    expect(watched.errors).toEqual([]);
  }, 300_000);

  it('refuses every bad image checkpoint dropped and every bad image uploaded, keeping the image and its classes', async () => {
    await page.getByRole('tab', { name: /Image/ }).click();
    await expect.poll(() => testId(page, 'current-model-vit').textContent(), { timeout: 60_000 }).toContain('hub:fixtures/vit-tiny');
    // The first sample opens by itself; then the fixture image replaces it.
    await page.getByText(/^Showing: /).waitFor({ timeout: 60_000 });
    await expect.poll(() => testId(page, 'top-classes').locator('li').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await testId(page, 'image-file-input').setInputFiles(join(FIXTURES, 'vit-tiny/inputs/case0.png'));
    await page.getByText('Showing: case0.png').waitFor({ timeout: 60_000 });
    await expect.poll(() => testId(page, 'top-classes').locator('li').count()).toBeGreaterThan(0);
    const classes = await testId(page, 'top-classes').textContent();
    const model = await testId(page, 'current-model-vit').textContent();

    for (const c of drops.filter((d) => d.model === 'vit-tiny')) {
      await drop(page, 'vit', droppedFiles(c));
      expect(await testId(page, 'model-error-vit').count(), c.name).toBe(1);
      expect(await testId(page, 'current-model-vit').textContent(), c.name).toBe(model);
    }
    for (const [i, c] of uploads.entries()) {
      const name = `case${i}.img`;
      await testId(page, 'image-file-input').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(c.inputs.image) });
      await expect.poll(() => testId(page, 'image-error').textContent(), { timeout: 30_000, message: c.name }).toContain(name);
      expect(await page.locator('.current-image').textContent(), c.name).toContain('case0.png');
      expect(await testId(page, 'top-classes').textContent(), c.name).toBe(classes);
    }
    expect(watched.errors).toEqual([]);
  }, 300_000);
});
