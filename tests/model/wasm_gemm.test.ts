// Our WebAssembly GEMM (scripts/wasm/gemm.mjs, src/models/wasm/gemm.ts): the committed binaries are
// what the generator assembles; each variant computes C = A·B + bias to float32 accuracy for shapes
// with and without a whole number of 4-row blocks, writes only the columns it is asked for; and on
// the wasm backend, tfjs products route through it and free its packed copies with their tensors.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a build-time script in plain JavaScript, without typings.
import { gemmBinariesSource, OUTPUT } from '../../scripts/wasm/gemm.mjs';
import { initNodeBackend } from '../../src/models/backend_node';
import { GEMM_WASM } from '../../src/models/wasm/gemm_binaries';
import { linear } from '../../src/models/shared/layers';
import { wasmGemmKind, wasmGemmPackedCount, wasmMatMuls } from '../../src/models/wasm/gemm';
import { controlBytes, GemmPool, type GemmJob, type HelperInit } from '../../src/models/wasm/gemm_threads';

interface Exports {
  pack(src: number, dst: number, K: number, N: number): void;
  gemm(a: number, packed: number, bias: number, c: number, M: number, K: number, N: number, n0: number, n1: number): void;
}

/** A deterministic generator, so a failure reproduces. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

/** C = A·B + bias in float64. */
function reference(A: Float32Array, B: Float32Array, bias: Float32Array | null, M: number, K: number, N: number): Float64Array {
  const C = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = bias ? bias[j] : 0;
      for (let k = 0; k < K; k++) sum += A[i * K + k] * B[k * N + j];
      C[i * N + j] = sum;
    }
  }
  return C;
}

/** Worst |ours − exact| / (1e-6 + 1e-6·Σ|terms|): float32 summation of K terms stays well inside that. */
function worstError(C: Float32Array, exact: Float64Array, scale: Float64Array): number {
  let worst = 0;
  for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(C[i] - exact[i]) / (1e-6 + 1e-6 * scale[i]));
  return worst;
}

const variants = (['fma', 'fmaShared', 'plain', 'plainShared'] as const).map((name) => {
  const bytes = Uint8Array.from(atob(GEMM_WASM[name]), (c) => c.charCodeAt(0));
  return { name, bytes, shared: name.endsWith('Shared'), supported: WebAssembly.validate(bytes) };
});

describe('the GEMM module', () => {
  it('is what scripts/wasm/gemm.mjs assembles (rerun it after editing the text)', async () => {
    expect(readFileSync(OUTPUT as string, 'utf8')).toBe(await (gemmBinariesSource as () => Promise<string>)());
  });

  it('validates here in its plain-SIMD variants, and with --experimental-wasm-relaxed-simd (vitest.config.ts) in its FMA ones', () => {
    expect(variants.map((v) => [v.name, v.supported])).toEqual([
      ['fma', true],
      ['fmaShared', true],
      ['plain', true],
      ['plainShared', true],
    ]);
  });

  for (const variant of variants) {
    it(`${variant.name}: C = A·B + bias for ragged shapes, only the columns asked for`, () => {
      const memory = new WebAssembly.Memory(variant.shared ? { initial: 64, maximum: 256, shared: true } : { initial: 64 });
      const { exports } = new WebAssembly.Instance(new WebAssembly.Module(variant.bytes), { env: { memory } }) as unknown as { exports: Exports };
      const next = random(7);
      for (const [M, K, N] of [
        [1, 1, 8],
        [3, 7, 16],
        [4, 33, 8],
        [5, 64, 24],
        [9, 128, 64],
        [130, 96, 40],
      ]) {
        for (const withBias of [true, false]) {
          const A = Float32Array.from({ length: M * K }, next);
          const B = Float32Array.from({ length: K * N }, next);
          const bias = withBias ? Float32Array.from({ length: N }, next) : null;
          // Byte offsets that are not 16-byte aligned, as tfjs-wasm's allocator may hand out.
          const at = { a: 8, b: 8 + 4 * (M * K + 1), packed: 0, bias: 0, c: 0 };
          at.packed = at.b + 4 * (K * N + 3);
          at.bias = at.packed + 4 * K * N + 4;
          at.c = at.bias + 4 * N + 12;
          const f32 = new Float32Array(memory.buffer);
          f32.set(A, at.a / 4);
          f32.set(B, at.b / 4);
          if (bias) f32.set(bias, at.bias / 4);
          exports.pack(at.b, at.packed, K, N);

          // The whole product, then a range of panels over a sentinel-filled C.
          exports.gemm(at.a, at.packed, bias ? at.bias : 0, at.c, M, K, N, 0, N);
          const exact = reference(A, B, bias, M, K, N);
          const scale = reference(A.map(Math.abs), B.map(Math.abs), bias?.map(Math.abs) ?? null, M, K, N);
          const C = new Float32Array(memory.buffer, at.c, M * N).slice();
          expect(worstError(C, exact, scale), `${M}x${K}x${N}`).toBeLessThan(1);

          if (N >= 16) {
            new Float32Array(memory.buffer, at.c, M * N).fill(12345);
            exports.gemm(at.a, at.packed, bias ? at.bias : 0, at.c, M, K, N, 8, 16);
            const part = new Float32Array(memory.buffer, at.c, M * N);
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                if (j >= 8 && j < 16) expect(part[i * N + j]).toBe(C[i * N + j]);
                else expect(part[i * N + j]).toBe(12345);
              }
            }
          }
        }
      }
    });
  }
});

