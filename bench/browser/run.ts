// Browser benchmark: this app's forward pass (its own worker, backend setup and read-back, on
// tfjs-wasm) against onnxruntime-web's WASM execution provider on an ONNX export of the same
// weights, in headless Chromium, plus native PyTorch as the practical CPU limit. Measured, not asserted.
//
//   npm run bench:browser -- [--runs 7] [--warmup 2] [--threads 1,2] [--cases bert-base,mini] [--no-torch]
//
// bench/browser/models.py (`python3 -m bench.browser.models make`) writes the inputs into bench/.models/ on first use (random bert-base and
// vit-base checkpoints, ONNX exports; ~1.6 GB, a few minutes). For each thread count a fresh page
// loads each model in both engines, checks that they agree on every value the app shows (within
// twice the project's parity tolerance), then times `warmup` + `runs` rounds of one run per engine,
// alternating which goes first. Each run records the browser's CPU time and the rest of the
// machine's, since the machine is shared. Prints the ratio table and writes every measurement to
// bench/.results/<date>.json.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium, watchedPage } from '../../tests/e2e/setup/browser';
import { buildPages } from '../../tests/e2e/setup/build';
import { serveApp } from '../../tests/e2e/setup/servers';
import type { Agreement, BenchCase, RunTiming } from './page';

const ROOT = join(import.meta.dirname, '..', '..');
const MODELS = join(ROOT, 'bench', '.models');
const DIST = join(ROOT, 'test-results', 'bench-dist');
const PYTHON = '/usr/bin/python3';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1,2' },
    cases: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const warmup = Number(args.warmup);
const threadCounts = args.threads.split(',').map(Number);
if (![runs, warmup + 1, ...threadCounts].every((n) => Number.isInteger(n) && n >= 1)) throw new Error('--runs, --warmup and --threads take whole numbers');

// ---- CPU accounting ---------------------------------------------------------------------------

const TICK_S = 0.01; // USER_HZ is 100 on Linux

/** CPU seconds used so far by every process descended from this one (Chromium and its children). */
function browserCpuSeconds(): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parent.set(Number(entry), Number(fields[1]));
    ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p = parent.get(pid);
    while (p !== undefined && p !== process.pid && p > 1) p = parent.get(p);
    if (p === process.pid) total += t;
  }
  return total * TICK_S;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - fields[3] - fields[4], total };
}

interface Sample extends RunTiming {
  /**
   * CPU seconds the browser spent on the run: on one thread, what the run costs whatever else
   * the shared machine does (its wall time stretches when other processes take the cores).
   */
  cpu_s: number;
  /** Cores' worth of CPU the browser used during the run. */
  browser_cores: number;
  /** Cores' worth of CPU everything else on the machine used meanwhile. */
  other_cores: number;
}

