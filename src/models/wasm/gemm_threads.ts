// Our GEMM on more than one thread. tfjs-wasm's own thread pool is internal to its module, so the
// GEMM brings its own: helper workers that instantiate the same module over the same shared memory
// (tfjs-wasm's threaded build) and each compute a range of the product's 8-column panels while the
// calling thread computes the first range. They meet in a small control block of that memory:
//
//   [SEQ]  bumped by the caller for each product; helpers sleep on it (Atomics.wait)
//   [DONE] helpers that have finished the current product; the caller sleeps on it
//   [ARGS] a, packed, bias, c, M, K, N of the current product (byte offsets and sizes)
//   [RANGE + 2i], [RANGE + 2i + 1]  helper i's first and end column
//
// Only the calling side and the helper loop live here; whoever has workers (the browser's inference
// worker, a Node test) creates them and hands each a HelperInit.

const SEQ = 0;
const DONE = 1;
const ARGS = 2;
const RANGE = 9;

/** Bytes of control block for `helpers` helpers. */
export function controlBytes(helpers: number): number {
  return 4 * (RANGE + 2 * helpers);
}

/** Products smaller than this many multiply-adds run on the calling thread alone: waking a helper costs more. */
export const PARALLEL_MIN_MACS = 2 ** 21;

/** Spins on the shared counter before sleeping: products come in bursts, and a futex wake-up costs tens of µs. */
const SPINS = 4000;

/** How long the caller waits for a helper before declaring it dead (a product takes milliseconds). */
const HELPER_TIMEOUT_MS = 10_000;

export interface GemmExports {
  pack(src: number, dst: number, K: number, N: number): void;
  gemm(a: number, packed: number, bias: number, c: number, M: number, K: number, N: number, n0: number, n1: number): void;
}

/** What a helper needs: the memory and module to instantiate, where the control block is, and its index. */
export interface HelperInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module;
  control: number;
  index: number;
}

/** A helper's life: instantiate, say ready, then compute its range of each product until the worker is terminated. */
export function helperLoop(init: HelperInit, ready: () => void): never {
  const { exports } = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }) as unknown as { exports: GemmExports };
  // Views of a shared memory stay valid when it grows; the control block never moves.
  const ctl = new Int32Array(init.memory.buffer, init.control, RANGE + 2 * (init.index + 1));
  let seen = Atomics.load(ctl, SEQ);
  ready();
  for (;;) {
    for (let i = 0; i < SPINS && Atomics.load(ctl, SEQ) === seen; i++);
    Atomics.wait(ctl, SEQ, seen);
    seen = Atomics.load(ctl, SEQ);
    const n0 = ctl[RANGE + 2 * init.index];
    const n1 = ctl[RANGE + 2 * init.index + 1];
    if (n1 > n0) exports.gemm(ctl[ARGS], ctl[ARGS + 1], ctl[ARGS + 2], ctl[ARGS + 3], ctl[ARGS + 4], ctl[ARGS + 5], ctl[ARGS + 6], n0, n1);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

/** The calling side: splits a product's panels between itself and `helpers` helpers that are already running. */
export class GemmPool {
  private readonly ctl: Int32Array;

  constructor(
    memory: WebAssembly.Memory,
    control: number,
    readonly helpers: number,
  ) {
    this.ctl = new Int32Array(memory.buffer, control, RANGE + 2 * helpers);
  }

  /** C = A·B + bias as `exports.gemm` computes it, columns shared out by panels. Throws if a helper stops answering. */
  gemm(exports: GemmExports, a: number, packed: number, bias: number, c: number, M: number, K: number, N: number): void {
    const { ctl, helpers } = this;
    const panels = N / 8;
    const parts = Math.min(helpers + 1, panels);
    // Panel ranges as even as whole panels allow; the caller takes the first.
    const edge = (i: number) => 8 * Math.round((i * panels) / parts);
    ctl.set([a, packed, bias, c, M, K, N], ARGS);
    for (let i = 0; i < helpers; i++) {
      const part = i + 1;
      ctl[RANGE + 2 * i] = part < parts ? edge(part) : 0;
      ctl[RANGE + 2 * i + 1] = part < parts ? edge(part + 1) : 0;
    }
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    exports.gemm(a, packed, bias, c, M, K, N, 0, edge(1));
    const deadline = performance.now() + HELPER_TIMEOUT_MS;
    for (;;) {
      let done = Atomics.load(ctl, DONE);
      for (let i = 0; i < SPINS && done < helpers; i++) done = Atomics.load(ctl, DONE);
      if (done >= helpers) return;
      if (Atomics.wait(ctl, DONE, done, 100) === 'timed-out' && performance.now() > deadline) {
        throw new Error(`a GEMM helper thread did not finish within ${HELPER_TIMEOUT_MS / 1000} s`);
      }
    }
  }
}
