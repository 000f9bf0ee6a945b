// Which tfjs backend runs the model, and why. The GPU backends only pay off on a real GPU: on a
// software implementation (SwiftShader, llvmpipe) they are slower than WASM, so "auto" picks WebGPU
// when the browser offers a hardware adapter, else WebGL on a hardware renderer, else WASM, with CPU
// as the last resort. Every attempt has a timeout, because a backend that never finishes
// initialising must not freeze the app.

import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { setBackend } from '../models/backend';
import { startWasmGemmHelpers, wasmGemmKind, wasmGemmSupported, wasmGemmThreads, type GemmHelper } from '../models/wasm/gemm';
import type { HelperInit } from '../models/wasm/gemm_threads';
import type { BackendChoice, BackendName, BackendStatus, WasmThreads } from './protocol';

// Vite emits the binaries as hashed assets; tell tfjs where they ended up.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

const INIT_TIMEOUT_MS = 15_000;

/** tfjs-wasm starts eight pthread workers; its thread pool never uses more. */
const MAX_WASM_THREADS = 8;

/**
 * The thread count used when the page does not ask for one. tfjs-wasm would take
 * hardwareConcurrency / 2 (it assumes two hyperthreads per core), which on a 2- or 4-core machine
 * leaves cores idle that a forward pass can use; above four logical cores we keep its halving.
 */
function defaultWasmThreads(logicalCores: number): number {
  const threads = logicalCores <= 4 ? logicalCores : Math.floor(logicalCores / 2);
  return Math.min(Math.max(threads, 1), MAX_WASM_THREADS);
}

/**
 * Starts the WASM backend with `threads` threads. Where our GEMM runs (WebAssembly SIMD), the
 * threads are its own helpers and tfjs-wasm keeps one: the matrix products are nearly all the
 * work, and XNNPACK's pool, spinning idle beside the helpers, only takes their cores away (on two
 * cores, 2 threads gave 1.08x over one with both pools, see docs/benchmarks.md). Otherwise tfjs-wasm
 * gets the threads; it sizes its pool once, as it starts, to min(setThreadsCount,
 * navigator.hardwareConcurrency / 2, 8): to go past the halving, navigator reports twice the
 * requested count while the module starts, and its real value right after.
 */
async function startWasm(threads: number): Promise<void> {
  const ownGemm = wasmGemmSupported();
  const xnnpackThreads = ownGemm ? 1 : threads;
  setThreadsCount(xnnpackThreads);
  const reported = navigator.hardwareConcurrency;
  Object.defineProperty(navigator, 'hardwareConcurrency', { value: Math.max(reported, 2 * xnnpackThreads), configurable: true });
  try {
    await setBackend('wasm', { timeoutMs: INIT_TIMEOUT_MS });
  } finally {
    delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
  requestedWasmThreads = threads;
  if (ownGemm && threads > 1 && wasmGemmThreads() === 1) {
    try {
      await startWasmGemmHelpers(threads - 1, spawnGemmHelper);
      gemmHelperProblem = null;
    } catch (e) {
      gemmHelperProblem = (e as Error).message;
    }
  }
}

/** The thread count the WASM backend was started with (tfjs-wasm cannot resize its pool later). */
let requestedWasmThreads = 1;

/** Why the GEMM runs on fewer threads than asked for, for the badge; null when it does not. */
let gemmHelperProblem: string | null = null;

const HELPER_START_TIMEOUT_MS = 10_000;

/** A GEMM helper in a worker of its own, resolved once its loop runs. */
function spawnGemmHelper(init: HelperInit): Promise<GemmHelper> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./gemm_helper.worker.ts', import.meta.url), { type: 'module', name: `GEMM helper ${init.index + 1}` });
    const fail = (why: string) => {
      clearTimeout(timer);
      worker.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`a GEMM helper did not start within ${HELPER_START_TIMEOUT_MS / 1000} s`), HELPER_START_TIMEOUT_MS);
    worker.onmessage = () => {
      clearTimeout(timer);
      resolve(worker);
    };
    worker.onerror = (e) => fail(`a GEMM helper failed to start (${e.message || 'worker error'})`);
    worker.postMessage(init);
  });
}

