import { defineConfig } from 'vitest/config';

// Three projects: unit (pure functions), integration (real libSQL files),
// e2e (built server + Debian Chromium through playwright-core). Under TEST_DATABASE=remote
// (npm run test:remote) their databases are Hrana servers instead (docs/decisions/082).
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000, setupFiles: ['tests/helpers/remote-setup.ts'] } },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['tests/e2e/global-setup.ts'],
          setupFiles: ['tests/helpers/remote-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
