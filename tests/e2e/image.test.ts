// The image workspace in Chromium, on WASM and on WebGL: load the vit-tiny fixture checkpoint from
// the stand-in hub, run the fixture image and a bundled sample, and check that the views show the
// numbers PyTorch and the analysis functions give: top-5 probabilities, the position-embedding
// structure, one attention-distance dot per head. Then drive the controls: layer and head
// selectors, a patch picked by mouse and by keyboard, rollout options, a file that is not an
// image. Finally the bundled mini-ViT with the real samples. Its screenshot goes to
// test-results/screenshots; UPDATE_SCREENSHOTS=1 also refreshes docs/screenshot-image.png for the
// README. No console errors allowed.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { positionStructure } from '../../src/analysis/positionStructure';
import { parseSafetensors, toFloat32 } from '../../src/models/checkpoint/safetensors';
import { launchChromium, watchedPage } from './setup/browser';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'tests', 'fixtures', 'models', 'vit-tiny');
const SAMPLES = [
  { file: 'sample-case1.png', label: 'bird' },
  { file: 'sample-case0.png', label: 'cat' },
];

function tensor(file: string, key: string) {
  const entry = parseSafetensors(new Uint8Array(readFileSync(join(FIXTURE, file))), file).tensors.get(key);
  if (!entry) throw new Error(`${file} has no ${key}`);
  return { shape: entry.shape, data: toFloat32(entry) };
}

/** Top-5 labels and probabilities PyTorch gives for inputs/case0.png. */
function expectedTop5(): { label: string; prob: number }[] {
  const logits = Array.from(tensor('expected.safetensors', 'case0.logits').data);
  const labels = JSON.parse(readFileSync(join(FIXTURE, 'config.json'), 'utf8')).id2label as Record<string, string>;
  const max = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp
    .map((e, i) => ({ label: labels[String(i)], prob: e / sum }))
    .sort((a, b) => b.prob - a.prob)
    .slice(0, 5);
}

/** The 2-D structure number of the fixture's position embeddings (without [CLS]), as the analysis computes it. */
function expectedStructure(): number {
  const pos = tensor('model.safetensors', 'vit.embeddings.position_embeddings');
  const hidden = pos.shape[2];
  return positionStructure({ shape: [16, hidden], data: pos.data.slice(hidden) }, [4, 4]).mean;
}

