// The main flows in Korean, in Chromium with a Korean browser language: the UI comes up in Korean
// (<html lang="ko">), masking, masked-word prediction, next-sentence prediction, the attention
// views and the image workspace work with Korean labels and explanations; Korean input on the
// English-only bundled model gets a note saying how many tokens became [UNK] and why; the switch
// and ?lang= change the language and keep it in the URL. Screenshot: UPDATE_SCREENSHOTS=1 also
// refreshes docs/screenshot-text-ko.png for the README.

import { copyFileSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, watchedPage, type WatchedPage } from './setup/browser';

const SHOTS = 'test-results/screenshots';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  mkdirSync(SHOTS, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
});

const tokens = (page: Page) => page.getByTestId('token').evaluateAll((els) => els.map((e) => e.getAttribute('data-token') ?? ''));

describe('the text and image workspaces in Korean', () => {
  let watched: WatchedPage;
  let page: Page;

  beforeAll(async () => {
    watched = await watchedPage(browser, { width: 1280, height: 1400 }, { locale: 'ko-KR' });
    page = watched.page;
    await page.goto(`${inject('appUrl')}/?backend=wasm`);
  });
  afterAll(async () => {
    await page?.close();
  });

  it('follows the browser language', async () => {
    await expect.poll(() => page.locator('h1').textContent()).toBe('인코더 플레이그라운드');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('ko');
    expect(await page.getByRole('tab', { name: '텍스트 · BERT' }).getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.getByTestId('current-model-bert').textContent(), { timeout: 60_000 }).toMatch(/모델: bundled:mini-bert \(BERT, 4개 층, 헤드 4개/);
  });

  it('masks a token and scores the original, in Korean', async () => {
    await expect.poll(() => page.getByTestId('prediction').count(), { timeout: 60_000 }).toBe(5);
    await page.getByTestId('sentence-a').fill('she drank a glass of water.');
    await page.getByTestId('sentence-b').fill('');
    await page.getByRole('button', { name: /^water, 위치 \d+, ID \d+, 문장 A, 마스킹하기$/ }).click();
    await expect.poll(() => page.getByTestId('mask-original').textContent()).toMatch(/^원래 토큰 water: p = [\d.]+%, 손실 −log p = \d+\.\d{3}$/);
    expect(await page.locator('[data-panel="masked-lm"] h2').textContent()).toBe('마스크드 언어 모델 (MLM)');
    // Percentages in the Korean locale's format.
    const percents = await page.getByTestId('prediction').locator('.prob-value').allTextContents();
    for (const p of percents) expect(p).toMatch(/^\d+(\.\d+)?%$/);
  });

  it('runs next-sentence prediction and swaps in a random Korean B for a Korean A', async () => {
    await page.getByTestId('sentence-b').fill('it was cold and clear.');
    await expect.poll(() => page.getByTestId('nsp').count()).toBe(1);
    expect(await page.locator('[data-panel="nsp"] h2').textContent()).toBe('다음 문장 예측 (NSP)');
    await page.getByTestId('sentence-a').fill('나는 물을 한 잔 마셨다.');
    await page.getByRole('button', { name: 'B를 무작위 문장으로 바꾸기' }).click();
    await expect.poll(() => page.getByTestId('sentence-b').inputValue()).toMatch(/\p{Script=Hangul}/u);
  });

  it('says how many tokens became [UNK] on the English-only bundled model, and why', async () => {
    await page.getByTestId('sentence-a').fill('나는 물을 한 잔 마셨다.');
    await page.getByTestId('sentence-b').fill('');
    await expect.poll(() => tokens(page)).toEqual(['[CLS]', '[UNK]', '[UNK]', '[UNK]', '[UNK]', '[UNK]', '.', '[SEP]']);
    const note = page.getByTestId('unk-note');
    expect(await note.getAttribute('data-count')).toBe('5');
    const text = await note.textContent();
    expect(text).toContain('토큰 8개 중 5개가 [UNK]입니다: “나는”, “물을”, “한”, “잔”, “마셨다”.');
    expect(text).toContain('bundled:mini-bert의 어휘 사전(조각 8,192개)');
    expect(text).toContain('한글 조각이 없습니다');
  });

  it('lists Korean examples (for multilingual models) and the multilingual preset', async () => {
    const groups = await page.getByTestId('example').locator('optgroup').evaluateAll((els) => els.map((e) => e.getAttribute('label')));
    expect(groups).toEqual(['한국어 (다국어 모델 필요)', '영어']);
    await page.getByTestId('example').selectOption({ label: '서울은 대한민국의 [MASK]이다.' });
    await expect.poll(() => page.getByTestId('sentence-a').inputValue()).toBe('서울은 대한민국의 [MASK]이다.');
    const presets = await page.getByTestId('preset-bert').locator('option').allTextContents();
    expect(presets).toContain('BERT-base 다국어 cased (한국어 포함 104개 언어) · 약 714 MB');
  });

  it('shows the attention views with Korean labels and hover values', async () => {
    await page.getByTestId('sentence-a').fill('the man went to the store.');
    await expect.poll(() => tokens(page)).toContain('store');
    const attention = page.locator('[data-panel^="attention"]');
    expect(await attention.locator('h2').textContent()).toBe('어텐션');
    await attention.getByRole('radio', { name: '헤드 뷰' }).check();
    await page.getByRole('button', { name: '[CLS]에서 나가는 어텐션' }).hover();
    await expect.poll(() => page.getByTestId('head-view-caption').textContent()).toMatch(/^\[CLS\]이\(가\) 각 토큰에 주는 어텐션/);
    await page.mouse.move(0, 0);
    await attention.getByRole('radio', { name: '모델 뷰' }).check();
    await page.getByRole('button', { name: '2층 헤드 3 열기' }).click();
    await expect.poll(() => attention.getByRole('radio', { name: '행렬' }).isChecked()).toBe(true);
    await attention.getByRole('radio', { name: '롤아웃' }).check();
    await expect.poll(() => page.getByTestId('attention-matrix').getByRole('application').getAttribute('aria-label')).toMatch(/^어텐션 롤아웃, \d+ × \d+/);
    await attention.getByRole('radio', { name: '헤드 뷰' }).check();
    await page.getByTestId('sentence-a').fill('the man went to the [MASK] store.');
    await page.getByTestId('sentence-b').fill('he bought a gallon of milk.');
    await expect.poll(() => page.getByTestId('prediction').count()).toBe(5);
    // The README's picture without a focus ring on the last field typed in.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.screenshot({ path: `${SHOTS}/text-ko.png` });
    if (process.env.UPDATE_SCREENSHOTS) copyFileSync(`${SHOTS}/text-ko.png`, 'docs/screenshot-text-ko.png');
  });

  it('runs the image workspace in Korean', async () => {
    await page.getByRole('tab', { name: '이미지 · ViT' }).click();
    await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
    expect(await page.locator('[data-panel="vit-attention"] h2').textContent()).toBe('이미지 위의 어텐션');
    expect(await page.getByTestId('class-note').textContent()).toMatch(/^이 분류기는 10개 클래스\(.+\)만 알고 있어서.*Fashion-MNIST/);
    const cls = page.getByRole('application', { name: /^패치에 대한 \[CLS\]의 어텐션, 1층, 헤드 평균/ });
    const box = (await cls.boundingBox())!;
    await cls.click({ position: { x: box.width * 0.5, y: box.height * 0.5 } });
    await page.getByRole('application', { name: /^패치 \d+의 어텐션, 1층, 헤드 평균/ }).waitFor();
    await page.getByTestId('fusion-select').selectOption('max');
    await page.getByText('원래 어텐션 · 1층, 헤드를 최댓값(으)로 합침').waitFor();
  });

  it('switches to English with the switch and keeps it in the URL', async () => {
    await page.getByTestId('language').selectOption('en');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Encoder playground');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    expect(new URL(page.url()).searchParams.get('lang')).toBe('en');
    await page.reload();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Encoder playground');
    await expect.poll(() => page.getByTestId('top-classes').locator('li').count(), { timeout: 60_000 }).toBe(5);
  });

  it('logged no console errors', () => {
    expect(watched.errors).toEqual([]);
  });
});

describe('?lang=', () => {
  it('overrides the browser language, and an unknown one is named', async () => {
    const { page, errors } = await watchedPage(browser, undefined, { locale: 'en-US' });
    await page.goto(`${inject('appUrl')}/?lang=ko`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('인코더 플레이그라운드');
    await page.goto(`${inject('appUrl')}/?lang=fr`);
    await expect.poll(() => page.getByTestId('language-notice').textContent()).toBe('?lang=fr is not a language of this app; showing English.');
    await expect.poll(() => page.getByTestId('current-model-bert').textContent(), { timeout: 60_000 }).toContain('bundled:mini-bert');
    expect(errors).toEqual([]);
    await page.close();
  });
});
