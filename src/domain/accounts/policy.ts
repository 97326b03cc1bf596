// The one policy module: "may this user do this to that?" (docs/architecture.md "Sessions and access").
// Pages and actions ask it, directly or through the guards in lib/guards.ts and lib/action-guards.ts;
// never check roles inline.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import type { SessionUser } from './sessions.ts';
import { Refusal } from '../refusal.ts';

export type Role = 'volunteer' | 'editor' | 'reviewer' | 'admin' | 'legal_aide' | 'shop_manager';

/** Every global role with its Chinese label. 法律明白人 (legal_aide) is a marker for lecture assignment (issue 7), not a staff role. */
export const ROLE_LABELS: Record<Role, string> = {
  volunteer: '志愿者',
  editor: '宣传编辑',
  reviewer: '审核员',
  admin: '系统管理员',
  legal_aide: '法律明白人',
  shop_manager: '超市管理员',
};

/** Whether a string names a global role. */
export function isRole(value: string): value is Role {
  return Object.hasOwn(ROLE_LABELS, value);
}

/** Global abilities by role. Team-scoped abilities go through `isTeamLeader`. */
const ABILITIES = {
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
  /** 四单: triage, dispatch and call-backs of residents' service orders (issue 20). */
  'orders.handle': ['editor'],
  /** The 服务菜单 itself: items, their time limits and order (issue 20); the roles that run the 中心. */
  'services.edit': ['editor', 'admin'],
  'media.upload': ['editor'],
  'ledger.export': ['editor', 'admin'],
  'certificates.manage': ['editor', 'admin'],
  /** Confirm hours and issue certificates a team cannot review independently: its own leaders' (docs/decisions/079). */
  'hours.review': ['editor', 'admin'],
  'volunteer.act': ['volunteer'],
  /**
   * Open the 积分超市 counter (issue 21). Which shops: `managesShopSql` — a 超市管理员 only the shops they were
   * granted (shop_managers), an admin every shop; never one's own order (src/domain/points/shop.ts).
   */
  'shop.handover': ['shop_manager', 'admin'],
  /** Appoint 村积分管理员 and act for every village's household register (issue 21); village-scoped rights live in village_roles (src/domain/households/roles.ts). */
  'villages.manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;

/** Every global ability, as a literal union: a misspelt ability is a type error, not a runtime throw. */
export type Ability = keyof typeof ABILITIES;

/** The roles that hold an ability (for the 403 page: which role to ask for). */
export function rolesFor(ability: Ability): readonly Role[] {
  return ABILITIES[ability];
}

/** Whether the user holds a global ability. */
export function can(user: SessionUser | null | undefined, ability: Ability): boolean {
  if (!user || user.status !== 'active') return false;
  const roles: readonly Role[] = ABILITIES[ability];
  return user.roles.some((r) => roles.includes(r as Role));
}

/** SQL: the team roles that lead a team (leader, co-leader). */
export const LEADER_ROLES = sql.raw(`('leader', 'coleader')`);

/**
 * SQL: the team_members row `m` (an alias) holds a team's leadership now — an active leader or
 * co-leader. THE definition of "leads a team": every other leader check builds on it.
 */
export function leadershipRowSql(m: string): SQL {
  return sql`${sql.raw(m)}.status = 'active' AND ${sql.raw(m)}.role IN ${LEADER_ROLES}`;
}

// The subqueries name their row `leader_row`, an alias no caller uses, so a caller's column
// (`sql.raw('m.team_id')`) can never be captured by it.

/** SQL predicate: user `userId` leads team `teamId` (values, or SQL such as `sql.raw('h.team_id')`). */
export function leadsTeamSql(teamId: number | SQL, userId: number | SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM team_members leader_row WHERE leader_row.team_id = ${teamId} AND leader_row.user_id = ${userId} AND ${leadershipRowSql('leader_row')})`;
}

/** SQL: the ids of the users who lead team `teamId` (for notices to a team's leaders). */
export function teamLeaderIdsSql(teamId: number | SQL): SQL {
  return sql`SELECT leader_row.user_id FROM team_members leader_row WHERE leader_row.team_id = ${teamId} AND ${leadershipRowSql('leader_row')}`;
}

/** Whether the user leads (leader or co-leader) the team: read access to its leader area. Writes ask `leaderWriteRefusal`. */
export async function isTeamLeader(db: Db, user: SessionUser | null | undefined, teamId: number): Promise<boolean> {
  if (!user || user.status !== 'active') return false;
  const [r] = await db.all<{ leads: number }>(sql`SELECT ${leadsTeamSql(teamId, user.id)} AS leads`);
  return Boolean(r?.leads);
}

/** The one team status in which leaders keep their write powers (a suspended or unapproved team's leaders only read). */
export const WRITABLE_TEAM_STATUS = 'active';

/** Whether a team in this status lets its leaders write (events, attendance, hours, certificates, members). */
export function teamAllowsLeaderWrites(status: string): boolean {
  return status === WRITABLE_TEAM_STATUS;
}

/**
 * SQL predicate: user `userId` may exercise leader write powers over team `teamId` — they lead it
 * (`leadsTeamSql`) with an active account, and the team is active (approved, not suspended).
 * Guarded statements embed it so the check and the write are one statement; `leaderWriteRefusal` asks it too.
 */
export function leaderMayWriteSql(teamId: number | SQL, userId: number | SQL): SQL {
  return sql`(${leadsTeamSql(teamId, userId)}
    AND EXISTS (SELECT 1 FROM teams leader_team WHERE leader_team.id = ${teamId} AND leader_team.status = ${sql.raw(`'${WRITABLE_TEAM_STATUS}'`)})
    AND EXISTS (SELECT 1 FROM users leader_user WHERE leader_user.id = ${userId} AND leader_user.status = 'active'))`;
}

/** A leader write refused: not a leader of the team, or the team is suspended / not yet approved. */
export class LeaderWriteRefused extends Refusal {
  /** not_leader: no active leader/co-leader of the team; team_inactive: suspended or not approved; account: account not active. */
  readonly why: 'not_leader' | 'team_inactive' | 'account';
  constructor(why: LeaderWriteRefused['why'], message: string) {
    super('FORBIDDEN', message);
    this.name = 'LeaderWriteRefused';
    this.why = why;
  }
}

/**
 * THE answer to "may this user exercise leader write powers over this team?" (issue 15, item 6):
 * null when they may; otherwise the refusal saying why, in Chinese. `doing` names the attempt
 * ("确认服务时长") for the suspended-team message. Reads (pages, exports) use `isTeamLeader`.
 */
export async function leaderWriteRefusal(db: Db, userId: number, teamId: number, doing = '管理队伍'): Promise<LeaderWriteRefused | null> {
  const [r] = await db.all<{ status: string; may: number; leads: number }>(
    sql`SELECT t.status, ${leaderMayWriteSql(teamId, userId)} AS may, ${leadsTeamSql(teamId, userId)} AS leads FROM teams t WHERE t.id = ${teamId}`,
  );
  if (r && Number(r.may)) return null;
  if (!r || !Number(r.leads)) return new LeaderWriteRefused('not_leader', '只有该队伍的队长或副队长可以执行此操作');
  if (r.status === 'suspended') return new LeaderWriteRefused('team_inactive', `该队伍已被暂停，负责人暂不能${doing}；如有疑问请联系县文明实践中心`);
  if (!teamAllowsLeaderWrites(String(r.status))) return new LeaderWriteRefused('team_inactive', `该队伍未处于正常状态，负责人暂不能${doing}；如有疑问请联系县文明实践中心`);
  return new LeaderWriteRefused('account', '您的账号不可用，不能执行此操作');
}

/** Throws the refusal unless the user may exercise leader write powers over the team (see `leaderWriteRefusal`). */
export async function assertLeaderWrite(db: Db, userId: number, teamId: number, doing?: string): Promise<void> {
  const refusal = await leaderWriteRefusal(db, userId, teamId, doing);
  if (refusal) throw refusal;
}

/** Team ids the user leads. */
export async function ledTeamIds(db: Db, userId: number): Promise<number[]> {
  const rows = await db.all<{ team_id: number }>(sql`SELECT m.team_id FROM team_members m WHERE m.user_id = ${userId} AND ${leadershipRowSql('m')}`);
  return rows.map((r) => Number(r.team_id));
}

/**
 * SQL predicate: user `userId` may run shop `shopId` (hand over its orders, keep its catalogue) — an active
 * account that is an administrator (every shop) or was granted this shop (shop_managers, docs/decisions/103).
 * THE definition of "manages a shop": guarded statements embed it, so the check and the write are one statement.
 */
export function managesShopSql(shopId: number | SQL, userId: number | SQL): SQL {
  return sql`(EXISTS (SELECT 1 FROM users manager_user WHERE manager_user.id = ${userId} AND manager_user.status = 'active')
    AND (EXISTS (SELECT 1 FROM user_roles manager_role WHERE manager_role.user_id = ${userId} AND manager_role.role = 'admin')
      OR EXISTS (SELECT 1 FROM shop_managers manager_row WHERE manager_row.shop_id = ${shopId} AND manager_row.user_id = ${userId})))`;
}

/** The shops the user runs: null for every shop (an administrator), else the granted ids (maybe none). */
export async function managedShopIds(db: Db, user: SessionUser | null | undefined): Promise<number[] | null> {
  if (!user || user.status !== 'active') return [];
  if (user.roles.includes('admin')) return null;
  const rows = await db.all<{ shop_id: number }>(sql`SELECT shop_id FROM shop_managers WHERE user_id = ${user.id} ORDER BY shop_id`);
  return rows.map((r) => Number(r.shop_id));
}
