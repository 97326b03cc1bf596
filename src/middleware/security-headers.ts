// Security headers on every answer that passes the middleware, and no shared caching of a signed-in page.
import { defineMiddleware } from 'astro:middleware';
import { config } from '../lib/config.ts';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

/** CSP without inline scripts (unless a page set its own), nosniff, no framing, HSTS on https; `private, no-store` when signed in. */
export const securityHeaders = defineMiddleware(async (ctx, next) => {
  const res = await next();
  const h = res.headers;
  if (!h.has('Content-Security-Policy')) h.set('Content-Security-Policy', CSP);
  h.set('X-Content-Type-Options', 'nosniff');
  h.set('Referrer-Policy', 'strict-origin-when-cross-origin');
  h.set('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()');
  h.set('X-Frame-Options', 'DENY');
  if (config().siteUrl.startsWith('https:')) h.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  if (ctx.locals.user) h.set('Cache-Control', 'private, no-store');
  return res;
});
