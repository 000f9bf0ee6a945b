// The training worker: trains the position-structure lab's small ViT (models/vit/training_vit.ts)
// on its own tfjs backend (WASM, else plain JS), so the inference worker stays free for the
// workspaces. Between steps it yields to its message queue, so "pause" and "save" are answered
// within one step.

import { positionStructure } from '../analysis/positionStructure';
import { LiveRun, parseTrainingData, positionEmbeddingsOf, saveCheckpoint } from '../models/vit/training_vit';
import { patchGrid } from '../models/vit/configuration_vit';
import { activateBackend } from './backends';
import type { TrainingRequest, TrainingResponse } from './trainingProtocol';

/** Steps between evaluations (test accuracy, position embeddings). */
const EVAL_EVERY = 10;
/** Test images per evaluation: enough for a curve, cheap next to ten steps. */
const EVAL_IMAGES = 200;

let run: LiveRun | null = null;
let running = false;
/** Training time so far (paused time not counted). */
let elapsedMs = 0;

const post = (message: TrainingResponse, transfer: Transferable[] = []) => self.postMessage(message, { transfer });
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

function evaluate(r: LiveRun): void {
  const { accuracy, loss } = r.evaluate(Math.min(EVAL_IMAGES, r.data.test.count));
  const positions = positionEmbeddingsOf(r.model);
  const [n, hidden] = positions.shape;
  const grid = patchGrid(r.data.side, r.data.side, r.model.cfg.patch_size);
  const { mean } = positionStructure({ shape: [n - 1, hidden], data: positions.data.subarray(hidden) }, grid);
  post({ type: 'eval', eval: { step: r.step, accuracy, test_loss: loss, spearman: mean, elapsed_ms: elapsedMs }, positions }, [positions.data.buffer]);
}

async function start(dataUrl: string): Promise<void> {
  if (running) return;
  running = true;
  if (!run) {
    const backend = await activateBackend('wasm');
    const response = await fetch(dataUrl);
    if (!response.ok) throw new Error(`${dataUrl}: HTTP ${response.status}`);
    run = new LiveRun(parseTrainingData(new Uint8Array(await response.arrayBuffer())));
    post({
      type: 'started',
      backend: backend.name,
      train_images: run.data.train.count,
      test_images: Math.min(EVAL_IMAGES, run.data.test.count),
      grid: patchGrid(run.data.side, run.data.side, run.model.cfg.patch_size),
    });
    evaluate(run);
  }
  while (running) {
    const t0 = performance.now();
    const loss = run.trainStep();
    elapsedMs += performance.now() - t0;
    post({ type: 'step', step: run.step, loss, elapsed_ms: elapsedMs });
    if (run.step % EVAL_EVERY === 0) evaluate(run);
    await nextTask();
  }
  post({ type: 'paused', step: run.step });
}

self.onmessage = (event: MessageEvent<TrainingRequest>) => {
  const request = event.data;
  if (request.type === 'start') {
    start(request.dataUrl).catch((e: unknown) => {
      running = false;
      post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    });
  } else if (request.type === 'pause') {
    running = false;
  } else if (run) {
    const files = saveCheckpoint(run.model, undefined, { step: String(run.step) });
    post({ type: 'saved', id: request.id, files }, Object.values(files).map((f) => f.buffer as ArrayBuffer));
  } else {
    post({ type: 'error', message: 'Nothing to save yet: start training first.' });
  }
};
