// Copies forward-pass results out of the backend. Everything is flattened into one tensor and read
// with a single async download: on WebGL each separate read is a GPU sync, and a 12-layer model
// returns dozens of tensors. Concatenation moves values without arithmetic, so numbers are unchanged.

import * as tf from '@tensorflow/tfjs-core';
import type { NdArray } from '../types';

export async function readAll(tensors: tf.Tensor[]): Promise<NdArray[]> {
  if (tensors.length === 0) return [];
  const flat = tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))));
  let data: Float32Array;
  try {
    data = (await flat.data()) as Float32Array;
  } finally {
    flat.dispose();
  }
  const out: NdArray[] = [];
  let at = 0;
  for (const t of tensors) {
    out.push({ shape: [...t.shape], data: data.slice(at, at + t.size) });
    at += t.size;
  }
  return out;
}

export interface ForwardResult {
  /** The forward's outputs, in the order it returned them. */
  arrays: NdArray[];
  forward_ms: number;
  readback_ms: number;
}

/** Runs `forward` inside tf.tidy, times it until the backend has executed it, then reads every output back. */
export async function runForward(forward: () => tf.Tensor[]): Promise<ForwardResult> {
  const start = performance.now();
  const { outputs, sync } = tf.tidy(() => {
    const outputs = forward();
    return { outputs, sync: tf.sum(outputs[outputs.length - 1]) };
  });
  try {
    // WebGL executes asynchronously; a value is only available once everything queued before it ran.
    await sync.data();
    const forward_ms = performance.now() - start;
    const readStart = performance.now();
    const arrays = await readAll(outputs);
    return { arrays, forward_ms, readback_ms: performance.now() - readStart };
  } finally {
    sync.dispose();
    tf.dispose(outputs);
  }
}
