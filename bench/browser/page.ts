// Browser side of the benchmark (bench/browser/run.ts drives it): the app's own inference worker,
// exactly as the app uses it (its client, its backend setup, its read-back), next to
// onnxruntime-web in a worker of its own. The page times one run of either engine on request, and
// checks once per model that both compute the same numbers.

import { logSoftmax, softmax } from '../../src/models/shared/math';
import { full, type BertOutput, type NdArray, type VitOutput } from '../../src/models/types';
import { InferenceClient } from '../../src/worker/client';
import type { BackendStatus } from '../../src/worker/protocol';
import type { Feed, OrtCall, OrtOutputs, OrtRequest, OrtResponse } from './ort.worker';

/** One entry of bench/.models/cases.json (written by bench/browser/models.py). */
export interface BenchCase {
  name: string;
  kind: 'bert' | 'vit';
  /** URL path of the checkpoint folder. */
  checkpoint: string;
  /** File name under /bench-models/. */
  onnx: string;
  text?: string;
  input_ids?: number[];
  token_type_ids?: number[];
  mask_positions?: number[];
  /** Image file under /bench-models/. */
  image?: string;
}

export interface RunTiming {
  /** Round trip from the page: post the input, get every output back. */
  ms: number;
  /** Inside the worker: the app's forward + read-back, or ORT's session.run. */
  inner_ms: number;
}

export interface Agreement {
  compared: number;
  values: number;
  max_abs: number;
  worst: string;
  /** Largest |app − ORT| / (1e-5 + 1e-4·|ORT|): at most 1 passes the project's parity criterion. */
  worst_ratio: number;
}

const TOPK = 5;
const threads = Number(new URLSearchParams(location.search).get('threads') ?? '1');
const app = new InferenceClient();
const ortWorker = new Worker(new URL('./ort.worker.ts', import.meta.url), { type: 'module', name: 'ort' });

let nextId = 1;
const pending = new Map<number, (r: OrtResponse) => void>();
ortWorker.onmessage = (event: MessageEvent<OrtResponse>) => pending.get(event.data.id)?.(event.data);

function callOrt<T>(request: OrtCall): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    pending.set(id, (r) => {
      pending.delete(id);
      if (r.ok) resolve(r.value as T);
      else reject(new Error(`onnxruntime-web: ${r.error}`));
    });
    ortWorker.postMessage({ ...request, id } satisfies OrtRequest);
  });
}

let current: BenchCase | null = null;
let imageBytes: ArrayBuffer | null = null;
/** ORT's inputs, taken from what the app computed (its tokenizer's ids, its processor's pixels). */
let feeds: Record<string, Feed> | null = null;
/** The app's first run after loading, which ORT's first run is compared with. */
let firstOutput: BertOutput | VitOutput | null = null;

async function start(): Promise<{ app: BackendStatus; ort: string; crossOriginIsolated: boolean; hardwareConcurrency: number }> {
  const status = await app.setBackend('wasm', threads);
  const ort = await callOrt<string>({ type: 'init', threads });
  return { app: status, ort, crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency };
}

async function loadApp(c: BenchCase): Promise<RunTiming> {
  current = c;
  feeds = null;
  firstOutput = null;
  imageBytes = c.image ? await (await fetch(`/bench-models/${c.image}`)).arrayBuffer() : null;
  const start = performance.now();
  await app.load({ type: 'url', name: c.name, baseUrl: c.checkpoint, cache: false });
  const ms = performance.now() - start;
  return { ms, inner_ms: ms };
}

async function loadOrt(): Promise<RunTiming> {
  const start = performance.now();
  await callOrt({ type: 'load', url: `/bench-models/${current!.onnx}` });
  const ms = performance.now() - start;
  return { ms, inner_ms: ms };
}

function runAppOnce(): Promise<BertOutput | VitOutput> {
  const c = current!;
  if (c.kind === 'bert') return app.runText(c.text!, null, TOPK);
  return app.runImage({ type: 'encoded', bytes: imageBytes!.slice(0), fileName: c.image! }, TOPK);
}

async function runApp(): Promise<RunTiming> {
  const start = performance.now();
  const out = await runAppOnce();
  const ms = performance.now() - start;
  return { ms, inner_ms: out.timings.forward_ms + out.timings.readback_ms };
}

async function runOrtOnce(): Promise<{ ms: number; result: OrtOutputs }> {
  const start = performance.now();
  const result = await callOrt<OrtOutputs>({ type: 'run', feeds: feeds! });
  return { ms: performance.now() - start, result };
}

async function runOrt(): Promise<RunTiming> {
  const { ms, result } = await runOrtOnce();
  return { ms, inner_ms: result.run_ms };
}

