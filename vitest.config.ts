import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

// `astro:actions` is Astro's virtual module; its server entrypoint is a real file of the astro
// package, so tests import src/actions as the server does (the access-matrix inventory reads the
// `server` object itself, not the source text).
const alias = {
  'astro:actions': fileURLToPath(new URL('./node_modules/astro/dist/actions/runtime/entrypoints/server.js', import.meta.url)),
  'virtual:astro:actions/options': fileURLToPath(new URL('./tests/helpers/astro-actions-options.ts', import.meta.url)),
};
// Astro's actions runtime imports the options module above: let Vite transform it so the alias applies.
const server = { deps: { inline: [/astro\/dist\/actions\//] } };

// Three projects: unit (pure functions), integration (real libSQL files),
// e2e (built server + Debian Chromium through playwright-core). Under TEST_DATABASE=remote
// (npm run test:remote) their databases are Hrana servers instead (docs/decisions/082).
export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { server, name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      {
        resolve: { alias },
        test: {
          server,
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          setupFiles: ['tests/helpers/remote-setup.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          server,
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
