// The `wasm` backend's matrix products, through our own GEMM (scripts/wasm/gemm.mjs) where it
// applies: plain 2-D products A[M, K] · B[K, N] (+ bias) with N a multiple of 8, which is every
// linear layer of the encoders. Everything else (transposed or batched operands, activations
// fused in, other widths) goes to tfjs-wasm's own kernels, which stay registered underneath.
//
// Why: tfjs-wasm 4.22 runs these products through an XNNPACK built without relaxed SIMD, so a
// multiply-add costs two instructions; with f32x4.relaxed_madd it is one, and the 4×8 kernel runs
// about twice as fast (docs/benchmarks.md). Browsers without relaxed SIMD get the same kernel with
// separate multiplies and adds.
//
// B is packed into the kernel's panel layout the first time it is multiplied by (a weight: at the
// warm-up during load) and the packed copy lives in tfjs-wasm's heap until the tensor's memory is
// released. XNNPACK kept a packed copy of every weight too, so the memory is the same.

import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { GEMM_WASM } from './gemm_binaries';
import { controlBytes, GemmPool, PARALLEL_MIN_MACS, type GemmExports, type GemmJob, type HelperInit } from './gemm_threads';

/** Which GEMM the wasm backend runs: ours with fused multiply-adds, ours with plain SIMD, or XNNPACK alone. */
export type WasmGemmKind = 'fma' | 'simd' | 'xnnpack';

/** The part of tfjs-wasm's Emscripten module we use (its typings leave these out). */
interface Heap {
  _malloc(bytes: number): number;
  _free(offset: number): void;
}

interface GemmState {
  kind: Exclude<WasmGemmKind, 'xnnpack'>;
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: GemmExports;
  heap: Heap;
  /** Helper threads, once started (startWasmGemmHelpers). */
  pool: GemmPool | null;
  /** Packed copies by the dataId of the tensor they were packed from: heap offset. */
  packed: Map<object, number>;
}

const states = new WeakMap<BackendWasm, GemmState | null>();
let lastKind: WasmGemmKind = 'xnnpack';
let replaced = false;

function bytes(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

/** Whether a memory is shared (tfjs-wasm's threaded build), which is what helper threads need. */
function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/** tfjs-wasm's memory: exported by the single-threaded builds, created in JavaScript by the threaded one. */
function heapMemory(backend: BackendWasm): WebAssembly.Memory | null {
  const module = backend.wasm as unknown as { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  return module.wasmMemory ?? module.asm?.memory ?? null;
}

/**
 * Instantiates the GEMM over the backend's heap (synchronously: it runs in a kernel's setup, and the
 * module is a few hundred bytes) and frees packed copies when their tensors' memory is released.
 */
function install(backend: BackendWasm): GemmState | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  const shared = isShared(memory);
  const candidates = [
    { kind: 'fma', binary: bytes(shared ? GEMM_WASM.fmaShared : GEMM_WASM.fma) },
    { kind: 'simd', binary: bytes(shared ? GEMM_WASM.plainShared : GEMM_WASM.plain) },
  ] as const;
  const chosen = candidates.find((c) => WebAssembly.validate(c.binary));
  if (!chosen) return null;
  const module = new WebAssembly.Module(chosen.binary);
  const instance = new WebAssembly.Instance(module, { env: { memory } });
  const state: GemmState = {
    kind: chosen.kind,
    module,
    memory,
    exports: instance.exports as unknown as GemmExports,
    heap: backend.wasm as unknown as Heap,
    packed: new Map(),
    pool: null,
  };

  // The one place tfjs-wasm releases a tensor's memory, whoever disposes it (tensor, tidy, backend switch).
  const disposeData = backend.disposeData.bind(backend);
  backend.disposeData = (dataId: object, force?: boolean) => {
    const released = disposeData(dataId, force);
    const packed = state.packed.get(dataId);
    if (released && packed !== undefined) {
      state.heap._free(packed);
      state.packed.delete(dataId);
    }
    return released;
  };
  return state;
}

function stateOf(backend: BackendWasm): GemmState | null {
  if (!states.has(backend)) states.set(backend, install(backend));
  return states.get(backend)!;
}

/**
 * The product by our GEMM, or null where it does not apply. Operands come as tfjs-core passes them:
 * rank 3 from fused.matMul (every `linear`), rank 2 from matMul. The latter (the attention's
 * activation-by-activation products QKᵀ and PV) stay with XNNPACK: through our kernel their
 * rounding moved one of DistilBERT's MLM logits (tests/fixtures/models/distilbert-tiny) just past the
 * parity tolerance, and they are 4 % of a forward.
 */
function gemm(
  backend: BackendWasm,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias: tf.TensorInfo | undefined,
  attrs: { transposeA: boolean; transposeB: boolean; activation?: string },
): tf.TensorInfo | null {
  const state = stateOf(backend);
  if (!state || attrs.transposeA || attrs.transposeB || (attrs.activation ?? 'linear') !== 'linear') return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== 3 || b.shape.length !== 3) return null;
  const [batchA, M, K] = a.shape as [number, number, number];
  const [batchB, , N] = b.shape as [number, number, number];
  if (batchA !== 1 || batchB !== 1 || N % 8 !== 0 || M === 0 || K === 0 || N === 0) return null;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== N)) return null;

  const packed = packedOffset(state, backend, b.dataId, K, N);
  const out = backend.makeOutput([1, M, N], 'float32');
  const args = [backend.getMemoryOffset(a.dataId), packed, bias ? backend.getMemoryOffset(bias.dataId) : 0, backend.getMemoryOffset(out.dataId), M, K, N] as const;
  if (state.pool && M * K * N >= PARALLEL_MIN_MACS) state.pool.gemm(state.exports, ...args);
  else state.exports.gemm(...args, 0, N);
  return out;
}

