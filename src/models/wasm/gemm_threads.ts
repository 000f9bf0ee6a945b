// Our GEMM on more than one thread. tfjs-wasm's own thread pool is internal to its module, so the
// GEMM brings its own: helper workers that instantiate the same module over the same shared memory
// (tfjs-wasm's threaded build) and each run a share of the jobs of a request while the calling
// thread runs the first share. A job is one call of the module's `gemm` (a product, or a range of
// its 8-column panels); a request is one product split by panels, or several products at once
// (an attention layer's per-head projections). They meet in a small block of that memory:
//
//   job table   MAX_JOBS × [a, packed, bias, c, M, K, N, n0, n1] (byte offsets and sizes)
//   [SEQ]       bumped by the caller for each request; helpers sleep on it (Atomics.wait)
//   [DONE]      helpers that have finished the current request; the caller sleeps on it
//   [RANGES + 2i], [RANGES + 2i + 1]   helper i's first and end job
//
// Only the calling side and the helper loop live here; whoever has workers (the browser's inference
// worker, a Node test) creates them and hands each a HelperInit.

const JOB_INTS = 9;
/** Jobs one request can hold; larger batches go in several requests. */
export const MAX_JOBS = 256;
const TABLE_BYTES = 4 * JOB_INTS * MAX_JOBS;
const SEQ = 0;
const DONE = 1;
const RANGES = 2;

/** Bytes of control block (job table first) for `helpers` helpers. */
export function controlBytes(helpers: number): number {
  return TABLE_BYTES + 4 * (RANGES + 2 * helpers);
}

/** Requests smaller than this many multiply-adds run on the calling thread alone: waking a helper costs more. */
export const PARALLEL_MIN_MACS = 2 ** 21;

/** Spins on the shared counter before sleeping: requests come in bursts, and a futex wake-up costs tens of µs. */
const SPINS = 4000;

/** How long the caller waits for a helper before declaring it dead (a request takes milliseconds). */
const HELPER_TIMEOUT_MS = 10_000;

/** One call of the module's gemm: [a, packed, bias, c, M, K, N, n0, n1]. */
export type GemmJob = [number, number, number, number, number, number, number, number, number];

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

/** A helper's life: instantiate, say ready, then run its share of each request until the worker is terminated. */
export function helperLoop(init: HelperInit, ready: () => void): never {
  const { exports } = new WebAssembly.Instance(init.module, { env: { memory: init.memory } }) as unknown as { exports: GemmExports };
  // Views of a shared memory stay valid when it grows; the control block never moves.
  const jobs = new Int32Array(init.memory.buffer, init.control, JOB_INTS * MAX_JOBS);
  const ctl = new Int32Array(init.memory.buffer, init.control + TABLE_BYTES, RANGES + 2 * (init.index + 1));
  let seen = Atomics.load(ctl, SEQ);
  ready();
  for (;;) {
    for (let i = 0; i < SPINS && Atomics.load(ctl, SEQ) === seen; i++);
    Atomics.wait(ctl, SEQ, seen);
    seen = Atomics.load(ctl, SEQ);
    runJobs(exports, jobs, ctl[RANGES + 2 * init.index], ctl[RANGES + 2 * init.index + 1]);
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
}

function runJobs(exports: GemmExports, jobs: Int32Array, first: number, end: number): void {
  for (let j = first; j < end; j++) {
    const o = j * JOB_INTS;
    exports.gemm(jobs[o], jobs[o + 1], jobs[o + 2], jobs[o + 3], jobs[o + 4], jobs[o + 5], jobs[o + 6], jobs[o + 7], jobs[o + 8]);
  }
}

/** The calling side: shares each request's jobs between itself and `helpers` helpers that are already running. */
export class GemmPool {
  private readonly jobs: Int32Array;
  private readonly ctl: Int32Array;

  constructor(
    memory: WebAssembly.Memory,
    control: number,
    readonly helpers: number,
  ) {
    this.jobs = new Int32Array(memory.buffer, control, JOB_INTS * MAX_JOBS);
    this.ctl = new Int32Array(memory.buffer, control + TABLE_BYTES, RANGES + 2 * helpers);
  }

  /** C = A·B + bias as `exports.gemm` computes it, columns shared out by panels. Throws if a helper stops answering. */
  gemm(exports: GemmExports, a: number, packed: number, bias: number, c: number, M: number, K: number, N: number): void {
    const panels = N / 8;
    const parts = Math.min(this.helpers + 1, panels);
    // Panel ranges as even as whole panels allow, one job per thread.
    const edge = (i: number) => 8 * Math.round((i * panels) / parts);
    const jobs = Array.from({ length: parts }, (_, t): GemmJob => [a, packed, bias, c, M, K, N, edge(t), edge(t + 1)]);
    this.request(exports, jobs);
  }

  /** Several whole products, shared out in contiguous runs of jobs (they are alike in size: a layer's heads). */
  batch(exports: GemmExports, jobs: GemmJob[]): void {
    for (let at = 0; at < jobs.length; at += MAX_JOBS) this.request(exports, jobs.slice(at, at + MAX_JOBS));
  }

  private request(exports: GemmExports, jobs: GemmJob[]): void {
    const { ctl, helpers } = this;
    const threads = helpers + 1;
    const edge = (t: number) => Math.round((t * jobs.length) / threads);
    jobs.forEach((job, j) => this.jobs.set(job, j * JOB_INTS));
    for (let i = 0; i < helpers; i++) {
      ctl[RANGES + 2 * i] = edge(i + 1);
      ctl[RANGES + 2 * i + 1] = edge(i + 2);
    }
    Atomics.store(ctl, DONE, 0);
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ);
    runJobs(exports, this.jobs, 0, edge(1));
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
