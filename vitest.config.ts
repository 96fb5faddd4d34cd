import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// Results kept across builds (src/kernel/disk-cache.ts) go to a folder of this run: every test that
// builds what another built reads them (so the whole suite checks that a hit gives the same bytes),
// and no run sees another's. test/disk-cache.test.ts tests the cache itself in folders of its own.
if (!process.env.CXREPORT_CACHE) {
  process.env.CXREPORT_CACHE = mkdtempSync(join(tmpdir(), 'cxreport-test-cache-'));
  // removed when the run ends (test/global-cache.ts)
  process.env.CXREPORT_TEST_CACHE_MADE = '1';
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // one seed for every fast-check property (test/setup-seed.ts)
    setupFiles: ['test/setup-seed.ts'],
    globalSetup: ['test/global-cache.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // In CI, also write a JSON report (.ci/run prints its pass/fail/skip counts).
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results.json' },
  },
});
