// Signs a browser context (or a fetch) in as a user by creating a real session row in the server's database.
import type { BrowserContext } from 'playwright-core';
import { openDb } from '../../db/client.ts';
import { createSession, generateSessionToken, SESSION_COOKIE } from '../../src/domain/accounts/sessions.ts';

/** Creates a session for userId in the database at dbUrl; returns the cookie header value. */
export async function sessionCookieFor(dbUrl: string, userId: number): Promise<{ token: string; cookie: string }> {
  const db = await openDb({ url: dbUrl });
  const token = generateSessionToken();
  await createSession(db, token, userId);
  db.$client.close();
  return { token, cookie: `${SESSION_COOKIE}=${token}` };
}

/** Adds a session cookie for userId to a Playwright context. */
export async function signInContext(context: BrowserContext, baseUrl: string, dbUrl: string, userId: number): Promise<void> {
  const { token } = await sessionCookieFor(dbUrl, userId);
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: baseUrl, httpOnly: true, sameSite: 'Lax' }]);
}

/** Looks up a user id by phone in the database at dbUrl. */
export async function userIdByPhoneAt(dbUrl: string, phone: string): Promise<number> {
  const db = await openDb({ url: dbUrl });
  const rs = await db.$client.execute({ sql: 'SELECT id FROM users WHERE phone = ?', args: [phone] });
  db.$client.close();
  if (!rs.rows.length) throw new Error(`no user ${phone}`);
  return Number(rs.rows[0].id);
}
