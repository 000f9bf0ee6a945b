// The inference worker: owns tfjs, the backend and the loaded models (at most one BERT and one
// ViT), so the page stays responsive while a forward pass runs. Requests are handled one at a
// time in arrival order; a run that a newer run of the same kind has overtaken while waiting is
// answered `superseded` instead of being computed.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../models/errors';
import { loadModel, type BertModel, type CnnModel, type Model, type VitModel } from '../models';
import { fromFiles, fromUrl } from '../models/checkpoint/source';
import { softmax } from '../models/shared/math';
import type { CnnModelInfo, LoadProgress } from '../models/types';
import { activateBackend, activeWebglCanvas, activeWebgpuDevice, markWebgpuLost, replaceWebglBackend, webglContextLost, webgpuDeviceLost } from './backends';
import { cachedFetch, cacheInfo, clearCache } from './cache';
import { toRgba } from './images';
import { buffersOf } from './transfer';
import type {
  BackendChoice,
  BackendStatus,
  CallType,
  Calls,
  LabImageModel,
  ModelLoaded,
  ModelSlot,
  ModelSourceSpec,
  Request,
  Response,
  WasmThreads,
  WorkerError,
} from './protocol';

interface Entry {
  model: Model;
  spec: ModelSourceSpec;
}

/** The user's models, one per slot, and the inductive-bias lab's CNN beside them. */
const models: Partial<Record<ModelSlot | 'cnn', Entry>> = {};
let backend: BackendStatus | null = null;
/** The page's thread request for WASM; it takes effect when the WASM backend first starts. */
let wasmThreads: WasmThreads = null;
/** Why the GPU backend in use died (WebGL context or WebGPU device lost), until the switch to WASM. */
let gpuLost: string | null = null;
const watchedCanvases = new WeakSet<object>();
const watchedDevices = new WeakSet<object>();
/** The newest run request of each kind (see runKind); an older one still waiting is superseded. */
const newestRun = new Map<string, number>();
let queue: Promise<void> = Promise.resolve();