describe('on helper threads', () => {
  /** Node helpers running the same loop as the browser's (tests/model/gemm_helper_node.ts, bundled: workers load no TypeScript). */
  let helperCode: string;
  beforeAll(() => {
    const entry = fileURLToPath(new URL('./gemm_helper_node.ts', import.meta.url));
    helperCode = buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'cjs', write: false }).outputFiles[0].text;
  });
  function spawn(init: HelperInit): Promise<Worker> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(helperCode, { eval: true, workerData: init });
      worker.once('message', () => resolve(worker));
      worker.once('error', reject);
    });
  }

  for (const helpers of [1, 3]) {
    it(`with ${helpers} helper(s): the same bits as one thread, for products split into uneven panel ranges or batched as jobs`, async () => {
      const variant = variants.find((v) => v.name === 'fmaShared')!;
      const memory = new WebAssembly.Memory({ initial: 256, maximum: 1024, shared: true });
      const module = new WebAssembly.Module(variant.bytes);
      const { exports } = new WebAssembly.Instance(module, { env: { memory } }) as unknown as { exports: Exports };
      const control = 64;
      const workers = await Promise.all(Array.from({ length: helpers }, (_, index) => spawn({ memory, module, control, index })));
      try {
        const pool = new GemmPool(memory, control, helpers);
        const next = random(helpers);
        const base = control + controlBytes(helpers) + 4;
        // 1 panel (helpers idle), 3 panels (fewer than threads), 13 (uneven), 96 (bert-base's FFN width / 32).
        for (const [M, K, N] of [[5, 16, 8], [6, 9, 24], [33, 40, 104], [128, 64, 768]]) {
          const at = { a: base, b: base + 4 * M * K, packed: base + 4 * (M * K + K * N), bias: 0, c: 0, c1: 0 };
          at.bias = at.packed + 4 * K * N;
          at.c = at.bias + 4 * N;
          at.c1 = at.c + 4 * M * N;
          const f32 = new Float32Array(memory.buffer);
          f32.set(Float32Array.from({ length: M * K + K * N }, next), at.a / 4);
          f32.set(Float32Array.from({ length: N }, next), at.bias / 4);
          exports.pack(at.b, at.packed, K, N);
          exports.gemm(at.a, at.packed, at.bias, at.c1, M, K, N, 0, N);
          for (let round = 0; round < 3; round++) {
            new Float32Array(memory.buffer, at.c, M * N).fill(Number.NaN);
            pool.gemm(exports, at.a, at.packed, at.bias, at.c, M, K, N);
            expect(new Float32Array(memory.buffer, at.c, M * N), `${M}x${K}x${N}`).toEqual(new Float32Array(memory.buffer, at.c1, M * N));
          }
          // The same product as a batch of column blocks, one job each (as per-head projections are).
          const blocks = N / 8;
          const jobs = Array.from({ length: blocks }, (_, j): GemmJob => [at.a, at.packed, at.bias, at.c, M, K, N, 8 * j, 8 * (j + 1)]);
          new Float32Array(memory.buffer, at.c, M * N).fill(Number.NaN);
          pool.batch(exports, jobs);
          expect(new Float32Array(memory.buffer, at.c, M * N), `${M}x${K}x${N} in ${blocks} jobs`).toEqual(new Float32Array(memory.buffer, at.c1, M * N));
        }
      } finally {
        await Promise.all(workers.map((w) => w.terminate()));
      }
    });
  }
});

