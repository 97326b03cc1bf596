// npm test: every test, browser tests included (never skipped silently).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBrowser, ensureSystemPrograms } from './ensure-browser.mjs';
import { ensureProjectNode } from './lib.mjs';
import { fileURLToPath } from 'node:url';

ensureProjectNode(fileURLToPath(new URL('..', import.meta.url)));

const args = process.argv.slice(2);
// Chromium is needed unless the run names only non-browser projects (npm run test:unit).
const projects = args.flatMap((a, i) => (a.startsWith('--project=') ? [a.slice(10)] : args[i - 1] === '--project' ? [a] : []));
ensureSystemPrograms();
const chromium = projects.length && !projects.includes('e2e') ? undefined : ensureBrowser();
// Every temporary file of the run (test databases, servers' data folders, Chromium profiles,
// exports) goes into one folder that is removed afterwards: runs used to leave their folders
// behind (most of the 17 GB found in /tmp after a few days of work here).
const runTmp = mkdtempSync(join(tmpdir(), 'shanxing-tests-'));
// The mechanical bar (issue 16): types, .astro files, lint — zero findings — before any test runs.
// A run that names files or projects (npm run test:unit, a single test file) skips them; `npm test`
// and CI never do.
const CHECKS = [
  ['tsc', ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']],
  ['astro check', ['node_modules/astro/bin/astro.mjs', 'check', '--minimumFailingSeverity', 'hint']],
  ['eslint', ['node_modules/eslint/bin/eslint.js', '--max-warnings', '0', '.']],
];
if (args.length === 0 || process.env.RUN_CHECKS === '1') {
  for (const [name, argv] of CHECKS) {
    const t0 = Date.now();
    const r = spawnSync(process.execPath, argv, { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) {
      console.error(`\n${name} 未通过（见上方输出） / ${name} found problems (see above)`);
      process.exit(1);
    }
    console.log(`${name}: 0 findings (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
}

let status;
try {
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...(chromium ? { CHROMIUM_PATH: chromium } : {}), ASTRO_TELEMETRY_DISABLED: '1', TMPDIR: runTmp },
  });
  status = r.status ?? 1;
} finally {
  if (!process.env.KEEP_TEST_TMP) rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
  else console.log(`temporary files kept in ${runTmp}`);
}
process.exit(status);