function wasmThreadCount(requested: WasmThreads): number {
  const threads = requested ?? defaultWasmThreads(navigator.hardwareConcurrency || 1);
  return Math.min(Math.max(Math.round(threads), 1), MAX_WASM_THREADS);
}

export interface WebglProbe {
  renderer: string;
  hardware: boolean;
}

/** Renderer of a throwaway WebGL context in this worker, or null when WebGL is unavailable. */
export function probeWebgl(): WebglProbe | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const canvas = new OffscreenCanvas(1, 1);
  const gl = canvas.getContext('webgl2') ?? canvas.getContext('webgl');
  if (!gl) return null;
  const debugInfo = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(debugInfo ? debugInfo.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  const software = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
  return { renderer, hardware: !software };
}

export interface WebgpuProbe {
  /** Vendor and architecture as the adapter reports them, e.g. "nvidia ampere" or "google swiftshader". */
  adapter: string;
  hardware: boolean;
  /** Why there is no adapter, when there is none. */
  missing: string | null;
}

/** The adapter WebGPU would run on here; `missing` says why there is none. */
export async function probeWebgpu(): Promise<WebgpuProbe> {
  const none = (missing: string) => ({ adapter: '', hardware: false, missing });
  if (!('gpu' in navigator)) return none('this browser has no WebGPU (navigator.gpu)');
  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter();
  } catch (e) {
    return none(`WebGPU gave no adapter (${(e as Error).message})`);
  }
  if (!adapter) return none('WebGPU gave no adapter');
  const { vendor, architecture, isFallbackAdapter } = adapter.info;
  const name = [vendor, architecture].filter(Boolean).join(' ') || 'unknown adapter';
  return { adapter: name, hardware: !isFallbackAdapter && !/swiftshader|llvmpipe|software/i.test(name), missing: null };
}

async function describe(name: BackendName, webgl: WebglProbe | null, webgpu: WebgpuProbe): Promise<Pick<BackendStatus, 'precision' | 'details'>> {
  if (name === 'webgpu') return { precision: 'float32', details: `WebGPU on ${webgpu.adapter}${webgpu.hardware ? '' : ' (software)'}` };
  if (name === 'webgl') {
    const float32 = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
    return {
      precision: float32 ? 'float32' : 'float16 (this GPU cannot render to float32 textures)',
      details: `WebGL ${tf.env().getNumber('WEBGL_VERSION')} on ${webgl?.renderer ?? 'unknown renderer'}`,
    };
  }
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    const gemm = wasmGemmKind();
    const threads = !threaded ? 1 : gemm === 'xnnpack' ? getThreadsCount() : wasmGemmThreads();
    const cores = navigator.hardwareConcurrency;
    const why = !crossOriginIsolated
      ? 'page not cross-origin isolated, so no threads'
      : !threaded
        ? 'this browser has no WebAssembly threads'
        : gemmHelperProblem && threads < requestedWasmThreads
          ? `asked for ${requestedWasmThreads}, but ${gemmHelperProblem}`
          : `${cores} logical core${cores === 1 ? '' : 's'}; ?threads=N changes it`;
    const instructions = !simd ? 'no SIMD' : gemm === 'fma' ? 'relaxed SIMD (fused multiply-add)' : 'SIMD';
    return { precision: 'float32', details: `${instructions}, ${threads} thread${threads === 1 ? '' : 's'} (${why})` };
  }
  return { precision: 'float32', details: 'plain JavaScript' };
}

