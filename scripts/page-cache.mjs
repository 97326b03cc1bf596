// The anonymous-page cache in front of Astro's handler (issue 8,
// docs/decisions/060-page-cache.md). Plain module so tests can drive it.
//
// A response is cached only when the request is an anonymous GET/HEAD (no
// cookie other than the 适老化 preference), the path is public, and the
// response is a 200 without Set-Cookie or private/no-store. Entries are keyed
// by URL + 适老化 flag, stored gzip- and brotli-compressed with an ETag, and
// dropped when the database's cache version moves (triggers in db/sql/cache.sql
// bump it on every change to public data), so several processes agree.
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zc } from 'node:zlib';

/** Paths that are never cached (per-user, forms with side effects, operations). */
const PRIVATE_PREFIXES = ['/me', '/console', '/_actions', '/login', '/logout', '/register', '/prefs', '/healthz', '/api/', '/verify', '/password', '/reset', '/legal/rate', '/calendar', '/media', '/files'];
const LARGE_COOKIE = 'sx_large';
const CACHEABLE_TYPES = /^(text\/html|text\/plain|application\/(rss\+)?xml|application\/json|text\/xml|image\/svg\+xml)/i;
const HOP_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'date', 'content-encoding', 'etag']);

/** Parses a Cookie header into a Map. */
export function parseCookies(header) {
  const out = new Map();
  if (!header) return out;
  for (const part of String(header).split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (k) out.set(k, part.slice(i + 1).trim());
  }
  return out;
}

/** The cache key of a request, or null when the request must not be cached. */
export function cacheKey(req) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return null;
  const url = req.url ?? '/';
  if (!url.startsWith('/') || url.length > 512) return null;
  const path = url.split('?')[0];
  if (PRIVATE_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : p + '/'))) return null;
  // Static files are served by the adapter with their own headers.
  if (path.startsWith('/_astro/') || /\.[a-z0-9]{1,5}$/i.test(path) && !/\.(xml|txt)$/i.test(path)) return null;
  const cookies = parseCookies(req.headers.cookie);
  for (const name of cookies.keys()) if (name !== LARGE_COOKIE) return null; // a session or any other state: render fresh
  if (req.headers.authorization) return null;
  const large = cookies.get(LARGE_COOKIE) === '1' ? '1' : '0';
  return `${large}|${url}`;
}

/** Chooses br, gzip or identity from Accept-Encoding. */
export function chooseEncoding(accept) {
  const a = String(accept ?? '').toLowerCase();
  const has = (enc) => new RegExp(`(^|,)\\s*${enc}\\s*(;\\s*q=(?!0(\\.0*)?\\s*(,|$))[0-9.]+)?\\s*(,|$)`).test(a);
  if (has('br')) return 'br';
  if (has('gzip')) return 'gzip';
  return 'identity';
}

export function etagMatches(ifNoneMatch, base) {
  if (!ifNoneMatch) return false;
  return String(ifNoneMatch).split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '').replace(/"/g, '');
    // The base is base64url (it may itself contain '-'): strip only our encoding suffix.
    return tag === '*' || tag.replace(/-(br|gzip|id)$/, '') === base;
  });
}

/**
 * A body ready to send: its gzip and brotli forms (none when not worth compressing) and a
 * content hash for the ETag. Shared by the page cache and the static files.
 */
export function compressedBody(body, { compress = true } = {}) {
  return {
    body,
    gzip: compress ? gzipSync(body, { level: 6 }) : null,
    br: compress ? brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 5, [zc.BROTLI_PARAM_SIZE_HINT]: body.length } }) : null,
    etag: createHash('sha1').update(body).digest('base64url').slice(0, 20),
  };
}

