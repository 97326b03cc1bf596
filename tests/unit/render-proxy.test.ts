// The front's hand-over of renders to a worker (docs/decisions/110): what a visitor gets back is what
// the worker answered — status, every Set-Cookie, the body whole or streamed — the worker learns the
// visitor's address and nothing a visitor claims, and a worker that is gone means a busy page, not a hang.
import { afterEach, describe, expect, test } from 'vitest';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { CLIENT_ADDRESS_HEADER, createRenderProxy } from '../../src/server/render-proxy.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const listen = (server: http.Server, where: string | number) =>
  new Promise<void>((resolve) => (typeof where === 'string' ? server.listen(where, resolve) : server.listen(where, '127.0.0.1', resolve)));
const close = (server: http.Server) =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** A worker on a Unix socket answering with `answer`, and a front on a TCP port proxying to it. */
async function frontAndWorker(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'render-proxy-'));
  const socketPath = join(dir, 'render-0.sock');
  const worker = http.createServer(answer);
  await listen(worker, socketPath);
  const proxy = createRenderProxy({
    busy: (_req, res) => {
      res.writeHead(503, { 'Retry-After': '2', 'Content-Type': 'text/html; charset=utf-8' });
      res.end('系统繁忙');
    },
  });
  proxy.up(0, socketPath);
  const front = http.createServer((req, res) => void proxy(req, res));
  await listen(front, 0);
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => close(worker));
  cleanups.push(() => close(front));
  cleanups.push(() => proxy.down(0));
  return { url: `http://127.0.0.1:${(front.address() as AddressInfo).port}`, proxy, worker };
}

/** One request; the answer with its raw body. */
function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('render proxy', () => {
  test("the worker gets the visitor's address, never the one a visitor claims", async () => {
    const seen: (string | undefined)[] = [];
    const { url } = await frontAndWorker((req, res) => {
      seen.push(req.headers[CLIENT_ADDRESS_HEADER] as string | undefined);
      res.end('ok');
    });
    await request(url + '/');
    await request(url + '/', { headers: { [CLIENT_ADDRESS_HEADER]: '10.9.8.7' } });
    expect(seen).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  test('status, every Set-Cookie and a small page come back as the worker sent them, the page in one piece with its length', async () => {
    const { url } = await frontAndWorker((_req, res) => {
      res.writeHead(409, { 'Content-Type': 'text/html; charset=utf-8', 'Set-Cookie': ['a=1; HttpOnly', 'b=2; Path=/'] });
      res.write('<p>名额已满</p>');
      res.end('<p>已为您加入候补</p>');
    });
    const r = await request(url + '/events/1');
    expect(r.status).toBe(409);
    expect(r.headers['set-cookie']).toEqual(['a=1; HttpOnly', 'b=2; Path=/']);
    expect(r.body.toString()).toBe('<p>名额已满</p><p>已为您加入候补</p>');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.headers['transfer-encoding']).toBeUndefined();
  });

  test('a long answer (an export) streams through whole; an uploaded body reaches the worker whole', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'x');
    let uploaded = 0;
    const { url } = await frontAndWorker((req, res) => {
      if (req.method === 'POST') {
        req.on('data', (c: Buffer) => (uploaded += c.length));
        req.on('end', () => res.end(String(uploaded)));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let i = 0; i < 48; i++) res.write(big.subarray(i * 65536, (i + 1) * 65536));
      res.end();
    });
    const r = await request(url + '/console/ledger.xlsx');
    expect(r.body.length).toBe(3 * 1024 * 1024);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    const up = await request(url + '/me/upload', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.alloc(1024 * 1024, 'y') });
    expect(up.body.toString()).toBe(String(1024 * 1024));
  });

  test('a worker that is gone, or none at all, gives the busy page at once', async () => {
    const { url, proxy, worker } = await frontAndWorker((_req, res) => res.end('ok'));
    await close(worker);
    const r = await request(url + '/');
    expect(r.status).toBe(503);
    expect(r.body.toString()).toContain('系统繁忙');
    proxy.down(0);
    expect((await request(url + '/')).status).toBe(503);
  });

  test('renders go to the worker with the fewest in progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'render-proxy-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const hits = [0, 0];
    const held: ServerResponse[] = [];
    const workers = [0, 1].map((i) =>
      http.createServer((req, res) => {
        hits[i]++;
        if (req.url === '/slow') held.push(res);
        else res.end(String(i));
      }),
    );
    for (const [i, w] of workers.entries()) {
      await listen(w, join(dir, `w${i}.sock`));
      cleanups.push(() => close(w));
    }
    const proxy = createRenderProxy({ busy: (_q, res) => res.writeHead(503).end() });
    proxy.up(0, join(dir, 'w0.sock'));
    proxy.up(1, join(dir, 'w1.sock'));
    const front = http.createServer((req, res) => void proxy(req, res));
    await listen(front, 0);
    cleanups.push(() => close(front));
    cleanups.push(() => {
      proxy.down(0);
      proxy.down(1);
    });
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
    // One worker is busy with a slow render: the next requests all go to the other.
    const slow = request(url + '/slow').catch(() => null);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    const busyWorker = hits[0] === 1 ? 0 : 1;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await request(url + '/')).body.toString());
    expect(answers).toEqual(Array(4).fill(String(1 - busyWorker)));
    expect(proxy.inflight()[busyWorker]).toBe(1);
    held[0].end('done');
    await slow;
  });
});
