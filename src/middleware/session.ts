// The session cookie, validated once per request: locals.user, locals.session and locals.unread
// (docs/decisions/010; one statement, docs/decisions/074).
import type { MiddlewareHandler } from 'astro';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { SESSION_COOKIE, sessionCookieOptions, validateSessionToken } from '../domain/accounts/sessions.ts';

/** Signs the request in from its `sx_session` cookie, slides the expiry, and clears a cookie that names no session. */
export const session: MiddlewareHandler = async (ctx, next) => {
  ctx.locals.user = null;
  ctx.locals.session = null;
  ctx.locals.unread = 0;
  const token = ctx.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    // Checked already for this request by src/server/signup-form.ts when it let the request through.
    const checked = ctx.locals.checkedSession;
    const result = checked?.token === token ? checked.result : await validateSessionToken(await appDb(), token);
    if (result) {
      ctx.locals.user = result.user;
      ctx.locals.session = result.session;
      ctx.locals.unread = result.unread;
      // Sliding expiry: the browser's copy moves with the database's (at most once a minute for staff).
      if (result.renewed) ctx.cookies.set(SESSION_COOKIE, token, sessionCookieOptions(config().siteUrl, result.session.expiresAt));
    } else {
      ctx.cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
    }
  }
  return next();
};
