// The HTTP server in front of Astro's handler (built into dist/server/entry.mjs, adapter in
// middleware mode): the request guard, the build's static files from memory, a small form read
// once, the anonymous-page cache, then Astro (docs/architecture.md "Request path").
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDb } from '../../db/client.ts';
import type { AppConfig } from '../lib/config.ts';
import { securityHeaders } from '../lib/security-headers.ts';
import { createPageCache, type NodeHandler } from './page-cache.ts';
import { createAdmission } from './admission.ts';
import { answerBusy, clientAnswer, createRequestGuard } from './request-guard.ts';
import { createStaticFiles } from './static-files.ts';

const SMALL_FORM_BYTES = 64 * 1024;
const URLENCODED = /^application\/x-www-form-urlencoded\b/i;
/** A refused render may try again soon: the queue it could not join drains within RENDER_WAIT_MS. */
const BUSY_RETRY_AFTER_S = 2;
/** Refusals are held this long (well within the 100 ms issue 22 allows) so a flood's retries do not crowd out cache hits. */
const BUSY_DELAY_MS = 80;

/** A request whose small url-encoded body was read here (handed to Astro as bytes). */
type ReadRequest = IncomingMessage & { body?: Buffer };

/** The node handler of Astro's adapter in middleware mode; the fourth argument becomes `Astro.locals`. */
type AstroNodeHandler = (req: IncomingMessage, res: ServerResponse, next: undefined, locals?: Partial<App.Locals>) => Promise<void>;

/** A POST of an url-encoded form that says it is small (no chunked bodies: those go to Astro as they come). */
function isSmallForm(req: IncomingMessage): boolean {
  if (req.method !== 'POST' || !URLENCODED.test(req.headers['content-type'] ?? '')) return false;
  const n = Number(req.headers['content-length']);
  return Number.isInteger(n) && n > 0 && n <= SMALL_FORM_BYTES;
}

/**
 * Resolves when the response can take more bytes (after a turn of the event loop), or once the client is
 * gone. Astro writes a streamed body as fast as it is produced, without waiting for `drain`; a body that
 * waits on this before making its next piece keeps a slow client from making the server buffer the file
 * (docs/decisions/108).
 */
export function clientReady(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed || !res.writableNeedDrain) {
      setImmediate(resolve);
      return;
    }
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Creates (but does not start) the portal's HTTP server for the build under `root`. */
export async function createServer({ root, config }: { root: string; config: AppConfig }): Promise<http.Server> {
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const entry = (await import(pathToFileURL(join(root, 'dist', 'server', 'entry.mjs')).href)) as { handler: AstroNodeHandler };
  // Astro's adapter in middleware mode: pages and actions only; static files are ours.
  // A form read by readSmallForm below reaches the middleware as locals.rawForm.
  // Every render gets locals.clientReady: a streamed download (the 台账) waits on it between pieces.
  const render: NodeHandler = (req: ReadRequest, res) => {
    const locals: Partial<App.Locals> = { clientReady: () => clientReady(res) };
    if (Buffer.isBuffer(req.body)) locals.rawForm = req.body;
    return entry.handler(req, res, undefined, locals);
  };
  // Answers given here, before Astro, carry the same security headers as every page.
  const headers = securityHeaders(config.siteUrl);
  // Every render waits its turn at the gate; a cache hit never reaches it (docs/decisions/096).
  const admission = createAdmission({
    concurrency: config.http.renderConcurrency,
    maxWaitMs: config.http.renderWaitMs,
    maxWriteWaitMs: config.http.renderWriteWaitMs,
    maxQueue: config.http.renderQueueMax,
    refuse: (req, res) => answerBusy(req, res, headers, BUSY_RETRY_AFTER_S),
    refuseDelayMs: BUSY_DELAY_MS,
    fastAnswers: () => staticAnswers + listener.stats.hits + listener.stats.coalesced,
  });
  let staticAnswers = 0;
  const handler = admission(render);
  const staticFiles = createStaticFiles(join(root, 'dist', 'client'));
  const readVersion = async () => {
    const db = await getDb({ url: config.databaseUrl, authToken: config.databaseAuthToken, syncUrl: config.databaseSyncUrl });
    const rs = await db.$client.execute(`SELECT version FROM cache_versions WHERE scope = 'public'`);
    return Number(rs.rows[0]?.version ?? 0);
  };
  const listener = createPageCache(handler, {
    readVersion,
    enabled: config.http.pageCache,
    // Only the benchmark may ask for an uncached render (never exposed otherwise).
    bypassHeader: config.http.benchCacheBypass ? 'x-bench-no-cache' : null,
  });
  const guard = createRequestGuard({
    lagThresholdMs: config.http.overloadLagMs,
    maxBodyBytes: config.http.maxBodyBytes,
    headers,
  });
  // Slow clients (slowloris) are cut off: headers must arrive within HEADERS_TIMEOUT_MS, the whole
  // request within REQUEST_TIMEOUT_MS; Node checks both every CONNECTIONS_CHECK_MS (docs/decisions/071).
  // Values validated by src/lib/config.ts (a bad one stopped start-up already).
  const headersTimeout = config.http.headersTimeoutMs;
  const requestTimeout = Math.max(config.http.requestTimeoutMs, headersTimeout);
  const server = http.createServer(
    {
      connectionsCheckingInterval: Math.min(config.http.connectionsCheckMs, headersTimeout),
      headersTimeout,
      requestTimeout,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      // Room for a long pasted search (3,000 characters ≈ 27 KB encoded) to reach the guard's Chinese 414
      // instead of the parser's bare 431; anything longer still gets clientAnswer's Chinese 431.
      maxHeaderSize: 64 * 1024,
    },
    (req, res) => {
      // Static files first: they are sent from memory and cost nothing, so a page the lag guard
      // let through never arrives without its stylesheet (only GET/HEAD of a built file matches).
      if (staticFiles(req, res)) {
        staticAnswers++;
        return;
      }
      if (guard(req, res)) return;
      if (isSmallForm(req)) {
        readSmallForm(req, res);
        return;
      }
      dispatch(req, res);
    },
  );
  // A small url-encoded form (every form but uploads) is read once here: Astro then builds its
  // Request from the bytes instead of from a stream, and the middleware parses the same bytes
  // (locals.rawForm) instead of cloning the request a second time (docs/decisions/074).
  function readSmallForm(req: ReadRequest, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => {
      // Node's parser stops at Content-Length, so this is at most SMALL_FORM_BYTES.
      req.body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
      dispatch(req, res);
    });
    req.once('error', () => res.destroy());
  }
  function dispatch(req: IncomingMessage, res: ServerResponse) {
    Promise.resolve(listener(req, res)).catch((err) => {
      console.error('request failed', req.url, err);
      if (!res.headersSent) {
        res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('服务器内部错误 / Internal server error');
      } else res.destroy();
    });
  }
  // What Node's parser refuses (headers over maxHeaderSize, a malformed request, a timeout) gets a
  // Chinese page too; a socket that is already gone is just closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    socket.end(clientAnswer(err.code, headers));
  });
  server.on('close', () => guard.stop());
  return server;
}
