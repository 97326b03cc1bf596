// The build's static files (dist/client: hashed /_astro/ scripts and styles, anything
// from public/), served from memory. Astro's adapter runs in middleware mode so that a
// page or form request no longer costs a file-system stat first (docs/decisions/074).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { chooseEncoding, etagMatches } from './page-cache.mjs';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.webp': 'image/webp', '.avif': 'image/avif', '.gif': 'image/gif', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.pdf': 'application/pdf',
};
const COMPRESSIBLE = /^(text\/|application\/(json|xml)|image\/svg)/;
/** Files bigger than this are not held in memory (none are today: dist/client is a few KB). */
const MAX_FILE_BYTES = 2 * 1024 * 1024;

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && !e.name.startsWith('.')) out.push(p);
  }
  return out;
}

/**
 * Loads dist/client and returns a request handler that answers GET/HEAD for those
 * files (true when it answered) with ETag/304, compression and long caching for
 * hashed /_astro/ files.
 */
export function createStaticFiles(clientDir) {
  /** @type {Map<string, { type: string, body: Buffer, gzip: Buffer | null, br: Buffer | null, etag: string, cache: string }>} */
  const files = new Map();
  if (existsSync(clientDir)) {
    for (const file of walk(clientDir)) {
      if (statSync(file).size > MAX_FILE_BYTES) continue;
      const url = '/' + relative(clientDir, file).split(sep).join('/');
      const body = readFileSync(file);
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const compress = COMPRESSIBLE.test(type) && body.length > 512;
      files.set(url, {
        type, body,
        gzip: compress ? gzipSync(body, { level: 9 }) : null,
        br: compress ? brotliCompressSync(body) : null,
        etag: createHash('sha256').update(body).digest('base64url').slice(0, 22),
        cache: url.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      });
    }
  }

  const serve = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const q = req.url.indexOf('?');
    const f = files.get(q >= 0 ? req.url.slice(0, q) : req.url);
    if (!f) return false;
    const enc = f.gzip ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
    const etag = `"${f.etag}-${enc === 'br' ? 'br' : enc === 'gzip' ? 'gzip' : 'id'}"`;
    const headers = { 'Content-Type': f.type, 'Cache-Control': f.cache, ETag: etag, 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding' };
    if (etagMatches(req.headers['if-none-match'], f.etag)) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const body = enc === 'br' ? f.br : enc === 'gzip' ? f.gzip : f.body;
    if (enc !== 'identity') headers['Content-Encoding'] = enc;
    headers['Content-Length'] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
  serve.count = files.size;
  return serve;
}
