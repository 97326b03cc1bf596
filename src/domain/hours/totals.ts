// Precomputed confirmed-minute totals on users and teams (issue 5 keeps them
// in step with triggers; this recomputes them absolutely).
import type { Db } from '../../../db/client.ts';

/** Sets users.confirmed_minutes and teams.confirmed_minutes to the sums of confirmed records. */
export async function recomputeTotals(db: Db): Promise<void> {
  await db.$client.batch([
    `UPDATE users SET confirmed_minutes = coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.user_id = users.id AND h.status = 'confirmed'), 0)`,
    `UPDATE teams SET confirmed_minutes = coalesce((SELECT sum(minutes) FROM hour_records h WHERE h.team_id = teams.id AND h.status = 'confirmed'), 0),
       member_count = (SELECT count(*) FROM team_members m WHERE m.team_id = teams.id AND m.status = 'active')`,
  ], 'write');
}
