import { defineConfig } from 'vitest/config';

// The opt-in journey against a real Google Cloud project (npm run test:live). No network guard here:
// it is the one place that talks to Google. Skipped unless ATLANTIS_RUN_LIVE_PROJECT is set.
export default defineConfig({
  test: {
    include: ['test/live/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    fileParallelism: false,
  },
});
