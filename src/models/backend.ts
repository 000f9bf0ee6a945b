// Switching the tfjs backend without ever hanging: tf.setBackend awaits the backend's async
// initialisation (WASM download, WebGL context, WebGPU device), which can stall forever on a broken setup.
// WebGPU is loaded only when asked for: most machines without a GPU never download it.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgl';
import { replaceWasmMatMul } from './wasm/gemm';

replaceWasmMatMul();

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

/** Makes `name` the active backend, or throws if it fails or takes longer than `timeoutMs`. */
export async function setBackend(name: BackendName, { timeoutMs = 15_000 }: { timeoutMs?: number } = {}): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} backend did not initialise within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    if (name === 'webgpu') await Promise.race([import('@tensorflow/tfjs-backend-webgpu'), timeout]);
    const ok = await Promise.race([tf.setBackend(name), timeout]);
    if (!ok) throw new Error(`${name} backend could not be initialised`);
    await tf.ready();
  } finally {
    clearTimeout(timer);
  }
}
