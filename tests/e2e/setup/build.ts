// A production build of the app's pages plus test or benchmark pages, with the app's own Vite
// config (workers, the tfjs-wasm threads plugin), for the browser tests and the browser benchmark.

import { resolve } from 'node:path';
import { build } from 'vite';

/** Builds `pages` (name → HTML entry) into `outDir`; public/ (the bundled models) is copied too. */
export async function buildPages(outDir: string, pages: Record<string, string>): Promise<void> {
  await build({
    configFile: resolve('vite.config.ts'),
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      rolldownOptions: { input: Object.fromEntries(Object.entries(pages).map(([name, html]) => [name, resolve(html)])) },
    },
  });
}
