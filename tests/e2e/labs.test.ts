// The labs in the production build, in Chromium, on the bundled models (WASM, which the backend
// policy picks on this software GPU):
//   * self-supervision lab: the seeded example, re-roll and whole-word masking give the examples
//     the Node code and its Python port draw, scored with PyTorch's numbers (tests/fixtures/
//     mini-bert/lab.json); the loss shown is −log of the probability shown; 200 rolls follow 15 %
//     and 80/10/10 within 99.9 % binomial bounds; NSP batches give PyTorch's accuracy and losses;
//   * neuron view (text and image): q·k / √d and the softmax reproduce the attention row that the
//     matrix view shows for the same layer, head and token.
// Screenshots go to test-results/screenshots; UPDATE_SCREENSHOTS=1 also refreshes the README's
// docs/screenshot-lab-mlm.png, -lab-nsp.png, -neuron-text.png and -neuron-vit.png. The figures are printed.

import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { instanceSegments, makeMlmExample, splitSentences, type Corruption, type MlmVocab } from '../../src/analysis/pretraining';
import { BertTokenizer } from '../../src/models/bert/tokenization_bert';
import { watchedPage, type WatchedPage } from './setup/browser';
import { browserForFile, SHOTS, testId } from './setup/file';

const ROOT = join(import.meta.dirname, '..', '..');
const BERT = join(ROOT, 'public', 'models', 'mini-bert');
const vocabList = readFileSync(join(BERT, 'vocab.txt'), 'utf8').split('\n');
const tokenizer = BertTokenizer.fromFiles({ vocab: readFileSync(join(BERT, 'vocab.txt'), 'utf8'), tokenizerConfig: readFileSync(join(BERT, 'tokenizer_config.json'), 'utf8') });
const vocab: MlmVocab = { size: tokenizer.vocabSize, special_ids: tokenizer.specialIds(), mask_id: tokenizer.maskTokenId };

interface FixtureExample {
  seed: number;
  whole_word: boolean;
  input_ids: number[];
  positions: number[];
  corruption: Corruption[];
  label_log_probs: number[];
  mean_loss: number;
}
interface FixtureBatch {
  seed: number;
  pairs: { a: string; b: string; is_next: boolean; nsp_is_next: number }[];
  figures: { nsp_accuracy: number; nsp_loss: number; mlm_loss: number; total_loss: number };
}
const fixture = JSON.parse(readFileSync(join(ROOT, 'tests', 'fixtures', 'mini-bert', 'lab.json'), 'utf8')) as {
  text: string;
  examples: FixtureExample[];
  batches: FixtureBatch[];
};
const LOG_PROB_TOLERANCE = 2e-3;
const PROB_TOLERANCE = 1e-3;

const browser = browserForFile();
const numberAttr = (page: Page, id: string, attr: string) => testId(page, id).evaluateAll((els, a) => els.map((e) => Number(e.getAttribute(a))), attr);

/** |count − n·p| within 3.29 standard deviations of Binomial(n, p): two-sided 99.9 %. */
function expectBinomial(count: number, n: number, p: number) {
  expect(Math.abs(count - n * p), `${count} of ${n} for p = ${p}`).toBeLessThanOrEqual(3.29 * Math.sqrt(n * p * (1 - p)));
}

/** A picture of one panel; with UPDATE_SCREENSHOTS=1 also the README's copy in docs/. */
async function shoot(page: Page, selector: string, name: string) {
  await page.locator(selector).screenshot({ path: `${SHOTS}/${name}.png` });
  if (process.env.UPDATE_SCREENSHOTS) copyFileSync(`${SHOTS}/${name}.png`, `docs/screenshot-${name}.png`);
}

function softmax(xs: number[]): number[] {
  const max = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / sum);
}

/** The example the lab shows: chosen positions, their corruption and the model input's tokens. */
async function shownExample(page: Page) {
  const columns = await testId(page, 'lab-position').evaluateAll((els) =>
    els.map((e) => ({ kind: e.getAttribute('data-kind') ?? '', input: e.getAttribute('data-input') ?? '' })),
  );
  const positions = columns.flatMap((c, p) => (c.kind ? [p] : []));
  return { positions, corruption: positions.map((p) => columns[p].kind), inputs: columns.map((c) => c.input) };
}

