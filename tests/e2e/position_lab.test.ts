// The position-structure lab in the production build, in Chromium:
//   * timeline: the Spearman ρ shown for a frame (computed in the app from the F16 embeddings) is
//     the one position_timeline.json records; the slider and play move through the frames;
//   * live training: start, the step counter and the loss move, pause, and the saved model opens
//     in the image workspace, where it classifies the sample image.
// MEASURE_LIVE_TRAINING=1 adds a test that trains until ρ < −0.3 and prints the training time.
// Screenshots go to test-results/screenshots; UPDATE_SCREENSHOTS=1 also refreshes docs/screenshot-lab-position.png
// (after the structure has formed when MEASURE_LIVE_TRAINING=1).

import { copyFileSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { watchedPage, type WatchedPage } from './setup/browser';
import { browserForFile, SHOTS, testId } from './setup/file';

const timeline = JSON.parse(readFileSync('public/models/mini-vit/position_timeline.json', 'utf8')) as {
  frames: { step: number; spearman: number; test_accuracy: number }[];
};
const browser = browserForFile();
const shownRho = async (page: Page, panel: string) =>
  Number((await page.locator(`[data-panel="${panel}"] [data-testid="position-structure"] strong`).textContent()) ?? NaN);
const liveStep = async (page: Page) => Number(await testId(page, 'live-status').getAttribute('data-step'));
const liveLoss = async (page: Page) => (await testId(page, 'live-loss-value').textContent()) ?? '';

describe('position-structure lab', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser(), { width: 1280, height: 1600 });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?tab=image&backend=wasm&lab=position-structure`);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('shows each timeline frame with the Spearman ρ its JSON index records', async () => {
    expect(await page.getByRole('tab', { name: 'Lab: position structure' }).getAttribute('aria-selected')).toBe('true');
    for (const frame of [0, 8, timeline.frames.length - 1]) {
      await testId(page, 'timeline-slider').fill(String(frame));
      await expect.poll(() => testId(page, 'timeline-frame').getAttribute('data-frame')).toBe(String(frame));
      await expect.poll(() => shownRho(page, 'position-timeline')).toBe(Number(timeline.frames[frame].spearman.toFixed(3)));
      expect(await testId(page, 'timeline-recorded').textContent()).toContain(timeline.frames[frame].spearman.toFixed(4));
    }
    // Play from the start: the frames advance on their own; pause stops them.
    await testId(page, 'timeline-slider').fill('0');
    await testId(page, 'timeline-play').click();
    await expect.poll(async () => Number(await testId(page, 'timeline-frame').getAttribute('data-frame'))).toBeGreaterThanOrEqual(2);
    await testId(page, 'timeline-play').click();
    const stopped = await testId(page, 'timeline-frame').getAttribute('data-frame');
    await page.waitForTimeout(1500);
    expect(await testId(page, 'timeline-frame').getAttribute('data-frame')).toBe(stopped);
  });

  it('trains live: the step counter and the loss move, pause holds, and the model opens in the image workspace', async () => {
    await testId(page, 'live-start').click();
    await expect.poll(() => liveStep(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
    const firstLoss = await liveLoss(page);
    expect(Number(firstLoss)).toBeGreaterThan(1);
    await expect.poll(() => liveStep(page), { timeout: 120_000 }).toBeGreaterThanOrEqual(12);
    expect(await liveLoss(page)).not.toBe(firstLoss);
    // Ten steps in: an evaluation has come back, with the live grid and its ρ.
    await expect.poll(() => shownRho(page, 'live-position-embeddings'), { timeout: 60_000 }).toBeLessThan(1);
    expect(Number(await testId(page, 'live-accuracy-value').textContent())).toBeGreaterThan(0);

    await testId(page, 'live-pause').click();
    await expect.poll(() => testId(page, 'live-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('paused');
    const pausedAt = await liveStep(page);
    await page.waitForTimeout(2000);
    expect(await liveStep(page)).toBe(pausedAt);
    await page.locator('.lab').screenshot({ path: `${SHOTS}/lab-position.png` });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(`${SHOTS}/lab-position.png`, 'docs/screenshot-lab-position.png');

    await testId(page, 'live-open').click();
    await expect.poll(() => testId(page, 'current-model-vit').textContent(), { timeout: 60_000 }).toContain(`live ViT (step ${pausedAt})`);
    expect(await page.getByRole('tab', { name: 'Explore' }).getAttribute('aria-selected')).toBe('true');
    expect(await testId(page, 'architecture-vit').textContent()).toBe('ViT');
    // The workspace runs the new model: its own position grid, and a prediction for the image.
    await expect.poll(() => testId(page, 'position-structure').count(), { timeout: 60_000 }).toBe(1);
    expect(watched.errors).toEqual([]);
  });

  it.runIf(process.env.MEASURE_LIVE_TRAINING)('reaches ρ < −0.3 (prints the training time)', async () => {
    await page.getByRole('tab', { name: 'Lab: position structure' }).click();
    await testId(page, 'live-start').click();
    await expect.poll(() => testId(page, 'live-structure-time').textContent(), { timeout: 900_000, interval: 2000 }).toMatch(/fell below/);
    const text = await testId(page, 'live-structure-time').textContent();
    console.log(`browser live training: ${text} at step ${await liveStep(page)}, test accuracy ${await testId(page, 'live-accuracy-value').textContent()}`);
    await testId(page, 'live-pause').click();
    await expect.poll(() => testId(page, 'live-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('paused');
    await page.locator('.lab').screenshot({ path: `${SHOTS}/lab-position.png` });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(`${SHOTS}/lab-position.png`, 'docs/screenshot-lab-position.png');
  }, 1_000_000);
});
