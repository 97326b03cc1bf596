// The build's static files (dist/client: hashed /_astro/ scripts, and whatever a `public` folder
// would add), served from memory. Astro's adapter runs in middleware mode so that a page or form
// request no longer costs a file-system stat first (docs/decisions/074).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { compressedBody, readyHeaders, sendReady, type CompressedBody, type ReadyHeaders } from './compressed-body.ts';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.pdf': 'application/pdf',
};
const COMPRESSIBLE = /^(text\/|application\/(json|xml)|image\/svg)/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && !e.name.startsWith('.')) out.push(p);
  }
  return out;
}

/** Answers GET/HEAD for a file of the build (true when it answered); `count` is how many files it holds. */
export interface StaticFiles {
  (req: IncomingMessage, res: ServerResponse): boolean;
  count: number;
}

/**
 * Loads dist/client and returns a request handler that answers GET/HEAD for those files with
 * ETag/304, compression and long caching for hashed /_astro/ files.
 */
export function createStaticFiles(clientDir: string): StaticFiles {
  const files = new Map<string, CompressedBody & { ready: ReadyHeaders }>();
  if (existsSync(clientDir)) {
    // Every file is held (dist/client holds a few KB of hashed scripts): one that
    // was skipped here would be a 404, since Astro in middleware mode serves no files itself.
    for (const file of walk(clientDir)) {
      const url = '/' + relative(clientDir, file).split(sep).join('/');
      const body = readFileSync(file);
      const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      const c = compressedBody(body, { compress: COMPRESSIBLE.test(type) && body.length > 512 });
      const cache = url.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600';
      // Every answer's headers made once, per encoding.
      files.set(url, { ...c, ready: readyHeaders({ 'Content-Type': type, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding' }, c) });
    }
  }

  const serve = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const f = files.get(q >= 0 ? url.slice(0, q) : url);
    if (!f) return false;
    sendReady(req, res, 200, f.ready, f);
    return true;
  };
  return Object.assign(serve, { count: files.size });
}
