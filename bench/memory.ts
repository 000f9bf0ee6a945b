// Memory of a model load in the app, in headless Chromium on the WASM backend: a production build,
// the random checkpoints of bench/make_checkpoint.ts served by the stand-in hub, loaded through
// the model picker as a user would (a hub download, cached in Cache Storage), then one run.
// Reported per model: the renderer's resident memory before, its peak while loading (VmHWM, reset
// before the load), after the load and after the first run, and the page's own count
// (performance.measureUserAgentSpecificMemory: JavaScript heaps and WebAssembly memory). Linux
// only (/proc).
//
//   npm run bench:memory -- [--models bert-base,bert-large,vit-large] [--via hub|files] [--dist <built app>] [--json]
//
// --via files picks the checkpoint's files from disk instead of downloading them. --dist measures
// another build (e.g. of an older commit) with the same procedure.

import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium, type BrowserContext } from 'playwright-core';
import { build } from 'vite';
import { findChromium } from '../scripts/chromium.mjs';
import { serveApp, serveHub } from '../tests/e2e/setup/servers';
import { makeCheckpoint, MODELS_DIR, SHAPES } from './make_checkpoint';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'bert-base' },
    via: { type: 'string', default: 'hub' },
    dist: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const names = values.models.split(',');
for (const name of names) if (!Object.hasOwn(SHAPES, name)) throw new Error(`unknown model "${name}"`);

const MiB = 2 ** 20;
const mib = (bytes: number) => Math.round(bytes / MiB);

/** VmRSS and VmHWM of a process, in bytes. */
function status(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

/** The renderer processes of the browser using `profile` (the page and its workers live in one of them). */
function renderers(profile: string): number[] {
  const processes = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        // Chromium rewrites its children's command lines into one string, so match within the text.
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        const ppid = Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.[1]);
        return [{ pid: Number(pid), ppid, cmdline }];
      } catch {
        return []; // gone meanwhile
      }
    });
  const browser = processes.find((p) => p.cmdline.includes(`--user-data-dir=${profile} `) && !p.cmdline.includes('--type='));
  if (!browser) throw new Error('cannot find the browser process');
  const descends = (p: { ppid: number }): boolean => p.ppid === browser.pid || processes.some((q) => q.pid === p.ppid && descends(q));
  return processes.filter((p) => p.cmdline.includes('--type=renderer') && descends(p)).map((p) => p.pid);
}

/** Float32 bytes of the checkpoint's weights (its data area: every tensor is F32). */
function weightBytes(dir: string): number {
  const fd = openSync(join(dir, 'model.safetensors'), 'r');
  const prefix = new Uint8Array(8);
  readSync(fd, prefix, 0, 8, 0);
  closeSync(fd);
  return statSync(join(dir, 'model.safetensors')).size - 8 - new DataView(prefix.buffer).getUint32(0, true);
}

interface Result {
  model: string;
  weights_mib: number;
  before_mib: number;
  peak_load_mib: number;
  after_load_mib: number;
  after_run_mib: number;
  page_after_run_mib: number;
  load_s: number;
}

async function measure(context: BrowserContext, profile: string, appUrl: string, hubUrl: string, name: string): Promise<Result> {
  const dir = makeCheckpoint(name);
  const kind = SHAPES[name].kind;
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${appUrl}/?${new URLSearchParams({ tab: kind === 'bert' ? 'text' : 'image', backend: 'wasm', hub: hubUrl, a: 'the cat sat on the [MASK].', b: '' })}`);
  // The bundled model has loaded and run: the workspace shows its results.
  const done = kind === 'bert' ? '[data-testid="prediction"]' : '[data-testid="top-classes"] li';
  await page.locator(done).first().waitFor({ timeout: 120_000 });
  await page.waitForTimeout(2000);

  const pids = renderers(profile);
  const total = () => pids.reduce((sum, pid) => sum + status(pid).rss, 0);
  const before = total();
  for (const pid of pids) writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  const others = pids.map((pid) => status(pid).rss);

  const start = performance.now();
  const picker = page.getByRole('region', { name: kind === 'bert' ? 'Text model' : 'Image model' });
  if (values.via === 'files') {
    const files = readdirSync(dir).map((f) => join(dir, f));
    await picker.locator('input[type="file"][multiple]').setInputFiles(files);
  } else {
    await picker.getByLabel('Hugging Face repo').fill(`local/${name}-random`);
    await picker.getByRole('button', { name: 'Download' }).click();
  }
  await page.getByTestId(`current-model-${kind}`).filter({ hasText: values.via === 'files' ? 'config.json' : `${name}-random` }).waitFor({ timeout: 900_000 });
  const loadS = (performance.now() - start) / 1000;
  // The peak of each renderer since the reset, over the others' resident memory before.
  const peaks = pids.map((pid) => status(pid).hwm);
  const peak = Math.max(...peaks.map((hwm, i) => hwm - others[i])) + before;
  const afterLoad = total();

  // The first run of the new model: predictions from its made-up vocabulary ("w123", "##w45") or classes ("class 7").
  const marker = kind === 'bert' ? page.getByTestId('prediction').filter({ hasText: /w\d+/ }) : page.locator(done).filter({ hasText: /class \d+/ });
  await marker.first().waitFor({ timeout: 900_000 });
  await page.waitForTimeout(2000);
  const afterRun = total();
  const pageBytes = await page.evaluate(async () => {
    const measured = await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<{ bytes: number }> }).measureUserAgentSpecificMemory();
    return measured.bytes;
  });
  await page.close();
  return {
    model: name,
    weights_mib: mib(weightBytes(dir)),
    before_mib: mib(before),
    peak_load_mib: mib(peak),
    after_load_mib: mib(afterLoad),
    after_run_mib: mib(afterRun),
    page_after_run_mib: mib(pageBytes),
    load_s: Math.round(loadS * 10) / 10,
  };
}

const dist = values.dist ? resolve(values.dist) : resolve('test-results/bench-memory-dist');
if (!values.dist) await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
const app = await serveApp(dist);
const hub = await serveHub(join(MODELS_DIR, '..'));
// A profile on disk, as a user's: in the in-memory profile of a default Playwright context, Cache
// Storage cannot hold a large checkpoint.
const profile = mkdtempSync(join(tmpdir(), 'bench-memory-profile-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: findChromium(), args: ['--no-sandbox'] });
const results: Result[] = [];
try {
  // One page per model, closed after; the peak is measured against the memory right before each load.
  for (const name of names) results.push(await measure(context, profile, app.url, hub.url, name));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
  await app.close();
  await hub.close();
}
if (values.json) console.log(JSON.stringify(results));
else {
  console.log('model        weights  renderer before  peak in load (x weights)  after load  after 1st run  page (JS+wasm)  load');
  for (const r of results) {
    const ratio = (r.peak_load_mib - r.before_mib) / r.weights_mib;
    console.log(
      `${r.model.padEnd(12)} ${String(r.weights_mib).padStart(4)} MiB  ${String(r.before_mib).padStart(6)} MiB  ` +
        `${String(r.peak_load_mib).padStart(9)} MiB (+${(ratio).toFixed(2)}x)  ${String(r.after_load_mib).padStart(7)} MiB  ` +
        `${String(r.after_run_mib).padStart(9)} MiB  ${String(r.page_after_run_mib).padStart(10)} MiB  ${r.load_s} s`,
    );
  }
}
