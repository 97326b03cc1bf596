// npm test: every test, browser tests included (never skipped silently).
// npm run test:remote (--remote): the integration suite and the database smoke test again, each
// database a Hrana server from ../shared/hrana reached over HTTP (docs/decisions/082); where that
// folder is absent it says plainly that the remote tests did not run.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBrowser, ensureSystemPrograms } from './ensure-browser.mjs';
import { ensureProjectNode } from './lib.mjs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
ensureProjectNode(root);

/** What the remote run covers unless told otherwise: the integration suite and the database smoke test. */
const REMOTE_DEFAULT = ['tests/integration/', 'tests/e2e/database-smoke.test.ts'];

let args = process.argv.slice(2);
const remote = args.includes('--remote');
args = args.filter((a) => a !== '--remote');
const hranaStart = process.env.HRANA_START ?? join(root, '..', 'shared', 'hrana', 'start.sh');
if (remote) {
  if (!existsSync(hranaStart)) {
    console.log(`\n远程数据库测试未运行：没有 ../shared/hrana（${hranaStart} 不存在）\nRemote database tests DID NOT RUN: no Hrana server at ${hranaStart}.\n`);
    process.exit(0);
  }
  if (!args.some((a) => !a.startsWith('-'))) args = [...REMOTE_DEFAULT, ...args];
}

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
  // .astro templates are left out (.prettierignore): their whitespace between inline elements is
  // rendered text, and astro check covers them (docs/decisions/083).
  ['prettier --check', ['node_modules/prettier/bin/prettier.cjs', '--check', '--log-level', 'warn', '.']],
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
  if (remote && !(await warmUpHrana(runTmp))) throw new Error('远程数据库测试无法运行：Hrana 服务器启动失败 / the Hrana server did not start');
  const started = Date.now();
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], {
    stdio: 'inherit',
    env: { ...process.env, ...(chromium ? { CHROMIUM_PATH: chromium } : {}), ...(remote ? { TEST_DATABASE: 'remote', HRANA_START: hranaStart } : {}), ASTRO_TELEMETRY_DISABLED: '1', TMPDIR: runTmp },
  });
  status = r.status ?? 1;
  if (remote) {
    const took = Math.round((Date.now() - started) / 1000);
    console.log(
      status === 0
        ? `\n远程数据库测试已运行并通过（DATABASE_URL=http://…，Hrana，${took} 秒）/ Remote database tests ran and passed (${took} s).`
        : `\n远程数据库测试已运行，有失败（Hrana，${took} 秒）/ Remote database tests ran and FAILED (${took} s).`,
    );
  }
} finally {
  if (!process.env.KEEP_TEST_TMP) rmSync(runTmp, { recursive: true, force: true, maxRetries: 3 });
  else console.log(`temporary files kept in ${runTmp}`);
}
process.exit(status);

/**
 * Starts one Hrana server and stops it once ready: the first start on a machine installs python3-aiohttp
 * and compiles SQLite (~40 s), which must not happen in several test workers at once.
 */
async function warmUpHrana(dir) {
  console.log('准备远程数据库（Hrana）… / Preparing the Hrana server (the first time compiles SQLite)…');
  const t = Date.now();
  const proc = spawn(hranaStart, [join(dir, 'warm-up.db')], { env: { ...process.env, HRANA_PORT: '0', LOG_LEVEL: 'INFO' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const ok = await new Promise((resolve) => {
    const check = (d) => {
      out += d;
      if (out.includes('Server is ready')) resolve(true);
    };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
    proc.on('exit', () => resolve(out.includes('Server is ready')));
  });
  proc.kill();
  if (!ok) console.error(out);
  else console.log(`Hrana 已就绪（${Math.round((Date.now() - t) / 100) / 10} 秒）/ ready`);
  return ok;
}
