// Session cookie → Astro.locals.user; 适老化 preference; security headers.
import { defineMiddleware } from 'astro:middleware';
import { randomUUID } from 'node:crypto';
import { appDb } from './lib/db.ts';
import { config } from './lib/config.ts';
import { SESSION_COOKIE, sessionCookieOptions, validateSessionToken } from './domain/accounts/sessions.ts';

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

export const onRequest = defineMiddleware(async (ctx, next) => {
  ctx.locals.requestId = randomUUID();
  ctx.locals.user = null;
  ctx.locals.session = null;
  ctx.locals.largeType = ctx.cookies.get('sx_large')?.value === '1';
  const token = ctx.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    const db = await appDb();
    const result = await validateSessionToken(db, token);
    if (result) {
      ctx.locals.user = result.user;
      ctx.locals.session = result.session;
      ctx.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(config().siteUrl, result.session.expiresAt));
    } else {
      ctx.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
    }
  }
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
