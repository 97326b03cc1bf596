// Renders handed to worker processes (issue 22, docs/decisions/110): with WORKER_BALANCE=front the
// primary keeps the port, the static files, the page cache and the admission gate, and passes each
// request that must render to the worker with the fewest requests in progress, over that worker's
// private Unix socket. A render never runs on the loop that answers cache hits.
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { NodeHandler } from './page-cache.ts';

/**
 * The header the front sets to the visitor's socket address. A worker believes it only on its
 * private socket (a folder only this user may open), and the front overwrites whatever a client sent.
 */
export const CLIENT_ADDRESS_HEADER = 'x-shanxing-client-address';

/** Headers of one connection, not of the message: never forwarded in either direction. */
const HOP_HEADERS = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);
/** An answer up to this size is sent whole, with Content-Length; a longer one streams through. */
const HOLD_BYTES = 64 * 1024;

interface Backend {
  socketPath: string;
  agent: http.Agent;
  inflight: number;
}

/** The proxy as a node handler, and the supervisor's view of which workers can take renders. */
export interface RenderProxy extends NodeHandler {
  /** Worker `index` serves at `socketPath` (again, after a restart). */
  up(index: number, socketPath: string): void;
  /** Worker `index` is gone: no new renders go to it. */
  down(index: number): void;
  /** Requests in progress per worker (tests and the log). */
  inflight(): number[];
}

export interface RenderProxyOptions {
  /** Answers a request no worker could take (the busy page: 503 + Retry-After). */
  busy: (req: IncomingMessage, res: ServerResponse) => void;
}

/** Creates the proxy; workers are added with `up` as they start serving. */
export function createRenderProxy({ busy }: RenderProxyOptions): RenderProxy {
  const backends: (Backend | undefined)[] = [];
  let turn = 0;

  /** The worker with the fewest requests in progress; ties go round in turn. */
  function pick(): Backend | undefined {
    let best: Backend | undefined;
    const n = backends.length;
    for (let i = 0; i < n; i++) {
      const b = backends[(turn + i) % n];
      if (b && (!best || b.inflight < best.inflight)) best = b;
    }
    turn = (turn + 1) % Math.max(1, n);
    return best;
  }

  const proxy = (req: IncomingMessage, res: ServerResponse): Promise<void> | void => {
    const backend = pick();
    if (!backend) return busy(req, res);
    backend.inflight++;
    return new Promise<void>((resolve) => {
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        backend.inflight--;
        resolve();
      };
      const headers: OutgoingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) headers[k] = v;
      if (req.headers['transfer-encoding']) headers['transfer-encoding'] = req.headers['transfer-encoding'];
      headers[CLIENT_ADDRESS_HEADER] = req.socket.remoteAddress ?? '';
      const upstream = http.request({ socketPath: backend.socketPath, agent: backend.agent, method: req.method, path: req.url, headers });
      const bodyless = (req.method === 'GET' || req.method === 'HEAD') && !req.headers['content-length'] && !req.headers['transfer-encoding'];
      // A page view goes out in one write; a body is piped as it comes, after the headers, which the
      // worker sees at once: a connection without a request is idle to it, and a draining worker
      // (SIGTERM) would close it under a form whose body is still on its way.
      if (bodyless) upstream.end();
      else upstream.flushHeaders();
      upstream.on('response', (answer) => {
        const status = answer.statusCode ?? 502;
        const out: OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(answer.headers)) if (v !== undefined && !HOP_HEADERS.has(k)) out[k] = v;
        if (answer.statusMessage) res.statusMessage = answer.statusMessage;
        // A page (a few KB) is held until it is whole and goes out in one write with its length: each
        // write to the visitor is a system call, which on a busy machine costs more than the page's
        // JavaScript here. Past HOLD_BYTES (an export) it streams on.
        let held: Buffer[] | null = [];
        let heldBytes = 0;
        const pass = (chunk: Buffer) => {
          // A slow client holds the worker's stream, not the front's memory (a 台账 export streams).
          if (res.write(chunk) === false) {
            answer.pause();
            res.once('drain', () => answer.resume());
          }
        };
        answer.on('data', (chunk: Buffer) => {
          if (!held) return pass(chunk);
          held.push(chunk);
          heldBytes += chunk.length;
          if (heldBytes <= HOLD_BYTES) return;
          const first = held;
          held = null;
          res.writeHead(status, out);
          for (const c of first) pass(c);
        });
        answer.once('end', () => {
          if (held) {
            const body = held.length === 1 ? held[0] : Buffer.concat(held);
            const bodyAllowed = req.method !== 'HEAD' && status !== 204 && status !== 304;
            if (bodyAllowed && out['content-length'] === undefined) out['content-length'] = String(body.length);
            res.writeHead(status, out);
            res.end(bodyAllowed ? body : undefined);
          } else res.end();
          settle();
        });
        answer.once('error', () => {
          res.destroy();
          settle();
        });
      });
      upstream.once('error', () => {
        // The worker died or restarts: the visitor may try again in a moment, as with any busy answer.
        if (!res.headersSent && !res.writableEnded) busy(req, res);
        else res.destroy();
        settle();
      });
      // The visitor left: the worker's render is aborted with the connection it ran on.
      res.once('close', () => {
        if (!settled) {
          upstream.destroy();
          settle();
        }
      });
      if (!bodyless) req.pipe(upstream);
    });
  };

  return Object.assign(proxy, {
    up(index: number, socketPath: string) {
      backends[index]?.agent.destroy();
      // Kept-alive connections to each worker: a render costs no connect; at most as many as renders let in.
      backends[index] = { socketPath, agent: new http.Agent({ keepAlive: true, maxSockets: 256 }), inflight: 0 };
    },
    down(index: number) {
      backends[index]?.agent.destroy();
      backends[index] = undefined;
    },
    inflight: () => backends.map((b) => b?.inflight ?? 0),
  });
}
