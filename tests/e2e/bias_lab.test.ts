// The inductive-bias lab in the production build, in Chromium, on the bundled mini-ViT and mini-CNN
// (WASM, which the backend policy picks on this software GPU), checked against Node:
//   * a shifted image really changes the model input: the preview canvases' pixels are the first
//     sample's pixel_values shifted here in Node (and differ from the unchanged ones);
//   * the CNN's class probabilities on that sample are PyTorch's (tests/fixtures/mini-cnn/heldout.json);
//   * the translation curves and occlusion maps of the current image are what the same models,
//     transforms and inputs give in Node (tfjs-wasm there too);
//   * the ViT without position embeddings gives the same accuracy on patch-shuffled samples as on
//     the originals (a bag of patches), and every figure shown is printed for the closing note.
// On this shared software-GPU machine the samples' sweep (1 040 runs per model) takes minutes.
// Screenshots go to test-results/screenshots; UPDATE_SCREENSHOTS=1 also refreshes docs/screenshot-lab-bias.png.

import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fillValue, occlude, occlusionGrid, shiftImage, type ShiftMode } from '../../src/analysis/imageTransforms';
import { initNodeBackend } from '../../src/models/backend_node';
import { fromFolder } from '../../src/models/checkpoint/source_node';
import { loadModel, type CnnModel, type VitModel } from '../../src/models';
import { softmax } from '../../src/models/shared/math';
import type { NdArray } from '../../src/models/types';
import { decodeImage } from '../../src/models/vit/image_decode';
import { loadHeldout } from '../bundled/heldout';
import { watchedPage, type WatchedPage } from './setup/browser';
import { browserForFile, SHOTS, testId } from './setup/file';

const ROOT = join(import.meta.dirname, '..', '..');
const samples = (JSON.parse(readFileSync(join(ROOT, 'public', 'samples', 'index.json'), 'utf8')) as { samples: { file: string; label: string; test_index: number }[] }).samples;
const first = samples[0];
const heldout = loadHeldout('mini-cnn');
// Probabilities from tfjs-wasm in Chromium against tfjs-wasm in Node, and against PyTorch's logits.
const PROB_TOLERANCE = 1e-4;

const browser = browserForFile();
const attr = (page: Page, selector: string, name: string) => page.locator(selector).getAttribute(name);
const json = async (page: Page, selector: string, name: string) => JSON.parse((await attr(page, selector, name)) ?? 'null') as number[];

function expectCloseAll(actual: number[], expected: ArrayLike<number>, what: string) {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `${what}[${i}]: ${v} vs ${expected[i]}`).toBeLessThanOrEqual(PROB_TOLERANCE));
}

/** The canvas's red channel: the raw 8-bit grey of each pixel (the samples are grey). */
const canvasGrey = (page: Page, id: string) =>
  testId(page, id).evaluate((canvas: HTMLCanvasElement) => {
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    return Array.from({ length: data.length / 4 }, (_, i) => data[i * 4]);
  });

