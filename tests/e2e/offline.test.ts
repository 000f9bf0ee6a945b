// Offline and installable, in Chromium: the first visit loads the bundled models with nothing
// logged as an error (no 404 for the favicon or for optional tokenizer files the bundled model
// does not ship), the loading bar ends at 100% although the server gzips the models (no
// Content-Length), the service worker precaches the app; then, with the network off, a reload
// opens the app and both workspaces run on the bundled models.

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, watchedPage } from './setup/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('offline after the first visit', () => {
  it('precaches on the first visit, then reloads offline and runs both workspaces', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 900 }, { serviceWorkers: 'allow' });
    // Every console error, "Failed to load resource" (a 404) included.
    const loadErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') loadErrors.push(message.text());
    });
    const notFound: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) notFound.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${inject('appUrl')}/?backend=wasm`);
    await expect.poll(() => page.getByTestId('current-model-bert').textContent(), { timeout: 60_000 }).toContain('bundled:mini-bert');

    // The server gzips the bundled models, so no total is known until the end; then the bar is full.
    const weights = page.locator('.load-progress li', { hasText: 'model.safetensors' });
    await expect.poll(() => weights.textContent()).toContain('(100%)');
    const [value, max] = await weights.locator('progress').evaluate((p: HTMLProgressElement) => [p.value, p.max]);
    expect(value).toBe(max);
    expect(max).toBeGreaterThan(1_000_000);
    await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(5);

    // Installable: a manifest with icons, and the icons exist.
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
      return link ? ((await (await fetch(link.href)).json()) as { icons: { src: string; sizes: string }[]; name: string }) : null;
    });
    expect(manifest?.icons.map((i) => i.sizes)).toEqual(['192x192', '512x512']);
    for (const icon of manifest!.icons) {
      expect(await page.evaluate(async (src) => (await fetch(src)).status, icon.src)).toBe(200);
    }

    // The service worker is active once everything is precached; then it controls the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await expect.poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { timeout: 60_000 }).toBe(true);
    expect(notFound).toEqual([]);
    expect(loadErrors).toEqual([]);
    // Pages the service worker serves keep the server's COOP/COEP headers (WASM threads need them).
    const isolated = await page.evaluate(() => crossOriginIsolated);

    await page.context().setOffline(true);
    try {
      await page.reload();
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(isolated);
      await expect.poll(() => page.getByTestId('current-model-bert').textContent(), { timeout: 60_000 }).toContain('bundled:mini-bert');
      await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(5);
      await page.getByTestId('sentence-a').fill('the cat sat on the [MASK].');
      await expect.poll(() => page.getByTestId('mask-result').count()).toBe(1);

      // The image workspace: its code, styles, model and samples all come from the precache.
      await page.getByRole('tab', { name: 'Image · ViT' }).click();
      await expect.poll(() => page.getByTestId('current-model-vit').textContent(), { timeout: 60_000 }).toContain('bundled:mini-vit');
      await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
      expect(await page.locator('.error-box').count()).toBe(0);
      // The image workspace's stylesheet is applied (its drop zone has a dashed border).
      expect(await page.locator('.drop-zone').evaluate((e) => getComputedStyle(e).borderStyle)).toBe('dashed');
    } finally {
      await page.context().setOffline(false);
    }
    expect(errors).toEqual([]);
    await page.close();
  });
});
