// What an e2e test file needs around its tests: one Chromium for the file, the screenshot folder,
// and elements by data-testid. (Kept apart from browser.ts, which the benchmarks import outside vitest.)

import { mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser';

/** Where the e2e tests put their screenshots. */
export const SHOTS = 'test-results/screenshots';

/** One Chromium for the calling test file, launched before its tests and closed after them. */
export function browserForFile(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is launched in beforeAll');
    return browser;
  };
}

/** The elements with this data-testid. */
export const testId = (page: Page, id: string): Locator => page.locator(`[data-testid="${id}"]`);
