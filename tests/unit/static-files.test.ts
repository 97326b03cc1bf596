// src/server/static-files.ts: the build's static files from memory, with ETag, compression and caching.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createStaticFiles } from '../../src/server/static-files.ts';
import { rawGet } from '../helpers/raw-get.ts';

let server: http.Server;
let base = '';
const script = `document.querySelectorAll('select').forEach((s) => s.addEventListener('change', () => {}));\n`.repeat(20);

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'static-'));
  mkdirSync(join(dir, '_astro'));
  writeFileSync(join(dir, '_astro', 'Region.abc123.js'), script);
  writeFileSync(join(dir, 'robots.txt'), 'User-agent: *\n');
  writeFileSync(join(dir, '.hidden'), 'secret');
  const serve = createStaticFiles(dir);
  server = http.createServer((req, res) => {
    if (serve(req, res)) return;
    res.writeHead(404, { 'X-Fallthrough': '1' });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

test('hashed /_astro/ files: right type, immutable caching, nosniff, gzip, 304 on the ETag', async () => {
  const plain = await rawGet(`${base}/_astro/Region.abc123.js`);
  expect(plain.status).toBe(200);
  expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(plain.headers['x-content-type-options']).toBe('nosniff');
  expect(plain.body.toString()).toBe(script);
  const gz = await rawGet(`${base}/_astro/Region.abc123.js?v=1`, { 'accept-encoding': 'gzip' });
  expect(gz.headers['content-encoding']).toBe('gzip');
  expect(gunzipSync(gz.body).toString()).toBe(script);
  const again = await rawGet(`${base}/_astro/Region.abc123.js`, { 'accept-encoding': 'gzip', 'if-none-match': String(gz.headers.etag) });
  expect(again.status).toBe(304);
});

test('other files get a short cache; unknown paths, dotfiles and POSTs fall through to the app', async () => {
  expect((await rawGet(`${base}/robots.txt`)).headers['cache-control']).toBe('public, max-age=3600');
  for (const path of ['/.hidden', '/events/1', '/_astro/missing.js', '/_astro/Region.abc123.js/']) {
    const r = await rawGet(base + path);
    expect(r.status, path).toBe(404);
    expect(r.headers['x-fallthrough'], path).toBe('1');
  }
  const post = await fetch(`${base}/robots.txt`, { method: 'POST', body: 'x' });
  expect(post.headers.get('x-fallthrough')).toBe('1');
});