async function shownTop5(page: Page) {
  return page.$$eval('[data-testid="top-classes"] li', (items) =>
    items.map((li) => ({
      label: li.querySelector('.prob-label')?.textContent ?? '',
      text: li.querySelector('.prob-value')?.textContent ?? '',
    })),
  );
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe.each(['wasm', 'webgl'] as const)('image workspace on %s', (backend) => {
  it('classifies, shows attention, position embeddings and attention distance, and reacts to the controls', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    // Two fixture images stand in for the bundled samples, so the numbers do not depend on them.
    await page.route('**/samples/index.json', (route) => route.fulfill({ json: { samples: SAMPLES } }));
    await page.route('**/samples/sample-*.png', (route) =>
      route.fulfill({ path: join(FIXTURE, 'inputs', new URL(route.request().url()).pathname.split('sample-')[1]) }),
    );
    const query = new URLSearchParams({ tab: 'image', vit: 'hub:test/vit-tiny', hub: inject('hubUrl'), backend });
    await page.goto(`${inject('appUrl')}/?${query}`);

    // Position embeddings come with the model, before any image.
    const structure = page.getByTestId('position-structure');
    await structure.waitFor({ timeout: 60_000 });
    const shownStructure = Number.parseFloat((await structure.locator('strong').textContent()) ?? 'NaN');
    expect(shownStructure).toBeCloseTo(expectedStructure(), 3);
    await expect.poll(() => page.getByTestId('position-grid').locator('canvas').count()).toBe(1);

    // With no image yet, the first sample opens by itself.
    await page.getByText('Showing: sample-case1.png').waitFor({ timeout: 60_000 });

    // The fixture image: the five classes with PyTorch's probabilities (shown as percentages).
    await page.getByTestId('image-file-input').setInputFiles(join(FIXTURE, 'inputs', 'case0.png'));
    await page.getByText('Showing: case0.png').waitFor({ timeout: 60_000 });
    const top = await shownTop5(page);
    const expected = expectedTop5();
    expect(top.map((t) => t.label)).toEqual(expected.map((e) => e.label));
    top.forEach((t, i) => {
      // Shown rounded to 1 or 2 decimals: equal to PyTorch's value within half the last digit (+ float32 slack).
      const decimals = t.text.split('.')[1]?.replace('%', '').length ?? 0;
      expect(Math.abs(Number.parseFloat(t.text) - expected[i].prob * 100), `${t.label}: ${t.text}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-3);
    });

    // The attention-distance panel's JSON export holds what numpy computes from PyTorch's attentions.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export vit-attention-distance numbers as JSON' }).click();
    const exported = JSON.parse(readFileSync(await (await download).path(), 'utf8')) as { current_image: number[][]; patch_size: number };
    expect(exported.patch_size).toBe(4);
    const reference = JSON.parse(readFileSync(join(ROOT, 'tests', 'analysis', 'reference', 'vit-tiny-case0.json'), 'utf8'));
    exported.current_image.forEach((layer, l) =>
      layer.forEach((d, h) => expect(d).toBeCloseTo(reference.mean_attention_distance[l][h], 2)),
    );

    // Attention overlays: [CLS] map over the image, one small map per head (4), rollout.
    const clsMap = page.getByRole('application', { name: /\[CLS\] attention to patches, Layer 1, mean of heads/ });
    await clsMap.waitFor();
    expect(await page.getByTestId('head-grid').getByTestId('heatmap').count()).toBe(4);
    await page.getByTestId('rollout-map').getByTestId('heatmap').waitFor();

    // Layer and head selectors.
    await page.getByTestId('layer-select').first().selectOption('2');
    await page.getByTestId('head-select').selectOption('1');
    await page.getByRole('application', { name: /\[CLS\] attention to patches, Layer 3, head 2/ }).waitFor();

    // A patch picked with the mouse, then another with the keyboard.
    await page.getByTestId('patch-attention').getByText('Click a patch').waitFor();
    const cls = page.getByRole('application', { name: /\[CLS\] attention to patches/ });
    const box = await cls.boundingBox();
    if (!box) throw new Error('the [CLS] map is not rendered');
    await cls.click({ position: { x: box.width * 0.6, y: box.height * 0.1 } }); // row 1, column 3 of 4x4
    await page.getByRole('application', { name: /Attention of patch 2 to patches, Layer 3, head 2/ }).waitFor();
    await page.getByTestId('output-similarity').getByTestId('heatmap').waitFor();
    await page.mouse.move(0, 0);
    await cls.focus();
    await cls.press('ArrowDown'); // the first key shows the cursor at (1, 1)
    await cls.press('ArrowDown');
    await cls.press('ArrowRight');
    await expect.poll(() => cls.getByRole('tooltip').textContent()).toMatch(/^patch 5 \(row 2, column 2\): \d\.\d{3}$/);
    await cls.press('Enter');
    await page.getByRole('application', { name: /Attention of patch 5 to patches/ }).waitFor();

    // The maps' opacity over the image.
    await page.getByTestId('overlay-opacity').fill('0.3');
    await expect.poll(() => cls.locator('canvas').last().evaluate((c) => (c as HTMLCanvasElement).style.opacity)).toBe('0.3');

    // Rollout options.
    await page.getByTestId('fusion-select').selectOption('max');
    await page.getByTestId('discard-ratio').fill('0.5');
    await page.getByText('raw attention · Layer 3, heads fused by max').waitFor();

    // Mean attention distance: one dot per head and layer (3 layers × 4 heads).
    expect(await page.getByTestId('distance-plot').locator('circle').count()).toBe(12);

    // The samples: open one, then average the attention distance over all of them.
    const samples = page.getByRole('list', { name: 'Sample images' }).getByRole('button');
    expect(await samples.count()).toBe(2);
    await samples.nth(1).click();
    await expect.poll(() => samples.nth(1).getAttribute('aria-pressed'), { timeout: 60_000 }).toBe('true');
    expect((await shownTop5(page)).map((t) => t.label)).toEqual(expected.map((e) => e.label)); // sample 2 is case0.png
    await page.getByTestId('measure-samples').click();
    await page.getByText('Averaged over 2 sample images').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('distance-plot').locator('rect').count()).toBe(12);

    // Paste and drop deliver images too (case1.png, as a pasted then a dropped file).
    const png = [...readFileSync(join(FIXTURE, 'inputs', 'case1.png'))];
    await page.evaluate((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'pasted.png', { type: 'image/png' }));
      document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data }));
    }, png);
    await page.getByText('Showing: pasted.png').waitFor({ timeout: 60_000 });
    const drop = await page.evaluateHandle((bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'dropped.png', { type: 'image/png' }));
      return data;
    }, png);
    await page.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: drop });
    await page.getByText('Showing: dropped.png').waitFor({ timeout: 60_000 });

    // A file that is not an image: a clear error, and the current image and results stay.
    const shownBefore = await page.locator('.current-image').textContent();
    await page.getByTestId('image-file-input').setInputFiles(join(FIXTURE, 'config.json'));
    await expect.poll(() => page.getByTestId('image-error').textContent(), { timeout: 60_000 }).toMatch(/Could not run "config.json": .+/);
    expect(await page.locator('.current-image').textContent()).toBe(shownBefore);
    expect(await page.getByTestId('top-classes').locator('li').count()).toBe(5);

    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('image workspace with the bundled mini-ViT and sample images', () => {
  const MODEL = join(ROOT, 'public', 'models', 'mini-vit');
  const index = JSON.parse(readFileSync(join(ROOT, 'public', 'samples', 'index.json'), 'utf8')) as {
    samples: { file: string; predicted: string }[];
  };
  const evalResults = JSON.parse(readFileSync(join(MODEL, 'eval_results.json'), 'utf8')) as { position_embedding_spearman: number };

  it('shows what PyTorch computed at export (top class of the first sample, position-embedding structure) and averages the samples', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1280, height: 1000 });
    await page.goto(`${inject('appUrl')}/?tab=image&backend=wasm`);
    await page.getByText(`Showing: ${index.samples[0].file}`).waitFor({ timeout: 60_000 });
    expect((await shownTop5(page))[0].label).toBe(index.samples[0].predicted);
    const structure = Number.parseFloat((await page.getByTestId('position-structure').locator('strong').textContent()) ?? 'NaN');
    // eval_results.json rounds to 4 decimals, the page shows 3.
    expect(Math.abs(structure - evalResults.position_embedding_spearman)).toBeLessThanOrEqual(0.00055);

    await page.getByTestId('measure-samples').click();
    await page.getByText(`Averaged over ${index.samples.length} sample images`).waitFor({ timeout: 120_000 });
    const config = JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')) as { num_hidden_layers: number; num_attention_heads: number };
    const dots = config.num_hidden_layers * config.num_attention_heads;
    expect(await page.getByTestId('distance-plot').locator('rect').count()).toBe(dots);

    // A patch near the centre, for the screenshot.
    const cls = page.getByRole('application', { name: /\[CLS\] attention to patches/ });
    const box = await cls.boundingBox();
    if (!box) throw new Error('the [CLS] map is not rendered');
    await cls.click({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
    await page.getByTestId('output-similarity').getByTestId('heatmap').waitFor();
    await page.mouse.move(0, 0);
    const shot = join(ROOT, 'test-results', 'screenshots', 'image-bundled.png');
    mkdirSync(join(ROOT, 'test-results', 'screenshots'), { recursive: true });
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(shot, join(ROOT, 'docs', 'screenshot-image.png'));
    expect(errors).toEqual([]);
    await page.close();
  });
});
