// The rough edges a new user meets, each as seen in a screenshot, in Chromium with the bundled
// models: values on hover in the head view and the model view, axis ticks on the position
// similarity, no gap in the model view, PNG exports without their own buttons, a 500-token input
// that keeps the head view inside the window; at phone width a tapped tooltip that neither sticks
// nor scrolls the page sideways, legible plot labels, a preset menu inside its card, a scroll hint
// on the embedding table and aligned [CLS] rows; and in the image workspace a note when the
// preprocessing squashes a photo and on what the bundled classifier can answer.

import { readFileSync } from 'node:fs';
import { decode, encode } from 'fast-png';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, watchedPage, type WatchedPage } from './setup/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('text workspace details', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser, { width: 1440, height: 900 });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?backend=wasm`);
    await page.getByTestId('prediction').nth(4).waitFor({ timeout: 60_000 });
  });
  afterAll(async () => {
    await page?.close();
  });

  it('head view: hovering a token writes its weights next to the tokens it attends to', async () => {
    const view = page.getByTestId('head-view');
    await page.getByRole('button', { name: 'attention from [CLS]' }).hover();
    await expect.poll(() => page.getByTestId('head-view-caption').textContent()).toBe('[CLS] attends to (weight, mean of the 4 heads shown):');
    const weights = (await view.getByTestId('head-view-weight').allTextContents()).map(Number);
    expect(weights.length).toBeGreaterThan(0);
    // A softmax row: the weights shown (those of at least 0.01) sum to at most 1 and most of it.
    const sum = weights.reduce((a, b) => a + b, 0);
    expect(sum).toBeLessThanOrEqual(1.03);
    expect(sum).toBeGreaterThan(0.8);
    // One head alone: its own weights.
    for (const h of [2, 3, 4]) await page.getByRole('group', { name: /Heads of layer 1/ }).getByLabel(String(h), { exact: true }).uncheck();
    await page.getByRole('button', { name: 'attention to [SEP]' }).first().hover();
    await expect.poll(() => page.getByTestId('head-view-caption').textContent()).toBe('attention to [SEP] from each token (weight, head 1):');
    await page.mouse.move(0, 0);
    await page.getByTestId('head-view-caption').getByText('Hover or focus a token').waitFor();
  });

  it('model view: a value on hover, and thumbnails right next to their row labels', async () => {
    const attention = page.locator('[data-panel^="attention"]');
    await attention.getByRole('radio', { name: 'Model view' }).check();
    const grid = page.getByTestId('model-view');
    const label = grid.getByText('layer 1', { exact: true });
    const thumb = grid.locator('canvas').first();
    const [labelBox, thumbBox] = [(await label.boundingBox())!, (await thumb.boundingBox())!];
    expect(thumbBox.x - (labelBox.x + labelBox.width)).toBeLessThan(12);
    // The cell under the pointer: row 0 ([CLS]) at column 0 ([CLS]) of layer 1, head 1.
    await thumb.hover({ position: { x: 1, y: 1 } });
    const text = await page.getByTestId('model-view-value').textContent();
    expect(text).toMatch(/^layer 1, head 1: \[CLS\] → \[CLS\] = \d\.\d{3}$/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export attention-model numbers as JSON' }).click()]);
    const { attentions } = JSON.parse(readFileSync(await download.path(), 'utf8')) as { attentions: { data: number[] }[] };
    expect(Number(text!.split('= ')[1])).toBeCloseTo(attentions[0].data[0], 3);
    await page.mouse.move(0, 0);
    await attention.getByRole('radio', { name: 'Head view' }).check();
  });

  it('position similarity: index ticks on the matrix and on the profile', async () => {
    const ticks = await page.getByTestId('position-heatmap').locator('.index-ticks-top span').allTextContents();
    // mini-BERT has 128 positions: 0, 20, …, 120.
    expect(ticks).toEqual(['0', '20', '40', '60', '80', '100', '120']);
    expect(await page.getByTestId('position-heatmap').locator('.index-ticks-left span').count()).toBe(7);
    expect(await page.getByTestId('position-profile').locator('.tick text').allTextContents()).toEqual(ticks);
  });

  it('exports a PNG without the panel\'s own PNG/JSON buttons', async () => {
    const panel = page.locator('[data-panel="tokens"]');
    const [panelBox, buttonsBox] = [(await panel.boundingBox())!, (await panel.locator('.export-buttons').boundingBox())!];
    const [download] = await Promise.all([page.waitForEvent('download'), panel.getByRole('button', { name: 'Export tokens as PNG' }).click()]);
    const png = decode(readFileSync(await download.path()));
    const scale = png.width / panelBox.width;
    expect(scale).toBeCloseTo(2, 1);
    // Where the buttons are on screen, the picture has no button text: nothing darker than the
    // panel's lines (the header may be shorter without the buttons, so its rule can pass there).
    const channels = png.channels;
    let darkest = 255;
    for (let y = Math.round((buttonsBox.y - panelBox.y) * scale); y < (buttonsBox.y - panelBox.y + buttonsBox.height) * scale; y++) {
      for (let x = Math.round((buttonsBox.x - panelBox.x) * scale); x < (buttonsBox.x - panelBox.x + buttonsBox.width) * scale; x++) {
        const at = (y * png.width + x) * channels;
        darkest = Math.min(darkest, png.data[at], png.data[at + 1], png.data[at + 2]);
      }
    }
    expect(darkest).toBeGreaterThanOrEqual(200);
    // The picture is opaque (the panel's white), not transparent.
    expect(Array.from(png.data.subarray(0, channels)).slice(3)).toEqual(channels === 4 ? [255] : []);
  });

  it('keeps a long input\'s head view inside the window, scrolling within the panel', async () => {
    // 500 words; mini-BERT reads the first 128 tokens (max_position_embeddings), 2,800 px of rows.
    const long = Array.from({ length: 500 }, (_, i) => ['the', 'cat', 'sat', 'on', 'a', 'mat'][i % 6]).join(' ');
    await page.getByTestId('sentence-b').fill('');
    await page.getByTestId('sentence-a').fill(long);
    await expect.poll(() => page.getByTestId('token').count(), { timeout: 60_000 }).toBe(128);
    const scroller = page.locator('.head-view-scroll');
    await expect.poll(() => scroller.evaluate((e) => e.scrollHeight)).toBeGreaterThan(2500);
    const height = await scroller.evaluate((e) => e.clientHeight);
    expect(height).toBeLessThanOrEqual(0.7 * 900 + 1);
    const panel = (await page.locator('[data-panel^="attention"]').boundingBox())!;
    expect(panel.height).toBeLessThan(1100);
    await page.getByTestId('sentence-a').fill('the man went to the [MASK] store.');
    await expect.poll(() => page.getByTestId('token').count()).toBeLessThan(30);
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});

describe('at phone width (390 x 844)', () => {
  let watched: WatchedPage;
  let page: Page;
  const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);

  beforeAll(async () => {
    watched = await watchedPage(browser, { width: 390, height: 844 });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?backend=wasm`);
    await page.getByTestId('prediction').nth(4).waitFor({ timeout: 60_000 });
  });
  afterAll(async () => {
    await page?.close();
  });

  it('fits the screen', async () => {
    await expect.poll(scrollWidth).toBeLessThanOrEqual(390);
  });

  it('a tapped tooltip stays inside the matrix, and a tap elsewhere closes it', async () => {
    const heatmap = page.getByTestId('position-heatmap').getByRole('application');
    await heatmap.scrollIntoViewIfNeeded();
    const box = (await heatmap.boundingBox())!;
    for (const fraction of [0.05, 0.55, 0.97]) {
      await page.mouse.click(box.x + box.width * fraction, box.y + box.height * 0.5);
      const tooltip = heatmap.getByRole('tooltip');
      await tooltip.waitFor();
      const tip = (await tooltip.boundingBox())!;
      expect(tip.x).toBeGreaterThanOrEqual(box.x - 1);
      expect(tip.x + tip.width).toBeLessThanOrEqual(box.x + box.width + 1);
      expect(await scrollWidth()).toBeLessThanOrEqual(390);
    }
    await page.locator('[data-panel="position-similarity"] h2').dispatchEvent('pointerdown');
    await expect.poll(() => heatmap.getByRole('tooltip').count()).toBe(0);
  });

  it('keeps the preset menu inside its card', async () => {
    const card = (await page.locator('.model-picker').boundingBox())!;
    const menu = (await page.getByTestId('preset-bert').boundingBox())!;
    expect(menu.x + menu.width).toBeLessThanOrEqual(card.x + card.width);
  });

  it('says that the embedding table scrolls sideways', async () => {
    const hint = page.locator('[data-panel="input-embeddings"]').getByTestId('scroll-hint');
    expect(await hint.textContent()).toMatch(/swipe sideways/);
    const box = page.locator('[data-panel="input-embeddings"] .scroll-table-box');
    expect(await box.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
  });

  it('lines up the [CLS] table: every bar starts and every number ends at the same x', async () => {
    const rows = page.getByTestId('cls-trajectory').locator('tbody tr');
    const geometry = await rows.evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('.bar-cell')].map((cell) => ({
          bar: Math.round(cell.querySelector('.inline-bar')!.getBoundingClientRect().left),
          value: Math.round(cell.querySelector('.bar-value')!.getBoundingClientRect().right),
        })),
      ),
    );
    expect(geometry.length).toBe(5);
    for (const column of [0, 1]) {
      expect(new Set(geometry.map((r) => r[column].bar)).size).toBe(1);
      expect(new Set(geometry.map((r) => r[column].value)).size).toBe(1);
    }
  });

  it('draws the attention-distance plot with labels of at least 11 px', async () => {
    await page.getByRole('tab', { name: 'Image · ViT' }).click();
    const plot = page.getByTestId('distance-plot');
    await plot.waitFor({ timeout: 60_000 });
    // Polled: the plot appears before its labels are laid out (a CI run once measured a 0-px label).
    const smallestLabel = () => plot.locator('text').evaluateAll((texts) => Math.min(...texts.map((t) => t.getBoundingClientRect().height)));
    await expect.poll(smallestLabel).toBeGreaterThanOrEqual(11);
    await expect.poll(scrollWidth).toBeLessThanOrEqual(390);
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});

describe('image workspace notes', () => {
  it('says when the preprocessing squashes an image, and what the bundled classifier can answer', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    await page.goto(`${inject('appUrl')}/?tab=image&backend=wasm`);
    await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
    // A bundled sample is 28x28: nothing to say about its shape.
    expect(await page.getByTestId('aspect-note').count()).toBe(0);
    expect(await page.getByTestId('class-note').textContent()).toBe(
      'This classifier knows only 10 classes (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot): whatever the image shows, the answer is one of them. It was trained on Fashion-MNIST, 28×28 grey photos of single clothes on black; photos of anything else get one of these labels anyway.',
    );
    // A wide photo, 60x30.
    const wide = encode({ width: 60, height: 30, data: new Uint8Array(60 * 30 * 3).fill(128), channels: 3 });
    await page.getByTestId('image-file-input').setInputFiles({ name: 'wide.png', mimeType: 'image/png', buffer: Buffer.from(wide) });
    await page.getByText('Showing: wide.png').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('aspect-note').textContent()).toBe(
      'The image was 60×30 pixels; the preprocessing resized it to 28×28 without keeping its proportions, so the model sees it narrower than it really is.',
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
