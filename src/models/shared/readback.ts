// Copies forward-pass results out of the backend. Everything is flattened into one tensor and read
// with a single async download: on WebGL each separate read is a GPU sync, and a 12-layer model
// returns dozens of tensors. Concatenation moves values without arithmetic, so numbers are unchanged.
// The results are views into that one buffer, so they cost no second copy and cross to another
// thread as one transferable.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../errors';
import type { NdArray } from '../types';

/** A forward's outputs by name: tensors, null for an output the model or the caller left out, lists per layer. */
export type TensorTree = tf.Tensor | null | readonly TensorTree[] | { readonly [name: string]: TensorTree };

/** The same structure with every tensor replaced by its values. */
export type ArraysOf<T> = T extends tf.Tensor
  ? NdArray
  : T extends null
    ? null
    : T extends readonly (infer E)[]
      ? ArraysOf<E>[]
      : { [K in keyof T]: ArraysOf<T[K]> };

/** Every tensor of a tree, each once with its path ("hidden_states[2]"), in a fixed depth-first order. */
function tensorsOf(tree: TensorTree, path = '', found: Map<tf.Tensor, string> = new Map()): Map<tf.Tensor, string> {
  if (tree instanceof tf.Tensor) {
    if (!found.has(tree)) found.set(tree, path);
  } else if (Array.isArray(tree)) (tree as TensorTree[]).forEach((t, i) => tensorsOf(t, `${path}[${i}]`, found));
  else if (tree !== null) for (const [name, t] of Object.entries(tree)) tensorsOf(t, path ? `${path}.${name}` : name, found);
  return found;
}

const isAllFinite = (data: Float32Array) => {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
};

function rebuild(tree: TensorTree, arrays: Map<tf.Tensor, NdArray>): unknown {
  if (tree instanceof tf.Tensor) return arrays.get(tree);
  if (tree === null) return null;
  if (Array.isArray(tree)) return (tree as TensorTree[]).map((t) => rebuild(t, arrays));
  return Object.fromEntries(Object.entries(tree).map(([name, t]) => [name, rebuild(t, arrays)]));
}

/** Reads tensors back with one download; each result is a view into the same buffer. */
export async function readAll(tensors: tf.Tensor[]): Promise<NdArray[]> {
  if (tensors.length === 0) return [];
  const flat = tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))));
  let data: Float32Array;
  try {
    data = (await flat.data()) as Float32Array;
  } finally {
    flat.dispose();
  }
  let at = 0;
  return tensors.map((t) => {
    const view = { shape: [...t.shape], data: data.subarray(at, at + t.size) };
    at += t.size;
    return view;
  });
}

export interface ForwardResult<T> {
  /** The forward's outputs, in the structure it returned them. */
  arrays: ArraysOf<T>;
  forward_ms: number;
  readback_ms: number;
}

/**
 * Runs `forward` inside tf.tidy, times it until the backend has executed it, then reads back every
 * tensor of the tree it returns. Only what the tree names is read: callers leave out (null) the
 * outputs nobody asked for. An output holding NaN or an infinity is an error that names it, never
 * a result: every number shown downstream would be meaningless.
 */
export async function runForward<T extends TensorTree>(forward: () => T): Promise<ForwardResult<T>> {
  const start = performance.now();
  let tree: T | null = null;
  let tensors: tf.Tensor[] = [];
  let paths = new Map<tf.Tensor, string>();
  const sync = tf.tidy(() => {
    tree = forward();
    paths = tensorsOf(tree);
    tensors = [...paths.keys()];
    for (const t of tensors) tf.keep(t);
    // Queued after every output, so waiting for it waits for the whole forward.
    return tf.sum(tensors[tensors.length - 1]);
  });
  try {
    // WebGL executes asynchronously; a value is only available once everything queued before it ran.
    await sync.data();
    const forward_ms = performance.now() - start;
    const readStart = performance.now();
    const arrays = await readAll(tensors);
    const nonFinite = tensors.filter((_, i) => !isAllFinite(arrays[i].data)).map((t) => paths.get(t)!);
    if (nonFinite.length > 0) {
      throw new ModelError(
        'numeric',
        `The run gave NaN or infinite values in ${nonFinite.slice(0, 3).join(', ')}${nonFinite.length > 3 ? `, … (${nonFinite.length} outputs)` : ''}: ` +
          'the weights or the input overflow float32 on this backend, so nothing is shown.',
      );
    }
    const byTensor = new Map(tensors.map((t, i) => [t, arrays[i]]));
    return { arrays: rebuild(tree, byTensor) as ArraysOf<T>, forward_ms, readback_ms: performance.now() - readStart };
  } finally {
    sync.dispose();
    tf.dispose(tensors);
  }
}
