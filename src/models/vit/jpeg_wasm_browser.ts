// The libjpeg-turbo WebAssembly module in the browser: Vite emits it as an asset, and it is fetched
// the first time a JPEG is decoded (the 140 KB stay out of every bundle). Node uses jpeg_wasm_node.ts.

import wasmUrl from '@cwasm/jpeg-turbo/jpeg-turbo.wasm?url';
import { ModelError } from '../errors';

let compiled: Promise<WebAssembly.Module> | undefined;

async function load(): Promise<WebAssembly.Module> {
  let response: Response;
  try {
    response = await fetch(wasmUrl);
  } catch (e) {
    throw new ModelError('offline', `Could not load the JPEG decoder (${(e as Error).message}).`);
  }
  if (!response.ok) throw new ModelError('http', `Could not load the JPEG decoder: HTTP ${response.status} for ${wasmUrl}.`);
  return WebAssembly.compile(await response.arrayBuffer());
}

export function jpegTurboWasm(): Promise<WebAssembly.Module> {
  // A failed load is not cached, so the next JPEG tries again.
  compiled ??= load().catch((e: unknown) => {
    compiled = undefined;
    throw e;
  });
  return compiled;
}
