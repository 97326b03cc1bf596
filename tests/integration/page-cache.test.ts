// The anonymous-page cache: what it stores, for whom, and how entries die when
// the database changes — across two "processes" (two connections, two caches)
// on the same database file.
import { afterEach, describe, expect, test } from 'vitest';
import http from 'node:http';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { freshDb } from '../helpers/db.ts';
import { rawGet } from '../helpers/raw-get.ts';
import { openDb, type Db } from '../../db/client.ts';
import { createPageCache, cacheKey } from '../../src/server/page-cache.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A stand-in for Astro's handler: renders the honoree count from the database. */
function appHandler(db: Db) {
  const calls = { n: 0 };
  const handler = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    calls.n++;
    const rs = await db.$client.execute(`SELECT count(*) AS n, group_concat(name) AS names FROM honorees WHERE status = 'published'`);
    const cookies = String(req.headers.cookie ?? '');
    const headers: Record<string, string> = { 'Content-Type': 'text/html; charset=utf-8' };
    if (cookies.includes('sx_session')) headers['Cache-Control'] = 'private, no-store';
    if (req.url === '/set-cookie') headers['Set-Cookie'] = 'x=1';
    const status = req.url === '/missing' ? 404 : 200;
    res.writeHead(status, headers);
    res.write(`<p>好人 ${rs.rows[0].n}：${rs.rows[0].names ?? ''}</p>`);
    res.end('<!-- ' + 'x'.repeat(2000) + ' -->');
  };
  return { handler, calls };
}

async function serve(db: Db) {
  const { handler, calls } = appHandler(db);
  const readVersion = async () => Number((await db.$client.execute(`SELECT version FROM cache_versions WHERE scope = 'public'`)).rows[0].version);
  const listener = createPageCache(handler, { readVersion, versionTtlMs: 0 });
  const server = http.createServer((req, res) => void listener(req, res));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, listener };
}

async function addHonoree(db: Db, slug: string, name: string) {
  await db.$client.execute({ sql: `INSERT INTO honorees (slug, name, category, level, summary, status, created_at) VALUES (?, ?, '助人为乐', '县', '事迹', 'published', 0)`, args: [slug, name] });
}

