import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/live/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup.ts'],
    // Two cores: keep file-level parallelism modest so emulator and CLI child processes are not starved.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // GitHub's workflow parser imports its schema JSON without an import attribute, which Node's own
    // loader refuses: let Vite transform it (test/ci validates generated workflows with it).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
