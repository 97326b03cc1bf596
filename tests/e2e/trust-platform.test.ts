import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { describeLocalOnly } from '../helpers/hrana.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server?.stop();
});

describe('security headers on every response', () => {
  test.each(['/', '/honors', '/healthz', '/no-such-page', '/events'])('%s', async (path) => {
    const res = await fetch(server.url + path);
    const csp = res.headers.get('content-security-policy') ?? '';
    const scriptSrc = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
    expect(scriptSrc).toBeTruthy();
    expect(scriptSrc).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    expect(res.headers.get('strict-transport-security')).toBeNull(); // SITE_URL is http here
  });

  // Issue 16, item 3: answers the HTTP layer gives before Astro (src/server/request-guard.ts) carried
  // none of the headers the middleware adds to every page.
  test.each([
    ['an undecodable URL (400)', '/%E0%A4%A', 'GET', {}, 400],
    ['a declared oversized body (413)', '/logout', 'POST', { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(13 * 1024 * 1024) }, 413],
  ])('%s answered before Astro carries them too', async (_name, path, method, extra, status) => {
    const { request } = await import('node:http');
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(server.url + path, { method, headers: { origin: server.url, ...extra } }, (r) => {
        r.resume();
        resolve(r);
      });
      req.on('error', reject);
      if (method === 'POST') req.write('x=1');
      else req.end();
    });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  });

  test('HSTS and Secure cookies when SITE_URL is https', async () => {
    const s = await startServer({ env: { SITE_URL: 'https://shanxing.example.gov.cn' } });
    const res = await fetch(s.url + '/');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    await s.stop();
  });
});

describe('cross-site requests', () => {
  test.each([
    ['text/plain', 'a=b'],
    ['application/json', '{"a":1}'],
    ['application/x-www-form-urlencoded', 'a=b'],
  ])('a cross-origin %s POST is refused with 403', async (type, body) => {
    for (const path of ['/logout', '/_actions/accounts.login', '/honors']) {
      const res = await fetch(server.url + path, { method: 'POST', headers: { 'content-type': type, origin: 'https://evil.example' }, body, redirect: 'manual' });
      expect(res.status, `${type} ${path}`).toBe(403);
    }
  });
  // Issue 16, item 3: Astro's own origin check ran before our middleware and answered form posts
  // itself — in English, without the security headers, and without a log line.
  test.each([
    ['application/x-www-form-urlencoded', '/login?_action=accounts.login'],
    ['multipart/form-data; boundary=x', '/honors'],
    ['text/plain', '/_actions/accounts.login'],
    ['application/json', '/logout'],
    ['', '/logout'],
  ])('a cross-site %s POST to %s is refused in Chinese, with the security headers, and logged', async (type, path) => {
    const before = server.output().length;
    const headers: Record<string, string> = { origin: 'https://evil.example' };
    if (type) headers['content-type'] = type;
    const res = await fetch(server.url + path, { method: 'POST', headers, body: 'a=b', redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('跨站请求被拒绝');
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    await expect.poll(() => server.output().slice(before)).toContain('"msg":"cross-site request refused"');
  });
  test.each(['PROPFIND', 'PURGE'])('a cross-site %s with a JSON body is refused like a POST (both old checks let it reach the page)', async (method) => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(server.url + '/honors', { method, headers: { origin: 'https://evil.example', 'content-type': 'application/json' } }, (r) => {
        r.resume();
        resolve(r.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(status).toBe(403);
  });
  test('a JSON POST without any origin proof is refused', async () => {
    const res = await fetch(server.url + '/logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}', redirect: 'manual' });
    expect(res.status).toBe(403);
  });
  test('a same-origin form POST passes the origin check', async () => {
    const res = await fetch(server.url + '/logout', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url }, body: '', redirect: 'manual' });
    expect(res.status).toBe(303);
  });
});

describe('oversized bodies', () => {
  test('are refused early with 413 in Chinese, before the body is read', async () => {
    const { request } = await import('node:http');
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        server.url + '/logout',
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: server.url, 'content-length': String(13 * 1024 * 1024) },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write('x=' + 'a'.repeat(1024)); // only a sliver of the declared 13 MB is ever sent
    });
    expect(status).toBe(413);
    expect(text).toContain('提交内容过大');
  });
});

describeLocalOnly('backup and restore', 'db:backup 与 db:restore 只适用于本地数据库文件', () => {
  test('db:backup under load gives a consistent copy that db:restore brings back', async () => {
    const db = createClient({ url: server.dbUrl });
    let stop = false;
    const writer = (async () => {
      let i = 0;
      while (!stop) await db.execute({ sql: 'INSERT INTO audit_log (at, action, detail) VALUES (?, ?, ?)', args: [Date.now(), 'test.backup', String(i++)] });
    })();
    const readers = Array.from({ length: 20 }, () => fetch(server.url + '/honors').then((r) => r.text()));
    const outDir = mkdtempSync(join(tmpdir(), 'shanxing-backup-'));
    const env = { ...process.env, DATABASE_URL: server.dbUrl, DATA_DIR: server.dataDir };
    const backup = spawnSync(process.execPath, ['scripts/backup.mjs', `--dir=${outDir}`], { env, encoding: 'utf8' });
    stop = true;
    await Promise.all([writer, ...readers]);
    expect(backup.status, backup.stderr).toBe(0);
    const [file] = readdirSync(outDir);
    expect(file).toMatch(/^shanxing-\d{8}T\d{6}Z\.db$/);
    const copy = createClient({ url: `file:${join(outDir, file)}` });
    expect(String((await copy.execute('PRAGMA integrity_check')).rows[0][0])).toBe('ok');
    const honoreesInCopy = Number((await copy.execute("SELECT count(*) AS n FROM honorees WHERE status = 'published'")).rows[0].n);
    copy.close();
    db.close();

    // Restore into a fresh data directory and serve it.
    const restoreDir = mkdtempSync(join(tmpdir(), 'shanxing-restore-'));
    const target = `file:${join(restoreDir, 'portal.db')}`;
    const refused = spawnSync(process.execPath, ['scripts/restore.mjs', join(outDir, file)], { env: { ...process.env, DATABASE_URL: target }, encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('--yes');
    const restored = spawnSync(process.execPath, ['scripts/restore.mjs', join(outDir, file), '--yes'], { env: { ...process.env, DATABASE_URL: target }, encoding: 'utf8' });
    expect(restored.status, restored.stderr).toBe(0);
    const s2 = await startServer({ dataDir: restoreDir, env: { SECRET_KEY: '' } });
    expect(s2.accounts).toEqual([]); // data came from the backup, not a new seed
    const html = await (await fetch(s2.url + '/honors')).text();
    expect(html).toContain(`共 ${honoreesInCopy} 位`);
    await s2.stop();
  });

  test('a damaged file is refused and nothing changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shanxing-bad-'));
    const bad = join(dir, 'bad.db');
    spawnSync('sh', ['-c', `head -c 8192 /dev/urandom > ${bad}`]);
    const r = spawnSync(process.execPath, ['scripts/restore.mjs', bad, '--yes'], { env: { ...process.env, DATABASE_URL: `file:${join(dir, 'target.db')}` }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('未做任何更改');
  });
});
