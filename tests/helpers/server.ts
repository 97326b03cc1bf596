// Starts the built portal on a free port with its own database, as `npm start` would; under
// TEST_DATABASE=remote that database is a Hrana server over HTTP (decision 082).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REMOTE, sharedDbEnv, startHrana } from './hrana.ts';

export interface DemoLogin {
  label: string;
  phone: string;
  password: string;
}
export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  dbUrl: string;
  proc: ChildProcess;
  accounts: DemoLogin[];
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Spawns `node scripts/start.mjs` and waits until it serves. */
export async function startServer(opts: { env?: Record<string, string>; dataDir?: string; node?: string } = {}): Promise<RunningServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'shanxing-e2e-'));
  const hrana = REMOTE ? await startHrana(join(dataDir, 'portal.db')) : undefined;
  const dbUrl = hrana?.url ?? `file:${join(dataDir, 'portal.db')}`;
  const port = await freePort();
  // `node`: another Node binary to start it with (an older system Node re-runs it under Node 24).
  const proc = spawn(opts.node ?? process.execPath, ['scripts/start.mjs'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      DATA_DIR: dataDir,
      UPLOADS_DIR: join(dataDir, 'uploads'),
      SITE_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'warn',
      // The overload guard would shed load on a busy test machine; its own tests set a low threshold.
      OVERLOAD_LAG_MS: '60000',
      // Likewise admission control (renders still queue; nobody is refused for waiting): tests/e2e/flood.test.ts sets its own.
      RENDER_WAIT_MS: '30000',
      RENDER_WRITE_WAIT_MS: '60000',
      // One process unless a test asks for workers (tests/e2e/workers.test.ts): the files run one at a time on a small machine.
      WORKERS: '1',
      ...sharedDbEnv(),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  while (!out.includes('Serving at')) {
    if (proc.exitCode !== null) throw new Error(`server exited early:\n${out}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const accounts = [...out.matchAll(/^\s+(\S+?)[　\s]+手机号 (\d{11})\s+密码 (\S+)/gm)].map((m) => ({ label: m[1], phone: m[2], password: m[3] }));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    dbUrl,
    proc,
    accounts,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      const code = await exited;
      await hrana?.stop();
      return code;
    },
  };
}
