// One helper thread of the WASM backend's GEMM (src/models/wasm/gemm_threads.ts): started by the
// inference worker with the module, tfjs-wasm's shared memory and a control block, it then computes
// its share of every large matrix product until the inference worker terminates it.

import { helperLoop, type HelperInit } from '../models/wasm/gemm_threads';

self.onmessage = (event: MessageEvent<HelperInit>) => {
  helperLoop(event.data, () => self.postMessage('ready'));
};
