// The build's static files (dist/client: hashed /_astro/ scripts, and whatever a
// `public` folder would add), served from memory. Astro's adapter runs in middleware mode so that a
// page or form request no longer costs a file-system stat first (docs/decisions/074).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { compressedBody, sendCompressed } from './page-cache.mjs';

const TYPES = {
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8', '.map': 'application/json; charset=utf-8', '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg',
  '.webp': 'image/webp', '.avif': 'image/avif', '.gif': 'image/gif', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.pdf': 'application/pdf',
};
const COMPRESSIBLE = /^(text\/|application\/(json|xml)|image\/svg)/;

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
  /** @type {Map<string, ReturnType<typeof compressedBody> & { type: string, cache: string }>} */
  const files = new Map();
  if (existsSync(clientDir)) {
    // Every file is held (dist/client holds a few KB of hashed scripts): one that
    // was skipped here would be a 404, since Astro in middleware mode serves no files itself.
    for (const file of walk(clientDir)) {
      const url = '/' + relative(clientDir, file).split(sep).join('/');
      const body = readFileSync(file);
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      files.set(url, {
        ...compressedBody(body, { compress: COMPRESSIBLE.test(type) && body.length > 512 }),
        type,
        cache: url.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600',
      });
    }
  }

  const serve = (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const q = req.url.indexOf('?');
    const f = files.get(q >= 0 ? req.url.slice(0, q) : req.url);
    if (!f) return false;
    sendCompressed(req, res, 200, { 'Content-Type': f.type, 'Cache-Control': f.cache, 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding' }, f);
    return true;
  };
  serve.count = files.size;
  return serve;
}
