import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Model parity tests are CPU heavy; two cores on CI.
    maxWorkers: 2,
  },
});
