import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // one seed for every fast-check property (test/setup-seed.ts)
    setupFiles: ['test/setup-seed.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // In CI, also write a JSON report (.ci/run prints its pass/fail/skip counts).
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
  },
});
