// The one policy module: "may this user do this to that?" (docs/architecture.md "Sessions and access").
// Pages and actions ask it, directly or through the guards in lib/guards.ts and lib/action-guards.ts;
// never check roles inline.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { teamMembers } from '../../../db/schema/index.ts';
import type { SessionUser } from './sessions.ts';

export type Role = 'volunteer' | 'editor' | 'reviewer' | 'admin' | 'legal_aide';

/** Every global role with its Chinese label. 法律明白人 (legal_aide) is a marker for lecture assignment (issue 7), not a staff role. */
export const ROLE_LABELS: Record<Role, string> = {
  volunteer: '志愿者',
  editor: '宣传编辑',
  reviewer: '审核员',
  admin: '系统管理员',
  legal_aide: '法律明白人',
};

/** Whether a string names a global role. */
export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLE_LABELS, value);
}

/** Global abilities by role. Team-scoped abilities go through `isTeamLeader`. */
const ABILITIES: Record<string, Role[]> = {
  'console.enter': ['editor', 'reviewer', 'admin'],
  'users.manage': ['admin'],
  'audit.read': ['admin'],
  'settings.manage': ['admin'],
  'teams.approve': ['admin'],
  'articles.write': ['editor'],
  'articles.review': ['reviewer'],
  'honors.edit': ['editor'],
  'honors.review': ['reviewer'],
  'nominations.handle': ['editor'],
  'lectures.handle': ['editor'],
  'media.upload': ['editor'],
  'ledger.export': ['editor', 'admin'],
  'certificates.manage': ['editor', 'admin'],
  'volunteer.act': ['volunteer'],
};

export type Ability = keyof typeof ABILITIES;

/** Whether the user holds a global ability. */
export function can(user: SessionUser | null | undefined, ability: Ability | string): boolean {
  if (!user || user.status !== 'active') return false;
  const roles = ABILITIES[ability];
  if (!roles) throw new Error(`unknown ability ${ability}`);
  return user.roles.some((r) => roles.includes(r as Role));
}

/** Whether the user leads (leader or co-leader) the team. */
export async function isTeamLeader(db: Db, user: SessionUser | null | undefined, teamId: number): Promise<boolean> {
  if (!user || user.status !== 'active') return false;
  const rs = await db.$client.execute({
    sql: `SELECT 1 FROM team_members WHERE team_id = ? AND user_id = ? AND status = 'active' AND role IN ('leader', 'coleader') LIMIT 1`,
    args: [teamId, user.id],
  });
  return rs.rows.length > 0;
}

/** Team ids the user leads. */
export async function ledTeamIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db
    .select({ teamId: teamMembers.teamId })
    .from(teamMembers)
    .where(and(eq(teamMembers.userId, userId), eq(teamMembers.status, 'active'), inArray(teamMembers.role, ['leader', 'coleader'])));
  return rows.map((r) => r.teamId);
}

