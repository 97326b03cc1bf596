// Precomputed confirmed-minute totals on users and teams (issue 5 keeps them
// in step with triggers; this recomputes them absolutely).
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { writeBatch } from '../../../db/write.ts';

/** Sets users/teams confirmed_minutes and the county counter to the sums of confirmed records (triggers in db/sql/hours.sql keep them after). */
export async function recomputeTotals(db: Db): Promise<void> {
  await writeBatch(db, [
    sql`UPDATE users SET confirmed_minutes = coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.user_id = users.id AND h.status = 'confirmed'), 0)`,
    sql`UPDATE teams SET confirmed_minutes = coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.team_id = teams.id AND h.status = 'confirmed'), 0),
       member_count = (SELECT count(*) FROM team_members m WHERE m.team_id = teams.id AND m.status = 'active')`,
    sql`INSERT INTO counters (name, value) VALUES ('hours.county_minutes', (SELECT coalesce(sum(minutes), 0) FROM hour_records WHERE status = 'confirmed'))
       ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
  ]);
}
