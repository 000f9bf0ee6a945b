import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

// Threads in tfjs-wasm need SharedArrayBuffer, which browsers only grant to cross-origin isolated pages.
const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The threaded tfjs-wasm backend starts its pthreads from a Blob holding
 * `wasmFactoryThreadedSimd.toString()`, i.e. the *bundled* text of the emscripten factory. Once a
 * minifier has renamed that function's free variables the pthread workers fail silently and
 * `setBackend('wasm')` never settles. Handing the Blob the pristine emscripten script instead (a
 * string literal, which minifiers leave alone) keeps the minified build working.
 */
function tfjsWasmThreadsSurviveMinify(): Plugin {
  const require = createRequire(import.meta.url);
  const factoryPath = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const stringified = /`var WasmBackendModuleThreadedSimd = ` \+\s*wasmFactoryThreadedSimd\.toString\(\)/;
  return {
    name: 'tfjs-wasm-threads-survive-minify',
    transform(code, id) {
      if (!/tfjs-backend-wasm[\\/]dist[\\/]backend_wasm\.js$/.test(id.split('?')[0])) return null;
      if (!stringified.test(code)) {
        this.error('tfjs-backend-wasm changed: the threaded factory is no longer stringified the way this plugin expects');
      }
      const pristine = readFileSync(factoryPath, 'utf8');
      return { code: code.replace(stringified, JSON.stringify(pristine)), map: null };
    },
  };
}

export default defineConfig({
  // tfjs runs in the inference worker; the browser parity test page loads it on the main thread.
  plugins: [react(), tfjsWasmThreadsSurviveMinify()],
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsSurviveMinify()] },
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