/** Where B [K, N] is packed, packing it on first use. */
function packedOffset(state: GemmState, backend: BackendWasm, b: object, K: number, N: number): number {
  let packed = state.packed.get(b);
  if (packed === undefined) {
    packed = state.heap._malloc(K * N * 4);
    state.exports.pack(backend.getMemoryOffset(b), packed, K, N);
    state.packed.set(b, packed);
  }
  return packed;
}

/**
 * a·b + bias for several 2-D products at once, e.g. an attention layer's per-head projections: one
 * request to the helper threads instead of one per product (each too small to split well), and no
 * tfjs op per product. Each result has the same bits as `linear` (tf.fused.matMul) gives on this
 * backend. Null where our GEMM does not run (another backend, a width it does not take):
 * the caller then multiplies one by one.
 */
export function wasmMatMuls(products: { a: tf.Tensor2D; b: tf.Tensor2D; bias?: tf.Tensor1D | null }[]): tf.Tensor2D[] | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as BackendWasm;
  const state = stateOf(backend);
  const fits = products.every(
    ({ a, b, bias }) =>
      a.dtype === 'float32' &&
      b.dtype === 'float32' &&
      a.shape[0] > 0 &&
      a.shape[1] > 0 &&
      b.shape[0] === a.shape[1] &&
      b.shape[1] % 8 === 0 &&
      (!bias || (bias.dtype === 'float32' && bias.shape[0] === b.shape[1])),
  );
  if (!state || !fits) return null;
  const outputs = products.map(({ a, b }) => backend.makeOutput([a.shape[0], b.shape[1]], 'float32'));
  const jobs = products.map(({ a, b, bias }, i): GemmJob => {
    const [[M, K], N] = [a.shape, b.shape[1]];
    const packed = packedOffset(state, backend, b.dataId, K, N);
    return [backend.getMemoryOffset(a.dataId), packed, bias ? backend.getMemoryOffset(bias.dataId) : 0, backend.getMemoryOffset(outputs[i].dataId), M, K, N, 0, N];
  });
  const macs = jobs.reduce((sum, job) => sum + job[4] * job[5] * job[6], 0);
  if (state.pool && macs >= PARALLEL_MIN_MACS) state.pool.batch(state.exports, jobs);
  else for (const job of jobs) state.exports.gemm(...job);
  return outputs.map((info) => tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor2D);
}

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Puts our GEMM in front of tfjs-wasm's BatchMatMul and _FusedMatMul. Call once, before the wasm backend initialises. */
export function replaceWasmMatMul(): void {
  if (replaced) return;
  replaced = true;
  for (const name of [tf.BatchMatMul, tf._FusedMatMul]) {
    const original = tf.getKernel(name, 'wasm');
    if (!original) throw new Error(`tfjs-backend-wasm has no ${name} kernel to put the GEMM in front of`);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      setupFunc: (backend) => {
        original.setupFunc?.(backend);
        lastKind = stateOf(backend as BackendWasm)?.kind ?? 'xnnpack';
      },
      kernelFunc: (args: KernelArgs) => {
        const { a, b, bias } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
        const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string };
        return gemm(args.backend as BackendWasm, a, b, bias, attrs) ?? original.kernelFunc(args);
      },
    });
  }
}

/** The GEMM the most recently initialised wasm backend runs, for the backend badge. */
export function wasmGemmKind(): WasmGemmKind {
  return lastKind;
}

/** Whether this engine can run our GEMM at all (WebAssembly SIMD); the wasm backend then uses it. */
export function wasmGemmSupported(): boolean {
  return WebAssembly.validate(bytes(GEMM_WASM.plain));
}

/** A started helper thread. */
export interface GemmHelper {
  terminate(): void;
}

/**
 * Starts `count` helper threads for the active wasm backend's GEMM, each made by `spawn` (a worker
 * that runs gemm_threads.helperLoop on the init it is given, resolving once the loop is ready).
 * Needs tfjs-wasm's threaded build (a shared memory); returns the helpers started, or throws why none.
 */
export async function startWasmGemmHelpers(count: number, spawn: (init: HelperInit) => Promise<GemmHelper>): Promise<GemmHelper[]> {
  const state = tf.getBackend() === 'wasm' ? stateOf(tf.backend() as BackendWasm) : null;
  if (!state) throw new Error('the wasm backend runs no GEMM of ours');
  if (state.pool) throw new Error('GEMM helpers already started');
  if (!isShared(state.memory)) {
    throw new Error("tfjs-wasm's memory is not shared (single-threaded build)");
  }
  const control = state.heap._malloc(controlBytes(count));
  new Uint8Array(state.memory.buffer, control, controlBytes(count)).fill(0);
  const started = await Promise.allSettled(
    Array.from({ length: count }, (_, index) => spawn({ memory: state.memory, module: state.module, control, index })),
  );
  const helpers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure) {
    for (const h of helpers) h.terminate();
    state.heap._free(control);
    throw failure.reason instanceof Error ? failure.reason : new Error(String(failure.reason));
  }
  state.pool = new GemmPool(state.memory, control, count);
  return helpers;
}

/** Threads the active wasm backend's GEMM runs on (1 without helpers). */
export function wasmGemmThreads(): number {
  const state = tf.getBackend() === 'wasm' ? states.get(tf.backend() as BackendWasm) : null;
  return state?.pool ? state.pool.helpers + 1 : 1;
}

/** How many packed copies of right-hand operands the wasm backend holds (tests check they are freed). */
export function wasmGemmPackedCount(backend: tf.KernelBackend): number {
  return states.get(backend as BackendWasm)?.packed.size ?? 0;
}