/** The order in which to try backends for a choice, each with the reason it is tried. */
function plan(choice: BackendChoice, webgl: WebglProbe | null, webgpu: WebgpuProbe): { name: BackendName; reason: string }[] {
  const wasm = { name: 'wasm' as const, reason: 'WebAssembly' };
  const cpu = { name: 'cpu' as const, reason: 'plain JavaScript, the last resort' };
  if (choice === 'webgpu') return [{ name: 'webgpu', reason: 'chosen by you' }, wasm, cpu];
  if (choice === 'webgl') return [{ name: 'webgl', reason: 'chosen by you' }, wasm, cpu];
  if (choice === 'wasm') return [{ name: 'wasm', reason: 'chosen by you' }, cpu];
  if (choice === 'cpu') return [{ name: 'cpu', reason: 'chosen by you' }];
  const webglStep = { name: 'webgl' as const, reason: `hardware GPU (${webgl?.renderer})` };
  if (webgpu.hardware) return [{ name: 'webgpu', reason: `hardware GPU (${webgpu.adapter})` }, ...(webgl?.hardware ? [webglStep] : []), wasm, cpu];
  if (webgl?.hardware) return [webglStep, wasm, cpu];
  const why = [
    webgpu.missing ?? `WebGPU runs in software (${webgpu.adapter}), slower than WASM`,
    webgl ? `WebGL renders in software (${webgl.renderer}), slower than WASM` : 'WebGL is not available',
  ];
  return [{ name: 'wasm', reason: why.join('; ') }, cpu];
}

/**
 * Activates the first backend of the plan that initialises in time; `failed` explains skipped ones.
 * `threads` only counts when WASM starts for the first time: tfjs-wasm cannot resize its pool.
 */
export async function activateBackend(choice: BackendChoice, failed: string[] = [], threads: WasmThreads = null): Promise<BackendStatus> {
  const webgl = probeWebgl();
  const webgpu = await probeWebgpu();
  const notes = [...failed];
  for (const { name, reason } of plan(choice, webgl, webgpu)) {
    if (name === 'webgl' && !webgl) {
      notes.push('WebGL is not available');
      continue;
    }
    if (name === 'webgpu' && webgpu.missing) {
      notes.push(webgpu.missing);
      continue;
    }
    if (name === 'webgpu' && webgpuLost) {
      notes.push(`${webgpuLost}; reload the page to use WebGPU again`);
      continue;
    }
    try {
      if (name === 'wasm') await startWasm(wasmThreadCount(threads));
      else await setBackend(name, { timeoutMs: INIT_TIMEOUT_MS });
    } catch (e) {
      notes.push(`${name} failed (${(e as Error).message})`);
      continue;
    }
    const because = notes.length > 0 ? `fallback: ${notes.join('; ')}` : reason;
    return { name, requested: choice, reason: because, ...(await describe(name, webgl, webgpu)) };
  }
  throw new Error(`No tfjs backend could start: ${notes.join('; ')}`);
}

function activeWebglContext(): WebGLRenderingContext | null {
  if (tf.getBackend() !== 'webgl') return null;
  const backend = tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } };
  return backend.gpgpu?.gl ?? null;
}

/** The canvas behind the active WebGL backend, to watch for context loss. */
export function activeWebglCanvas(): OffscreenCanvas | HTMLCanvasElement | null {
  return activeWebglContext()?.canvas ?? null;
}

export function webglContextLost(): boolean {
  return activeWebglContext()?.isContextLost() ?? false;
}

/** The device behind the active WebGPU backend, to watch for loss. */
export function activeWebgpuDevice(): GPUDevice | null {
  if (tf.getBackend() !== 'webgpu') return null;
  return (tf.backend() as unknown as { device?: GPUDevice }).device ?? null;
}

/**
 * Why WebGPU cannot be used again in this page, once its device was lost: tfjs builds its WebGPU
 * backend (and device) once per registration, and only a reload registers it afresh.
 */
let webgpuLost: string | null = null;

export function markWebgpuLost(why: string): void {
  webgpuLost = why;
}

export function webgpuDeviceLost(): boolean {
  return webgpuLost !== null && tf.getBackend() === 'webgpu';
}

/**
 * A lost WebGL context never comes back, and tfjs would keep handing out the backend built on
 * it. Replacing the backend instance lets a later choice of WebGL start on a fresh context.
 */
export function replaceWebglBackend(): void {
  tf.removeBackend('webgl');
  tf.registerBackend('webgl', () => new MathBackendWebGL(), 2);
}
