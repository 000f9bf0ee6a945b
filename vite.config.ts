import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';

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

/**
 * Offline after the first visit: a Workbox service worker precaches the app (every chunk, the
 * image workspace's included, the tfjs WebAssembly binaries), the bundled models and the sample
 * images, and answers every navigation with the app's page, whatever its query string. Hub
 * checkpoints are not precached: the inference worker keeps those in its own Cache Storage.
 */
const offline = VitePWA({
  registerType: 'autoUpdate',
  injectRegister: 'script-defer',
  manifest: {
    name: 'BERT/ViT Playground',
    short_name: 'Encoder playground',
    description: 'Attention, embeddings, masked words and next-sentence prediction of BERT and ViT, computed in the browser.',
    start_url: '.',
    display: 'standalone',
    background_color: '#fafaf9',
    theme_color: '#0f5fa8',
    icons: [
      { src: 'icon-192.png', sizes: '192x192', type: 'image/png' },
      { src: 'icon-512.png', sizes: '512x512', type: 'image/png' },
    ],
  },
  workbox: {
    globPatterns: ['**/*.{html,js,css,wasm,svg,png,json,txt,safetensors}'],
    // Model cards' figures and logs are not needed to run; the browser parity page is for tests only.
    globIgnores: ['models/*/*.png', 'models/*/*.csv', 'parity*', 'assets/parity*'],
    // The bundled models' weights are about 11 MB each.
    maximumFileSizeToCacheInBytes: 32 * 1024 * 1024,
    navigateFallback: 'index.html',
    navigateFallbackDenylist: [/\/parity\.html$/],
    // The query string carries the view (?a=…&tab=…): every one is the same page.
    ignoreURLParametersMatching: [/.*/],
    cleanupOutdatedCaches: true,
    // A new version takes over at once (registerType autoUpdate), and so does the first one: the
    // page that installed it is offline-ready without a reload.
    skipWaiting: true,
    clientsClaim: true,
  },
  // The manifest's icons are in the glob above already.
  includeManifestIcons: false,
});

export default defineConfig({
  // tfjs runs in the inference worker; the browser parity test page loads it on the main thread.
  plugins: [react(), tfjsWasmThreadsSurviveMinify(), offline],
  worker: { format: 'es', plugins: () => [tfjsWasmThreadsSurviveMinify()] },
  server: { headers: crossOriginIsolation },
  preview: { headers: crossOriginIsolation },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
});
