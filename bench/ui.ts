// How long the page's main thread is blocked while a user works the views: a production build in
// headless Chromium, a base-size BERT (or any checkpoint folder in Hugging Face layout) from a
// local stand-in hub, a long sentence pair, then every attention view, the hide-[CLS]/[SEP]
// switch and a layer change, one after the other. Each step reports the longest main-thread task
// (PerformanceObserver "longtask", tasks over 50 ms) and the sum of those tasks, over the 1.5 s after it;
// first the same for the page's start, the model's download and load, and the first result.
//
//   npm run bench:ui -- [--model bench/.models/bert-base] [--tokens 128] [--reuse-build]
//
// The default model is the random bert-base that `npm run bench:browser` writes
// (`python3 -m bench.browser.models make` makes it alone).

import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { findChromium } from '../scripts/chromium.mjs';
import { serveApp, serveHub } from '../tests/e2e/setup/servers';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'bench/.models/bert-base' },
    tokens: { type: 'string', default: '128' },
    'reuse-build': { type: 'boolean', default: false },
  },
});
const modelDir = resolve(values.model);
if (!existsSync(resolve(modelDir, 'config.json'))) {
  throw new Error(`${modelDir} has no config.json: make it first with python3 -m bench.browser.models make (see docs/benchmarks.md).`);
}
const tokens = Number(values.tokens);

const DIST = resolve('test-results/bench-ui-dist');
if (!(values['reuse-build'] && existsSync(resolve(DIST, 'index.html')))) {
  await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn', build: { outDir: DIST, emptyOutDir: true } });
}
const app = await serveApp(DIST);
// The stand-in hub serves <root>/models/<repo>/...
const HUB = resolve('test-results/bench-ui-hub');
rmSync(HUB, { recursive: true, force: true });
mkdirSync(resolve(HUB, 'models'), { recursive: true });
symlinkSync(modelDir, resolve(HUB, 'models', basename(modelDir)));
const hub = await serveHub(HUB);
const browser = await chromium.launch({ executablePath: findChromium(), args: ['--no-sandbox', '--disable-background-networking'] });

// About `tokens` WordPiece tokens in all, split over the two sentences.
const words = 'the old man walked slowly along the river bank while the children played near the water'.split(' ');
const sentence = (n: number) => Array.from({ length: n }, (_, i) => words[i % words.length]).join(' ') + '.';
const a = sentence(Math.floor((tokens - 5) / 2));
const b = sentence(Math.ceil((tokens - 5) / 2));

try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  const query = new URLSearchParams({ hub: hub.url, bert: `local/${basename(modelDir)}`, backend: 'wasm', a, b });
  // Watching from the first script on: the app's start and the model's download, load and first run count too.
  await page.addInitScript(() => {
    const w = window as unknown as { longTasks: number[] };
    w.longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.longTasks.push(e.duration))).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${app.url}/?${query}`);
  await page.locator('[data-testid="head-view"]').waitFor({ timeout: 600_000 });
  const seq = await page.locator('.token-strip > li').count();
  const take = () =>
    page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      const taken = w.longTasks;
      w.longTasks = [];
      return taken;
    });
  const rows: string[][] = [['step', 'longest task ms', 'long tasks ms (sum)']];
  const report = (name: string, tasks: number[]) => rows.push([name, Math.max(0, ...tasks).toFixed(0), tasks.reduce((x, y) => x + y, 0).toFixed(0)]);
  const settle = () => page.waitForTimeout(1500);
  await settle();
  report('start, load and first result', await take());

  const steps: [string, () => Promise<unknown>][] = [
    ['model view', () => page.getByRole('radio', { name: 'Model view' }).check()],
    ['matrix', () => page.getByRole('radio', { name: 'Matrix' }).check()],
    ['rollout', () => page.getByRole('radio', { name: 'Rollout' }).check()],
    ['head view', () => page.getByRole('radio', { name: 'Head view' }).check()],
    ['hide [CLS]/[SEP]', () => page.getByRole('checkbox', { name: /hide \[CLS\]/ }).check()],
    ['head view, layer 12', () => page.getByRole('combobox', { name: 'Layer' }).selectOption({ index: 11 })],
    ['hover a token', () => page.locator('[data-testid="head-view"] [role="button"]').nth(3).hover()],
  ];
  for (const [name, act] of steps) {
    await act();
    await settle();
    report(name, await take());
  }
  const load = (await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`${basename(modelDir)}, ${seq} tokens, WASM backend, Chromium ${browser.version()}, load average ${load}, ${new Date().toISOString()}`);
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(`| ${r.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`);
} finally {
  await browser.close();
  await app.close();
  await hub.close();
}
