import { describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createClient } from '@libsql/client';
import { startServer } from '../helpers/server.ts';
import { testLocalOnly } from '../helpers/hrana.ts';

describe('npm start', () => {
  test.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'nonsense://x'],
    ['OVERLOAD_LAG_MS', 'abc'],
    ['MAX_BODY_BYTES', 'abc'],
    ['OUTBOX_INTERVAL_MS', 'abc'],
    ['WORKERS', '0'],
    ['WORKER_BALANCE', 'random'],
  ])('a bad %s stops start-up with one bilingual line', (name, value) => {
    const r = spawnSync(process.execPath, ['scripts/start.mjs'], { env: { ...process.env, [name]: value }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).not.toBe(0);
    const err = r.stderr.trim();
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toContain(`配置错误 ${name}`);
    expect(err).toContain(`Invalid ${name}`);
    expect(err).not.toContain('    at ');
  });

  test('a second start reuses the build and the data, and SIGTERM closes cleanly', async () => {
    const first = await startServer();
    expect(await first.stop('SIGTERM')).toBe(0);
    const t0 = Date.now();
    const second = await startServer({ dataDir: first.dataDir });
    const ready = Date.now() - t0;
    expect(second.output()).not.toContain('正在构建');
    expect(second.accounts).toEqual([]); // printed only on first start
    expect(ready).toBeLessThan(15_000);
    expect((await fetch(second.url + '/healthz')).status).toBe(200);
    expect(await second.stop('SIGTERM')).toBe(0);
  });

  testLocalOnly('SIGKILL during writes loses nothing committed; integrity_check is ok on restart', '写入进程直接使用本地数据库文件（WAL、synchronous=NORMAL）', async () => {
    const s = await startServer();
    await s.stop();
    // A writer process using the portal's own connection settings (WAL, synchronous=NORMAL) reports each commit, then dies by SIGKILL.
    const code = `
      const { openDb } = await import('./db/client.ts');
      const db = await openDb({ url: process.env.DBURL });
      // Bounded: stops by itself after 20 000 commits or 60 s, and when its parent goes away.
      const until = Date.now() + 60_000;
      process.stdout.on('error', () => process.exit(0));
      for (let i = 0; i < 20000 && Date.now() < until; i++) {
        await db.$client.batch([
          { sql: 'INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)', args: [Date.now(), 'test.crash', String(i)] },
          { sql: 'INSERT INTO counters (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1', args: ['crash-test'] },
        ], 'write');
        process.stdout.write(i + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env: { ...process.env, DBURL: s.dbUrl }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      while (out.split('\n').length < 300 && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.on('exit', r));
    const acknowledged = out.split('\n').filter((l) => /^\d+$/.test(l)).length;
    const again = await startServer({ dataDir: s.dataDir });
    const check = createClient({ url: s.dbUrl });
    const ic = await check.execute('PRAGMA integrity_check');
    expect(String(ic.rows[0][0])).toBe('ok');
    const logged = Number((await check.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'test.crash'")).rows[0].n);
    const counter = Number((await check.execute("SELECT value FROM counters WHERE name = 'crash-test'")).rows[0].value);
    expect(logged).toBeGreaterThanOrEqual(acknowledged);
    expect(counter).toBe(logged); // each batch committed whole or not at all
    check.close();
    expect((await fetch(again.url + '/healthz')).status).toBe(200);
    await again.stop();
  });
});