/** App output → the ORT output names (those of scripts/reference), MLM/NSP compared as the app reports them. */
function pairs(run: BertOutput | VitOutput, ort: OrtOutputs['outputs']): [string, NdArray | Float32Array, Float32Array][] {
  // The benchmark runs with the default outputs, as the workspaces do.
  const out = full(run);
  const list: [string, NdArray | Float32Array, Float32Array][] = [];
  const add = (name: string, mine: NdArray | Float32Array, theirs: Float32Array = ort[name].data) => list.push([name, mine, theirs]);
  out.hidden_states.forEach((h, l) => add(`hidden_states.${l}`, h));
  out.attentions.forEach((a, l) => add(`attentions.${l}`, a));
  if (out.model === 'bert') {
    add('embeddings.word', out.embeddings.word);
    add('embeddings.position', out.embeddings.position);
    if (out.embeddings.token_type) add('embeddings.token_type', out.embeddings.token_type);
    if (out.pooler_output) add('pooler_output', out.pooler_output);
    const logits = ort.prediction_logits;
    out.mlm?.forEach((m, j) => {
      const V = logits.dims[1];
      add(`log_softmax(prediction_logits[${j}])`, m.log_probs, logSoftmax(logits.data.subarray(j * V, (j + 1) * V)));
    });
    if (out.nsp) add('softmax(seq_relationship_logits)', Float32Array.of(out.nsp.is_next, out.nsp.not_next), softmax(ort.seq_relationship_logits.data));
  } else {
    add('last_hidden_state', out.last_hidden_state);
    if (out.logits) add('logits', out.logits);
  }
  return list;
}

/** The app's first run after loading (timed: it includes any one-time work left after loading); its inputs become ORT's. */
async function firstApp(): Promise<RunTiming> {
  const c = current!;
  const start = performance.now();
  const out = await runAppOnce();
  const ms = performance.now() - start;
  if (out.model === 'bert') {
    const ids = out.encoding.input_ids;
    if (ids.join() !== c.input_ids!.join()) throw new Error(`${c.name}: the app's tokenizer gave other ids than the Python reference`);
    feeds = {
      input_ids: { type: 'int64', data: ids, dims: [ids.length] },
      token_type_ids: { type: 'int64', data: out.encoding.token_type_ids, dims: [ids.length] },
      mask_positions: { type: 'int64', data: c.mask_positions!, dims: [c.mask_positions!.length] },
    };
  } else {
    feeds = { pixel_values: { type: 'float32', data: out.pixel_values.data.slice(), dims: out.pixel_values.shape } };
  }
  firstOutput = out;
  return { ms, inner_ms: out.timings.forward_ms + out.timings.readback_ms };
}

/** ORT's first run (timed likewise), and every output the app shows compared with the app's first run. */
async function firstOrt(): Promise<RunTiming & { agreement: Agreement }> {
  const c = current!;
  const { ms, result } = await runOrtOnce();
  const agreement: Agreement = { compared: 0, values: 0, max_abs: 0, worst: '', worst_ratio: 0 };
  for (const [name, mine, theirs] of pairs(firstOutput!, result.outputs)) {
    const data = mine instanceof Float32Array ? mine : mine.data;
    if (data.length !== theirs.length) throw new Error(`${c.name}: ${name} has ${data.length} values in the app, ${theirs.length} in ORT`);
    for (let i = 0; i < data.length; i++) {
      const diff = Math.abs(data[i] - theirs[i]);
      if (!Number.isFinite(diff)) throw new Error(`${c.name}: ${name}[${i}] is ${data[i]} in the app and ${theirs[i]} in ORT`);
      const ratio = diff / (1e-5 + 1e-4 * Math.abs(theirs[i]));
      if (ratio > agreement.worst_ratio) {
        agreement.worst_ratio = ratio;
        agreement.worst = `${name}[${i}]`;
      }
      agreement.max_abs = Math.max(agreement.max_abs, diff);
    }
    agreement.compared++;
    agreement.values += data.length;
  }
  return { ms, inner_ms: result.run_ms, agreement };
}

async function unload(): Promise<void> {
  await callOrt({ type: 'release' });
}

interface MemoryBreakdown {
  bytes: number;
  breakdown: { bytes: number; attribution: { url: string; scope: string }[] }[];
}

/**
 * Memory as the browser attributes it (JavaScript heaps and WebAssembly memories, after a GC): the
 * app's (its inference worker, with the GEMM helpers that share its WebAssembly memory), onnxruntime-web's
 * (its worker and the threads it starts), and the rest (this page, the analysis worker).
 */
async function memory(): Promise<{ app: number; ort: number; other: number }> {
  const measured = await (performance as unknown as { measureUserAgentSpecificMemory(): Promise<MemoryBreakdown> }).measureUserAgentSpecificMemory();
  const out = { app: 0, ort: 0, other: 0 };
  for (const { bytes, attribution } of measured.breakdown) {
    const urls = attribution.map((a) => a.url).join(' ');
    out[/inference|gemm_helper/.test(urls) ? 'app' : /ort/.test(urls) ? 'ort' : 'other'] += bytes;
  }
  return out;
}

const bench = { start, loadApp, loadOrt, firstApp, firstOrt, runApp, runOrt, memory, unload };
export type Bench = typeof bench;

declare global {
  interface Window {
    bench: Bench;
  }
}

window.bench = bench;
