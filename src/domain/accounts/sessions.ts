// Sessions per Lucia's design: 20 random bytes, base32 token, only its
// SHA-256 stored; sliding expiry (30 d volunteers, 12 h idle for staff).
import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { sessions, userRoles } from '../../../db/schema/index.ts';

export const SESSION_COOKIE = 'sx_session';
export const VOLUNTEER_TTL_MS = 30 * 24 * 3600_000;
export const STAFF_TTL_MS = 12 * 3600_000;
// A 超市管理员 hands out goods against other people's points: a staff session, like the 文明办's own.
const STAFF_ROLES = new Set(['editor', 'reviewer', 'admin', 'shop_manager']);

/** The user as pages see it. */
export interface SessionUser {
  id: number;
  realName: string;
  phone: string | null;
  roles: string[];
  status: string;
}

export interface Session {
  id: string;
  userId: number;
  expiresAt: number;
}

/** A new random session token (never stored). */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

/** The stored id of a token: hex SHA-256. */
export function sessionIdFromToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Session length for a set of roles: staff get 12 h idle, volunteers 30 d sliding. */
export function sessionTtl(roles: string[]): number {
  return roles.some((r) => STAFF_ROLES.has(r)) ? STAFF_TTL_MS : VOLUNTEER_TTL_MS;
}

/** Creates a session row for the token. */
export async function createSession(db: Db, token: string, userId: number): Promise<Session> {
  const roles = (await db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId))).map((r) => r.role);
  const ttl = sessionTtl(roles);
  const session = { id: sessionIdFromToken(token), userId, expiresAt: Date.now() + ttl };
  await db.insert(sessions).values({ ...session, ttlMs: ttl, createdAt: Date.now() });
  return session;
}

/** The unread count stops here: the header shows 99+, and a long-unread inbox costs no more to count. */
export const UNREAD_COUNT_CAP = 100;

/** The unread count as the page header's 站内信 link shows it (src/layouts/Public.astro, src/server/signup-refusal-page.ts). */
export function unreadLabel(unread: number): string {
  return unread > 99 ? '99+' : String(unread);
}

/** Looks a token up; extends it when past half its window; null when invalid, expired or the user is not active. */
export async function validateSessionToken(db: Db, token: string): Promise<{ session: Session; user: SessionUser; renewed: boolean; unread: number } | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = sessionIdFromToken(token);
  // One statement per request: session, user, roles and the unread count the page header shows.
  // Every signed-in request runs it, so it is a fixed SQL text run by the client itself: the query
  // builder cost more than the query (docs/decisions/074), and a template's compile and Drizzle's
  // row copy still add ~4 µs (docs/decisions/084).
  const rs = await db.$client.execute({
    sql: `SELECT s.user_id, s.expires_at, s.ttl_ms, u.real_name, u.phone, u.status,
                 (SELECT group_concat(r.role, ',') FROM user_roles r WHERE r.user_id = s.user_id) AS roles,
                 (SELECT count(*) FROM (SELECT 1 FROM notices n WHERE n.user_id = s.user_id AND n.read_at IS NULL LIMIT ${UNREAD_COUNT_CAP})) AS unread
            FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :id`,
    args: { id },
  });
  const r = rs.rows[0];
  if (!r) return null;
  const row = {
    userId: Number(r.user_id),
    expiresAt: Number(r.expires_at),
    ttlMs: Number(r.ttl_ms),
    realName: String(r.real_name),
    phone: r.phone == null ? null : String(r.phone),
    status: String(r.status),
    roles: r.roles == null ? null : String(r.roles),
  };
  const now = Date.now();
  if (now >= row.expiresAt || row.status !== 'active') {
    await db.run(sql`DELETE FROM sessions WHERE id = ${id}`);
    return null;
  }
  let expiresAt = row.expiresAt;
  if (now >= row.expiresAt - row.ttlMs / 2 || row.ttlMs <= STAFF_TTL_MS) {
    // Staff sessions are idle timeouts: every request pushes them forward, but only write once a minute.
    const next = now + row.ttlMs;
    if (next - row.expiresAt > 60_000) {
      expiresAt = next;
      await db.run(sql`UPDATE sessions SET expires_at = ${expiresAt} WHERE id = ${id}`);
    }
  }
  const roles = row.roles ? row.roles.split(',') : [];
  return {
    session: { id, userId: row.userId, expiresAt },
    user: { id: row.userId, realName: row.realName, phone: row.phone, roles, status: row.status },
    // The cookie needs its expiry moved only when the session's was.
    renewed: expiresAt !== row.expiresAt,
    /** Unread notices (站内信) at the start of the request, counted up to UNREAD_COUNT_CAP (shown as 99+). */
    unread: Number(r.unread),
  };
}

/** A token's lookup done once for the request (src/server/signup-form.ts hands it to src/middleware/session.ts). */
export interface SessionCheck {
  token: string;
  result: Awaited<ReturnType<typeof validateSessionToken>>;
}

/** Deletes one session. */
export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Cookie attributes for the session cookie. */
export function sessionCookieOptions(siteUrl: string, expiresAt?: number) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: siteUrl.startsWith('https:'),
    path: '/',
    ...(expiresAt ? { expires: new Date(expiresAt) } : { maxAge: 0 }),
  };
}

/**
 * The Set-Cookie value of a renewed session, as Astro's `cookies.set` writes it with
 * sessionCookieOptions (for answers given before Astro, src/server/signup-form.ts).
 */
export function serializeSessionCookie(token: string, secure: boolean, expiresAt: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; Expires=${new Date(expiresAt).toUTCString()}; HttpOnly${secure ? '; Secure' : ''}; SameSite=Lax`;
}
