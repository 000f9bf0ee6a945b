// The analysis worker: runs the pure analyses of src/analysis/tasks.ts off the page's thread, so
// that switching a view or moving a slider never blocks the page while a large rollout or PCA
// runs. Large inputs (every layer's attention) are sent once and then named by reference: a run's
// attentions serve many requests (rollout with other settings, attention distance, ...).

import { ANALYSES } from '../analysis/tasks';
import { isRef, type AnalysisRequest, type AnalysisResponse } from './analysisProtocol';
import { buffersOf } from './transfer';

/** Shared values by id; the oldest go first, as only the latest runs are still on screen. */
const shared = new Map<number, unknown>();
const MAX_SHARED = 8;

class MissingRef extends Error {}

/** `args` with every reference replaced by the value it names. */
function resolve(value: unknown): unknown {
  if (isRef(value)) {
    if (!shared.has(value.$ref)) throw new MissingRef(`shared value ${value.$ref} is gone`);
    return shared.get(value.$ref);
  }
  if (Array.isArray(value)) return value.map(resolve);
  if (value !== null && typeof value === 'object' && !ArrayBuffer.isView(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  }
  return value;
}

const post = (message: AnalysisResponse, transfer: Transferable[] = []) => self.postMessage(message, { transfer });

self.onmessage = (event: MessageEvent<AnalysisRequest>) => {
  const request = event.data;
  if (request.type === 'share') {
    shared.delete(request.ref);
    shared.set(request.ref, request.value);
    while (shared.size > MAX_SHARED) shared.delete(shared.keys().next().value!);
    return;
  }
  if (request.type === 'forget') {
    shared.delete(request.ref);
    return;
  }
  try {
    const run = ANALYSES[request.name] as (args: unknown) => unknown;
    if (!Object.hasOwn(ANALYSES, request.name)) throw new Error(`no analysis named "${String(request.name)}"`);
    const value = run(resolve(request.args));
    // A result can hold views of a shared input (e.g. one layer's rollout); those are copied, never moved.
    const own = buffersOf(value).filter((b) => ![...shared.values()].some((s) => buffersOf(s).includes(b)));
    post({ id: request.id, type: 'ok', value }, own);
  } catch (e) {
    post({ id: request.id, type: 'error', missingRef: e instanceof MissingRef, message: e instanceof Error ? e.message : String(e) });
  }
};
