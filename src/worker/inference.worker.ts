// The inference worker: owns tfjs, the backend and the loaded models (at most one BERT and one
// ViT), so the page stays responsive while a forward pass runs. Requests are handled one at a
// time in arrival order; a run that a newer run of the same kind has overtaken while waiting is
// answered `superseded` instead of being computed.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../models/errors';
import { loadModel, type BertModel, type VitModel } from '../models';
import { fromFiles, fromUrl } from '../models/checkpoint/source';
import type { LoadProgress } from '../models/types';
import { activateBackend, activeWebglCanvas, replaceWebglBackend, webglContextLost } from './backends';
import { cachedFetch, cacheInfo, clearCache } from './cache';
import { toRgba } from './images';
import type {
  BackendChoice,
  BackendStatus,
  CallType,
  Calls,
  LoadedModel,
  ModelSlot,
  ModelSourceSpec,
  Request,
  Response,
  WorkerError,
} from './protocol';

interface Entry {
  model: BertModel | VitModel;
  spec: ModelSourceSpec;
}

const models: Partial<Record<ModelSlot, Entry>> = {};
let backend: BackendStatus | null = null;
let contextLost = false;
const watchedCanvases = new WeakSet<object>();
const newestRun: Partial<Record<CallType, number>> = {};
let queue: Promise<void> = Promise.resolve();

const post = (message: Response, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

class BadInput extends Error {}

function describeError(e: unknown): WorkerError {
  if (e instanceof ModelError) return { code: e.code, message: e.message };
  if (e instanceof BadInput) return { code: 'bad_input', message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message: `Unexpected error in the inference worker: ${message}` };
}

/** Every typed-array buffer in a result, so it moves to the UI thread instead of being copied. */
function buffersOf(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) found.add(value.buffer as ArrayBuffer);
  else if (Array.isArray(value)) for (const v of value) buffersOf(v, found);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) buffersOf(v, found);
  return [...found];
}

/** Work that arrives before any backend was chosen gets the automatic choice. */
async function ensureBackend(): Promise<BackendStatus> {
  backend ??= await switchBackend('auto');
  return backend;
}

async function switchBackend(choice: BackendChoice, failed: string[] = []): Promise<BackendStatus> {
  const status = await activateBackend(choice, failed);
  contextLost = false;
  const canvas = activeWebglCanvas();
  if (canvas && !watchedCanvases.has(canvas)) {
    watchedCanvases.add(canvas);
    canvas.addEventListener('webglcontextlost', () => {
      contextLost = true;
      enqueue(recoverFromContextLoss);
    });
  }
  return status;
}

function sourceOf(spec: ModelSourceSpec) {
  if (spec.type === 'files') return fromFiles(spec.files);
  return fromUrl(spec.baseUrl, spec.cache ? { fetch: cachedFetch } : {});
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

async function load(spec: ModelSourceSpec, onProgress?: (p: LoadProgress) => void): Promise<LoadedModel> {
  await ensureBackend();
  const model = await loadModel(sourceOf(spec), { onProgress });
  if (model.kind === 'cnn') {
    model.dispose();
    throw new ModelError('unsupported', `${spec.name} is a mini-CNN; the app does not show CNNs yet (the CLI runs it).`);
  }
  const slot = model.kind;
  // The previous model is only dropped once the new one is ready, so a failed load loses nothing.
  const previous = models[slot];
  models[slot] = { model, spec };
  previous?.model.dispose();
  return { slot, name: spec.name, info: model.info };
}

/** Models hold their weights on the backend that loaded them: reload them on the new one. */
async function reloadAll(): Promise<LoadedModel[]> {
  const reloaded: LoadedModel[] = [];
  for (const entry of Object.values(models)) reloaded.push(await load(entry.spec));
  return reloaded;
}

async function recoverFromContextLoss(): Promise<void> {
  if (!contextLost) return;
  const requested = backend?.requested ?? 'auto';
  backend = { ...(await switchBackend('wasm', ['the WebGL context was lost'])), requested };
  replaceWebglBackend();
  let message = `The GPU context was lost; switched to ${backend.name.toUpperCase()}.`;
  let reloaded: LoadedModel[] = [];
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

async function runText({ textA, textB, topK }: Calls['runText']['args']): Promise<Calls['runText']['result']> {
  if (typeof textA !== 'string' || textA.trim() === '') throw new BadInput('Sentence A is empty: type some text first.');
  checkTopK(topK);
  const entry = models.bert;
  if (!entry || entry.model.kind !== 'bert') throw new ModelError('not_found', 'No BERT model is loaded yet.');
  return entry.model.run(textA, textB?.trim() ? textB : undefined, { topK });
}

async function runImage({ image, topK }: Calls['runImage']['args']): Promise<Calls['runImage']['result']> {
  checkTopK(topK);
  const entry = models.vit;
  if (!entry || entry.model.kind !== 'vit') throw new ModelError('not_found', 'No ViT model is loaded yet.');
  return entry.model.run(await toRgba(image), { topK });
}

async function dispatch(request: Request): Promise<Calls[CallType]['result']> {
  switch (request.type) {
    case 'setBackend': {
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
    case 'cacheInfo':
      return cacheInfo();
    case 'clearCache':
      return clearCache();
    case 'memory':
      return { numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes };
  }
}

/** Runs a request; a run that failed because the GPU context died is retried once on WASM. */
async function dispatchWithRecovery(request: Request): Promise<Calls[CallType]['result']> {
  try {
    return await dispatch(request);
  } catch (e) {
    const isRun = request.type === 'runText' || request.type === 'runImage';
    if (!isRun || !webglContextLost()) throw e;
    contextLost = true;
    await recoverFromContextLoss();
    return dispatch(request);
  }
}

async function handle(request: Request): Promise<void> {
  const isRun = request.type === 'runText' || request.type === 'runImage';
  if (isRun && newestRun[request.type] !== request.id) {
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
  if (request.type === 'runText' || request.type === 'runImage') newestRun[request.type] = request.id;
  enqueue(() => handle(request));
};