describe('on the wasm backend', () => {
  beforeAll(() => initNodeBackend('wasm'));

  it('runs our GEMM, with fused multiply-adds', () => {
    expect(wasmGemmKind()).toBe('fma');
  });

  it('gives tfjs products that match float64, through our GEMM and around it, and frees packed copies with their tensors', () => {
    const next = random(11);
    const before = tf.memory().numTensors;
    const packedBefore = wasmGemmPackedCount(tf.backend());
    const M = 37;
    const K = 50;
    const cases = [
      { N: 24, ours: true },
      { N: 30, ours: false }, // not a multiple of 8: XNNPACK
    ];
    for (const { N, ours } of cases) {
      const A = Float32Array.from({ length: M * K }, next);
      const B = Float32Array.from({ length: K * N }, next);
      const bias = Float32Array.from({ length: N }, next);
      const [a, b, c] = [tf.tensor2d(A, [M, K]), tf.tensor2d(B, [K, N]), tf.tensor1d(bias)];
      const exact = reference(A, B, bias, M, K, N);
      const scale = reference(A.map(Math.abs), B.map(Math.abs), bias.map(Math.abs), M, K, N);
      for (let round = 0; round < 2; round++) {
        const [fused, plain, transposed] = tf.tidy(() => [
          tf.fused.matMul({ a, b, bias: c }),
          tf.add(tf.matMul(a, b), c),
          // Transposed operands take tfjs-wasm's own kernel.
          tf.matMul(tf.transpose(a), tf.transpose(b), true, true),
        ].map((t) => t.dataSync() as Float32Array));
        expect(worstError(fused, exact, scale)).toBeLessThan(1);
        expect(worstError(plain, exact, scale)).toBeLessThan(2);
        expect(worstError(transposed, exact.map((x, i) => x - bias[i % N]), scale)).toBeLessThan(1);
        // B packed once, whichever product used it; none for the XNNPACK width.
        expect(wasmGemmPackedCount(tf.backend())).toBe(packedBefore + (ours ? 1 : 0));
      }
      tf.dispose([a, b, c]);
      expect(wasmGemmPackedCount(tf.backend())).toBe(packedBefore);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('runs several products at once with the bits of one by one, inside tidy, and declines widths it does not take', () => {
    const next = random(13);
    const before = tf.memory().numTensors;
    const [M, K] = [21, 40];
    const x = tf.tensor2d(Float32Array.from({ length: M * K }, next), [M, K]);
    const make = (N: number, withBias: boolean) => ({
      weight: tf.tensor2d(Float32Array.from({ length: K * N }, next), [K, N]),
      bias: withBias ? tf.tensor1d(Float32Array.from({ length: N }, next)) : null,
    });
    const linears = [make(16, true), make(8, false), make(64, true)];
    const [together, oneByOne] = tf.tidy(() => {
      // Three linear layers of x, and a product of two activations as the attention's PV is.
      const v = tf.relu(tf.sub<tf.Tensor2D>(x, 0.1));
      const outs = wasmMatMuls([...linears.map(({ weight, bias }) => ({ a: x, b: weight, bias })), { a: tf.transpose<tf.Tensor2D>(v), b: v }]);
      expect(outs).not.toBeNull();
      expect(outs!.map((o) => o.shape)).toEqual([[M, 16], [M, 8], [M, 64], [K, K]]);
      const single = [...linears.map((l) => linear(x, l)), tf.fused.matMul({ a: tf.transpose(v), b: v })];
      return [outs!.map((o) => o.dataSync()), single.map((o) => o.dataSync())];
    });
    together.forEach((values, i) => expect(values, `product ${i}`).toEqual(oneByOne[i]));
    const odd = make(12, true);
    expect(wasmMatMuls([{ a: x, b: linears[0].weight }, { a: x, b: odd.weight }])).toBeNull();
    tf.dispose([x, odd.weight, odd.bias!, ...linears.flatMap((l) => [l.weight, ...(l.bias ? [l.bias] : [])])]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
