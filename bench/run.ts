// Load + forward timings of the fixture checkpoints and, when present, the app's bundled
// public/models/mini-bert, mini-vit and mini-cnn, on the Node backends (wasm, cpu). Measured, not asserted.
//
//   npm run bench -- [--runs 10] [--backends wasm,cpu]

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initNodeBackend, type NodeBackend } from '../src/models/backend_node';
import { fromFolder } from '../src/models/checkpoint/source_node';
import { loadModel, type Model } from '../src/models';
import type { Timings } from '../src/models/types';

const ROOT = join(import.meta.dirname, '..');
const MODELS = [
  'tests/fixtures/models/bert-tiny',
  'tests/fixtures/models/vit-tiny',
  'public/models/mini-bert',
  'public/models/mini-vit',
  'public/models/mini-cnn',
].filter((dir) => existsSync(join(ROOT, dir, 'model.safetensors')));

const TEXT_A = 'the quick brown fox jumps over the lazy [MASK] while the children watch from the old house.';
const TEXT_B = 'then it runs back into the dark forest.';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '10' }, backends: { type: 'string', default: 'wasm,cpu' } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got "${values.runs}"`);
const backends = values.backends.split(',') as NodeBackend[];
for (const b of backends as string[]) if (b !== 'wasm' && b !== 'cpu') throw new Error(`--backends takes wasm and/or cpu, got "${b}"`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One forward on a fixed input: a sentence pair for BERT, deterministic noise at the processor's output size for ViT and CNN. */
function forward(model: Model): Promise<{ timings: Timings; input: string }> {
  if (model.kind === 'bert') {
    return model.run(TEXT_A, TEXT_B).then((o) => ({ timings: o.timings, input: `${o.encoding.input_ids.length} tokens` }));
  }
  const { height, width } = model.processor.size;
  const channels = model.processor.config.num_channels;
  const data = Float32Array.from({ length: channels * height * width }, (_, i) => Math.sin(i * 12.9898) % 1);
  if (model.kind === 'cnn') {
    return model.runPixels({ shape: [channels, height, width], data }).then((o) => ({ timings: o.timings, input: `${height}x${width} pixels` }));
  }
  return model
    .runPixels({ shape: [channels, height, width], data }, { interpolatePosEncoding: true })
    .then((o) => ({ timings: o.timings, input: `${o.grid[0] * o.grid[1] + 1} tokens` }));
}

const rows: string[][] = [
  ['model', 'backend', 'weights', 'input', 'load ms', '1st run ms', `median of ${runs} ms`, 'forward ms', 'readback ms'],
];
for (const backend of backends) {
  await initNodeBackend(backend);
  for (const dir of MODELS) {
    const t0 = performance.now();
    const model = await loadModel(await fromFolder(join(ROOT, dir)));
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    const { input } = await forward(model);
    const firstMs = performance.now() - t1;
    const totals: number[] = [];
    const forwards: number[] = [];
    const readbacks: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const { timings } = await forward(model);
      totals.push(performance.now() - t);
      forwards.push(timings.forward_ms);
      readbacks.push(timings.readback_ms);
    }
    model.dispose();
    const mb = statSync(join(ROOT, dir, 'model.safetensors')).size / 2 ** 20;
    rows.push([
      dir.split('/').at(-1)!,
      tf.getBackend(),
      `${mb.toFixed(1)} MiB`,
      input,
      loadMs.toFixed(0),
      firstMs.toFixed(1),
      median(totals).toFixed(1),
      median(forwards).toFixed(1),
      median(readbacks).toFixed(1),
    ]);
  }
}

const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const [i, r] of rows.entries()) {
  console.log(r.map((cell, c) => (c < 4 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
