// The anonymous-page cache in front of Astro's handler (issue 8, docs/decisions/060-page-cache.md;
// kept over Astro's route cache by measurement, docs/decisions/085).
//
// A response is cached only when the request is an anonymous GET/HEAD (no cookie other than the
// 适老化 preference), the path is public, and the response is a 200 without Set-Cookie or
// private/no-store. Entries are keyed by the canonical URL (only the query parameters the page
// reads, src/server/page-query.ts) + 适老化 flag, stored gzip- and brotli-compressed with
// an ETag, and dropped when the database's cache version moves (triggers in db/sql/cache.sql bump
// it on every change to public data), so several processes agree.
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { compressedBody, readyHeaders, sendCompressed, sendReady, type CompressedBody, type ReadyHeaders } from './compressed-body.ts';
import { canonicalUrl } from './page-query.ts';

/** Paths that are never cached (per-user, forms with side effects, operations). */
const PRIVATE_PREFIXES = [
  '/me',
  '/console',
  '/_actions',
  '/login',
  '/logout',
  '/register',
  '/prefs',
  '/healthz',
  '/api/',
  '/verify',
  '/password',
  '/reset',
  '/legal/rate',
  '/services/rate',
  '/track',
  '/calendar',
  '/media',
  '/files',
];
/** Each private prefix as the path itself and as a folder, worked out once instead of per request. */
const PRIVATE_MATCH = PRIVATE_PREFIXES.map((p) => [p, p.endsWith('/') ? p : p + '/'] as const);
const STATIC_LIKE = /\.[a-z0-9]{1,5}$/i;
const XML_OR_TEXT = /\.(xml|txt)$/i;
const LARGE_COOKIE = 'sx_large';
/** The session cookie (src/domain/accounts/sessions.ts SESSION_COOKIE; src/server imports no domain code). */
const SESSION_COOKIE = 'sx_session';
const CACHEABLE_TYPES = /^(text\/html|text\/plain|application\/(rss\+)?xml|application\/json|text\/xml|image\/svg\+xml)/i;
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'content-encoding', 'etag']);

/** The node request handler the cache wraps (Astro's, in middleware mode). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

type Headers = Record<string, OutgoingHttpHeader>;
interface Entry extends CompressedBody {
  status: number;
  headers: Headers;
  version: number;
  storedAt: number;
  bytes: number;
  /** A hit's headers per encoding, made at the first hit. */
  ready?: ReadyHeaders;
}
interface Captured {
  status: number;
  headers: Headers;
  body: Buffer;
  statusMessage: string;
}

export interface PageCacheOptions {
  /** The database's cache version (`cache_versions`, scope 'public'). */
  readVersion: () => Promise<number>;
  versionTtlMs?: number;
  maxAgeMs?: number;
  maxEntries?: number;
  maxBytes?: number;
  now?: () => number;
  /** A request header that skips the cache (the benchmark's uncached runs only). */
  bypassHeader?: string | null;
  enabled?: boolean;
}

/** The cache as a request listener (a hit is answered before it returns: no promise), with its counters for tests and the benchmark. */
export interface PageCache {
  (req: IncomingMessage, res: ServerResponse): Promise<unknown> | undefined;
  stats: { hits: number; misses: number; bypass: number; stored: number; evicted: number; coalesced: number };
  size(): number;
  bytes(): number;
  clear(): void;
}

/** Parses a Cookie header into a Map. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of String(header).split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (k) out.set(k, part.slice(i + 1).trim());
  }
  return out;
}

/**
 * The cache key of a request, or null when the request must not be cached: the 适老化 flag and the
 * canonical URL (src/server/page-query.ts), the part after `|` being the URL the page renders with.
 */
export function cacheKey(req: { method?: string; url?: string; headers: IncomingHttpHeaders }): string | null {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const raw = req.url ?? '/';
  if (!raw.startsWith('/')) return null;
  // Measured after dropping unread parameters: a long cache-buster must not turn the cache off.
  const url = canonicalUrl(raw);
  if (url.length > 512) return null;
  const path = url.split('?')[0];
  for (const [exact, folder] of PRIVATE_MATCH) if (path === exact || path.startsWith(folder)) return null;
  // Static files are served by src/server/static-files.ts with their own headers.
  if (path.startsWith('/_astro/') || (STATIC_LIKE.test(path) && !XML_OR_TEXT.test(path))) return null;
  if (req.headers.authorization) return null;
  // Most visitors send no cookie at all: nothing to parse.
  if (!req.headers.cookie) return `0|${url}`;
  const cookies = parseCookies(req.headers.cookie);
  // A signed-in visitor gets their own page. Every other cookie is one no page reads (an analytics
  // cookie a county's proxy adds, or a random one sent to bust the cache, like a query cache-buster):
  // it is not part of the key. The portal's only other cookie, sx_visitor, is read by a POST alone.
  if (cookies.has(SESSION_COOKIE)) return null;
  const large = cookies.get(LARGE_COOKIE) === '1' ? '1' : '0';
  return `${large}|${url}`;
}

