// The HTTP server in front of Astro's handler (built into dist/server/entry.mjs, adapter in
// middleware mode): the request guard, the build's static files from memory, a small form read
// once, the anonymous-page cache, admission control, then Astro (docs/architecture.md "Request
// path"). Behind a front (WORKER_BALANCE=front, docs/decisions/110) the parts split: the front runs
// everything up to the gate and hands renders to workers, each of which only renders.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getDb } from '../../db/client.ts';
import type { AppConfig } from '../lib/config.ts';
import { securityHeaders } from '../lib/security-headers.ts';
import { createPageCache, type NodeHandler } from './page-cache.ts';
import { createAdmission } from './admission.ts';
import { CLIENT_ADDRESS_HEADER, createRenderProxy, type RenderProxy } from './render-proxy.ts';
import { answerBusy, clientAnswer, createRequestGuard } from './request-guard.ts';
import { createStaticFiles } from './static-files.ts';
import { createSignupForm, type SignupFormPass } from './signup-form.ts';

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
 * What a server does: everything (one process, or each worker on a shared port); the front, which
 * renders nothing and hands renders to workers; or a render worker behind the front.
 */
export type ServerRole = 'all' | 'front' | 'render';

/** The portal's server; a front carries the proxy its supervisor tells which workers serve. */
export type PortalServer = http.Server & { renderProxy?: RenderProxy };

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

/** The database of this process, opened once (db/client.ts getDb). */
const database = (config: AppConfig) => getDb({ url: config.databaseUrl, authToken: config.databaseAuthToken, syncUrl: config.databaseSyncUrl });

/** Astro's handler for the build under `root`; a form read by readSmallForm reaches the middleware as locals.rawForm. */
async function astroRender(root: string, role: ServerRole, config: AppConfig, headers: Record<string, string>): Promise<NodeHandler> {
  process.env.ASTRO_NODE_AUTOSTART = 'disabled';
  const entry = (await import(pathToFileURL(join(root, 'dist', 'server', 'entry.mjs')).href)) as { handler: AstroNodeHandler };
  // The 我要报名 form's success is answered before Astro (docs/decisions/109); the rest reaches Astro.
  const signupForm = createSignupForm({ db: () => database(config), siteUrl: config.siteUrl, secretKey: config.secretKey, headers });
  // Every render gets locals.clientReady: a streamed download (the 台账) waits on it between pieces.
  const handle: NodeHandler = async (req: ReadRequest, res) => {
    const locals: Partial<App.Locals> = { clientReady: () => clientReady(res) };
    if (!Buffer.isBuffer(req.body)) return entry.handler(req, res, undefined, locals);
    const pass: SignupFormPass = {};
    if (await signupForm(req, res, pass)) return;
    const { learnRefusalPage, ...handed } = pass;
    const astroLocals: Partial<App.Locals> = { ...locals, rawForm: req.body, ...handed };
    learnRefusalPage?.(res, astroLocals);
    return entry.handler(req, res, undefined, astroLocals);
  };
  if (role !== 'render') return handle;
  return (req, res) => {
    // Behind the front every request comes over one private socket: the visitor's address is the
    // front's header, set as the socket's address for this request (Astro reads it synchronously
    // when it builds the Request, and a kept-alive socket carries one request at a time).
    const address = req.headers[CLIENT_ADDRESS_HEADER];
    delete req.headers[CLIENT_ADDRESS_HEADER];
    Object.defineProperty(req.socket, 'remoteAddress', { value: typeof address === 'string' && address ? address : undefined, configurable: true, writable: true });
    return handle(req, res);
  };
}

/** Creates (but does not start) the portal's HTTP server for the build under `root`. */
export async function createServer({ root, config, role = 'all' }: { root: string; config: AppConfig; role?: ServerRole }): Promise<PortalServer> {
  // Answers given here, before Astro, carry the same security headers as every page.
  const headers = securityHeaders(config.siteUrl);
  const busy = (req: IncomingMessage, res: ServerResponse) => answerBusy(req, res, headers, BUSY_RETRY_AFTER_S);
  // The front loads no Astro: its memory is the page cache and the static files.
  const renderProxy = role === 'front' ? createRenderProxy({ busy }) : undefined;
  const render: NodeHandler = renderProxy ?? (await astroRender(root, role, config, headers));
  // Every render waits its turn at the gate; a cache hit never reaches it (docs/decisions/096). The
  // front holds the one gate for all workers (RENDER_CONCURRENCY per worker); a worker has none.
  const admission = createAdmission({
    concurrency: role === 'render' ? 0 : role === 'front' ? config.http.renderConcurrency * config.workers : config.http.renderConcurrency,
    maxWaitMs: config.http.renderWaitMs,
    maxWriteWaitMs: config.http.renderWriteWaitMs,
    maxQueue: config.http.renderQueueMax,
    refuse: busy,
    refuseDelayMs: BUSY_DELAY_MS,
    // Renders on this loop must leave turns to cache hits; the front's renders run elsewhere.
    fastAnswers: role === 'front' ? undefined : () => staticAnswers + listener.stats.hits + listener.stats.coalesced,
  });
  let staticAnswers = 0;
  const handler = admission(render);
  const staticFiles = createStaticFiles(join(root, 'dist', 'client'));
  const readVersion = async () => {
    const db = await database(config);
    const rs = await db.$client.execute(`SELECT version FROM cache_versions WHERE scope = 'public'`);
    return Number(rs.rows[0]?.version ?? 0);
  };
  const listener = createPageCache(handler, {
    readVersion,
    // Behind a front the one cache is the front's.
    enabled: config.http.pageCache && role !== 'render',
    // Only the benchmark may ask for an uncached render (never exposed otherwise).
    bypassHeader: config.http.benchCacheBypass ? 'x-bench-no-cache' : null,
  });
  const guard = createRequestGuard({
    lagThresholdMs: config.http.overloadLagMs,
    maxBodyBytes: config.http.maxBodyBytes,
    headers,
    // A streamed body passes through the front untouched (its worker counts it): a listener here
    // would start the stream flowing before the proxy is attached, and lose its first chunks.
    watchStreamedBodies: role !== 'front',
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
      // The front passes bodies on as they come; the worker reads the small form.
      if (role !== 'front' && isSmallForm(req)) {
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
  function failed(req: IncomingMessage, res: ServerResponse, err: unknown) {
    console.error('request failed', req.url, err);
    if (!res.headersSent) {
      res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('服务器内部错误 / Internal server error');
    } else res.destroy();
  }
  function dispatch(req: IncomingMessage, res: ServerResponse) {
    // A cache hit is answered inside the call and returns nothing: no promise per hit.
    let answer: Promise<unknown> | undefined;
    try {
      answer = listener(req, res);
    } catch (err) {
      failed(req, res, err);
      return;
    }
    answer?.catch((err: unknown) => failed(req, res, err));
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
  return Object.assign(server, { renderProxy });
}
