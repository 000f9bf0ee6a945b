// onnxruntime-web (WASM execution provider, the engine under transformers.js) in its own worker, as
// the app runs tfjs in its own: it loads an ONNX model and runs it on the inputs the page sends,
// handing every output back. onnxruntime-web is loaded unbundled from /ort/ (the package's dist
// folder, served by bench/browser/run.ts), which is how it fetches its own .mjs/.wasm files.

import type * as Ort from 'onnxruntime-web';

export interface Feed {
  type: 'int64' | 'float32';
  data: number[] | Float32Array;
  dims: number[];
}

export type OrtCall =
  | { type: 'init'; threads: number }
  | { type: 'load'; url: string }
  | { type: 'run'; feeds: Record<string, Feed> }
  | { type: 'release' };

export type OrtRequest = OrtCall & { id: number };

export interface OrtOutputs {
  /** session.run alone, inside this worker. */
  run_ms: number;
  outputs: Record<string, { dims: number[]; data: Float32Array }>;
}

export type OrtResponse = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

let ort: typeof Ort | null = null;
let session: Ort.InferenceSession | null = null;

async function init(threads: number): Promise<string> {
  ort = (await import(/* @vite-ignore */ `${self.location.origin}/ort/ort.wasm.min.mjs`)) as typeof Ort;
  ort.env.wasm.wasmPaths = `${self.location.origin}/ort/`;
  ort.env.wasm.numThreads = threads;
  return `onnxruntime-web ${ort.env.versions.web}, ${threads} thread${threads === 1 ? '' : 's'}`;
}

async function run(feeds: Record<string, Feed>): Promise<OrtOutputs> {
  if (!ort || !session) throw new Error('no ONNX model loaded');
  const inputs: Record<string, Ort.Tensor> = {};
  for (const [name, { type, data, dims }] of Object.entries(feeds)) {
    inputs[name] =
      type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(data as number[], (v) => BigInt(v)), dims)
        : new ort.Tensor('float32', data, dims);
  }
  const start = performance.now();
  const results = await session.run(inputs);
  const run_ms = performance.now() - start;
  const outputs: OrtOutputs['outputs'] = {};
  for (const [name, tensor] of Object.entries(results)) outputs[name] = { dims: [...tensor.dims], data: tensor.data as Float32Array };
  return { run_ms, outputs };
}

async function handle(request: OrtRequest): Promise<unknown> {
  switch (request.type) {
    case 'init':
      return init(request.threads);
    case 'load':
      if (!ort) throw new Error('init first');
      await session?.release();
      session = await ort.InferenceSession.create(request.url, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
      return null;
    case 'run':
      return run(request.feeds);
    case 'release':
      await session?.release();
      session = null;
      return null;
  }
}

self.onmessage = async (event: MessageEvent<OrtRequest>) => {
  const { id } = event.data;
  try {
    const value = await handle(event.data);
    const transfer = event.data.type === 'run' ? Object.values((value as OrtOutputs).outputs).map((o) => o.data.buffer as ArrayBuffer) : [];
    self.postMessage({ id, ok: true, value } satisfies OrtResponse, { transfer });
  } catch (e) {
    self.postMessage({ id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies OrtResponse);
  }
};
