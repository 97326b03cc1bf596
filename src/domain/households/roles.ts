// Village-scoped staff (issue 21, docs/decisions/102): a 村 clerk keeps the register, the scoring table and
// the month; a 评议员 approves entries. Both are rows in village_roles, granted by an administrator (clerks)
// or by the village's clerk (评议员), audited. Administrators act for every village.
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { guardedWrite } from '../../../db/write.ts';
import { auditStatement } from '../audit/index.ts';
import { can } from '../accounts/policy.ts';
import { maskPhone } from '../../lib/pii.ts';
import type { SessionUser } from '../accounts/sessions.ts';
import { HouseholdError, assertId } from './errors.ts';

export type VillageRole = 'clerk' | 'assessor';

/** Chinese names of the village roles. */
export const VILLAGE_ROLE_LABELS: Record<VillageRole, string> = { clerk: '村积分管理员', assessor: '评议员' };

/** Whether a string names a village role. */
export function isVillageRole(v: string): v is VillageRole {
  return Object.hasOwn(VILLAGE_ROLE_LABELS, v);
}

/** SQL predicate: user `userId` (active) holds `role` in village `villageId` (values or SQL). THE definition, embedded in guards. */
export function holdsVillageRoleSql(villageId: number | SQL, userId: number | SQL, role: VillageRole): SQL {
  return sql`EXISTS (SELECT 1 FROM village_roles vr JOIN users vu ON vu.id = vr.user_id
    WHERE vr.village_id = ${villageId} AND vr.user_id = ${userId} AND vr.role = ${role} AND vu.status = 'active')`;
}

/** SQL predicate: user `userId` may keep village `villageId`'s register and month — its clerk, or an active administrator. */
export function keepsVillageSql(villageId: number | SQL, userId: number | SQL): SQL {
  return sql`(${holdsVillageRoleSql(villageId, userId, 'clerk')}
    OR EXISTS (SELECT 1 FROM user_roles ar JOIN users au ON au.id = ar.user_id WHERE ar.user_id = ${userId} AND ar.role = 'admin' AND au.status = 'active'))`;
}

/** A village someone may act for. */
export interface VillageChoice {
  id: number;
  /** The region code: the public 公示 page is /points/<code>. */
  code: string;
  name: string;
  townName: string;
}

/** The villages where the user holds `role`; an administrator keeps every village (role clerk). */
export async function villagesFor(db: Db, user: SessionUser | null | undefined, role: VillageRole): Promise<VillageChoice[]> {
  if (!user || user.status !== 'active') return [];
  const all = role === 'clerk' && can(user, 'villages.manage');
  const rows = await db.all<Record<string, unknown>>(sql`SELECT v.id, v.code, v.name, coalesce(t.name, '') AS town FROM regions v LEFT JOIN regions t ON t.id = v.parent_id
    WHERE v.level = 'village' AND (${all ? 1 : 0} = 1 OR EXISTS (SELECT 1 FROM village_roles r WHERE r.village_id = v.id AND r.user_id = ${user.id} AND r.role = ${role}))
    ORDER BY t.sort, v.sort, v.id LIMIT 500`);
  return rows.map((r) => ({ id: Number(r.id), code: String(r.code), name: String(r.name), townName: String(r.town) }));
}

/** Whether the user holds `role` in the village (an administrator counts as every village's clerk). */
export async function holdsVillageRole(db: Db, user: SessionUser | null | undefined, villageId: number, role: VillageRole): Promise<boolean> {
  if (!user || user.status !== 'active' || !Number.isSafeInteger(villageId)) return false;
  if (role === 'clerk' && can(user, 'villages.manage')) return true;
  const [r] = await db.all<{ ok: number }>(sql`SELECT ${holdsVillageRoleSql(villageId, user.id, role)} AS ok`);
  return Boolean(Number(r?.ok));
}

