// Which tfjs backend runs the model, and why. WebGL only pays off on a real GPU: on a software
// rasteriser (SwiftShader, llvmpipe) it is slower than WASM and only float32-emulating, so "auto"
// picks WebGL for hardware renderers and WASM otherwise, with CPU as the last resort. Every
// attempt has a timeout, because a backend that never finishes initialising must not freeze the app.

import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { setBackend } from '../models/backend';
import type { BackendChoice, BackendName, BackendStatus } from './protocol';

// Vite emits the binaries as hashed assets; tell tfjs where they ended up.
setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
});

const INIT_TIMEOUT_MS = 15_000;

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

async function describe(name: BackendName, webgl: WebglProbe | null): Promise<Pick<BackendStatus, 'precision' | 'details'>> {
  if (name === 'webgl') {
    const float32 = tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED');
    return {
      precision: float32 ? 'float32' : 'float16 (this GPU cannot render to float32 textures)',
      details: `WebGL ${tf.env().getNumber('WEBGL_VERSION')} on ${webgl?.renderer ?? 'unknown renderer'}`,
    };
  }
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) ? getThreadsCount() : 1;
    const isolation = crossOriginIsolated ? '' : ' (page not cross-origin isolated, so no threads)';
    return { precision: 'float32', details: `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}${isolation}` };
  }
  return { precision: 'float32', details: 'plain JavaScript' };
}

/** The order in which to try backends for a choice, each with the reason it is tried. */
function plan(choice: BackendChoice, webgl: WebglProbe | null): { name: BackendName; reason: string }[] {
  const wasm = { name: 'wasm' as const, reason: 'WebAssembly' };
  const cpu = { name: 'cpu' as const, reason: 'plain JavaScript, the last resort' };
  if (choice === 'webgl') return [{ name: 'webgl', reason: 'chosen by you' }, wasm, cpu];
  if (choice === 'wasm') return [{ name: 'wasm', reason: 'chosen by you' }, cpu];
  if (choice === 'cpu') return [{ name: 'cpu', reason: 'chosen by you' }];
  if (webgl?.hardware) return [{ name: 'webgl', reason: `hardware GPU (${webgl.renderer})` }, wasm, cpu];
  const why = webgl ? `WebGL renders in software (${webgl.renderer}), slower than WASM` : 'WebGL is not available';
  return [{ name: 'wasm', reason: why }, cpu];
}

/** Activates the first backend of the plan that initialises in time; `failed` explains skipped ones. */
export async function activateBackend(choice: BackendChoice, failed: string[] = []): Promise<BackendStatus> {
  const webgl = probeWebgl();
  const notes = [...failed];
  for (const { name, reason } of plan(choice, webgl)) {
    if (name === 'webgl' && !webgl) {
      notes.push('WebGL is not available');
      continue;
    }
    try {
      await setBackend(name, { timeoutMs: INIT_TIMEOUT_MS });
    } catch (e) {
      notes.push(`${name} failed (${(e as Error).message})`);
      continue;
    }
    const because = notes.length > 0 ? `fallback: ${notes.join('; ')}` : reason;
    return { name, requested: choice, reason: because, ...(await describe(name, webgl)) };
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

/**
 * A lost WebGL context never comes back, and tfjs would keep handing out the backend built on
 * it. Replacing the backend instance lets a later choice of WebGL start on a fresh context.
 */
export function replaceWebglBackend(): void {
  tf.removeBackend('webgl');
  tf.registerBackend('webgl', () => new MathBackendWebGL(), 2);
}
