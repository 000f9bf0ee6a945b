// Backend setup for Node (CLI, tests, bench). WASM needs to be told where its .wasm binaries are on
// disk; in the browser the worker points it at Vite's hashed assets instead.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { setBackend } from './backend';

export type NodeBackend = 'wasm' | 'cpu';

let wasmPathsSet = false;

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<void> {
  // Running pure-JS/WASM tfjs in Node is deliberate (same kernels as the browser), so silence the
  // "install tfjs-node" banner, which would otherwise land in the CLI's output.
  tf.env().set('PROD', true);
  if (name === 'wasm' && !wasmPathsSet) {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(join(dist, '/'));
    wasmPathsSet = true;
  }
  await setBackend(name, { timeoutMs: 30_000 });
}
