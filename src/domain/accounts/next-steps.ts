// 下一步 on /me for a new volunteer (issue 18, item 14): join a team, find an event, complete the
// profile — each step disappears once it is done.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';

/** What a volunteer has done of the first steps. */
export interface FirstSteps {
  /** none: no team; pending: an application waits for the leader; member: in a team. */
  team: 'none' | 'pending' | 'member';
  /** Ever signed up for an event (any outcome). */
  signedUp: boolean;
  /** Service area and at least one skill filled in. */
  profileComplete: boolean;
}

/** The first steps of one volunteer, read in one statement. */
export async function firstSteps(db: Db, userId: number): Promise<FirstSteps> {
  const [r] = await db.all<{ team: string | null; signed: number; town_id: number | null; skills: string }>(sql`SELECT
      (SELECT status FROM team_members WHERE user_id = ${userId} AND status IN ('active', 'pending') ORDER BY status = 'active' DESC LIMIT 1) AS team,
      EXISTS (SELECT 1 FROM signups WHERE user_id = ${userId}) AS signed,
      u.town_id, u.skills
    FROM users u WHERE u.id = ${userId}`);
  if (!r) return { team: 'none', signedUp: false, profileComplete: false };
  let skills: unknown;
  try {
    skills = JSON.parse(r.skills);
  } catch {
    skills = [];
  }
  return {
    team: r.team === 'active' ? 'member' : r.team === 'pending' ? 'pending' : 'none',
    signedUp: Boolean(Number(r.signed)),
    profileComplete: r.town_id != null && Array.isArray(skills) && skills.length > 0,
  };
}