async function measured<T extends RunTiming>(run: () => Promise<T>): Promise<T & Sample> {
  const cores = cpus().length;
  const cpu0 = browserCpuSeconds();
  const m0 = machineJiffies();
  const t0 = performance.now();
  const timing = await run();
  const wall = (performance.now() - t0) / 1000;
  const m1 = machineJiffies();
  const cpu_s = browserCpuSeconds() - cpu0;
  const busy = ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * cores;
  return { ...timing, cpu_s, browser_cores: cpu_s / wall, other_cores: Math.max(0, busy - cpu_s / wall) };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** Median over rounds of app / ORT within the round: the two runs of a round see about the same load. */
const ratio = (row: Row, key: 'ms' | 'cpu_s' = 'ms') => median(row.app.map((s, i) => s[key] / row.ort[i][key]));

// ---- the run ----------------------------------------------------------------------------------

interface Row {
  case: string;
  threads: number;
  /** Fetching and setting up the model (ORT: creating its session). */
  load: { app: Sample; ort: Sample };
  /** The first run after loading. */
  first: { app: Sample; ort: Sample };
  agreement: Agreement;
  app: Sample[];
  ort: Sample[];
  loadavg_before: number[];
  /** Bytes each engine holds after all its runs (see page.ts memory()). */
  memory: { app: number; ort: number; other: number } | null;
  torch?: { wall_ms: number; cpu_ms: number };
}

console.log('preparing bench/.models (first time: random base checkpoints and ONNX exports, a few minutes)…');
execFileSync('nice', ['-n', '10', PYTHON, '-m', 'bench.browser.models', 'make'], { stdio: 'inherit', cwd: ROOT });
const cases = (JSON.parse(readFileSync(join(MODELS, 'cases.json'), 'utf8')) as { cases: BenchCase[] }).cases.filter(
  (c) => !args.cases || args.cases.split(',').some((part) => c.name.includes(part)),
);

console.log('building the app and the benchmark page…');
await buildPages(DIST, { bench: 'bench/browser/bench.html' });
const server = await serveApp(DIST, { '/bench-models/': MODELS, '/ort/': join(ROOT, 'node_modules/onnxruntime-web/dist') });
const browser = await launchChromium();
const chromium = `Chromium ${browser.version()}`;
const rows: Row[] = [];
const engines: Record<number, { app: string; ort: string }> = {};
try {
  for (const threads of threadCounts) {
    const { page, errors } = await watchedPage(browser);
    await page.goto(`${server.url}/bench/browser/bench.html?threads=${threads}`);
    await page.waitForFunction(() => 'bench' in window);
    const started = await page.evaluate(() => window.bench.start());
    if (!started.crossOriginIsolated) throw new Error('the benchmark page is not cross-origin isolated: no threads');
    engines[threads] = { app: `tfjs-wasm: ${started.app.details}`, ort: started.ort };
    console.log(`\n${threads} thread(s): app ${engines[threads].app}; ${started.ort}`);
    for (const c of cases) {
      const loadavg_before = loadavg();
      const load = {
        app: await measured(() => page.evaluate((bc) => window.bench.loadApp(bc), c)),
        ort: await measured(() => page.evaluate(() => window.bench.loadOrt())),
      };
      const firstApp = await measured(() => page.evaluate(() => window.bench.firstApp()));
      const { agreement, ...firstOrt } = await measured(() => page.evaluate(() => window.bench.firstOrt()));
      const first = { app: firstApp, ort: firstOrt };
      // Each engine may be off by the project's tolerance from the exact value, so from each other by twice that.
      if (!(agreement.worst_ratio <= 2)) {
        throw new Error(`${c.name}: the app and onnxruntime-web disagree at ${agreement.worst} (${agreement.worst_ratio.toFixed(2)}x the tolerance)`);
      }
      const row: Row = { case: c.name, threads, load, first, agreement, app: [], ort: [], loadavg_before, memory: null };
      for (let round = 0; round < warmup + runs; round++) {
        const order = round % 2 ? (['ort', 'app'] as const) : (['app', 'ort'] as const);
        for (const engine of order) {
          await pause(100); // let the other engine's thread pool go idle
          const sample = await measured(() => page.evaluate((e) => (e === 'app' ? window.bench.runApp() : window.bench.runOrt()), engine));
          if (round >= warmup) row[engine].push(sample);
        }
      }
      row.memory = await page.evaluate(() => window.bench.memory());
      await page.evaluate(() => window.bench.unload());
      rows.push(row);
      const [a, o] = [median(row.app.map((s) => s.ms)), median(row.ort.map((s) => s.ms))];
      console.log(
        `  ${c.name.padEnd(15)} app ${a.toFixed(1).padStart(7)} ms  ORT ${o.toFixed(1).padStart(7)} ms  ` +
          `app/ORT ${ratio(row).toFixed(2)}  max |Δ| ${agreement.max_abs.toExponential(1)}  load avg ${loadavg_before[0].toFixed(2)}`,
      );
    }
    if (errors.length) throw new Error(`errors in the page: ${errors.join('\n')}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}

if (!args['no-torch']) {
  console.log('\nnative PyTorch…');
  const torch = JSON.parse(
    execFileSync('nice', ['-n', '0', PYTHON, '-m', 'bench.browser.models', 'time', '--threads', threadCounts.join(','), '--runs', String(runs), '--warmup', String(warmup)], { encoding: 'utf8', cwd: ROOT }),
  ) as Record<string, Record<string, Row['torch']>>;
  for (const row of rows) row.torch = torch[row.case]?.[String(row.threads)];
}

// ---- report -----------------------------------------------------------------------------------

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 100 ? 1 : 0)} ms`);
const table: string[][] = [
  ['model', 'threads', 'this app', 'onnxruntime-web', 'native torch', 'app / ORT', 'best app / ORT', 'CPU s app / ORT', 'load app / ORT', '1st run app / ORT', 'load + 1st, CPU s app / ORT', 'cores app / ORT', 'others', 'memory app / ORT', 'Δ / tol'],
];
for (const r of rows) {
  const m = (engine: 'app' | 'ort', key: keyof Sample) => median(r[engine].map((s) => s[key]));
  const best = (engine: 'app' | 'ort') => Math.min(...r[engine].map((s) => s.ms));
  table.push([
    r.case,
    String(r.threads),
    fmt(m('app', 'ms')),
    fmt(m('ort', 'ms')),
    r.torch ? `${fmt(r.torch.wall_ms)} (CPU ${fmt(r.torch.cpu_ms)})` : '–',
    `${ratio(r).toFixed(2)}x`,
    `${fmt(best('app'))} / ${fmt(best('ort'))} = ${(best('app') / best('ort')).toFixed(2)}x`,
    `${fmt(1000 * m('app', 'cpu_s'))} / ${fmt(1000 * m('ort', 'cpu_s'))} = ${ratio(r, 'cpu_s').toFixed(2)}x`,
    `${fmt(r.load.app.ms)} / ${fmt(r.load.ort.ms)}`,
    `${fmt(r.first.app.ms)} / ${fmt(r.first.ort.ms)}`,
    `${(r.load.app.cpu_s + r.first.app.cpu_s).toFixed(2)} / ${(r.load.ort.cpu_s + r.first.ort.cpu_s).toFixed(2)}`,
    `${m('app', 'browser_cores').toFixed(2)} / ${m('ort', 'browser_cores').toFixed(2)}`,
    median([...r.app, ...r.ort].map((s) => s.other_cores)).toFixed(2),
    r.memory ? `${mib(r.memory.app)} / ${mib(r.memory.ort)} MiB` : '–',
    r.agreement.worst_ratio.toFixed(2),
  ]);
}
const date = new Date().toISOString();
const cpuModel = cpus()[0]?.model ?? 'unknown CPU';
console.log(`\n${date} · ${cpuModel} · ${cpus().length} cores · ${chromium} · median of ${runs} after ${warmup} warm-ups`);
for (const [t, e] of Object.entries(engines)) console.log(`  ${t} thread(s): ${e.app}; ${e.ort}`);
console.log(`| ${table[0].join(' | ')} |\n|${table[0].map(() => ' --- ').join('|')}|`);
for (const line of table.slice(1)) console.log(`| ${line.join(' | ')} |`);
console.log(
  'Medians. app / ORT: of the ratio within each round. best: fastest runs, the least disturbed by other load. CPU s: the browser\'s CPU time per run. load: fetch and set up ' +
    'the model (ORT: create the session). 1st run: the first after loading. load + 1st, CPU s: the browser\'s CPU time for both. cores: CPU s / wall time. ' +
    'others: cores busy outside the browser meanwhile. memory: JavaScript and WebAssembly memory each engine holds after its runs ' +
    '(performance.measureUserAgentSpecificMemory). Δ / tol: largest |app − ORT| / (1e-5 + 1e-4·|ORT|) over every ' +
    'value the app shows (the check allows 2).',
);

mkdirSync(join(ROOT, 'bench', '.results'), { recursive: true });
const file = join(ROOT, 'bench', '.results', `${date.replace(/[:.]/g, '-')}.json`);
const record = { date, host: hostname(), cpu: cpuModel, cores: cpus().length, chromium, runs, warmup, engines, loadavg_after: loadavg(), rows };
writeFileSync(file, JSON.stringify(record, null, 1));
console.log(`raw measurements: ${file}`);
