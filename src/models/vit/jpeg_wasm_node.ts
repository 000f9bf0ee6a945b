// The libjpeg-turbo WebAssembly module in Node (CLI, tests), read from node_modules. The browser
// build uses jpeg_wasm_browser.ts instead: package.json maps "#jpeg-turbo-wasm" by condition.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

let compiled: Promise<WebAssembly.Module> | undefined;

export function jpegTurboWasm(): Promise<WebAssembly.Module> {
  const path = createRequire(import.meta.url).resolve('@cwasm/jpeg-turbo/jpeg-turbo.wasm');
  compiled ??= readFile(path).then((bytes) => WebAssembly.compile(bytes));
  return compiled;
}
