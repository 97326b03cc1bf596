// Sessions per Lucia's design: 20 random bytes, base32 token, only its
// SHA-256 stored; sliding expiry (30 d volunteers, 12 h idle for staff).
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { sessions, users, userRoles } from '../../../db/schema/index.ts';

export const SESSION_COOKIE = 'sx_session';
export const VOLUNTEER_TTL_MS = 30 * 24 * 3600_000;
export const STAFF_TTL_MS = 12 * 3600_000;
const STAFF_ROLES = new Set(['editor', 'reviewer', 'admin']);

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
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
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

/** Looks a token up; extends it when past half its window; null when invalid, expired or the user is not active. */
export async function validateSessionToken(db: Db, token: string): Promise<{ session: Session; user: SessionUser } | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = sessionIdFromToken(token);
  // One statement per request: session, user and roles together (every request runs this).
  const rows = await db
    .select({
      id: sessions.id, userId: sessions.userId, expiresAt: sessions.expiresAt, ttlMs: sessions.ttlMs,
      realName: users.realName, phone: users.phone, status: users.status,
      roles: sql<string | null>`(SELECT group_concat(${userRoles.role}, ',') FROM ${userRoles} WHERE ${userRoles.userId} = ${sessions.userId})`,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.id, id));
  const row = rows[0];
  if (!row) return null;
  const now = Date.now();
  if (now >= row.expiresAt || row.status !== 'active') {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  let expiresAt = row.expiresAt;
  if (now >= row.expiresAt - row.ttlMs / 2 || row.ttlMs <= STAFF_TTL_MS) {
    // Staff sessions are idle timeouts: every request pushes them forward, but only write once a minute.
    const next = now + row.ttlMs;
    if (next - row.expiresAt > 60_000) {
      expiresAt = next;
      await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, id));
    }
  }
  const roles = row.roles ? row.roles.split(',') : [];
  return {
    session: { id, userId: row.userId, expiresAt },
    user: { id: row.userId, realName: row.realName, phone: row.phone, roles, status: row.status },
  };
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