function* pairs<T>(arr: readonly T[]): Generator<[T, T]> {
  for (let i = 0; i + 1 < arr.length; i += 2) yield [arr[i], arr[i + 1]];
}

const asBuffer = (chunk: unknown, encoding: unknown): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk) : Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');

/** Wraps an Astro node handler with the cache. */
export function createPageCache(handler: NodeHandler, opts: PageCacheOptions): PageCache {
  const versionTtlMs = opts.versionTtlMs ?? 250;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 2000;
  const maxBytes = opts.maxBytes ?? 48 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  const bypassHeader = opts.bypassHeader ? opts.bypassHeader.toLowerCase() : null;
  const enabled = opts.enabled ?? true;

  const entries = new Map<string, Entry>();
  let bytes = 0;
  let version = -1;
  let checkedAt = -Infinity;
  let dirty = true;
  let pending: Promise<number> | null = null;
  const stats = { hits: 0, misses: 0, bypass: 0, stored: 0, evicted: 0, coalesced: 0 };
  /** Renders in progress by key: concurrent misses wait for the first instead of rendering 50 times. */
  const inflight = new Map<string, Promise<Entry | null>>();

  function drop(key: string) {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    bytes -= e.bytes;
  }
  function clear() {
    entries.clear();
    bytes = 0;
  }

  /** Current database version, read at most every versionTtlMs (and right after a local write). */
  async function currentVersion(): Promise<number> {
    const t = now();
    if (!dirty && t - checkedAt < versionTtlMs) return version;
    pending ??= (async () => {
      try {
        dirty = false;
        const v = Number(await opts.readVersion());
        checkedAt = now();
        if (v !== version) {
          version = v;
          clear();
        }
        return version;
      } finally {
        pending = null;
      }
    })();
    return pending;
  }

  function answerHeaders(entry: Entry, cacheState: 'HIT' | 'MISS'): OutgoingHttpHeaders {
    const headers: OutgoingHttpHeaders = { ...entry.headers, Vary: 'Accept-Encoding, Cookie', 'X-Cache': cacheState };
    if (!headers['cache-control']) headers['Cache-Control'] = 'no-cache';
    return headers;
  }

  function send(req: IncomingMessage, res: ServerResponse, entry: Entry, cacheState: 'HIT' | 'MISS') {
    if (cacheState === 'MISS') return sendCompressed(req, res, entry.status, answerHeaders(entry, 'MISS'), entry);
    entry.ready ??= readyHeaders(answerHeaders(entry, 'HIT'), entry);
    sendReady(req, res, entry.status, entry.ready, entry);
  }

  /** The stored answer for `key` when it is current at version `v` (moved to the LRU's end), or undefined. */
  function lookup(key: string, v: number): Entry | undefined {
    const hit = entries.get(key);
    if (!hit) return undefined;
    if (hit.version !== v || now() - hit.storedAt >= maxAgeMs) {
      drop(key);
      return undefined;
    }
    entries.delete(key); // LRU: move to the end
    entries.set(key, hit);
    return hit;
  }

  function store(key: string, entry: Entry) {
    if (entry.bytes > maxBytes / 8) return;
    drop(key);
    entries.set(key, entry);
    bytes += entry.bytes;
    stats.stored++;
    while (entries.size > maxEntries || bytes > maxBytes) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      drop(oldest);
      stats.evicted++;
    }
  }

  /** Runs the handler with a response that records instead of sending; resolves with what it produced. */
  function capture(req: IncomingMessage, res: ServerResponse): Promise<Captured> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 200;
      let headHeaders: Headers = {};
      const orig = { writeHead: res.writeHead, write: res.write, end: res.end };
      const r = res as unknown as Record<'writeHead' | 'write' | 'end', (...args: unknown[]) => unknown>;
      r.writeHead = (code, reason, hdrs) => {
        status = code as number;
        const h = typeof reason === 'object' && reason !== null ? reason : hdrs;
        if (h) headHeaders = Array.isArray(h) ? Object.fromEntries(pairs(h as string[])) : (h as Headers);
        return res;
      };
      r.write = (chunk, encoding, cb) => {
        if (chunk != null) chunks.push(asBuffer(chunk, encoding));
        if (typeof encoding === 'function') encoding();
        else if (typeof cb === 'function') cb();
        return true;
      };
      r.end = (chunk, encoding, cb) => {
        if (typeof chunk === 'function') {
          cb = chunk;
          chunk = undefined;
        }
        if (chunk != null) chunks.push(asBuffer(chunk, encoding));
        Object.assign(res, orig);
        const headers: Headers = {};
        for (const [k, v] of Object.entries(res.getHeaders())) if (v !== undefined) headers[k.toLowerCase()] = v;
        for (const [k, v] of Object.entries(headHeaders)) headers[k.toLowerCase()] = v;
        for (const k of Object.keys(res.getHeaders())) res.removeHeader(k);
        resolve({ status: status || res.statusCode, headers, body: Buffer.concat(chunks), statusMessage: res.statusMessage });
        if (typeof cb === 'function') cb();
        return res;
      };
      try {
        Promise.resolve(handler(req, res)).catch(reject);
      } catch (e) {
        reject(e);
      }
    });
  }

  function cacheable(r: Captured): boolean {
    if (r.status !== 200) return false;
    if (r.headers['set-cookie']) return false;
    const cc = String(r.headers['cache-control'] ?? '').toLowerCase();
    if (cc.includes('no-store') || cc.includes('private')) return false;
    return CACHEABLE_TYPES.test(String(r.headers['content-type'] ?? ''));
  }

  function makeEntry(r: Captured, v: number): Entry {
    const headers: Headers = {};
    for (const [k, val] of Object.entries(r.headers)) if (!HOP_HEADERS.has(k)) headers[k] = val;
    const c = compressedBody(r.body);
    return { status: r.status, headers, ...c, version: v, storedAt: now(), bytes: c.body.length + (c.gzip?.length ?? 0) + (c.br?.length ?? 0) + 256 };
  }

  /** The request listener: a hit while the version is known to be current is answered at once. */
  function listener(req: IncomingMessage, res: ServerResponse): Promise<unknown> | undefined {
    const key = enabled ? cacheKey(req) : null;
    const bypass = bypassHeader && req.headers[bypassHeader];
    if (!key || bypass) {
      if (bypass) stats.bypass++;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        // This process may be writing: look at the version again on the next request.
        res.once('finish', () => {
          dirty = true;
        });
      }
      return Promise.resolve(handler(req, res));
    }
    // The page sees the URL it is cached under: a parameter it does not read (a cache-buster, a
    // tracking tag) never reaches it, so what is stored is what every URL of this key would render.
    req.url = key.slice(key.indexOf('|') + 1);
    // The hit path: no promise, no await (most answers of a busy portal; issue 22, the cache-hit path).
    if (!dirty && now() - checkedAt < versionTtlMs) {
      const hit = lookup(key, version);
      if (hit) {
        stats.hits++;
        send(req, res, hit, 'HIT');
        return undefined;
      }
    }
    return answerAfterVersion(req, res, key);
  }

  /** A request whose version must be read first, or which is not stored yet. */
  async function answerAfterVersion(req: IncomingMessage, res: ServerResponse, key: string): Promise<unknown> {
    let v: number;
    try {
      v = await currentVersion();
    } catch {
      return handler(req, res); // the database is unreachable: never serve what we cannot validate
    }
    const hit = lookup(key, v);
    if (hit) {
      stats.hits++;
      return send(req, res, hit, 'HIT');
    }
    stats.misses++;
    if (req.method === 'HEAD') return handler(req, res); // only GETs fill the cache
    const running = inflight.get(key);
    if (running) {
      const shared = await running;
      if (shared && shared.version === v) {
        stats.coalesced++;
        return send(req, res, shared, 'HIT');
      }
      return handler(req, res);
    }
    let settle: (e: Entry | null) => void = () => {};
    inflight.set(
      key,
      new Promise((resolve) => {
        settle = resolve;
      }),
    );
    let r: Captured;
    try {
      r = await capture(req, res);
    } catch (e) {
      inflight.delete(key);
      settle(null);
      throw e;
    }
    const entry = cacheable(r) ? makeEntry(r, v) : null;
    inflight.delete(key);
    settle(entry);
    if (entry) {
      // Data may have changed while rendering: store only if the version still holds.
      if (v === version) store(key, entry);
      return send(req, res, entry, 'MISS');
    }
    if (r.statusMessage) res.statusMessage = r.statusMessage;
    res.writeHead(r.status, r.headers);
    res.end(req.method === 'HEAD' ? undefined : r.body);
  }

  return Object.assign(listener, { stats, size: () => entries.size, bytes: () => bytes, clear });
}
