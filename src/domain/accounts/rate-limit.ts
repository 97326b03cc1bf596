// Fixed-window rate limits kept in the database so every process agrees.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

/** Counts one hit against `key` (one statement, safe under contention); allowed while count ≤ limit. */
export async function hitRateLimit(db: Db, key: string, limit: number, windowMs: number, now = Date.now()): Promise<RateLimitResult> {
  const [r] = await db.all<{ count: number; window_start: number }>(sql`INSERT INTO rate_limits (key, window_start, count) VALUES (${key}, ${now}, 1)
    ON CONFLICT(key) DO UPDATE SET
      count = CASE WHEN window_start <= ${now - windowMs} THEN 1 ELSE count + 1 END,
      window_start = CASE WHEN window_start <= ${now - windowMs} THEN ${now} ELSE window_start END
    RETURNING count, window_start`);
  const count = Number(r.count);
  const resetAt = Number(r.window_start) + windowMs;
  return { allowed: count <= limit, count, resetAt };
}

/** Reads the current count and when its window ends, without counting a hit. */
export async function rateLimitState(db: Db, key: string, windowMs: number, now = Date.now()): Promise<{ count: number; resetAt: number }> {
  const [r] = await db.all<{ count: number; window_start: number }>(sql`SELECT count, window_start FROM rate_limits WHERE key = ${key}`);
  if (!r || Number(r.window_start) <= now - windowMs) return { count: 0, resetAt: now + windowMs };
  return { count: Number(r.count), resetAt: Number(r.window_start) + windowMs };
}

/** Clears a key (e.g. failures after a successful login). */
export async function clearRateLimit(db: Db, key: string): Promise<void> {
  await db.run(sql`DELETE FROM rate_limits WHERE key = ${key}`);
}
