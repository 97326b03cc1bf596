// Logout is a POST: delete the session row and the cookie.
import type { APIRoute } from 'astro';
import { appDb } from '../lib/db.ts';
import { config } from '../lib/config.ts';
import { SESSION_COOKIE, invalidateSession, sessionCookieOptions } from '../domain/accounts/sessions.ts';

export const POST: APIRoute = async ({ locals, cookies, redirect }) => {
  if (locals.session) await invalidateSession(await appDb(), locals.session.id);
  cookies.set(SESSION_COOKIE, '', sessionCookieOptions(config().siteUrl));
  return redirect('/', 303);
};
