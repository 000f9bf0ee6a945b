// Promise-based face of the inference worker. The worker (and with it tfjs) is only created on
// first use, so the UI shell renders before any model code is downloaded. A job cannot be
// interrupted inside the worker (a forward pass is one long computation), so stopping one means
// terminating the worker and starting a fresh one (restart); its caller reloads the models.

import type { LoadProgress, NdArray, OutputRequest } from '../models/types';
import type {
  BackendStatus,
  CallType,
  Calls,
  IdsInput,
  ImageInput,
  LabImageModel,
  ModelLoaded,
  ModelSourceSpec,
  Response,
  WasmThreads,
  WorkerError,
  WorkerErrorCode,
} from './protocol';

export class WorkerCallError extends Error {
  readonly code: WorkerErrorCode;

  constructor(error: WorkerError) {
    super(error.message);
    this.name = 'WorkerCallError';
    this.code = error.code;
  }
}

/** True for the rejection of a run that a newer run of the same kind replaced; not worth showing. */
export function isSuperseded(e: unknown): boolean {
  return e instanceof WorkerCallError && e.code === 'superseded';
}

/** True for the rejection of a call that was open when the worker was stopped. */
export function isCancelled(e: unknown): boolean {
  return e instanceof WorkerCallError && e.code === 'cancelled';
}

interface Pending {
  resolve: (value: never) => void;
  reject: (error: Error) => void;
  onProgress?: (p: LoadProgress) => void;
}

export type BackendLostListener = (event: { status: BackendStatus; message: string; reloaded: ModelLoaded[] }) => void;

export class InferenceClient {
  private worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly lostListeners = new Set<BackendLostListener>();
  private nextId = 1;

  constructor() {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'inference' });
    worker.onmessage = (event: MessageEvent<Response>) => this.receive(event.data);
    worker.onerror = (event) => {
      // A crashed worker answers nothing again: fail every open call instead of hanging.
      event.preventDefault();
      this.failAll(new WorkerCallError({ code: 'internal', message: `The inference worker crashed: ${event.message}` }));
    };
    return worker;
  }

  private failAll(error: WorkerCallError): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  /**
   * Stops whatever the worker is doing by terminating it, fails every open call as `cancelled`,
   * and starts a fresh worker: no backend chosen and no model loaded yet.
   */
  restart(): void {
    this.worker.terminate();
    this.failAll(new WorkerCallError({ code: 'cancelled', message: 'Stopped.' }));
    this.worker = this.start();
  }

  setBackend(backend: Calls['setBackend']['args']['backend'], threads: WasmThreads = null): Promise<BackendStatus> {
    return this.call({ type: 'setBackend', backend, threads });
  }

  load(source: ModelSourceSpec, onProgress?: (p: LoadProgress) => void): Promise<ModelLoaded> {
    return this.call({ type: 'load', source }, [], onProgress);
  }

  /** `outputs` picks what comes back (default: attentions and hidden states). */
  runText(textA: string, textB: string | null, topK: number, outputs?: OutputRequest): Promise<Calls['runText']['result']> {
    return this.call({ type: 'runText', textA, textB, topK, outputs });
  }

  /** `image.bytes` is transferred: the caller's ArrayBuffer is detached afterwards. */
  runImage(image: ImageInput, topK: number, outputs?: OutputRequest): Promise<Calls['runImage']['result']> {
    return this.call({ type: 'runImage', image, topK, outputs }, [image.bytes]);
  }

  tokenize(pairs: Calls['tokenize']['args']['pairs']): Promise<Calls['tokenize']['result']> {
    return this.call({ type: 'tokenize', pairs });
  }

  /** Runs BERT on token ids; a newer call on the same `channel` supersedes this one if it has not started. */
  runIds(channel: string, inputs: IdsInput[], topK: number, outputs?: OutputRequest): Promise<Calls['runIds']['result']> {
    return this.call({ type: 'runIds', channel, inputs, topK, outputs });
  }

  loadLabCnn(source: ModelSourceSpec): Promise<Calls['loadLabCnn']['result']> {
    return this.call({ type: 'loadLabCnn', source });
  }

  /** `image.bytes` is transferred: the caller's ArrayBuffer is detached afterwards. */
  preprocess(image: ImageInput, model: LabImageModel): Promise<Calls['preprocess']['result']> {
    return this.call({ type: 'preprocess', image, model }, [image.bytes]);
  }

  /** Class probabilities of `model` for each input; a newer call on the same model and `channel` supersedes this one if it has not started. */
  runPixels(channel: string, model: LabImageModel, inputs: NdArray[], zeroPositionEmbeddings = false): Promise<Calls['runPixels']['result']> {
    return this.call({ type: 'runPixels', channel, model, inputs, zeroPositionEmbeddings });
  }

  cacheInfo(): Promise<Calls['cacheInfo']['result']> {
    return this.call({ type: 'cacheInfo' });
  }

  clearCache(): Promise<Calls['clearCache']['result']> {
    return this.call({ type: 'clearCache' });
  }

  memory(): Promise<Calls['memory']['result']> {
    return this.call({ type: 'memory' });
  }

  onBackendLost(listener: BackendLostListener): () => void {
    this.lostListeners.add(listener);
    return () => this.lostListeners.delete(listener);
  }

  private call<K extends CallType>(
    message: { type: K } & Calls[K]['args'],
    transfer: Transferable[] = [],
    onProgress?: (p: LoadProgress) => void,
  ): Promise<Calls[K]['result']> {
    const id = this.nextId++;
    return new Promise<Calls[K]['result']>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve, reject, onProgress });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  private receive(message: Response): void {
    if (message.type === 'backendLost') {
      for (const listener of this.lostListeners) listener(message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'progress') {
      pending.onProgress?.(message.progress);
      return;
    }
    this.pending.delete(message.id);
    if (message.type === 'ok') pending.resolve(message.value as never);
    else pending.reject(new WorkerCallError(message.error));
  }
}

let client: InferenceClient | null = null;

/** The one worker of this page. */
export function getClient(): InferenceClient {
  client ??= new InferenceClient();
  return client;
}
