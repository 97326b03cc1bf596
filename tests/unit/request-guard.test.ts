import { afterEach, describe, expect, test } from 'vitest';
import http from 'node:http';
import { clientAnswer, createRequestGuard, MAX_URL_BYTES } from '../../src/server/request-guard.ts';

let server: http.Server | undefined;
afterEach(() => server?.close());

async function serve(guard: ReturnType<typeof createRequestGuard>) {
  server = http.createServer((req, res) => {
    if (guard(req, res)) return;
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as { port: number }).port}`;
}

describe('request guard', () => {
  test('answers 503 with Retry-After while the event loop lags, then recovers', async () => {
    const guard = createRequestGuard({ lagThresholdMs: 100, sampleMs: 50, holdMs: 300 });
    const url = await serve(guard);
    expect((await fetch(url)).status).toBe(200);
    const until = Date.now() + 400;
    while (Date.now() < until) {
      /* block the loop like a slow synchronous query would */
    }
    await new Promise((r) => setTimeout(r, 60));
    const busy = await fetch(url);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('5');
    expect(await busy.text()).toContain('系统繁忙');
    await new Promise((r) => setTimeout(r, 400));
    expect((await fetch(url)).status).toBe(200);
    guard.stop();
  });

  test('refuses a declared oversized body with 413 before reading it', async () => {
    const guard = createRequestGuard({ maxBodyBytes: 1024 });
    const url = await serve(guard);
    const res = await fetch(url, { method: 'POST', body: 'x'.repeat(4096), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('提交内容过大');
    const ok = await fetch(url, { method: 'POST', body: 'x'.repeat(100) });
    expect(ok.status).toBe(200);
    guard.stop();
  });

  test("a malformed URL gets a Chinese 400, not the framework's English one", async () => {
    const guard = createRequestGuard();
    const url = await serve(guard);
    const { request } = await import('node:http');
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      request(url + '/%E0%A4%A', (r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      })
        .on('error', reject)
        .end();
    });
    expect(res.status).toBe(400);
    expect(res.body).toContain('网址格式不正确');
    guard.stop();
  });

  // Issue 18, item 6: a 3,000-character search answered an empty HTTP 431.
  test('an overlong URL gets a Chinese 414; a request Node itself refuses gets a Chinese page too', async () => {
    const guard = createRequestGuard();
    const url = await serve(guard);
    const long = await fetch(`${url}/search?q=${encodeURIComponent('好'.repeat(1000))}`);
    expect(long.status).toBe(414);
    expect(await long.text()).toContain('搜索词请不超过 40 个字');
    expect((await fetch(`${url}/search?q=${'a'.repeat(MAX_URL_BYTES - 20)}`)).status).toBe(200);
    guard.stop();
    server!.close();
    // Headers over Node's limit never reach a handler: the clientError answer is the page.
    server = http.createServer({ maxHeaderSize: 1024 }, (_req, res) => res.end('ok'));
    server.on('clientError', (err: NodeJS.ErrnoException, socket) => socket.end(clientAnswer(err.code, { 'X-Content-Type-Options': 'nosniff' })));
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/search?q=${'a'.repeat(4000)}`);
    expect(res.status).toBe(431);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('请删减搜索词');
  });
});