async function expectExample(page: Page, expected: FixtureExample) {
  await expect.poll(() => testId(page, 'lab-example').getAttribute('data-seed')).toBe(String(expected.seed));
  await expect.poll(async () => (await shownExample(page)).positions).toEqual(expected.positions);
  const shown = await shownExample(page);
  expect(shown.corruption).toEqual(expected.corruption);
  expect(shown.inputs).toEqual(expected.input_ids.map((id) => vocabList[id]));
  await expect.poll(() => testId(page, 'lab-score').count()).toBe(expected.positions.length);
  const losses = await numberAttr(page, 'lab-score', 'data-loss');
  const probs = await numberAttr(page, 'lab-score', 'data-prob');
  losses.forEach((loss, i) => {
    // The loss shown is −log of the probability of the original shown, and PyTorch's.
    expect(loss).toBeCloseTo(-Math.log(probs[i]), 6);
    expect(Math.abs(loss + expected.label_log_probs[i])).toBeLessThan(LOG_PROB_TOLERANCE);
  });
  const shownLosses = await page.locator('[data-testid="lab-score"] .lab-loss').allTextContents();
  expect(shownLosses).toEqual(losses.map((l) => l.toFixed(3)));
  const mean = Number(await testId(page, 'lab-mlm-loss').getAttribute('data-value'));
  expect(mean).toBeCloseTo(losses.reduce((a, b) => a + b, 0) / losses.length, 9);
  expect(Math.abs(mean - expected.mean_loss)).toBeLessThan(LOG_PROB_TOLERANCE);
  return mean;
}

