// Promise-based face of the analysis worker. Large inputs are shared once per object: calling
// with the same attentions array again sends only a reference.

import type { AnalysisArgs, AnalysisName, AnalysisResult } from '../analysis/tasks';
import type { AnalysisRequest, AnalysisResponse, Ref, WithRefs } from './analysisProtocol';

export class AnalysisClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; retry: () => void }>();
  private readonly refs = new WeakMap<object, number>();
  private nextId = 1;

  constructor() {
    this.worker = new Worker(new URL('./analysis.worker.ts', import.meta.url), { type: 'module', name: 'analysis' });
    this.worker.onmessage = (event: MessageEvent<AnalysisResponse>) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      for (const p of this.pending.values()) p.reject(new Error(`The analysis worker crashed: ${event.message}`));
      this.pending.clear();
    };
  }

  /** A reference to `value` in the worker, sending it only the first time (structured clone, not transfer). */
  share<T extends object>(value: T): Ref {
    let ref = this.refs.get(value);
    if (ref === undefined) {
      ref = this.nextId++;
      this.refs.set(value, ref);
      this.post({ type: 'share', ref, value });
    }
    return { $ref: ref };
  }

  run<K extends AnalysisName>(name: K, args: WithRefs<AnalysisArgs<K>>, resend?: () => WithRefs<AnalysisArgs<K>>): Promise<AnalysisResult<K>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // The worker keeps only recent shared values; a request naming an evicted one is sent again with them.
      const retry = () => {
        this.pending.delete(id);
        if (!resend) return reject(new Error(`analysis ${name}: a shared input is gone`));
        this.run(name, resend()).then(resolve, reject);
      };
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, retry });
      this.post({ type: 'call', id, name, args } as AnalysisRequest);
    });
  }

  /** Sends a shared value again under a new reference (after the worker evicted it). */
  reshare<T extends object>(value: T): Ref {
    this.refs.delete(value);
    return this.share(value);
  }

  private post(message: AnalysisRequest): void {
    this.worker.postMessage(message);
  }

  private receive(message: AnalysisResponse): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    if (message.type === 'error' && message.missingRef) return pending.retry();
    this.pending.delete(message.id);
    if (message.type === 'ok') pending.resolve(message.value);
    else pending.reject(new Error(message.message));
  }
}

let client: AnalysisClient | null = null;

/** The one analysis worker of this page, started on first use. */
export function getAnalysisClient(): AnalysisClient {
  client ??= new AnalysisClient();
  return client;
}