describe('page cache', () => {
  test.each([
    ['GET', '/honors', undefined, '0|/honors'],
    ['GET', '/honors?page=2', 'sx_large=1', '1|/honors?page=2'],
    ['POST', '/honors', undefined, null],
    ['GET', '/me', undefined, null],
    ['GET', '/console/articles', undefined, null],
    ['GET', '/honors', 'sx_session=abc', null],
    // A cookie no page reads is not part of the key (analytics, or a cookie cache-buster).
    ['GET', '/honors', 'sx_large=1; other=2', '1|/honors'],
    ['GET', '/honors', 'Hm_lvt_0123456789abcdef=1764720000; r=8f3a', '0|/honors'],
    ['GET', '/honors', 'r=1; sx_session=abc', null],
    ['GET', '/_astro/x.css', undefined, null],
    // Uploaded files never enter the anonymous cache, private evidence least of all (docs/decisions/076).
    ['GET', '/files/abcdefghijklmnopqrstuvwxyz234567-480.webp', undefined, null],
    ['GET', '/files/abcdefghijklmnopqrstuvwxyz234567', undefined, null],
    ['GET', '/media/abcdefghijklmnopqrst', undefined, null],
    ['GET', '/honors/h-abc/photo.webp', undefined, null],
  ])('%s %s with cookie %s → key %s', (method, url, cookie, key) => {
    expect(cacheKey({ method, url, headers: cookie ? { cookie } : {} })).toBe(key);
  });

  test('an anonymous GET is served from the cache, compressed, with an ETag answered by 304', async () => {
    const db = await freshDb();
    await addHonoree(db, 'a', '张三');
    const app = await serve(db);
    const first = await rawGet(app.url + '/honors', { 'accept-encoding': 'gzip' });
    expect(first.headers['x-cache']).toBe('MISS');
    expect(gunzipSync(first.body).toString()).toContain('好人 1：张三');
    const second = await rawGet(app.url + '/honors', { 'accept-encoding': 'br' });
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(second.body).toString()).toContain('张三');
    expect(app.calls.n).toBe(1);
    const etag = String(second.headers.etag);
    const revalidated = await rawGet(app.url + '/honors', { 'accept-encoding': 'br', 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body.length).toBe(0);
    // 适老化 pages are cached separately
    const large = await rawGet(app.url + '/honors', { cookie: 'sx_large=1' });
    expect(large.headers['x-cache']).toBe('MISS');
  });

  test('a cache-buster is a hit: parameters the page does not read never reach it (issue 22)', async () => {
    const db = await freshDb();
    await addHonoree(db, 'a', '张三');
    const seen: string[] = [];
    const readVersion = async () => Number((await db.$client.execute(`SELECT version FROM cache_versions WHERE scope = 'public'`)).rows[0].version);
    const listener = createPageCache(
      (req, res) => {
        seen.push(String(req.url));
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<link rel="canonical" href="${req.url}">`);
      },
      { readVersion },
    );
    const server = http.createServer((req, res) => void listener(req, res));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await rawGet(`${url}/honors/a?r=${Math.random()}&utm_source=wx${i}`));
    expect(answers.map((a) => a.headers['x-cache'])).toEqual(['MISS', ...Array(19).fill('HIT')]);
    // One render, of the URL without the parameters it does not read: nothing a visitor typed is stored.
    expect(seen).toEqual(['/honors/a']);
    expect(answers[19].body.toString()).toBe('<link rel="canonical" href="/honors/a">');
    // What a page reads still counts: two search pages, two renders.
    await rawGet(`${url}/search?q=${encodeURIComponent('社区')}&r=1`);
    await rawGet(`${url}/search?q=${encodeURIComponent('敬老')}&r=1`);
    expect(seen.slice(1)).toEqual(['/search?q=%E7%A4%BE%E5%8C%BA', '/search?q=%E6%95%AC%E8%80%81']);
  });

  test('signed-in requests, Set-Cookie responses and non-200 answers are never cached', async () => {
    const db = await freshDb();
    const app = await serve(db);
    for (let i = 0; i < 2; i++) {
      const r = await rawGet(app.url + '/honors', { cookie: 'sx_session=tok' });
      expect(r.headers['x-cache']).toBeUndefined();
      expect(r.headers['cache-control']).toBe('private, no-store');
      expect((await rawGet(app.url + '/set-cookie')).headers['set-cookie']).toEqual(['x=1']);
      expect((await rawGet(app.url + '/missing')).status).toBe(404);
    }
    expect(app.calls.n).toBe(6);
    expect(app.listener.size()).toBe(0);
  });

  test('a write from another connection invalidates the cached page in two processes', async () => {
    const db = await freshDb();
    await addHonoree(db, 'a', '张三');
    const procA = await serve(await openDb({ url: db.url }));
    const procB = await serve(await openDb({ url: db.url }));
    for (const p of [procA, procB]) {
      await rawGet(p.url + '/');
      expect((await rawGet(p.url + '/')).headers['x-cache']).toBe('HIT');
    }
    // publish (insert), like (update of like_count) and a sign-up-like write from a third connection
    const writer = await openDb({ url: db.url });
    await addHonoree(writer, 'b', '李四');
    for (const p of [procA, procB]) {
      const r = await rawGet(p.url + '/');
      expect(r.headers['x-cache']).toBe('MISS');
      expect(r.body.toString()).toContain('李四');
    }
    await writer.$client.execute(`UPDATE honorees SET like_count = like_count + 1 WHERE slug = 'a'`);
    for (const p of [procA, procB]) expect((await rawGet(p.url + '/')).headers['x-cache']).toBe('MISS');
    expect((await rawGet(procA.url + '/')).headers['x-cache']).toBe('HIT');
  });

  test('entries are bounded (LRU by count)', async () => {
    const db = await freshDb();
    const { handler } = appHandler(db);
    const listener = createPageCache(handler, { readVersion: async () => 1, maxEntries: 3 });
    const server = http.createServer((req, res) => void listener(req, res));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let i = 0; i < 10; i++) await rawGet(`${url}/search?q=${i}`);
    expect(listener.size()).toBe(3);
  });
});

describe('page cache under concurrency', () => {
  test('concurrent misses for one URL render once', async () => {
    const db = await freshDb();
    let renders = 0;
    const handler = async (_req: http.IncomingMessage, res: http.ServerResponse) => {
      renders++;
      await new Promise((r) => setTimeout(r, 50));
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<p>慢页面</p>');
    };
    const readVersion = async () => Number((await db.$client.execute(`SELECT version FROM cache_versions WHERE scope = 'public'`)).rows[0].version);
    const listener = createPageCache(handler, { readVersion });
    const server = http.createServer((req, res) => void listener(req, res));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/stats`;
    const all = await Promise.all(Array.from({ length: 20 }, () => rawGet(url)));
    expect(all.every((r) => r.status === 200 && r.body.toString() === '<p>慢页面</p>')).toBe(true);
    expect(renders).toBe(1);
  });
});

describe('ETag matching', () => {
  test('a base tag containing "-" still matches its encoded variants', async () => {
    const { etagMatches } = await import('../../src/server/compressed-body.ts');
    expect(etagMatches('"Q2p8PgJnUoGY4k-sBlcj-br"', 'Q2p8PgJnUoGY4k-sBlcj')).toBe(true);
    expect(etagMatches('W/"Q2p8PgJnUoGY4k-sBlcj-gzip"', 'Q2p8PgJnUoGY4k-sBlcj')).toBe(true);
    expect(etagMatches('"Q2p8PgJnUoGY4k-br"', 'Q2p8PgJnUoGY4k-sBlcj')).toBe(false);
  });
});