const post = (message: Response, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

class BadInput extends Error {}

function describeError(e: unknown): WorkerError {
  if (e instanceof ModelError) return { code: e.code, message: e.message };
  if (e instanceof BadInput) return { code: 'bad_input', message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Unexpected error in the inference worker: ${message}` };
}

/** Work that arrives before any backend was chosen gets the automatic choice. */
async function ensureBackend(): Promise<BackendStatus> {
  backend ??= await switchBackend('auto');
  return backend;
}

async function switchBackend(choice: BackendChoice, failed: string[] = []): Promise<BackendStatus> {
  const status = await activateBackend(choice, failed, wasmThreads);
  gpuLost = null;
  const canvas = activeWebglCanvas();
  if (canvas && !watchedCanvases.has(canvas)) {
    watchedCanvases.add(canvas);
    canvas.addEventListener('webglcontextlost', () => {
      gpuLost = 'the WebGL context was lost';
      enqueue(recoverFromGpuLoss);
    });
  }
  const device = activeWebgpuDevice();
  if (device && !watchedDevices.has(device)) {
    watchedDevices.add(device);
    void device.lost.then((info) => {
      const why = `the WebGPU device was lost (${info.message || info.reason || 'no reason given'})`;
      markWebgpuLost(why);
      // A device lost after we moved to another backend costs nothing but WebGPU for later.
      if (tf.getBackend() !== 'webgpu') return;
      gpuLost = why;
      enqueue(recoverFromGpuLoss);
    });
  }
  return status;
}

function sourceOf(spec: ModelSourceSpec) {
  if (spec.type === 'files') return fromFiles(spec.files);
  return fromUrl(spec.baseUrl, { ...(spec.cache && { fetch: cachedFetch }), ...(spec.files && { files: spec.files }) });
}

/** Progress messages at most every 50 ms per file (and always the last one), not per network chunk. */
function throttledProgress(id: number): (p: LoadProgress) => void {
  let last = 0;
  return (progress) => {
    const now = performance.now();
    if (now - last < 50 && progress.loaded !== progress.total) return;
    last = now;
    post({ id, type: 'progress', progress });
  };
}

async function load(spec: ModelSourceSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelLoaded> {
  const { name: backendName } = await ensureBackend();
  const model = await loadModel(sourceOf(spec), { onProgress });
  if (model.kind === 'cnn') {
    model.dispose();
    throw new ModelError('unsupported', `${spec.name} is a mini-CNN: the app shows it only in the image workspace's inductive-bias lab (the CLI runs it).`);
  }
  await warmUp(model, backendName);
  keep(model.kind, model, spec);
  return model.kind === 'bert' ? { slot: 'bert', name: spec.name, info: model.info } : { slot: 'vit', name: spec.name, info: model.info };
}

/**
 * WASM packs, and WebGL uploads, each weight on first use: do it while the model is loading, not
 * in the user's first run. The CPU backend has nothing to prepare.
 */
async function warmUp(model: Model, backendName: BackendStatus['name']): Promise<void> {
  if (backendName === 'cpu') return;
  try {
    await model.warmUp();
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The previous model of a slot is only dropped once the new one is ready, so a failed load loses nothing. */
function keep(slot: ModelSlot | 'cnn', model: Model, spec: ModelSourceSpec): void {
  const previous = models[slot];
  models[slot] = { model, spec };
  previous?.model.dispose();
}

async function loadLabCnn(spec: ModelSourceSpec): Promise<CnnModelInfo> {
  const { name: backendName } = await ensureBackend();
  const model = await loadModel(sourceOf(spec));
  if (model.kind !== 'cnn') {
    model.dispose();
    throw new ModelError('mismatch', `${spec.name} is not a mini-CNN (model_type "mini_cnn"): the inductive-bias lab compares the ViT with a CNN.`);
  }
  await warmUp(model, backendName);
  keep('cnn', model, spec);
  return model.info;
}

/** Models hold their weights on the backend that loaded them: reload them on the new one. */
async function reloadAll(): Promise<ModelLoaded[]> {
  const reloaded: ModelLoaded[] = [];
  for (const [slot, entry] of Object.entries(models)) {
    if (slot === 'cnn') await loadLabCnn(entry.spec);
    else reloaded.push(await load(entry.spec));
  }
  return reloaded;
}

async function recoverFromGpuLoss(): Promise<void> {
  if (!gpuLost) return;
  const requested = backend?.requested ?? 'auto';
  const lostWebgl = tf.getBackend() === 'webgl';
  backend = { ...(await switchBackend('wasm', [gpuLost])), requested };
  if (lostWebgl) replaceWebglBackend();
  let message = `The ${lostWebgl ? 'GPU context' : 'WebGPU device'} was lost; switched to ${backend.name.toUpperCase()}.`;
  let reloaded: ModelLoaded[] = [];
  try {
    reloaded = await reloadAll();
  } catch (e) {
    message += ` Reloading the model failed (${describeError(e).message}); load it again.`;
  }
  post({ type: 'backendLost', status: backend, message, reloaded });
}

function checkTopK(topK: number): void {
  if (!Number.isInteger(topK) || topK < 1 || topK > 100) throw new BadInput(`top-k must be a whole number from 1 to 100, got ${topK}`);
}

function bertModel(): BertModel {
  const entry = models.bert;
  if (!entry || entry.model.kind !== 'bert') throw new ModelError('not_found', 'No BERT model is loaded yet.');
  return entry.model;
}

async function runText({ textA, textB, topK, outputs }: Calls['runText']['args']): Promise<Calls['runText']['result']> {
  if (typeof textA !== 'string' || textA.trim() === '') throw new BadInput('Sentence A is empty: type some text first.');
  checkTopK(topK);
  return bertModel().run(textA, textB?.trim() ? textB : undefined, { topK, outputs: outputs ?? {} });
}

function tokenize({ pairs }: Calls['tokenize']['args']): Calls['tokenize']['result'] {
  const model = bertModel();
  const { tokenizer, info } = model;
  if (pairs.some(({ a }) => typeof a !== 'string' || a.trim() === '')) throw new BadInput('A text to tokenize is empty.');
  return {
    encodings: pairs.map(({ a, b }) => tokenizer.encode(a, b, info.config.max_position_embeddings)),
    vocab_size: Math.min(tokenizer.vocabSize, info.config.vocab_size),
    special_ids: tokenizer.specialIds(),
    mask_id: tokenizer.maskTokenId,
  };
}

async function runIds({ inputs, topK, outputs }: Calls['runIds']['args']): Promise<Calls['runIds']['result']> {
  checkTopK(topK);
  const model = bertModel();
  const results = [];
  for (const { input_ids, token_type_ids, mlm_positions } of inputs) {
    results.push(await model.runIds(input_ids, token_type_ids, { topK, outputs: outputs ?? {}, mlmPositions: mlm_positions }));
  }
  return results;
}

async function runImage({ image, topK, outputs }: Calls['runImage']['args']): Promise<Calls['runImage']['result']> {
  checkTopK(topK);
  const entry = models.vit;
  if (!entry || entry.model.kind !== 'vit') throw new ModelError('not_found', 'No ViT model is loaded yet.');
  return entry.model.run(await toRgba(image, entry.model.checkImageSize), { topK, outputs: outputs ?? {} });
}

function labModel(model: LabImageModel): VitModel | CnnModel {
  const entry = models[model];
  if (!entry || (entry.model.kind !== 'vit' && entry.model.kind !== 'cnn')) {
    throw new ModelError('not_found', model === 'vit' ? 'No ViT model is loaded yet.' : "The lab's CNN is not loaded yet.");
  }
  return entry.model;
}

async function preprocess({ image, model }: Calls['preprocess']['args']): Promise<Calls['preprocess']['result']> {
  const m = labModel(model);
  return m.processor.preprocess(await toRgba(image, m.checkImageSize));
}

/** Only the logits of the lab's runs come back: every attention and hidden state stays in the worker. */
const LOGITS_ONLY = { attentions: false, hidden_states: false } as const;

async function runPixels({ model, inputs, zeroPositionEmbeddings }: Calls['runPixels']['args']): Promise<Calls['runPixels']['result']> {
  const m = labModel(model);
  const labels = m.info.config.id2label;
  const options = { topK: 1, outputs: LOGITS_ONLY, interpolatePosEncoding: true, zeroPositionEmbeddings };
  const probs = new Float32Array(inputs.length * labels.length);
  const start = performance.now();
  for (const [i, pixels] of inputs.entries()) {
    // The processor's output size may differ from the config's image_size (as in `run`): adapt the positions.
    const { logits } = m.kind === 'vit' ? await m.runPixels(pixels, options) : await m.runPixels(pixels, options);
    if (!logits) throw new ModelError('unsupported', `${models[model]?.spec.name ?? model} has no classification head: the lab compares class probabilities.`);
    probs.set(softmax(logits.data), i * labels.length);
  }
  return { probs: { shape: [inputs.length, labels.length], data: probs }, labels, ms_per_image: (performance.now() - start) / Math.max(1, inputs.length) };
}

async function dispatch(request: Request): Promise<Calls[CallType]['result']> {
  switch (request.type) {
    case 'setBackend': {
      wasmThreads = request.threads;
      backend = await switchBackend(request.backend);
      await reloadAll();
      return backend;
    }
    case 'load':
      return load(request.source, throttledProgress(request.id));
    case 'runText':
      await ensureBackend();
      return runText(request);
    case 'runImage':
      await ensureBackend();
      return runImage(request);
    case 'tokenize':
      return tokenize(request);
    case 'runIds':
      await ensureBackend();
      return runIds(request);
    case 'loadLabCnn':
      return loadLabCnn(request.source);
    case 'preprocess':
      await ensureBackend();
      return preprocess(request);
    case 'runPixels':
      await ensureBackend();
      return runPixels(request);
    case 'cacheInfo':
      return cacheInfo();
    case 'clearCache':
      return clearCache();
    case 'memory':
      return { numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes };
  }
}

/** Runs a request; a run that failed because the WebGL context or WebGPU device died is retried once on WASM. */
async function dispatchWithRecovery(request: Request): Promise<Calls[CallType]['result']> {
  try {
    return await dispatch(request);
  } catch (e) {
    if (runKind(request) === null) throw e;
    if (webglContextLost()) gpuLost = 'the WebGL context was lost';
    else if (!webgpuDeviceLost()) throw e;
    gpuLost ??= 'the WebGPU device was lost';
    await recoverFromGpuLoss();
    return dispatch(request);
  }
}

/** Runs of one kind supersede each other: runText, runImage, runIds per channel, runPixels per model and channel; null for other requests. */
function runKind(request: Request): string | null {
  if (request.type === 'runText' || request.type === 'runImage') return request.type;
  if (request.type === 'runIds') return `runIds:${request.channel}`;
  if (request.type === 'runPixels') return `runPixels:${request.model}:${request.channel}`;
  return null;
}

async function handle(request: Request): Promise<void> {
  const kind = runKind(request);
  const isRun = kind !== null;
  if (isRun && newestRun.get(kind) !== request.id) {
    post({ id: request.id, type: 'error', error: { code: 'superseded', message: 'A newer run replaced this one.' } });
    return;
  }
  try {
    const value = await dispatchWithRecovery(request);
    post({ id: request.id, type: 'ok', value }, isRun ? buffersOf(value) : []);
  } catch (e) {
    post({ id: request.id, type: 'error', error: describeError(e) });
  }
}

/** Appends work to the queue; a failure is logged and never blocks the requests behind it. */
function enqueue(work: () => Promise<void>): void {
  queue = queue.then(work).catch((e: unknown) => console.error('inference worker:', e));
}

self.onmessage = (event: MessageEvent<Request>) => {
  const request = event.data;
  const kind = runKind(request);
  if (kind !== null) newestRun.set(kind, request.id);
  enqueue(() => handle(request));
};
