// Issue 15, items 3, 4, 11, 13, 16: what a hostile request can do to the running portal — send a
// visitor elsewhere, poison the page cache through Host, reach a 500 through an object's built-in
// names, break a serving process by starting another, or move a like count with a script.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { startServer, type RunningServer } from '../helpers/server.ts';
import { openQ, postAction, type Q } from '../helpers/trust.ts';
import { NEW_LIKE_VISITORS_PER_IP_PER_DAY } from '../../src/domain/honors/publicity.ts';

let server: RunningServer;
let q: Q;
beforeAll(async () => {
  server = await startServer();
  q = openQ(server.dbUrl);
});
afterAll(async () => {
  q?.client.close();
  await server?.stop();
});

/** A GET whose Host header and path are sent exactly as given (fetch would normalise both). */
function rawRequest(path: string, headers: Record<string, string> = {}): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, path, method: 'GET', headers, insecureHTTPParser: true }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Where a browser would land after following `location` from the portal's address. */
const landsOn = (location: string) => new URL(location.replace(/[\t\n\r]/g, '').replace(/\\/g, '/'), server.url + '/').origin;

describe('item 3: one safe redirect for every next-style parameter', () => {
  const hostile = [
    '/%09/evil.example/x',
    '/%0a/evil.example/x',
    '/%0d/evil.example',
    '//evil.example/x',
    '/%5Cevil.example',
    '%5C%5Cevil.example',
    'https://evil.example/',
    '/%2F/evil.example',
    '%09//evil.example',
    '/..//evil.example',
    'http:evil.example',
    '/%E2%80%AE/evil.example',
    '%2F%2Fevil.example',
    '/%C2%A0/evil.example',
    '/%20/evil.example',
  ];
  test.each(hostile)('大字模式 with next=%s stays on the site', async (next) => {
    const r = await rawRequest(`/prefs/large-type?on=1&next=${next}`);
    expect(r.status).toBe(303);
    expect(landsOn(r.location!)).toBe(new URL(server.url).origin);
  });

  test.each(['/%E6%B4%BB%E5%8A%A8', '/a%0Ab', '/%E2%80%A8', '/x%0D%0ASet-Cookie:%20a=b'])('next=%s (non-ASCII, line breaks) answers a redirect, never a 500', async (next) => {
    const r = await rawRequest(`/prefs/large-type?on=0&next=${next}`);
    expect(r.status).toBe(303);
    expect(r.location).toMatch(/^\/[\x21-\x7e]*$/);
  });

  test('a local next is kept', async () => {
    const r = await rawRequest('/prefs/large-type?on=1&next=%2Fhonors%3Fcategory%3D%E5%8A%A9%E4%BA%BA%E4%B8%BA%E4%B9%90');
    expect(r.location).toBe('/honors?category=%E5%8A%A9%E4%BA%BA%E4%B8%BA%E4%B9%90');
  });

  test('login with a hostile next goes to /me, not elsewhere', async () => {
    const r = await rawRequest('/login?next=/%09/evil.example/x');
    expect(r.body).toContain('<input type="hidden" name="next" value="/me">');
  });
});

describe('item 4: no absolute URL comes from request headers', () => {
  test('a forged Host never reaches og:url, for the visitor or for the next one (cache)', async () => {
    for (const path of ['/', '/honors', '/articles', '/events']) {
      const forged = await rawRequest(path, { Host: 'evil.example' });
      const honest = await rawRequest(path);
      for (const r of [forged, honest]) {
        expect(r.status).toBe(200);
        expect(r.body).not.toContain('evil.example');
        expect(r.body).toContain(`<meta property="og:url" content="${server.url}${path}"`);
      }
    }
  });

  test('a server others can reach without SITE_URL says so loudly at start-up', async () => {
    const s = await startServer({ env: { HOST: '0.0.0.0', SITE_URL: '' } });
    try {
      expect(s.output()).toContain('未设置 SITE_URL');
      expect(s.output()).toContain('SITE_URL is not set');
    } finally {
      await s.stop();
    }
    expect(server.output()).not.toContain('未设置 SITE_URL');
  });
});

describe("item 11: request values are never looked up among an object's built-in names", () => {
  const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '__defineGetter__'];
  const pages = ['/search?q=好人&type=', '/events/1?done=', '/articles?channel=', '/honors?category=', '/honors?level=', '/teams?area=', '/legal/order?topic=', '/verify?code='];
  test.each(pages.flatMap((p) => names.map((n) => [p + n] as [string])))('%s', async (path) => {
    const r = await rawRequest(encodeURI(path));
    expect(r.status).toBeLessThan(500);
    expect(r.body).not.toContain('[object Object]');
    expect(r.body).not.toMatch(/function \w*\(\) \{ \[native code\] \}/);
  });
});

/** Runs a node script without blocking this process (the load keeps going meanwhile). */
function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill(), 60_000);
    p.on('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

describe('item 13: another process starting does not disturb a serving one', () => {
  test('npm run user:create and db:migrate while searches run: no 500', async () => {
    let stop = false;
    const statuses: number[] = [];
    const load = (async () => {
      for (let i = 0; !stop && i < 2000; i++) statuses.push((await rawRequest(`/search?q=${encodeURIComponent(['社区', '好人', '志愿服务', '反诈'][i % 4])}&r=${i}`)).status);
    })();
    const env = { ...process.env, DATABASE_URL: server.dbUrl, DATA_DIR: server.dataDir, SHANXING_PASSWORD: 'a-long-enough-password-42' };
    const created = await run(['scripts/user-create.mjs', '--phone', '13700001313', '--name', '运维员', '--role', 'editor'], env);
    const migrated = await run(['scripts/migrate.mjs'], env);
    stop = true;
    await load;
    expect(created.status, created.stderr).toBe(0);
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });
});

describe('item 16: likes', () => {
  test('a script without cookies cannot move the count; a returning visitor still can', async () => {
    const hid = await q.one(`SELECT h.id FROM honorees h JOIN honor_batches b ON b.id = h.batch_id WHERE h.status = 'candidate' AND b.status = 'publicity' ORDER BY h.id LIMIT 1`);
    const count = () => q.one('SELECT like_count FROM honorees WHERE id = ?', [hid]);
    const before = await count();
    const answers = await Promise.all(
      Array.from({ length: 60 }, () =>
        postAction(server, 'honors.like', new URLSearchParams({ honoreeId: String(hid) }).toString(), { contentType: 'application/x-www-form-urlencoded', page: '/honors/candidates' }),
      ),
    );
    expect(await count()).toBe(before + NEW_LIKE_VISITORS_PER_IP_PER_DAY);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused).toHaveLength(60 - NEW_LIKE_VISITORS_PER_IP_PER_DAY);
    expect(refused[0].body).toContain('防止刷票');
  });
});