describe('inductive-bias lab with the bundled models', () => {
  let watched: WatchedPage;
  let page: Page;
  let vit: VitModel;
  let cnn: CnnModel;
  const inputs: Record<'vit' | 'cnn', NdArray> = {} as Record<'vit' | 'cnn', NdArray>;

  beforeAll(async () => {
    await initNodeBackend('wasm');
    vit = (await loadModel(await fromFolder(join(ROOT, 'public', 'models', 'mini-vit')))) as VitModel;
    cnn = (await loadModel(await fromFolder(join(ROOT, 'public', 'models', 'mini-cnn')))) as CnnModel;
    const rgba = await decodeImage(new Uint8Array(readFileSync(join(ROOT, 'public', 'samples', first.file))), first.file);
    inputs.vit = vit.processor.preprocess(rgba);
    inputs.cnn = cnn.processor.preprocess(rgba);
    watched = await watchedPage(browser(), { width: 1280, height: 1600 });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?tab=image&lab=inductive-bias`);
  });

  afterAll(async () => {
    vit?.dispose();
    cnn?.dispose();
    await page?.close();
  });

  /** Class probabilities of `model` on each input, in Node. */
  async function probsOf(model: 'vit' | 'cnn', images: NdArray[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (const x of images) {
      const { logits } = model === 'vit' ? await vit.runPixels(x, { outputs: { attentions: false, hidden_states: false } }) : await cnn.runPixels(x);
      out.push(softmax(logits!.data));
    }
    return out;
  }

  it('opens the lab on the first sample; the CNN gives PyTorch\'s probabilities for it', async () => {
    await expect.poll(() => testId(page, 'current-model-vit').textContent(), { timeout: 60_000 }).toContain('bundled:mini-vit');
    expect(await page.getByRole('tab', { name: 'Lab: inductive bias (ViT vs CNN)' }).getAttribute('aria-selected')).toBe('true');
    const cnnRow = '[data-testid="bias-prediction"][data-model="cnn"]';
    await page.locator(cnnRow).waitFor({ timeout: 400_000 });
    const shown = await json(page, cnnRow, 'data-probs');
    expectCloseAll(shown, softmax(Float32Array.from(heldout.logits[first.test_index])), `CNN probabilities of ${first.file} vs PyTorch`);
    expect(heldout.labels[first.test_index]).toBe(cnn.info.config.id2label.indexOf(first.label));
    const vitShown = await json(page, '[data-testid="bias-prediction"][data-model="vit"]', 'data-probs');
    expectCloseAll(vitShown, (await probsOf('vit', [inputs.vit]))[0], 'ViT probabilities vs Node');
  }, 500_000);

  it('a shifted image really changes the input: the preview is the Node shift of the same pixel_values', async () => {
    const { image_mean: [mean], image_std: [std], rescale_factor } = vit.info.preprocessing;
    const toGrey = (x: NdArray) => Array.from(x.data.subarray(0, 28 * 28), (v) => Math.round((v * std + mean) / rescale_factor) + 0);
    const original = await canvasGrey(page, 'bias-original');
    expect(original).toEqual(toGrey(inputs.vit));
    for (const [shift, mode] of [[3, 'zero'], [-5, 'cyclic']] as [number, ShiftMode][]) {
      await testId(page, 'bias-preview-shift').fill(String(shift));
      await testId(page, 'bias-preview-mode').selectOption(mode);
      await expect.poll(() => testId(page, 'bias-preview').getAttribute('data-shift')).toBe(String(shift));
      const shifted = await canvasGrey(page, 'bias-shifted');
      expect(shifted).toEqual(toGrey(shiftImage(inputs.vit, shift, 0, mode, fillValue(vit.info.preprocessing, 0, 3))));
      expect(shifted.filter((v, i) => v !== original[i]).length, `${mode} ${shift}: changed pixels`).toBeGreaterThan(50);
    }
  }, 60_000);

  it('translation curves and occlusion maps of the current image equal the Node computation', async () => {
    const k = Number(await testId(page, 'bias-max-shift').inputValue());
    const shifts = Array.from({ length: 2 * k + 1 }, (_, i) => i - k);
    const reference = cnn.info.config.id2label.indexOf(first.label);
    for (const model of ['vit', 'cnn'] as const) {
      const preprocessing = model === 'vit' ? vit.info.preprocessing : cnn.info.preprocessing;
      for (const mode of ['zero', 'cyclic'] as const) {
        const selector = `[data-testid="bias-curve"][data-scope="current"][data-model="${model}"][data-mode="${mode}"]`;
        const probs = await probsOf(model, shifts.map((d) => shiftImage(inputs[model], d, 0, mode, fillValue(preprocessing, 0, 3))));
        expectCloseAll(await json(page, selector, 'data-prob'), probs.map((p) => p[reference]), `${model} ${mode} shift curve`);
        const top1 = probs.map((p) => (p.indexOf(Math.max(...p)) === reference ? 1 : 0));
        expect(await json(page, selector, 'data-top1')).toEqual(top1);
        console.log(`${first.file} ${model} ${mode}: p(${first.label}) by shift ${shifts[0]}..${k}:`, probs.map((p) => p[reference].toFixed(3)).join(' '));
      }
      const map = `[data-testid="bias-occlusion"][data-model="${model}"]`;
      const size = Number(await attr(page, map, 'data-size'));
      const stride = Number(await attr(page, map, 'data-stride'));
      const grid = occlusionGrid(28, 28, size, stride);
      const grey = fillValue(preprocessing, 128, 3);
      const squares = grid.rows.flatMap((r) => grid.cols.map((c) => occlude(inputs[model], r, c, size, grey)));
      const [base] = await probsOf(model, [inputs[model]]);
      const occluded = await probsOf(model, squares);
      const drop = occluded.map((p) => base[reference] - p[reference]);
      expectCloseAll(await json(page, map, 'data-drop'), drop, `${model} occlusion drop`);
      console.log(`${first.file} ${model} occlusion (${size} px, stride ${stride}): largest drop ${Math.max(...drop).toFixed(3)}`);
    }
  }, 300_000);

  it('over the samples: translation accuracy, patch shuffle (the bag of patches ignores the order), latency', async () => {
    await testId(page, 'bias-shuffle').waitFor({ timeout: 300_000 });
    await testId(page, 'bias-samples-translation').waitFor({ timeout: 900_000 });
    const k = Number(await testId(page, 'bias-max-shift').inputValue());
    for (const model of ['vit', 'cnn'] as const) {
      for (const mode of ['zero', 'cyclic'] as const) {
        const selector = `[data-testid="bias-curve"][data-scope="samples"][data-model="${model}"][data-mode="${mode}"]`;
        const top1 = await json(page, selector, 'data-top1');
        const prob = await json(page, selector, 'data-prob');
        expect(top1).toHaveLength(2 * k + 1);
        console.log(`samples ${model} ${mode}: accuracy by shift -${k}..${k}: ${top1.map((a) => a.toFixed(2)).join(' ')}; mean p(true): ${prob.map((p) => p.toFixed(2)).join(' ')}`);
      }
    }
    const rows = await testId(page, 'bias-shuffle').locator('tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({ row: tr.getAttribute('data-row'), original: Number(tr.getAttribute('data-original')), shuffled: Number(tr.getAttribute('data-shuffled')) })),
    );
    console.log('patch shuffle (seed 0, ViT patch size):', JSON.stringify(rows));
    const bag = rows.find((r) => r.row === 'vit_no_positions')!;
    expect(bag.shuffled).toBe(bag.original);
    const latency = await testId(page, 'bias-costs').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.getAttribute('data-model'), Number(tr.getAttribute('data-latency'))]));
    console.log('latency per image in this browser (ms):', JSON.stringify(latency));
    for (const [, ms] of latency) expect(ms).toBeGreaterThan(0);
    await page.locator('.bias-lab').screenshot({ path: `${SHOTS}/lab-bias.png` });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(`${SHOTS}/lab-bias.png`, 'docs/screenshot-lab-bias.png');
    expect(watched.errors).toEqual([]);
  }, 1_000_000);
});