/** Throws FORBIDDEN unless the user keeps the village (its clerk or an administrator). */
export async function assertKeepsVillage(db: Db, user: SessionUser, villageId: number): Promise<void> {
  assertId(villageId, '村（社区）', 'villageId');
  if (!(await holdsVillageRole(db, user, villageId, 'clerk'))) throw new HouseholdError('FORBIDDEN', '只有本村（社区）的积分管理员可以执行此操作');
}

/** The people holding a role in a village, for the clerk's page. */
export async function villageRoleHolders(db: Db, villageId: number): Promise<{ userId: number; name: string; role: VillageRole }[]> {
  const rows = await db.all<Record<string, unknown>>(sql`SELECT r.user_id, u.real_name, r.role FROM village_roles r JOIN users u ON u.id = r.user_id
    WHERE r.village_id = ${villageId} AND u.status = 'active' ORDER BY r.role, r.granted_at LIMIT 200`);
  return rows.map((r) => ({ userId: Number(r.user_id), name: String(r.real_name), role: String(r.role) as VillageRole }));
}

/**
 * Grants a village role to the account with this phone: clerks by an administrator, 评议员 by the village's
 * clerk (or an administrator). One guarded INSERT with its audit row.
 */
export async function grantVillageRole(db: Db, actor: SessionUser, input: { villageId: number; phone: string; role: VillageRole }, now = Date.now()): Promise<void> {
  assertId(input.villageId, '村（社区）', 'villageId');
  if (input.role === 'clerk' ? !can(actor, 'villages.manage') : !(await holdsVillageRole(db, actor, input.villageId, 'clerk'))) {
    throw new HouseholdError('FORBIDDEN', input.role === 'clerk' ? '村积分管理员由系统管理员任命' : '评议员由本村（社区）的积分管理员任命');
  }
  const phone = input.phone.replace(/\s+/g, '');
  const written = await guardedWrite(
    db,
    sql`INSERT INTO village_roles (user_id, village_id, role, granted_by, granted_at)
      SELECT u.id, v.id, ${input.role}, ${actor.id}, ${now} FROM users u, regions v
      WHERE u.phone = ${phone} AND u.status = 'active' AND v.id = ${input.villageId} AND v.level = 'village'
      ON CONFLICT DO NOTHING`,
    [
      auditStatement({
        actorId: actor.id,
        action: 'household.role.grant',
        targetType: 'village',
        targetId: input.villageId,
        after: { role: input.role, phone: maskPhone(phone) },
      }),
    ],
  );
  if (written) return;
  const [u] = await db.all<{ id: number }>(sql`SELECT id FROM users WHERE phone = ${phone} AND status = 'active'`);
  if (!u) throw new HouseholdError('NOT_FOUND', '没有使用这个手机号的有效账户，请先请本人注册', 'phone');
  throw new HouseholdError('CONFLICT', `此人已是本村的${VILLAGE_ROLE_LABELS[input.role]}`, 'phone');
}

/** Revokes a village role, audited; a clerk revokes 评议员, an administrator either. */
export async function revokeVillageRole(db: Db, actor: SessionUser, input: { villageId: number; userId: number; role: VillageRole }): Promise<void> {
  assertId(input.villageId, '村（社区）');
  assertId(input.userId, '人员');
  if (input.role === 'clerk' ? !can(actor, 'villages.manage') : !(await holdsVillageRole(db, actor, input.villageId, 'clerk'))) {
    throw new HouseholdError('FORBIDDEN', '您没有权限撤销该角色');
  }
  const written = await guardedWrite(db, sql`DELETE FROM village_roles WHERE user_id = ${input.userId} AND village_id = ${input.villageId} AND role = ${input.role}`, [
    auditStatement({ actorId: actor.id, action: 'household.role.revoke', targetType: 'village', targetId: input.villageId, before: { role: input.role, userId: input.userId } }),
  ]);
  if (!written) throw new HouseholdError('NOT_FOUND', '此人不再担任该角色');
}
