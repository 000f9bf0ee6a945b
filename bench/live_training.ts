// How long the position-structure lab's live training takes to give its position embeddings a
// 2-D structure: trains LiveRun (the same code the training worker runs) on the lab's Fashion-MNIST
// slice and reports, every --every steps, the test accuracy and the mean Spearman ρ of the
// position embeddings (src/analysis/positionStructure.ts), until ρ < --target or --max-steps.
//
//   node --import ./bench/tfjs_esm.mjs --import tsx bench/live_training.ts [--backend wasm|cpu] [--every 10]
//     [--target -0.3] [--max-steps 600] [--lr 1e-3] [--pos-lr-mult 3] [--batch 32] [--max-shift 4] [--test-images 200]

import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { positionStructure } from '../src/analysis/positionStructure';
import { initNodeBackend, type NodeBackend } from '../src/models/backend_node';
import { LIVE_TRAINING, LiveRun, parseTrainingData, positionEmbeddingsOf } from '../src/models/vit/training_vit';
import { patchGrid } from '../src/models/vit/configuration_vit';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    every: { type: 'string', default: '10' },
    target: { type: 'string', default: '-0.3' },
    'max-steps': { type: 'string', default: '600' },
    lr: { type: 'string', default: String(LIVE_TRAINING.learningRate) },
    batch: { type: 'string', default: String(LIVE_TRAINING.batchSize) },
    'pos-lr-mult': { type: 'string', default: String(LIVE_TRAINING.positionLrMultiplier) },
    'max-shift': { type: 'string', default: String(LIVE_TRAINING.maxShift) },
    seed: { type: 'string', default: '0' },
    'test-images': { type: 'string', default: '200' },
  },
});

await initNodeBackend(values.backend as NodeBackend);
const data = parseTrainingData(new Uint8Array(readFileSync('public/labs/fashion-mnist-live.safetensors')));
const options = {
  learningRate: Number(values.lr),
  positionLrMultiplier: Number(values['pos-lr-mult']),
  batchSize: Number(values.batch),
  maxShift: Number(values['max-shift']),
  seed: Number(values.seed),
};
const run = new LiveRun(data, options);
const grid = patchGrid(data.side, data.side, run.model.cfg.patch_size);
const spearman = () => {
  const pos = positionEmbeddingsOf(run.model);
  const hidden = pos.shape[1];
  return positionStructure({ shape: [pos.shape[0] - 1, hidden], data: pos.data.subarray(hidden) }, grid).mean;
};
console.log(`backend ${tf.getBackend()}, ${JSON.stringify(options)}`);
const start = performance.now();
let trainMs = 0;
let losses: number[] = [];
for (let step = 1; step <= Number(values['max-steps']); step++) {
  const t0 = performance.now();
  losses.push(run.trainStep());
  trainMs += performance.now() - t0;
  if (step % Number(values.every) !== 0) continue;
  const rho = spearman();
  const { accuracy } = run.evaluate(Number(values['test-images']));
  const loss = losses.reduce((a, b) => a + b, 0) / losses.length;
  losses = [];
  console.log(
    `step ${step}  images ${step * Number(values.batch)}  train loss ${loss.toFixed(3)}  test acc ${accuracy.toFixed(3)}  spearman ${rho.toFixed(4)}  ` +
      `train ${(trainMs / 1000).toFixed(1)} s  wall ${((performance.now() - start) / 1000).toFixed(1)} s`,
  );
  if (rho < Number(values.target)) break;
}
run.dispose();
console.log(`tensors left: ${tf.memory().numTensors}`);
