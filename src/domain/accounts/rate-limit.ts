// Fixed-window rate limits kept in the database so every process agrees.
//
// A key says what is counted: `scope:<internal id>` (a user, an event) or `scope:<keyed hash>` of a
// phone, an address or a tracking number (`rateKey`). The table is bookkeeping, yet a copy of the
// database would otherwise list every phone that asked for a code and every address that ordered a
// service; without SECRET_KEY the hashes name nobody. `hitRateLimit` refuses any other key, so a raw
// value cannot slip in. Rows whose window has ended are dropped by housekeeping (`src/domain/accounts/housekeeping.ts`).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { keyedHash } from '../../lib/pii.ts';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

const KEY_SHAPE = /^[a-z][a-z-]*(?::[a-z][a-z-]*)*:(?:[1-9]\d{0,8}|[0-9a-f]{64})$/;

/** The key for counting by a personal or guessable value (a phone, an IP address, a number): `scope:` + its keyed hash. */
export function rateKey(secretKey: Buffer, scope: string, value: string): string {
  return `${scope}:${keyedHash(secretKey, value, `rate:${scope}`)}`;
}

/** Scopes that count by a phone number alone; 注销 deletes the person's counters in each (profile.ts). */
export const PHONE_SCOPES = ['login-fail', 'sms-resend', 'sms-phone-day', 'reset-mail'] as const;

/** The key for counting by a phone in one of PHONE_SCOPES. */
export function phoneRateKey(secretKey: Buffer, scope: (typeof PHONE_SCOPES)[number], phone: string): string {
  return rateKey(secretKey, scope, phone);
}

/** The key for counting by an internal id (a user's, an event's): nothing personal, kept as it is. */
export function rateKeyForId(scope: string, id: number): string {
  return `${scope}:${id}`;
}

/** The key when it has the shape above; throws otherwise (checked where a key is used, not where it is made). */
function checkedKey(key: string): string {
  // A programming error, not a visitor's: a key with a phone or an address in it must never be written.
  if (!KEY_SHAPE.test(key)) throw new Error(`rate limit key must be scope:<id> or scope:<keyed hash>, got ${key.slice(0, key.indexOf(':') + 1)}…`);
  return key;
}

/** Counts one hit against `key` (one statement, safe under contention); allowed while count ≤ limit. */
export async function hitRateLimit(db: Db, key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
  const [r] = await db.all<{ count: number; reset_at: number }>(sql`INSERT INTO rate_limits (key, count, reset_at) VALUES (${checkedKey(key)}, 1, ${now + windowMs})
    ON CONFLICT(key) DO UPDATE SET
      count = CASE WHEN reset_at <= ${now} THEN 1 ELSE count + 1 END,
      reset_at = CASE WHEN reset_at <= ${now} THEN ${now + windowMs} ELSE reset_at END
    RETURNING count, reset_at`);
  const count = Number(r.count);
  return { allowed: count <= limit, count, resetAt: Number(r.reset_at) };
}

/** Reads the current count and when its window ends, without counting a hit. */
export async function rateLimitState(db: Db, key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetAt: number }> {
  const [r] = await db.all<{ count: number; reset_at: number }>(sql`SELECT count, reset_at FROM rate_limits WHERE key = ${checkedKey(key)}`);
  if (!r || Number(r.reset_at) <= now) return { count: 0, resetAt: now + windowMs };
  return { count: Number(r.count), resetAt: Number(r.reset_at) };
}

/** Clears a key (e.g. failures after a successful login). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.run(sql`DELETE FROM rate_limits WHERE key = ${checkedKey(key)}`);
}
