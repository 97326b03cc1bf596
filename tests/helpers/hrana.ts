// The remote-database switch of the test suite (docs/decisions/082-remote-database-tests.md):
// under TEST_DATABASE=remote (npm run test:remote) every fresh database is a libSQL server
// speaking Hrana over HTTP (../shared/hrana, beside the repository), not a local file.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, test } from 'vitest';
import { freePort } from './server.ts';

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/hrana/start.sh relative to the repository root (HRANA_START overrides it). */
export const hranaStart = process.env.HRANA_START ?? join(repoRoot, '..', 'shared', 'hrana', 'start.sh');

/** True when this run points every test database at a Hrana server (npm run test:remote). */
export const REMOTE = process.env.TEST_DATABASE === 'remote';

/** What the run says when it cannot test the remote path. */
export const REMOTE_NOT_RUN = '远程数据库测试未运行：没有 ../shared/hrana';

/**
 * The environment an operator adds for a process on a shared database: SECRET_KEY, the same in every
 * process (src/lib/config.ts refuses to generate one then). Empty for a local file.
 */
export function sharedDbEnv(): Record<string, string> {
  return REMOTE ? { SECRET_KEY: RUN_SECRET_KEY } : {};
}
const RUN_SECRET_KEY = randomBytes(32).toString('hex');

export interface HranaServer {
  url: string;
  /** The SQLite file the server keeps. */
  file: string;
  stop: () => Promise<void>;
}

const running = new Set<HranaServer>();

/**
 * Starts a Hrana server over `file` on a free port; resolves when it logs "Server is ready".
 * The server dies with this process even on SIGKILL: it is started under a shell that kills it
 * when its stdin (a pipe from us) closes.
 */
export async function startHrana(file: string): Promise<HranaServer> {
  if (!existsSync(hranaStart)) throw new Error(`${REMOTE_NOT_RUN} (${hranaStart})`);
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const proc = spawn('sh', ['-c', '"$0" "$1" & pid=$!; cat >/dev/null; kill $pid 2>/dev/null; wait $pid', hranaStart, file], {
      // INFO: the server says "Server is ready" at that level (then logs every request, read and dropped).
      env: { ...process.env, HRANA_PORT: String(port), LOG_LEVEL: 'INFO' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let keep = true;
    const collect = (d: Buffer) => {
      if (keep) out += d;
    };
    proc.stdout!.on('data', collect);
    proc.stderr!.on('data', collect);
    const exited = new Promise<void>((r) => proc.on('exit', () => r()));
    const ready = await new Promise<boolean>((resolveReady) => {
      const deadline = setTimeout(() => resolveReady(false), 300_000);
      const check = () => {
        if (out.includes('Server is ready')) {
          clearTimeout(deadline);
          resolveReady(true);
        }
      };
      proc.stdout!.on('data', check);
      proc.stderr!.on('data', check);
      exited.then(() => {
        clearTimeout(deadline);
        resolveReady(out.includes('Server is ready'));
      });
    });
    if (!ready) {
      proc.stdin!.end();
      await exited;
      // Another test took the port between freePort() and the bind: try another one.
      if (/address already in use|Errno 98/i.test(out) && attempt < 5) continue;
      throw new Error(`Hrana server did not start (${hranaStart}):\n${out}`);
    }
    keep = false;
    const server: HranaServer = {
      url: `http://127.0.0.1:${port}`,
      file,
      stop: async () => {
        running.delete(server);
        proc.stdin!.end();
        await exited;
      },
    };
    running.add(server);
    return server;
  }
}

/** Stops every Hrana server this test file started (registered once per file by the helpers). */
export function stopHranaAfterAll(): void {
  afterAll(async () => {
    await Promise.all([...running].map((s) => s.stop()));
  });
}

/**
 * A describe block about the local database file itself (db/local-client.ts, WAL, copying the
 * file): under the remote run it is reported as skipped, with the reason in its title and a line
 * in the run's output, never passed as if it had run.
 */
export function describeLocalOnly(name: string, why: string, body: () => void): void {
  if (!REMOTE) {
    describe(name, body);
    return;
  }
  console.log(`未运行（仅本地数据库文件）/ NOT RUN on the remote database: ${name} — ${why}`);
  describe(`${name} — 仅本地数据库文件，远程运行未执行：${why}`, () => {
    test.skip(`未运行：${why}`, () => {});
  });
}

/** One test about the local database file itself; under the remote run skipped as describeLocalOnly says. */
export function testLocalOnly(name: string, why: string, fn: () => Promise<void> | void): void {
  if (!REMOTE) {
    test(name, fn);
    return;
  }
  console.log(`未运行（仅本地数据库文件）/ NOT RUN on the remote database: ${name} — ${why}`);
  test.skip(`${name} — 仅本地数据库文件，远程运行未执行：${why}`, () => {});
}
