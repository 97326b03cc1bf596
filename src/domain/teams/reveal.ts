// A leader sees members' phones masked; to call one they press 显示号码 (issue 18, item 11). Same mechanism as
// the lecture-order reveal: a POST, an audit row written before the number is returned, never on a cached page.
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { leadsTeamSql } from '../accounts/policy.ts';
import { hitRateLimit, rateKeyForId } from '../accounts/rate-limit.ts';
import { audit } from '../audit/index.ts';
import { Refusal } from '../refusal.ts';

/** Reveals a leader may make per hour: enough to phone a squad before an event, too few to copy a roster. */
export const MEMBER_REVEALS_PER_HOUR = 30;

/** A reveal refused. */
export class RevealRefused extends Refusal {
  constructor(status: 'NOT_FOUND' | 'TOO_MANY_REQUESTS', message: string) {
    super(status, message);
    this.name = 'RevealRefused';
  }
}

/**
 * The full phone of an active member (team_members id `memberId`) of team `teamId`, for a leader of that team;
 * audited. Anyone else's number — another team's member, an applicant, someone who left — is "not found".
 */
export async function revealMemberPhone(db: Db, actor: { id: number; ip?: string }, teamId: number, memberId: number, now = Date.now()): Promise<{ memberId: number; phone: string }> {
  const [m] = await db.all<{ user_id: number; phone: string | null }>(sql`
    SELECT m.user_id, u.phone FROM team_members m JOIN users u ON u.id = m.user_id
     WHERE m.id = ${memberId} AND m.team_id = ${teamId} AND m.status = 'active' AND u.status = 'active'
       AND ${leadsTeamSql(teamId, actor.id)}`);
  if (!m?.phone) throw new RevealRefused('NOT_FOUND', '只能查看本队在册队员的号码');
  const limit = await hitRateLimit(db, rateKeyForId('reveal:member', actor.id), MEMBER_REVEALS_PER_HOUR, 3600_000, now);
  if (!limit.allowed) throw new RevealRefused('TOO_MANY_REQUESTS', `一小时内最多查看 ${MEMBER_REVEALS_PER_HOUR} 个号码，请稍后再试`);
  await audit(db, { actorId: actor.id, action: 'team.reveal_phone', targetType: 'user', targetId: Number(m.user_id), ip: actor.ip, detail: `team ${teamId}` });
  return { memberId, phone: m.phone };
}
