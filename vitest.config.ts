import { defineConfig } from 'vitest/config';
import { locateChromium } from './scripts/chromium.mjs';

// Without a browser the e2e project is a single failing test that says what to install or set, in
// place of a production build and browser tests that could only all fail alike; unit runs either way.
const browserFound = locateChromium().problem === undefined;

// Node 20's V8 keeps relaxed SIMD behind a flag (the probe is one f32x4.relaxed_madd); with it the model tests run the same FMA GEMM as
// Chromium (src/models/wasm/gemm.ts). Newer Node has it on and no flag to pass.
const relaxedSimdProbe = Uint8Array.from(atob('AGFzbQEAAAABCAFgA3t7ewF7AwIBAAoNAQsAIAAgASAC/YUCCw=='), (c) => c.charCodeAt(0));
const relaxedSimdFlag = WebAssembly.validate(relaxedSimdProbe) ? [] : ['--experimental-wasm-relaxed-simd'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Model parity tests are CPU heavy; two cores on CI.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          execArgv: relaxedSimdFlag,
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**', 'tests/browser/**', '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: browserFound ? ['tests/e2e/**/*.test.ts'] : ['tests/e2e/setup/no_browser.ts'],
          // One production build + static servers shared by every browser test file.
          globalSetup: browserFound ? ['tests/e2e/setup/global.ts'] : [],
          // Each file drives its own Chromium; two at once would starve the two CI cores.
          fileParallelism: false,
          testTimeout: 180_000,
          // The first WebGL run compiles shaders on a software GPU: UI waits need seconds, not the default 1 s.
          expect: { poll: { timeout: 30_000, interval: 100 } },
        },
      },
    ],
  },
});
