// A GEMM helper thread for Node's worker_threads (tests/model/wasm_gemm.test.ts), as
// src/worker/gemm_helper.worker.ts is one for the browser.
import { parentPort, workerData } from 'node:worker_threads';
import { helperLoop, type HelperInit } from '../../src/models/wasm/gemm_threads';

helperLoop(workerData as HelperInit, () => parentPort!.postMessage('ready'));
