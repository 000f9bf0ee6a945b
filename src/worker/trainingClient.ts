// The page's side of the training worker: started on first use, one per page.

import type { TrainingRequest, TrainingResponse } from './trainingProtocol';

export interface TrainingApi {
  send(request: TrainingRequest): void;
  /** Every message from the worker, in order. */
  onMessage(listener: (message: TrainingResponse) => void): void;
}

let worker: Worker | null = null;
const listeners: ((message: TrainingResponse) => void)[] = [];

export function getTrainingClient(): TrainingApi {
  if (!worker) {
    worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module', name: 'training' });
    worker.onmessage = (event: MessageEvent<TrainingResponse>) => listeners.forEach((l) => l(event.data));
    worker.onerror = (event) => {
      event.preventDefault();
      listeners.forEach((l) => l({ type: 'error', message: `The training worker crashed: ${event.message}` }));
    };
  }
  const w = worker;
  return {
    send: (request) => w.postMessage(request),
    onMessage: (listener) => void listeners.push(listener),
  };
}
