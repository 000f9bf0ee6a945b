// Chromium (or Google Chrome) for the browser tests, found by scripts/chromium.mjs and driven by
// playwright-core. WebGL runs on SwiftShader, so the WebGL backend is really exercised, just on a
// software GPU.

import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from '../../../scripts/chromium.mjs';

const FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: FLAGS });
}

export interface WatchedPage {
  page: Page;
  /** Console errors and uncaught exceptions seen so far, from the page and its workers. */
  errors: string[];
}

/**
 * A page that records every console error and uncaught exception. Failed fetches of optional
 * checkpoint files (tokenizer.json, …) are expected and answered by the UI, so "Failed to load
 * resource" network messages are not counted: the tests assert the UI's reaction instead.
 */
export async function watchedPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
  {
    locale = 'en-US',
    serviceWorkers = 'block',
  }: {
    /** The browser's language, which picks the UI language; tests choose it rather than inherit the machine's. */
    locale?: string;
    /**
     * The app's service worker precaches it (and its models) for offline use, and would answer the
     * requests tests stub with page.route(); only the offline tests let it run.
     */
    serviceWorkers?: 'allow' | 'block';
  } = {},
): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport, locale, serviceWorkers });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('worker', (worker) => worker.on('console', (message) => {
    if (message.type() === 'error') errors.push(`worker: ${message.text()}`);
  }));
  return { page, errors };
}
