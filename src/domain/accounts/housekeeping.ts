// Housekeeping: bookkeeping rows that have served their purpose are dropped on a timer, not only when
// someone happens to touch them again — a copy of the database holds what it holds, used or not.
// Each delete goes in batches (one short write each) so a backlog never holds the write lock for long;
// every process may run it (a delete of what is already gone deletes nothing).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { repeatEvery } from '../../lib/repeat.ts';

const BATCH = 500;
const DAY = 86_400_000;

export interface Swept {
  rateLimits: number;
  sessions: number;
  smsCodes: number;
}

async function inBatches(del: () => Promise<unknown[]>): Promise<number> {
  let total = 0;
  for (;;) {
    // RETURNING counts the deleted rows the same way on a file and over HTTP (rowsAffected does not).
    const n = (await del()).length;
    total += n;
    if (n < BATCH) return total;
  }
}

/** Drops rate-limit counters whose window has ended, sessions past their expiry, and SMS codes a day past theirs. */
export async function sweep(db: Db, now = Date.now()): Promise<Swept> {
  const rateLimits = await inBatches(() => db.all(sql`DELETE FROM rate_limits WHERE rowid IN (SELECT rowid FROM rate_limits WHERE reset_at <= ${now} LIMIT ${BATCH}) RETURNING 1`));
  const sessions = await inBatches(() => db.all(sql`DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires_at <= ${now} LIMIT ${BATCH}) RETURNING 1`));
  // The phones these name: the same rule the code request applies (a day past expiry, for operators).
  const smsCodes = await inBatches(() => db.all(sql`DELETE FROM sms_codes WHERE id IN (SELECT id FROM sms_codes WHERE expires_at < ${now - DAY} LIMIT ${BATCH}) RETURNING 1`));
  return { rateLimits, sessions, smsCodes };
}

/** Runs `sweep` every `everyMs` (default 10 minutes), the first time one interval after start-up; returns a stop function. */
export function startHousekeeping(db: Db, everyMs = 10 * 60_000): () => void {
  return repeatEvery(['清理过期记录', 'housekeeping'], everyMs, () => sweep(db), { immediately: false });
}
