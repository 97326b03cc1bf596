// Security headers on every answer that passes the middleware, and no shared caching of a signed-in page.
import type { MiddlewareHandler } from 'astro';
import { config } from '../lib/config.ts';
import { securityHeaders as headersFor } from '../lib/security-headers.ts';

let headers: [string, string][] | undefined;

/** The headers of src/lib/security-headers.ts (a page's own CSP kept); `private, no-store` when signed in. */
export const securityHeaders: MiddlewareHandler = async (ctx, next) => {
  const res = await next();
  const h = res.headers;
  headers ??= Object.entries(headersFor(config().siteUrl));
  for (const [name, value] of headers) if (name !== 'Content-Security-Policy' || !h.has(name)) h.set(name, value);
  if (ctx.locals.user) h.set('Cache-Control', 'private, no-store');
  return res;
};
