// Shared helpers for the project's scripts.
import { statSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { constants } from 'node:os';

/** Newest modification time (ms) of files below the given paths. */
export function newestMtime(paths) {
  let newest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p)) if (e !== 'node_modules' && !e.startsWith('.')) walk(join(p, e));
    } else if (st.mtimeMs > newest) newest = st.mtimeMs;
  };
  for (const p of paths) walk(p);
  return newest;
}

/** Inputs of the Astro build. */
export const BUILD_INPUTS = ['src', 'db', 'public', 'astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** Whether dist/ is missing or older than the sources. */
export function buildIsStale(root) {
  const stamp = join(root, 'dist', 'server', 'entry.mjs');
  if (!existsSync(stamp)) return true;
  return newestMtime(BUILD_INPUTS.map((p) => join(root, p))) > statSync(stamp).mtimeMs;
}

/** Re-runs the current script under the project's Node 24 (devDependency `node`) when started by an older Node. */
export function ensureProjectNode(root) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return;
  const bin = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    console.error(`需要 Node.js 24：请先运行 npm install / Node.js 24 is required: run npm install first`);
    process.exit(1);
  }
  const r = spawnSync(bin, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

/**
 * ensureProjectNode for the server (scripts/start.mjs): the re-run under Node 24 is a child this
 * process waits for without blocking, so SIGTERM/SIGINT/SIGHUP sent to `npm start` reach the portal
 * (a drain, docs/decisions/104); with spawnSync the signal ended only this process and left the
 * portal running. Resolves at once under Node 24; otherwise never (the process exits with the child).
 */
export function ensureProjectNodeForServer(root) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= 24) return Promise.resolve();
  const bin = join(root, 'node_modules', 'node', 'bin', 'node');
  if (!existsSync(bin)) {
    console.error(`需要 Node.js 24：请先运行 npm install / Node.js 24 is required: run npm install first`);
    process.exit(1);
  }
  const child = spawn(bin, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
  return new Promise(() => {});
}