/** Sends a compressedBody in the encoding the client accepts, with an ETag per encoding and 304 on If-None-Match. */
export function sendCompressed(req, res, status, headers, c) {
  const enc = c.gzip ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
  const out = { ...headers, ETag: `"${c.etag}-${enc === 'identity' ? 'id' : enc}"` };
  if (etagMatches(req.headers['if-none-match'], c.etag)) {
    delete out['content-type'];
    delete out['Content-Type'];
    res.writeHead(304, out);
    res.end();
    return;
  }
  const body = enc === 'br' ? c.br : enc === 'gzip' ? c.gzip : c.body;
  if (enc !== 'identity') out['Content-Encoding'] = enc;
  out['Content-Length'] = String(body.length);
  res.writeHead(status, out);
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Wraps an Astro node handler with the cache.
 * @param {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => unknown} handler
 * @param {{ readVersion: () => Promise<number>, versionTtlMs?: number, maxAgeMs?: number, maxEntries?: number, maxBytes?: number, now?: () => number, bypassHeader?: string | null, enabled?: boolean }} opts
 */
export function createPageCache(handler, opts) {
  const versionTtlMs = opts.versionTtlMs ?? 250;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const maxEntries = opts.maxEntries ?? 2000;
  const maxBytes = opts.maxBytes ?? 48 * 1024 * 1024;
  const now = opts.now ?? Date.now;
  const bypassHeader = opts.bypassHeader ? opts.bypassHeader.toLowerCase() : null;
  const enabled = opts.enabled ?? true;

  /** @type {Map<string, { status: number, headers: Record<string, string | string[]>, body: Buffer, gzip: Buffer, br: Buffer, etag: string, version: number, storedAt: number, bytes: number }>} */
  const entries = new Map();
  let bytes = 0;
  let version = -1;
  let checkedAt = -Infinity;
  let dirty = true;
  let pending = null;
  const stats = { hits: 0, misses: 0, bypass: 0, stored: 0, evicted: 0, coalesced: 0 };
  /** Renders in progress by key: concurrent misses wait for the first instead of rendering 50 times. */
  const inflight = new Map();

  function drop(key) {
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
  async function currentVersion() {
    const t = now();
    if (!dirty && t - checkedAt < versionTtlMs) return version;
    if (!pending) {
      pending = (async () => {
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
    }
    return pending;
  }

  function send(req, res, entry, cacheState) {
    const headers = { ...entry.headers, Vary: 'Accept-Encoding, Cookie', 'X-Cache': cacheState };
    if (!headers['cache-control']) headers['Cache-Control'] = 'no-cache';
    sendCompressed(req, res, entry.status, headers, entry);
  }

  function store(key, entry) {
    if (entry.bytes > maxBytes / 8) return;
    drop(key);
    entries.set(key, entry);
    bytes += entry.bytes;
    stats.stored++;
    while (entries.size > maxEntries || bytes > maxBytes) {
      const oldest = entries.keys().next().value;
      drop(oldest);
      stats.evicted++;
    }
  }

  /** Runs the handler with a response that records instead of sending; resolves with what it produced. */
  function capture(req, res) {
    return new Promise((resolve, reject) => {
      const chunks = [];
      let status = 200;
      let headHeaders = {};
      const orig = { writeHead: res.writeHead, write: res.write, end: res.end };
      res.writeHead = function (code, reason, hdrs) {
        status = code;
        const h = typeof reason === 'object' && reason !== null ? reason : hdrs;
        if (h) headHeaders = Array.isArray(h) ? Object.fromEntries(pairs(h)) : h;
        return res;
      };
      res.write = function (chunk, encoding, cb) {
        if (chunk != null) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'));
        if (typeof encoding === 'function') encoding();
        else if (typeof cb === 'function') cb();
        return true;
      };
      res.end = function (chunk, encoding, cb) {
        if (typeof chunk === 'function') { cb = chunk; chunk = undefined; }
        if (chunk != null) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, typeof encoding === 'string' ? encoding : 'utf8'));
        Object.assign(res, orig);
        const headers = {};
        for (const [k, v] of Object.entries(res.getHeaders())) headers[k.toLowerCase()] = v;
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

  function cacheable(r) {
    if (r.status !== 200) return false;
    if (r.headers['set-cookie']) return false;
    const cc = String(r.headers['cache-control'] ?? '').toLowerCase();
    if (cc.includes('no-store') || cc.includes('private')) return false;
    return CACHEABLE_TYPES.test(String(r.headers['content-type'] ?? ''));
  }

  function makeEntry(r, v) {
    const headers = {};
    for (const [k, val] of Object.entries(r.headers)) if (!HOP_HEADERS.has(k)) headers[k] = val;
    const c = compressedBody(r.body);
    return { status: r.status, headers, ...c, version: v, storedAt: now(), bytes: c.body.length + c.gzip.length + c.br.length + 256 };
  }

  /** The request listener. */
  async function listener(req, res) {
    const key = enabled ? cacheKey(req) : null;
    const bypass = bypassHeader && req.headers[bypassHeader];
    if (!key || bypass) {
      if (bypass) stats.bypass++;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        // This process may be writing: look at the version again on the next request.
        res.once('finish', () => { dirty = true; });
      }
      return handler(req, res);
    }
    let v;
    try {
      v = await currentVersion();
    } catch {
      return handler(req, res); // the database is unreachable: never serve what we cannot validate
    }
    const hit = entries.get(key);
    if (hit && hit.version === v && now() - hit.storedAt < maxAgeMs) {
      entries.delete(key); // LRU: move to the end
      entries.set(key, hit);
      stats.hits++;
      return send(req, res, hit, 'HIT');
    }
    if (hit) drop(key);
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
    let settle;
    inflight.set(key, new Promise((resolve) => { settle = resolve; }));
    let r;
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

  listener.stats = stats;
  listener.size = () => entries.size;
  listener.bytes = () => bytes;
  listener.clear = clear;
  return listener;
}

function* pairs(arr) {
  for (let i = 0; i + 1 < arr.length; i += 2) yield [arr[i], arr[i + 1]];
}
