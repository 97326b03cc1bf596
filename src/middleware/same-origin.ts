// The one origin check for state-changing requests: forms, Actions and everything else. It replaces
// Astro's `security.checkOrigin`, which answered cross-site forms before this middleware ran — in
// English, without security headers or a log line (issue 16, item 3; docs/decisions/085).
import type { MiddlewareHandler } from 'astro';
import { log, redactPath } from '../lib/log.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** The content types a cross-site HTML form can send without asking (as Astro's check matches them). */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * Whether a request may change state here. A form (or a body without a type) must carry an Origin
 * equal to ours, as Astro's check required; any other body may instead show `Sec-Fetch-Site:
 * same-origin` (or `none`, typed by the user) when it carries no Origin.
 */
export function isSameOriginWrite(request: Request, url: URL): boolean {
  if (SAFE.has(request.method)) return true;
  const origin = request.headers.get('origin');
  if (origin) return origin === url.origin;
  const type = (request.headers.get('content-type') ?? '').toLowerCase();
  if (!type || FORM_TYPES.some((t) => type.includes(t))) return false;
  const site = request.headers.get('sec-fetch-site');
  return site === 'same-origin' || site === 'none';
}

/** Refuses a cross-site write with 403 in Chinese. */
export const sameOrigin: MiddlewareHandler = (ctx, next) => {
  if (isSameOriginWrite(ctx.request, ctx.url)) return next();
  log('warn', 'cross-site request refused', { reqId: ctx.locals.requestId, method: ctx.request.method, route: redactPath(ctx.url.pathname) });
  return new Response('跨站请求被拒绝 / Cross-site request refused', { status: 403, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
};