describe('labs with the bundled models', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser(), { width: 1280, height: 1400 });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?lab=self-supervision`);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('opens the self-supervision lab and shows the seed-0 example as Node draws it and PyTorch scores it', async () => {
    await expect.poll(() => testId(page, 'current-model-bert').textContent(), { timeout: 60_000 }).toContain('bundled:mini-bert');
    expect(await page.getByRole('tab', { name: 'Lab: self-supervision' }).getAttribute('aria-selected')).toBe('true');
    expect(await testId(page, 'lab-text').inputValue()).toBe(fixture.text);
    // The same seed gives the same example in Node and in the browser.
    const { a, b } = instanceSegments(splitSentences(fixture.text));
    const node = makeMlmExample(tokenizer.encode(a, b, 128), vocab, { seed: 0, wholeWord: false });
    expect(node.positions).toEqual(fixture.examples[0].positions);
    const mean = await expectExample(page, fixture.examples[0]);
    const choice = testId(page, 'lab-choice');
    expect(Number(await choice.getAttribute('data-chosen'))).toBe(node.num_to_predict);
    expect(Number(await choice.getAttribute('data-candidates'))).toBe(node.candidates);
    console.log(`lab: seed 0 example, ${node.positions.length} of ${node.candidates} tokens chosen (${node.corruption.join(', ')}), mean MLM loss ${mean.toFixed(4)}`);
  });

  it('re-roll takes the next seed; whole-word masking and a typed seed give their examples', async () => {
    await testId(page, 'lab-reroll').click();
    await expectExample(page, fixture.examples.find((e) => e.seed === 1 && !e.whole_word)!);
    await page.getByLabel(/whole-word masking/).check();
    await expectExample(page, fixture.examples.find((e) => e.seed === 1 && e.whole_word)!);
    await page.getByLabel(/whole-word masking/).uncheck();
    await testId(page, 'lab-seed').fill('6');
    const six = fixture.examples.find((e) => e.seed === 6 && !e.whole_word)!;
    expect(six.corruption).toContain('random');
    await expectExample(page, six);
  });

  it('gives PyTorch\u2019s NSP accuracy and losses on the batches of seeds 0, 1 and 2', async () => {
    for (const expected of fixture.batches) {
      await testId(page, 'lab-seed').fill(String(expected.seed));
      await expect.poll(() => testId(page, 'lab-batch').getAttribute('data-seed')).toBe(String(expected.seed));
      await expect.poll(() => testId(page, 'nsp-pair').count()).toBe(16);
      const isNext = await testId(page, 'nsp-pair').evaluateAll((els) => els.map((e) => e.getAttribute('data-is-next') === 'true'));
      expect(isNext).toEqual(expected.pairs.map((p) => p.is_next));
      const pIsNext = await numberAttr(page, 'nsp-pair', 'data-p-is-next');
      pIsNext.forEach((p, k) => expect(Math.abs(p - expected.pairs[k].nsp_is_next)).toBeLessThan(PROB_TOLERANCE));
      const figure = async (id: string) => Number(await testId(page, id).getAttribute('data-value'));
      const [accuracy, nsp, mlm, total] = await Promise.all(['batch-accuracy', 'batch-nsp-loss', 'batch-mlm-loss', 'batch-total-loss'].map(figure));
      expect(accuracy).toBe(expected.figures.nsp_accuracy);
      expect(Math.abs(nsp - expected.figures.nsp_loss)).toBeLessThan(PROB_TOLERANCE);
      expect(Math.abs(mlm - expected.figures.mlm_loss)).toBeLessThan(LOG_PROB_TOLERANCE);
      expect(total).toBeCloseTo(mlm + nsp, 9);
      console.log(`lab: NSP batch seed ${expected.seed}: accuracy ${accuracy}, NSP loss ${nsp.toFixed(4)}, MLM loss ${mlm.toFixed(4)}, total ${total.toFixed(4)}`);
    }
  });

  it('over 200 rolls, chooses 15 % and corrupts 80/10/10 within 99.9 % bounds, as Node does', async () => {
    // Seed 7's own example has a [MASK], a random token and two unchanged ones: the README's picture.
    await testId(page, 'lab-seed').fill('7');
    await expectExample(page, fixture.examples.find((e) => e.seed === 7 && !e.whole_word)!);
    await page.getByRole('button', { name: /^Roll 200 examples/ }).click();
    await expect.poll(() => testId(page, 'rolls-done').getAttribute('data-done'), { timeout: 120_000 }).toBe('200');
    const chosenEl = testId(page, 'rolls-chosen');
    const [chosen, candidates] = [Number(await chosenEl.getAttribute('data-chosen')), Number(await chosenEl.getAttribute('data-candidates'))];
    const rows = await testId(page, 'rolls-kind').evaluateAll((els) =>
      els.map((e) => ({ kind: e.getAttribute('data-kind')!, count: Number(e.getAttribute('data-count')), recovered: Number(e.getAttribute('data-recovered')), loss: Number(e.getAttribute('data-loss')) })),
    );
    const { a, b } = instanceSegments(splitSentences(fixture.text));
    const encoding = tokenizer.encode(a, b, 128);
    const node = Array.from({ length: 200 }, (_, i) => makeMlmExample(encoding, vocab, { seed: 7 + i, wholeWord: false }));
    expect(chosen).toBe(node.reduce((n, e) => n + e.positions.length, 0));
    expect(candidates).toBe(node.reduce((n, e) => n + e.candidates, 0));
    expect(chosen / candidates).toBeCloseTo(0.15, 1);
    const expectedShare: Record<string, number> = { mask: 0.8, random: 0.1, keep: 0.1 };
    for (const row of rows) {
      expect(row.count).toBe(node.reduce((n, e) => n + e.corruption.filter((c) => c === row.kind).length, 0));
      expectBinomial(row.count, chosen, expectedShare[row.kind]);
      console.log(`lab: 200 rolls, ${row.kind}: ${row.count} positions, recovered ${row.recovered} (${((100 * row.recovered) / row.count).toFixed(1)} %), mean loss ${row.loss.toFixed(3)}`);
    }
    console.log(`lab: 200 rolls chose ${chosen} of ${candidates} candidate tokens`);
    await page.screenshot({ path: `${SHOTS}/lab-self-supervision.png`, fullPage: true });
    await shoot(page, '[data-panel="lab-mlm-example"]', 'lab-mlm');
    await shoot(page, '[data-panel="lab-nsp-batch"]', 'lab-nsp');
  });

  it('the text neuron view reproduces the matrix view\u2019s attention row for the same layer, head and token', async () => {
    await page.getByRole('tab', { name: 'Explore' }).click();
    await testId(page, 'sentence-a').fill('the cat sat on the mat.');
    await testId(page, 'sentence-b').fill('it was soon asleep.');
    const attention = page.locator('[data-panel^="attention"]');
    await attention.getByRole('radio', { name: 'Neuron view' }).check();
    // The labels wrap their selects, so a label's text includes the options.
    const select = (name: RegExp) => attention.locator('label', { hasText: name }).locator('select');
    await select(/^Layer/).selectOption({ value: '1' });
    await select(/^Head \d/).selectOption({ value: '2' });
    await select(/^Query token/).selectOption({ value: '3' });
    const n = tokenizer.encode('the cat sat on the mat.', 'it was soon asleep.').tokens.length;
    await expect.poll(() => testId(page, 'neuron-row').count()).toBe(n);
    await expect.poll(() => testId(page, 'neuron-view').getAttribute('data-query')).toBe('3');
    const [dots, scores, weights, returned] = await Promise.all(['data-dot', 'data-score', 'data-weight', 'data-attention'].map((a) => numberAttr(page, 'neuron-row', a)));
    // mini-BERT: head size 256 / 4 = 64, so the scores are the dot products over 8.
    scores.forEach((s, j) => expect(s).toBeCloseTo(dots[j] / 8, 9));
    softmax(scores).forEach((w, j) => expect(w).toBeCloseTo(weights[j], 9));
    weights.forEach((w, j) => expect(Math.abs(w - returned[j])).toBeLessThanOrEqual(1e-5 + 1e-4 * returned[j]));
    await shoot(page, '[data-panel^="attention"]', 'neuron-text');

    await attention.getByRole('radio', { name: 'Matrix' }).check();
    await select(/^Head a/).selectOption({ value: '2' });
    await expect.poll(() => testId(page, 'attention-matrix').locator('canvas').count()).toBe(1);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export attention-matrix numbers as JSON' }).click()]);
    const exported = JSON.parse(readFileSync((await download.path()), 'utf8')) as { layer: number; head: number; matrix: { shape: number[]; data: number[] } };
    expect([exported.layer, exported.head, exported.matrix.shape]).toEqual([1, 2, [n, n]]);
    const row = exported.matrix.data.slice(3 * n, 4 * n);
    row.forEach((a, j) => {
      expect(a).toBeCloseTo(returned[j], 7);
      expect(Math.abs(weights[j] - a)).toBeLessThanOrEqual(1e-5 + 1e-4 * a);
    });
  });

  it('the image neuron view reproduces the attention row of the patch clicked', async () => {
    await page.getByRole('tab', { name: 'Image · ViT' }).click();
    await expect.poll(() => testId(page, 'current-model-vit').textContent(), { timeout: 60_000 }).toContain('bundled:mini-vit');
    const panel = page.locator('[data-panel="vit-neuron"]');
    await panel.getByLabel('Show the neuron view').check();
    // 7 × 7 patches of 4 pixels and [CLS].
    await expect.poll(() => testId(page, 'neuron-row').count()).toBe(50);
    await panel.getByTestId('layer-select').selectOption({ value: '3' });
    await panel.getByTestId('neuron-head').selectOption({ value: '4' });
    const map = panel.locator('.neuron-map [data-testid="heatmap"]');
    const box = (await map.boundingBox())!;
    // Patch 24 = row 3, column 3 (0-based), the centre.
    await page.mouse.click(box.x + (3.5 * box.width) / 7, box.y + (3.5 * box.height) / 7);
    await expect.poll(() => testId(page, 'neuron-view').getAttribute('data-query')).toBe('25');
    expect(await panel.locator('.neuron-map figcaption').textContent()).toContain('patch 24 (4,4) over the patches · Layer 4, head 5');
    const [dots, scores, weights, returned] = await Promise.all(['data-dot', 'data-score', 'data-weight', 'data-attention'].map((a) => numberAttr(page, 'neuron-row', a)));
    // mini-ViT: head size 192 / 6 = 32.
    scores.forEach((s, j) => expect(s).toBeCloseTo(dots[j] / Math.sqrt(32), 9));
    softmax(scores).forEach((w, j) => expect(w).toBeCloseTo(weights[j], 9));
    weights.forEach((w, j) => expect(Math.abs(w - returned[j])).toBeLessThanOrEqual(1e-5 + 1e-4 * returned[j]));
    await page.mouse.move(0, 0);
    await shoot(page, '[data-panel="vit-neuron"]', 'neuron-vit');
  });

  it('speaks Korean with ?lang=ko', async () => {
    await page.goto(`${inject('appUrl')}/?lang=ko&lab=self-supervision`);
    await expect.poll(() => page.getByRole('tab', { name: '실습: 자기 지도 학습' }).getAttribute('aria-selected'), { timeout: 60_000 }).toBe('true');
    await expect.poll(() => testId(page, 'lab-score').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await page.locator('[data-panel="lab-mlm-example"] h2').textContent()).toBe('마스크드 언어 모델 예제');
    expect(await testId(page, 'lab-mlm-loss').textContent()).toMatch(/^이 예제에서 레이블이 있는 위치 5개의 평균 MLM 손실: \d\.\d{3}$/);
    await page.screenshot({ path: `${SHOTS}/lab-ko.png`, fullPage: true });
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});
