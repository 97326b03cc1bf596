// npm test: every test, browser tests included (never skipped silently).
import { spawnSync } from 'node:child_process';
import { ensureBrowser } from './ensure-browser.mjs';
import { ensureProjectNode } from './lib.mjs';
import { fileURLToPath } from 'node:url';

ensureProjectNode(fileURLToPath(new URL('..', import.meta.url)));

const chromium = ensureBrowser();
const args = process.argv.slice(2);
const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], {
  stdio: 'inherit',
  env: { ...process.env, CHROMIUM_PATH: chromium, ASTRO_TELEMETRY_DISABLED: '1' },
});
process.exit(r.status ?? 1);
