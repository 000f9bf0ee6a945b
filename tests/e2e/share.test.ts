// Every view can be shared by URL: set a state that is not the default, reload the page from its
// URL, and the panels export the same numbers (their JSON) as before, in the text workspace
// (masked tokens and their originals, top-k, attention view, layer, head, hidden specials,
// position, the neuron view's query token), in the self-supervision lab (text, seed, whole-word)
// and in the image workspace (sample, layer, head, patch, rollout, opacity, neuron view). A link made
// with an image of one's own says the image could not come along; parameters that cannot be used
// are named, not silently dropped.

import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, watchedPage } from './setup/browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The JSON a panel's export button downloads. */
async function exported(page: Page, name: string): Promise<unknown> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Export ${name} numbers as JSON` }).click()]);
  return JSON.parse(readFileSync(await download.path(), 'utf8')) as unknown;
}

describe('a shared URL reproduces the view', () => {
  it('text workspace: masked tokens (with their originals), top-k, attention matrix, position', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    await page.goto(`${inject('appUrl')}/?backend=wasm`);
    await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(5);
    await page.getByTestId('sentence-a').fill('the cat sat on the mat.');
    await page.getByTestId('sentence-b').fill('it was soon asleep.');
    await page.locator('[data-testid="token"][data-token="mat"]').click();
    await expect.poll(() => page.getByTestId('mask-original').textContent()).toMatch(/Original token mat/);
    await page.getByTestId('top-k').fill('7');
    await expect.poll(() => page.getByTestId('prediction').count()).toBe(7);
    const attention = page.locator('[data-panel^="attention"]');
    await attention.getByRole('radio', { name: 'Matrix' }).check();
    await page.getByTestId('attention-layer').selectOption({ value: '2' });
    await page.getByTestId('attention-head').selectOption({ value: '1' });
    await attention.getByLabel('hide [CLS]/[SEP]').check();
    await page.getByRole('slider', { name: 'Position 0' }).fill('5');

    const before = {
      mlm: await exported(page, 'masked-lm'),
      attention: await exported(page, 'attention-matrix'),
      positions: (await exported(page, 'position-similarity')) as { focus: number },
    };
    expect(before.positions.focus).toBe(5);
    expect(before.attention).toMatchObject({ view: 'matrix', layer: 2, head: 1, hideSpecial: true });
    const url = page.url();
    expect(new URL(url).searchParams.get('masked')).toMatch(/^\d+:mat$/);

    await page.goto(url);
    await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(7);
    await expect.poll(() => page.getByTestId('attention-matrix').count()).toBe(1);
    expect(await page.getByTestId('mask-original').textContent()).toMatch(/Original token mat/);
    expect(await exported(page, 'masked-lm')).toEqual(before.mlm);
    expect(await exported(page, 'attention-matrix')).toEqual(before.attention);
    expect(await exported(page, 'position-similarity')).toEqual(before.positions);
    expect(await page.getByTestId('url-notice').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('image workspace: sample, layer, head, patch, rollout fusion and discard ratio, opacity', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    await page.goto(`${inject('appUrl')}/?tab=image&backend=wasm`);
    await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
    const samples = page.getByRole('list', { name: 'Sample images' }).getByRole('button');
    await samples.nth(3).click();
    await expect.poll(() => samples.nth(3).getAttribute('aria-pressed'), { timeout: 60_000 }).toBe('true');
    await page.getByTestId('layer-select').first().selectOption('3');
    await page.getByTestId('head-select').selectOption('1');
    const cls = page.getByRole('application', { name: /\[CLS\] attention to patches/ });
    const box = (await cls.boundingBox())!;
    await cls.click({ position: { x: box.width * 0.45, y: box.height * 0.55 } });
    await page.getByTestId('output-similarity').getByTestId('heatmap').waitFor();
    await page.getByTestId('fusion-select').selectOption('max');
    await page.getByTestId('discard-ratio').fill('0.5');
    await page.getByTestId('overlay-opacity').fill('0.3');
    await page.getByText('raw attention · Layer 4, heads fused by max').waitFor();
    await page.getByTestId('rollout-map').getByTestId('heatmap').waitFor();

    const names = ['vit-input', 'vit-attention', 'vit-rollout', 'vit-patch-outputs'];
    const before = new Map<string, unknown>();
    for (const name of names) before.set(name, await exported(page, name));
    expect(before.get('vit-attention')).toMatchObject({ layer: 3, head: 1, patch: expect.any(Number) as number });
    expect(before.get('vit-rollout')).toMatchObject({ options: { headFusion: 'max', discardRatio: 0.5 } });

    await page.goto(page.url());
    await expect.poll(() => samples.nth(3).getAttribute('aria-pressed'), { timeout: 60_000 }).toBe('true');
    await page.getByTestId('rollout-map').getByTestId('heatmap').waitFor({ timeout: 60_000 });
    await page.getByTestId('pca-map').waitFor();
    for (const name of names) expect(await exported(page, name), name).toEqual(before.get(name));
    expect(await page.getByTestId('overlay-opacity').inputValue()).toBe('0.3');
    expect(await cls.locator('canvas').last().evaluate((c) => (c as HTMLCanvasElement).style.opacity)).toBe('0.3');

    // An image of one's own cannot travel in a link: the URL only says there was one.
    await page.getByTestId('image-file-input').setInputFiles('public/samples/fashion-2-trouser.png');
    await page.getByText('Showing: fashion-2-trouser.png').waitFor({ timeout: 60_000 });
    await expect.poll(() => new URL(page.url()).searchParams.get('image')).toBe('own');
    await page.goto(page.url());
    await expect.poll(() => page.getByTestId('shared-own-image').textContent(), { timeout: 60_000 }).toMatch(/cannot carry/);
    await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('the neuron views and the self-supervision lab: query token, layer and head; lab text, seed and whole-word', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    await page.goto(`${inject('appUrl')}/?backend=wasm`);
    await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(5);
    await page.getByTestId('sentence-a').fill('the cat sat on the mat.');
    const attention = page.locator('[data-panel^="attention"]');
    await attention.getByRole('radio', { name: 'Neuron view' }).check();
    await page.getByTestId('attention-layer').selectOption({ value: '2' });
    await page.getByTestId('attention-head').selectOption({ value: '1' });
    await page.getByTestId('neuron-query').selectOption({ value: '3' });
    await expect.poll(() => page.getByTestId('neuron-view').getAttribute('data-query'), { timeout: 60_000 }).toBe('3');
    const textNeuron = await exported(page, 'attention-neuron');
    expect(textNeuron).toMatchObject({ view: 'neuron', layer: 2, head: 1, query: 3 });

    await page.getByRole('tab', { name: 'Lab: self-supervision' }).click();
    await page.getByTestId('lab-text').fill('the cat sat on the mat. it was soon asleep. the dog barked at the door.');
    await page.getByTestId('lab-seed').fill('6');
    await page.getByLabel(/whole-word masking/).check();
    const example = page.getByTestId('lab-example');
    await expect.poll(() => example.getAttribute('data-seed'), { timeout: 60_000 }).toBe('6');
    await page.getByTestId('lab-mlm-loss').waitFor();
    const labExample = await exported(page, 'lab-mlm-example');
    expect(labExample).toMatchObject({ example: { seed: 6, whole_word: true } });

    await page.getByRole('tab', { name: 'Image · ViT' }).click();
    await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
    const panel = page.locator('[data-panel="vit-neuron"]');
    await panel.getByLabel('Show the neuron view').check();
    await panel.getByTestId('layer-select').selectOption({ value: '2' });
    await panel.getByTestId('neuron-head').selectOption({ value: '3' });
    const map = panel.locator('.neuron-map [data-testid="heatmap"]');
    await map.waitFor({ timeout: 60_000 });
    const box = (await map.boundingBox())!;
    await page.mouse.click(box.x + (1.5 * box.width) / 7, box.y + (2.5 * box.height) / 7);
    await expect.poll(() => page.getByTestId('neuron-view').getAttribute('data-query')).toBe('16');
    const imageNeuron = await exported(page, 'vit-neuron');
    expect(imageNeuron).toMatchObject({ layer: 2, head: 3, query: 16 });

    await page.goto(page.url());
    await expect.poll(() => page.getByTestId('neuron-view').getAttribute('data-query'), { timeout: 60_000 }).toBe('16');
    expect(await exported(page, 'vit-neuron')).toEqual(imageNeuron);
    await page.getByRole('tab', { name: 'Text · BERT' }).click();
    await expect.poll(() => page.getByTestId('lab-example').getAttribute('data-seed'), { timeout: 60_000 }).toBe('6');
    expect(await page.getByTestId('lab-text').inputValue()).toBe('the cat sat on the mat. it was soon asleep. the dog barked at the door.');
    await page.getByTestId('lab-mlm-loss').waitFor();
    expect(await exported(page, 'lab-mlm-example')).toEqual(labExample);
    await page.getByRole('tab', { name: 'Explore' }).click();
    await expect.poll(() => page.getByTestId('neuron-view').getAttribute('data-query'), { timeout: 60_000 }).toBe('3');
    expect(await exported(page, 'attention-neuron')).toEqual(textNeuron);
    expect(await page.getByTestId('url-notice').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says which parameters it could not use: a bad backend, view, layer, top-k', async () => {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${inject('appUrl')}/?backend=bogus&view=sideways&layer=x&topk=25`);
    await expect.poll(() => page.getByTestId('backend-rejected').textContent(), { timeout: 60_000 }).toContain('?backend=bogus');
    await expect.poll(() => page.getByTestId('backend-name').textContent(), { timeout: 60_000 }).toBe('WASM');
    const notice = await page.getByTestId('url-notice').textContent();
    expect(notice).toContain('?view=sideways, ?layer=x, ?topk=25');
    await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(5);

    // A top-k above 20 typed in is refused with a reason.
    await page.getByTestId('top-k').fill('25');
    await expect.poll(() => page.getByTestId('top-k-error').textContent()).toMatch(/from 1 to 20; 25 was not taken/);
    expect(await page.getByTestId('prediction').count()).toBe(5);
    await page.getByTestId('top-k').fill('12');
    await expect.poll(() => page.getByTestId('prediction').count()).toBe(12);
    expect(await page.getByTestId('top-k-error').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
